"""The XLSForm expression subset: XLSForm/Enketo semantics, positioned errors, no crash on junk."""

from __future__ import annotations

import contextlib
import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from urbansafety.errors import InputError
from urbansafety.survey.evaluate import Context, evaluate, to_number, to_string, truthy
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
    references,
)
from urbansafety.survey.expressions import ARITY, ExpressionError, parse

ANSWERS = {
    "consent": "yes",
    "age": 34,
    "height": 1.75,
    "places": ("parks", "metro"),
    "empty": "",
    "born": date(1990, 5, 17),
    "name": "l'été",
}
TODAY = date(2026, 11, 23)


def ctx(current: object = None, **fields: str) -> Context:
    return Context(ANSWERS, current=current, fields=fields, today=TODAY)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("${consent} = 'yes'", True),
        ("${consent} != 'yes'", False),
        ("${missing} = 'yes'", False),  # unanswered is the empty string
        ("${missing} = ''", True),
        ("not(${missing} = 'x')", True),
        ("${age} >= 18 and ${age} < 65", True),
        ("${age} = 34", True),
        ("${age} = '34'", True),
        ("${missing} > 15", False),  # '' is NaN as a number: every comparison is false
        ("${missing} < 15", False),
        ("${height} > 1.7", True),
        ("selected(${places}, 'metro')", True),
        ("selected(${places}, 'bus')", False),
        ("selected(${missing}, 'bus')", False),
        ("count-selected(${places}) = 2", True),
        ("count-selected(${missing}) = 0", True),
        ("${consent} = 'no' or ${age} > 30", True),
        ("not(${consent} = 'yes' and ${age} > 30)", False),
        ("'10' > '9'", True),  # relational operators compare numbers
        ("'abc' = 'abc'", True),
        ("${born} < today()", True),
        ("today() - ${born} > 365 * 30", True),
        ("${born} = '1990-05-17'", True),
        ("string-length(${name}) = 5", True),
        ("contains(${name}, 'ét')", True),
        ("regex(${consent}, '^y')", True),
        ("if(${age} > 30, 'old', 'young') = 'old'", True),
        ("coalesce(${missing}, 'fallback') = 'fallback'", True),
        ("concat(${consent}, '-', ${age}) = 'yes-34'", True),
        ("true() and not(false())", True),
        ("${consent} = true()", True),  # a boolean side makes both booleans
    ],
)
def test_truthy_follows_xlsform(source: str, expected: bool) -> None:
    assert truthy(source, ctx()) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("10 - 4 - 3", 3.0),  # left-associative
        ("7 div 2", 3.5),
        ("7 mod 3", 1.0),
        ("-7 mod 3", -1.0),  # XPath mod keeps the sign of the dividend
        ("- -2", 2.0),
        ("int(-2.7)", -2.0),
        ("number('3.5') + 1", 4.5),
        ("${age} + 1", 35.0),
    ],
)
def test_arithmetic(source: str, expected: float) -> None:
    assert evaluate(source, ctx()) == expected


def test_division_by_zero_gives_xpath_values_not_exceptions() -> None:
    assert evaluate("1 div 0", ctx()) == math.inf
    assert evaluate("-1 div 0", ctx()) == -math.inf
    assert math.isnan(float(evaluate("0 div 0", ctx())))
    assert math.isnan(float(evaluate("5 mod 0", ctx())))
    assert to_string(evaluate("1 div 0", ctx())) == "Infinity"


def test_current_value_and_choice_columns() -> None:
    exclusive = "not(selected(., 'none') and count-selected(.) > 1)"
    assert truthy(exclusive, ctx(current=("none",)))
    assert not truthy(exclusive, ctx(current=("none", "parks")))
    assert truthy(". >= 15 and . <= 120", ctx(current=15))
    assert not truthy(". >= 15 and . <= 120", ctx(current="121"))
    cascade = "district = ${consent} and name != 'x'"
    assert truthy(cascade, ctx(district="yes", name="a"))
    assert not truthy(cascade, ctx(district="no", name="a"))


def test_today_is_injectable() -> None:
    assert evaluate("today()", Context(today=TODAY)) == TODAY
    assert isinstance(evaluate("today()"), date)


@pytest.mark.parametrize(
    ("source", "kind", "position"),
    [
        ("", "empty", 1),
        ("${age", "reference", 1),
        ("${} = 1", "reference", 1),
        ("${a b} = 1", "reference", 1),
        ("/data/age > 1", "path", 1),
        ("../age > 1", "path", 1),
        ("${a}[1]", "path", 5),
        ("${a} | ${b}", "path", 6),
        ("@id", "path", 1),
        ("${a} = 'x", "quote", 8),
        ("${a} = # 1", "character", 8),
        ("${a} = ", "end", 8),
        ("not(${a}", "end", 9),
        ("${a} 'x'", "token", 6),
        ("(1))", "token", 4),
        ("pulldata('f', 'x')", "function", 1),
        ("jr:choice-name(${a}, '${a}')", "function", 1),
        ("__import__('os')", "function", 1),
        ("not(1, 2)", "arity", 1),
        ("selected(${a})", "arity", 1),
        ("regex(., '[a-')", "regex", 10),
        ("(" * 50 + "1" + ")" * 50, "nesting", 41),
        (" or ".join(["1"] * 300), "nesting", 1),
    ],
)
def test_errors_say_what_and_where(source: str, kind: str, position: int) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(source)
    err = caught.value
    assert err.kind == kind
    assert err.params["position"] == position
    assert err.hint
    assert isinstance(err, InputError)


def test_error_message_names_the_token() -> None:
    with pytest.raises(ExpressionError, match=r"Unknown function pulldata\(\) at position 1"):
        parse("pulldata('f', 'x')")
    with pytest.raises(ExpressionError, match="Unexpected “'x'” at position 6"):
        parse("${a} 'x'")


def test_references_in_source_order() -> None:
    node = parse("${b} = 1 and selected(${a}, 'x') or ${b} = 2")
    assert [r.name for r in references(node)] == ["b", "a", "b"]


def test_keywords_are_names_where_an_operand_is_expected() -> None:
    # XPath's rule: "and", "div"… are operators only after an operand.
    assert parse("and = 'x'") == Binary("=", Field("and"), String("x"))
    assert parse("x-1") == Field("x-1")  # a name may hold '-', as in XPath
    assert parse("x - 1") == Binary("-", Field("x"), Number("1"))


def test_spans_cover_parentheses() -> None:
    source = ". >= 1 and (${a} = 'x' or ${b} = 'y')"
    node = parse(source)
    assert isinstance(node, Binary)
    assert source[node.right.start : node.right.end] == "(${a} = 'x' or ${b} = 'y')"


# ------------------------------------------------------------------ properties

NAMES = st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True).filter(
    lambda n: n not in ("and", "or", "div", "mod") and n not in ARITY
)
TOKENS = [
    "${a}", "${b}", ".", "'x'", '"y"', "1", "2.5", "=", "!=", "<", "<=", ">", ">=", "and", "or",
    "not(", "selected(", "count-selected(", "(", ")", ",", "+", "-", "*", "div", "mod", "name",
    "today()", "/", "[", "]", "${", "}", "'", "@", "..", "$", "#", "if(", "regex(",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=14), st.sampled_from(["", " "]))
def test_token_soup_parses_or_raises_expression_error(tokens: list[str], sep: str) -> None:
    source = sep.join(tokens)
    try:
        node = parse(source)
    except ExpressionError as exc:
        assert 1 <= exc.params["position"] <= len(source) + 1
        return
    assert parse(str(node)) == node
    value = evaluate(node, Context({"a": "x", "b": ("1", "2")}, current="3", fields={"name": "x"}))
    assert isinstance(value, str | float | bool | date)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_parses_or_raises_expression_error(source: str) -> None:
    with contextlib.suppress(ExpressionError):
        parse(source)


def _trees() -> st.SearchStrategy[Node]:
    leaves = st.one_of(
        st.from_regex(r"[0-9]{1,4}(\.[0-9]{0,2})?", fullmatch=True).map(Number),
        st.text(st.sampled_from("ab 'é"), max_size=4).map(String),
        st.text(st.sampled_from('ab "'), max_size=4).map(String),
        NAMES.map(Ref),
        NAMES.map(Field),
        st.just(Current()),
    )
    ops = sorted({"or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod"})

    def extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        unary_calls = st.sampled_from(["not", "count-selected", "string-length", "int"])
        return st.one_of(
            st.builds(Binary, st.sampled_from(ops), children, children),
            st.builds(Negate, children),
            st.builds(lambda n, a: Call(n, (a,)), unary_calls, children),
            st.builds(lambda a, b: Call("selected", (a, b)), children, children),
            st.builds(lambda a, b, c: Call("if", (a, b, c)), children, children, children),
        )

    return st.recursive(leaves, extend, max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(_trees())
def test_unparse_then_parse_gives_the_same_tree(tree: Node) -> None:
    assert parse(str(tree)) == tree


# A tiny reference evaluator: each generated expression carries the value Python gives it.
NUMBERS = {"n1": 3, "n2": -4, "n3": 10}
TEXTS = {"s1": "oui", "s2": "non"}


def _numeric() -> st.SearchStrategy[tuple[str, float]]:
    leaves = st.one_of(
        st.integers(0, 20).map(lambda k: (str(k), float(k))),
        st.sampled_from(sorted(NUMBERS)).map(lambda n: (f"${{{n}}}", float(NUMBERS[n]))),
    )

    def extend(
        children: st.SearchStrategy[tuple[str, float]],
    ) -> st.SearchStrategy[tuple[str, float]]:
        def combine(op: str, a: tuple[str, float], b: tuple[str, float]) -> tuple[str, float]:
            value = {"+": a[1] + b[1], "-": a[1] - b[1], "*": a[1] * b[1]}[op]
            return f"({a[0]} {op} {b[0]})", value

        negate = children.map(lambda a: (f"-{a[0]}", -a[1]))
        return st.one_of(st.builds(combine, st.sampled_from("+-*"), children, children), negate)

    return st.recursive(leaves, extend, max_leaves=6)


def _boolean() -> st.SearchStrategy[tuple[str, bool]]:
    def compare(op: str, a: tuple[str, float], b: tuple[str, float]) -> tuple[str, bool]:
        table = {"=": a[1] == b[1], "!=": a[1] != b[1], "<": a[1] < b[1], ">=": a[1] >= b[1]}
        return f"{a[0]} {op} {b[0]}", table[op]

    def text_equal(name: str, literal: str) -> tuple[str, bool]:
        return f"${{{name}}} = '{literal}'", TEXTS[name] == literal

    leaves = st.one_of(
        st.builds(compare, st.sampled_from(["=", "!=", "<", ">="]), _numeric(), _numeric()),
        st.builds(text_equal, st.sampled_from(sorted(TEXTS)), st.sampled_from(["oui", "non"])),
    )

    def extend(
        children: st.SearchStrategy[tuple[str, bool]],
    ) -> st.SearchStrategy[tuple[str, bool]]:
        both = st.tuples(children, children)
        return st.one_of(
            both.map(lambda p: (f"({p[0][0]} and {p[1][0]})", p[0][1] and p[1][1])),
            both.map(lambda p: (f"({p[0][0]} or {p[1][0]})", p[0][1] or p[1][1])),
            children.map(lambda a: (f"not({a[0]})", not a[1])),
        )

    return st.recursive(leaves, extend, max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(_numeric())
def test_arithmetic_agrees_with_python(case: tuple[str, float]) -> None:
    source, expected = case
    # A reference alone is the answer's text, as in XPath; number() of it is the number.
    assert to_number(evaluate(source, Context({**NUMBERS, **TEXTS}))) == expected


@settings(max_examples=300, deadline=None)
@given(_boolean())
def test_logic_agrees_with_python(case: tuple[str, bool]) -> None:
    source, expected = case
    assert truthy(source, Context({**NUMBERS, **TEXTS})) is expected
