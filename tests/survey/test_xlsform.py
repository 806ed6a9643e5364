"""XLSForm import and export: a KoboToolbox export reads, round trips, and refusals are located."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from pyxform.xls2xform import convert

from urbansafety.errors import InputError
from urbansafety.survey import choices_for, clean_answers
from urbansafety.survey.model import Choice, Question, Questionnaire, Section, Text
from urbansafety.survey.xlsform import read_xlsform
from urbansafety.survey.xlsform_bounds import split_bounds
from urbansafety.survey.xlsform_check import XLSFormError
from urbansafety.survey.xlsform_write import join_bounds, write_xlsform

DATA = Path(__file__).resolve().parent / "data"
KOBO = DATA / "kobo_export.xlsx"
SHORT = DATA / "short_languages.xlsx"
FR, EN = "Français (fr)", "English (en)"


def test_kobo_export_imports() -> None:
    form = read_xlsform(KOBO)
    assert (form.id, form.version, form.default_language) == (
        "securite_quartier",
        "vQm4Kp8bT2sWcYx7",
        "fr",
    )
    assert form.title == Text("Sécurité dans mon quartier", "")
    assert [s.name for s in form.sections] == ["profil", "securite", ""]
    names = [q.name for q in form.questions()]
    assert "start" not in names and "end" not in names  # metadata rows are not questions
    assert names[:3] == ["consentement", "age", "arrondissement"]
    age = form.question("age")
    assert (age.type, age.minimum, age.maximum, age.constraint) == ("integer", 15, 110, "")
    assert age.constraint_message == Text("Entre 15 et 110 ans.", "Between 15 and 110 years.")
    assert age.hint == Text("En années.", "In years.")
    assert age.relevant == "${consentement} = 'oui'"
    assert form.question("consentement").required and not age.required
    borough = form.question("arrondissement")
    assert (borough.type, borough.layer, borough.appearance) == (
        "neighbourhood",
        "arrondissement",
        "minimal",
    )
    postal = form.question("code_postal")
    assert postal.type == "postal_code" and postal.appearance == ""
    assert form.question("securite_nuit").likert
    assert form.sections[1].matrix and form.sections[1].label.get("en") == "How safe you feel"
    assert form.question("heures_dehors").maximum == 24
    assert form.question("n_lieux").calculation == "count-selected(${lieux_evites})"
    # Kobo's $kuid / $autovalue columns are dropped; real extra columns are kept for filters.
    assert form.choice_lists["quartier"][0].filter == {"arrondissement": "PMR"}
    assert form.choice_lists["oui_non"][0] == Choice("oui", Text("Oui", "Yes"))


def test_kobo_form_collects_answers() -> None:
    form = read_xlsform(KOBO)
    territories = {"arrondissement": [("PMR", "Le Plateau-Mont-Royal"), ("VER", "Verdun")]}
    offered = choices_for(form, form.question("arrondissement"), {}, territories=territories)
    assert [c.name for c in offered] == ["PMR", "VER", "autre"]
    assert [
        c.name for c in choices_for(form, form.question("quartier"), {"arrondissement": "VER"})
    ] == [
        "verdun_centre",
        "ile_des_soeurs",
    ]
    answers = {
        "consentement": "oui",
        "age": "41",
        "arrondissement": "VER",
        "quartier": "ile_des_soeurs",
        "code_postal": "h3e 1a1",
        "securite_nuit": "assez_securite",
        "lieux_evites": "parcs autre",
        "lieux_autre": "La piste cyclable",
        "heures_dehors": "2,5",
        "date_incident": "2026-01-15",
    }
    result = clean_answers(form, answers, territories=territories, today=date(2026, 11, 23))
    assert result.errors == ()
    assert result.values["code_postal"] == "H3E"
    assert result.values["n_lieux"] == "2"
    assert result.values["heures_dehors"] == 2.5
    refused = clean_answers(form, {**answers, "age": "12"}, territories=territories)
    assert [(e.question, e.code) for e in refused.errors] == [("age", "minimum")]
    assert refused.errors[0].text("fr") == "Entre 15 et 110 ans."


def test_short_language_columns_and_default_label() -> None:
    form = read_xlsform(SHORT)
    ok = form.question("ok")
    assert ok.label == Text("Ça va?", "All right?")  # plain label = default language (fr)
    assert ok.hint == Text("Répondez franchement.", "")
    assert ok.required and not form.question("why").required
    assert form.choice_lists["yn"][1] == Choice("n", Text("Non", "No"))


@pytest.mark.parametrize("source", [KOBO, SHORT])
def test_round_trip(source: Path, tmp_path: Path) -> None:
    form = read_xlsform(source)
    out = tmp_path / "out.xlsx"
    write_xlsform(form, out)
    assert read_xlsform(out) == form
    convert(str(out))  # pyxform builds the XForm KoboToolbox would deploy


def test_round_trip_of_a_form_built_in_code(tmp_path: Path) -> None:
    form = Questionnaire(
        "built",
        "2",
        Text("Titre", "Title"),
        "en",
        (
            Section(
                "",
                questions=(
                    Question(
                        "n",
                        "integer",
                        Text("N", "N"),
                        minimum=-3,
                        maximum=7.5,
                        constraint=". != 4 or ${t} = 'x'",
                    ),
                ),
            ),
            Section(
                "g",
                Text("Groupe", "Group"),
                (
                    Question(
                        "t",
                        "text",
                        Text("T", "T"),
                        required=True,
                        required_message=Text("Requis", "Required"),
                    ),
                    Question("cp", "postal_code", Text("CP", "PC"), appearance="w10"),
                    Question("b", "neighbourhood", Text("B", "B"), layer="borough"),
                ),
                relevant="${n} > 0",
                appearance="field-list",
            ),
        ),
        {"territory_borough": (Choice("other", Text("Autre", "Other")),)},
    )
    out = tmp_path / "built.xlsx"
    write_xlsform(form, out)
    again = read_xlsform(out)
    assert again == replace_choices(form)
    survey = list(load_workbook(out)["survey"].iter_rows(values_only=True))
    header = survey[0]
    row = dict(zip(header, survey[1], strict=True))
    assert row["constraint"] == ". >= -3 and . <= 7.5 and (. != 4 or ${t} = 'x')"
    cp = dict(zip(header, survey[4], strict=True))
    assert (cp["type"], cp["appearance"]) == ("text", "w10 postal-code")
    convert(str(out))


def replace_choices(form: Questionnaire) -> Questionnaire:
    # A neighbourhood question written without a list name reads back with territory_<layer>.
    sections = []
    for s in form.sections:
        qs = tuple(
            Question(**{**q.__dict__, "choices": f"territory_{q.layer}"})
            if q.type == "neighbourhood"
            else q
            for q in s.questions
        )
        sections.append(Section(s.name, s.label, qs, s.relevant, s.appearance))
    return Questionnaire(
        form.id, form.version, form.title, form.default_language, tuple(sections), form.choice_lists
    )


def test_territories_are_written_in_front_of_the_list(tmp_path: Path) -> None:
    form = read_xlsform(KOBO)
    out = tmp_path / "deploy.xlsx"
    write_xlsform(
        form,
        out,
        territories={"arrondissement": [("PMR", "Plateau"), ("VER", Text("Verdun", "Verdun"))]},
    )
    rows = [
        r[:2] for r in load_workbook(out)["choices"].iter_rows(values_only=True)
        if r[0] == "territory_arrondissement"
    ]  # fmt: skip
    assert rows == [("territory_arrondissement", c) for c in ("PMR", "VER", "autre")]
    convert(str(out))


# ------------------------------------------------------------------ refusals, located

HEADER = ["type", "name", f"label::{FR}", f"label::{EN}"]


def workbook(
    path: Path, survey: list[list[object]], choices: list[list[object]] | None = None
) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    choices_sheet = book.create_sheet("choices")
    for row in choices or [["list_name", "name", f"label::{FR}"], ["yn", "y", "Oui"]]:
        choices_sheet.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "default_language"])
    settings.append(["Essai", "essai", FR])
    book.save(path)
    return path


Q1 = ["text", "q1", "Q1", "Q1"]


@pytest.mark.parametrize(
    ("rows", "row", "column", "message"),
    [
        (
            [HEADER, Q1, ["begin_repeat", "r", "R"], ["text", "x", "X"], ["end_repeat"]],
            3,
            "type",
            "Repeats",
        ),
        ([HEADER, ["geopoint", "where", "Où"]], 2, "type", "Locations on a map"),
        ([HEADER, Q1, ["select_one_from_file quartiers.csv", "q", "Q"]], 3, "type", "from a file"),
        ([HEADER, ["select_one yn or_other", "q", "Q"]], 2, "type", "or_other"),
        ([HEADER, ["range", "q", "Q"]], 2, "type", "question type range"),
        ([HEADER, ["begin_kobomatrix", "m", "M"], ["end_kobomatrix"]], 2, "type", "kobomatrix"),
        (
            [
                HEADER,
                ["begin_group", "a", "A"],
                ["begin_group", "b", "B"],
                Q1,
                ["end_group"],
                ["end_group"],
            ],
            3,
            "type",
            "Groups inside groups",
        ),
        (
            [[*HEADER, "default"], Q1, ["text", "q2", "Q2", "Q2", "bonjour"]],
            3,
            "default",
            "column default",
        ),
        (
            [[*HEADER, "required"], ["text", "q2", "Q2", "Q2", "${q1} = 'x'"]],
            2,
            "required",
            "yes or no",
        ),
        (
            [[*HEADER, "calculation"], ["text", "q2", "Q2", "Q2", "1 + 1"]],
            2,
            "calculation",
            "column calculation",
        ),
        (
            [[*HEADER, "label::Español (es)"], Q1],
            1,
            "label::Español (es)",
            "Only French and English",
        ),
        (
            [[*HEADER, "relevant"], Q1, ["text", "q2", "Q2", "Q2", "${q1} = = 'x'"]],
            3,
            "relevant",
            "Unexpected “=” at position 9",
        ),
        (
            [[*HEADER, "constraint"], ["integer", "q2", "Q2", "Q2", "pulldata('a', 'b')"]],
            2,
            "constraint",
            "Unknown function",
        ),
        (
            [[*HEADER, "relevant"], ["text", "q2", "Q2", "Q2", "${nope} = 'x'"]],
            2,
            "relevant",
            "Could not find the name 'nope'",
        ),
        ([HEADER, Q1, ["text", "q1", "Q1 bis", "Q1 bis"]], 3, "name", "unique"),
        ([HEADER, ["select_one nolist", "q", "Q"]], 2, "type", "not a valid XLSForm"),
    ],
)
def test_refusals_name_sheet_row_and_column(
    tmp_path: Path, rows: list[list[object]], row: int | None, column: str | None, message: str
) -> None:
    path = workbook(tmp_path / "form.xlsx", rows)
    with pytest.raises(XLSFormError, match=message) as caught:
        read_xlsform(path)
    err = caught.value
    assert (err.sheet, err.where and err.where.row, err.where and err.where.column) == (
        "survey",
        row,
        column,
    )
    assert err.hint
    assert str(err).startswith("form.xlsx [survey]")


def test_without_settings_the_file_names_the_form(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    for row in (["type", "name", "label"], ["text", "q", "Question"]):
        sheet.append(row)
    book.save(tmp_path / "quartier_nord.xlsx")
    form = read_xlsform(tmp_path / "quartier_nord.xlsx")
    assert (form.id, form.default_language, form.title) == ("quartier_nord", "fr", Text())
    assert form.question("q").label == Text("Question", "")


def test_a_duplicate_choice_is_located_on_the_choices_sheet(tmp_path: Path) -> None:
    choices = [["list_name", "name", f"label::{FR}"], ["yn", "y", "Oui"], ["yn", "y", "Non"]]
    path = workbook(tmp_path / "form.xlsx", [HEADER, ["select_one yn", "q", "Q", "Q"]], choices)
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(path)
    assert caught.value.sheet == "choices"
    assert caught.value.where is not None and caught.value.where.row == 3


def test_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_xlsform(tmp_path / "missing.xlsx")
    with pytest.raises(InputError, match="cannot be read as an XLSForm"):
        read_xlsform(b"not a workbook", filename="upload.xlsx")
    assert read_xlsform(KOBO.read_bytes(), filename="kobo.xlsx") == read_xlsform(KOBO)


@pytest.mark.parametrize(
    ("constraint", "low", "high", "rest"),
    [
        (". >= 15 and . <= 120", 15, 120, ""),
        (". <= 120 and . >= 15", 15, 120, ""),
        (". >= -3", -3, None, ""),
        (". >= 1 and (. != 4 or ${t} = 'x')", 1, None, ". != 4 or ${t} = 'x'"),
        (". >= 1 and . != 4", 1, None, ". != 4"),
        (". >= 1 and (. != 4) and (. != 5)", 1, None, "(. != 4) and (. != 5)"),
        (". >= 1 and (.) = (4)", 1, None, "(.) = (4)"),
        (". > 1", None, None, ". > 1"),  # strict bounds stay constraints
        (". >= ${min}", None, None, ". >= ${min}"),
        (". >= 1 or . = 0", None, None, ". >= 1 or . = 0"),
        (". >= 1 and . >= 2", 1, None, ". >= 2"),
        ("not valid (", None, None, "not valid ("),
    ],
)
def test_split_bounds(constraint: str, low: float | None, high: float | None, rest: str) -> None:
    assert split_bounds(constraint) == (low, high, rest)
    q = Question("n", "integer", minimum=low, maximum=high, constraint=rest)
    if "valid" not in constraint:
        assert split_bounds(join_bounds(q)) == (low, high, rest)
