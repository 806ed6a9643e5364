"""Import a CSV of survey responses (KoboToolbox, LimeSurvey, ours) into the workspace store.

The file is read and checked by :func:`read_responses_csv` (``responses_read.py``), then the
accepted responses, an ``imports`` row and the ``rejects`` rows are written in one transaction:
an import lands whole or not at all, and never removes what is stored. Importing the same file
again changes nothing; a file that repeats stored response ids adds only the new ones.

>>> report = import_responses(ws, form, Path("kobo.csv"), survey="safety")  # doctest: +SKIP
>>> report.rows_read, report.rows_accepted, report.rows_rejected           # doctest: +SKIP
(812, 805, 7)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from urbansafety import store
from urbansafety.errors import InputError, Where
from urbansafety.i18n import N_
from urbansafety.ingest import records
from urbansafety.survey import responses
from urbansafety.survey.answers import Territories
from urbansafety.survey.model import Questionnaire
from urbansafety.survey.responses_read import ReadResult, Reject, read_responses_csv
from urbansafety.survey.territories import workspace_territories
from urbansafety.workspace import Workspace

__all__ = ["ReadResult", "Reject", "ResponsesReport", "import_responses", "read_responses_csv"]

KIND = "survey_responses"
_SURVEY = re.compile(r"[^\W\d][\w.\-]{0,63}\Z")
_STAMP = re.compile(r"-[0-9]{8}T[0-9]+-[0-9a-f]{8}\Z")
PREVIOUS = "SELECT import_id FROM imports WHERE kind = ? AND sha256 = ?"


@dataclass
class ResponsesReport(records.ImportReport):
    """An import summary, plus the survey, responses already stored and unknown columns."""

    survey: str = ""
    already_stored: int = 0
    unknown_columns: list[str] = field(default_factory=list)


def form_territories(ws: Workspace, form: Questionnaire) -> Territories | None:
    """Return the workspace's territories when it holds every layer the form's questions use.

    With a layer missing, neighbourhood answers cannot be checked, so they are left unchecked
    (None) rather than all refused.
    """
    layers = {q.layer for q in form.questions() if q.type == "neighbourhood" and q.layer}
    if not layers:
        return None
    found = workspace_territories(ws)
    return found if layers <= set(found) else None


def _prefix(survey: str) -> str:
    return f"{KIND}:{survey}"


def _imported_before(con: duckdb.DuckDBPyConnection, survey: str, sha: str) -> bool:
    rows = con.execute(PREVIOUS, [KIND, sha]).fetchall()
    prefix = _prefix(survey)
    return any(i.startswith(prefix) and _STAMP.match(i[len(prefix) :]) is not None for (i,) in rows)


def reason_counts(rejects: list[Reject]) -> dict[str, int]:
    """Return rows refused by short reason, most frequent first (a row counts once per reason)."""
    pairs = {(r.row, r.kind or r.reason) for r in rejects}
    counts: dict[str, int] = {}
    for _, kind in pairs:
        counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def import_responses(
    ws: Workspace,
    form: Questionnaire,
    path: Path,
    *,
    survey: str,
    source: str = "auto",
    origin: str | None = None,
) -> ResponsesReport:
    """Import a responses CSV into the survey's stored responses; return what happened.

    ``source`` chooses the layout (auto, kobo, limesurvey, urbansafety); ``origin`` names the
    source recorded in the store instead of the layout's (the demo records ``demo``).
    """
    if not _SURVEY.match(survey):
        raise InputError(
            N_("“%(survey)s” is not a valid survey name."),
            hint=N_("Use letters, digits, _, - or . (no spaces), e.g. safety_2025."),
            params={"survey": survey},
        )
    path = Path(path)
    data, sha = records.read_and_hash(path)
    if data is None:
        raise InputError(
            N_("Give a CSV file, not a folder."),
            hint=N_("Export the responses as CSV from KoboToolbox or LimeSurvey."),
            where=Where(file=str(path)),
        )
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    result = read_responses_csv(
        form, data, filename=path.name, source=source, territories=form_territories(ws, form)
    )
    report = ResponsesReport(
        kind=KIND,
        source=origin or result.source,
        file=path.name,
        encoding=result.encoding,
        rows_read=result.rows_read,
        rows_rejected=result.rows_rejected,
        rejected_by_reason=reason_counts(result.rejects),
        survey=survey,
        unknown_columns=result.unknown_columns,
    )
    # The table keeps the short reason, a msgid that `urbansafety info` shows in either language;
    # the question is in the column, the form's own message in Reject.reason.
    table = records.rejects_table(
        [(r.row, r.column, r.value, r.kind or r.reason) for r in result.rejects]
    )
    with store.connect(ws.store_path) as con:
        if _imported_before(con, survey, sha):
            report.skipped = True
            return report
        report.import_id = records.new_import_id(_prefix(survey), sha)
        with store.transaction(con):
            inserted, stored = responses.write_responses(
                con, survey, result.accepted, source=report.source, import_id=report.import_id
            )
            report.rows_accepted, report.already_stored = inserted, stored
            # The questionnaire's title heads the report, unless the survey has one already.
            responses.set_title(con, survey, form.title, replace=False)
            records.record_import(
                con, report, sha=sha, size=len(data), started=started, rejects=table
            )
    return report
