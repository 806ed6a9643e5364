"""Charts of survey estimates: a point per estimate and a bar for its confidence interval.

The report's locale, palette and fonts are those of `report.chart_style`; a suppressed estimate
is not drawn, a "—" stands at zero in its place. The Vega-Lite spec is written as a plain dict,
not through Altair, whose schema validation took longer than the whole survey analysis (a test
validates the spec against the schema).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from urbansafety.report.chart_encodings import _quantity, _tooltips
from urbansafety.report.chart_style import PALETTE, styled
from urbansafety.report.model import Chart
from urbansafety.report.model_table import COUNT, Table

NOT_PUBLISHED = "—"


def estimate_chart(
    table: Table,
    *,
    category: str,
    value: str,
    low: str,
    high: str,
    lang: str,
    group: str | None = None,
    description: str = "",
) -> Chart:
    """Return horizontal estimates of value by category with their intervals low–high.

    With group, each category has one point per group, side by side, coloured by group.
    Values are read from the table's published numbers: a text such as "—" is not drawn.
    """
    columns = [category, *([group] if group else []), value, low, high]
    names = {col: f"f{i}" for i, col in enumerate(columns)}
    frame = table.published()[columns].rename(columns=names).reset_index(drop=True)
    for col in (value, low, high):
        frame[names[col]] = pd.to_numeric(frame[names[col]], errors="coerce")
    frame["hidden_"] = frame[names[value]].isna()
    fmt = table.formats.get(value, COUNT)
    levels = list(pd.unique(frame[names[category]]))
    y = {"field": names[category], "type": "nominal", "title": None, "sort": None,
         "scale": {"domain": levels}, "axis": {"labelLimit": 400}}  # fmt: skip
    x: dict[str, Any] = {
        **_quantity(table, value, names),
        "scale": {"domain": [0, 1]} if fmt.kind == "percent" else {"zero": True},
    }
    encoding: dict[str, Any] = {"y": y}
    colour: dict[str, Any] = {"value": PALETTE[0]}
    n_rows = len(levels)
    if group:
        groups = list(pd.unique(frame[names[group]]))
        encoding["yOffset"] = {"field": names[group], "type": "nominal", "sort": None,
                               "scale": {"domain": groups}}  # fmt: skip
        scale: dict[str, Any] = {"domain": groups}
        if len(groups) <= len(PALETTE):
            scale["range"] = list(PALETTE[: len(groups)])
        else:
            scale["scheme"] = "tableau20"
        colour = {"field": names[group], "type": "nominal", "title": table.label(group),
                  "sort": None, "scale": scale,
                  "legend": {"orient": "bottom", "direction": "horizontal", "columns": 4}}  # fmt: skip
        n_rows *= max(len(groups), 1)
    tips = _tooltips(table, names, columns)
    rule = {"mark": {"type": "rule", "strokeWidth": 2},
            "encoding": {**encoding, "color": colour, "tooltip": tips,
                         "x": {"field": names[low], "type": "quantitative"},
                         "x2": {"field": names[high]}}}  # fmt: skip
    point = {"mark": {"type": "point", "filled": True, "size": 70, "opacity": 1},
             "encoding": {**encoding, "color": colour, "tooltip": tips, "x": x}}  # fmt: skip
    hidden = {
        "transform": [{"filter": "datum.hidden_"}],
        "mark": {
            "type": "text",
            "text": NOT_PUBLISHED,
            "align": "left",
            "dx": 4,
            "baseline": "middle",
            "color": "#333333",
        },
        "encoding": {**encoding, "x": {"datum": 0, "type": "quantitative"}},
    }
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    spec: dict[str, Any] = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": records},
        "layer": [rule, point, hidden],
        "width": "container",
        "height": max(120, 16 * n_rows + 10 * len(levels)),
    }
    styled(spec, lang, description or table.title)
    return Chart(title=table.title, spec=spec, table=table, description=description)
