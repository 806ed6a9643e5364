"""The questionnaire model: it checks itself, and applies skip logic and rules to answers."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from urbansafety.i18n import translator
from urbansafety.survey import postal
from urbansafety.survey.answers import (
    ANSWER_MESSAGES,
    choices_for,
    clean_answers,
    relevant_questions,
    validate_answers,
)
from urbansafety.survey.model import (
    Choice,
    Question,
    Questionnaire,
    QuestionnaireError,
    Section,
    Text,
)

YES_NO = (Choice("yes", Text("Oui", "Yes")), Choice("no", Text("Non", "No")))
PLACES = tuple(Choice(n, Text(n, n)) for n in ("parks", "metro", "other", "none"))
DISTRICTS = (
    Choice("plateau", Text("Plateau"), {"borough": "PMR"}),
    Choice("mile_end", Text("Mile End"), {"borough": "PMR"}),
    Choice("verdun", Text("Verdun"), {"borough": "VER"}),
)
TERRITORIES = {"borough": [("PMR", "Le Plateau-Mont-Royal"), ("VER", "Verdun")]}
TODAY = date(2026, 11, 23)


def make_form(**changes: object) -> Questionnaire:
    """Return a small form: consent, then a section shown only with consent."""
    intro = Section(
        "",
        questions=(
            Question("consent", "select_one", Text("Accord?"), required=True, choices="yes_no"),
        ),
    )
    body = Section(
        "body",
        Text("Questions", "Questions"),
        (
            Question(
                "age",
                "integer",
                Text("Âge", "Age"),
                required=True,
                minimum=15,
                maximum=110,
                constraint_message=Text("Entre 15 et 110 ans.", "Between 15 and 110."),
            ),
            Question("height", "decimal", Text("Taille"), minimum=0.5),
            Question(
                "borough",
                "neighbourhood",
                Text("Arrondissement"),
                required=True,
                choices="territory_borough",
                layer="borough",
            ),
            Question(
                "district",
                "select_one",
                Text("Quartier"),
                choices="districts",
                choice_filter="borough = ${borough}",
            ),
            Question(
                "places",
                "select_multiple",
                Text("Lieux évités"),
                choices="places",
                constraint="not(selected(., 'none') and count-selected(.) > 1)",
                constraint_message=Text("« Aucun » seul.", "“None” alone."),
            ),
            Question(
                "places_other",
                "text",
                Text("Autres lieux"),
                required=True,
                relevant="selected(${places}, 'other')",
            ),
            Question(
                "postal_code",
                "postal_code",
                Text("Code postal"),
                constraint="regex(., '^[A-Za-z][0-9][A-Za-z] ?([0-9][A-Za-z][0-9])?$')",
            ),
            Question("last_incident", "date", Text("Date"), constraint=". <= today()"),
            Question("n_places", "calculate", calculation="count-selected(${places})"),
            Question("thanks", "note", Text("Merci")),
        ),
        relevant="${consent} = 'yes'",
    )
    lists = {
        "yes_no": YES_NO,
        "places": PLACES,
        "districts": DISTRICTS,
        "territory_borough": (Choice("other", Text("Autre", "Other")),),
    }
    fields: dict[str, object] = {
        "id": "test", "version": "1", "title": Text("Essai", "Test"),
        "sections": (intro, body), "choice_lists": lists,
    }  # fmt: skip
    fields.update(changes)
    return Questionnaire(**fields)  # type: ignore[arg-type]


FORM = make_form()


def test_text_falls_back_to_the_other_language() -> None:
    assert Text("Oui", "Yes").get("en") == "Yes"
    assert Text("Oui", "").get("en") == "Oui"
    assert Text("", "Yes").get("fr") == "Yes"
    assert not Text() and Text("x")


def test_questions_and_lookup() -> None:
    assert [q.name for q in FORM.questions()][:3] == ["consent", "age", "height"]
    assert FORM.question("age").minimum == 15
    with pytest.raises(KeyError):
        FORM.question("nope")


def test_likert_and_matrix() -> None:
    items = (
        Question("intro", "note", Text("Pour chaque énoncé…")),
        Question("q1", "select_one", Text("A"), choices="yes_no", appearance="likert"),
        Question("q2", "select_one", Text("B"), choices="yes_no", appearance="likert"),
    )
    assert items[1].likert and not items[0].likert
    assert Section("m", questions=items, appearance="field-list").matrix
    assert not Section("m", questions=items).matrix
    mixed = (*items, Question("q3", "select_one", Text("C"), choices="places"))
    assert not Section("m", questions=mixed, appearance="field-list").matrix


def _with_question(q: Question) -> Questionnaire:
    body = FORM.sections[1]
    return make_form(sections=(FORM.sections[0], replace(body, questions=(*body.questions, q))))


@pytest.mark.parametrize(
    ("question", "field", "message"),
    [
        (Question("age", "text"), "name", "used twice"),
        (Question("consent", "text"), "name", "used twice"),
        (Question("a b", "text"), "name", "not a valid name"),
        (Question("x", "geopoint"), "type", "Unknown question type"),
        (Question("x", "select_one", choices="nope"), "type", "does not exist"),
        (Question("x", "neighbourhood"), "type", "territory layer"),
        (Question("x", "text", minimum=1), "constraint", "Only integer and decimal"),
        (Question("x", "integer", minimum=5, maximum=1), "constraint", "greater than its maximum"),
        (Question("x", "calculate"), "calculation", "empty"),
        (Question("x", "text", relevant="${nope} = 1"), "relevant", "not a question"),
        (Question("x", "text", relevant=". = 1"), "relevant", "Only a constraint"),
        (Question("x", "text", relevant="consent = 'yes'"), "relevant", "neither"),
        (Question("x", "text", relevant="${consent} = "), "relevant", "ends too early"),
        (Question("x", "text", constraint="pulldata('a')"), "constraint", "Unknown function"),
        (
            Question("x", "select_one", choices="districts", choice_filter="city = 'x'"),
            "choice_filter",
            "neither",
        ),
    ],
)
def test_inconsistent_questionnaires_are_refused(
    question: Question, field: str, message: str
) -> None:
    with pytest.raises(QuestionnaireError, match=message) as caught:
        _with_question(question)
    assert caught.value.field == field
    assert caught.value.question == question.name


def test_expression_errors_keep_their_position() -> None:
    with pytest.raises(QuestionnaireError) as caught:
        _with_question(Question("x", "text", relevant="${consent} = 'yes' and ${nope} = 1"))
    assert caught.value.params["position"] == 24
    assert caught.value.params["expression"] == "${consent} = 'yes' and ${nope} = 1"


def test_choice_lists_and_language_are_checked() -> None:
    with pytest.raises(QuestionnaireError, match="appears twice") as caught:
        make_form(choice_lists={**FORM.choice_lists, "yes_no": (*YES_NO, YES_NO[0])})
    assert caught.value.choice_list == "yes_no"
    with pytest.raises(QuestionnaireError, match="contains a space"):
        make_form(choice_lists={**FORM.choice_lists, "places": (Choice("a b"),)})
    with pytest.raises(QuestionnaireError, match="fr or en"):
        make_form(default_language="es")


# ------------------------------------------------------------------ answers

GOOD = {
    "consent": "yes",
    "age": "34",
    "height": "1,75",
    "borough": "PMR",
    "district": "mile_end",
    "places": "none",
    "postal_code": "h2x 1y4",
    "last_incident": "2025-06-01",
}


def clean(answers: dict[str, object]) -> tuple[dict[str, object], dict[str, str]]:
    result = clean_answers(FORM, answers, territories=TERRITORIES, today=TODAY)
    return dict(result.values), {e.question: e.code for e in result.errors}


def test_good_answers_are_typed_and_kept() -> None:
    values, errors = clean(GOOD)
    assert errors == {}
    assert values == {
        "consent": "yes",
        "age": 34,
        "height": 1.75,
        "borough": "PMR",
        "district": "mile_end",
        "places": ("none",),
        "postal_code": "H2X",  # only the FSA is kept
        "last_incident": date(2025, 6, 1),
        "n_places": "1",
    }


def test_skip_logic_drops_answers_and_required_only_applies_when_shown() -> None:
    values, errors = clean({**GOOD, "consent": "no"})
    assert values == {"consent": "no"}
    assert errors == {}
    shown = [q.name for q in relevant_questions(FORM, {"consent": "no"})]
    assert shown == ["consent"]
    shown = [q.name for q in relevant_questions(FORM, {"consent": "yes", "places": "other"})]
    assert "places_other" in shown and "age" in shown
    _, errors = clean({**GOOD, "places": ["other", "parks"]})
    assert errors == {"places_other": "required"}


@pytest.mark.parametrize(
    ("changes", "question", "code"),
    [
        ({"consent": ""}, "consent", "required"),
        ({"consent": "maybe"}, "consent", "choice"),
        ({"age": ""}, "age", "required"),
        ({"age": "trente"}, "age", "integer"),
        ({"age": "34.5"}, "age", "integer"),
        ({"age": True}, "age", "integer"),
        ({"age": "14"}, "age", "minimum"),
        ({"age": 111}, "age", "maximum"),
        ({"height": "1.2.3"}, "height", "decimal"),
        ({"height": float("nan")}, "height", "decimal"),
        ({"height": "0,4"}, "height", "minimum"),
        ({"borough": "XYZ", "district": ""}, "borough", "choice"),
        ({"district": "verdun"}, "district", "choice"),  # filtered out: not in PMR
        ({"places": "none parks"}, "places", "constraint"),
        ({"places": ["bus"]}, "places", "choice"),
        ({"postal_code": "D2X 1Y4"}, "postal_code", "postal_code"),
        ({"postal_code": "H2X-1Y4"}, "postal_code", "constraint"),  # the form's regex, as typed
        ({"last_incident": "2030-01-01"}, "last_incident", "constraint"),
        ({"last_incident": "01/06/2025"}, "last_incident", "date"),
        ({"last_incident": "2025-02-30"}, "last_incident", "date"),
    ],
)
def test_bad_answers_are_refused(changes: dict[str, object], question: str, code: str) -> None:
    values, errors = clean({**GOOD, **changes})
    assert errors == {question: code}
    assert question not in values


def test_neighbourhood_offers_the_layer_then_the_list() -> None:
    borough = FORM.question("borough")
    offered = choices_for(FORM, borough, {}, territories=TERRITORIES)
    assert [c.name for c in offered] == ["PMR", "VER", "other"]
    assert offered[0].label.get("en") == "Le Plateau-Mont-Royal"
    # Without territories (no workspace at hand) the code is not checked.
    result = clean_answers(FORM, {**GOOD, "borough": "ANY", "district": ""}, today=TODAY)
    assert result.errors == () and result.values["borough"] == "ANY"


def test_choice_filter_cascades() -> None:
    district = FORM.question("district")
    assert [c.name for c in choices_for(FORM, district, {"borough": "VER"})] == ["verdun"]
    assert [c.name for c in choices_for(FORM, district, {})] == []


def test_select_multiple_is_kept_in_list_order() -> None:
    values, errors = clean({**GOOD, "places": "metro parks metro"})
    assert errors == {} and values["places"] == ("parks", "metro")


def test_messages_use_the_form_or_the_catalog() -> None:
    errors = validate_answers(FORM, {**GOOD, "age": "200"}, territories=TERRITORIES, today=TODAY)
    assert [e.code for e in errors] == ["maximum"]
    assert errors[0].text("en") == "Between 15 and 110."
    assert errors[0].text("fr") == "Entre 15 et 110 ans."
    errors = validate_answers(FORM, {**GOOD, "height": "0.1"}, today=TODAY)
    assert errors[0].text("en") == "Enter a number greater than or equal to 0.5."
    assert errors[0].text("fr", translator("fr"))  # a catalog without the msgid falls back
    assert set(ANSWER_MESSAGES) >= {e.code for e in errors}


def test_unknown_answers_are_ignored() -> None:
    values, errors = clean({**GOOD, "not_a_question": "x", "thanks": "y"})
    assert errors == {} and "not_a_question" not in values and "thanks" not in values


# ------------------------------------------------------------------ postal codes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("H2X 1Y4", "H2X"),
        ("h2x1y4", "H2X"),
        ("  h2x-1y4 ", "H2X"),
        ("h2x", "H2X"),
        ("K1A 0B1", "K1A"),
        ("D2X 1Y4", None),  # D is never used
        ("W2X 1Y4", None),  # W never starts a code
        ("Z2X", None),
        ("H2O 1Y4", None),  # O is never used
        ("H2X 1O4", None),
        ("H2X 1Y", None),
        ("12345", None),
        ("", None),
        ("H٢X", None),  # a non-ASCII digit
    ],
)
def test_fsa(text: str, expected: str | None) -> None:
    assert postal.fsa(text) == expected


LETTERS = "".join(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in postal.UNUSED)


@given(
    st.sampled_from(postal.FIRST_LETTERS),
    st.text(st.sampled_from("0123456789"), min_size=3, max_size=3),
    st.text(st.sampled_from(LETTERS + LETTERS.lower()), min_size=2, max_size=2),
    st.sampled_from(["", " ", "-"]),
    st.booleans(),
)
def test_every_valid_code_gives_its_fsa(
    first: str, digits: str, letters: str, sep: str, lower: bool
) -> None:
    code = f"{first}{digits[0]}{letters[0]}{sep}{digits[1]}{letters[1]}{digits[2]}"
    code = code.lower() if lower else code
    assert postal.fsa(code) == code[:3].upper()
    assert postal.province(code) is not None


@given(st.text(max_size=12))
def test_fsa_never_crashes_and_returns_a_valid_fsa(text: str) -> None:
    result = postal.fsa(text)
    assert result is None or re.fullmatch(rf"[{postal.FIRST_LETTERS}][0-9][{LETTERS}]", result)


# ------------------------------------------------------------------ never crash

ANY_VALUE = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["yes", "no", "PMR", "mile_end", "none", "other parks", "h2x 1y4", "2025-01-01"]),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.lists(st.sampled_from(["parks", "metro", "none", "other", "x"]), max_size=4),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([q.name for q in FORM.questions()] + ["zz"]), ANY_VALUE))
def test_any_answers_give_values_or_errors_never_an_exception(answers: dict[str, object]) -> None:
    result = clean_answers(FORM, answers, territories=TERRITORIES, today=TODAY)
    shown = set(result.relevant)
    assert set(result.values) <= shown
    assert {e.question for e in result.errors} <= shown
    assert not set(result.values) & {e.question for e in result.errors}
    for error in result.errors:
        assert error.text("fr") and error.text("en")
    if "postal_code" in result.values:
        assert postal.fsa(str(result.values["postal_code"])) == result.values["postal_code"]
