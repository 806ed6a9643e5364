"""Send a campaign's responses to the workspace store, where the survey analysis reads them.

Only responses not sent yet are written (``Response.exported_at`` is empty), in one DuckDB
transaction with an ``imports`` row; they are marked sent only after DuckDB has committed. If
marking fails afterwards, the next send finds them stored (by response id) and adds nothing:
a response is never lost nor stored twice.

The campaign's CSV imports not sent yet (``ResponseImport.sent_at`` empty) go in the same
transaction: one ``imports`` row each (kind ``survey_import``) and their refused values in the
``rejects`` table, so that ``urbansafety rejects`` and ``urbansafety info`` list them. An
import's id in the store is derived from the web import, so an import found there already
(marks lost after DuckDB committed) is not written twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict

import duckdb
from django.db import transaction
from django.utils import timezone

from urbansafety import store
from urbansafety.i18n import N_
from urbansafety.ingest.records import ImportReport, new_import_id, record_import, rejects_table
from urbansafety.survey.model import Text
from urbansafety.survey.responses import (
    StoredResponse,
    ensure_table,
    set_title,
    write_responses,
)
from urbansafety.web.surveys.models import Campaign, Response, ResponseImport
from urbansafety.workspace import Workspace

IMPORT_KIND = "survey_web"
FILE_IMPORT_KIND = "survey_import"
FILE_IMPORT_LABEL = N_("survey_import")  # the kind `urbansafety info` names, translated there
KNOWN_IMPORTS = "SELECT import_id FROM imports WHERE kind = ? AND import_id = ANY(?)"
# The web import ran before the send: its time, not the send's, is the import's in the store.
SET_FINISHED = "UPDATE imports SET finished_at = ? WHERE import_id = ?"


def _stored(response: Response) -> StoredResponse:
    return StoredResponse(
        response_id=response.response_id,
        answers=response.answers,
        submitted_at=response.submitted_at.astimezone(dt.UTC),  # the store keeps UTC times
        language=response.language,
    )


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def store_import_id(record: ResponseImport) -> str:
    """Return the id a web import has in the store: kind, time of the import, hash, web id."""
    stamp = record.created_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"{FILE_IMPORT_KIND}-{stamp}-{record.sha256[:8]}-{record.pk}"


def _write_imports(con: duckdb.DuckDBPyConnection, records: list[ResponseImport]) -> None:
    """Write each web import not yet in the store: its imports row and its rejects."""
    if not records:
        return
    ids = {store_import_id(r): r for r in records}
    found = {i for (i,) in con.execute(KNOWN_IMPORTS, [FILE_IMPORT_KIND, list(ids)]).fetchall()}
    for import_id, record in ids.items():
        if import_id in found:
            continue
        report = ImportReport(
            kind=FILE_IMPORT_KIND,
            source=record.source,
            file=record.file_name,
            import_id=import_id,
            encoding="",
            rows_read=record.rows_read,
            rows_accepted=record.accepted,
            rows_rejected=record.rejected_rows,
        )
        # The store keeps the short reason, a msgid `urbansafety info` shows in either
        # language, as `urbansafety survey import` does; the page keeps the full message.
        rejects = rejects_table(
            [
                (row, column, value, kind or reason)
                for row, column, value, kind, reason in record.rejects.order_by(
                    "row", "id"
                ).values_list("row", "column", "value", "kind", "reason")
            ]
        )
        record_import(
            con,
            report,
            sha=record.sha256,
            size=record.size_bytes,
            started=_naive_utc(record.started_at),
            rejects=rejects,
        )
        con.execute(SET_FINISHED, [_naive_utc(record.created_at), import_id])


def send_to_store(campaign: Campaign, ws: Workspace) -> tuple[int, int]:
    """Write the campaign's unsent responses to the store; return (inserted, already stored).

    The campaign's CSV imports not sent yet go with them (their imports rows and rejects).
    Raise :class:`urbansafety.errors.InputError` when the store cannot be opened (e.g. another
    process writes to it); nothing is marked sent then.
    """
    pending = list(campaign.responses.filter(exported_at__isnull=True).order_by("id"))
    imports = list(campaign.imports.filter(sent_at__isnull=True).order_by("id"))
    if not pending and not imports:
        return 0, 0
    by_source: dict[str, list[Response]] = defaultdict(list)
    for response in pending:
        by_source[response.source].append(response)
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    inserted = already = 0
    with store.connect(ws.store_path) as con, store.transaction(con):
        ensure_table(con)
        set_title(con, campaign.survey, Text(fr=campaign.title_fr, en=campaign.title_en))
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
        _write_imports(con, imports)
    now = timezone.now()
    with transaction.atomic():
        Response.objects.filter(id__in=[r.id for r in pending]).update(exported_at=now)
        ResponseImport.objects.filter(id__in=[r.id for r in imports]).update(sent_at=now)
    return inserted, already
