"""The built-in XLSForm template « Sentiment de sécurité et bien-être » (survey/templates)."""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

import urbansafety

TEMPLATES = Path(urbansafety.__file__).resolve().parent / "survey" / "templates"
TEMPLATE = TEMPLATES / "safety.xlsx"
FR, EN = "Français (fr)", "English (en)"
LANGS = (FR, EN)
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
CODE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")  # choice codes may be numbers (0–10 scale)
SAFETY_CODES = ["very_safe", "fairly_safe", "bit_unsafe", "very_unsafe", "never_alone"]
SAFETY_QUESTIONS = ("safe_dark", "safe_day", "safe_home", "safe_transit")


def _load_builder() -> ModuleType:
    """Import build_safety.py by path (templates/ is data, not a package)."""
    spec = importlib.util.spec_from_file_location("_build_safety", TEMPLATES / "build_safety.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sheet_rows(path: Path) -> dict[str, list[list[object]]]:
    wb = load_workbook(path, read_only=True)
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def _records(rows: list[list[object]]) -> list[dict[str, str]]:
    header = [str(h) for h in rows[0]]
    return [
        {h: ("" if v is None else str(v)) for h, v in zip(header, row, strict=True)}
        for row in rows[1:]
        if any(v is not None for v in row)
    ]


@pytest.fixture(scope="module")
def sheets() -> dict[str, list[list[object]]]:
    assert TEMPLATE.is_file(), f"template missing: {TEMPLATE}"
    return _sheet_rows(TEMPLATE)


@pytest.fixture(scope="module")
def survey(sheets) -> list[dict[str, str]]:
    return _records(sheets["survey"])


@pytest.fixture(scope="module")
def choices(sheets) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for row in _records(sheets["choices"]):
        out.setdefault(row["list_name"], []).append(row)
    return out


@pytest.fixture(scope="module")
def by_name(survey) -> dict[str, dict[str, str]]:
    return {r["name"]: r for r in survey if r["type"] != "end_group"}


def _list_of(row: dict[str, str]) -> str | None:
    parts = row["type"].split()
    if parts[0] in ("select_one", "select_multiple"):
        return parts[1]
    return None


# ---------------------------------------------------------------------------------------------


def test_pyxform_converts_without_warnings(tmp_path: Path) -> None:
    warnings: list[str] = []
    result = convert(str(TEMPLATE), warnings=warnings, pretty_print=True)
    out = tmp_path / "safety.xml"
    out.write_text(result.xform, encoding="utf-8")
    assert 'id="urbansafety_safety"' in result.xform
    assert 'version="2026' in result.xform
    assert warnings == []
    # Both languages are in the XForm, French first (the default language).
    translations = re.findall(r"<translation [^>]*>", result.xform)
    assert len(translations) == 2
    assert 'lang="Français (fr)"' in translations[0] and 'default="true()"' in translations[0]
    assert 'lang="English (en)"' in translations[1]


def test_sheets_and_columns(sheets) -> None:
    assert list(sheets) == ["survey", "choices", "settings"]
    header = sheets["survey"][0]
    for col in (
        "type",
        "name",
        "required",
        "relevant",
        "constraint",
        "appearance",
        *(f"{kind}::{lang}" for kind in ("label", "hint") for lang in LANGS),
        *(
            f"{kind}::{lang}"
            for kind in ("required_message", "constraint_message")
            for lang in LANGS
        ),
    ):
        assert col in header, col
    assert sheets["choices"][0] == ["list_name", "name", f"label::{FR}", f"label::{EN}"]


def test_settings(sheets) -> None:
    (settings,) = _records(sheets["settings"])
    assert settings["form_id"] == "urbansafety_safety"
    assert settings["default_language"] == FR
    assert re.fullmatch(r"20\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{2}", settings["version"])
    assert settings["form_title"].startswith("Sentiment de sécurité")
    assert "Feeling of safety" in settings["form_title"]


def test_every_row_is_bilingual(survey) -> None:
    for row in survey:
        if row["type"] == "end_group":
            continue
        for lang in LANGS:
            assert row[f"label::{lang}"].strip(), f"{row['name']}: no label in {lang}"
        for kind in ("hint", "required_message", "constraint_message"):
            fr, en = row[f"{kind}::{FR}"].strip(), row[f"{kind}::{EN}"].strip()
            assert bool(fr) == bool(en), f"{row['name']}: {kind} in one language only"
        if row["required"]:
            assert row[f"required_message::{FR}"], f"{row['name']}: required without message"
        if row["constraint"]:
            assert row[f"constraint_message::{FR}"], f"{row['name']}: constraint without message"


def test_select_lists_exist_and_choices_are_bilingual(survey, choices) -> None:
    used = {_list_of(r) for r in survey} - {None}
    assert used - set(choices) == set(), "select lists missing from the choices sheet"
    assert set(choices) - used == set(), "unused choices lists"
    for list_name, rows in choices.items():
        codes = [r["name"] for r in rows]
        assert len(codes) == len(set(codes)), f"duplicate codes in {list_name}"
        for r in rows:
            assert CODE.match(r["name"]), f"{list_name}: code {r['name']!r} is not snake_case"
            for lang in LANGS:
                assert r[f"label::{lang}"].strip(), f"{list_name}/{r['name']}: no label in {lang}"


def test_names_unique_snake_case(survey) -> None:
    names = [r["name"] for r in survey if r["type"] != "end_group"]
    assert all(SNAKE.match(n) and len(n) <= 24 for n in names), names
    assert len(names) == len(set(names))
    begins = [r["name"] for r in survey if r["type"] == "begin_group"]
    ends = [r["name"] for r in survey if r["type"] == "end_group"]
    assert begins == ends


def test_section_order(survey) -> None:
    groups = [r["name"] for r in survey if r["type"] == "begin_group"]
    assert groups == [
        "intro",
        "safety",
        "avoidance",
        "victimisation",
        "disorder",
        "cohesion",
        "trust",
        "about",
        "end",
    ]
    assert survey[1]["name"] == "intro_note" and survey[1]["type"] == "note"
    intro = survey[1][f"label::{FR}"] + survey[1][f"label::{EN}"]
    for word in ("anonyme", "volontaire", "IP", "10 minutes", "anonymous", "voluntary"):
        assert word in intro


def test_after_dark_question_sdg_16_1_4(by_name, choices) -> None:
    row = by_name["safe_dark"]
    assert row["type"] == "select_one safety_dark"
    assert row["required"] == "yes"
    assert row[f"label::{EN}"] == "How safe do you feel walking alone in your area after dark?"
    assert "une fois la nuit tombée" in row[f"label::{FR}"]
    codes = [c["name"] for c in choices["safety_dark"]]
    assert codes[:5] == SAFETY_CODES
    assert {"dk", "refused"} <= set(codes)
    never = next(c for c in choices["safety_dark"] if c["name"] == "never_alone")
    assert never[f"label::{EN}"] == "I never walk alone after dark"
    # The same scale and codes for day, home at night and public transit.
    for name in SAFETY_QUESTIONS:
        list_name = _list_of(by_name[name])
        assert [c["name"] for c in choices[list_name]] == codes, name


def test_victimisation_follow_ups(by_name, choices) -> None:
    victim = by_name["victim_types"]
    assert victim["type"] == "select_multiple victim_type"
    assert "12" in victim[f"label::{FR}"] and "12" in victim[f"label::{EN}"]
    types = [c["name"] for c in choices["victim_type"] if c["name"] not in ("none", "refused")]
    assert set(types) >= {
        "break_in",
        "theft",
        "vandalism",
        "assault",
        "harassment",
        "sexual",
        "fraud",
    }
    follow_ups = {n for n in by_name if n.startswith("reported_")}
    assert follow_ups == {f"reported_{t}" for t in types}
    for t in types:
        row = by_name[f"reported_{t}"]
        assert row["relevant"] == f"selected(${{victim_types}}, '{t}')"
        assert _list_of(row) == "yes_no_dk"
    assert [c["name"] for c in choices["yes_no_dk"]] == ["yes", "no", "dk"]
    assert "none" in victim["constraint"] and "count-selected(.)" in victim["constraint"]


def test_likert_matrices(survey, choices) -> None:
    in_group: dict[str, list[dict[str, str]]] = {}
    group = ""
    for row in survey:
        if row["type"] == "begin_group":
            group = row["name"]
        elif row["appearance"] == "likert":
            in_group.setdefault(group, []).append(row)
    disorder = in_group["disorder"]
    assert len(disorder) >= 6
    assert {_list_of(r) for r in disorder} == {"problem"}
    assert [c["name"] for c in choices["problem"]] == [
        "not_problem",
        "small_problem",
        "big_problem",
        "dk",
    ]
    cohesion = [r for r in in_group["cohesion"] if _list_of(r) == "agree"]
    assert len(cohesion) == 5
    assert len([c for c in choices["agree"] if c["name"] != "dk"]) == 5
    assert len([c for c in choices["satisfaction"] if c["name"] != "dk"]) == 5
    assert len([c for c in choices["trust"] if c["name"] != "dk"]) == 5


def test_demographics_for_weighting(by_name, choices) -> None:
    for name in ("safe_dark", "age_group", "gender", "neighbourhood", "consent"):
        assert by_name[name]["required"] == "yes", name
    ages = [c["name"] for c in choices["age_group"]]
    assert ages == [
        "under_15",
        "age_15_24",
        "age_25_34",
        "age_35_44",
        "age_45_54",
        "age_55_64",
        "age_65_74",
        "age_75_plus",
        "refused",
    ]
    # Under 15: blocked by the constraint, told why by a note, and shown nothing else.
    assert "under_15" in by_name["age_group"]["constraint"]
    assert "under_15" in by_name["too_young_note"]["relevant"]
    for row in by_name.values():
        if row["type"] == "begin_group" and row["name"] != "intro":
            assert "under_15" in row["relevant"] and "${consent} = 'yes'" in row["relevant"]
    assert [c["name"] for c in choices["gender"]] == ["woman", "man", "another", "refused"]
    # The application fills the neighbourhood list; the template keeps only `other`.
    assert by_name["neighbourhood"]["type"] == "select_one territory_neighbourhood"
    assert [c["name"] for c in choices["territory_neighbourhood"]] == ["other"]


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("H2X", True),
        ("h2x", True),
        ("H2X 1Y4", True),
        ("H2X1Y4", True),
        ("h2x1y4", True),
        ("H2X 1Y", False),
        ("12345", False),
        ("H2X  1Y4", False),
        ("H2", False),
    ],
)
def test_postal_code_constraint(by_name, value: str, ok: bool) -> None:
    constraint = by_name["postal_code"]["constraint"]
    match = re.fullmatch(r"regex\(\., '(.+)'\)", constraint)
    assert match, constraint
    assert bool(re.search(match.group(1), value)) is ok
    assert "3" in by_name["postal_code"][f"hint::{FR}"]


def test_xlsx_is_what_build_script_writes(tmp_path: Path, sheets) -> None:
    builder = _load_builder()
    rebuilt = builder.build(tmp_path / "safety.xlsx")
    fresh = _sheet_rows(rebuilt)
    assert list(fresh) == list(sheets)
    for title in sheets:
        assert fresh[title] == sheets[title], (
            f"sheet {title!r} of safety.xlsx differs from build_safety.py: "
            "run `python src/urbansafety/survey/templates/build_safety.py`"
        )


def test_readme_documents_every_question_and_list(survey, choices) -> None:
    readme = (TEMPLATES / "README.md").read_text(encoding="utf-8")
    for row in survey:
        if row["type"] not in ("end_group",):
            assert f"`{row['name']}`" in readme, f"{row['name']} is not documented in README.md"
    for list_name in choices:
        assert f"`{list_name}`" in readme, f"list {list_name} is not documented in README.md"


def test_reader_reads_template() -> None:
    """The application's own XLSForm reader accepts the template."""
    from urbansafety.survey.xlsform import read_xlsform

    form = read_xlsform(TEMPLATE)
    names = {q.name for q in form.questions()}
    assert {
        "safe_dark",
        "safe_day",
        "victim_types",
        "age_group",
        "gender",
        "neighbourhood",
    } <= names
    assert form.question("safe_dark").required
    # The conventions the application reads: postal code kept as FSA, territory list.
    assert form.question("postal_code").type == "postal_code"
    neighbourhood = form.question("neighbourhood")
    assert neighbourhood.type == "neighbourhood" and neighbourhood.layer == "neighbourhood"


def test_skip_rules_with_the_application_evaluator(survey, by_name) -> None:
    """Every relevant/constraint parses with survey.expressions and behaves as intended."""
    from urbansafety.survey.evaluate import Context as context
    from urbansafety.survey.evaluate import truthy
    from urbansafety.survey.expressions import parse

    for row in survey:
        for col in ("relevant", "constraint"):
            if row[col]:
                parse(row[col])

    def relevant(name: str, **answers: str) -> bool:
        return truthy(by_name[name]["relevant"], context(answers=answers))

    def valid(name: str, value: str) -> bool:
        return truthy(by_name[name]["constraint"], context(current=value))

    assert relevant("safety", consent="yes", age_group="age_25_34")
    assert not relevant("safety", consent="yes", age_group="under_15")
    assert not relevant("safety", consent="no", age_group="age_25_34")
    assert not relevant("safety", consent="yes", age_group="")
    assert not valid("age_group", "under_15") and valid("age_group", "age_75_plus")
    assert relevant("reported_break_in", victim_types="theft break_in")
    assert not relevant("reported_break_in", victim_types="theft")
    assert relevant("victim_local", victim_types="fraud")
    assert not relevant("victim_local", victim_types="none")
    assert not relevant("victim_local", victim_types="")
    assert valid("victim_types", "none") and valid("victim_types", "break_in fraud")
    assert not valid("victim_types", "none theft") and not valid("victim_types", "refused theft")
    assert not valid("avoid_places", "none parks") and valid("avoid_places", "parks streets")
    assert valid("postal_code", "H2X 1Y4") and not valid("postal_code", "H2X-1Y4")
    assert valid("household_size", "3") and not valid("household_size", "0")
    assert not relevant("children_under_18", household_size="1")
    assert relevant("children_under_18", household_size="4")
    assert relevant("children_under_18", household_size="")
