"""Kernel density of incidents on a raster: the quartic kernel used in crime mapping.

Each incident spreads one unit of mass (or its weight) over the cells whose centre lies
within the bandwidth ``h`` of it, in proportion to the quartic (biweight) kernel

    K(d) = 3 / (π h²) · (1 − d²/h²)²   for d < h, 0 beyond,

evaluated at the cell centres. The discretised kernel of each incident is then divided by
its own sum over the cells (times the cell area), so that every incident contributes exactly
its weight to the raster whatever the cell size: ``Raster.integral()`` equals the number of
incidents (or their total weight) to rounding. The normalisation factor
``F = Σ_cells K(d) · cell²`` tends to 1 as ``(cell / h)²`` (midpoint rule on a kernel whose
first derivative vanishes at the rim): ``|F − 1| < 0.08 · (cell / h)²``, i.e. under 2 % when
the cell is half the bandwidth and under 0.2 % at a quarter (tested). The values are then
those of the textbook estimator; with coarse cells they stay mass-exact where the
unnormalised formula (ArcGIS) would gain or lose incidents.

Police coordinates are tied (generalised to intersections or block centroids), so the work
is done once per distinct location, with the number of incidents there as its weight.

Extent. Without ``extent`` the raster is the bounding rectangle of the incidents grown by the
bandwidth, its corner snapped to a multiple of the cell size (so that rasters of different
years line up): no kernel is cut. With an ``extent`` the raster covers that rectangle; the
part of a kernel that falls outside is handled by ``edge``:

* ``"clip"`` (default): that mass is dropped and reported in ``Raster.clipped``, so that
  ``integral() + clipped == n_incidents`` (incidents outside the extent count only for the
  part of their kernel that reaches inside);
* ``"renormalise"``: each kernel is normalised over the cells inside the extent (the edge
  correction of Jones, 1993), so incidents near the border keep their full mass; an incident
  whose kernel does not reach the extent at all is still dropped into ``clipped``.

If the bandwidth is so small against the cell that no cell centre lies within it, the whole
weight of the incident goes to the cell that contains it (a histogram), which keeps the
integral exact.

References
----------
Silverman, B. W. (1986). *Density Estimation for Statistics and Data Analysis*. Chapman &
Hall, eq. 4.5 (the biweight / quartic kernel in two dimensions).
Chainey, S., Tompson, L., & Uhlig, S. (2008). The utility of hotspot mapping for predicting
spatial patterns of crime. *Security Journal*, 21(1–2), 4–28.
Jones, M. C. (1993). Simple boundary correction for kernel density estimation. *Statistics
and Computing*, 3(3), 135–146.
Esri. How Kernel Density works (ArcGIS 10.2.1 and later, desktop.arcgis.com), default search
radius.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import shapely

from urbansafety.analysis.kde_rules import (
    Extent,
    check_extent,
    coordinates,
    default_bandwidth,
    default_cell,
    distinct,
    input_error,
)
from urbansafety.i18n import N_

M2_PER_KM2 = 1_000_000.0
# 50 million cells is 400 MB of float64: a city at 2 m, or Québec province at 200 m
MAX_CELLS = 50_000_000
# cells under one kernel: beyond this the cell is needlessly small for the bandwidth
MAX_KERNEL_CELLS = 1_000_000
# 1,000,000 distinct points x ~250 stencil cells would need gigabytes at once; this many
# kernel values per chunk keeps the working set near 100 MB.
_CHUNK_VALUES = 2_000_000


@dataclass(frozen=True, eq=False)
class Raster:
    """A density raster in incidents per km².

    Attributes
    ----------
    values
        Array of shape ``(ny, nx)``: density in incidents (or weight) per km². Row 0 is the
        SOUTHERNMOST row (the one starting at ``y0``) and column 0 the westernmost, so
        ``values[i, j]`` is the cell whose lower-left corner is ``(x0 + j·cell, y0 + i·cell)``.
        To draw it north up, flip it (``values[::-1]``) or use ``origin="lower"``.
    x0, y0
        Lower-left corner of the raster, metres (workspace CRS).
    cell
        Cell size, metres.
    bandwidth
        Kernel radius ``h``, metres.
    n_incidents
        Number of incidents (or total weight) given.
    clipped
        Weight that fell outside the raster (0 unless an ``extent`` was given).
    """

    values: np.ndarray
    x0: float
    y0: float
    cell: float
    bandwidth: float
    n_incidents: float = 0.0
    clipped: float = 0.0

    @property
    def shape(self) -> tuple[int, int]:
        """Return (ny, nx)."""
        ny, nx = self.values.shape
        return int(ny), int(nx)

    @property
    def cell_area_km2(self) -> float:
        """Return the area of one cell in km²."""
        return self.cell * self.cell / M2_PER_KM2

    def bounds(self) -> Extent:
        """Return (xmin, ymin, xmax, ymax) of the raster in metres."""
        ny, nx = self.shape
        return (self.x0, self.y0, self.x0 + nx * self.cell, self.y0 + ny * self.cell)

    def integral(self) -> float:
        """Return Σ values × cell area: the number (or total weight) of incidents mapped."""
        return float(self.values.sum(dtype=np.float64) * self.cell_area_km2)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the x and y of the cell centres, two arrays of shape ``(ny, nx)`` like values."""
        ny, nx = self.shape
        xc = self.x0 + (np.arange(nx) + 0.5) * self.cell
        yc = self.y0 + (np.arange(ny) + 0.5) * self.cell
        gx, gy = np.meshgrid(xc, yc)
        return gx, gy

    def cell_of(
        self, x: np.ndarray | float, y: np.ndarray | float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return (row, column) of the cells containing the points (−1 where outside)."""
        ny, nx = self.shape
        col = np.floor((np.asarray(x, dtype=float) - self.x0) / self.cell).astype(np.int64)
        row = np.floor((np.asarray(y, dtype=float) - self.y0) / self.cell).astype(np.int64)
        out = (col < 0) | (col >= nx) | (row < 0) | (row >= ny)
        return np.where(out, -1, row), np.where(out, -1, col)

    def cell_polygons(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Return shapely boxes of the cells (all, or where mask is true), row-major order."""
        gx, gy = self.centres()
        half = self.cell / 2.0
        if mask is not None:
            gx, gy = gx[mask], gy[mask]
        gx, gy = gx.ravel(), gy.ravel()
        return np.asarray(shapely.box(gx - half, gy - half, gx + half, gy + half))


def _positive(value: float, message: str, hint: str) -> float:
    v = float(value)
    if not (math.isfinite(v) and v > 0):
        raise input_error(message, hint, value=value)
    return v


def _stencil(h_cells: float) -> tuple[np.ndarray, np.ndarray, int]:
    """Return the (row, column) offsets of every cell a kernel of radius h_cells can reach."""
    r = math.ceil(h_cells) + 1
    off = np.arange(-r, r + 1)
    di, dj = (a.ravel() for a in np.meshgrid(off, off, indexing="ij"))
    # nearest a centre at offset k can be, over every position of the point inside its cell
    ni, nj = np.maximum(np.abs(di) - 0.5, 0.0), np.maximum(np.abs(dj) - 0.5, 0.0)
    keep = ni * ni + nj * nj < h_cells * h_cells
    return di[keep], dj[keep], r


def kde(
    x: np.ndarray,
    y: np.ndarray,
    *,
    bandwidth: float | None = None,
    cell: float | None = None,
    extent: Extent | None = None,
    weights: np.ndarray | None = None,
    edge: Literal["clip", "renormalise"] = "clip",
) -> Raster:
    """Return the quartic kernel density of the incidents, in incidents per km².

    Parameters
    ----------
    x, y
        Incident coordinates in metres (a projected CRS such as MTM or UTM), one per incident;
        repeated locations are expected and cost nothing.
    bandwidth
        Kernel radius in metres; default :func:`default_bandwidth`.
    cell
        Cell size in metres; default :func:`default_cell` of ``extent`` (or of the incidents'
        bounding rectangle).
    extent
        ``(xmin, ymin, xmax, ymax)`` of the raster in metres; the raster starts at
        ``(xmin, ymin)`` and has ``ceil(width / cell)`` columns (it may pass ``xmax`` by less
        than a cell). Default: the incidents' bounding rectangle grown by the bandwidth,
        snapped outward to multiples of the cell size.
    weights
        Weight of each incident (≥ 0), e.g. a severity weight; default 1.
    edge
        What happens to kernel mass outside a given extent: ``"clip"`` drops it (reported in
        ``Raster.clipped``), ``"renormalise"`` keeps each kernel's mass inside the extent.

    Returns
    -------
    Raster
        ``values`` in incidents per km², row 0 southernmost; ``integral()`` equals the
        total weight minus ``clipped`` (to ~1e-12 relative).

    Raises
    ------
    InputError
        No incidents; missing coordinates; weights negative, missing or of the wrong length;
        bandwidth or cell ≤ 0; an extent that is not a rectangle; a raster above
        ``MAX_CELLS`` cells or a kernel above ``MAX_KERNEL_CELLS`` cells (cell too small).

    References
    ----------
    Silverman, B. W. (1986). *Density Estimation for Statistics and Data Analysis*, eq. 4.5.
    Chainey, S., Tompson, L., & Uhlig, S. (2008). *Security Journal*, 21(1–2), 4–28.
    """
    xa, ya, wa = coordinates(x, y, weights)
    if edge not in ("clip", "renormalise"):
        raise input_error(
            N_("Unknown edge rule %(value)r."),
            N_("Use 'clip' or 'renormalise'."),
            value=edge,
        )
    xs, ys, ms = distinct(xa, ya, wa)
    h = (
        default_bandwidth(xs, ys, ms)
        if bandwidth is None
        else _positive(
            bandwidth,
            N_("The bandwidth must be a number of metres above 0 (got %(value)s)."),
            N_("A bandwidth of 200 to 800 m is common for city crime maps."),
        )
    )
    if extent is not None:
        xmin, ymin, xmax, ymax = check_extent(extent)
        c = default_cell((xmin, ymin, xmax, ymax)) if cell is None else cell
    else:
        bx0, by0, bx1, by1 = xs.min(), ys.min(), xs.max(), ys.max()
        if cell is None:
            study = (bx0, by0, bx1, by1)
            if bx1 - bx0 <= 0 and by1 - by0 <= 0:
                study = (bx0 - h, by0 - h, bx1 + h, by1 + h)
            c = default_cell(study)
        else:
            c = cell
    c = _positive(
        c,
        N_("The cell size must be a number of metres above 0 (got %(value)s)."),
        N_("A cell of 25 to 100 m is common for city crime maps."),
    )
    if extent is not None:
        x0, y0 = xmin, ymin
        nx = max(1, math.ceil((xmax - xmin) / c - 1e-9))
        ny = max(1, math.ceil((ymax - ymin) / c - 1e-9))
    else:
        x0 = math.floor((bx0 - h) / c) * c
        y0 = math.floor((by0 - h) / c) * c
        nx = math.floor((bx1 + h - x0) / c) + 1
        ny = math.floor((by1 + h - y0) / c) + 1

    if nx * ny > MAX_CELLS:
        raise input_error(
            N_("The raster would have %(n)s cells, more than %(max)s."),
            N_("Use a larger cell size or a smaller extent."),
            n=nx * ny,
            max=MAX_CELLS,
        )
    kernel_cells = math.pi * (h / c) ** 2
    if kernel_cells > MAX_KERNEL_CELLS:
        raise input_error(
            N_("The bandwidth covers about %(n)s cells; at most %(max)s are allowed."),
            N_("Use a larger cell size: a bandwidth of 5 to 20 cells is usual."),
            n=round(kernel_cells),
            max=MAX_KERNEL_CELLS,
        )
    grid, clipped = _spread(xs, ys, ms, x0, y0, c, h, nx, ny, renormalise=edge == "renormalise")
    values = grid / (c * c / M2_PER_KM2)
    return Raster(
        values=values,
        x0=float(x0),
        y0=float(y0),
        cell=c,
        bandwidth=h,
        n_incidents=float(wa.sum()),
        clipped=clipped,
    )


def _spread(
    xs: np.ndarray,
    ys: np.ndarray,
    ms: np.ndarray,
    x0: float,
    y0: float,
    c: float,
    h: float,
    nx: int,
    ny: int,
    *,
    renormalise: bool,
) -> tuple[np.ndarray, float]:
    """Return the (ny, nx) sum of each location's normalised kernel and the mass left out."""
    di, dj, r = _stencil(h / c)
    # position of each point in cell units: containing cell + offset in [0, 1)
    u, v = (xs - x0) / c, (ys - y0) / c
    jc, ic = np.floor(u), np.floor(v)
    # a kernel reaches at most r cells from the point's cell: farther points cannot touch
    # the raster (only possible with a given extent) and go straight to the clipped mass
    near = (ic >= -r) & (ic < ny + r) & (jc >= -r) & (jc < nx + r)
    lost = float(ms[~near].sum())
    if not near.all():
        u, v, jc, ic, ms = u[near], v[near], jc[near], ic[near], ms[near]
    fx, fy = u - jc, v - ic
    # the work grid is padded by 2r cells so that every stencil index is valid
    pad = 2 * r
    wx, wy = nx + 2 * pad, ny + 2 * pad
    base = (ic.astype(np.int64) + pad) * wx + (jc.astype(np.int64) + pad)
    offset = di * wx + dj
    s = len(di)
    inv_h2 = 1.0 / (h / c) ** 2
    offs = np.arange(-r, r + 1, dtype=np.float64) + 0.5
    col_i, row_i = dj + r, di + r
    centre = np.flatnonzero((di == 0) & (dj == 0))
    work = np.zeros(wx * wy, dtype=np.float64)
    chunk = max(1, _CHUNK_VALUES // s)
    for start in range(0, len(ms), chunk):
        sl = slice(start, start + chunk)
        # t = 1 − d²/h² with d² = dx² + dy², from per-axis terms (cell units)
        ax = 1.0 - (offs[None, :] - fx[sl, None]) ** 2 * inv_h2
        by = (offs[None, :] - fy[sl, None]) ** 2 * inv_h2
        # np.take keeps the rows contiguous (ax[:, col_i] would not, and ravel would copy)
        t = np.take(ax, col_i, axis=1)
        np.subtract(t, np.take(by, row_i, axis=1), out=t)
        np.maximum(t, 0.0, out=t)
        np.square(t, out=t)
        idx = base[sl, None] + offset[None, :]
        empty = t[:, centre[0]] <= 0
        if empty.any():
            empty &= ~t.any(axis=1)
            # no centre within the bandwidth: the whole mass goes to the containing cell
            t[empty, centre[0]] = 1.0
        if renormalise:
            rows, cols = idx // wx - pad, idx % wx - pad
            t *= (rows >= 0) & (rows < ny) & (cols >= 0) & (cols < nx)
        total = t.sum(axis=1)
        mass = ms[sl]
        t *= np.divide(mass, total, out=np.zeros_like(mass), where=total > 0)[:, None]
        work += np.bincount(idx.ravel(), weights=t.ravel(), minlength=work.size)
    grid = work.reshape(wy, wx)[pad : pad + ny, pad : pad + nx]
    lost += float(ms.sum() - grid.sum())
    # sums carry rounding (~1e-16 relative per value); below this it is no loss
    if abs(lost) <= 1e-9 * max(1.0, float(ms.sum())):
        lost = 0.0
    return np.ascontiguousarray(grid), lost
