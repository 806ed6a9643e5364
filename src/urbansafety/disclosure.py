"""Disclosure control: which counts may be published (default: counts of 1 to 4 are suppressed).

Every published table passes through here. Counts of 1 to threshold-1 are suppressed (primary
suppression); when totals are published, more cells are suppressed (complementary suppression)
until no suppressed value can be worked out from the published cells and totals, which is
checked by linear programming (`audit`).

References
----------
Hundepool, A. et al. (2012). *Statistical Disclosure Control*, ch. 4 "Magnitude tabular data"
and 5 "Frequency tables". Wiley.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from urbansafety.errors import DataQualityError, InputError
from urbansafety.i18n import N_, format_count, translator

# A pinned cell has max - min < 1; the tolerance absorbs the LP solver's rounding.
_PINNED = 1.0 - 1e-6

# The method note; counts are written as numbers ("cells suppressed: 1") so that no plural
# form depends on them.
_EXPLAIN_PRIMARY = N_("Counts from 1 to %(max)s are suppressed (cells suppressed: %(primary)s).")
_EXPLAIN_BOTH = N_(
    "Counts from 1 to %(max)s are suppressed (cells suppressed: %(primary)s), as are other cells"
    " so that they cannot be recovered from the totals (complementary cells: %(complementary)s)."
)


def small_count_mask(counts: pd.Series | np.ndarray, threshold: int) -> np.ndarray:
    """Return the mask of counts that must be suppressed: 1 ≤ count < threshold (0 may be shown)."""
    values = np.asarray(counts, dtype=float)
    return (values >= 1) & (values < threshold)


def suppress_counts(frame: pd.DataFrame, columns: list[str], threshold: int) -> pd.DataFrame:
    """Return frame with small counts in columns replaced by missing values and a `suppressed` flag.

    This is primary suppression, enough for a table published without margins. Tables with
    totals need complementary suppression (see `suppress_table`).
    """
    out = frame.copy()
    flag = np.zeros(len(out), dtype=bool)
    for col in columns:
        mask = small_count_mask(out[col], threshold)
        flag |= mask
        out[col] = out[col].astype("Int64").mask(mask)
    out["suppressed"] = flag
    return out


@dataclass(frozen=True, eq=False)
class SuppressedTable:
    """A table as published: counts with `<NA>` where suppressed, and how many were suppressed.

    `row_total` says the last column holds each row's total, `column_total` that the last row
    holds each column's total (both are labelled `total_label`); totals are computed from the
    original counts and are suppressed like any other cell when needed.
    """

    values: pd.DataFrame
    suppressed: pd.DataFrame
    primary: int
    complementary: int
    threshold: int
    total_label: str = "Total"
    row_total: bool = True
    column_total: bool = True


@dataclass(frozen=True)
class ExposedCell:
    """A suppressed cell whose value the published figures pin to [low, high] (high - low < 1)."""

    row: object
    column: object
    low: float
    high: float


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


def _check_counts(frame: pd.DataFrame) -> np.ndarray:
    values = frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise DataQualityError(
            N_(
                "Counts to publish must be whole numbers of 0 or more (found %(value)s in %(column)s)."
            ),
            N_(
                "Publish counts, not rates; fill a missing count with 0 only where nothing was recorded."
            ),
            params={"value": frame.iat[i, j], "column": frame.columns[j]},
        )
    return values


def _suppress(
    frame: pd.DataFrame, threshold: int, row_total: bool, column_total: bool, total_label: str
) -> SuppressedTable:
    body = _check_counts(frame)
    index, columns = frame.index, frame.columns
    if (row_total and total_label in columns) or (column_total and total_label in index):
        raise InputError(
            N_(
                "%(label)s is already a row or column of the table, so it cannot also label the totals."
            ),
            N_("Rename that row or column, or choose another total label."),
            params={"label": total_label},
        )
    if row_total:
        body = np.column_stack([body, body.sum(axis=1)])
        columns = columns.append(pd.Index([total_label])).rename(frame.columns.name)
    if column_total:
        body = np.vstack([body, body.sum(axis=0)])
        index = index.append(pd.Index([total_label])).rename(frame.index.name)
    lines = _lines(body.shape, row_total, column_total)
    mask, primary = _protect(body.ravel(), lines, threshold)
    suppressed = pd.DataFrame(mask.reshape(body.shape), index=index, columns=columns)
    values = pd.DataFrame(body.astype(np.int64), index=index, columns=columns).astype("Int64")
    return SuppressedTable(
        values=values.mask(suppressed),
        suppressed=suppressed,
        primary=int(primary.sum()),
        complementary=int(mask.sum() - primary.sum()),
        threshold=threshold,
        total_label=total_label,
        row_total=row_total,
        column_total=column_total,
    )


def suppress_table(
    counts: pd.DataFrame, threshold: int = 5, *, totals: bool = True, total_label: str = "Total"
) -> SuppressedTable:
    """Return the table as published: small counts and their complements suppressed, with totals.

    With `totals`, a row-total column, a column-total row and the grand total are added; counts
    of 1 to threshold-1 are suppressed wherever they are (totals included), then the cheapest
    complementary cells (non-zero first) until `audit` finds no suppressed value pinned.
    """
    return _suppress(counts, threshold, totals, totals, total_label)


def suppress_series(
    counts: pd.Series, threshold: int = 5, *, total: bool = True, total_label: str = "Total"
) -> SuppressedTable:
    """Return a one-way breakdown as published: one column, with its total as the last row."""
    frame = counts.to_frame(name=counts.name if counts.name is not None else "count")
    return _suppress(frame, threshold, False, total, total_label)


@dataclass(frozen=True, eq=False)
class SuppressedGroups:
    """Units (cells, sites) grouped in classes, as published: unit counts, class totals, total.

    `unit_suppressed` and `group_suppressed` flag what must be shown as "x"; the grand total
    (`total`) is flagged by `total_suppressed`. Together the published figures pin no
    suppressed value (checked by the same linear-programming audit as tables).
    """

    counts: np.ndarray
    unit_suppressed: np.ndarray
    unit_group: np.ndarray  # position in `groups` of each unit's class
    groups: pd.Index
    group_totals: np.ndarray
    group_suppressed: np.ndarray
    total: int
    total_suppressed: bool
    primary: int
    complementary: int
    threshold: int


def suppress_groups(
    counts: np.ndarray | pd.Series, groups: np.ndarray | pd.Series, threshold: int = 5
) -> SuppressedGroups:
    """Return unit counts, their class totals and the grand total under disclosure control.

    Each unit belongs to one class (e.g. the hot-spot class of a grid cell): the published
    unit counts, class totals and grand total are one nested table, protected as a whole.
    """
    cells = _check_counts(pd.DataFrame({"count": np.asarray(counts)}))[:, 0]
    labels = pd.Index(pd.unique(np.asarray(groups, dtype=object)))
    which = labels.get_indexer(np.asarray(groups, dtype=object))
    n, k = len(cells), len(labels)
    totals = np.bincount(which, weights=cells, minlength=k) if n else np.zeros(k)
    body = np.concatenate([cells, totals, [cells.sum()]])
    mask, primary = _protect(body, _group_lines(which, k), threshold)
    return SuppressedGroups(
        counts=cells.astype(np.int64),
        unit_suppressed=mask[:n],
        unit_group=which,
        groups=labels,
        group_totals=totals.astype(np.int64),
        group_suppressed=mask[n : n + k],
        total=int(body[-1]),
        total_suppressed=bool(mask[-1]),
        primary=int(primary.sum()),
        complementary=int(mask.sum() - primary.sum()),
        threshold=threshold,
    )


def audit_groups(published: SuppressedGroups) -> list[tuple[int, float, float]]:
    """Return (flat index, low, high) of suppressed values the published figures pin (none if safe).

    Flat indices run over the units, then the class totals, then the grand total.
    """
    body = np.concatenate([published.counts, published.group_totals, [published.total]]).astype(
        float
    )
    mask = np.concatenate(
        [published.unit_suppressed, published.group_suppressed, [published.total_suppressed]]
    )
    return _exposed(body, mask, _group_lines(published.unit_group, len(published.groups)))


def _group_lines(which: np.ndarray, k: int) -> _Lines:
    n = len(which)
    lines: _Lines = [(np.flatnonzero(which == g), n + g) for g in range(k)]
    lines.append((np.arange(n, n + k), n + k))
    return lines


def audit(published: SuppressedTable) -> list[ExposedCell]:
    """Return the suppressed cells whose value the published cells and totals pin (none if safe).

    For each suppressed cell, linear programming finds the smallest and largest value (≥ 0)
    consistent with every published cell and total; the cell is exposed when they are less
    than 1 apart.
    """
    cells = published.values.to_numpy(dtype=float, na_value=0.0).ravel()
    mask = published.suppressed.to_numpy(dtype=bool).ravel()
    shape = published.values.shape
    lines = _lines(shape, published.row_total, published.column_total)
    labels = pd.MultiIndex.from_product([published.values.index, published.values.columns])
    exposed = _exposed(cells, mask, lines)
    return [ExposedCell(labels[c][0], labels[c][1], low, high) for c, low, high in exposed]


def suppress_rates(rates: pd.DataFrame, table: SuppressedTable) -> pd.DataFrame:
    """Return rates with NaN wherever the count they are computed from is suppressed.

    `rates` has the labels of the counts (totals row and column optional): a rate on a
    suppressed count gives the count back once the population is known.
    """
    missing = rates.index.difference(table.suppressed.index).union(
        rates.columns.difference(table.suppressed.columns)
    )
    if len(missing):
        raise ValueError(f"rates have labels that the counts table lacks: {list(missing)}")
    mask = table.suppressed.loc[rates.index, rates.columns].to_numpy(dtype=bool)
    return rates.astype(float).mask(mask)


def suppress_long(
    frame: pd.DataFrame,
    value: str,
    rows: str,
    columns: str,
    threshold: int = 5,
    *,
    by: Sequence[str] = (),
    total_label: str = "Total",
) -> pd.DataFrame:
    """Return a long table (one row per rows × columns) as published, with a `suppressed` flag.

    Each group of `by` (e.g. category) is one table of rows × columns (e.g. territory × year)
    with totals, labelled `total_label`; a missing combination counts as 0. Other columns are
    kept when they depend on rows or on columns alone (e.g. a territory's name).
    """
    keys = [*by, rows, columns]
    others = [c for c in frame.columns if c not in (*keys, value)]
    attached: dict[str, str] = {}
    for col in others:
        for key in (rows, columns):
            if (frame.groupby([*by, key], dropna=False)[col].nunique(dropna=False) <= 1).all():
                attached[col] = key
                break
        else:
            raise InputError(
                N_("Column %(column)s is not the same for every %(rows)s or every %(columns)s."),
                N_("Name it in by to publish one table for each of its values, or drop it."),
                params={"column": col, "rows": rows, "columns": columns},
            )
    if frame.duplicated(keys).any():
        raise InputError(
            N_("More than one row for the same %(rows)s and %(columns)s."),
            N_("Add the counts up first, or name the column that tells them apart in by."),
            params={"rows": rows, "columns": columns},
        )
    parts = []
    for group_key, group in frame.groupby(list(by), dropna=False) if by else [((), frame)]:
        wide = group.pivot(index=rows, columns=columns, values=value).fillna(0)
        table = suppress_table(wide, threshold, total_label=total_label)
        long = table.values.rename_axis(index=rows, columns=columns).reset_index()
        long = long.melt(id_vars=rows, var_name=columns, value_name=value)
        # melt stacks column after column: the flags in the same (Fortran) order
        long["suppressed"] = table.suppressed.to_numpy(dtype=bool).ravel(order="F")
        for col, key in zip(by, group_key, strict=True):
            long[col] = key
        for col, key in attached.items():
            labels = group.drop_duplicates([key]).set_index(key)[col]
            long[col] = long[key].map(labels)
        parts.append(long)
    ordered = [c for c in frame.columns if c != value] + [value, "suppressed"]
    return pd.concat(parts, ignore_index=True)[ordered]


def explanation(table: SuppressedTable, lang: str) -> str:
    """Return one sentence for the report's method note saying what was suppressed and why."""
    _ = translator(lang)
    if table.threshold <= 1:
        return _(N_("No count is suppressed."))
    params = {
        "max": format_count(table.threshold - 1, lang),
        "primary": format_count(table.primary, lang),
        "complementary": format_count(table.complementary, lang),
    }
    return _(_EXPLAIN_BOTH if table.complementary else _EXPLAIN_PRIMARY) % params
