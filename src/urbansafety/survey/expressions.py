"""A safe parser and evaluator for the subset of XLSForm expressions a questionnaire uses.

Expressions in ``relevant``, ``constraint``, ``calculation`` and ``choice_filter`` are
tokenised, parsed into a tree of frozen dataclasses and evaluated by walking that tree;
nothing is ever handed to ``eval`` or ``exec``. Values follow XPath 1.0 as ODK Collect and
Enketo apply it: an unanswered question is the empty string, a multiple-choice answer is its
choice names separated by spaces, a date compares as a number of days.

=============================  ================================================================
Written                        Meaning
=============================  ================================================================
``${q}``                       the answer to question ``q`` (``''`` when unanswered)
``.``                          the answer being checked (in a ``constraint``)
``name``, ``district``         a column of the choice being filtered (in a ``choice_filter``)
``'oui'``, ``"l'été"``, ``3``  text and numbers
``=  !=  <  <=  >  >=``        comparisons (numbers when either side is a number)
``and  or  not(x)``            logic
``+  -  *  div  mod``          arithmetic
``( )``                        grouping
``selected(${q}, 'x')``        ``x`` is among the choices ticked in ``q``
``count-selected(${q})``       how many choices are ticked in ``q``
``string-length(x)``           number of characters
``regex(x, '^H[0-9]')``        ``x`` matches the regular expression (Python ``re.search``)
``contains(x, 'y')``           ``x`` contains ``y``
``if(c, a, b)``                ``a`` when ``c`` is true, else ``b``
``coalesce(a, b)``             ``a`` unless it is empty, else ``b``
``concat(a, b, ...)``          text joined
``int(x)``, ``string(x)``      conversions; ``int`` truncates toward zero
``number(x)``                  conversion; ``NaN`` when ``x`` is not a number
``today()``                    today's date
``true()``, ``false()``        the two booleans
=============================  ================================================================

Paths (``/data/q``, ``../q``), predicates (``[...]``), ``@attributes``, unions (``|``) and
other functions (``pulldata``, ``jr:choice-name``, ``indexed-repeat`` …) are refused with an
:class:`ExpressionError` that gives the position and a hint. Expressions come from the form's
author, not from respondents; still, their length and nesting are bounded, and evaluation
never raises on any answer (division by zero gives Infinity or NaN, as in XPath).

References
----------
ODK XForms specification, "XPath functions": https://getodk.github.io/xforms-spec/
XML Path Language (XPath) 1.0, W3C Recommendation, 1999, §3.4 (comparisons).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from urbansafety.errors import InputError
from urbansafety.i18n import N_
from urbansafety.survey.expression_tree import (
    PRECEDENCE,
    Binary,
    Call,
    Current,
    Field,
    Negate,
    Node,
    Number,
    Ref,
    String,
    depth,
)

MAX_LENGTH = 10_000
MAX_NESTING = 40
MAX_DEPTH = 200


# kind -> (message, hint); messages are English msgids, translated when shown.
MESSAGES: dict[str, tuple[str, str]] = {
    "empty": (N_("The expression is empty."), N_("Write an expression or leave the cell empty.")),
    "length": (N_("The expression is longer than %(limit)s characters."), N_("Split it into several questions or calculations.")),
    "quote": (N_("Unclosed quote at position %(position)s."), N_("Close the text with the same quote it starts with.")),
    "reference": (N_("“%(text)s” at position %(position)s is not a question reference."), N_("Write ${name} with the name of a question, e.g. ${age}.")),
    "path": (N_("Paths and filters (/, .., [ ], @, |) are not supported (position %(position)s)."), N_("Refer to another question with ${name}.")),
    "character": (N_("Unexpected character “%(text)s” at position %(position)s."), N_("Check the spelling: ${name}, 'text', numbers, = != < > and or not().")),
    "token": (N_("Unexpected “%(text)s” at position %(position)s."), N_("Check for a missing operator, comma or parenthesis.")),
    "end": (N_("The expression ends too early."), N_("Complete it, or close its parentheses, or remove the operator or comma at the end.")),
    "nesting": (N_("The expression is nested too deeply (position %(position)s)."), N_("Split it, or remove unneeded parentheses.")),
    "function": (N_("Unknown function %(text)s() at position %(position)s."), N_("Supported functions: %(functions)s.")),
    "arity": (N_("%(text)s() takes %(expected)s argument(s), not %(given)s (position %(position)s)."), N_("Check the commas between the arguments.")),
    "regex": (N_("Invalid regular expression at position %(position)s: %(detail)s."), N_("Check the brackets and backslashes of the pattern.")),
}  # fmt: skip


class ExpressionError(InputError):
    """An expression cannot be parsed: ``kind`` says why, ``position`` where (0-based)."""

    code = "US110"

    def __init__(self, kind: str, expression: str, position: int, **params: object) -> None:
        message, hint = MESSAGES[kind]
        super().__init__(message, hint, None, {"position": position + 1, "text": "", **params})
        self.kind = kind
        self.expression = expression
        self.position = position


# ---------------------------------------------------------------------------- parsing

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<ref>\$\{(?P<refname>[^}]*)\})
    |(?P<num>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)
    |(?P<str>'[^']*'|"[^"]*")
    |(?P<op>!=|<=|>=|=|<|>|\+|-|\*|\(|\)|,)
    |(?P<name>[^\W\d][\w.\-]*(?::[^\W\d][\w.\-]*)?)
    |(?P<dot>\.(?![.\w]))
    """,
    re.VERBOSE,
)
_NAME = re.compile(r"[^\W\d][\w.\-]*\Z")
_KEYWORDS = {"and", "or", "div", "mod"}
# (minimum, maximum) number of arguments; None = any number.
ARITY: dict[str, tuple[int, int | None]] = {
    "not": (1, 1), "selected": (2, 2), "count-selected": (1, 1), "string-length": (1, 1),
    "regex": (2, 2), "contains": (2, 2), "if": (3, 3), "coalesce": (2, 2), "concat": (1, None),
    "int": (1, 1), "number": (1, 1), "string": (1, 1), "today": (0, 0), "true": (0, 0),
    "false": (0, 0),
}  # fmt: skip


@dataclass(frozen=True)
class _Token:
    kind: str  # num str ref name op dot end
    text: str
    pos: int


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if m is None:
            char = source[pos]
            if char in "'\"":
                raise ExpressionError("quote", source, pos)
            if source.startswith("${", pos):
                raise ExpressionError("reference", source, pos, text=source[pos : pos + 20])
            if char in "/[]@|" or source.startswith("..", pos):
                raise ExpressionError("path", source, pos)
            raise ExpressionError("character", source, pos, text=char)
        kind, text = m.lastgroup or "", m.group()
        if kind == "ref":
            if not _NAME.match(m.group("refname")):
                raise ExpressionError("reference", source, pos, text=text)
            text = m.group("refname")
        prev = tokens[-1] if tokens else None
        # XPath's rule: after an operand, "and", "or", "div", "mod" and "*" are operators.
        after_operand = prev is not None and (prev.kind not in ("op", "end") or prev.text == ")")
        if kind == "name" and text in _KEYWORDS and after_operand:
            kind = "op"
        elif text == "*" and not after_operand:
            raise ExpressionError("path", source, pos)
        if kind != "ws":
            tokens.append(_Token(kind, text, pos))
        pos = m.end()
    tokens.append(_Token("end", "", len(source)))
    return tokens


class _Parser:
    """Recursive descent over the precedence levels of PRECEDENCE (1 = or … 6 = * div mod)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = _tokenize(source)
        self.i = 0
        self.nesting = 0

    def at(self, text: str) -> bool:
        tok = self.tokens[self.i]
        return tok.kind == "op" and tok.text == text

    def take(self) -> _Token:
        self.i += 1
        return self.tokens[self.i - 1]

    def fail(self, tok: _Token) -> ExpressionError:
        if tok.kind == "end":
            return ExpressionError("end", self.source, tok.pos)
        return ExpressionError("token", self.source, tok.pos, text=tok.text)

    def expect_close(self) -> _Token:
        if not self.at(")"):
            raise self.fail(self.tokens[self.i])
        self.nesting -= 1
        return self.take()

    def nest(self, tok: _Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise ExpressionError("nesting", self.source, tok.pos)

    def binary(self, level: int) -> Node:
        if level > 6:
            return self.unary()
        left = self.binary(level + 1)
        while (tok := self.tokens[self.i]).kind == "op" and PRECEDENCE.get(tok.text) == level:
            self.take()
            right = self.binary(level + 1)
            left = Binary(tok.text, left, right, start=left.start, end=right.end)
        return left

    def unary(self) -> Node:
        tok = self.take()
        end = tok.pos + len(tok.text)
        if tok.kind == "op" and tok.text == "-":
            self.nest(tok)
            operand = self.unary()
            self.nesting -= 1
            return Negate(operand, start=tok.pos, end=operand.end)
        if tok.kind == "num":
            return Number(tok.text, start=tok.pos, end=end)
        if tok.kind == "str":
            return String(tok.text[1:-1], start=tok.pos, end=end)
        if tok.kind == "ref":
            return Ref(tok.text, start=tok.pos, end=end + 3)
        if tok.kind == "dot":
            return Current(start=tok.pos, end=end)
        if tok.kind == "op" and tok.text == "(":
            self.nest(tok)
            inner = self.binary(1)
            close = self.expect_close()
            # Parentheses are not a node; the span widens so that a slice keeps them.
            return replace(inner, start=tok.pos, end=close.pos + 1)
        if tok.kind == "name" and self.at("("):
            return self.call(tok)
        if tok.kind == "name":
            return Field(tok.text, start=tok.pos, end=end)
        raise self.fail(tok)

    def call(self, tok: _Token) -> Node:
        if tok.text not in ARITY:
            functions = ", ".join(sorted(ARITY))
            raise ExpressionError(
                "function", self.source, tok.pos, text=tok.text, functions=functions
            )
        self.nest(self.take())
        args: list[Node] = []
        while not self.at(")"):
            if args and not self.at(","):
                raise self.fail(self.tokens[self.i])
            if args:
                self.take()
            args.append(self.binary(1))
        close = self.expect_close()
        low, high = ARITY[tok.text]
        if len(args) < low or (high is not None and len(args) > high):
            expected = str(low) if low == high else f"{low}+"
            raise ExpressionError(
                "arity", self.source, tok.pos, text=tok.text, expected=expected, given=len(args)
            )
        if tok.text == "regex" and isinstance(args[1], String):
            try:
                re.compile(args[1].value)
            except re.error as exc:
                raise ExpressionError("regex", self.source, args[1].start, detail=str(exc)) from exc
        return Call(tok.text, tuple(args), start=tok.pos, end=close.pos + 1)


@lru_cache(maxsize=2048)
def parse(source: str) -> Node:
    """Return the expression tree of source; raise ExpressionError with a position if invalid."""
    if len(source) > MAX_LENGTH:
        raise ExpressionError("length", source, MAX_LENGTH, limit=MAX_LENGTH)
    if not source.strip():
        raise ExpressionError("empty", source, 0)
    parser = _Parser(source)
    node = parser.binary(1)
    if parser.tokens[parser.i].kind != "end":
        raise parser.fail(parser.tokens[parser.i])
    if depth(node) > MAX_DEPTH:
        raise ExpressionError("nesting", source, 0)
    return node
