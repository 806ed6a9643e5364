"""What a report is made of: tables, charts, maps, paragraphs in sections, with notes and sources.

A chapter (crime portrait, hot spots, survey) builds these objects from its analysis results;
`html.render_html` and `excel.write_workbook` render them. Text fields hold text already in the
report's language; only the renderers' own headings are translated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from urbansafety.i18n import LANGUAGES

_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
# What a map draws: areas, lines and points (points as small circles, never image markers).
MAP_GEOMETRY_TYPES = frozenset(
    {"Polygon", "MultiPolygon", "LineString", "MultiLineString", "Point", "MultiPoint"}
)
# Anchors the HTML report uses for itself.
RESERVED_IDS = frozenset({"main", "toc", "sources", "report-title"})


@dataclass(frozen=True)
class NumberFormat:
    """How the numbers of a column are written.

    kind "number" writes the value; kind "percent" writes a proportion (0.161) as a percentage
    (16,1 % in French, 16.1% in English). signed adds "+" to positive values (changes).
    """

    kind: Literal["number", "percent"] = "number"
    decimals: int = 0
    signed: bool = False

    def __post_init__(self) -> None:
        if self.kind not in ("number", "percent"):
            raise ValueError(f"unknown number format kind: {self.kind!r}")
        if not 0 <= self.decimals <= 6:
            raise ValueError(f"decimals must be between 0 and 6, not {self.decimals}")


COUNT = NumberFormat()
RATE = NumberFormat(decimals=1)
SHARE = NumberFormat("percent", 1)
CHANGE = NumberFormat("percent", 1, signed=True)


@dataclass(frozen=True, eq=False)
class Table:
    """A published table: data, column labels, number formats and the cells suppressed.

    `labels` and `formats` may name more columns than the table has (a chapter's shared
    vocabulary); a column with no format is a label column (years, names, codes).
    `suppressed` is a boolean frame with the same index as `data` and any of its columns;
    a True cell is shown as "x" with a footnote, and its value never leaves the table
    (see `published`). `row_header` names the column whose cells head the rows (default:
    the first column).
    """

    title: str
    data: pd.DataFrame
    labels: Mapping[str, str] = field(default_factory=dict)
    formats: Mapping[str, NumberFormat] = field(default_factory=dict)
    suppressed: pd.DataFrame | None = None
    note: str = ""
    row_header: str | None = None

    def __post_init__(self) -> None:
        if self.suppressed is not None:
            object.__setattr__(self, "suppressed", self._align(self.suppressed))
        data = self.data.reset_index(drop=True)
        columns = [str(c) for c in data.columns]
        if len(set(columns)) != len(columns):
            raise ValueError(f"table {self.title!r}: column names must be unique")
        data.columns = pd.Index(columns)
        object.__setattr__(self, "data", data)
        # A chapter may share one vocabulary of labels and formats among its tables.
        object.__setattr__(self, "labels", {k: v for k, v in self.labels.items() if k in columns})
        object.__setattr__(self, "formats", {k: v for k, v in self.formats.items() if k in columns})
        if self.row_header is not None and self.row_header not in columns:
            raise ValueError(f"table {self.title!r}: row_header {self.row_header!r} is no column")
        if self.suppressed is not None:
            object.__setattr__(self, "suppressed", self._check_suppressed(self.suppressed))

    def _align(self, mask: pd.DataFrame) -> pd.DataFrame:
        """Return the mask in the order of the data's rows (matched on index labels)."""
        index = self.data.index
        if len(mask) != len(index) or not index.is_unique or set(mask.index) != set(index):
            raise ValueError(
                f"table {self.title!r}: suppressed must have the same index as data "
                f"({len(mask)} rows for {len(index)})"
            )
        return mask.reindex(index)

    def _check_suppressed(self, mask: pd.DataFrame) -> pd.DataFrame:
        mask = mask.reset_index(drop=True)
        mask.columns = pd.Index([str(c) for c in mask.columns])
        unknown = sorted(set(mask.columns) - set(self.data.columns))
        if unknown:
            raise ValueError(f"table {self.title!r}: suppressed names unknown columns {unknown}")
        full = pd.DataFrame(False, index=self.data.index, columns=self.data.columns)
        for col in mask.columns:
            values = mask[col]
            if values.isna().any():
                raise ValueError(f"table {self.title!r}: suppressed[{col!r}] has missing values")
            full[col] = values.astype(bool).to_numpy()
        return full

    @property
    def columns(self) -> list[str]:
        """Return the column names in display order."""
        return list(self.data.columns)

    @property
    def header_column(self) -> str:
        """Return the column whose cells head the rows."""
        return self.row_header if self.row_header is not None else self.columns[0]

    def label(self, column: str) -> str:
        """Return the label of a column (its name when no label was given)."""
        return self.labels.get(column, column)

    def mask(self) -> pd.DataFrame:
        """Return the boolean frame of suppressed cells, one column per data column."""
        if self.suppressed is None:
            return pd.DataFrame(False, index=self.data.index, columns=self.data.columns)
        return self.suppressed

    @property
    def has_suppressed(self) -> bool:
        """Return whether any cell is suppressed."""
        return bool(self.mask().to_numpy().any())

    def published(self) -> pd.DataFrame:
        """Return the data with every suppressed cell replaced by a missing value."""
        out = self.data.copy()
        mask = self.mask()
        for col in out.columns:
            hide = mask[col].to_numpy()
            if hide.any():
                out[col] = out[col].astype(object).where(~hide, None)
        return out


@dataclass(frozen=True, eq=False)
class Chart:
    """A Vega-Lite chart and the table of its data (every chart is published with its table).

    `description` is the text alternative read by screen readers (default: the title).
    """

    title: str
    spec: Mapping[str, Any]
    table: Table
    description: str = ""

    @property
    def alt_text(self) -> str:
        """Return the text alternative of the chart."""
        return self.description or self.title


@dataclass(frozen=True)
class LegendEntry:
    """One class of a map layer: the key its features carry, its label and its colour (#rrggbb)."""

    key: str
    label: str
    color: str

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key:
            raise ValueError(f"legend entry {self.label!r}: its key must be a non-empty text")
        if not isinstance(self.color, str) or not _COLOR.match(self.color):
            raise ValueError(
                f"legend entry {self.key!r}: colour must be #rrggbb, not {self.color!r}"
            )
        object.__setattr__(self, "color", self.color.lower())


@dataclass(frozen=True, eq=False)
class MapLayer:
    """Features of one kind on a map: shapely geometries in WGS84 longitude/latitude.

    `keys` gives each feature its legend class (None: drawn as an outline only; empty: every
    feature is); `tooltips` gives each feature its text (empty: none), already
    disclosure-safe. `outline` layers (territory boundaries) are drawn as lines only, coloured
    by their key when they have one. `visible` is whether the layer is shown at first.
    """

    name: str
    geometries: Sequence[BaseGeometry]
    keys: Sequence[str | None] = ()
    tooltips: Sequence[str] = ()
    legend: Sequence[LegendEntry] = ()
    outline: bool = False
    visible: bool = True

    def __post_init__(self) -> None:
        for name in ("geometries", "keys", "tooltips", "legend"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        n = len(self.geometries)
        for name in ("keys", "tooltips"):
            if len(getattr(self, name)) not in (0, n):
                raise ValueError(
                    f"map layer {self.name!r}: {len(getattr(self, name))} {name} for {n} "
                    "geometries (give one per geometry, or none)"
                )
        if not all(isinstance(e, LegendEntry) for e in self.legend):
            raise TypeError(f"map layer {self.name!r}: legend entries are LegendEntry objects")
        legend_keys = [e.key for e in self.legend]
        repeated = sorted({k for k in legend_keys if legend_keys.count(k) > 1})
        if repeated:
            raise ValueError(f"map layer {self.name!r}: legend keys repeated: {repeated}")
        unknown = sorted({k for k in self.keys if k is not None} - set(legend_keys))
        if unknown:
            raise ValueError(f"map layer {self.name!r}: keys {unknown} are not in the legend")
        if not all(isinstance(t, str) for t in self.tooltips):
            raise TypeError(f"map layer {self.name!r}: tooltips are text")
        self._check_geometries()

    def _check_geometries(self) -> None:
        if not self.geometries:
            return
        if not all(isinstance(g, BaseGeometry) for g in self.geometries):
            raise TypeError(f"map layer {self.name!r}: geometries are shapely geometries")
        array = np.asarray(self.geometries, dtype=object)
        types = {g.geom_type for g in self.geometries}
        if not types <= MAP_GEOMETRY_TYPES:
            raise ValueError(
                f"map layer {self.name!r}: cannot draw {sorted(types - MAP_GEOMETRY_TYPES)}; "
                f"use {sorted(MAP_GEOMETRY_TYPES)}"
            )
        empty = np.flatnonzero(shapely.is_empty(array))
        if empty.size:
            raise ValueError(f"map layer {self.name!r}: geometry {int(empty[0])} is empty")
        bounds = shapely.bounds(array)
        lon_ok = (bounds[:, 0] >= -180) & (bounds[:, 2] <= 180)
        lat_ok = (bounds[:, 1] >= -90) & (bounds[:, 3] <= 90)
        bad = np.flatnonzero(~(lon_ok & lat_ok))
        if bad.size:
            raise ValueError(
                f"map layer {self.name!r}: geometry {int(bad[0])} is not in longitude/latitude "
                f"(bounds {tuple(round(float(b), 1) for b in bounds[bad[0]])}); "
                "reproject it to WGS84 (EPSG:4326) first"
            )

    def key_of(self, i: int) -> str | None:
        """Return the legend key of feature i (None: outline only)."""
        return self.keys[i] if self.keys else None

    def tooltip_of(self, i: int) -> str:
        """Return the tooltip of feature i ("" when none)."""
        return self.tooltips[i] if self.tooltips else ""


@dataclass(frozen=True, eq=False)
class Map:
    """A map of layers (drawn in order, the last on top) and the table of its data.

    Every map is published with its table, as charts are. `description` is the text
    alternative read by screen readers (default: the title). `tiles` adds OpenStreetMap tiles
    under the layers when the reader is online; the map is whole without them.
    """

    title: str
    layers: Sequence[MapLayer]
    table: Table
    description: str = ""
    tiles: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple(self.layers))
        if not all(isinstance(layer, MapLayer) for layer in self.layers):
            raise TypeError(f"map {self.title!r}: layers are MapLayer objects")
        if not any(layer.geometries for layer in self.layers):
            raise ValueError(f"map {self.title!r}: no layer has a geometry to draw")
        if not isinstance(self.table, Table):
            raise TypeError(f"map {self.title!r}: table is a Table")

    @property
    def alt_text(self) -> str:
        """Return the text alternative of the map."""
        return self.description or self.title

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Return (west, south, east, north) of every layer's geometries, in degrees."""
        array = np.asarray([g for layer in self.layers for g in layer.geometries], dtype=object)
        west, south, east, north = shapely.total_bounds(array)
        return float(west), float(south), float(east), float(north)


Block = Table | Chart | Map | str


@dataclass(frozen=True)
class MethodNote:
    """How a section's figures were made: text, definitions, formulas, sources and references.

    `text` may hold several paragraphs separated by a blank line. `definitions` are
    (term, definition) pairs. `references` are full citations.
    """

    text: str = ""
    definitions: Sequence[tuple[str, str]] = ()
    formulas: Sequence[str] = ()
    sources: Sequence[str] = ()
    references: Sequence[str] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "definitions", tuple(tuple(d) for d in self.definitions))
        for name in ("formulas", "sources", "references"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def paragraphs(self) -> list[str]:
        """Return the text split into paragraphs."""
        return [p.strip() for p in re.split(r"\n\s*\n", self.text) if p.strip()]


@dataclass(frozen=True, eq=False)
class Section:
    """A chapter or part of one: a title, intro paragraphs, blocks and a method note.

    `id` is the section's anchor in the HTML report (lower case letters, digits and "-").
    Blocks are tables, charts, maps or paragraphs (str), shown in order.
    """

    id: str
    title: str
    intro: Sequence[str] = ()
    blocks: Sequence[Block] = ()
    method: MethodNote | None = None

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ValueError(f"section id {self.id!r}: use lower case letters, digits and '-'")
        object.__setattr__(self, "intro", tuple(self.intro))
        object.__setattr__(self, "blocks", tuple(self.blocks))
        for block in self.blocks:
            if not isinstance(block, Table | Chart | Map | str):
                raise TypeError(f"section {self.id!r}: a block is a Table, a Chart, a Map or a str")

    @property
    def tables(self) -> list[Table]:
        """Return every table of the section, charts' and maps' tables included, in order."""
        out = []
        for block in self.blocks:
            if isinstance(block, Table):
                out.append(block)
            elif isinstance(block, Chart | Map):
                out.append(block.table)
        return out


@dataclass(frozen=True)
class Source:
    """A data source or document cited by the report."""

    title: str
    publisher: str = ""
    url: str = ""
    note: str = ""


@dataclass(frozen=True, eq=False, kw_only=True)
class Report:
    """A whole report: its title page, sections in order, and the sources it cites.

    `generated_at` is given, not read from the clock, so a report can be rebuilt identically.
    """

    title: str
    lang: str
    generated_at: date | datetime
    subtitle: str = ""
    territory: str = ""
    period: str = ""
    sections: Sequence[Section] = ()
    sources: Sequence[Source] = ()

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            raise ValueError(f"report language must be one of {LANGUAGES}, not {self.lang!r}")
        object.__setattr__(self, "sections", tuple(self.sections))
        object.__setattr__(self, "sources", tuple(self.sources))
        ids = [s.id for s in self.sections]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"section ids must be unique; repeated: {duplicates}")
        reserved = sorted(set(ids) & RESERVED_IDS)
        if reserved:
            raise ValueError(f"section ids {reserved} are reserved by the HTML report")

    @property
    def tables(self) -> list[Table]:
        """Return every table of the report, charts' and maps' tables included, in order."""
        return [t for s in self.sections for t in s.tables]

    @property
    def charts(self) -> list[Chart]:
        """Return every chart of the report in order."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]

    @property
    def maps(self) -> list[Map]:
        """Return every map of the report in order."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Map)]


def is_missing(value: object) -> bool:
    """Return whether a cell value is missing (None, NaN, NaT or pd.NA)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and bool(np.isnan(value))
