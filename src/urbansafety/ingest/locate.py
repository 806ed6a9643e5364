"""Locate incidents: usable coordinates, projection, territory of each layer, grid and H3 cells."""

from __future__ import annotations

from dataclasses import dataclass

import h3
import numpy as np
import shapely
from pyproj import Transformer

from urbansafety.i18n import N_

WGS84 = "EPSG:4326"
ISSUE_MISSING = N_("missing")
ISSUE_PLACEHOLDER = N_("placeholder")
ISSUE_OUTSIDE = N_("outside the territory")


@dataclass(frozen=True)
class Layer:
    """One territory layer's polygons in the workspace CRS, sorted by code."""

    name: str
    codes: np.ndarray
    geometries: np.ndarray
    attribute: str = ""

    def assign(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return each point's code (None outside every polygon).

        A point on a border shared by two polygons gets exactly one: the first code in sort
        order, so the result never depends on the file's polygon order.
        """
        out = np.full(len(x), None, dtype=object)
        if len(x) == 0 or len(self.codes) == 0:
            return out
        tree = shapely.STRtree(self.geometries)
        points = shapely.points(x, y)
        point_idx, poly_idx = tree.query(points, predicate="intersects")
        order = np.lexsort((poly_idx, point_idx))
        point_idx, poly_idx = point_idx[order], poly_idx[order]
        first = np.unique(point_idx, return_index=True)[1]
        out[point_idx[first]] = self.codes[poly_idx[first]]
        return out


@dataclass
class Located:
    """Location columns for a batch of incidents."""

    x: np.ndarray
    y: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    quality: np.ndarray
    issue: np.ndarray
    grid_cell: np.ndarray
    h3_cell: np.ndarray
    layers: dict[str, np.ndarray]


def usable_xy(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (mask of usable projected coordinates, mask of placeholders such as 0 or 1)."""
    finite = np.isfinite(x) & np.isfinite(y)
    placeholder = finite & ((np.abs(x) <= 1) | (np.abs(y) <= 1))
    return finite & ~placeholder, placeholder


def usable_lonlat(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (mask of usable WGS84 coordinates, mask of placeholders).

    SPVM writes unknown locations as (0, 0) or as the MTM-8 origin back-projected,
    (-76.23729, 0): a latitude or longitude within 1 degree of 0 is a placeholder here.
    """
    finite = np.isfinite(lon) & np.isfinite(lat)
    in_range = finite & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    placeholder = finite & ((np.abs(lon) <= 1) | (np.abs(lat) <= 1) | ~in_range)
    return in_range & ~placeholder, placeholder


def locate(
    x_in: np.ndarray,
    y_in: np.ndarray,
    lon_in: np.ndarray,
    lat_in: np.ndarray,
    *,
    source_crs: str,
    work_crs: str,
    layers: list[Layer],
    extent: list[str],
    attributes: dict[str, np.ndarray],
    grid_size: float,
    h3_resolution: int,
) -> Located:
    """Return the location columns of incidents given their raw coordinates and attributes.

    Projected coordinates win over longitude/latitude when both are usable. Work is done once
    per distinct point: police files generalise locations to intersections, so a million rows
    hold tens of thousands of points.
    """
    n = len(x_in)
    xy_ok, xy_ph = usable_xy(x_in, y_in)
    ll_ok, ll_ph = usable_lonlat(lon_in, lat_in)
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    lon = np.where(ll_ok, lon_in, np.nan)
    lat = np.where(ll_ok, lat_in, np.nan)

    if xy_ok.any():
        ux, inv = _unique_points(x_in[xy_ok], y_in[xy_ok])
        if source_crs != work_crs:
            wx, wy = Transformer.from_crs(source_crs, work_crs, always_xy=True).transform(
                ux[:, 0], ux[:, 1]
            )
        else:
            wx, wy = ux[:, 0], ux[:, 1]
        x[xy_ok], y[xy_ok] = np.asarray(wx)[inv], np.asarray(wy)[inv]
        need = xy_ok & ~ll_ok
        if need.any():
            glon, glat = Transformer.from_crs(source_crs, WGS84, always_xy=True).transform(
                ux[:, 0], ux[:, 1]
            )
            sel = need[xy_ok]
            lon[need], lat[need] = np.asarray(glon)[inv][sel], np.asarray(glat)[inv][sel]
    only_ll = ll_ok & ~xy_ok
    if only_ll.any():
        ul, inv = _unique_points(lon_in[only_ll], lat_in[only_ll])
        wx, wy = Transformer.from_crs(WGS84, work_crs, always_xy=True).transform(ul[:, 0], ul[:, 1])
        x[only_ll], y[only_ll] = np.asarray(wx)[inv], np.asarray(wy)[inv]

    located = xy_ok | ll_ok
    issue = np.full(n, None, dtype=object)
    issue[~located] = ISSUE_MISSING
    issue[~located & (xy_ph | ll_ph)] = ISSUE_PLACEHOLDER
    return assign_territories(
        x,
        y,
        lon,
        lat,
        located,
        issue,
        layers=layers,
        extent=extent,
        attributes=attributes,
        grid_size=grid_size,
        h3_resolution=h3_resolution,
    )


def assign_territories(
    x: np.ndarray,
    y: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    has_point: np.ndarray,
    issue: np.ndarray,
    *,
    layers: list[Layer],
    extent: list[str],
    attributes: dict[str, np.ndarray],
    grid_size: float,
    h3_resolution: int,
) -> Located:
    """Return location columns for points in the workspace CRS (has_point marks usable ones).

    A point outside every polygon of the extent layers (all layers when extent is empty)
    becomes an unknown location; unlocated incidents get a layer's code from the attribute
    configured for it (e.g. the PDQ number) when that code exists in the layer.
    """
    n = len(x)
    located = has_point.copy()
    issue = issue.copy()
    codes: dict[str, np.ndarray] = {layer.name: np.full(n, None, dtype=object) for layer in layers}
    if located.any():
        up, inv = _unique_points(x[located], y[located])
        for layer in layers:
            codes[layer.name][located] = layer.assign(up[:, 0], up[:, 1])[inv]
    bounding = [layer.name for layer in layers if not extent or layer.name in extent]
    if bounding:
        inside = np.zeros(n, dtype=bool)
        for name in bounding:
            inside |= codes[name] != None  # noqa: E711 - elementwise on an object array
        outside = located & ~inside
        issue[outside] = ISSUE_OUTSIDE
        located &= ~outside
        for name in codes:
            codes[name][outside] = None
    for layer in layers:
        values = attributes.get(layer.attribute) if layer.attribute else None
        if values is not None:
            fill = ~located & np.isin(values.astype(object), layer.codes)
            codes[layer.name][fill] = values[fill]

    quality = np.where(located, "located", "unknown").astype(object)
    grid = np.full(n, None, dtype=object)
    cells = np.full(n, None, dtype=object)
    if located.any():
        gx = np.floor(x[located] / grid_size).astype(np.int64)
        gy = np.floor(y[located] / grid_size).astype(np.int64)
        grid[located] = np.char.add(
            np.char.add("E", gx.astype(str)), np.char.add("N", gy.astype(str))
        )
        ul, inv = _unique_points(lon[located], lat[located])
        hex_ids = np.array(
            [h3.latlng_to_cell(la, lo, h3_resolution) for lo, la in ul], dtype=object
        )
        cells[located] = hex_ids[inv]
    return Located(
        x=x,
        y=y,
        lon=lon,
        lat=lat,
        quality=quality,
        issue=issue,
        grid_cell=grid,
        h3_cell=cells,
        layers=codes,
    )


def _unique_points(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (distinct (a, b) pairs, index of each input pair in them)."""
    pairs = np.column_stack((a, b))
    uniq, inv = np.unique(pairs, axis=0, return_inverse=True)
    return uniq, inv.ravel()
