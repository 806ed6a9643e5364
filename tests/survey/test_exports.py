"""Exports of stored responses: the table, CSV for Excel, the workbook, and the round trip."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from urbansafety.survey.exports import (
    LABEL_SEPARATOR,
    export_table,
    questions_table,
    stored_rows,
    write_csv,
    write_xlsx,
)
from urbansafety.survey.forms import template_path
from urbansafety.survey.model import Questionnaire
from urbansafety.survey.responses_import import import_responses
from urbansafety.survey.responses_read import read_responses_csv
from urbansafety.survey.xlsform import read_xlsform
from urbansafety.workspace import Workspace

DATA = Path(__file__).resolve().parent / "data"
TERRITORIES = {"neighbourhood": [(f"Q{i:02d}", f"Quartier {i}") for i in range(1, 11)]}
ROWS = [
    {"response_id": "r2", "submitted_at": dt.datetime(2025, 5, 6, 14, 22, 9), "language": "fr",
     "source": "web", "answers": {"consent": "yes", "age_group": "age_65_74",
                                  "safe_dark": "bit_unsafe", "avoid_places": ["parks", "transit"],
                                  "household_size": 3, "gender": "woman", "neighbourhood": "Q02",
                                  "postal_code": "G7A"}},
    {"response_id": "r1", "submitted_at": None, "language": "en", "source": "web",
     "answers": {"consent": "no"}},
]  # fmt: skip


@pytest.fixture(scope="module")
def form() -> Questionnaire:
    return read_xlsform(template_path("safety"))


def test_codes_one_column_per_answered_question_in_form_order(form: Questionnaire) -> None:
    frame = export_table(form, ROWS, labels=False, lang="fr")
    assert list(frame.columns) == [
        "response_id", "submitted_at", "language", "source", "consent", "age_group", "safe_dark",
        "avoid_places", "gender", "neighbourhood", "postal_code", "household_size",
    ]  # fmt: skip
    first = frame.iloc[0]
    assert first["avoid_places"] == "parks transit"
    assert first["household_size"] == 3 and first["submitted_at"] == "2025-05-06T14:22:09"
    assert frame.iloc[1]["safe_dark"] is None
    assert frame["household_size"].dtype == object  # 3 stays 3, never 3.0


def test_labels_in_each_language(form: Questionnaire) -> None:
    fr = export_table(form, ROWS, labels=True, lang="fr", territories=TERRITORIES).iloc[0]
    en = export_table(form, ROWS, labels=True, lang="en", territories=TERRITORIES).iloc[0]
    assert fr["safe_dark"] == "Un peu en insécurité" and en["safe_dark"] == "A bit unsafe"
    assert en["avoid_places"] == LABEL_SEPARATOR.join(
        ["Parks or green spaces", "Bus stops or metro or train stations"]
    )
    assert fr["neighbourhood"] == "Quartier 2" and en["gender"] == "Woman"
    assert fr["postal_code"] == "G7A" and fr["household_size"] == 3


def test_csv_has_a_bom_and_the_workbook_two_sheets(form: Questionnaire, tmp_path: Path) -> None:
    frame = export_table(form, ROWS, labels=True, lang="fr")
    write_csv(frame, tmp_path / "r.csv")
    data = (tmp_path / "r.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfresponse_id,submitted_at,")
    assert "Un peu en insécurité".encode() in data
    buffer = io.BytesIO()
    write_csv(frame, buffer)
    assert buffer.getvalue() == data
    for lang, sheet in (("fr", "réponses"), ("en", "responses")):
        target = tmp_path / f"r_{lang}.xlsx"
        write_xlsx(export_table(form, ROWS, labels=False, lang=lang), target, form=form, lang=lang)
        book = openpyxl.load_workbook(target)
        assert book.sheetnames == [sheet, "questions"]
        assert [c.value for c in book[sheet][1]][:5] == [
            "response_id", "submitted_at", "language", "source", "consent",
        ]  # fmt: skip
        questions = list(book["questions"].iter_rows(values_only=True))
        assert len(questions) - 1 == len(questions_table(form, lang))
        safe_dark = next(r for r in questions if r[0] == "safe_dark")
        assert safe_dark[2] == "select_one"
        assert ("very_safe = Très en sécurité" if lang == "fr" else "very_safe = Very safe") in (
            safe_dark[3]
        )
    header = next(openpyxl.load_workbook(tmp_path / "r_fr.xlsx")["questions"].iter_rows())
    assert [c.value for c in header] == [
        "nom de la question", "libellé de la question", "type de question", "codes et libellés",
    ]  # fmt: skip


@pytest.mark.parametrize("labels", [False, True])
def test_round_trip_through_the_reader(
    form: Questionnaire, workspace: Workspace, tmp_path: Path, labels: bool
) -> None:
    import_responses(workspace, form, DATA / "kobo_safety_values.csv", survey="safety")
    rows = stored_rows(workspace, "safety")
    frame = export_table(form, rows, labels=labels, lang="en", territories=TERRITORIES)
    write_csv(frame, tmp_path / "export.csv")
    back = read_responses_csv(
        form, (tmp_path / "export.csv").read_bytes(), filename="export.csv", territories=TERRITORIES
    )
    assert back.source == "urbansafety" and back.rejects == [] and back.unknown_columns == []
    original = read_responses_csv(
        form, (DATA / "kobo_safety_values.csv").read_bytes(), filename="k.csv"
    )
    assert {r.response_id: (dict(r.answers), r.submitted_at) for r in back.accepted} == {
        r.response_id: (dict(r.answers), r.submitted_at) for r in original.accepted
    }


def test_stored_rows_of_an_unknown_survey_is_an_error(workspace: Workspace) -> None:
    from urbansafety.errors import InputError

    with pytest.raises(InputError):
        stored_rows(workspace, "safety")


def test_free_text_that_looks_like_a_formula_stays_text(
    form: Questionnaire, tmp_path: Path
) -> None:
    # A resident's comment must never run as a formula when an analyst opens the export.
    rows = [dict(ROWS[0], answers={**ROWS[0]["answers"], "comments": '=HYPERLINK("http://x")'})]
    frame = export_table(form, rows, labels=False, lang="en")
    write_csv(frame, tmp_path / "r.csv")
    assert "'=HYPERLINK(" in (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    write_xlsx(frame, tmp_path / "r.xlsx", form=form, lang="en")
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["responses"]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("comments") + 1)
    assert cell.data_type == "s" and cell.value == '\'=HYPERLINK("http://x")'
    assert sheet.cell(row=2, column=header.index("household_size") + 1).value == 3


def test_the_workbook_reads_back_like_the_table(form: Questionnaire, tmp_path: Path) -> None:
    # Each cell holds what the table holds: numbers as numbers, texts as texts, nothing where an
    # answer is missing; the header row is frozen and columns are sized to their content.
    frame = export_table(form, ROWS, labels=True, lang="fr")
    write_xlsx(frame, tmp_path / "r.xlsx", form=form, lang="fr")
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["réponses"]
    assert sheet.freeze_panes == "A2"
    read = list(sheet.iter_rows(values_only=True))
    assert list(read[0]) == list(frame.columns)
    expected = [
        [None if v is None or v == "" else v for v in row] for row in frame.itertuples(index=False)
    ]
    assert [list(r) for r in read[1:]] == expected
    # Neighbouring columns of one width are stored as one range (min..max).
    widths = {j: d.width for d in sheet.column_dimensions.values() for j in range(d.min, d.max + 1)}
    for j, column in enumerate(frame.columns, start=1):
        width = widths[j]
        longest = max(len(str(v)) for v in [column, *frame[column].dropna()])
        # XlsxWriter stores the width in characters plus the cell padding (< 1 character).
        assert min(max(longest, 8), 60) <= width < min(max(longest, 8), 60) + 1, column
