"""Evaluation of parsed XLSForm expressions, with XPath 1.0 value semantics.

Values follow XPath 1.0 as ODK Collect and Enketo apply it: an unanswered question is the empty
string, a multiple-choice answer is its choice names separated by spaces, a date compares as a
number of days. Evaluation never raises on any answer (division by zero gives Infinity or NaN).
See ``expressions.py`` for the syntax and the parser.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from urbansafety.survey.expression_tree import (
    Binary,
    Call,
    Current,
    Field,
    Negate,
    Node,
    Number,
    Ref,
    String,
)
from urbansafety.survey.expressions import parse

EPOCH = date(1970, 1, 1)

Value = str | float | bool | date

_NUMBER = re.compile(r"\s*-?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*\Z")
_ISO_DATE = re.compile(r"\s*([0-9]{4})-([0-9]{2})-([0-9]{2})\s*\Z")


def to_number(value: Value) -> float:
    """Return value as an XPath number (NaN when it is not one); a date is days since 1970."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, date):
        return float((value - EPOCH).days)
    if _NUMBER.match(value):
        return float(value)
    m = _ISO_DATE.match(value)
    if m:
        try:
            return float((date(int(m[1]), int(m[2]), int(m[3])) - EPOCH).days)
        except ValueError:
            return math.nan
    return math.nan


def format_number(x: float) -> str:
    """Return x written as XPath's string(): 3, 2.5, NaN, Infinity; never an exponent."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == int(x):
        return str(int(x))
    text = repr(x)
    if "e" in text:
        text = f"{x:.20f}".rstrip("0")
    return text


def to_string(value: Value) -> str:
    """Return value as XPath's string()."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_boolean(value: Value) -> bool:
    """Return value as XPath's boolean(): non-empty text, non-zero number."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, date):
        return True
    return value != ""


def as_value(answer: object) -> Value:
    """Return a stored answer as the text XLSForm sees: '' if none, choices joined by spaces."""
    if answer is None:
        return ""
    if isinstance(answer, bool):
        return "true" if answer else "false"
    if isinstance(answer, int | float):
        try:
            return format_number(float(answer))
        except OverflowError:
            return str(answer)
    if isinstance(answer, date):
        return answer.isoformat()
    if isinstance(answer, list | tuple | set | frozenset):
        return " ".join(str(a) for a in answer)
    return str(answer)


# ---------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Context:
    """What an expression is evaluated against: answers, the current answer, choice columns."""

    answers: Mapping[str, object] = field(default_factory=dict)
    current: object = None
    fields: Mapping[str, str] = field(default_factory=dict)
    today: date | None = None


def _compare(op: str, a: Value, b: Value) -> bool:
    if op in ("=", "!="):
        if isinstance(a, bool) or isinstance(b, bool):
            equal = to_boolean(a) == to_boolean(b)
        elif isinstance(a, float | date) or isinstance(b, float | date):
            equal = to_number(a) == to_number(b)
        else:
            equal = a == b
        return equal if op == "=" else not equal
    x, y = to_number(a), to_number(b)
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def _div(x: float, y: float) -> float:
    if y != 0:
        return x / y
    return math.nan if x == 0 or math.isnan(x) else math.copysign(math.inf, x * math.copysign(1, y))


def _mod(x: float, y: float) -> float:
    return math.nan if y == 0 or math.isinf(x) else math.fmod(x, y)


_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "div": _div, "mod": _mod,
}  # fmt: skip


def _regex(text: str, pattern: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def _int(x: float) -> float:
    return x if math.isnan(x) or math.isinf(x) else float(math.trunc(x))


_FUNCTIONS: dict[str, Callable[[Context, list[Value]], Value]] = {
    "not": lambda c, a: not to_boolean(a[0]),
    "selected": lambda c, a: to_string(a[1]).strip() in to_string(a[0]).split(),
    "count-selected": lambda c, a: float(len(to_string(a[0]).split())),
    "string-length": lambda c, a: float(len(to_string(a[0]))),
    "regex": lambda c, a: _regex(to_string(a[0]), to_string(a[1])),
    "contains": lambda c, a: to_string(a[1]) in to_string(a[0]),
    "if": lambda c, a: a[1] if to_boolean(a[0]) else a[2],
    "coalesce": lambda c, a: a[0] if to_string(a[0]) != "" else a[1],
    "concat": lambda c, a: "".join(to_string(v) for v in a),
    "int": lambda c, a: _int(to_number(a[0])),
    "number": lambda c, a: to_number(a[0]),
    "string": lambda c, a: to_string(a[0]),
    "today": lambda c, a: c.today or date.today(),
    "true": lambda c, a: True,
    "false": lambda c, a: False,
}


def evaluate(expression: Node | str, context: Context | None = None) -> Value:
    """Return the value of expression (a tree or its text) against context; never raises on data."""
    node = parse(expression) if isinstance(expression, str) else expression
    return _eval(node, context or Context())


def truthy(expression: Node | str, context: Context | None = None) -> bool:
    """Return the boolean value of expression, as a relevant or constraint cell is read."""
    return to_boolean(evaluate(expression, context))


def _eval(node: Node, ctx: Context) -> Value:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, String):
        return node.value
    if isinstance(node, Ref):
        return as_value(ctx.answers.get(node.name))
    if isinstance(node, Current):
        return as_value(ctx.current)
    if isinstance(node, Field):
        return ctx.fields.get(node.name, "")
    if isinstance(node, Negate):
        return -to_number(_eval(node.operand, ctx))
    if isinstance(node, Call):
        return _FUNCTIONS[node.name](ctx, [_eval(a, ctx) for a in node.args])
    assert isinstance(node, Binary)
    if node.op == "and":
        return to_boolean(_eval(node.left, ctx)) and to_boolean(_eval(node.right, ctx))
    if node.op == "or":
        return to_boolean(_eval(node.left, ctx)) or to_boolean(_eval(node.right, ctx))
    left, right = _eval(node.left, ctx), _eval(node.right, ctx)
    if node.op in ("=", "!=", "<", "<=", ">", ">="):
        return _compare(node.op, left, right)
    return _ARITHMETIC[node.op](to_number(left), to_number(right))
