"""The tree of a parsed XLSForm expression: its nodes, their canonical text and walks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Node:
    """Base of the expression tree; ``start``/``end`` locate it in the source (not compared)."""

    start: int = field(default=0, compare=False, repr=False, kw_only=True)
    end: int = field(default=0, compare=False, repr=False, kw_only=True)

    def __str__(self) -> str:
        return unparse(self)


@dataclass(frozen=True)
class Number(Node):
    text: str

    @property
    def value(self) -> float:
        return float(self.text)


@dataclass(frozen=True)
class String(Node):
    value: str


@dataclass(frozen=True)
class Ref(Node):
    name: str


@dataclass(frozen=True)
class Current(Node):
    pass


@dataclass(frozen=True)
class Field(Node):
    name: str


@dataclass(frozen=True)
class Negate(Node):
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call(Node):
    name: str
    args: tuple[Node, ...]


PRECEDENCE = {
    "or": 1, "and": 2, "=": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4,
    "+": 5, "-": 5, "*": 6, "div": 6, "mod": 6,
}  # fmt: skip
_UNARY = 7
_ATOM = 8


def _prec(node: Node) -> int:
    if isinstance(node, Binary):
        return PRECEDENCE[node.op]
    return _UNARY if isinstance(node, Negate) else _ATOM


def unparse(node: Node) -> str:
    """Return the canonical text of node: parse(unparse(n)) == n."""
    if isinstance(node, Number):
        return node.text
    if isinstance(node, String):
        return f'"{node.value}"' if "'" in node.value else f"'{node.value}'"
    if isinstance(node, Ref):
        return f"${{{node.name}}}"
    if isinstance(node, Current):
        return "."
    if isinstance(node, Field):
        return node.name
    if isinstance(node, Call):
        return f"{node.name}({', '.join(unparse(a) for a in node.args)})"
    if isinstance(node, Negate):
        inner = unparse(node.operand)
        return f"-({inner})" if _prec(node.operand) < _UNARY else f"-{inner}"
    assert isinstance(node, Binary)
    p = PRECEDENCE[node.op]
    left, right = unparse(node.left), unparse(node.right)
    if _prec(node.left) < p:
        left = f"({left})"
    if _prec(node.right) <= p:  # operators are left-associative
        right = f"({right})"
    return f"{left} {node.op} {right}"


def children(node: Node) -> tuple[Node, ...]:
    """Return the nodes directly below node."""
    if isinstance(node, Negate):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    return node.args if isinstance(node, Call) else ()


def walk(node: Node) -> Iterator[Node]:
    """Yield node and every node below it, in source order, without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def depth(node: Node) -> int:
    """Return the number of levels of node's tree, without recursion."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children(current))
    return deepest


def references(node: Node) -> list[Ref]:
    """Return the ${name} references in node, in source order."""
    return sorted((n for n in walk(node) if isinstance(n, Ref)), key=lambda n: n.start)
