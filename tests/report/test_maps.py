"""Maps: the model checks its layers, GeoJSON and SVG say the same, the HTML carries a map offline."""

from __future__ import annotations

import json
import re
import time
import typing
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from shapely.geometry import GeometryCollection, LineString, Point, Polygon, box, shape

from tests.report.dom import Node, parse
from tests.report.sample import (
    CELL_CLASSES,
    MAP_COLORS,
    MAP_WORDS,
    STATIONS,
    sample_map,
    sample_map_report,
    sample_report,
)
from urbansafety.i18n import translator
from urbansafety.report import html as report_html
from urbansafety.report.excel import write_workbook
from urbansafety.report.html import CANVAS_FROM, map_config, render_html, render_section
from urbansafety.report.maps import geojson_geometries, map_geojson, map_svg
from urbansafety.report.model import Block, MethodNote, Report, Section
from urbansafety.report.model_map import LegendEntry, Map, MapLayer
from urbansafety.report.model_table import COUNT, Table

SVG = "{http://www.w3.org/2000/svg}"
NBSP = "\u00a0"
LEAFLET_BANNER = "Leaflet 1.9.4, a JS library for interactive maps"
TABLE = Table("T", pd.DataFrame({"a": ["x"], "n": [1]}), formats={"n": COUNT})
SQUARE = box(-73.6, 45.5, -73.59, 45.51)


def one_map_report(*maps: Map, lang: str = "en") -> Report:
    return Report(
        title="T",
        lang=lang,
        generated_at=date(2025, 1, 2),
        sections=[Section("s", "S", blocks=list(maps), method=MethodNote("m"))],
    )


# --- the model ---------------------------------------------------------------------------


@pytest.mark.parametrize("color", ["red", "#abc", "#12345g", "#1234567", ""])
def test_legend_colours_are_rrggbb(color: str) -> None:
    with pytest.raises(ValueError, match="#rrggbb"):
        LegendEntry("k", "K", color)


def test_legend_colours_are_written_in_lower_case_and_keys_are_text() -> None:
    assert LegendEntry("k", "K", "#B2182B").color == "#b2182b"
    with pytest.raises(ValueError, match="non-empty"):
        LegendEntry("", "K", "#000000")


def test_keys_and_tooltips_are_none_or_one_per_geometry() -> None:
    legend = [LegendEntry("a", "A", "#000000")]
    MapLayer("L", [SQUARE, SQUARE], keys=["a", None], tooltips=["1", "2"], legend=legend)
    MapLayer("L", [SQUARE, SQUARE], legend=legend)
    with pytest.raises(ValueError, match="1 keys for 2 geometries"):
        MapLayer("L", [SQUARE, SQUARE], keys=["a"], legend=legend)
    with pytest.raises(ValueError, match="3 tooltips for 2 geometries"):
        MapLayer("L", [SQUARE, SQUARE], tooltips=["1", "2", "3"])


def test_keys_must_be_in_the_legend_and_legend_keys_unique() -> None:
    with pytest.raises(ValueError, match=r"keys \['b'\] are not in the legend"):
        MapLayer("L", [SQUARE], keys=["b"], legend=[LegendEntry("a", "A", "#000000")])
    twice = [LegendEntry("a", "A", "#000000"), LegendEntry("a", "B", "#ffffff")]
    with pytest.raises(ValueError, match="repeated"):
        MapLayer("L", [SQUARE], legend=twice)


def test_geometries_must_be_drawable_in_longitude_latitude() -> None:
    with pytest.raises(ValueError, match="reproject it to WGS84"):
        MapLayer("L", [box(290_000, 5_040_000, 291_000, 5_041_000)])  # EPSG:32188 metres
    with pytest.raises(ValueError, match="is empty"):
        MapLayer("L", [SQUARE, Polygon()])
    with pytest.raises(ValueError, match="GeometryCollection"):
        MapLayer("L", [GeometryCollection([SQUARE])])
    with pytest.raises(TypeError, match="shapely"):
        MapLayer("L", [(-73.6, 45.5)])  # type: ignore[list-item]


def test_a_map_needs_a_geometry_and_layers() -> None:
    with pytest.raises(ValueError, match="no layer has a geometry"):
        Map("M", [MapLayer("empty", [])], TABLE)
    with pytest.raises(TypeError, match="MapLayer"):
        Map("M", [SQUARE], TABLE)  # type: ignore[list-item]
    m = Map("M", [MapLayer("empty", []), MapLayer("L", [SQUARE])], TABLE)
    assert m.alt_text == "M"
    assert m.bounds == pytest.approx((-73.6, 45.5, -73.59, 45.51))


def test_maps_are_blocks_and_their_tables_are_published() -> None:
    assert Map in typing.get_args(Block)
    m = sample_map("fr")
    section = Section("s", "S", blocks=["texte", TABLE, m])
    assert section.tables == [TABLE, m.table]
    report = one_map_report(m)
    assert report.maps == [m] and report.tables == [m.table]
    assert sample_report("fr").maps == []
    with pytest.raises(TypeError, match="a Map"):
        Section("s", "S", blocks=[42])  # type: ignore[list-item]


# --- GeoJSON -------------------------------------------------------------------------------


def test_geojson_has_one_feature_collection_per_layer() -> None:
    m = sample_map("en")
    data = map_geojson(m)
    json.dumps(data, allow_nan=False)
    assert data["title"] == m.title
    grid, borough, stations = data["layers"]
    assert [layer["type"] for layer in data["layers"]] == ["FeatureCollection"] * 3
    assert [len(layer["features"]) for layer in data["layers"]] == [20, 1, 3]
    assert [f["properties"]["key"] for f in grid["features"]] == CELL_CLASSES
    assert [f["properties"]["color"] for f in grid["features"]] == [
        MAP_COLORS[k] if k else None for k in CELL_CLASSES
    ]
    assert grid["features"][7]["properties"]["tooltip"] == "Cell C08: Hot spot, 99% confidence"
    assert grid["legend"][0] == {
        "key": "hot99",
        "label": "Hot spot, 99% confidence",
        "color": "#b2182b",
    }
    assert borough["outline"] is True and borough["features"][0]["properties"]["key"] is None
    assert [f["properties"]["tooltip"] for f in stations["features"]] == list(STATIONS)
    assert stations["features"][0]["geometry"] == {
        "type": "Point",
        "coordinates": list(STATIONS["Berri-UQAM"]),
    }


def coordinates(value: object) -> list[float]:
    if isinstance(value, list):
        return [c for v in value for c in coordinates(v)]
    assert isinstance(value, float | int)
    return [float(value)]


def test_geojson_coordinates_are_rounded_to_six_decimals_and_rings_counter_clockwise() -> None:
    clockwise = Polygon(
        [(-73.123456789, 45.987654321), (-73.1, 45.99), (-73.1, 45.9), (-73.123456789, 45.9)]
    )
    assert not clockwise.exterior.is_ccw
    (geometry,) = geojson_geometries([clockwise])
    values = coordinates(geometry["coordinates"])
    assert -73.123457 in values and 45.987654 in values
    assert all(round(v, 6) == v for v in values)
    assert shape(geometry).exterior.is_ccw
    for layer in map_geojson(sample_map("fr"))["layers"]:
        for feature in layer["features"]:
            assert all(round(v, 6) == v for v in coordinates(feature["geometry"]["coordinates"]))


# --- SVG -----------------------------------------------------------------------------------


@pytest.fixture(params=["fr", "en"])
def svg(request: pytest.FixtureRequest) -> tuple[Map, ET.Element]:
    m = sample_map(request.param)
    return m, ET.fromstring(map_svg(m, width=800, height=520))


def test_svg_is_xml_with_title_and_description(svg: tuple[Map, ET.Element]) -> None:
    m, root = svg
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text == m.title  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == m.description  # type: ignore[union-attr]
    assert root.attrib["role"] == "img" and root.attrib["aria-label"] == m.description


def test_svg_draws_one_path_per_geometry_in_its_class_colour(svg: tuple[Map, ET.Element]) -> None:
    m, root = svg
    paths = root.findall(f".//{SVG}path")
    assert len(paths) == sum(len(layer.geometries) for layer in m.layers) == 24
    groups = [g for g in root.iter(f"{SVG}g") if g.find(f"{SVG}path") is not None]
    drawn: dict[str | None, int] = {}
    for g in groups:
        fill = g.attrib.get("fill")
        drawn[fill] = drawn.get(fill, 0) + len(g.findall(f"{SVG}path"))
    for key, color in MAP_COLORS.items():
        assert drawn[color] == CELL_CLASSES.count(key)
    assert drawn["#1b1f24"] == len(STATIONS)
    assert drawn["none"] == 2  # the cell with no data and the borough's outline
    # Everything drawn lies in the frame (the legend is below it).
    height = 520
    for path in paths:
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.attrib["d"])]
        assert all(-5 <= n <= 800 for n in numbers[0::2]) or "a" in path.attrib["d"]
        assert all(-5 <= n <= height for n in numbers[1::2]) or "a" in path.attrib["d"]


def test_svg_has_a_legend_entry_per_legend_entry_and_a_scale_bar(
    svg: tuple[Map, ET.Element],
) -> None:
    m, root = svg
    entries = [g for g in root.iter(f"{SVG}g") if g.attrib.get("class") == "legend-entry"]
    labels = ["".join(e.itertext()) for e in entries]
    expected = [e.label for layer in m.layers for e in layer.legend]
    expected.insert(4, m.layers[1].name)  # the outline, under its own name
    assert labels == expected
    swatches = [e[0] for e in entries]
    assert [s.attrib.get("fill") for s in swatches[:4]] == list(MAP_COLORS.values())
    assert swatches[4].tag == f"{SVG}line" and swatches[5].tag == f"{SVG}circle"
    (scale,) = [g for g in root.iter(f"{SVG}g") if g.attrib.get("class") == "scale-bar"]
    text = scale.find(f"{SVG}text").text  # type: ignore[union-attr]
    assert re.fullmatch(r"\d+\u00a0(m|km)", text), text
    # The grid is 5 cells of about 470 m: the bar reads 500 m at 800 pixels.
    assert text == f"500{NBSP}m"


def test_svg_leaves_hidden_layers_out_and_escapes_text() -> None:
    m = sample_map("en")
    hidden = MapLayer("Hidden <b>&</b>", [SQUARE], visible=False)
    shown = Map("A <title> & more", [*m.layers, hidden], m.table)
    root = ET.fromstring(map_svg(shown, width=400, height=300))
    assert root.find(f"{SVG}title").text == "A <title> & more"  # type: ignore[union-attr]
    assert len(root.findall(f".//{SVG}path")) == 24
    assert root.attrib["width"] == "400"
    with pytest.raises(ValueError, match="100 × 100"):
        map_svg(m, width=50)


def test_svg_draws_lines_as_strokes_in_their_class_colour() -> None:
    streets = MapLayer(
        "Rues",
        [
            LineString([(-73.6, 45.5), (-73.59, 45.51)]),
            LineString([(-73.6, 45.51), (-73.59, 45.5)]),
        ],
        keys=["a", None],
        legend=[LegendEntry("a", "Artère", "#0072b2")],
    )
    root = ET.fromstring(map_svg(Map("Rues", [streets], TABLE)))
    strokes = [g for g in root.iter(f"{SVG}g") if g.find(f"{SVG}path") is not None]
    assert [(g.attrib["fill"], g.attrib["stroke"]) for g in strokes] == [
        ("none", "#8a8a8a"),
        ("none", "#0072b2"),
    ]
    (entry,) = [g for g in root.iter(f"{SVG}g") if g.attrib.get("class") == "legend-entry"]
    assert entry[0].tag == f"{SVG}line" and entry[0].attrib["stroke"] == "#0072b2"


def test_svg_of_a_single_point_shows_its_surroundings() -> None:
    m = Map("P", [MapLayer("L", [Point(-73.6, 45.5)])], TABLE)
    root = ET.fromstring(map_svg(m, width=800, height=520))
    (path,) = root.findall(f".//{SVG}path")
    x, y = (float(n) for n in re.findall(r"-?\d+\.\d", path.attrib["d"])[:2])
    assert 380 < x + 4 < 420 and 250 < y < 270  # the circle's centre is the frame's


# --- HTML ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def map_pages() -> dict[str, str]:
    return {lang: render_html(sample_map_report(lang)) for lang in ("fr", "en")}


@pytest.fixture(params=["fr", "en"])
def map_page(request: pytest.FixtureRequest, map_pages: dict[str, str]) -> tuple[str, str, Node]:
    lang = request.param
    root, _doctype = parse(map_pages[lang])
    return lang, map_pages[lang], root


def config_of(root: Node, figure: Node) -> tuple[str, dict[str, typing.Any]]:
    view = figure.find("div", cls="map-view")
    raw = root.find("script", id=view.attrs["data-map-config"]).raw()
    return raw, json.loads(raw)


def test_leaflet_is_inlined_once_only_in_reports_with_maps(map_page: tuple[str, str, Node]) -> None:
    _lang, html, root = map_page
    assert html.count(LEAFLET_BANNER) == 1
    assert html.count("/* required styles */") == 1  # Leaflet's style sheet, once
    assert "L.geoJSON" in "".join(s.raw() for s in root.find_all("script"))
    two = render_html(one_map_report(sample_map("en"), sample_map("en")))
    assert two.count(LEAFLET_BANNER) == 1
    for plain in (
        render_html(sample_report("fr")),
        render_section(sample_report("fr").sections[0], "fr"),
    ):
        assert LEAFLET_BANNER not in plain and "L.geoJSON" not in plain


def test_map_figure_has_its_view_static_svg_and_table(map_page: tuple[str, str, Node]) -> None:
    lang, _html, root = map_page
    _ = translator(lang)
    m = sample_map(lang)
    (figure,) = root.find_all("figure", cls="map")
    assert figure.attrs["id"] == "hot-spots-map-1"
    assert figure.find("figcaption").text() == m.title.replace(" %", f"{NBSP}%")
    view = figure.find("div", cls="map-view")
    assert view.attrs["aria-label"].replace(NBSP, " ") == m.description
    assert view.attrs["aria-roledescription"] == _(report_html.MAP)
    svg = figure.find("div", cls="map-static").find("svg")
    assert len(svg.find_all("path")) == 24
    details = figure.find("details", cls="map-data")
    assert details.find("summary").text() == _(report_html.MAP_DATA)
    table = details.find("table")
    assert table.find("caption").text() == m.table.title
    assert len(table.find("tbody").find_all("tr")) == 20
    # The map's table is one of the report's tables (its own id, like a chart's).
    assert details.find("div", cls="table-block").attrs["id"] == "hot-spots-map-1-data"


def test_map_config_has_one_style_table_per_layer(map_page: tuple[str, str, Node]) -> None:
    lang, _html, root = map_page
    _ = translator(lang)
    raw, config = config_of(root, root.find("figure", cls="map"))
    assert config["words"]["legend"] == _(report_html.LEGEND)
    assert config["canvas"] is False and "tiles" not in config
    grid, borough, stations = config["layers"]
    assert [len(layer["geometries"]) for layer in config["layers"]] == [20, 1, 3]
    order = list(MAP_COLORS)
    assert grid["keys"] == [None if k is None else order.index(k) for k in CELL_CLASSES]
    assert [e["color"] for e in grid["legend"]] == list(MAP_COLORS.values())
    words = MAP_WORDS[lang]
    label = grid["legend"][0]["label"]
    assert label == (words["hot99"].replace(" %", f"{NBSP}%") if lang == "fr" else words["hot99"])
    assert "keys" not in borough and "tooltips" not in borough and borough["outline"] is True
    assert stations["tooltips"] == list(STATIONS)
    # No per-feature style: colours are written once per legend entry.
    assert raw.count(MAP_COLORS["ns"]) == 1
    assert '"properties"' not in raw and '"Feature"' not in raw


def test_nothing_names_a_url_without_tiles(map_page: tuple[str, str, Node]) -> None:
    _lang, html, root = map_page
    raw, _config = config_of(root, root.find("figure", cls="map"))
    assert "http" not in raw and "//" not in raw
    drawer = (Path(report_html.__file__).parent / "templates" / "map.js").read_text()
    assert "http" not in drawer and "L.marker(" not in drawer
    assert "tile.openstreetmap" not in html
    # No style asks for a file: Leaflet's image URLs are gone, the SVG's url(#clip) is local.
    (style,) = root.find_all("style")
    assert re.findall(r"url\((?!#)", style.raw()) == []
    svg = root.find("div", cls="map-static")
    assert all(v.startswith("url(#") for n in svg.iter() for v in n.attrs.values() if "url(" in v)
    assert root.find_all("link") == [] and root.find_all("img") == []
    for script in root.find_all("script"):
        assert "src" not in script.attrs


def test_tiles_are_named_only_when_asked() -> None:
    config = map_config(sample_map("fr", tiles=True), "fr")
    assert config["tiles"]["url"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert config["tiles"]["attribution"] == translator("fr")(report_html.OSM_CONTRIBUTORS)


def test_map_text_cannot_close_its_script() -> None:
    layer = MapLayer("</script><b>", [SQUARE], tooltips=["<!-- </script>"])
    html = render_html(one_map_report(Map("</script>", [layer], TABLE)))
    root, _doctype = parse(html)
    raw, config = config_of(root, root.find("figure", cls="map"))
    assert "</script" not in raw.lower() and "<!--" not in raw
    assert config["layers"][0]["tooltips"] == ["<!-- </script>"]
    assert "<b>" not in html.split("<body>", 1)[1].split("<script>", 1)[0]


def test_map_table_is_a_sheet_of_the_workbook(tmp_path: Path) -> None:
    report = sample_map_report("fr")
    book = load_workbook(write_workbook(report, tmp_path / "map.xlsx"))
    (table,) = report.tables
    assert len(book.sheetnames) == 2
    sheet = book[book.sheetnames[1]]
    assert sheet["A1"].value == table.title
    rows = list(sheet.iter_rows(min_row=4, max_row=23, values_only=True))
    assert [r[0] for r in rows] == [f"C{n:02d}" for n in range(1, 21)]
    assert rows[7][2] == pytest.approx(2.9)


def test_map_reports_are_reproducible(map_pages: dict[str, str]) -> None:
    assert render_html(sample_map_report("fr")) == map_pages["fr"]


def test_section_fragment_carries_its_map() -> None:
    fragment = render_section(sample_map_report("en").sections[0], "en")
    root, _doctype = parse(fragment)
    assert root.find("figure", cls="map").find("div", cls="map-static").find("svg")
    assert LEAFLET_BANNER not in fragment  # the page brings map_scripts() once
    assert LEAFLET_BANNER in report_html.map_scripts()
    assert ".leaflet-container" in report_html.map_styles()


def grid_map(n_side: int) -> Map:
    """Return a map of n_side² cells of 250 m over Montréal, in four classes."""
    step_x, step_y = 0.0032, 0.00225
    cells, keys, tips = [], [], []
    classes = ["hot99", "hot95", "ns", "cold95"]
    for j in range(n_side):
        for i in range(n_side):
            x, y = -73.951234567 + i * step_x, 45.401234567 + j * step_y
            cells.append(box(x, y, x + step_x, y + step_y))
            key = classes[(i * 7 + j * 3) % 4]
            keys.append(key)
            tips.append(f"Cellule {i}-{j} : {key}")
    legend = [LegendEntry(k, k, MAP_COLORS[k]) for k in classes]
    return Map(
        "Grille", [MapLayer("Cellules", cells, keys=keys, tooltips=tips, legend=legend)], TABLE
    )


def test_a_map_of_twenty_thousand_cells_stays_compact_and_quick() -> None:
    m = grid_map(142)  # 20 164 cells
    start = time.perf_counter()
    html = render_html(one_map_report(m, lang="fr"))
    elapsed = time.perf_counter() - start
    root, _doctype = parse(html)
    raw, config = config_of(root, root.find("figure", cls="map"))
    assert config["canvas"] is True and len(config["layers"][0]["geometries"]) > CANVAS_FROM
    per_cell = len(raw.encode()) / len(m.layers[0].geometries)
    assert per_cell < 200, per_cell  # five rounded corners, a class index and a tooltip
    assert len(html.encode()) < 8_000_000
    assert elapsed < 20, elapsed
