"""Charts of a report: Vega-Lite specs built with Altair, each returned with the table of its data.

Every helper takes a tidy `Table` (one row per observation; its labels are the axis titles, in
the report's language) and returns a `Chart` whose spec draws only published values: a
suppressed cell is missing from the chart, shown "x" in its table.

The palette (`chart_style`) is Okabe and Ito's, readable with every common colour-vision
deficiency; the heat map uses viridis, which is also readable in grey.

References
----------
Okabe, M. and Ito, K. (2008). Color Universal Design (CUD): how to make figures and
presentations that are friendly to colorblind people. https://jfly.uni-koeln.de/color/
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from urbansafety.report.chart_encodings import (
    HIDDEN,
    HIDDEN_FILL,
    _chart_frame,
    _hidden_text,
    _levels,
    _quantity,
    _series_colour,
    _tooltips,
)
from urbansafety.report.chart_style import BAR_COLOUR, PALETTE, styled
from urbansafety.report.chart_tables import _pivot, _replace_data, _take_rows
from urbansafety.report.formatting import SUPPRESSED, d3_format, day_names
from urbansafety.report.model import Chart
from urbansafety.report.model_table import COUNT, NumberFormat, Table


def line_chart(
    table: Table,
    *,
    x: str,
    y: str,
    lang: str,
    series: str | None = None,
    description: str = "",
    height: int = 280,
) -> Chart:
    """Return a line chart of y over x (years), one line per value of series.

    A suppressed value breaks its line instead of joining the neighbours.
    """
    labels = [x, *([series] if series else [])]
    frame, names = _chart_frame(table, [*labels, y], y)
    encoding: dict[str, Any] = {
        "x": alt.X(
            f"{names[x]}:O",
            title=table.label(x),
            sort=None,
            scale=alt.Scale(domain=_levels(frame[names[x]])),
            axis=alt.Axis(labelAngle=0),
        ),
        "y": _quantity(table, y, names),
        "tooltip": _tooltips(table, names, [*labels, y]),
    }
    if series:
        encoding["color"] = _series_colour(table, series, names, frame)
    chart = (
        alt.Chart(frame)
        .mark_line(
            point=alt.OverlayMarkDef(size=50, filled=True), invalid="break-paths-show-domains"
        )
        .encode(**encoding)
        .properties(width="container", height=height)
    )
    shown = _pivot(table, x, series, y) if series else table
    return _finish(chart, table, shown, lang, description)


def grouped_bar_chart(
    table: Table,
    *,
    category: str,
    group: str,
    value: str,
    lang: str,
    horizontal: bool = False,
    description: str = "",
    height: int = 300,
) -> Chart:
    """Return bars of value by category, one bar per group side by side (e.g. year × type).

    horizontal=True lays the categories out as rows, for long category names.
    """
    frame, names = _chart_frame(table, [category, group, value], value)
    along, across, offset = ("y", "x", "yOffset") if horizontal else ("x", "y", "xOffset")
    position: dict[str, Any] = {
        along: {
            "field": names[category],
            "type": "nominal",
            "title": table.label(category),
            "sort": None,
            "scale": {"domain": _levels(frame[names[category]])},
            "axis": {"labelLimit": 260} if horizontal else {"labelAngle": 0, "labelLimit": 220},
        },
        offset: {
            "field": names[group],
            "type": "nominal",
            "sort": None,
            "scale": {"domain": _levels(frame[names[group]])},
        },
    }
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            **position,
            **{across: _quantity(table, value, names)},
            color=_series_colour(table, group, names, frame),
            tooltip=_tooltips(table, names, [category, group, value]),
        )
    )
    hidden = _hidden_text(frame, horizontal=horizontal).encode(
        **position,
        **{across: {"datum": 0, "type": "quantitative"}},
        tooltip=_tooltips(table, names, [category, group]),
    )
    if horizontal:
        n_bars = frame[names[category]].nunique() * frame[names[group]].nunique()
        height = max(120, 18 * n_bars)
    chart = alt.layer(bars, hidden).properties(width="container", height=height)
    return _finish(chart, table, _pivot(table, category, group, value), lang, description)


def heatmap_chart(
    table: Table,
    *,
    day: str,
    hour: str,
    value: str,
    lang: str,
    description: str = "",
) -> Chart:
    """Return a heat map of value by day of week (rows) and hour (columns).

    Days given as numbers (0 = Monday … 6 = Sunday, as pandas' dayofweek) are written as the
    day's name in lang; days given as text keep their order of appearance. Suppressed cells
    are grey and marked "x", so that they do not read as zero.
    """
    data = table.data.copy()
    if pd.api.types.is_numeric_dtype(data[day]):
        names_of_days = day_names(lang)
        data[day] = [names_of_days[int(d)] for d in data[day]]
    table = _replace_data(table, data)
    frame, names = _chart_frame(table, [day, hour, value], value)
    fmt = table.formats.get(value, COUNT)
    order = _levels(frame[names[day]])
    base = alt.Chart(frame).encode(
        x=alt.X(
            f"{names[hour]}:O",
            title=table.label(hour),
            scale=alt.Scale(domain=sorted(_levels(frame[names[hour]]))),
            axis=alt.Axis(labelAngle=0, labelOverlap="greedy"),
        ),
        y=alt.Y(
            f"{names[day]}:O", title=table.label(day), sort=None, scale=alt.Scale(domain=order)
        ),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=0.5).encode(
        color=alt.Color(
            f"{names[value]}:Q",
            title=table.label(value),
            scale=alt.Scale(scheme="viridis", reverse=True),
            legend=alt.Legend(
                format=d3_format(fmt, trim=True), orient="bottom", gradientLength=240
            ),
        ),
        tooltip=_tooltips(table, names, [day, hour, value]),
    )
    hidden_cells = (
        base.transform_filter(f"datum.{HIDDEN}")
        .mark_rect(stroke="white", strokeWidth=0.5, color=HIDDEN_FILL)
        .encode(tooltip=_tooltips(table, names, [day, hour]))
    )
    hidden_marks = base.transform_filter(f"datum.{HIDDEN}").mark_text(
        text=SUPPRESSED, fontSize=11, color="#333333"
    )
    chart = alt.layer(cells, hidden_cells, hidden_marks).properties(
        width="container", height=34 * len(order)
    )
    return _finish(chart, table, _pivot(table, hour, day, value), lang, description)


def ranking_chart(
    table: Table,
    *,
    category: str,
    value: str,
    lang: str,
    top: int | None = None,
    description: str = "",
) -> Chart:
    """Return horizontal bars of value by category, largest first, each bar labelled.

    Rows are ranked on published values, so a suppressed row goes last, marked "x", and its
    rank says nothing about its hidden value.
    """
    published = table.published()
    ranks = pd.to_numeric(published[value], errors="coerce")
    order = ranks.sort_values(ascending=False, na_position="last", kind="stable").index
    if top is not None:
        order = order[:top]
    ranked = _take_rows(table, list(order))
    frame, names = _chart_frame(ranked, [category, value], value)
    fmt = ranked.formats.get(value, COUNT)
    y = alt.Y(
        f"{names[category]}:N",
        title=ranked.label(category),
        sort=None,
        scale=alt.Scale(domain=_levels(frame[names[category]])),
        axis=alt.Axis(labelLimit=280),
    )
    base = alt.Chart(frame).encode(y=y)
    bars = base.mark_bar(color=BAR_COLOUR).encode(
        x=_quantity(ranked, value, names),
        tooltip=_tooltips(ranked, names, [category, value]),
    )
    values = base.mark_text(align="left", dx=4, baseline="middle").encode(
        x=alt.X(f"{names[value]}:Q"),
        text=alt.Text(f"{names[value]}:Q", format=d3_format(fmt)),
    )
    hidden = _hidden_text(frame, horizontal=True).encode(
        y=y, x=alt.XDatum(0, type="quantitative"), tooltip=_tooltips(ranked, names, [category])
    )
    chart = alt.layer(bars, values, hidden).properties(
        width="container", height=max(80, 24 * len(frame))
    )
    return _finish(chart, ranked, ranked, lang, description)


def lorenz_chart(
    table: Table, *, x: str, y: str, lang: str, equality: str, description: str = ""
) -> Chart:
    """Return a Lorenz curve: cumulative share of incidents (y) over share of units (x), 0–1.

    The diagonal of perfect equality is drawn dashed and labelled `equality`.
    """
    frame, names = _chart_frame(table, [x, y], y)
    percent = d3_format(NumberFormat("percent", 0), trim=True)
    x_enc = alt.X(
        f"{names[x]}:Q",
        title=table.label(x),
        scale=alt.Scale(domain=[0, 1]),
        axis=alt.Axis(format=percent),
    )
    y_enc = alt.Y(
        f"{names[y]}:Q",
        title=table.label(y),
        scale=alt.Scale(domain=[0, 1]),
        axis=alt.Axis(format=percent),
    )
    curve = (
        alt.Chart(frame)
        .mark_line(color=PALETTE[0], strokeWidth=2.5)
        .encode(x=x_enc, y=y_enc, tooltip=_tooltips(table, names, [x, y]))
    )
    diagonal = (
        alt.Chart(pd.DataFrame({names[x]: [0.0, 1.0], names[y]: [0.0, 1.0], "line": equality}))
        .mark_line(color="#777777", strokeDash=[4, 4])
        .encode(x=x_enc, y=y_enc, tooltip=alt.Tooltip("line:N", title=""))
    )
    chart = alt.layer(diagonal, curve).properties(width="container", height=320)
    return _finish(chart, table, table, lang, description)


def _finish(chart: Any, source: Table, shown: Table, lang: str, description: str) -> Chart:
    """Return the Chart: spec with the report's locale, fonts and palette, and its table."""
    spec = styled(chart.to_dict(), lang, description or source.title)
    return Chart(title=source.title, spec=spec, table=shown, description=description)
