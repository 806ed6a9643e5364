"""Send a campaign's responses to the workspace store, where the survey analysis reads them.

Only responses not sent yet are written (``Response.exported_at`` is empty), in one DuckDB
transaction with an ``imports`` row; they are marked sent only after DuckDB has committed. If
marking fails afterwards, the next send finds them stored (by response id) and adds nothing:
a response is never lost nor stored twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from urbansafety import store
from urbansafety.ingest.records import ImportReport, new_import_id, record_import, rejects_table
from urbansafety.survey.responses import StoredResponse, ensure_table, write_responses
from urbansafety.web.surveys.models import Campaign, Response
from urbansafety.workspace import Workspace

IMPORT_KIND = "survey_web"


def _stored(response: Response) -> StoredResponse:
    return StoredResponse(
        response_id=response.response_id,
        answers=response.answers,
        submitted_at=response.submitted_at.astimezone(dt.UTC),  # the store keeps UTC times
        language=response.language,
    )


def send_to_store(campaign: Campaign, ws: Workspace) -> tuple[int, int]:
    """Write the campaign's unsent responses to the store; return (inserted, already stored).

    Raise :class:`urbansafety.errors.InputError` when the store cannot be opened (e.g. another
    process writes to it); nothing is marked sent then.
    """
    pending = list(campaign.responses.filter(exported_at__isnull=True).order_by("id"))
    if not pending:
        return 0, 0
    by_source: dict[str, list[Response]] = defaultdict(list)
    for response in pending:
        by_source[response.source].append(response)
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    inserted = already = 0
    with store.connect(ws.store_path) as con, store.transaction(con):
        ensure_table(con)
        for source, responses in sorted(by_source.items()):
            ids = "\n".join(r.response_id for r in responses).encode()
            sha = hashlib.sha256(ids).hexdigest()
            report = ImportReport(
                kind=IMPORT_KIND,
                source=source,
                file=f"web:{campaign.slug}",
                import_id=new_import_id(IMPORT_KIND, sha),
                encoding="utf-8",
                rows_read=len(responses),
            )
            new, known = write_responses(
                con,
                campaign.survey,
                [_stored(r) for r in responses],
                source=source,
                import_id=report.import_id,
            )
            report.rows_accepted = new
            record_import(
                con, report, sha=sha, size=len(ids), started=started, rejects=rejects_table([])
            )
            inserted += new
            already += known
    with transaction.atomic():
        Response.objects.filter(id__in=[r.id for r in pending]).update(exported_at=timezone.now())
    return inserted, already
