"""Analysis cells: a square grid or H3 hexagons over the territory, and incidents counted in them.

The counting runs in the engine (Ibis over DuckDB or Spark): only located incidents are placed
in cells, grouped by cell and period; what comes back is one row per non-empty cell and period.
The cells themselves are built from the territory's polygons, so that cells with no incident
inside the territory are present with a count of 0 — a hot-spot statistic computed on the
non-empty cells alone would be biased upwards.

A grid cell is identified by its column and row on the workspace CRS's lattice of the given
size, anchored at the CRS origin (cell ``E{ix}N{iy}`` covers ``[ix·s, (ix+1)·s) × [iy·s,
(iy+1)·s)``), so the same size always gives the same cells. A cell belongs to the territory
when it overlaps it (any area in common), or when it holds an incident.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import h3
import ibis
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from urbansafety.errors import InputError
from urbansafety.i18n import N_

GRID = "grid"
H3 = "h3"
MAX_CELLS = 4_000_000


@dataclass(frozen=True, eq=False)
class Cells:
    """The analysis cells of a territory: ids, polygons (workspace CRS) and lattice position.

    ``ix``/``iy`` are the grid column and row (grid cells only; empty for H3).
    """

    kind: str
    ids: np.ndarray
    geometries: np.ndarray
    size: float = 0.0
    resolution: int = 0
    ix: np.ndarray | None = None
    iy: np.ndarray | None = None

    @property
    def n(self) -> int:
        """Return the number of cells."""
        return len(self.ids)

    @property
    def area_km2(self) -> np.ndarray:
        """Return each cell's area in square kilometres."""
        return np.asarray(shapely.area(self.geometries), dtype=float) / 1e6

    def centroids(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the x and y of each cell's centroid (workspace CRS)."""
        c = shapely.centroid(self.geometries)
        return shapely.get_x(c), shapely.get_y(c)

    def index(self) -> pd.Index:
        """Return the cell ids as an index (position of each id)."""
        return pd.Index(self.ids)


def grid_id(ix: np.ndarray, iy: np.ndarray) -> np.ndarray:
    """Return the ids ``E{ix}N{iy}`` of grid cells."""
    return np.asarray([f"E{i}N{j}" for i, j in zip(ix.tolist(), iy.tolist(), strict=True)])


def grid_cells(extent: BaseGeometry, size: float) -> Cells:
    """Return the square cells of the given size (metres) that overlap the extent polygon(s)."""
    if not size > 0:
        raise InputError(
            N_("The cell size must be positive (got %(value)s)."),
            hint=N_("Give a size in metres, e.g. 250."),
            params={"value": size},
        )
    if extent.is_empty:
        raise InputError(
            N_("The territory has no area: no cell can be drawn."),
            hint=N_("Import the territory's boundaries first (urbansafety import territories)."),
        )
    xmin, ymin, xmax, ymax = extent.bounds
    ix0, iy0 = int(np.floor(xmin / size)), int(np.floor(ymin / size))
    ix1, iy1 = int(np.ceil(xmax / size)), int(np.ceil(ymax / size))
    total = (ix1 - ix0) * (iy1 - iy0)
    if total > MAX_CELLS:
        raise InputError(
            N_("A grid of %(size)s m over this territory has %(n)s cells, too many."),
            hint=N_("Choose larger cells ([grid] size_m in urbansafety.toml or --cell)."),
            params={"size": size, "n": total},
        )
    mi, mj = np.meshgrid(np.arange(ix0, ix1), np.arange(iy0, iy1))
    ii, jj = mi.ravel(), mj.ravel()
    boxes = shapely.box(ii * size, jj * size, (ii + 1) * size, (jj + 1) * size)
    shapely.prepare(extent)
    # Overlap with area: a cell that only touches the boundary is outside.
    keep = shapely.intersects(extent, boxes) & ~shapely.touches(extent, boxes)
    return Cells(
        GRID, grid_id(ii[keep], jj[keep]), boxes[keep], size=size, ix=ii[keep], iy=jj[keep]
    )


def add_grid_cells(cells: Cells, ix: np.ndarray, iy: np.ndarray) -> Cells:
    """Return the cells with the given grid cells added (those holding incidents on the edge)."""
    assert cells.ix is not None and cells.iy is not None
    known = set(zip(cells.ix.tolist(), cells.iy.tolist(), strict=True))
    new = [(i, j) for i, j in zip(ix.tolist(), iy.tolist(), strict=True) if (i, j) not in known]
    if not new:
        return cells
    ni = np.asarray([p[0] for p in new], dtype=np.int64)
    nj = np.asarray([p[1] for p in new], dtype=np.int64)
    s = cells.size
    boxes = shapely.box(ni * s, nj * s, (ni + 1) * s, (nj + 1) * s)
    return Cells(
        GRID,
        np.concatenate([cells.ids, grid_id(ni, nj)]),
        np.concatenate([cells.geometries, boxes]),
        size=s,
        ix=np.concatenate([cells.ix, ni]),
        iy=np.concatenate([cells.iy, nj]),
    )


def h3_cells(extent: BaseGeometry, resolution: int, crs: str, extra: Sequence[str] = ()) -> Cells:
    """Return the H3 cells of a resolution whose centre is in the extent, plus `extra` cells.

    Polygons are returned in the workspace CRS `crs` (H3 works on WGS84 longitudes/latitudes).
    """
    if not 0 <= resolution <= 15:
        raise InputError(
            N_("The H3 resolution must be between 0 and 15 (got %(value)s)."),
            hint=N_("Resolution 9 gives hexagons of about 0.1 km²."),
            params={"value": resolution},
        )
    to_wgs = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    wgs = shapely.transform(extent, lambda x, y: to_wgs.transform(x, y), interleaved=False)
    found: set[str] = set()
    for part in getattr(wgs, "geoms", [wgs]):
        if part.is_empty:
            continue
        found.update(h3.geo_to_cells(part.__geo_interface__, resolution))
    found.update(extra)
    ids = np.asarray(sorted(found), dtype=object)
    from_wgs = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    polys = []
    for cell in ids:
        ring = [(lng, lat) for lat, lng in h3.cell_to_boundary(cell)]
        xs, ys = from_wgs.transform([p[0] for p in ring], [p[1] for p in ring])
        polys.append(shapely.Polygon(list(zip(xs, ys, strict=True))))
    return Cells(H3, ids, np.asarray(polys, dtype=object), resolution=resolution)


def grid_counts_table(incidents: ibis.Table, size: float, by: list[str]) -> ibis.Table:
    """Return located incidents counted by grid column ``ix``, row ``iy`` and the keys `by`."""
    t = incidents.filter(incidents.location_quality == "located")
    t = t.mutate(ix=(t.x / size).floor().cast("int64"), iy=(t.y / size).floor().cast("int64"))
    keys = ["ix", "iy", *by]
    return t.group_by(keys).aggregate(incidents=ibis._.count()).order_by(keys)


def h3_counts_table(incidents: ibis.Table, by: list[str]) -> ibis.Table:
    """Return located incidents counted by stored H3 cell ``h3_cell`` and the keys `by`."""
    t = incidents.filter((incidents.location_quality == "located") & incidents.h3_cell.notnull())
    keys = ["h3_cell", *by]
    return t.group_by(keys).aggregate(incidents=ibis._.count()).order_by(keys)


@dataclass(frozen=True, eq=False)
class CellCounts:
    """Incidents per cell (rows, in the order of `cells`) and period (columns)."""

    cells: Cells
    periods: tuple[int, ...]
    counts: np.ndarray

    @property
    def total(self) -> np.ndarray:
        """Return each cell's count over every period."""
        return self.counts.sum(axis=1)

    def frame(self) -> pd.DataFrame:
        """Return one row per cell: id, one column per period and the total."""
        out = pd.DataFrame(self.counts, columns=[str(p) for p in self.periods])
        out.insert(0, "cell", self.cells.ids)
        out["total"] = self.total
        return out


def cell_counts(
    incidents: ibis.Table,
    extent: BaseGeometry,
    *,
    kind: str = GRID,
    size: float = 250.0,
    resolution: int = 9,
    crs: str = "EPSG:32188",
    stored_resolution: int | None = None,
    period: str = "year",
) -> CellCounts:
    """Return the located incidents of `incidents` per cell of the territory and per period.

    `incidents` is already scoped (territory, years, categories). H3 cells come from the
    stored ``h3_cell`` (computed at import; its resolution is read from the cells when
    `stored_resolution` is not given); a coarser resolution is obtained from their parents, a
    finer one is refused.
    """
    if kind == GRID:
        frame = grid_counts_table(incidents, size, [period]).to_pandas()
        ix = frame["ix"].to_numpy(dtype=np.int64)
        iy = frame["iy"].to_numpy(dtype=np.int64)
        cells = grid_cells(extent, size)
        cells = add_grid_cells(cells, *_unique_pairs(ix, iy))
        key = pd.Series(grid_id(ix, iy)) if len(frame) else pd.Series([], dtype=object)
    elif kind == H3:
        frame = h3_counts_table(incidents, [period]).to_pandas()
        raw = frame["h3_cell"].astype(str)
        stored = stored_resolution
        if stored is None:
            stored = h3.get_resolution(raw.iloc[0]) if len(raw) else resolution
        if resolution > stored:
            raise InputError(
                N_("H3 resolution %(res)s is finer than the one stored at import (%(stored)s)."),
                hint=N_("Use a resolution of at most %(stored)s ([grid] h3_resolution)."),
                params={"res": resolution, "stored": stored},
            )
        if resolution < stored:
            parents = {c: h3.cell_to_parent(c, resolution) for c in raw.unique()}
            raw = raw.map(parents)
        key = raw.reset_index(drop=True)
        cells = h3_cells(extent, resolution, crs, sorted(set(key)))
    else:
        raise InputError(
            N_("Unknown kind of cells %(value)r."),
            hint=N_("Use 'grid' (squares) or 'h3' (hexagons)."),
            params={"value": kind},
        )
    periods = tuple(sorted(int(p) for p in frame[period].unique())) if len(frame) else ()
    counts = np.zeros((cells.n, len(periods)), dtype=np.int64)
    if len(frame):
        row = cells.index().get_indexer(key)
        col = pd.Index(periods).get_indexer(frame[period].astype(int))
        np.add.at(counts, (row, col), frame["incidents"].to_numpy(dtype=np.int64))
    return CellCounts(cells, periods, counts)


def _unique_pairs(ix: np.ndarray, iy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(ix) == 0:
        return ix, iy
    pairs = np.unique(np.stack([ix, iy], axis=1), axis=0)
    return pairs[:, 0], pairs[:, 1]
