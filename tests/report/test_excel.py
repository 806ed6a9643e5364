"""The Excel workbook: a Notes sheet, one sheet per table, numbers as numbers, "x" where hidden."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.report.sample import sample_report
from urbansafety.i18n import translator
from urbansafety.report import labels
from urbansafety.report.excel import sheet_name, write_workbook


@pytest.fixture(params=["fr", "en"])
def workbook(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    lang = request.param
    path = write_workbook(sample_report(lang), tmp_path / f"report-{lang}.xlsx")
    return lang, load_workbook(path)


def test_one_sheet_per_table_after_the_notes(workbook) -> None:  # type: ignore[no-untyped-def]
    lang, book = workbook
    report = sample_report(lang)
    assert book.sheetnames[0] == translator(lang)(labels.NOTES_SHEET)
    assert len(book.sheetnames) == 1 + len(report.tables) == 6
    assert all(len(name) <= 31 for name in book.sheetnames)
    assert len({n.casefold() for n in book.sheetnames}) == len(book.sheetnames)
    for name, table in zip(book.sheetnames[1:], report.tables, strict=True):
        sheet = book[name]
        assert sheet["A1"].value == table.title and sheet["A1"].font.bold
        head = table.header_column
        order = [head] + [c for c in table.columns if c != head]
        assert [c.value for c in sheet[3]][: len(order)] == [table.label(c) for c in order]
        assert sheet.freeze_panes == "B4"


def test_numbers_are_numbers_with_excel_formats(workbook) -> None:  # type: ignore[no-untyped-def]
    _lang, book = workbook
    summary = book[book.sheetnames[2]]
    assert summary["B4"].value == 3388 and summary["B4"].number_format == "#,##0"
    assert summary["C4"].value == pytest.approx(3388 / 103.456)
    assert summary["C4"].number_format == "#,##0.0"
    assert summary["D5"].number_format == "+#,##0.0%;-#,##0.0%;#,##0.0%"
    assert summary["E5"].value == pytest.approx(11987 / 15375)
    years = book[book.sheetnames[1]]
    assert [years.cell(row=r, column=1).value for r in range(4, 10)] == list(range(2019, 2025))


def test_suppressed_cells_are_x_with_a_footnote_and_no_value(workbook) -> None:  # type: ignore[no-untyped-def]
    lang, book = workbook
    _ = translator(lang)
    ranking = book[book.sheetnames[4]]
    rows = list(ranking.iter_rows(min_row=4, values_only=True))
    hidden = next(r for r in rows if r[0] == "Île-des-Sœurs")
    assert hidden[1:3] == ("x", "x")
    values = [v for r in rows for v in r if v is not None]
    assert 3 not in values and 1.4 not in values
    texts = [str(v) for v in values]
    assert f"x  {_(labels.SUPPRESSED_NOTE)}" in texts
    assert sample_report(lang).tables[3].note in texts
    # No footnote where nothing is hidden.
    summary = book[book.sheetnames[2]]
    assert not any(
        "x  " in str(v) for r in summary.iter_rows(values_only=True) for v in r if v is not None
    )


def test_notes_sheet_holds_contents_method_notes_and_sources(workbook) -> None:  # type: ignore[no-untyped-def]
    lang, book = workbook
    _ = translator(lang)
    report = sample_report(lang)
    notes = book[book.sheetnames[0]]
    texts = [str(v) for r in notes.iter_rows(values_only=True) for v in r if v is not None]
    assert texts[0] == report.title
    for heading in (
        labels.TABLE_OF_CONTENTS,
        labels.METHOD_NOTE,
        labels.DEFINITIONS,
        labels.FORMULAS,
        labels.REFERENCES,
        labels.SOURCES,
    ):
        assert _(heading) in texts
    method = report.sections[0].method
    assert method is not None
    for paragraph in method.paragraphs:
        assert paragraph in texts
    assert method.formulas[0] in texts and method.references[0] in texts
    assert report.sources[0].url in texts
    links = [
        c.hyperlink.location
        for r in notes.iter_rows()
        for c in r
        if c.hyperlink and c.hyperlink.location
    ]
    assert len(links) == len(report.tables)
    assert links[0] == f"'{book.sheetnames[1]}'!A1"
    assert (
        _(labels.GENERATED_ON) % {"date": "1er mars 2025" if lang == "fr" else "March 1, 2025"}
    ) in texts


def test_sheet_names_are_valid_short_and_unique() -> None:
    taken: set[str] = set()
    names = []
    for title in ["Incidents par année: 2019/2024 [total]"] * 3 + [
        "'Quoted'",
        "incidents par année  2019 2024  total",
    ]:
        name = sheet_name(title, taken)
        taken.add(name.casefold())
        names.append(name)
    assert names[0] == "Incidents par année 2019 2024"  # cut between words
    assert all(len(n) <= 31 for n in names)
    assert not any(c in n for n in names for c in "[]:*?/\\")
    assert names[1].endswith(" (2)") and names[2].endswith(" (3)")
    assert names[3] == "Quoted"
    assert names[4] == "incidents par année 2019 (4)"
    assert len({n.casefold() for n in names}) == len(names)
