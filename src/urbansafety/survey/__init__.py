"""Questionnaires: the model, XLSForm import and export, answer checks.

>>> from urbansafety.survey import read_xlsform, clean_answers
>>> form = read_xlsform("surveys/safety.xlsx")          # doctest: +SKIP
>>> clean_answers(form, {"consent": "yes"}).errors     # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from urbansafety.survey.answers import (
    AnswerError,
    CleanedAnswers,
    Territories,
    choices_for,
    clean_answers,
    relevant_questions,
    validate_answers,
)
from urbansafety.survey.evaluate import Context, evaluate, truthy
from urbansafety.survey.expressions import ExpressionError, parse
from urbansafety.survey.model import (
    Choice,
    Question,
    Questionnaire,
    QuestionnaireError,
    Section,
    Text,
)
from urbansafety.survey.postal import fsa

if TYPE_CHECKING:
    from urbansafety.survey.xlsform import read_xlsform
    from urbansafety.survey.xlsform_check import XLSFormError
    from urbansafety.survey.xlsform_write import write_xlsform

__all__ = [
    "AnswerError",
    "Choice",
    "CleanedAnswers",
    "Context",
    "ExpressionError",
    "Question",
    "Questionnaire",
    "QuestionnaireError",
    "Section",
    "Territories",
    "Text",
    "XLSFormError",
    "choices_for",
    "clean_answers",
    "evaluate",
    "fsa",
    "parse",
    "read_xlsform",
    "relevant_questions",
    "truthy",
    "validate_answers",
    "write_xlsform",
]


def __getattr__(name: str) -> object:
    # pyxform and openpyxl are loaded only when a form is read or written.
    if name in ("XLSFormError", "read_xlsform"):
        from urbansafety.survey import xlsform

        return getattr(xlsform, name)
    if name == "write_xlsform":
        from urbansafety.survey import xlsform_write

        return xlsform_write.write_xlsform
    raise AttributeError(name)
