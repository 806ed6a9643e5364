"""Survey responses in the workspace store: the `survey_responses` table, written and read back.

Every collection path ends here: the web app's export, an import of a KoboToolbox or
LimeSurvey CSV, the demo's synthetic campaign. One row per response: the survey's name, a
response id unique within it, when it was submitted, the language used, and the cleaned answers
as JSON (a multiple choice is a list of codes, a date an ISO text). The analysis reads them back
as one column per question (:func:`load_responses`), multiple choices as space-separated codes as
in XLSForm exports.

>>> from urbansafety.survey.responses import load_responses
>>> load_responses(ws, "safety").columns[:4].tolist()      # doctest: +SKIP
['response_id', 'submitted_at', 'language', 'source']
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from urbansafety import store
from urbansafety.errors import InputError
from urbansafety.i18n import N_
from urbansafety.survey.model import Answer, Text
from urbansafety.workspace import Workspace

META_COLUMNS = ("response_id", "submitted_at", "language", "source")


@dataclass(frozen=True)
class StoredResponse:
    """One response ready for the store: its id, time, language and cleaned answers."""

    response_id: str
    answers: Mapping[str, Answer]
    submitted_at: dt.datetime | None = None
    language: str | None = None


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create the survey tables if the store has none (stores made before surveys)."""
    con.execute(store.SURVEY_RESPONSES)
    con.execute(store.SURVEY_TITLES)


def set_title(
    con: duckdb.DuckDBPyConnection, survey: str, title: Text, *, replace: bool = True
) -> None:
    """Record the survey's title in French and English (kept as it is with replace=False)."""
    if not title:
        return
    ensure_table(con)
    verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
    con.execute(
        f"{verb} INTO survey_titles VALUES (?, ?, ?)",
        [survey, title.get("fr"), title.get("en")],
    )


def survey_title(ws: Workspace, survey: str) -> Text:
    """Return the survey's recorded title (empty when none was recorded)."""
    with store.connect(ws.store_path, read_only=True) as con:
        known = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'survey_titles'"
        ).fetchone()
        if not known or not known[0]:
            return Text()
        row = con.execute(
            "SELECT title_fr, title_en FROM survey_titles WHERE survey = ?", [survey]
        ).fetchone()
    return Text(fr=row[0], en=row[1]) if row else Text()


def answers_json(answers: Mapping[str, Answer]) -> str:
    """Return the answers as JSON: lists for multiple choices, ISO text for dates."""

    def plain(value: Answer) -> Any:
        if isinstance(value, tuple):
            return list(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    return json.dumps({k: plain(v) for k, v in answers.items()}, ensure_ascii=False, sort_keys=True)


def stored_ids(con: duckdb.DuckDBPyConnection, survey: str) -> set[str]:
    """Return the response ids already stored for a survey."""
    ensure_table(con)
    rows = con.execute(
        "SELECT response_id FROM survey_responses WHERE survey = ?", [survey]
    ).fetchall()
    return {r for (r,) in rows}


def write_responses(
    con: duckdb.DuckDBPyConnection,
    survey: str,
    responses: Iterable[StoredResponse],
    *,
    source: str,
    import_id: str,
) -> tuple[int, int]:
    """Insert responses not stored yet (by response id); return (inserted, already stored).

    Call it inside :func:`urbansafety.store.transaction`: the caller's import lands whole or not
    at all. A response id seen twice in ``responses`` is stored once.
    """
    known = stored_ids(con, survey)
    rows: list[tuple[Any, ...]] = []
    duplicates = 0
    for r in responses:
        if r.response_id in known:
            duplicates += 1
            continue
        known.add(r.response_id)
        when = r.submitted_at.replace(tzinfo=None) if r.submitted_at else None
        rows.append(
            (survey, r.response_id, when, r.language, source, answers_json(r.answers), import_id)
        )
    if rows:
        frame = pd.DataFrame(
            rows,
            columns=[
                "survey", "response_id", "submitted_at", "language", "source", "answers",
                "import_id",
            ],
        )  # fmt: skip
        con.register("_new_responses", frame)
        try:
            con.execute(
                "INSERT INTO survey_responses SELECT survey, response_id, "
                "CAST(submitted_at AS TIMESTAMP), language, source, CAST(answers AS JSON), "
                "import_id FROM _new_responses"
            )
        finally:
            con.unregister("_new_responses")
    return len(rows), duplicates


def _wide(value: Any) -> Any:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return value


def responses_frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """Return stored rows (response_id, submitted_at, language, source, answers) as a wide table."""
    meta = pd.DataFrame([r[:4] for r in rows], columns=list(META_COLUMNS))
    answers = pd.DataFrame.from_records(
        [{k: _wide(v) for k, v in json.loads(r[4]).items()} for r in rows], index=meta.index
    )
    return pd.concat([meta, answers], axis=1)


STORED = (
    "SELECT response_id, submitted_at, language, source, CAST(answers AS VARCHAR) "
    "FROM survey_responses WHERE survey = ? ORDER BY response_id"
)


def stored_raw(ws: Workspace, survey: str) -> list[tuple[Any, ...]]:
    """Return a survey's stored rows (response_id, submitted_at, language, source, answers JSON).

    Rows are ordered by response id, so results are reproducible; no row is an InputError.
    """
    with store.connect(ws.store_path, read_only=True) as con:
        tables = {t for (t,) in con.execute("SHOW TABLES").fetchall()}
        rows = con.execute(STORED, [survey]).fetchall() if "survey_responses" in tables else []
    if not rows:
        raise InputError(
            N_("No responses stored for the survey %(survey)s."),
            hint=N_(
                "Import responses first (urbansafety survey import), or export them from the "
                "web app into the workspace."
            ),
            params={"survey": survey},
        )
    return rows


def load_responses(ws: Workspace, survey: str) -> pd.DataFrame:
    """Return a survey's stored responses, one row each, one column per answered question.

    Multiple choices are space-separated codes (the XLSForm export convention); unanswered
    questions are missing values. Rows are ordered by response id, so results are reproducible.
    """
    return responses_frame(stored_raw(ws, survey))


def stored_surveys(ws: Workspace) -> dict[str, int]:
    """Return the surveys with stored responses and their number of responses."""
    with store.connect(ws.store_path, read_only=True) as con:
        tables = {t for (t,) in con.execute("SHOW TABLES").fetchall()}
        if "survey_responses" not in tables:
            return {}
        rows = con.execute(
            "SELECT survey, count(*) FROM survey_responses GROUP BY survey ORDER BY survey"
        ).fetchall()
    return {s: int(n) for s, n in rows}
