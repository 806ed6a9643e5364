"""Reading response exports: KoboToolbox (values, labels), LimeSurvey (codes, answers), ours."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from urbansafety.errors import InputError
from urbansafety.survey import clean_answers
from urbansafety.survey.forms import template_path
from urbansafety.survey.model import Questionnaire
from urbansafety.survey.responses_read import (
    REASON_DISAGREE,
    REASON_DUPLICATE,
    REASON_FIELDS,
    REASON_FLAG,
    REASON_ID_CONFLICT,
    REASON_NO_ID,
    REASON_TIME,
    ReadResult,
    read_responses_csv,
)
from urbansafety.survey.xlsform import read_xlsform

DATA = Path(__file__).resolve().parent / "data"
TERRITORIES = {"neighbourhood": [(f"Q{i:02d}", f"Quartier {i}") for i in range(1, 11)]}
IDS = [f"9d1c7c8e-3b1f-4f3e-9a55-0c2f8f1e0a0{i}" for i in range(1, 6)]


@pytest.fixture(scope="module")
def form() -> Questionnaire:
    return read_xlsform(template_path("safety"))


def read(form: Questionnaire, name: str, **kw: object) -> ReadResult:
    return read_responses_csv(
        form, (DATA / name).read_bytes(), filename=name, territories=TERRITORIES, **kw
    )  # type: ignore[arg-type]


def table(data: bytes, delimiter: str = ";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def write(rows: list[list[str]], delimiter: str = ";") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def answers_by_id(result: ReadResult) -> dict[str, dict[str, object]]:
    return {r.response_id: dict(r.answers) for r in result.accepted}


def test_kobo_values_export_with_groups_and_semicolons(form: Questionnaire) -> None:
    result = read(form, "kobo_safety_values.csv")
    assert (result.source, result.rows_read, result.encoding) == ("kobo", 6, "utf-8")
    # Row 7 repeats row 2's _uuid with the same answers (a form sent twice): a duplicate.
    assert sorted(answers_by_id(result)) == [IDS[0], IDS[1], IDS[2]]
    assert result.rows_rejected == 3
    assert len(result.accepted) + result.rows_rejected == result.rows_read
    found = {(r.row, r.column, r.value, r.kind) for r in result.rejects}
    assert found == {
        (5, "about/postal_code", "12345", "invalid postal code"),
        (5, "about/household_size", "25", "number above the maximum"),
        (6, "safety/safe_dark", "", "required answer missing"),
        (7, "_uuid", IDS[0], REASON_DUPLICATE),
    }
    by_column = {r.column: r.reason for r in result.rejects}
    assert by_column["about/household_size"] == "Enter a number from 1 to 20."
    assert by_column["about/postal_code"] == "Enter a Canadian postal code, e.g. H2X 1Y4."
    first = next(r for r in result.accepted if r.response_id == IDS[0])
    assert str(first.submitted_at) == "2025-05-06 14:22:09"
    assert first.answers["avoid_places"] == ("parks", "other")
    assert first.answers["avoid_other"] == "Le stationnement de l'aréna"
    assert first.answers["postal_code"] == "G7A"  # only the FSA is kept
    assert first.answers["household_size"] == 2
    assert first.answers["comments"] == "Plus d'éclairage, svp; merci!"
    third = answers_by_id(result)[IDS[2]]
    assert third["victim_types"] == ("theft", "assault")
    assert (third["reported_theft"], third["reported_assault"]) == ("yes", "no")
    assert "children_under_18" not in third  # skipped: household of one
    assert answers_by_id(result)[IDS[1]] == {"consent": "no"}
    assert result.unknown_columns == []


def test_every_accepted_row_passes_the_form_again(form: Questionnaire) -> None:
    for name in ("kobo_safety_values.csv", "limesurvey_safety_codes.csv"):
        for response in read(form, name).accepted:
            cleaned = clean_answers(form, dict(response.answers), territories=TERRITORIES)
            assert cleaned.errors == ()
            assert cleaned.values == dict(response.answers)


def test_kobo_labels_export_gives_the_same_answers(form: Questionnaire) -> None:
    values, labels = read(form, "kobo_safety_values.csv"), read(form, "kobo_safety_labels.csv")
    assert labels.source == "kobo" and labels.encoding == "utf-8-sig"
    assert answers_by_id(labels) == answers_by_id(values)
    assert [(r.row, r.kind) for r in labels.rejects] == [(r.row, r.kind) for r in values.rejects]
    postal = next(r for r in labels.rejects if r.kind == "invalid postal code")
    assert postal.column == "À propos de vous/Quel est votre code postal?"


def test_kobo_labels_in_english_give_the_same_answers(form: Questionnaire) -> None:
    english = read(form, "kobo_safety_labels_en.csv")
    assert answers_by_id(english) == answers_by_id(read(form, "kobo_safety_values.csv"))
    assert english.unknown_columns == [] and english.rows_rejected == 3


def test_limesurvey_other_text_chooses_other_and_fills_its_question(form: Questionnaire) -> None:
    rows = table((DATA / "limesurvey_safety_codes.csv").read_bytes(), ",")
    rows[1][rows[0].index("avoidother")] = ""
    rows[1][rows[0].index("avoidplaces[other]")] = "Le tunnel du train"
    rows[1][rows[0].index("avoidplaces[parks]")] = ""
    result = read_responses_csv(form, write(rows, ","), filename="ls.csv")
    first = answers_by_id(result)["1"]
    assert first["avoid_places"] == ("other",)
    assert first["avoid_other"] == "Le tunnel du train"


def test_limesurvey_codes_and_full_answers(form: Questionnaire) -> None:
    kobo = answers_by_id(read(form, "kobo_safety_values.csv"))
    codes, full = (
        read(form, "limesurvey_safety_codes.csv"),
        read(form, "limesurvey_safety_answers.csv"),
    )
    assert (codes.source, full.source) == ("limesurvey", "limesurvey")
    assert full.encoding == "cp1252"  # LimeSurvey / Excel on Windows
    for result in (codes, full):
        got = answers_by_id(result)
        assert sorted(got) == ["1", "2", "3"]
        assert got["1"] == kobo[IDS[0]] and got["3"] == kobo[IDS[2]]
        assert [r.language for r in result.accepted] == ["fr", "en", "fr"]
        assert result.accepted[1].submitted_at is None  # incomplete: no submitdate
        assert {(r.row, r.column) for r in result.rejects} == {
            (5, "postalcode"), (5, "householdsize"), (6, "safedark"),
        }  # fmt: skip
        assert result.unknown_columns == []


def test_kobo_without_group_paths_and_with_commas(form: Questionnaire) -> None:
    rows = table((DATA / "kobo_safety_values.csv").read_bytes())
    rows[0] = [h.split("/", 1)[1] if h.count("/") else h for h in rows[0]]
    result = read_responses_csv(form, write(rows, ","), filename="x.csv", territories=TERRITORIES)
    assert answers_by_id(result) == answers_by_id(read(form, "kobo_safety_values.csv"))
    assert any(r.column == "postal_code" for r in result.rejects)


def test_multiple_choice_from_the_choice_columns_only(form: Questionnaire) -> None:
    rows = table((DATA / "kobo_safety_values.csv").read_bytes())
    keep = [i for i, h in enumerate(rows[0]) if h not in ("avoidance/avoid_places",
                                                          "victimisation/victim_types")]  # fmt: skip
    result = read_responses_csv(
        form, write([[r[i] for i in keep] for r in rows]), filename="x.csv", territories=TERRITORIES
    )
    assert answers_by_id(result) == answers_by_id(read(form, "kobo_safety_values.csv"))


def test_choice_columns_must_be_flags_and_agree(form: Questionnaire) -> None:
    rows = table((DATA / "kobo_safety_values.csv").read_bytes())
    column = rows[0].index("avoidance/avoid_places/parks")
    rows[1][column] = "peut-être"
    rows[3][column] = "1"  # row 4 answered "none"
    result = read_responses_csv(form, write(rows), filename="x.csv", territories=TERRITORIES)
    found = {(r.row, r.column, r.reason) for r in result.rejects}
    assert (2, "avoidance/avoid_places/parks", REASON_FLAG) in found
    assert (4, "avoidance/avoid_places/parks", REASON_DISAGREE) in found
    assert (4, "avoidance/avoid_places", REASON_DISAGREE) in found


def test_ids_times_and_field_counts(form: Questionnaire) -> None:
    rows = table((DATA / "kobo_safety_values.csv").read_bytes())[:5]
    head = rows[0]
    rows[1][head.index("_uuid")] = ""
    rows[2][head.index("_submission_time")] = "le 6 mai"
    rows[3] = rows[3][:10]
    rows[4][head.index("_uuid")] = rows[2][head.index("_uuid")]  # same id, other answers
    result = read_responses_csv(form, write(rows), filename="x.csv", territories=TERRITORIES)
    found = {(r.row, r.column, r.reason) for r in result.rejects}
    assert (2, "_uuid", REASON_NO_ID) in found
    assert (3, "_uuid", REASON_ID_CONFLICT) in found and (5, "_uuid", REASON_ID_CONFLICT) in found
    assert (4, "", REASON_FIELDS) in found
    assert result.accepted == [] and result.rows_rejected == 4


def test_submission_time_with_an_offset_is_kept_in_utc(form: Questionnaire) -> None:
    rows = table((DATA / "kobo_safety_values.csv").read_bytes())[:2]
    rows[1][rows[0].index("_submission_time")] = "2025-05-06T10:22:09-04:00"
    rows[0][rows[0].index("_uuid")] = "meta/instanceID"
    rows[1][rows[0].index("meta/instanceID")] = "uuid:abc-123"
    result = read_responses_csv(form, write(rows), filename="x.csv")
    assert [(r.response_id, str(r.submitted_at)) for r in result.accepted] == [
        ("abc-123", "2025-05-06 14:22:09")
    ]


def test_unknown_columns_are_a_note_not_a_reject(form: Questionnaire) -> None:
    rows = table((DATA / "kobo_safety_values.csv").read_bytes())
    rows[0].append("safety/feel_at_home")
    for r in rows[1:]:
        r.append("yes")
    result = read_responses_csv(form, write(rows), filename="x.csv", territories=TERRITORIES)
    assert result.unknown_columns == ["safety/feel_at_home"]
    assert len(result.accepted) == 3


def test_neighbourhoods_are_checked_against_the_territories(form: Questionnaire) -> None:
    data = (DATA / "kobo_safety_values.csv").read_bytes().replace(b'"Q09"', b'"Q42"')
    checked = read_responses_csv(form, data, filename="x.csv", territories=TERRITORIES)
    assert any(
        r.column == "about/neighbourhood"
        and r.value == "Q42"
        and r.kind == "answer not among the choices"
        for r in checked.rejects
    )
    unchecked = read_responses_csv(form, data, filename="x.csv")
    assert answers_by_id(unchecked)[IDS[2]]["neighbourhood"] == "Q42"


def test_unknown_layout_names_the_file_and_headers(form: Questionnaire) -> None:
    with pytest.raises(InputError) as info:
        read_responses_csv(form, b"nom,courriel\nA,b\n", filename="liste.csv")
    assert info.value.where is not None and info.value.where.file == "liste.csv"
    assert "nom, courriel" in info.value.message
    assert "kobo" in info.value.hint
    with pytest.raises(InputError):
        read_responses_csv(form, b"_uuid;x\n1;2\n", filename="other-form.csv")  # no question
    with pytest.raises(InputError):
        read_responses_csv(form, b"", filename="empty.csv")
    with pytest.raises(InputError):
        read(form, "kobo_safety_values.csv", source="surveymonkey")


def test_a_source_can_be_forced(form: Questionnaire) -> None:
    result = read(form, "kobo_safety_values.csv", source="kobo")
    assert result.source == "kobo"
    with pytest.raises(InputError):
        read(form, "kobo_safety_values.csv", source="limesurvey")  # no id column there


def test_bad_submission_time_is_a_reject(form: Questionnaire) -> None:
    rows = table((DATA / "limesurvey_safety_codes.csv").read_bytes(), ",")
    rows[1][1] = "31/02/2025"
    result = read_responses_csv(form, write(rows, ","), filename="ls.csv")
    assert (2, "submitdate", REASON_TIME) in {(r.row, r.column, r.reason) for r in result.rejects}
