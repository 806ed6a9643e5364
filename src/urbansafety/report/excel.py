"""Excel workbook of a report: a Notes sheet (contents, method notes, sources), one sheet per table.

Numbers stay numbers (Excel writes them in the reader's own locale); a suppressed cell holds
the text "x" and its table a footnote, so no suppressed value is in the file.
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from urbansafety.i18n import translator
from urbansafety.report import labels
from urbansafety.report.formatting import NOT_AVAILABLE, SUPPRESSED, format_cell, format_day
from urbansafety.report.model import Report
from urbansafety.report.model_table import NumberFormat, Table, is_missing

MAX_SHEET_NAME = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
TITLE_FONT = Font(bold=True, size=13)
BOLD = Font(bold=True)
NOTE_FONT = Font(italic=True, color="4A5360")
WRAP = Alignment(wrap_text=True, vertical="top")


def write_workbook(report: Report, path: str | Path) -> Path:
    """Write the report's tables to an .xlsx workbook at path and return the path."""
    _ = translator(report.lang)
    path = Path(path)
    book = Workbook()
    notes = book.active
    assert notes is not None  # a new workbook always has one sheet
    notes.title = sheet_name(_(labels.NOTES_SHEET), set())
    taken = {notes.title.casefold()}
    contents: list[tuple[str, str, str]] = []
    for section in report.sections:
        for table in section.tables:
            name = sheet_name(table.title, taken)
            taken.add(name.casefold())
            _write_table(book.create_sheet(name), table, report.lang)
            contents.append((name, table.title, section.title))
    _write_notes(notes, report, contents)
    book.save(path)
    return path


def sheet_name(title: str, taken: set[str]) -> str:
    """Return a valid sheet name for title: ≤ 31 characters, no []:*?/\\, not in taken."""
    base = _BAD_SHEET_CHARS.sub(" ", title)
    base = re.sub(r"\s+", " ", base).strip().strip("'") or "Sheet"
    name = _shorten(base, MAX_SHEET_NAME)
    n = 1
    # Excel compares sheet names without regard to case.
    while name.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        name = _shorten(base, MAX_SHEET_NAME - len(suffix)) + suffix
    return name


def _shorten(text: str, limit: int) -> str:
    """Return text cut to limit characters, at a word boundary when one is not too far back."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if text[limit] != " " and " " in cut and cut.rindex(" ") >= limit // 2:
        cut = cut[: cut.rindex(" ")]
    # A cut title should not end on "de", "et", "by", "the"…: drop short trailing words.
    words = cut.rstrip(" ,;.-–").split(" ")
    while len(words) > 1 and len(words[-1]) <= 3 and len(" ".join(words[:-1])) >= limit // 2:
        words.pop()
    return " ".join(words).rstrip(" ,;.-–")


def excel_format(fmt: NumberFormat) -> str:
    """Return the Excel number format of fmt (Excel shows separators in the reader's locale)."""
    body = "#,##0" + ("." + "0" * fmt.decimals if fmt.decimals else "")
    if fmt.kind == "percent":
        body += "%"
    if fmt.signed:
        return f"+{body};-{body};{body}"
    return body


def _write_table(sheet: Worksheet, table: Table, lang: str) -> None:
    _ = translator(lang)
    head = table.header_column
    columns = [head] + [c for c in table.columns if c != head]
    sheet.cell(row=1, column=1, value=table.title).font = TITLE_FONT
    header_row = 3
    for j, col in enumerate(columns, start=1):
        cell = sheet.cell(row=header_row, column=j, value=table.label(col))
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    mask = table.mask()
    published = table.published()
    has_missing = False
    hidden = {c: mask[c].to_numpy(dtype=bool) for c in columns}
    values = {c: published[c].to_list() for c in columns}
    for i in range(len(published)):
        row = header_row + 1 + i
        for j, col in enumerate(columns, start=1):
            cell = sheet.cell(row=row, column=j)
            fmt = table.formats.get(col)
            if hidden[col][i]:
                cell.value = SUPPRESSED
                cell.alignment = Alignment(horizontal="right")
                continue
            value = values[col][i]
            if is_missing(value):
                has_missing = True
                cell.value = NOT_AVAILABLE
                cell.alignment = Alignment(horizontal="right")
            elif fmt is not None and not isinstance(value, str):
                cell.value = float(value)
                cell.number_format = excel_format(fmt)
            else:
                cell.value = _plain(value, lang)
    row = header_row + len(published) + 2
    footnotes = []
    if table.has_suppressed:
        footnotes.append(f"{SUPPRESSED}  {_(labels.SUPPRESSED_NOTE)}")
    if has_missing:
        footnotes.append(f"{NOT_AVAILABLE}  {_(labels.NOT_AVAILABLE_NOTE)}")
    if table.note:
        footnotes.append(table.note)
    for text in footnotes:
        sheet.cell(row=row, column=1, value=text).font = NOTE_FONT
        row += 1
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    for j, col in enumerate(columns, start=1):
        texts = [table.label(col)] + [
            format_cell(v, table.formats.get(col), lang) for v in published[col].tolist()
        ]
        width = max(len(t) for t in texts)
        sheet.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 50)


def _plain(value: object, lang: str) -> object:
    """Return a label cell's value as Excel should hold it (numbers as numbers)."""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return value
    try:
        return value.item()  # type: ignore[attr-defined]  # numpy scalar
    except AttributeError:
        return format_cell(value, None, lang)


def _write_notes(sheet: Worksheet, report: Report, contents: list[tuple[str, str, str]]) -> None:
    _ = translator(report.lang)
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 90
    sheet.column_dimensions["C"].width = 40
    sheet.cell(row=1, column=1, value=report.title).font = TITLE_FONT
    row = 2
    if report.subtitle:
        sheet.cell(row=row, column=1, value=report.subtitle)
        row += 1
    row += 1
    facts = [(_(labels.TERRITORY), report.territory), (_(labels.PERIOD), report.period)]
    for label, value in facts:
        if value:
            sheet.cell(row=row, column=1, value=label).font = BOLD
            sheet.cell(row=row, column=2, value=value)
            row += 1
    generated = _(labels.GENERATED_ON) % {"date": format_day(report.generated_at, report.lang)}
    sheet.cell(row=row, column=1, value=generated)
    row += 2

    sheet.cell(row=row, column=1, value=_(labels.TABLE_OF_CONTENTS)).font = TITLE_FONT
    row += 1
    for j, header in enumerate((labels.SHEET, labels.TABLE, labels.SECTION), start=1):
        sheet.cell(row=row, column=j, value=_(header)).font = BOLD
    row += 1
    for name, title, section_title in contents:
        link = sheet.cell(row=row, column=1, value=name)
        quoted = name.replace("'", "''")
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{quoted}'!A1")
        link.style = "Hyperlink"
        sheet.cell(row=row, column=2, value=title).alignment = WRAP
        sheet.cell(row=row, column=3, value=section_title).alignment = WRAP
        row += 1
    row += 1

    for section in report.sections:
        if section.method is None:
            continue
        method = section.method
        sheet.cell(row=row, column=1, value=section.title).font = TITLE_FONT
        row += 1
        rows = [(_(labels.METHOD_NOTE), p) for p in method.paragraphs]
        rows += [(_(labels.DEFINITIONS), f"{term} — {text}") for term, text in method.definitions]
        rows += [(_(labels.FORMULAS), f) for f in method.formulas]
        rows += [(_(labels.SOURCES), s) for s in method.sources]
        rows += [(_(labels.REFERENCES), r) for r in method.references]
        previous = ""
        for label, text in rows:
            if label != previous:
                sheet.cell(row=row, column=1, value=label).font = BOLD
                previous = label
            sheet.cell(row=row, column=2, value=text).alignment = WRAP
            row += 1
        row += 1

    if report.sources:
        sheet.cell(row=row, column=1, value=_(labels.SOURCES)).font = TITLE_FONT
        row += 1
        for source in report.sources:
            text = ". ".join(p for p in (source.publisher, source.title, source.note) if p)
            sheet.cell(row=row, column=1, value=source.publisher or source.title).font = BOLD
            sheet.cell(row=row, column=2, value=text).alignment = WRAP
            if source.url:
                url = sheet.cell(row=row, column=3, value=source.url)
                url.hyperlink = source.url
                url.style = "Hyperlink"
            row += 1
