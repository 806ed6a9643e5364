"""A map of a report: layers of WGS84 geometries with their legend classes and tooltips."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from urbansafety.report.model_table import Table

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
# What a map draws: areas, lines and points (points as small circles, never image markers).
MAP_GEOMETRY_TYPES = frozenset(
    {"Polygon", "MultiPolygon", "LineString", "MultiLineString", "Point", "MultiPoint"}
)


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
