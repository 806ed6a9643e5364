"""Encodings of a chart's published data: Vega field names, axes, colours, tooltips, "x" marks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from urbansafety.report.formatting import SUPPRESSED, d3_format
from urbansafety.report.model_table import COUNT, Table

_SAFE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Column of a chart's data that flags suppressed rows; its grey marks them in heat maps.
HIDDEN = "suppressed_"
HIDDEN_FILL = "#d9d9d9"


def _chart_frame(
    table: Table, columns: Sequence[str], value: str
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return the published columns under field names Vega reads literally, and the name map.

    The frame's HIDDEN column says which rows had value suppressed (never the value itself).
    """
    for col in columns:
        if col not in table.data.columns:
            raise ValueError(f"table {table.title!r} has no column {col!r}")
    # Dots and brackets are paths in Vega field names; other names are renamed f0, f1, ….
    names = {col: col if _SAFE.match(col) else f"f{i}" for i, col in enumerate(columns)}
    frame = table.published()[list(columns)].rename(columns=names)
    for col in columns:
        if col in table.formats:  # published() leaves object columns where it hid cells
            frame[names[col]] = pd.to_numeric(frame[names[col]], errors="coerce")
    frame[HIDDEN] = table.mask()[value].to_numpy()
    return frame, names


def _quantity(table: Table, column: str, names: dict[str, str]) -> dict[str, Any]:
    fmt = table.formats.get(column, COUNT)
    return {
        "field": names[column],
        "type": "quantitative",
        "title": table.label(column),
        "axis": {"format": d3_format(fmt, trim=True)},
    }


def _levels(values: pd.Series) -> list[Any]:
    """Return the distinct values in order of appearance: a scale's domain, kept whole.

    An explicit domain keeps a category whose only value is suppressed on its axis.
    """
    return list(pd.unique(values.dropna()).tolist())


def _series_colour(
    table: Table, column: str, names: dict[str, str], frame: pd.DataFrame
) -> alt.Color:
    return alt.Color(
        f"{names[column]}:N",
        title=table.label(column),
        sort=None,
        scale=alt.Scale(domain=_levels(frame[names[column]])),
        legend=alt.Legend(orient="bottom", direction="vertical"),
    )


def _hidden_text(frame: pd.DataFrame, *, horizontal: bool) -> alt.Chart:
    """Return a text layer writing "x" at zero where a bar is suppressed."""
    placement: dict[str, Any] = (
        {"align": "left", "dx": 4, "baseline": "middle"} if horizontal else {"dy": -4}
    )
    if not horizontal:
        placement["baseline"] = "bottom"
    return (
        alt.Chart(frame)
        .transform_filter(f"datum.{HIDDEN}")
        .mark_text(text=SUPPRESSED, fontWeight="bold", color="#333333", **placement)
    )


def _tooltips(table: Table, names: dict[str, str], columns: Sequence[str]) -> list[dict[str, Any]]:
    """Return a tooltip per column: numbers in their column's format, other columns as text."""
    out: list[dict[str, Any]] = []
    for col in columns:
        fmt = table.formats.get(col)
        if fmt is not None:
            out.append(
                {
                    "field": names[col],
                    "type": "quantitative",
                    "title": table.label(col),
                    "format": d3_format(fmt),
                }
            )
        else:
            out.append({"field": names[col], "type": "nominal", "title": table.label(col)})
    return out
