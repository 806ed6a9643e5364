"""Answers to a questionnaire: coercion, skip logic, required, bounds, choices and constraints.

:func:`clean_answers` applies a :class:`~urbansafety.survey.model.Questionnaire` to one
respondent's answers the way a form does on a phone: skip logic first, then required, type,
bounds, choices, constraints. Refused answers are :class:`AnswerError` values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from urbansafety.i18n import N_
from urbansafety.survey import postal
from urbansafety.survey.evaluate import Context, evaluate, to_string, truthy
from urbansafety.survey.expressions import parse
from urbansafety.survey.model import (
    MAX_TEXT,
    NUMBER_TYPES,
    Answer,
    Choice,
    Question,
    Questionnaire,
    Text,
)

_NO_TEXT = Text()  # no custom message (a frozen, empty Text)


@dataclass(frozen=True)
class AnswerError:
    """One refused answer: an English message template (or the form's own message) and params."""

    question: str
    code: str  # a key of ANSWER_MESSAGES: required, choice, integer, minimum, constraint…
    message: str
    params: dict[str, object] = field(default_factory=dict)
    custom: Text = _NO_TEXT  # the form's constraint_message or required_message

    def text(self, lang: str, gettext: Callable[[str], str] | None = None) -> str:
        """Return the message to show in lang; gettext translates the built-in ones."""
        if self.custom:
            return self.custom.get(lang)
        template = gettext(self.message) if gettext else self.message
        return template % self.params if self.params else template


@dataclass(frozen=True)
class CleanedAnswers:
    """Answers kept (relevant and valid, typed, calculations added) and the errors found."""

    values: dict[str, Answer]
    errors: tuple[AnswerError, ...]
    relevant: tuple[str, ...]  # names of the questions shown, in form order


# layer -> (code, name) of each territory; a name is one text or a Text in both languages.
Territories = Mapping[str, Sequence[tuple[str, str | Text]]]

# code -> message of AnswerError; English msgids, translated when shown.
ANSWER_MESSAGES = {
    "required": N_("Please answer this question."),
    "integer": N_("Enter a whole number."),
    "decimal": N_("Enter a number."),
    "date": N_("Enter a date (year-month-day)."),
    "postal_code": N_("Enter a Canadian postal code, e.g. H2X 1Y4."),
    "choice": N_("Choose one of the proposed answers."),
    "text": N_("Enter a short text."),
    "length": N_("The answer is too long (%(limit)s characters at most)."),
    "minimum": N_("Enter a number greater than or equal to %(minimum)s."),
    "maximum": N_("Enter a number less than or equal to %(maximum)s."),
    "constraint": N_("This answer is not accepted."),
}
_INTEGER = re.compile(r"[+-]?[0-9]{1,15}\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_DECIMAL = re.compile(r"[+-]?([0-9]{1,15}(\.[0-9]{0,15})?|\.[0-9]{1,15})\Z")
_COLLECTIONS = list | tuple | set | frozenset


def _coerce(q: Question, raw: object) -> Answer | None:
    """Return raw as the question's type; None if unanswered; raise ValueError(code) if invalid."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, _COLLECTIONS) and not raw:
        return None
    code = "choice" if q.type in ("select_one", "select_multiple", "neighbourhood") else q.type
    if q.type == "select_multiple":
        if not isinstance(raw, str | _COLLECTIONS):
            raise ValueError(code)
        items = raw.split() if isinstance(raw, str) else [str(r).strip() for r in raw]
        return tuple(dict.fromkeys(i for i in items if i)) or None
    if isinstance(raw, bool | dict | _COLLECTIONS):
        raise ValueError(code)
    if q.type in NUMBER_TYPES:
        return _number(q.type, raw)
    if q.type == "date":
        if isinstance(raw, date):
            return raw.date() if isinstance(raw, datetime) else raw
        if _DATE.match(text := str(raw).strip()):
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        raise ValueError(code)
    text = str(raw).strip()
    if q.type == "postal_code":
        fsa = postal.fsa(text)
        if fsa is None:
            raise ValueError(code)
        return fsa
    if len(text) > MAX_TEXT:
        raise ValueError("length")
    return text


def _number(kind: str, raw: object) -> int | float:
    if isinstance(raw, int | float):
        if raw != raw or abs(raw) == float("inf") or abs(raw) >= 10**15:
            raise ValueError(kind)
        if kind == "decimal":
            return float(raw)
        if raw != int(raw):
            raise ValueError(kind)
        return int(raw)
    text = re.sub(r"[\s\u202f]", "", str(raw))  # spaces between thousands, as in French
    if kind == "integer" and _INTEGER.match(text):
        return int(text)
    if kind == "decimal" and text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # a French decimal comma
    if kind == "decimal" and _DECIMAL.match(text):
        return float(text)
    raise ValueError(kind)


def choices_for(
    form: Questionnaire,
    question: Question,
    answers: Mapping[str, object],
    *,
    territories: Territories | None = None,
    today: date | None = None,
) -> tuple[Choice, ...]:
    """Return the choices offered: the layer's territories then the list's own, or the list filtered."""
    choices = form.choice_lists.get(question.choices or "", ())
    if question.type == "neighbourhood":
        pairs = (territories or {}).get(question.layer or "", ())
        layer = [Choice(c, n if isinstance(n, Text) else Text(n, n)) for c, n in pairs]
        taken = {c.name for c in layer}
        return (*layer, *(c for c in choices if c.name not in taken))
    if not question.choice_filter:
        return choices
    node = parse(question.choice_filter)
    return tuple(
        c
        for c in choices
        if truthy(node, Context(answers, fields={**c.filter, "name": c.name}, today=today))
    )


def clean_answers(
    form: Questionnaire,
    answers: Mapping[str, object],
    *,
    territories: Territories | None = None,
    today: date | None = None,
) -> CleanedAnswers:
    """Return the answers a form keeps, and the errors a respondent must fix.

    Questions are taken in form order. A question whose section or own ``relevant`` is
    false is skipped and its answer dropped (an expression that refers to a later question
    sees that question's answer as given). A shown question is checked for ``required``, its
    type, bounds, choices (after the choice filter; neighbourhoods against ``territories``,
    unchecked when it is None) and its ``constraint`` (for a postal code, on the text typed,
    as a phone checks it). Answers to unknown names are ignored. ``today`` is for today().
    """
    values: dict[str, Answer] = {}
    bad: dict[str, str] = {}
    for q in form.questions():
        try:
            value = _coerce(q, answers.get(q.name)) if q.answered else None
        except ValueError as exc:
            bad[q.name] = str(exc)
            continue
        if value is not None:
            values[q.name] = value
    errors: list[AnswerError] = []
    shown: list[str] = []
    for section in form.sections:
        section_on = not section.relevant or truthy(section.relevant, Context(values, today=today))
        for q in section.questions:
            on = section_on and (not q.relevant or truthy(q.relevant, Context(values, today=today)))
            if not on:
                values.pop(q.name, None)
                continue
            shown.append(q.name)
            if q.type == "calculate":
                result = to_string(evaluate(q.calculation, Context(values, today=today)))
                if result:
                    values[q.name] = result
                continue
            error = _check_answer(form, q, values, bad.get(q.name), answers, territories, today)
            if error is not None:
                errors.append(error)
                values.pop(q.name, None)
    return CleanedAnswers(values, tuple(errors), tuple(shown))


def _check_answer(
    form: Questionnaire,
    q: Question,
    values: dict[str, Answer],
    bad: str | None,
    answers: Mapping[str, object],
    territories: Territories | None,
    today: date | None,
) -> AnswerError | None:
    def error(code: str, custom: Text = _NO_TEXT, **params: object) -> AnswerError:
        return AnswerError(q.name, code, ANSWER_MESSAGES[code], params, custom)

    if bad is not None:
        return error(bad, limit=MAX_TEXT) if bad == "length" else error(bad)
    value = values.get(q.name)
    if value is None:
        return error("required", q.required_message) if q.required else None
    if q.type in ("select_one", "select_multiple") or (
        q.type == "neighbourhood" and territories is not None
    ):
        offered = [
            c.name for c in choices_for(form, q, values, territories=territories, today=today)
        ]
        picked = value if isinstance(value, tuple) else (str(value),)
        if any(p not in offered for p in picked):
            return error("choice")
        if isinstance(value, tuple):
            values[q.name] = tuple(c for c in offered if c in picked)  # in the list's order
    if isinstance(value, int | float) and q.minimum is not None and value < q.minimum:
        return error("minimum", q.constraint_message, minimum=to_string(float(q.minimum)))
    if isinstance(value, int | float) and q.maximum is not None and value > q.maximum:
        return error("maximum", q.constraint_message, maximum=to_string(float(q.maximum)))
    current = str(answers.get(q.name)).strip() if q.type == "postal_code" else values[q.name]
    if q.constraint and not truthy(q.constraint, Context(values, current, today=today)):
        return error("constraint", q.constraint_message)
    return None


def validate_answers(
    form: Questionnaire,
    answers: Mapping[str, object],
    *,
    territories: Territories | None = None,
    today: date | None = None,
) -> list[AnswerError]:
    """Return the errors in one respondent's answers (see clean_answers for the rules)."""
    return list(clean_answers(form, answers, territories=territories, today=today).errors)


def relevant_questions(
    form: Questionnaire, answers: Mapping[str, object], *, today: date | None = None
) -> list[Question]:
    """Return the questions shown to a respondent with these answers (server-side skip logic)."""
    shown = set(clean_answers(form, answers, today=today).relevant)
    return [q for q in form.questions() if q.name in shown]
