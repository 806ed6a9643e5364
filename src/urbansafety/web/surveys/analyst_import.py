"""Import a KoboToolbox / LimeSurvey / urbansafety CSV export into a campaign's responses.

The file is read against the campaign's frozen questionnaire by
:func:`urbansafety.survey.responses_import.read_responses_csv`; accepted rows become
``Response`` rows in one transaction. Each response's submission key comes from the source's
own id (KoboToolbox ``_uuid``, LimeSurvey ``id``), so importing the same file again adds nothing.

Every import is recorded (``ResponseImport``, with the file's SHA-256) with its refused values
(``ImportReject``) in the same transaction as the responses: a row is never silently dropped.
A repeat of the same file is recorded too, adding no response; the summary names the earlier
import of the same bytes (``previous``). ``analyst_store.send_to_store`` later copies the
imports and their rejects into the workspace store, where ``urbansafety rejects`` lists them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from urbansafety.survey.answers import Territories
from urbansafety.survey.model import Questionnaire
from urbansafety.survey.responses import StoredResponse, answers_json
from urbansafety.survey.responses_read import Reject
from urbansafety.web.surveys.analyst_campaign import (
    campaign_questionnaire,
    neighbourhood_question,
    territories,
)
from urbansafety.web.surveys.models import (
    REJECT_VALUE_MAX,
    Campaign,
    ImportReject,
    Response,
    ResponseImport,
    clip,
)

# Namespace of the submission keys derived from an imported file's own ids (fixed forever:
# changing it would make a re-import add every row again).
IMPORT_NAMESPACE = uuid.UUID("6c1f4f1e-3f55-4d4b-9a59-2b1c3e7f9a10")


@dataclass
class ImportSummary:
    """What an import did: rows read / accepted / rejected, responses added or already there."""

    source: str
    rows_read: int = 0
    accepted: int = 0
    added: int = 0
    already: int = 0
    rejects: list[Reject] = field(default_factory=list)
    import_id: int | None = None  # the ResponseImport recording it
    previous: ResponseImport | None = None  # an earlier import of the same file, if any

    @property
    def rejected_rows(self) -> int:
        """Return the number of rows with at least one reject."""
        return len({r.row for r in self.rejects})


def form_territories(form: Questionnaire) -> Territories | None:
    """Return the workspace's territories if it holds every layer the form asks about, else None.

    Without a layer, neighbourhood answers are left unchecked rather than all refused.
    """
    layers = {q.layer for q in form.questions() if q.type == "neighbourhood" and q.layer}
    found = territories()
    return found if layers and layers <= set(found) else None


def reason_translator(form: Questionnaire, lang: str) -> Callable[[str], str]:
    """Return a function giving a kept (English) reason in lang.

    The form's own messages (required_message, constraint_message) come from the form, the
    built-in ones from the catalog (the active language's).
    """
    own: dict[str, str] = {}
    for question in form.questions():
        for text in (question.required_message, question.constraint_message):
            if text and text.en:
                own[text.en] = text.get(lang)

    def translate(reason: str) -> str:
        return own.get(reason) or (gettext(reason) if reason else "")

    return translate


def submission_key(source: str, source_id: str) -> uuid.UUID:
    """Return the submission key of an imported response: the same id always gives the same key."""
    return uuid.uuid5(IMPORT_NAMESPACE, f"{source}:{source_id}")


def _aware(moment: dt.datetime | None) -> dt.datetime:
    if moment is None:
        return timezone.now()
    # Exports write UTC times (KoboToolbox's _submission_time); a naive time is read as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _response(
    campaign: Campaign, stored: StoredResponse, layout: str, source: str, where: str | None
) -> Response:
    answers = json.loads(answers_json(stored.answers))
    area = answers.get(where) if where else None
    return Response(
        campaign=campaign,
        submission_key=submission_key(layout, stored.response_id),
        submitted_at=_aware(stored.submitted_at),
        language=(stored.language or campaign.language_list()[0] or "fr")[:5],
        answers=answers,
        neighbourhood=str(area) if isinstance(area, str) else "",
        source=source,
    )


def _record(
    campaign: Campaign,
    summary: ImportSummary,
    *,
    layout: str,
    filename: str,
    sha: str,
    size: int,
    started: dt.datetime,
    origin: str | None,
    user: object,
) -> ResponseImport:
    """Create the import's row and its rejects (inside the caller's transaction)."""
    record = ResponseImport.objects.create(
        campaign=campaign,
        file_name=clip(filename, 255),
        sha256=sha,
        size_bytes=size,
        source=layout,
        origin=origin or "",
        rows_read=summary.rows_read,
        accepted=summary.accepted,
        added=summary.added,
        already=summary.already,
        rejected_rows=summary.rejected_rows,
        started_at=started,
        created_at=timezone.now(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    ImportReject.objects.bulk_create(
        (
            ImportReject(
                response_import=record,
                row=r.row,
                column=clip(r.column, 255),
                value=clip(r.value, REJECT_VALUE_MAX),
                reason=r.reason,
                kind=clip(r.kind, 200),
            )
            for r in summary.rejects
        ),
        batch_size=1000,
    )
    return record


def import_into_campaign(
    campaign: Campaign,
    data: bytes,
    filename: str,
    *,
    source: str = "auto",
    origin: str | None = None,
    user: object = None,
) -> ImportSummary:
    """Read a CSV export against the campaign's questionnaire, add its new responses, record it.

    ``source`` is the file's layout (auto, kobo, limesurvey, urbansafety); ``origin`` the
    ``Response.source`` recorded instead of the layout's (the demo records ``demo``); ``user``
    the analyst who gave the file. Raise :class:`urbansafety.errors.InputError` when the file
    cannot be read at all (nothing is added nor recorded then); refused rows are listed in the
    summary's rejects and kept with the import (``ResponseImport``), the others are added.
    """
    from urbansafety.survey.responses_import import read_responses_csv

    started = timezone.now()
    form = campaign_questionnaire(campaign)
    result = read_responses_csv(
        form, data, filename=filename, source=source, territories=form_territories(form)
    )
    recorded = origin or result.source
    summary = ImportSummary(
        source=recorded,
        rows_read=result.rows_read,
        accepted=len(result.accepted),
        rejects=[Reject(r.row, r.column, str(r.value), r.reason, r.kind) for r in result.rejects],
    )
    where = neighbourhood_question(form)
    new = [_response(campaign, s, result.source, recorded, where) for s in result.accepted]
    sha = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        known = set(
            campaign.responses.filter(
                submission_key__in=[r.submission_key for r in new]
            ).values_list("submission_key", flat=True)
        )
        fresh: dict[uuid.UUID, Response] = {}
        for response in new:
            if response.submission_key not in known:
                fresh.setdefault(response.submission_key, response)
        Response.objects.bulk_create(fresh.values(), batch_size=500)
        summary.added = len(fresh)
        summary.already = len(new) - len(fresh)
        summary.previous = (
            campaign.imports.filter(sha256=sha).only("id", "created_at", "file_name").first()
        )
        record = _record(
            campaign,
            summary,
            layout=result.source,
            filename=filename,
            sha=sha,
            size=len(data),
            started=started,
            origin=origin,
            user=user,
        )
    summary.import_id = record.id
    return summary
