"""What a respondent's page shows: sections kept by skip logic, questions as widgets, errors.

Every rule is the questionnaire layer's (``clean_answers``, ``choices_for``): the server decides
what is shown, so the pages work with JavaScript off. Answers are kept as the browser sent them
(text, or a list for a multiple choice) until the submission, where ``clean_answers`` types them;
a valid postal code is cut to its FSA as soon as it is read, so a draft never holds more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from urbansafety.survey.answers import CleanedAnswers, Territories, choices_for, clean_answers
from urbansafety.survey.evaluate import to_string
from urbansafety.survey.model import Question, Questionnaire, Section

PREFIX = "a-"  # form field names: a-<question name>, clear of csrf, action and the honeypot
HONEYPOT = "website"


@dataclass
class ChoiceView:
    """One option of a radio group, a checkbox group or a drop-down."""

    value: str
    label: str
    id: str
    selected: bool
    html: str = ""  # the option's markup, see option_html


# An option is drawn hundreds of times in the one-page form: its markup is built here, once,
# rather than by a template loop (several times faster); same escaping as the templates.
_INPUT = (
    '<div class="option"><input type="{}" id="{}" name="{}" value="{}"{}>'
    '<label for="{}">{}</label></div>'
)
_OPTION = '<option value="{}"{}>{}</option>'


def option_html(view: QuestionView, choice: ChoiceView) -> str:
    """Return the markup of one option of view (an input and its label, or an <option>)."""
    if view.widget == "select":
        return format_html(
            _OPTION, choice.value, " selected" if choice.selected else "", choice.label
        )
    attrs = (" checked" if choice.selected else "") + (' aria-invalid="true"' if view.error else "")
    return format_html(
        _INPUT, view.widget, choice.id, view.field, choice.value, mark_safe(attrs), choice.id,
        choice.label,
    )  # fmt: skip


@dataclass
class QuestionView:
    """One question as the template draws it."""

    name: str
    field: str  # the form field's name
    id: str  # the id of the input (or of the first option): error links point here
    widget: str  # radio, checkbox, select, text, textarea, number, date, postal, note
    label: str
    hint: str = ""
    required: bool = False
    value: str = ""
    choices: list[ChoiceView] = field(default_factory=list)
    error: str = ""
    inputmode: str = ""
    likert: bool = False

    @property
    def hint_id(self) -> str:
        """Return the id of the hint's element."""
        return f"{self.id}-hint" if self.hint else ""

    @property
    def error_id(self) -> str:
        """Return the id of the error's element."""
        return f"{self.id}-error" if self.error else ""

    @property
    def describedby(self) -> str:
        """Return the ids that describe the input (hint, error), for aria-describedby."""
        return " ".join(i for i in (self.hint_id, self.error_id) if i)

    @property
    def group(self) -> bool:
        """Return True when the question is a fieldset of options."""
        return self.widget in ("radio", "checkbox")


@dataclass
class SectionView:
    """One section: its title, its questions and whether it is a matrix."""

    index: int
    name: str
    title: str
    questions: list[QuestionView]
    matrix: bool = False


def state(
    form: Questionnaire, answers: Mapping[str, object], territories: Territories
) -> CleanedAnswers:
    """Return the cleaned answers (values kept, errors, questions shown) for the answers so far."""
    return clean_answers(form, answers, territories=territories)


def shown_sections(form: Questionnaire, cleaned: CleanedAnswers) -> list[int]:
    """Return the indexes of the sections shown: those with at least one question shown."""
    relevant = set(cleaned.relevant)
    return [
        i
        for i, section in enumerate(form.sections)
        if any(q.name in relevant for q in section.questions)
    ]


def section_questions(section: Section, cleaned: CleanedAnswers) -> list[Question]:
    """Return the section's questions shown to the respondent (no calculations)."""
    relevant = set(cleaned.relevant)
    return [q for q in section.questions if q.name in relevant and q.type != "calculate"]


def read_post(
    form: Questionnaire, post: QueryDict, questions: list[Question]
) -> dict[str, str | list[str]]:
    """Return the answers posted for the questions of a page (empty answers as '' or [])."""
    found: dict[str, str | list[str]] = {}
    for q in questions:
        if not q.answered:
            continue
        key = PREFIX + q.name
        if q.type == "select_multiple":
            found[q.name] = [v for v in post.getlist(key) if v]
        else:
            found[q.name] = post.get(key, "")
    return found


def merge(
    answers: Mapping[str, object], posted: Mapping[str, str | list[str]]
) -> dict[str, object]:
    """Return answers updated with a page's posted answers; empty ones are removed."""
    merged = dict(answers)
    for name, value in posted.items():
        if value in ("", []):
            merged.pop(name, None)
        else:
            merged[name] = value
    return merged


def keep_fsa(form: Questionnaire, answers: dict[str, object], cleaned: CleanedAnswers) -> None:
    """Replace each valid postal code by its FSA in answers (the rest is never stored)."""
    for q in form.questions():
        if q.type == "postal_code" and q.name in cleaned.values and q.name in answers:
            answers[q.name] = str(cleaned.values[q.name])


def error_texts(cleaned: CleanedAnswers, lang: str, names: set[str]) -> dict[str, str]:
    """Return question name → error message in lang, for the questions named."""
    with translation.override(lang):  # the request's own language may be another one
        return {e.question: e.text(lang, gettext) for e in cleaned.errors if e.question in names}


def section_view(
    form: Questionnaire,
    index: int,
    answers: Mapping[str, object],
    cleaned: CleanedAnswers,
    territories: Territories,
    lang: str,
    errors: Mapping[str, str],
) -> SectionView:
    """Return the section at index as the template draws it, answers filled in."""
    section = form.sections[index]
    views = [
        question_view(form, q, answers, cleaned, territories, lang, errors.get(q.name, ""))
        for q in section_questions(section, cleaned)
    ]
    title = section.label.get(lang) or form.title.get(lang)
    return SectionView(index, section.name, title, views, matrix=section.matrix)


def question_view(
    form: Questionnaire,
    q: Question,
    answers: Mapping[str, object],
    cleaned: CleanedAnswers,
    territories: Territories,
    lang: str,
    error: str = "",
) -> QuestionView:
    """Return one question as the template draws it."""
    raw = answers.get(q.name)
    view = QuestionView(
        name=q.name,
        field=PREFIX + q.name,
        id=f"q-{q.name}",
        widget=_widget(q),
        label=q.label.get(lang) or q.name,
        hint=q.hint.get(lang),
        required=q.required,
        error=error,
        likert=q.likert,
    )
    if q.type in NUMBER_INPUTMODES:
        view.inputmode = NUMBER_INPUTMODES[q.type]
        bounds = _bounds_hint(q)
        view.hint = " ".join(t for t in (view.hint, bounds) if t)
    if q.type in ("select_one", "select_multiple", "neighbourhood"):
        picked = set(raw if isinstance(raw, list | tuple) else [str(raw)] if raw else [])
        offered = choices_for(form, q, cleaned.values, territories=territories)
        view.choices = [
            ChoiceView(c.name, c.label.get(lang) or c.name, f"{view.id}-{i}", c.name in picked)
            for i, c in enumerate(offered)
        ]
        for choice in view.choices:
            choice.html = option_html(view, choice)
        if view.widget != "select" and view.choices:
            view.id = view.choices[0].id  # an error link focuses the first option
    elif raw is not None:
        view.value = str(raw)
    return view


NUMBER_INPUTMODES = {"integer": "numeric", "decimal": "decimal"}


def _widget(q: Question) -> str:
    appearance = q.appearance.split()
    if q.type == "note":
        return "note"
    if q.type in ("select_one", "neighbourhood"):
        return "select" if "minimal" in appearance else "radio"
    if q.type == "select_multiple":
        return "checkbox"
    if q.type in NUMBER_INPUTMODES:
        return "number"
    if q.type == "text" and "multiline" in appearance:
        return "textarea"
    if q.type == "date":
        return "date"
    if q.type == "postal_code":
        return "postal"
    return "text"


def _bounds_hint(q: Question) -> str:
    low = to_string(float(q.minimum)) if q.minimum is not None else ""
    high = to_string(float(q.maximum)) if q.maximum is not None else ""
    if low and high:
        return gettext("Between %(minimum)s and %(maximum)s.") % {"minimum": low, "maximum": high}
    if low:
        return gettext("At least %(minimum)s.") % {"minimum": low}
    if high:
        return gettext("At most %(maximum)s.") % {"maximum": high}
    return ""


def required_missing(section: Section, cleaned: CleanedAnswers) -> bool:
    """Return True if a required question shown in the section is still unanswered."""
    return any(
        q.required and q.name not in cleaned.values for q in section_questions(section, cleaned)
    )


def all_sections(
    form: Questionnaire,
    answers: Mapping[str, object],
    cleaned: CleanedAnswers,
    territories: Territories,
    lang: str,
    errors: Mapping[str, str],
) -> list[SectionView]:
    """Return every section with every question (one-page mode; skip logic runs on submit).

    Notes are shown only when relevant: "thank you for your time" is for those who declined.
    """
    relevant = set(cleaned.relevant)
    views = []
    for index, section in enumerate(form.sections):
        questions = [
            question_view(form, q, answers, cleaned, territories, lang, errors.get(q.name, ""))
            for q in section.questions
            if q.type != "calculate" and (q.answered or q.name in relevant)
        ]
        title = section.label.get(lang) or form.title.get(lang)
        views.append(SectionView(index, section.name, title, questions, matrix=section.matrix))
    return views
