"""HTML report: one self-contained, accessible file (charts drawn offline by the vendored Vega,
maps by the vendored Leaflet).

`render_html` writes a whole report; `render_section` writes one section as a fragment for a
page that already loads the scripts (`vega_scripts`, and `map_styles` and `map_scripts` when
it has a map). Templates live in `report/templates/`; their own words are English msgids
translated by the Jinja global `_` (see `labels.py`). A map's own words (below) are
translated here and handed to the templates and to the map's script.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from urbansafety.i18n import N_, translator
from urbansafety.report.formatting import (
    NOT_AVAILABLE,
    SUPPRESSED,
    format_cell,
    format_day,
    french_spaces,
)
from urbansafety.report.maps import geojson_geometries, map_svg
from urbansafety.report.model import Chart, Report, Section
from urbansafety.report.model_map import Map, MapLayer
from urbansafety.report.model_table import Table, is_missing

# Vendored in report/static/ (see its README.md): name → version.
VERSIONS = {"vega": "6.4.0", "vega-lite": "6.4.1", "vega-embed": "7.3.0", "leaflet": "1.9.4"}
SCRIPTS = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")
HTML_LANG = {"fr": "fr-CA", "en": "en-CA"}
# A map with more features than this is drawn on a canvas (one element, not one per feature).
CANVAS_FROM = 1000
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_COPYRIGHT = "https://www.openstreetmap.org/copyright"
# The words of a map, in the templates and in the map's script.
MAP = N_("Map")
MAP_DATA = N_("Data for this map")
LEGEND = N_("Legend")
LAYERS = N_("Layers")
ZOOM_IN = N_("Zoom in")
ZOOM_OUT = N_("Zoom out")
OSM_CONTRIBUTORS = N_("© OpenStreetMap contributors")


@dataclass(frozen=True)
class CellView:
    """One rendered cell: its text and how it reads (number, suppressed, not available)."""

    text: str
    numeric: bool = False
    suppressed: bool = False
    missing: bool = False

    @property
    def css(self) -> str:
        """Return the cell's CSS classes."""
        flags = {"num": self.numeric, "suppressed": self.suppressed, "missing": self.missing}
        return " ".join(name for name, on in flags.items() if on)


@dataclass(frozen=True)
class TableView:
    """A table ready for table.html: caption, header labels and rows of cells."""

    id: str
    caption: str
    headers: list[CellView]
    rows: list[list[CellView]]
    note: str
    has_suppressed: bool
    has_missing: bool


@dataclass(frozen=True)
class ChartView:
    """A chart ready for section.html: its spec as safe JSON and its data table."""

    id: str
    title: str
    alt_text: str
    spec_json: Markup
    table: TableView


@dataclass(frozen=True)
class MapView:
    """A map ready for map.html: its script's configuration, its static SVG and its table."""

    id: str
    title: str
    alt_text: str
    role: str
    data_label: str
    config_json: Markup
    svg: Markup
    table: TableView


@dataclass(frozen=True)
class BlockView:
    """One block of a section, in order: exactly one of its fields is set."""

    paragraph: str | None = None
    table: TableView | None = None
    chart: ChartView | None = None
    map: MapView | None = None


def render_html(report: Report) -> str:
    """Return the report as one HTML document that needs no network."""
    env = _environment(report.lang)
    css = Markup(_static_text("templates/report.css"))
    scripts = vega_scripts()
    # Leaflet (150 kB) travels only with a report that has a map.
    if report.maps:
        css = Markup(_static_text("static/leaflet.css")) + "\n" + css
        scripts = scripts + Markup("\n") + map_scripts()
    return env.get_template("report.html").render(
        report=report,
        html_lang=HTML_LANG[report.lang],
        sections=[_section_view(s, report.lang) for s in report.sections],
        generated=_time_element(report.generated_at, report.lang),
        css=css,
        scripts=scripts,
    )


def render_section(section: Section, lang: str) -> str:
    """Return one section as an HTML fragment.

    Its page must include `vega_scripts()`, and for a section with a map `map_styles()` in a
    <style> element and `map_scripts()`.
    """
    env = _environment(lang)
    return env.get_template("section.html").render(view=_section_view(section, lang))


def vega_scripts() -> Markup:
    """Return the inline <script> elements of Vega, Vega-Lite, Vega-Embed and the chart drawer."""
    parts = [f"<script>{_script_safe(_static_text('static/' + name))}</script>" for name in SCRIPTS]
    parts.append(f"<script>{_static_text('templates/draw.js')}</script>")
    return Markup("\n".join(parts))


def map_scripts() -> Markup:
    """Return the inline <script> elements of Leaflet and the map drawer."""
    leaflet = _script_safe(_static_text("static/leaflet.js"))
    drawer = _script_safe(_static_text("templates/map.js"))
    return Markup(f"<script>{leaflet}</script>\n<script>{drawer}</script>")


def map_styles() -> Markup:
    """Return Leaflet's style sheet, for a page that shows a section with a map."""
    return Markup(_static_text("static/leaflet.css"))


@lru_cache(maxsize=4)
def _environment(lang: str) -> Environment:
    env = Environment(
        loader=PackageLoader("urbansafety", "report/templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_french_text if lang == "fr" else None,
    )
    env.globals["_"] = translator(lang)
    env.globals["SUPPRESSED"] = SUPPRESSED
    env.globals["NOT_AVAILABLE"] = NOT_AVAILABLE
    return env


def _french_text(value: object) -> object:
    # Markup (scripts, specs, built HTML) is left whole; plain text gets French spaces.
    if isinstance(value, str) and not isinstance(value, Markup):
        return french_spaces(value)
    return value


@lru_cache(maxsize=8)
def _static_text(name: str) -> str:
    return (files("urbansafety.report") / name).read_text(encoding="utf-8")


def _script_safe(code: str) -> str:
    # Inside <script>, only "</script" and "<!--" can end or derail the element.
    return code.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def _json_safe(spec: Any) -> Markup:
    text = json.dumps(spec, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _iso(moment: date | datetime) -> str:
    return moment.date().isoformat() if isinstance(moment, datetime) else moment.isoformat()


def _time_element(moment: date | datetime, lang: str) -> Markup:
    text = Markup.escape(format_day(moment, lang))
    if text.startswith("1er "):
        text = Markup("1<sup>er</sup>") + text[3:]  # French sets the ordinal in superscript
    return Markup('<time datetime="{}">{}</time>').format(_iso(moment), text)


def _section_view(section: Section, lang: str) -> dict[str, Any]:
    blocks: list[BlockView] = []
    n_tables = n_charts = n_maps = 0
    for block in section.blocks:
        if isinstance(block, str):
            blocks.append(BlockView(paragraph=block))
        elif isinstance(block, Map):
            n_maps += 1
            blocks.append(BlockView(map=map_view(block, f"{section.id}-map-{n_maps}", lang)))
        elif isinstance(block, Chart):
            n_charts += 1
            chart_id = f"{section.id}-chart-{n_charts}"
            view = ChartView(
                id=chart_id,
                title=block.title,
                alt_text=block.alt_text,
                spec_json=_json_safe(dict(block.spec)),
                table=table_view(block.table, f"{chart_id}-data", lang),
            )
            blocks.append(BlockView(chart=view))
        else:
            n_tables += 1
            blocks.append(
                BlockView(table=table_view(block, f"{section.id}-table-{n_tables}", lang))
            )
    return {"section": section, "blocks": blocks, "method": section.method}


def map_view(m: Map, map_id: str, lang: str) -> MapView:
    """Return a map ready for map.html: configuration of its script, static SVG, data table."""
    _ = translator(lang)
    return MapView(
        id=map_id,
        title=m.title,
        alt_text=m.alt_text,
        role=_(MAP),
        data_label=_(MAP_DATA),
        config_json=_json_safe(map_config(m, lang)),
        svg=Markup(map_svg(m, id_prefix=map_id)),
        table=table_view(m.table, f"{map_id}-data", lang),
    )


def map_config(m: Map, lang: str) -> dict[str, Any]:
    """Return what map.js draws: words, layers with one style table each, tiles only if asked.

    A layer's features are its GeoJSON geometries with, in parallel, the index of each one's
    legend entry (null: outline only) and its tooltip; keys and tooltips are left out when
    no feature has one. Nothing in it names a URL unless the map asks for tiles.
    """
    _ = translator(lang)
    text = french_spaces if lang == "fr" else str
    features = sum(len(layer.geometries) for layer in m.layers)
    config: dict[str, Any] = {
        "words": {
            "legend": text(_(LEGEND)),
            "layers": text(_(LAYERS)),
            "zoomIn": text(_(ZOOM_IN)),
            "zoomOut": text(_(ZOOM_OUT)),
        },
        "canvas": features > CANVAS_FROM,
        "layers": [_layer_config(layer, text) for layer in m.layers],
    }
    if m.tiles:
        config["tiles"] = {
            "url": OSM_TILES,
            "copyright": OSM_COPYRIGHT,
            "attribution": text(_(OSM_CONTRIBUTORS)),
        }
    return config


def _layer_config(layer: MapLayer, text: Any) -> dict[str, Any]:
    index = {e.key: i for i, e in enumerate(layer.legend)}
    out: dict[str, Any] = {
        "name": text(layer.name),
        "outline": layer.outline,
        "visible": layer.visible,
        "legend": [{"label": text(e.label), "color": e.color} for e in layer.legend],
        "geometries": geojson_geometries(layer.geometries),
    }
    if any(k is not None for k in layer.keys):
        out["keys"] = [None if k is None else index[k] for k in layer.keys]
    if any(layer.tooltips):
        out["tooltips"] = [text(t) for t in layer.tooltips]
    return out


def table_view(table: Table, table_id: str, lang: str) -> TableView:
    """Return the cells of a table as written in lang, the row-header column first."""
    head = table.header_column
    columns = [head] + [c for c in table.columns if c != head]
    mask = table.mask()
    published = table.published()
    headers = [CellView(table.label(c), numeric=c in table.formats) for c in columns]
    rows: list[list[CellView]] = []
    has_missing = False
    # Whole columns at once: cell-by-cell indexing costs ~0.1 ms a cell on tables of thousands.
    hidden = {c: mask[c].to_numpy(dtype=bool) for c in columns}
    values = {c: published[c].to_list() for c in columns}
    for i in range(len(published)):
        row = []
        for col in columns:
            numeric = col in table.formats
            if hidden[col][i]:
                row.append(CellView(SUPPRESSED, numeric=numeric, suppressed=True))
                continue
            value = values[col][i]
            missing = is_missing(value)
            has_missing |= missing
            text = format_cell(value, table.formats.get(col), lang)
            row.append(CellView(text, numeric=numeric, missing=missing))
        rows.append(row)
    return TableView(
        id=table_id,
        caption=table.title,
        headers=headers,
        rows=rows,
        note=table.note,
        has_suppressed=table.has_suppressed,
        has_missing=has_missing,
    )
