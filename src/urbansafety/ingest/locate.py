"""Locate incidents: usable coordinates, projection, territory of each layer, grid and H3 cells."""

from __future__ import annotations

from dataclasses import dataclass

import h3
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from pyproj import Transformer

from urbansafety.i18n import N_

WGS84 = "EPSG:4326"
ISSUE_MISSING = N_("missing")
ISSUE_PLACEHOLDER = N_("placeholder")
ISSUE_OUTSIDE = N_("outside the territory")
ISSUES = ("", ISSUE_MISSING, ISSUE_PLACEHOLDER, ISSUE_OUTSIDE)  # 0 = no issue


@dataclass(frozen=True)
class Layer:
    """One territory layer's polygons in the workspace CRS, sorted by code."""

    name: str
    codes: np.ndarray
    geometries: np.ndarray
    attribute: str = ""

    def assign(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return the index in codes of each point's territory (-1 outside every polygon).

        A point on a border shared by two polygons gets exactly one: the first code in sort
        order, so the result never depends on the file's polygon order.
        """
        out = np.full(len(x), -1, dtype=np.int64)
        if len(x) == 0 or len(self.codes) == 0:
            return out
        tree = shapely.STRtree(self.geometries)
        points = shapely.points(x, y)
        point_idx, poly_idx = tree.query(points, predicate="intersects")
        order = np.lexsort((poly_idx, point_idx))
        point_idx, poly_idx = point_idx[order], poly_idx[order]
        first = np.unique(point_idx, return_index=True)[1]
        out[point_idx[first]] = poly_idx[first]
        return out

    def codes_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return each point's code (None outside every polygon)."""
        index = self.assign(x, y)
        return np.array([self.codes[i] if i >= 0 else None for i in index.tolist()], dtype=object)


@dataclass
class Located:
    """Location columns for a batch of incidents."""

    x: np.ndarray
    y: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    located: np.ndarray
    issue: pa.Array
    grid_cell: pa.Array
    h3_cell: pa.Array
    layers: dict[str, pa.Array]


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
    attributes: dict[str, pa.Array],
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

    points = None
    if xy_ok.any():
        ux, inv = _unique_points(x_in[xy_ok], y_in[xy_ok])
        if source_crs != work_crs:
            wx, wy = Transformer.from_crs(source_crs, work_crs, always_xy=True).transform(
                ux[:, 0], ux[:, 1]
            )
        else:
            wx, wy = ux[:, 0], ux[:, 1]
        x[xy_ok], y[xy_ok] = np.asarray(wx)[inv], np.asarray(wy)[inv]
        # Distinct source points stay distinct once projected: reused below.
        points = (np.flatnonzero(xy_ok), np.column_stack((wx, wy)), inv)
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
        points = None

    located = xy_ok | ll_ok
    issue = np.zeros(n, dtype=np.int8)
    issue[~located] = ISSUES.index(ISSUE_MISSING)
    issue[~located & (xy_ph | ll_ph)] = ISSUES.index(ISSUE_PLACEHOLDER)
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
        points=points,
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
    attributes: dict[str, pa.Array],
    grid_size: float,
    h3_resolution: int,
    points: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> Located:
    """Return location columns for points in the workspace CRS (has_point marks usable ones).

    issue holds codes into ISSUES. A point outside every polygon of the extent layers (all
    layers when extent is empty) becomes an unknown location; unlocated incidents get a
    layer's code from the attribute configured for it (e.g. the PDQ number) when that code
    exists in the layer. Work is done once per distinct point, then spread to its incidents
    with integer indices (no Python object per incident).
    """
    n = len(x)
    issue = issue.copy()
    if points is None:
        rows = np.flatnonzero(has_point)
        up, inv = _unique_points(x[rows], y[rows])
    else:
        rows, up, inv = points  # (rows with a point, their distinct points, index into them)
    point_index = {layer.name: layer.assign(up[:, 0], up[:, 1]) for layer in layers}
    inside = np.ones(len(up), dtype=bool)
    bounding = [layer.name for layer in layers if not extent or layer.name in extent]
    if bounding:
        inside[:] = False
        for name in bounding:
            inside |= point_index[name] >= 0
    located = np.zeros(n, dtype=bool)
    located[rows] = inside[inv]
    issue[rows[~inside[inv]]] = ISSUES.index(ISSUE_OUTSIDE)

    codes: dict[str, pa.Array] = {}
    for layer in layers:
        index = np.full(n, -1, dtype=np.int64)
        index[rows] = np.where(inside, point_index[layer.name], -1)[inv]
        attribute = attributes.get(layer.attribute) if layer.attribute else None
        if attribute is not None:
            by_code = pc.index_in(attribute, value_set=pa.array(layer.codes.tolist(), pa.string()))
            by_code = np.asarray(
                pc.fill_null(by_code, -1).to_numpy(zero_copy_only=False), dtype=np.int64
            )
            index = np.where(~located & (by_code >= 0), by_code, index)
        codes[layer.name] = _take(layer.codes.tolist(), index)

    point_grid: list[str | None] = []
    point_h3: list[str | None] = []
    if len(up):
        gx = np.floor(up[:, 0] / grid_size).astype(np.int64)
        gy = np.floor(up[:, 1] / grid_size).astype(np.int64)
        # The H3 cell of a point is that of its longitude/latitude (first incident at the point).
        first = np.zeros(len(up), dtype=np.int64)
        first[inv[::-1]] = rows[::-1]
        point_grid = [f"E{i}N{j}" for i, j in zip(gx.tolist(), gy.tolist(), strict=True)]
        point_h3 = [
            h3.latlng_to_cell(la, lo, h3_resolution)
            if np.isfinite(la) and np.isfinite(lo)
            else None
            for lo, la in zip(lon[first].tolist(), lat[first].tolist(), strict=True)
        ]
    cell_index = np.full(n, -1, dtype=np.int64)
    cell_index[rows] = np.where(inside, np.arange(len(up)), -1)[inv]
    return Located(
        x=x,
        y=y,
        lon=lon,
        lat=lat,
        located=located,
        issue=_take([None, *ISSUES[1:]], np.where(issue == 0, -1, issue).astype(np.int64)),
        grid_cell=_take(point_grid, cell_index),
        h3_cell=_take(point_h3, cell_index),
        layers=codes,
    )


def _take(values: list[str | None], index: np.ndarray) -> pa.Array:
    """Return values[index], null where index is -1, as a dictionary array (no string per row).

    Values that are None become nulls too. The store receives plain text: DuckDB decodes the
    dictionary while inserting.
    """
    dictionary = pa.array(values, pa.string())
    missing = index < 0
    if dictionary.null_count:
        missing |= np.asarray(dictionary.is_null())[np.maximum(index, 0)]
    indices = pa.array(index.astype(np.int32), mask=missing)
    return pa.DictionaryArray.from_arrays(indices, dictionary.fill_null(""))


def _unique_points(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (distinct (a, b) pairs, index of each input pair in them); a and b are finite."""
    index, uniq = pd.factorize(a + 1j * b)
    return np.column_stack((uniq.real, uniq.imag)), index
