"""Stored survey responses out: one table (codes or labels), written as CSV or Excel.

:func:`export_table` turns responses into one row each and one column per answered question,
in form order; :func:`write_csv` writes UTF-8 with a BOM (Excel then shows accents right) and
:func:`write_xlsx` a workbook with the responses and a sheet describing the questions. A CSV
export with codes reads back unchanged with ``read_responses_csv``.

Answers are raw data for the analyst, not a publication: small counts are suppressed only
in what is computed from them (``urbansafety.disclosure``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import numbers
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

import pandas as pd

from urbansafety.i18n import N_, translator
from urbansafety.survey.answers import Territories
from urbansafety.survey.model import Question, Questionnaire, Text
from urbansafety.survey.responses import stored_raw
from urbansafety.workspace import Workspace

META = ("response_id", "submitted_at", "language", "source")
LABEL_SEPARATOR = " | "
SHEET = {"fr": "réponses", "en": "responses"}
QUESTION_COLUMNS = (
    N_("question name"),
    N_("question label"),
    N_("question type"),
    N_("codes and labels"),
)


def stored_rows(ws: Workspace, survey: str) -> list[dict[str, Any]]:
    """Return a survey's stored responses as export rows (answers as stored: lists of codes)."""
    rows = stored_raw(ws, survey)
    return [
        {"response_id": r, "submitted_at": t, "language": lang, "source": s,
         "answers": json.loads(a)}
        for r, t, lang, s, a in rows
    ]  # fmt: skip


def _labels(
    form: Questionnaire, q: Question, lang: str, territories: Territories | None
) -> dict[str, str]:
    found = {
        c.name: c.label.get(lang) or c.name for c in form.choice_lists.get(q.choices or "", ())
    }
    if q.type == "neighbourhood":
        for code, name in (territories or {}).get(q.layer or "", ()):
            found[code] = name.get(lang) if isinstance(name, Text) else name
    return found


def _cell(value: Any, labels: Mapping[str, str] | None) -> Any:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        if labels is None:
            return " ".join(str(v) for v in value)
        return LABEL_SEPARATOR.join(labels.get(str(v), str(v)) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if labels is not None and isinstance(value, str):
        return labels.get(value, value)
    return value


def _when(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat()
    return str(value)


def export_table(
    form: Questionnaire,
    rows: Iterable[Mapping[str, Any]],
    *,
    labels: bool,
    lang: str,
    territories: Territories | None = None,
) -> pd.DataFrame:
    """Return one row per response: response_id, submitted_at, language, source, then answers.

    Answer columns are the questions answered at least once, in form order, headed by their
    names. Values are codes (a multiple choice as space-separated codes), or with ``labels``
    the choices' labels in ``lang`` (a multiple choice joined with " | "); ``territories``
    gives the neighbourhoods' names. Every column holds text or whole numbers as given (object
    dtype), so a number never turns into 3.0.
    """
    rows = list(rows)
    answered = {name for r in rows for name, v in (r.get("answers") or {}).items() if v not in
                (None, "", [])}  # fmt: skip
    questions = [q for q in form.questions() if q.name in answered]
    columns: dict[str, list[Any]] = {m: [] for m in META}
    for q in questions:
        columns[q.name] = []
    lookups = {
        q.name: _labels(form, q, lang, territories) if labels and q.choices else None
        for q in questions
    }
    for r in rows:
        columns["response_id"].append(str(r["response_id"]))
        columns["submitted_at"].append(_when(r.get("submitted_at")))
        columns["language"].append(r.get("language"))
        columns["source"].append(r.get("source"))
        answers = r.get("answers") or {}
        for q in questions:
            columns[q.name].append(_cell(answers.get(q.name), lookups[q.name]))
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})


# A text that a spreadsheet reads as a formula (OWASP "CSV injection"): answers typed by the
# public must never run when an analyst opens an export.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Return value, a text starting like a formula prefixed with ' so that it stays text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(spreadsheet_safe, na_action="ignore")
    return out


def write_csv(frame: pd.DataFrame, target: Path | IO[bytes]) -> None:
    """Write the table as CSV, UTF-8 with a BOM (Excel opens accents right), comma-separated.

    Texts that a spreadsheet would read as formulas are written with a leading '.
    """
    text = _safe_frame(frame).to_csv(index=False, lineterminator="\r\n")
    data = "\ufeff".encode() + text.encode("utf-8")
    if isinstance(target, str | Path):
        Path(target).write_bytes(data)
    else:
        target.write(data)


def questions_table(form: Questionnaire, lang: str) -> pd.DataFrame:
    """Return the form's answered questions: name, label in lang, type, "code = label; …"."""
    _ = translator(lang)
    out = []
    for q in form.questions():
        if not q.answered:
            continue
        choices = form.choice_lists.get(q.choices or "", ())
        codes = "; ".join(f"{c.name} = {c.label.get(lang)}" for c in choices)
        out.append((q.name, q.label.get(lang), q.type, codes))
    return pd.DataFrame(out, columns=[_(c) for c in QUESTION_COLUMNS])


def write_xlsx(
    frame: pd.DataFrame, target: Path | IO[bytes], *, form: Questionnaire, lang: str
) -> None:
    """Write a workbook: the responses (sheet "réponses" / "responses") and "questions".

    Every text is written as text, never as a formula, and texts that a spreadsheet would run
    as formulas once edited get a leading ' as in the CSV. XlsxWriter writes row by row in
    constant memory: 50,000 responses take seconds, where openpyxl took a minute.
    """
    import xlsxwriter

    options = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }
    book = xlsxwriter.Workbook(target, options)
    try:
        for name, table in (
            (SHEET.get(lang, SHEET["fr"]), _safe_frame(frame)),
            ("questions", questions_table(form, lang)),
        ):
            _write_sheet(book.add_worksheet(name), table)
    finally:
        book.close()


def _write_sheet(sheet: Any, table: pd.DataFrame) -> None:
    """Write table with its header row frozen and columns as wide as their first 50 cells."""
    header = [str(c) for c in table.columns]
    sheet.freeze_panes(1, 0)
    columns = [table[c].tolist() for c in table.columns]
    for j, (title, values) in enumerate(zip(header, columns, strict=True)):
        width = max([len(title)] + [len(str(v)) for v in values[:49] if not _blank(v)])
        sheet.set_column(j, j, min(max(width, 8), 60))
    sheet.write_row(0, 0, header)
    for i, row in enumerate(zip(*columns, strict=True), start=1):
        for j, value in enumerate(row):
            if _blank(value):
                continue
            if isinstance(value, numbers.Real) and not isinstance(value, bool):
                sheet.write_number(i, j, value)
            else:
                sheet.write_string(i, j, str(value))


def _blank(value: Any) -> bool:
    """Return whether value leaves its cell empty (None, NaN, "")."""
    if value is None or value is pd.NA:
        return True
    return (isinstance(value, str) and value == "") or (
        isinstance(value, float) and math.isnan(value)
    )
