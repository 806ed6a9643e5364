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

    Texts that would be formulas are written with a leading ' (openpyxl stores "=…" as one).
    """
    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        _safe_frame(frame).to_excel(writer, sheet_name=SHEET.get(lang, SHEET["fr"]), index=False)
        questions_table(form, lang).to_excel(writer, sheet_name="questions", index=False)
        for sheet in writer.sheets.values():
            sheet.freeze_panes = "A2"
            for column in sheet.columns:
                width = max(len(str(c.value or "")) for c in column[:50])
                sheet.column_dimensions[column[0].column_letter].width = min(max(width, 8), 60)
