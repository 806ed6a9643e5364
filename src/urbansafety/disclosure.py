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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from urbansafety.errors import DataQualityError, InputError
from urbansafety.i18n import N_, format_count, translator
from urbansafety.suppression import _exposed, _Lines, _lines, _protect, small_count_mask

# The method note; counts are written as numbers ("cells suppressed: 1") so that no plural
# form depends on them.
_EXPLAIN_PRIMARY = N_("Counts from 1 to %(max)s are suppressed (cells suppressed: %(primary)s).")
_EXPLAIN_BOTH = N_(
    "Counts from 1 to %(max)s are suppressed (cells suppressed: %(primary)s), as are other cells"
    " so that they cannot be recovered from the totals (complementary cells: %(complementary)s)."
)


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
