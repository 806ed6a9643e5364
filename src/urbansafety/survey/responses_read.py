"""Read a CSV of collected responses (KoboToolbox, LimeSurvey or ours) into checked responses.

Every row goes through :func:`~urbansafety.survey.answers.clean_answers`, as the form would
check it on a phone: a row with any error is rejected whole, one :class:`Reject` per error,
naming the row as a spreadsheet shows it (the header is row 1) and the file's column.

>>> result = read_responses_csv(form, data, filename="kobo.csv")   # doctest: +SKIP
>>> result.source, result.rows_read, len(result.accepted), len(result.rejects)  # doctest: +SKIP
('kobo', 512, 505, 9)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from urbansafety.errors import InputError, Where
from urbansafety.i18n import N_
from urbansafety.ingest.csvfile import sniff_delimiter
from urbansafety.ingest.textfile import decode
from urbansafety.survey.answers import Territories, clean_answers
from urbansafety.survey.model import Questionnaire
from urbansafety.survey.responses import StoredResponse
from urbansafety.survey.responses_columns import (
    SOURCES,
    ChoiceCodes,
    Column,
    Layout,
    detect_source,
    flag,
    layout_for,
    raw_value,
)

REASON_FIELDS = N_("wrong number of fields")
REASON_NO_ID = N_("missing response id")
REASON_DUPLICATE = N_("duplicate response id (same answers as an earlier row)")
REASON_ID_CONFLICT = N_("response id repeated with different answers")
REASON_TIME = N_("bad submission date and time")
REASON_FLAG = N_("a choice column must hold 1 or 0 (Y or empty)")
REASON_DISAGREE = N_("the choice columns disagree with the answer column")
# AnswerError code → short reason, to count rejected rows by reason in the import summary.
SUMMARY = {
    "required": N_("required answer missing"),
    "integer": N_("not a whole number"),
    "decimal": N_("not a number"),
    "date": N_("bad date"),
    "postal_code": N_("invalid postal code"),
    "choice": N_("answer not among the choices"),
    "text": N_("text expected"),
    "length": N_("text too long"),
    "minimum": N_("number below the minimum"),
    "maximum": N_("number above the maximum"),
    "constraint": N_("answer refused by a constraint"),
}
_MAX_VALUE = 200  # characters of a cell kept in a reject


@dataclass(frozen=True)
class Reject:
    """One reason a row was refused: row (header = 1), the file's column, raw text, message.

    ``reason`` is the English message; ``kind`` a short English msgid shared by every row
    refused for the same reason (what the import summary counts).
    """

    row: int
    column: str
    value: str
    reason: str
    kind: str = ""


@dataclass
class ReadResult:
    """What a file held: its layout, rows read, responses accepted and rows refused."""

    source: str
    rows_read: int
    accepted: list[StoredResponse]
    rejects: list[Reject]
    unknown_columns: list[str] = field(default_factory=list)
    encoding: str = "utf-8"

    @property
    def rows_rejected(self) -> int:
        """Return the number of rows refused (a row with several errors counts once)."""
        return len({r.row for r in self.rejects})


def parse_csv(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    """Return (headers, [(row as a spreadsheet numbers it, fields)], encoding) of a CSV file.

    UTF-8 with or without BOM, else Windows-1252; separator ``;``, ``,`` or tab, from the
    header line. Blank rows are left out but keep their number.
    """
    raw, encoding = decode(data, filename)
    text = raw.decode("utf-8")
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    try:
        records = list(reader)
    except csv.Error as exc:
        raise InputError(
            N_("The file is not a readable CSV table: %(error)s"),
            hint=N_("Export the responses again as CSV, without editing them by hand."),
            where=Where(file=filename, row=reader.line_num),
            params={"error": str(exc)},
        ) from exc
    if not records or not any(cell.strip() for cell in records[0]):
        raise InputError(
            N_("The file is empty or has no header row."),
            hint=N_("Export the responses as CSV with the column names on the first row."),
            where=Where(file=filename),
        )
    headers = [h.strip() for h in records[0]]
    rows = [(i + 2, r) for i, r in enumerate(records[1:]) if any(c.strip() for c in r)]
    return headers, rows, encoding


def _layout(form: Questionnaire, headers: Sequence[str], source: str, filename: str) -> Layout:
    found = detect_source(headers) if source == "auto" else source
    shown = ", ".join(headers[:12]) + (" …" if len(headers) > 12 else "")
    if found not in SOURCES:
        raise InputError(
            N_("Unknown layout of survey responses; columns found: %(headers)s."),
            hint=N_(
                "Give a KoboToolbox CSV export (with _uuid), a LimeSurvey CSV export with question "
                "codes (id, submitdate…) or an urbansafety export (response_id, submitted_at), "
                "or name the layout with --source kobo|limesurvey|urbansafety."
            ),
            where=Where(file=filename),
            params={"headers": shown},
        )
    layout = layout_for(form, headers, found)
    if layout.id_column is None:
        raise InputError(
            N_("No response id column in this %(source)s file; columns found: %(headers)s."),
            hint=N_(
                "Keep the id column when exporting: _uuid (KoboToolbox), id (LimeSurvey), "
                "response_id (urbansafety)."
            ),
            where=Where(file=filename),
            params={"source": found, "headers": shown},
        )
    if not layout.columns:
        raise InputError(
            N_("No column of this file answers a question of the form %(form)s."),
            hint=N_("Check that the file holds responses to this questionnaire (--form)."),
            where=Where(file=filename),
            params={"form": form.id},
        )
    return layout


def _time(text: str) -> dt.datetime | None:
    """Return a submission time (UTC when the text has an offset); raise ValueError if bad."""
    text = text.strip()
    if not text:
        return None
    when = dt.datetime.fromisoformat(text)
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when


def _language(text: str) -> str | None:
    code = text.strip().lower()[:2]
    return code if code in ("fr", "en") else None


def _short(text: str) -> str:
    return text if len(text) <= _MAX_VALUE else text[:_MAX_VALUE] + "…"


def read_responses_csv(
    form: Questionnaire,
    data: bytes,
    *,
    filename: str,
    source: str = "auto",
    territories: Territories | None = None,
) -> ReadResult:
    """Return the responses of a CSV export checked against form, and the rows refused.

    ``source`` is ``auto`` (from the headers), ``kobo``, ``limesurvey`` or ``urbansafety``;
    ``territories`` checks neighbourhood answers (unchecked when None). Raises InputError
    when the file is not a table of responses to this form.
    """
    if source != "auto" and source not in SOURCES:
        raise InputError(
            N_("Unknown source %(source)s."),
            hint=N_("Use auto, kobo, limesurvey or urbansafety."),
            params={"source": source},
        )
    headers, rows, encoding = parse_csv(data, filename)
    layout = _layout(form, headers, source, filename)
    codes = ChoiceCodes(form, territories)
    result = ReadResult(layout.source, len(rows), [], [], list(layout.unknown), encoding)
    skip, conflicts = _repeated_ids(layout, headers, rows, result.rejects)
    for row, fields in rows:
        if row in skip:
            continue
        if len(fields) != len(headers):
            value = _short(",".join(fields))
            result.rejects.append(Reject(row, "", value, REASON_FIELDS, REASON_FIELDS))
            continue
        response, problems = _read_row(form, layout, headers, row, fields, codes, territories)
        if problems:
            result.rejects.extend(problems)
        elif response is not None and row not in conflicts:
            result.accepted.append(response)
    result.rejects.sort(key=lambda r: r.row)
    return result


def _response_id(layout: Layout, fields: Sequence[str]) -> str:
    text = fields[layout.id_column].strip() if layout.id_column is not None else ""
    return text.removeprefix("uuid:")  # KoboToolbox's meta/instanceID


def _repeated_ids(
    layout: Layout, headers: Sequence[str], rows: list[tuple[int, list[str]]], out: list[Reject]
) -> tuple[set[int], set[int]]:
    """Reject rows whose id is repeated; return (duplicates to skip, conflicts to check still).

    Repeats with the same answers keep the first sent (a form sent twice); repeats with different
    answers are all refused, since nothing says which one is right — so row order never matters.
    """
    seen: dict[str, list[tuple[int, list[str]]]] = {}
    for row, fields in rows:
        if len(fields) == len(headers) and (rid := _response_id(layout, fields)):
            seen.setdefault(rid, []).append((row, fields))
    column = headers[layout.id_column] if layout.id_column is not None else ""
    skip: set[int] = set()
    conflicts: set[int] = set()
    for rid, group in seen.items():
        if len(group) < 2:
            continue
        # Only answers count: a form sent twice gets a new _id, _index and submission time.
        contents = {tuple(fields[c.index].strip() for c in layout.columns) for _, fields in group}
        if (t := layout.time_column) is not None:  # keep the first sent, whatever the row order
            group = sorted(group, key=lambda g: (g[1][t].strip(), g[0]))
        refused = group[1:] if len(contents) == 1 else group
        reason = REASON_DUPLICATE if len(contents) == 1 else REASON_ID_CONFLICT
        for row, _ in refused:
            out.append(Reject(row, column, rid, reason, reason))
            (skip if len(contents) == 1 else conflicts).add(row)
    return skip, conflicts


def _read_row(
    form: Questionnaire,
    layout: Layout,
    headers: Sequence[str],
    row: int,
    fields: Sequence[str],
    codes: ChoiceCodes,
    territories: Territories | None,
) -> tuple[StoredResponse | None, list[Reject]]:
    problems: list[Reject] = []

    def refuse(index: int | None, reason: str, kind: str = "", value: str | None = None) -> None:
        header = headers[index] if index is not None else ""
        text = fields[index] if (index is not None and value is None) else (value or "")
        problems.append(Reject(row, header, _short(text), reason, kind or reason))

    rid = _response_id(layout, fields)
    if not rid:
        refuse(layout.id_column, REASON_NO_ID)
    submitted = None
    if layout.time_column is not None:
        try:
            submitted = _time(fields[layout.time_column])
        except ValueError:
            refuse(layout.time_column, REASON_TIME)
    language = (
        _language(fields[layout.language_column]) if layout.language_column is not None else None
    )
    raw, origin = _answers(form, layout, fields, codes, refuse)
    cleaned = clean_answers(form, raw, territories=territories)
    for error in cleaned.errors:
        # A multiple choice read from one column per choice names each column it was read from.
        for header, text in origin.get(error.question, [(error.question, "")]):
            problems.append(
                Reject(row, header, _short(text), error.text("en"), SUMMARY.get(error.code, ""))
            )
    if problems:
        return None, problems
    return StoredResponse(rid, cleaned.values, submitted, language), []


def _answers(
    form: Questionnaire,
    layout: Layout,
    fields: Sequence[str],
    codes: ChoiceCodes,
    refuse: Callable[..., None],
) -> tuple[dict[str, object], dict[str, list[tuple[str, str]]]]:
    """Return (answers as clean_answers takes them, question → [(column, raw text)])."""
    raw: dict[str, object] = {}
    origin: dict[str, list[tuple[str, str]]] = {}
    flags: dict[str, list[tuple[Column, bool]]] = {}
    others: list[tuple[Column, str]] = []
    for col in layout.columns:
        text = fields[col.index]
        q = form.question(col.question)
        if col.other_text:
            others.append((col, text.strip()))
            continue
        if col.choice is not None:
            labels = _choice_labels(form, q.choices, col.choice)
            chosen = flag(text, col.choice, labels)
            if chosen is None:
                refuse(col.index, REASON_FLAG)
            elif text.strip():
                flags.setdefault(q.name, []).append((col, chosen))
            continue
        if q.name in origin and not text.strip():
            continue  # a repeated column left empty does not hide the one answered
        raw[q.name] = raw_value(q, text, codes)
        origin[q.name] = [(col.header, text)]
    for name, marks in flags.items():
        picked = [c.choice for c, on in marks if on and c.choice]
        if raw.get(name) is None:
            raw[name] = picked
            named = [(c.header, fields[c.index]) for c, on in marks if on] or [
                (c.header, fields[c.index]) for c, _ in marks
            ]
            origin[name] = named
            continue
        given = raw[name]
        main = set(given) if isinstance(given, list) else {given}
        wrong = [col for col, on in marks if on != (col.choice in main)]
        if wrong:  # name the answer column and every choice column that contradicts it
            refuse(headers_index(layout, origin[name][0][0]), REASON_DISAGREE)
            for col in wrong:
                refuse(col.index, REASON_DISAGREE)
    for col, text in others:
        _other(form, col, text, raw, origin)
    return raw, origin


def headers_index(layout: Layout, header: str) -> int | None:
    """Return the index of the answer column with this header."""
    return next((c.index for c in layout.columns if c.header == header), None)


def _choice_labels(form: Questionnaire, list_name: str | None, choice: str) -> tuple[str, ...]:
    for c in form.choice_lists.get(list_name or "", ()):
        if c.name == choice:
            return (c.label.fr, c.label.en)
    return ()


def _other(
    form: Questionnaire,
    col: Column,
    text: str,
    raw: dict[str, object],
    origin: dict[str, list[tuple[str, str]]],
) -> None:
    """LimeSurvey's "Other" text: choose the list's ``other`` and keep the text in its question."""
    chosen = flag(text, col.choice)
    if not text or chosen is False:
        return
    q = form.question(col.question)
    if col.choice is not None:
        if q.type == "select_multiple":
            given = raw.get(q.name)
            current = list(given) if isinstance(given, list) else ([given] if given else [])
            raw[q.name] = [*current, col.choice]
        else:
            raw[q.name] = col.choice
        origin.setdefault(q.name, []).append((col.header, text))
    if chosen:
        return
    follow = f"selected(${{{q.name}}}, '{col.choice}')"
    for other in form.questions():
        if other.type == "text" and follow in other.relevant.replace('"', "'"):
            if raw.get(other.name) is None:  # the text question's own column wins if answered
                raw[other.name] = text
                origin[other.name] = [(col.header, text)]
            return
