"""Spatial weights: grid, polygon, distance and k-nearest builders against libpysal and brute force."""

from __future__ import annotations

import geopandas as gpd
import libpysal
import numpy as np
import pytest
import scipy.sparse as sp
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from libpysal.weights import DistanceBand, Queen, Rook, lat2W
from numpy.testing import assert_allclose, assert_array_equal

from urbansafety.analysis.weights import (
    Weights,
    distance_band,
    grid_contiguity,
    knn,
    polygon_contiguity,
)
from urbansafety.analysis.weights_checks import check_no_islands, check_values
from urbansafety.analysis.weights_libpysal import from_libpysal, to_libpysal
from urbansafety.errors import InputError

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # libpysal's island notices


@pytest.fixture(scope="module")
def columbus() -> gpd.GeoDataFrame:
    return gpd.read_file(libpysal.examples.get_path("columbus.shp"))


def dense(w: Weights) -> np.ndarray:
    return w.matrix.toarray()


@pytest.mark.parametrize("kind", ["rook", "queen"])
def test_grid_equals_lat2w_on_full_grid(kind: str) -> None:
    nrows, ncols = 7, 5
    row, col = np.divmod(np.arange(nrows * ncols), ncols)
    ours = grid_contiguity(col, row, kind=kind)
    expected = lat2W(nrows, ncols, rook=kind == "rook").sparse.toarray()
    assert_array_equal(dense(ours), expected)
    assert ours.kind == kind and ours.transform == "B" and ours.n == 35
    assert ours.matrix.has_sorted_indices


def irregular_cells(seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    mask = rng.random((9, 12)) < 0.6
    mask[4, :] = False  # a "river" across the grid
    iy, ix = np.nonzero(mask)
    order = rng.permutation(len(ix))  # any input order
    return ix[order] - 40, iy[order] + 7  # any origin, negative columns included


@pytest.mark.parametrize("kind", ["rook", "queen"])
def test_grid_equals_polygon_contiguity_on_boxes(kind: str) -> None:
    ix, iy = irregular_cells()
    boxes = shapely.box(ix * 100.0, iy * 100.0, ix * 100.0 + 100.0, iy * 100.0 + 100.0)
    assert_array_equal(dense(grid_contiguity(ix, iy, kind)), dense(polygon_contiguity(boxes, kind)))


def test_grid_sparse_fallback_equals_lookup_table() -> None:
    ix, iy = irregular_cells(5)
    # Two far-away cells make the bounding box too big for a lookup table: sorting is used.
    far_x = np.concatenate([ix, [10_000_000, 10_000_001]])
    far_y = np.concatenate([iy, [-10_000_000, -10_000_000]])
    w = grid_contiguity(far_x, far_y, "queen")
    n = len(ix)
    assert_array_equal(dense(w)[:n, :n], dense(grid_contiguity(ix, iy, "queen")))
    assert dense(w)[n, n + 1] == 1 and dense(w)[n + 1, n] == 1
    assert dense(w)[:n, n:].sum() == 0


def test_grid_rejects_duplicates_fractions_and_unknown_kind() -> None:
    with pytest.raises(InputError, match=r"more than once \(first: x\)"):
        grid_contiguity([0, 1, 0], [0, 0, 0], ids=["x", "y", "z"])
    with pytest.raises(InputError, match="more than once"):
        grid_contiguity([0, 10**9, 0], [0, 0, 0])  # sorting path
    with pytest.raises(InputError, match="whole numbers"):
        grid_contiguity([0.5, 1], [0, 0])
    with pytest.raises(InputError, match="Unknown contiguity"):
        grid_contiguity([0, 1], [0, 0], kind="bishop")
    with pytest.raises(InputError, match="ix has 2 values and iy has 1"):
        grid_contiguity([0, 1], [0])


def test_grid_accepts_whole_floats_and_ids() -> None:
    w = grid_contiguity(
        np.array([0.0, 1.0, 3.0]), np.array([0.0, 0.0, 0.0]), "rook", ids=["a", "b", "c"]
    )
    assert_array_equal(w.cardinalities, [1, 1, 0])
    assert_array_equal(w.islands, [2])
    assert list(w.ids) == ["a", "b", "c"]
    with pytest.raises(InputError, match="not unique"):
        grid_contiguity([0, 1], [0, 0], ids=["a", "a"])
    with pytest.raises(InputError, match="2 identifiers for 3 units"):
        grid_contiguity([0, 1, 2], [0, 0, 0], ids=["a", "b"])


@pytest.mark.parametrize(("kind", "links"), [("queen", 236), ("rook", 200)])
def test_polygon_contiguity_columbus(columbus: gpd.GeoDataFrame, kind: str, links: int) -> None:
    ours = polygon_contiguity(columbus.geometry, kind)
    assert ours.matrix.nnz == links
    assert_array_equal(ours.matrix.data, 1.0)
    if kind == "queen":
        gal = libpysal.io.open(libpysal.examples.get_path("columbus.gal")).read()
        assert list(gal.id_order) == [str(i) for i in columbus["POLYID"]]
        expected = gal.sparse.toarray()
    else:
        expected = Rook.from_dataframe(columbus, use_index=False).sparse.toarray()
    assert_array_equal(dense(ours), expected)
    assert_allclose(ours.cardinalities.mean(), links / 49)


def test_polygon_contiguity_holes_multipolygons_and_corners() -> None:
    outer = shapely.Polygon(
        [(0, 0), (4, 0), (4, 4), (0, 4)], holes=[[(1, 1), (3, 1), (3, 3), (1, 3)]]
    )
    inside = shapely.box(1, 1, 3, 3)  # fills the hole: shares the hole's edges
    corner = shapely.box(4, 4, 5, 5)  # touches outer at one vertex only
    multi = shapely.MultiPolygon([shapely.box(-2, 0, -1, 1), shapely.box(-1, 0, 0, 4)])
    far = shapely.box(10, 10, 11, 11)
    geoms = [outer, inside, corner, multi, far]
    queen = dense(polygon_contiguity(geoms, "queen"))
    rook = dense(polygon_contiguity(geoms, "rook"))
    assert queen[0, 1] == queen[0, 2] == queen[0, 3] == 1
    assert rook[0, 1] == rook[0, 3] == 1 and rook[0, 2] == 0
    assert queen[4].sum() == 0 and np.all(np.diag(queen) == 0)
    assert_array_equal(queen, queen.T)
    assert_array_equal(queen, Queen.from_iterable(geoms).sparse.toarray())
    assert_array_equal(rook, Rook.from_iterable(geoms).sparse.toarray())


def test_polygon_contiguity_needs_identical_vertices() -> None:
    # A border split by an extra vertex on one side only (T-junction) is not a rook edge,
    # as in libpysal; the two polygons still share vertices, so they are queen neighbours.
    left = shapely.box(0, 0, 1, 2)
    right = shapely.Polygon([(1, 0), (2, 0), (2, 2), (1, 2), (1, 1)])
    assert dense(polygon_contiguity([left, right], "rook"))[0, 1] == 0
    assert dense(polygon_contiguity([left, right], "queen"))[0, 1] == 1


def test_polygon_contiguity_rejects_non_polygons() -> None:
    with pytest.raises(InputError, match="not polygons"):
        polygon_contiguity([shapely.box(0, 0, 1, 1), shapely.Point(0, 0)])
    with pytest.raises(InputError, match="missing, empty"):
        polygon_contiguity([shapely.box(0, 0, 1, 1), None])


def test_distance_band_six_points_and_brute_force() -> None:
    x, y = [10, 20, 40, 15, 30, 30], [10, 10, 10, 20, 20, 30]
    band = distance_band(x, y, 15)  # (15,20)-(30,20) is exactly 15 apart: linked
    expected = DistanceBand(np.c_[x, y], threshold=15).sparse.toarray()
    assert_array_equal(dense(band), expected)
    assert dense(band)[3, 4] == 1
    rng = np.random.default_rng(1)
    pts = rng.integers(0, 50, size=(200, 2)).astype(float)  # integer grid: many exact ties
    d = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
    brute = (d <= 7.0) & ~np.eye(200, dtype=bool)
    assert_array_equal(dense(distance_band(pts[:, 0], pts[:, 1], 7.0)), brute)
    with pytest.raises(InputError, match="positive number"):
        distance_band(x, y, 0)
    with pytest.raises(
        InputError, match=r"1 units have a missing or infinite coordinate \(first: b\)"
    ):
        distance_band([0, np.nan], [0, 1], 5, ids=["a", "b"])


def test_knn_brute_force_and_duplicates() -> None:
    rng = np.random.default_rng(2)
    pts = rng.random((60, 2))
    d = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    for k in (1, 3, 6):
        expected = np.zeros((60, 60))
        np.put_along_axis(expected, np.argsort(d, axis=1)[:, :k], 1.0, axis=1)
        ours = knn(pts[:, 0], pts[:, 1], k)
        assert_array_equal(dense(ours), expected)
        assert_array_equal(ours.cardinalities, k)
    dup = knn([0, 0, 0, 5], [0, 0, 0, 5], 2)  # three identical points
    assert np.all(np.diag(dense(dup)) == 0)
    assert_array_equal(dup.cardinalities, 2)
    assert_array_equal(dense(dup)[:3, :3], 1 - np.eye(3))
    with pytest.raises(InputError, match="k must be a whole number from 1 to 3"):
        knn([0, 1, 2, 3], [0, 0, 0, 0], 4)


def test_row_standardised_and_libpysal_round_trip(columbus: gpd.GeoDataFrame) -> None:
    w = polygon_contiguity(columbus.geometry, ids=columbus["POLYID"].to_numpy())
    r = w.row_standardised()
    assert r.transform == "R" and r.row_standardised() is r
    assert_allclose(r.matrix.sum(axis=1), 1.0)
    assert w.transform == "B"  # unchanged
    lw = to_libpysal(w)
    assert lw.s0 == 236 and list(lw.id_order) == list(columbus["POLYID"])
    back = from_libpysal(lw)
    assert_array_equal(dense(back), dense(w))
    assert back.transform == "B" and list(back.ids) == list(w.ids)
    lw.transform = "r"
    assert from_libpysal(lw).transform == "R"
    assert_allclose(dense(from_libpysal(lw)), dense(r))


def test_row_standardised_keeps_islands_at_zero() -> None:
    w = grid_contiguity([0, 1, 5], [0, 0, 0], "rook")
    assert_allclose(dense(w.row_standardised()), [[0, 1, 0], [1, 0, 0], [0, 0, 0]])
    with pytest.raises(InputError, match="1 units have no neighbour"):
        check_no_islands(w)


def test_weights_invariants() -> None:
    m = sp.csr_array(np.array([[1.0, 1.0], [1.0, 0.0]]))
    with pytest.raises(ValueError, match="zero diagonal"):
        Weights(m, "custom")
    with pytest.raises(TypeError, match="csr_array"):
        Weights(sp.csr_matrix(np.zeros((2, 2))), "custom")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="same length"):
        knn([0, 1, 2], [0, 1], 1)


def test_check_values_messages() -> None:
    w = grid_contiguity([0, 1, 2, 3], [0, 0, 0, 0])
    assert check_values([1, 2, 3, 4], w).dtype == np.float64
    with pytest.raises(InputError, match="3 values for 4 units"):
        check_values([1, 2, 3], w)
    with pytest.raises(InputError, match=r"1 values are missing or not finite \(first: 1\)"):
        check_values([1, np.nan, 3, 4], w)
    named = grid_contiguity([0, 1, 2, 3], [0, 0, 0, 0], ids=["A", "B", "C", "D"])
    with pytest.raises(InputError, match=r"\(first: C\)"):
        check_values([1, 2, np.nan, 4], named)
    with pytest.raises(InputError, match="All 4 values are equal"):
        check_values([2, 2, 2, 2], w)
    with pytest.raises(InputError, match="not all numbers"):
        check_values(["a", 2, 3, 4], w)
    with pytest.raises(InputError, match="At least 5 units"):
        check_values([1, 2, 3, 4], w, min_n=5)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 40),
    kind=st.sampled_from(["rook", "queen"]),
)
def test_grid_reordering_permutes_the_matrix(seed: int, n: int, kind: str) -> None:
    rng = np.random.default_rng(seed)
    cells = rng.choice(64, size=n, replace=False)
    ix, iy = cells % 8, cells // 8
    perm = rng.permutation(n)
    w = dense(grid_contiguity(ix, iy, kind))
    wp = dense(grid_contiguity(ix[perm], iy[perm], kind))
    assert_array_equal(wp, w[np.ix_(perm, perm)])
    assert_array_equal(w, w.T)
