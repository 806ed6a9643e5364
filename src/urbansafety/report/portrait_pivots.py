"""Pivot tables of counts under disclosure control: the published table and its long form."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from urbansafety import disclosure


def _suppressed_pivot(
    frame: pd.DataFrame,
    rows: str,
    columns: str,
    threshold: int,
    total: str,
    row_label: Callable[[str], str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (published pivot with totals, suppressed mask) for counts in long form."""
    pivot = frame.pivot_table(
        index=rows, columns=columns, values="incidents", aggfunc="sum", fill_value=0
    )
    pivot.columns = [str(c) for c in pivot.columns]
    table = disclosure.suppress_table(
        pivot.astype("int64"), threshold, totals=True, total_label=total
    )
    values = table.values.reset_index()
    values.columns = [rows, *[str(c) for c in table.values.columns]]
    values[rows] = [row_label(str(v)) if str(v) != total else total for v in values[rows]]
    mask = table.suppressed.reset_index(drop=True)
    mask.columns = [str(c) for c in mask.columns]
    mask.insert(0, rows, False)
    return values, mask


def _long(
    values: pd.DataFrame, mask: pd.DataFrame, key: str, column: str, total: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the pivot's cells (totals left out) as a long table and its suppressed mask."""
    cells = [c for c in values.columns if c not in (key, total)]
    rows = values[key] != total
    data = values.loc[rows, [key, *cells]].melt(
        id_vars=key, var_name=column, value_name="incidents"
    )
    hide = mask.loc[rows, [key, *cells]].melt(id_vars=key, var_name=column, value_name="incidents")
    return data, pd.DataFrame({"incidents": hide["incidents"].astype(bool).to_numpy()})
