"""Import a KoboToolbox / LimeSurvey / urbansafety CSV export into a campaign's responses.

The file is read against the campaign's frozen questionnaire by
:func:`urbansafety.survey.responses_import.read_responses_csv`; accepted rows become
``Response`` rows in one transaction. Each response's submission key comes from the source's
own id (KoboToolbox ``_uuid``, LimeSurvey ``id``), so importing the same file again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from urbansafety.survey.answers import Territories
from urbansafety.survey.model import Questionnaire
from urbansafety.survey.responses import StoredResponse, answers_json
from urbansafety.web.surveys.analyst_campaign import (
    campaign_questionnaire,
    neighbourhood_question,
    territories,
)
from urbansafety.web.surveys.models import Campaign, Response

# Namespace of the submission keys derived from an imported file's own ids (fixed forever:
# changing it would make a re-import add every row again).
IMPORT_NAMESPACE = uuid.UUID("6c1f4f1e-3f55-4d4b-9a59-2b1c3e7f9a10")


@dataclass(frozen=True)
class RejectRow:
    """One refused value: its row in the file (1 = header), column, value and reason."""

    row: int
    column: str
    value: str
    reason: str


@dataclass
class ImportSummary:
    """What an import did: rows read / accepted / rejected, responses added or already there."""

    source: str
    rows_read: int = 0
    accepted: int = 0
    added: int = 0
    already: int = 0
    rejects: list[RejectRow] = field(default_factory=list)

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


def import_into_campaign(
    campaign: Campaign,
    data: bytes,
    filename: str,
    *,
    source: str = "auto",
    origin: str | None = None,
) -> ImportSummary:
    """Read a CSV export against the campaign's questionnaire and add its new responses.

    ``source`` is the file's layout (auto, kobo, limesurvey, urbansafety); ``origin`` the
    ``Response.source`` recorded instead of the layout's (the demo records ``demo``). Raise
    :class:`urbansafety.errors.InputError` when the file cannot be read at all (nothing is added
    then); refused rows are listed in the summary's rejects, the others are added.
    """
    from urbansafety.survey.responses_import import read_responses_csv

    form = campaign_questionnaire(campaign)
    result = read_responses_csv(
        form, data, filename=filename, source=source, territories=form_territories(form)
    )
    recorded = origin or result.source
    summary = ImportSummary(
        source=recorded,
        rows_read=result.rows_read,
        accepted=len(result.accepted),
        rejects=[RejectRow(r.row, r.column, str(r.value), r.reason) for r in result.rejects],
    )
    where = neighbourhood_question(form)
    new = [_response(campaign, s, result.source, recorded, where) for s in result.accepted]
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
        Response.objects.bulk_create(fresh.values())
    summary.added = len(fresh)
    summary.already = len(new) - len(fresh)
    return summary
