"""Spatial weights: which units are neighbours, as a sparse n×n matrix.

A :class:`Weights` holds a ``scipy.sparse.csr_array`` with a zero diagonal (a unit is not its own
neighbour; Gi* adds itself, see :mod:`urbansafety.analysis.hotspots`). Builders:

- :func:`grid_contiguity`: cells of a square grid (any subset of it, e.g. the cells inside a city),
  rook (shared side) or queen (shared side or corner);
- :func:`polygon_contiguity`: polygons sharing a vertex (queen) or an edge (rook), the same links
  as libpysal ``Queen`` / ``Rook``;
- :func:`distance_band`: points within a distance (``d <= threshold``);
- :func:`knn`: each point's ``k`` nearest points (not symmetric);
- :func:`from_libpysal` / :func:`to_libpysal` (in ``weights_libpysal.py``): conversion, for tests
  and benchmarks.

References
----------
Cliff, A. D. & Ord, J. K. (1981). *Spatial Processes: Models and Applications*. London: Pion.
Anselin, L. (1995). Local indicators of spatial association—LISA. *Geographical Analysis*, 27(2),
93–115.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
import shapely
from scipy.spatial import cKDTree

from urbansafety.analysis.weights_checks import unit_label
from urbansafety.analysis.weights_grid import grid_links
from urbansafety.analysis.weights_polygons import polygon_links
from urbansafety.analysis.weights_sparse import _from_pairs
from urbansafety.errors import InputError
from urbansafety.i18n import N_

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

KINDS = ("queen", "rook", "distance", "knn", "custom")
TRANSFORMS = ("B", "R", "O")


@dataclass(frozen=True, eq=False)
class Weights:
    """Spatial weights: an n×n sparse matrix, zero diagonal, row i = the neighbours of unit i.

    Attributes
    ----------
    matrix : scipy.sparse.csr_array
        n×n float64, sorted indices, no stored zeros. Binary (1 = neighbour) unless transformed.
    kind : str
        How it was built: ``"queen"``, ``"rook"``, ``"distance"``, ``"knn"`` or ``"custom"``.
    ids : numpy.ndarray or None
        The unit identifiers in row order, when given.
    transform : str
        ``"B"`` binary, ``"R"`` row-standardised (each row sums to 1), ``"O"`` other values as
        given (custom weights read from libpysal).
    """

    matrix: sp.csr_array
    kind: str
    ids: np.ndarray | None = None
    transform: str = "B"

    def __post_init__(self) -> None:
        m = self.matrix
        if not isinstance(m, sp.csr_array) or m.ndim != 2 or m.shape[0] != m.shape[1]:
            raise TypeError("Weights.matrix must be a square scipy.sparse.csr_array")
        if m.dtype != np.float64:
            raise TypeError("Weights.matrix must hold float64 values")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")
        if self.transform not in TRANSFORMS:
            raise ValueError(f"transform must be one of {TRANSFORMS}, not {self.transform!r}")
        if self.ids is not None and len(self.ids) != m.shape[0]:
            raise ValueError("ids must have one entry per row of the matrix")
        # The statistics count stored entries as neighbours and add the unit itself (Gi*).
        if np.any(m.data == 0) or np.any(m.diagonal() != 0):
            raise ValueError("Weights.matrix must have a zero diagonal and no stored zeros")

    @property
    def n(self) -> int:
        """Return the number of units."""
        return int(self.matrix.shape[0])

    @property
    def cardinalities(self) -> np.ndarray:
        """Return the number of neighbours of each unit (int64)."""
        return np.diff(self.matrix.indptr).astype(np.int64)

    @property
    def islands(self) -> np.ndarray:
        """Return the positions (0-based) of the units that have no neighbour."""
        return np.flatnonzero(self.cardinalities == 0)

    @property
    def s0(self) -> float:
        """Return S0, the sum of all weights (Cliff & Ord 1981)."""
        return float(self.matrix.data.sum())

    def row_standardised(self) -> Weights:
        """Return these weights with each row divided by its sum (transform ``"R"``).

        Rows of islands stay zero. Already row-standardised weights are returned unchanged.
        """
        if self.transform == "R":
            return self
        m = self.matrix
        row_sum = np.asarray(m.sum(axis=1), dtype=np.float64)
        data = m.data / np.repeat(row_sum, self.cardinalities)
        matrix = sp.csr_array((data, m.indices.copy(), m.indptr.copy()), shape=m.shape)
        return Weights(matrix, self.kind, self.ids, "R")


def _check_ids(ids: ArrayLike | None, n: int) -> np.ndarray | None:
    if ids is None:
        return None
    out = np.asarray(ids)
    if out.ndim != 1 or len(out) != n:
        raise InputError(
            N_("There are %(n_ids)s identifiers for %(n)s units."),
            hint=N_("Give one identifier per unit, in the same order as the units."),
            params={"n_ids": out.size, "n": n},
        )
    if len(np.unique(out)) != n:
        raise InputError(
            N_("The unit identifiers are not unique."),
            hint=N_("Each unit needs its own identifier; remove or merge the duplicates."),
        )
    return out


def _integer_array(values: ArrayLike, name: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise InputError(
            N_("%(name)s must be a one-dimensional array."),
            hint=N_("Give one value per unit."),
            params={"name": name},
        )
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
        return arr.astype(np.int64)
    raise InputError(
        N_("%(name)s must hold whole numbers (grid column or row numbers)."),
        hint=N_(
            "Compute the grid position as floor((x - x0) / cell_size) before building weights."
        ),
        params={"name": name},
    )


def _check_kind(kind: str, allowed: tuple[str, ...]) -> None:
    if kind not in allowed:
        raise InputError(
            N_("Unknown contiguity %(kind)r."),
            hint=N_("Use one of: %(allowed)s."),
            params={"kind": kind, "allowed": ", ".join(allowed)},
        )


def grid_contiguity(
    ix: ArrayLike, iy: ArrayLike, kind: str = "queen", ids: ArrayLike | None = None
) -> Weights:
    """Return the contiguity weights of cells of a square grid given by column and row numbers.

    Parameters
    ----------
    ix, iy : array_like of int
        Column and row number of each cell. Any subset of a grid: cells absent from the input
        are not neighbours of anything (e.g. cells outside a city).
    kind : {"queen", "rook"}
        ``"rook"``: cells sharing a side (up to 4 neighbours); ``"queen"``: sharing a side or a
        corner (up to 8).
    ids : array_like, optional
        Identifier of each cell.

    Returns
    -------
    Weights
        Binary weights, rows in input order.

    Notes
    -----
    On a full ``nrows × ncols`` grid numbered ``i = row * ncols + col`` this equals libpysal
    ``lat2W(nrows, ncols, rook=...)``. Built with a lookup table (or sorting, for a sparse subset
    of a huge grid): a million cells take a fraction of a second.
    """
    _check_kind(kind, ("queen", "rook"))
    cx = _integer_array(ix, "ix")
    cy = _integer_array(iy, "iy")
    if len(cx) != len(cy):
        raise InputError(
            N_("ix has %(nx)s values and iy has %(ny)s."),
            hint=N_("Give one column and one row number per cell."),
            params={"nx": len(cx), "ny": len(cy)},
        )
    n = len(cx)
    ids_arr = _check_ids(ids, n)
    return Weights(grid_links(cx, cy, kind, ids), kind, ids_arr, "B")


def _geometry_array(geometries: Any, ids: ArrayLike | None) -> np.ndarray:
    geoms = np.asarray(getattr(geometries, "values", geometries), dtype=object)
    if geoms.ndim != 1:
        geoms = geoms.ravel()
    bad = ~shapely.is_geometry(geoms)
    if not bad.any():
        bad = shapely.is_empty(geoms) | ~np.isin(
            shapely.get_type_id(geoms),
            [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON],
        )
    if bad.any():
        raise InputError(
            N_("%(count)s geometries are missing, empty or not polygons (first: %(first)s)."),
            hint=N_(
                "Contiguity needs one polygon or multipolygon per unit; fix or drop the others."
            ),
            params={"count": int(bad.sum()), "first": unit_label(ids, int(np.flatnonzero(bad)[0]))},
        )
    return geoms


def polygon_contiguity(
    geometries: Any, kind: str = "queen", ids: ArrayLike | None = None
) -> Weights:
    """Return contiguity weights of polygons: sharing a vertex (queen) or an edge (rook).

    Parameters
    ----------
    geometries : sequence of shapely Polygon or MultiPolygon (or a GeoSeries)
        One geometry per unit.
    kind : {"queen", "rook"}
        ``"queen"``: at least one common vertex; ``"rook"``: at least one common edge (two
        consecutive vertices of a ring, in either direction).
    ids : array_like, optional
        Identifier of each unit.

    Returns
    -------
    Weights
        Binary weights, rows in input order.

    Notes
    -----
    Same rule as libpysal ``Queen`` / ``Rook`` (``ContiguityWeightsLists``): coordinates must
    be *exactly* equal. Polygons that touch along a border digitised with different vertices
    (a T-junction, or a gap of a centimetre) are not linked; snap or clean the layer first
    (e.g. ``shapely.set_precision``). Edges are taken ring by ring.
    """
    _check_kind(kind, ("queen", "rook"))
    geoms = _geometry_array(geometries, ids)
    n = len(geoms)
    ids_arr = _check_ids(ids, n)
    return Weights(polygon_links(geoms, kind, n), kind, ids_arr, "B")


def _points(x: ArrayLike, y: ArrayLike, ids: ArrayLike | None) -> np.ndarray:
    ax, ay = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if ax.ndim != 1 or ay.shape != ax.shape:
        raise InputError(
            N_("x and y must be two arrays of the same length."),
            hint=N_("Give one x and one y coordinate per unit."),
        )
    xy = np.column_stack([ax, ay])
    if not np.all(np.isfinite(xy)):
        bad = np.flatnonzero(~np.isfinite(xy).all(axis=1))
        raise InputError(
            N_("%(count)s units have a missing or infinite coordinate (first: %(first)s)."),
            hint=N_("Drop or locate the units without coordinates first."),
            params={"count": len(bad), "first": unit_label(ids, int(bad[0]))},
        )
    return xy


def distance_band(
    x: ArrayLike, y: ArrayLike, threshold: float, ids: ArrayLike | None = None
) -> Weights:
    """Return binary weights linking points at Euclidean distance ``d <= threshold``.

    Parameters
    ----------
    x, y : array_like of float
        Projected coordinates (metres, e.g. EPSG:32188), not longitude/latitude.
    threshold : float
        The band, in the units of the coordinates; a pair exactly at the threshold is linked
        (as libpysal ``DistanceBand``).
    ids : array_like, optional
        Identifier of each point.

    Returns
    -------
    Weights
        Symmetric binary weights. Points with no other point within the band are islands.
    """
    xy = _points(x, y, ids)
    if not (np.isfinite(threshold) and threshold > 0):
        raise InputError(
            N_("The distance threshold must be a positive number, not %(threshold)s."),
            hint=N_("Give the band in the units of the coordinates, e.g. 500 for 500 m."),
            params={"threshold": threshold},
        )
    n = len(xy)
    ids_arr = _check_ids(ids, n)
    pairs = cKDTree(xy).query_pairs(float(threshold), output_type="ndarray").astype(np.int64)
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    return Weights(_from_pairs(rows, cols, n), "distance", ids_arr, "B")


def knn(x: ArrayLike, y: ArrayLike, k: int, ids: ArrayLike | None = None) -> Weights:
    """Return binary weights linking each point to its ``k`` nearest other points.

    Parameters
    ----------
    x, y : array_like of float
        Projected coordinates.
    k : int
        Number of neighbours, ``1 <= k < n``.
    ids : array_like, optional
        Identifier of each point.

    Returns
    -------
    Weights
        Binary weights; row i holds the k nearest points of i, so the matrix is generally not
        symmetric. Ties at the k-th distance are broken by the k-d tree (as libpysal ``KNN``).
    """
    xy = _points(x, y, ids)
    n = len(xy)
    if not (isinstance(k, int | np.integer) and 1 <= k < n):
        raise InputError(
            N_("k must be a whole number from 1 to %(max)s, not %(k)s."),
            hint=N_(
                "k is the number of neighbours of each point; it must be less than the number of points."
            ),
            params={"k": k, "max": n - 1},
        )
    ids_arr = _check_ids(ids, n)
    _, found = cKDTree(xy).query(xy, k=int(k) + 1)
    found = np.asarray(found, dtype=np.int64)
    own = np.arange(n)
    is_self = found == own[:, None]
    # A point is normally its own first hit; with duplicate points it may come later, or be
    # crowded out of the k + 1 hits, in which case the last hit is dropped instead.
    drop = np.where(is_self.any(axis=1), is_self.argmax(axis=1), k)
    keep = np.ones_like(found, dtype=bool)
    keep[own, drop] = False
    cols = found[keep].reshape(n, k)
    rows = np.repeat(own, k)
    return Weights(_from_pairs(rows, cols.ravel(), n), "knn", ids_arr, "B")
