"""Chart helpers: Vega-Lite specs in the report's language, published values only, with tables."""

from __future__ import annotations

import pandas as pd
import pytest

from urbansafety.report.chart_style import PALETTE
from urbansafety.report.charts import grouped_bar_chart, heatmap_chart, line_chart, ranking_chart
from urbansafety.report.model_table import COUNT, RATE, Table

LABELS = {"year": "Année", "kind": "Type", "n": "Incidents", "place": "Quartier"}


def long_table(suppress_first: bool = False) -> Table:
    frame = pd.DataFrame(
        {
            "year": [2022, 2023, 2024] * 2,
            "kind": ["A"] * 3 + ["B"] * 3,
            "n": [3, 10, 12, 40, 41, 39],
        }
    )
    mask = pd.DataFrame({"n": [suppress_first] + [False] * 5})
    return Table("Incidents", frame, labels=LABELS, formats={"n": COUNT}, suppressed=mask)


def data_of(spec: dict) -> list[dict]:
    (rows,) = spec["datasets"].values()
    return rows


def test_line_chart_spec_is_titled_localised_and_accessible() -> None:
    chart = line_chart(long_table(), x="year", y="n", series="kind", lang="fr")
    spec = chart.spec
    assert spec["$schema"].endswith("/v6.4.1.json")
    assert spec["width"] == "container"
    assert spec["description"] == chart.title == "Incidents"
    assert spec["encoding"]["x"]["title"] == "Année"
    assert spec["encoding"]["y"]["title"] == "Incidents"
    assert spec["encoding"]["color"]["title"] == "Type"
    assert [t["title"] for t in spec["encoding"]["tooltip"]] == ["Année", "Type", "Incidents"]
    assert spec["config"]["range"]["category"] == list(PALETTE)
    number = spec["config"]["locale"]["number"]
    assert (number["decimal"], number["thousands"]) == (",", "\u00a0")
    assert spec["config"]["locale"]["time"]["days"][1] == "lundi"
    assert (
        line_chart(long_table(), x="year", y="n", lang="en").spec["config"]["locale"]["number"][
            "decimal"
        ]
        == "."
    )


def test_chart_data_hold_no_suppressed_value_and_the_table_shows_x() -> None:
    chart = line_chart(long_table(suppress_first=True), x="year", y="n", series="kind", lang="en")
    rows = data_of(chart.spec)
    assert rows[0]["n"] is None and rows[0]["suppressed_"] is True
    assert 3 not in [r["n"] for r in rows]
    # The data table is spread wide: one row per year, one column per type.
    table = chart.table
    assert table.columns == ["year", "A", "B"]
    assert table.data["B"].tolist() == [40, 41, 39]
    assert table.mask()["A"].tolist() == [True, False, False]
    assert table.published()["A"].tolist()[0] is None
    assert table.label("year") == "Année" and table.formats["A"] == COUNT


def test_grouped_bars_offset_groups_and_mark_suppressed_bars() -> None:
    chart = grouped_bar_chart(
        long_table(suppress_first=True), category="year", group="kind", value="n", lang="fr"
    )
    bars, hidden = chart.spec["layer"]
    assert bars["encoding"]["xOffset"]["field"] == "kind"
    assert bars["encoding"]["x"]["scale"]["domain"] == [2022, 2023, 2024]
    assert hidden["mark"]["text"] == "x"
    assert chart.table.columns == ["year", "A", "B"]
    horizontal = grouped_bar_chart(
        long_table(), category="year", group="kind", value="n", lang="fr", horizontal=True
    )
    assert "yOffset" in horizontal.spec["layer"][0]["encoding"]


def test_heatmap_names_days_in_the_language_and_greys_suppressed_cells() -> None:
    frame = pd.DataFrame([(d, h, d * 24 + h) for d in range(7) for h in range(24)])
    frame.columns = ["day", "hour", "n"]
    mask = pd.DataFrame({"n": (frame["n"] >= 1) & (frame["n"] <= 4)})
    table = Table(
        "Heat",
        frame,
        labels={"day": "Jour", "hour": "Heure"},
        formats={"n": COUNT},
        suppressed=mask,
    )
    chart = heatmap_chart(table, day="day", hour="hour", value="n", lang="fr")
    cells, grey, marks = chart.spec["layer"]
    assert grey["mark"]["color"] == "#d9d9d9"
    assert cells["encoding"]["y"]["scale"]["domain"][0] == "Lundi"
    assert cells["encoding"]["y"]["scale"]["domain"][-1] == "Dimanche"
    assert cells["encoding"]["color"]["scale"] == {"scheme": "viridis", "reverse": True}
    assert marks["mark"]["text"] == "x"
    assert chart.table.columns[0] == "hour" and len(chart.table.columns) == 8
    assert len(chart.table.data) == 24
    assert chart.table.mask()["Lundi"].tolist()[:6] == [False, True, True, True, True, False]
    english = heatmap_chart(table, day="day", hour="hour", value="n", lang="en")
    assert english.table.columns[1] == "Monday"


def test_ranking_sorts_on_published_values_so_suppressed_rows_go_last() -> None:
    frame = pd.DataFrame({"place": ["a", "b", "c", "d"], "rate": [2.5, 9.0, 0.5, 4.0]})
    mask = pd.DataFrame({"rate": [False, False, True, False]})
    table = Table("Rates", frame, labels=LABELS, formats={"rate": RATE}, suppressed=mask)
    chart = ranking_chart(table, category="place", value="rate", lang="fr")
    assert chart.table.data["place"].tolist() == ["b", "d", "a", "c"]
    assert chart.table.mask()["rate"].tolist() == [False, False, False, True]
    bars, values, hidden = chart.spec["layer"]
    assert values["encoding"]["text"]["format"] == ",.1f"
    assert bars["encoding"]["x"]["axis"]["format"] == ",.1~f"
    assert hidden["encoding"]["y"]["scale"]["domain"] == ["b", "d", "a", "c"]
    top = ranking_chart(table, category="place", value="rate", lang="fr", top=2)
    assert top.table.data["place"].tolist() == ["b", "d"]


def test_column_names_vega_would_read_as_paths_are_renamed() -> None:
    frame = pd.DataFrame({"année.civile": [2023, 2024], "n [total]": [1, 2]})
    table = Table("T", frame, formats={"n [total]": COUNT})
    spec = line_chart(table, x="année.civile", y="n [total]", lang="fr").spec
    assert spec["encoding"]["x"]["field"] == "f0" and spec["encoding"]["y"]["field"] == "f1"
    assert spec["encoding"]["x"]["title"] == "année.civile"


def test_unknown_column_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no column 'missing'"):
        line_chart(long_table(), x="year", y="missing", lang="fr")
