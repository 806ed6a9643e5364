"""Bounds of a number question: the . >= MIN and/or . <= MAX its constraint starts with."""

from __future__ import annotations

from urbansafety.survey.expressions import (
    Binary,
    Current,
    ExpressionError,
    Negate,
    Node,
    Number,
    parse,
)


def _bound(node: Node) -> float | None:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Negate) and isinstance(node.operand, Number):
        return -node.operand.value
    return None


def split_bounds(constraint: str) -> tuple[float | None, float | None, str]:
    """Return (minimum, maximum, rest) of a constraint that starts with . >= MIN and/or . <= MAX."""
    try:
        node = parse(constraint)
    except ExpressionError:
        return None, None, constraint  # the questionnaire check reports it
    parts: list[Node] = []
    while isinstance(node, Binary) and node.op == "and":
        parts.insert(0, node.right)
        node = node.left
    parts.insert(0, node)
    low = high = None
    while parts:
        part = parts[0]
        if not (
            isinstance(part, Binary) and part.op in (">=", "<=") and isinstance(part.left, Current)
        ):
            break
        value = _bound(part.right)
        if value is None or (low if part.op == ">=" else high) is not None:
            break
        low, high = (value, high) if part.op == ">=" else (low, value)
        parts.pop(0)
    if not parts:
        return low, high, ""
    rest = constraint[parts[0].start : parts[-1].end].strip()
    if len(parts) == 1 and rest.startswith("(") and rest.endswith(")"):
        try:
            if parse(rest[1:-1]) == parts[0]:
                rest = rest[1:-1].strip()  # the parentheses write_xlsform adds
        except ExpressionError:
            pass
    return low, high, rest
