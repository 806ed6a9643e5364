"""The survey's neighbourhood map: % feeling unsafe after dark, a choropleth in four classes.

Neighbourhoods whose estimate is not published (fewer respondents than the floor) or that no
respondent named are grey, "—" in their tooltip and in the map's table.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from urbansafety.report.formatting import format_number
from urbansafety.report.model_map import LegendEntry, Map, MapLayer
from urbansafety.report.model_table import SHARE, Table
from urbansafety.report.survey_tables import (
    NOT_PUBLISHED,
    estimate_labels,
    rules_note,
    shown_count,
)

CLASS_COLOURS = ("#fee5d9", "#fcae91", "#fb6a4a", "#cb181d")
HIDDEN_COLOUR = "#bdbdbd"


def class_edges(values: np.ndarray) -> list[float]:
    """Return the class bounds of published values: quartiles, from the least to the most."""
    finite = np.sort(values[np.isfinite(values)])
    if len(finite) == 0:
        return []
    k = min(len(CLASS_COLOURS), len(np.unique(finite)))
    return [float(x) for x in np.quantile(finite, np.linspace(0, 1, k + 1))]


def indicator_map(
    title: str,
    results: pd.DataFrame,
    areas: pd.DataFrame,
    *,
    lang: str,
    _: Callable[[str], str],
    min_n: int,
    floor: int,
    tiles: bool = False,
) -> Map:
    """Return the choropleth of one indicator's estimates by area (results: one row per group).

    areas: code, name, geometry (longitude/latitude) of every polygon of the layer.
    """
    by_code = results.set_index("group")
    keys: list[str | None] = []
    tips, rows = [], []
    est = np.array(
        [
            float(by_code.at[c, "estimate"])
            if c in by_code.index and not bool(by_code.at[c, "suppressed"])
            else np.nan
            for c in areas["code"]
        ]
    )
    edges = class_edges(est)
    labels = [
        f"{format_number(edges[k], SHARE, lang)} – {format_number(edges[k + 1], SHARE, lang)}"
        for k in range(len(edges) - 1)
    ]
    for i, (code, name) in enumerate(zip(areas["code"], areas["name"], strict=True)):
        n = int(by_code.at[code, "n"]) if code in by_code.index else 0
        if np.isnan(est[i]):
            keys.append("hidden")
            tips.append(f"{name} — {NOT_PUBLISHED}")
            rows.append(
                [name, NOT_PUBLISHED, NOT_PUBLISHED, NOT_PUBLISHED, shown_count(n, floor, lang)]
            )
            continue
        k = min(int(np.searchsorted(edges[1:-1], est[i], side="right")), len(labels) - 1)
        keys.append(f"c{k}")
        row = by_code.loc[code]
        text = format_number(est[i], SHARE, lang)
        tips.append(f"{name} — {text} ({_('respondents')}: {shown_count(n, floor, lang)})")
        rows.append(
            [name, est[i], float(row["ci_low"]), float(row["ci_high"]), shown_count(n, floor, lang)]
        )
    legend = [
        LegendEntry(f"c{k}", labels[k], CLASS_COLOURS[k])
        for k in range(len(labels))
        if f"c{k}" in keys
    ]
    if "hidden" in keys:
        legend.append(
            LegendEntry(
                "hidden",
                _("Not published (fewer than %(floor)s respondents) —") % {"floor": floor},
                HIDDEN_COLOUR,
            )
        )
    names = estimate_labels(_)
    table = Table(
        title,
        pd.DataFrame(rows, columns=["area", "estimate", "ci_low", "ci_high", "n"]),
        {**names, "area": _("Neighbourhood")},
        {"estimate": SHARE, "ci_low": SHARE, "ci_high": SHARE},
        note=rules_note(_, min_n, floor),
    )
    layer = MapLayer(title, list(areas["geometry"]), keys, tips, legend)
    description = _(
        "Map of the neighbourhoods coloured by the share of residents feeling unsafe after dark, darker where it is higher; grey where it is not published."
    )
    return Map(title, [layer], table, description=description, tiles=tiles)
