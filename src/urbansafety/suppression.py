"""Cell suppression on a table's lines: the small-count rule, complementary cells, the LP audit."""

from __future__ import annotations

import heapq

import numpy as np
import pandas as pd
from scipy.optimize import linprog

# A pinned cell has max - min < 1; the tolerance absorbs the LP solver's rounding.
_PINNED = 1.0 - 1e-6


def small_count_mask(counts: pd.Series | np.ndarray, threshold: int) -> np.ndarray:
    """Return the mask of counts that must be suppressed: 1 ≤ count < threshold (0 may be shown)."""
    values = np.asarray(counts, dtype=float)
    return (values >= 1) & (values < threshold)


# Lines are the table's equations: the cells of line k (flat indices into the table) add up to
# its total cell. A row total gives one line per row, a column total one line per column.
_Lines = list[tuple[np.ndarray, int]]


def _lines(shape: tuple[int, int], row_total: bool, column_total: bool) -> _Lines:
    n_rows, n_cols = shape
    flat = np.arange(n_rows * n_cols).reshape(shape)
    lines: _Lines = []
    if row_total:
        lines += [(flat[i, :-1], int(flat[i, -1])) for i in range(n_rows)]
    if column_total:
        lines += [(flat[:-1, j], int(flat[-1, j])) for j in range(n_cols)]
    return lines


def _exposed(cells: np.ndarray, mask: np.ndarray, lines: _Lines) -> list[tuple[int, float, float]]:
    """Return (cell, min, max) for each suppressed cell the published cells and totals pin."""
    unknown = np.flatnonzero(mask)
    column_of = {int(c): k for k, c in enumerate(unknown)}
    rows, rhs = [], []
    for members, total in lines:
        if not (mask[members].any() or mask[total]):
            continue
        row = np.zeros(len(unknown))
        known = 0.0
        for term, sign in [*((int(m), 1.0) for m in members), (total, -1.0)]:
            if mask[term]:
                row[column_of[term]] = sign
            else:
                known += sign * cells[term]
        rows.append(row)
        rhs.append(-known)
    if not rows:
        return []  # no published total involves a suppressed cell: nothing can be worked out
    a_eq, b_eq = np.array(rows), np.array(rhs)
    # Every LP solution is a table consistent with what is published, so a cell whose values
    # across the solutions seen so far differ by 1 or more is safe without LPs of its own.
    # LPs with random objectives clear most cells at once; a cell is exposed only when its
    # own min and max (both solved) are less than 1 apart.
    low, high = np.full(len(unknown), np.inf), np.full(len(unknown), -np.inf)

    def solve(objective: np.ndarray) -> bool:
        nonlocal low, high
        res = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        if res.status not in (0, 3):
            raise ValueError(f"published figures are inconsistent ({res.message})")
        if res.status == 0:
            low, high = np.minimum(low, res.x), np.maximum(high, res.x)
        return res.status == 0

    solve(np.ones(len(unknown)))  # a first consistent table, always bounded
    pending = high - low < _PINNED
    weights = np.random.default_rng(0)  # the result does not depend on it, only the time
    while pending.any():
        objective = np.where(pending, weights.standard_normal(len(unknown)), 0.0)
        solve(objective) or solve(np.abs(objective))
        left = pending & (high - low < _PINNED)
        if left.sum() == pending.sum():
            break  # what is left is pinned, or needs LPs of its own
        pending = left
    found = []
    for k in np.flatnonzero(pending):
        for sense in (1.0, -1.0):
            if high[k] - low[k] >= _PINNED:
                break
            objective = np.zeros(len(unknown))
            objective[k] = sense
            if not solve(objective):  # unbounded: the cell can be as large as one likes
                high[k] = np.inf
        if high[k] - low[k] < _PINNED:
            found.append((int(unknown[k]), float(low[k]), float(high[k])))
    return found


def _partners(cost: np.ndarray, mask: np.ndarray, lines: _Lines, start: int) -> list[int]:
    """Return the cheapest published cells to suppress so line start has two suppressed cells.

    A chain of cells through lines that have none suppressed yet (each then gets two) up to a
    line that already has one: on a table, often the other three corners of a rectangle.
    """
    members_of = [[*members.tolist(), total] for members, total in lines]
    lines_of: dict[int, list[int]] = {}
    for k, members in enumerate(members_of):
        for cell in members:
            lines_of.setdefault(cell, []).append(k)
    degree = [int(mask[m].sum()) for m in members_of]
    dist = {start: 0.0}
    came: dict[int, tuple[int, int]] = {}
    heap, done = [(0.0, start)], set()
    while heap:
        d, line = heapq.heappop(heap)
        if line in done:
            continue
        done.add(line)
        if line != start and degree[line] >= 1:
            path = []
            while line != start:
                line, cell = came[line]
                path.append(cell)
            return path
        for cell in members_of[line]:
            if mask[cell]:
                continue
            for other in lines_of[cell]:
                if other != line and d + cost[cell] < dist.get(other, np.inf):
                    dist[other] = d + cost[cell]
                    came[other] = (line, cell)
                    heapq.heappush(heap, (dist[other], other))
    # No line to link to (a breakdown with a single total): the cheapest cell of the line.
    return [min((c for c in members_of[start] if not mask[c]), key=lambda c: (cost[c], c))]


def _protect(cells: np.ndarray, lines: _Lines, threshold: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (suppressed, primary) masks over the flat cells so that no suppressed cell is pinned."""
    primary = small_count_mask(cells, threshold)
    mask = primary.copy()
    # Zeros protect only on paper (a zero cell is often known to be empty), so a chain
    # uses one only when no chain of non-zero cells exists.
    cost = np.where(cells > 0, cells, cells.sum() + 1.0)
    while True:
        while True:
            degree = [int(mask[m].sum() + mask[t]) for m, t in lines]
            lone = [k for k, d in enumerate(degree) if d == 1]
            if not lone:
                break
            mask[_partners(cost, mask, lines, lone[0])] = True
        exposed = _exposed(cells, mask, lines)
        if not exposed:
            return mask, primary
        # The two-per-line rule can still leave a value pinned (e.g. a rectangle closed
        # by zeros): widen its lines with their cheapest published cell and check again.
        added: set[int] = set()
        for cell, _, _ in exposed:
            near = {c for m, t in lines if cell == t or cell in m for c in (*m.tolist(), t)}
            if added & near:
                continue
            free = [c for c in near if not mask[c]] or np.flatnonzero(~mask).tolist()
            pick = min(free, key=lambda c: (cost[c], c))
            mask[pick] = True
            added.add(pick)
