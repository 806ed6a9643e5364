"""Questionnaire model: sections of questions, choice lists, and the checks applied to answers.

A :class:`Questionnaire` is built once (from an XLSForm, see ``xlsform.py``, or in code) and
checks itself: unique names, existing choice lists, expressions that parse and refer to
questions of the form. :func:`clean_answers` applies it to one respondent's answers the way
a form does on a phone: skip logic first, then required, type, bounds, choices, constraints.

Question types (``Question.type``): ``select_one``, ``select_multiple``, ``integer``,
``decimal``, ``text``, ``date``, ``note`` (shown, not answered), ``calculate`` (computed),
``neighbourhood`` (a ``select_one`` whose choices are the territories of a workspace layer)
and ``postal_code`` (a Canadian postal code of which only the FSA, e.g. ``H2X``, is kept).
A Likert item is a ``select_one`` with appearance ``likert``; a matrix is a section with
appearance ``field-list`` (or ``table-list``) of ``select_one`` questions sharing one list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from urbansafety.errors import InputError, Where
from urbansafety.i18n import N_
from urbansafety.survey.expression_tree import Current, Field, Ref, walk
from urbansafety.survey.expressions import ExpressionError, parse

LANGUAGES = ("fr", "en")
QUESTION_TYPES = (
    "select_one", "select_multiple", "integer", "decimal", "text", "date", "note",
    "calculate", "neighbourhood", "postal_code",
)  # fmt: skip
NUMBER_TYPES = ("integer", "decimal")
MATRIX_APPEARANCES = ("field-list", "table-list")
MAX_TEXT = 10_000
_NAME = re.compile(r"[^\W\d][\w.\-]*\Z")
Answer = str | int | float | date | tuple[str, ...]


# kind -> (message, hint) of QuestionnaireError; English msgids, translated when shown.
MESSAGES: dict[str, tuple[str, str]] = {
    "language": (N_("The default language must be fr or en, not %(language)s."), ""),
    "choice_name": (N_("The choice name “%(choice)s” of list %(list)s is empty or contains a space."), N_("Choice names are codes: use letters, digits, _ or -.")),
    "choice_twice": (N_("The choice %(choice)s appears twice in list %(list)s."), N_("Give each choice of a list its own name.")),
    "name": (N_("“%(name)s” is not a valid name."), N_("Start with a letter or _, then use letters, digits, _, - or . (no spaces).")),
    "name_twice": (N_("The name %(name)s is used twice."), N_("Give each question and section its own name.")),
    "type": (N_("Unknown question type %(type)s for %(name)s."), ""),
    "list": (N_("The choice list %(list)s of %(name)s does not exist."), N_("Add the list to the choices, or correct its name.")),
    "layer": (N_("The neighbourhood question %(name)s needs a territory layer."), N_("Write its type as select_one territory_LAYER, e.g. select_one territory_neighbourhood.")),
    "bounds_type": (N_("Only integer and decimal questions have bounds (%(name)s)."), ""),
    "bounds": (N_("The minimum of %(name)s is greater than its maximum."), ""),
    "calculation": (N_("The calculation of %(name)s is empty."), ""),
    "reference": (N_("${%(text)s} (position %(position)s) is not a question of this form."), N_("Correct the name, or add the question.")),
    "current": (N_("Only a constraint can use . (the answer being checked), at position %(position)s."), N_("Refer to the question by its name, e.g. ${%(name)s}.")),
    "field": (N_("“%(text)s” at position %(position)s is neither ${question} nor a choice column."), N_("Refer to a question with ${name}, or to a column of the choices sheet.")),
}  # fmt: skip


class QuestionnaireError(InputError):
    """A questionnaire is inconsistent; ``question`` and ``field`` say where (a name, a column)."""

    code = "US130"

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        question: str | None = None,
        field: str | None = None,
        choice_list: str | None = None,
        params: dict[str, object] | None = None,
    ) -> None:
        params = {"name": question or "", **(params or {})}
        super().__init__(message, hint, Where(column=field), params)
        self.question = question
        self.field = field
        self.choice_list = choice_list


def _fail(
    kind: str,
    question: str | None = None,
    column: str | None = None,
    choice_list: str | None = None,
    **params: object,
) -> QuestionnaireError:
    message, hint = MESSAGES[kind]
    return QuestionnaireError(
        message, hint, question=question, field=column, choice_list=choice_list, params=params
    )


@dataclass(frozen=True)
class Text:
    """A text in French and English; ``get`` falls back to the other language when one is empty."""

    fr: str = ""
    en: str = ""

    def get(self, lang: str) -> str:
        """Return the text in lang ('fr' or 'en'), else in the other language."""
        first, second = (self.en, self.fr) if lang == "en" else (self.fr, self.en)
        return first or second

    def __bool__(self) -> bool:
        return bool(self.fr or self.en)


@dataclass(frozen=True)
class Choice:
    """One answer of a choice list; ``filter`` holds its extra columns, read by choice filters."""

    name: str
    label: Text = Text()
    filter: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    """One question; expressions (relevant, constraint, …) are XLSForm text, see expressions.py."""

    name: str
    type: str
    label: Text = Text()
    hint: Text = Text()
    required: bool = False
    required_message: Text = Text()
    relevant: str = ""
    constraint: str = ""
    constraint_message: Text = Text()
    choices: str | None = None  # name of the choice list (select_one, select_multiple)
    choice_filter: str = ""
    minimum: float | None = None  # integer and decimal only
    maximum: float | None = None
    appearance: str = ""
    layer: str | None = None  # territory layer of a neighbourhood question
    calculation: str = ""  # calculate only

    @property
    def likert(self) -> bool:
        """Return True for a single-choice question shown as a Likert scale."""
        return self.type == "select_one" and "likert" in self.appearance.split()

    @property
    def answered(self) -> bool:
        """Return True if a respondent answers it (not a note, not a calculation)."""
        return self.type not in ("note", "calculate")


@dataclass(frozen=True)
class Section:
    """A group of questions shown together; an unnamed section is questions outside any group."""

    name: str
    label: Text = Text()
    questions: tuple[Question, ...] = ()
    relevant: str = ""
    appearance: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "questions", tuple(self.questions))

    @property
    def matrix(self) -> bool:
        """Return True for a matrix: one page of single choices on one list (notes aside)."""
        items = [q for q in self.questions if q.type != "note"]  # notes introduce the rows
        return (
            any(a in MATRIX_APPEARANCES for a in self.appearance.split())
            and len(items) > 1
            and all(q.type == "select_one" for q in items)
            and len({q.choices for q in items}) == 1
        )


@dataclass(frozen=True)
class Questionnaire:
    """A whole form; it checks itself when built and raises QuestionnaireError if inconsistent."""

    id: str
    version: str = ""
    title: Text = Text()
    default_language: str = "fr"
    sections: tuple[Section, ...] = ()
    choice_lists: dict[str, tuple[Choice, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sections", tuple(self.sections))
        lists = {name: tuple(choices) for name, choices in self.choice_lists.items()}
        object.__setattr__(self, "choice_lists", lists)
        _check(self)

    def questions(self) -> Iterator[Question]:
        """Yield every question in form order."""
        for section in self.sections:
            yield from section.questions

    def question(self, name: str) -> Question:
        """Return the question called name; raise KeyError if there is none."""
        for q in self.questions():
            if q.name == name:
                return q
        raise KeyError(name)


def _check(form: Questionnaire) -> None:
    if form.default_language not in LANGUAGES:
        raise _fail("language", column="default_language", language=form.default_language)
    for list_name, choices in form.choice_lists.items():
        seen: set[str] = set()
        for c in choices:
            if not c.name or any(ch.isspace() for ch in c.name) or c.name in seen:
                kind = "choice_twice" if c.name in seen else "choice_name"
                raise _fail(kind, None, "name", list_name, choice=c.name, list=list_name)
            seen.add(c.name)
    names: set[str] = set()
    for item in [s for s in form.sections if s.name] + list(form.questions()):
        if not _NAME.match(item.name) or item.name in names:
            raise _fail("name_twice" if item.name in names else "name", item.name, "name")
        names.add(item.name)
    questions = {q.name for q in form.questions()}
    for section in form.sections:
        _check_expression(section.relevant, "relevant", section.name, questions)
        for q in section.questions:
            _check_question(form, q, questions)


def _check_question(form: Questionnaire, q: Question, names: set[str]) -> None:
    if q.type not in QUESTION_TYPES:
        raise _fail("type", q.name, "type", type=q.type)
    selects = ("select_one", "select_multiple")
    if (q.type in selects or q.choices is not None) and q.choices not in form.choice_lists:
        raise _fail("list", q.name, "type", list=q.choices)
    if q.type == "neighbourhood" and not (q.layer and _NAME.match(q.layer)):
        raise _fail("layer", q.name, "type")
    if (q.minimum is not None or q.maximum is not None) and q.type not in NUMBER_TYPES:
        raise _fail("bounds_type", q.name, "constraint")
    if q.minimum is not None and q.maximum is not None and q.minimum > q.maximum:
        raise _fail("bounds", q.name, "constraint")
    if q.type == "calculate" and not q.calculation.strip():
        raise _fail("calculation", q.name, "calculation")
    _check_expression(q.relevant, "relevant", q.name, names)
    _check_expression(q.constraint, "constraint", q.name, names, current=True)
    _check_expression(q.calculation, "calculation", q.name, names)
    columns = {"name"}
    for choice in form.choice_lists.get(q.choices or "", ()):
        columns.update(choice.filter)
    _check_expression(q.choice_filter, "choice_filter", q.name, names, columns=columns)


def _check_expression(
    source: str,
    column: str,
    name: str,
    names: set[str],
    *,
    current: bool = False,
    columns: set[str] | None = None,
) -> None:
    """Raise QuestionnaireError unless source parses and refers only to names (and columns)."""
    if not source.strip():
        return
    try:
        node = parse(source)
    except ExpressionError as exc:
        params = {"expression": source, **exc.params}
        raise QuestionnaireError(
            exc.template, exc.hint_template, question=name, field=column, params=params
        ) from exc
    for n in walk(node):
        position = n.start + 1
        if isinstance(n, Ref) and n.name not in names:
            kind, text = "reference", n.name
        elif isinstance(n, Current) and not current:
            kind, text = "current", "."
        elif isinstance(n, Field) and (columns is None or n.name not in columns):
            kind, text = "field", n.name
        else:
            continue
        raise _fail(kind, name, column, text=text, position=position, expression=source)
