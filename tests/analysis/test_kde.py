"""Quartic kernel density: exact mass, the kernel's shape, the default rules, input errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from urbansafety.analysis.kde import Raster, default_bandwidth, default_cell, kde
from urbansafety.errors import InputError


def brute_force(
    px: np.ndarray, py: np.ndarray, raster: Raster, weights: np.ndarray | None = None
) -> tuple[np.ndarray, list[float]]:
    """Evaluate 3/(πh²)(1−d²/h²)² at every cell centre, one point at a time, in plain Python.

    Returns the density per km² with each point's kernel divided by its normalisation factor
    F = Σ_cells K(d) · cell², and the list of factors.
    """
    h, c = raster.bandwidth, raster.cell
    ny, nx = raster.values.shape
    out = np.zeros((ny, nx))
    factors = []
    for k, (x, y) in enumerate(zip(px, py, strict=True)):
        w = 1.0 if weights is None else float(weights[k])
        kern = np.zeros((ny, nx))
        for i in range(ny):
            yc = raster.y0 + (i + 0.5) * c
            for j in range(nx):
                xc = raster.x0 + (j + 0.5) * c
                d2 = (xc - x) ** 2 + (yc - y) ** 2
                if d2 < h * h:
                    kern[i, j] = 3.0 / (math.pi * h * h) * (1.0 - d2 / (h * h)) ** 2
        f = kern.sum() * c * c
        factors.append(f)
        out += w * kern / f * 1e6
    return out, factors


def test_one_point_peak_symmetry_and_support() -> None:
    # a point at a cell centre: the kernel is symmetric under the 8 grid symmetries
    r = kde(np.array([1025.0]), np.array([2025.0]), bandwidth=200.0, cell=50.0)
    v = r.values
    i, j = np.unravel_index(np.argmax(v), v.shape)
    row, col = r.cell_of(1025.0, 2025.0)
    assert (i, j) == (int(row), int(col))
    sub = v[i - 4 : i + 5, j - 4 : j + 5]
    assert_allclose(sub, sub[::-1, :], rtol=1e-12)
    assert_allclose(sub, sub[:, ::-1], rtol=1e-12)
    assert_allclose(sub, sub.T, rtol=1e-12)
    gx, gy = r.centres()
    d = np.hypot(gx - 1025.0, gy - 2025.0)
    assert np.all(v[d >= 200.0] == 0.0)
    assert np.all(v[d < 200.0] > 0.0)
    # radially symmetric: equal distances, equal values
    for dist in np.unique(np.round(d[d < 200.0], 6)):
        same = v[np.isclose(d, dist)]
        assert_allclose(same, same[0], rtol=1e-12)
    # and decreasing with distance
    order = np.argsort(d[d < 200.0])
    assert np.all(np.diff(v[d < 200.0][order]) <= 1e-12)


def test_values_equal_an_independent_brute_force() -> None:
    rng = np.random.default_rng(3)
    px = rng.uniform(0, 900, 7)
    py = rng.uniform(0, 700, 7)
    px[1], py[1] = px[0], py[0]  # a tied location
    w = rng.uniform(0.5, 3.0, 7)
    r = kde(px, py, bandwidth=230.0, cell=40.0, weights=w)
    expected, factors = brute_force(px, py, r, w)
    assert_allclose(r.values, expected, rtol=1e-10, atol=1e-12)
    # with cell = h / 5.75 the discrete kernel already holds 1 ± 3 % of the mass
    assert all(abs(f - 1.0) < 0.03 for f in factors)


@settings(max_examples=25, deadline=None)
@given(
    ratio=st.sampled_from([1.0, 1.5, 2.0, 4.0, 8.0, 16.0]),
    px=st.floats(-1_000, 1_000),
    py=st.floats(-1_000, 1_000),
)
def test_normalisation_factor_tends_to_one(ratio: float, px: float, py: float) -> None:
    h = 120.0
    c = h / ratio
    r = kde(np.array([px]), np.array([py]), bandwidth=h, cell=c)
    _, (f,) = brute_force(np.array([px]), np.array([py]), r)
    # midpoint rule on a kernel whose derivative vanishes at the rim: error O((cell / h)²)
    assert abs(f - 1.0) < 0.08 / ratio**2
    # so the raster is the unnormalised textbook formula divided by that factor
    gx, gy = r.centres()
    d2 = (gx - px) ** 2 + (gy - py) ** 2
    textbook = 3 / (math.pi * h * h) * np.clip(1 - d2 / (h * h), 0, None) ** 2 * 1e6
    assert_allclose(r.values * f, textbook, rtol=1e-10, atol=1e-12 * textbook.max())


@settings(max_examples=60, deadline=None)
@given(
    pts=st.lists(
        st.tuples(
            st.floats(-2_000, 2_000, allow_nan=False),
            st.floats(-2_000, 2_000, allow_nan=False),
            st.integers(1, 50),
        ),
        min_size=1,
        max_size=40,
    ),
    bandwidth=st.floats(5.0, 3_000.0),
    cells_per_bandwidth=st.floats(0.05, 100.0),
)
def test_integral_equals_count(
    pts: list[tuple[float, float, int]], bandwidth: float, cells_per_bandwidth: float
) -> None:
    cell = max(bandwidth / cells_per_bandwidth, 2.0)
    x = np.array([p[0] for p in pts])
    y = np.array([p[1] for p in pts])
    reps = np.array([p[2] for p in pts])
    x, y = np.repeat(x, reps), np.repeat(y, reps)
    r = kde(x, y, bandwidth=bandwidth, cell=cell)
    assert r.clipped == 0.0
    assert r.n_incidents == len(x)
    assert abs(r.integral() - len(x)) <= 1e-9 * len(x)
    assert np.all(r.values >= 0)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    bandwidth=st.floats(10.0, 1_500.0),
    cell=st.floats(10.0, 300.0),
    edge=st.sampled_from(["clip", "renormalise"]),
)
def test_integral_with_a_given_extent(seed: int, bandwidth: float, cell: float, edge: str) -> None:
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(-500, 2_500, 30), rng.uniform(-500, 2_500, 30)
    w = rng.uniform(0, 4, 30)
    r = kde(x, y, bandwidth=bandwidth, cell=cell, extent=(0, 0, 2_000, 2_000), weights=w, edge=edge)  # type: ignore[arg-type]
    assert abs(r.integral() + r.clipped - w.sum()) <= 1e-9 * w.sum()
    assert r.x0 == 0 and r.y0 == 0
    assert r.bounds()[2] >= 2_000 and r.bounds()[2] - 2_000 < cell


def test_clip_and_renormalise_at_the_border() -> None:
    # a point on the western border: half its kernel falls outside the extent
    x, y = np.array([0.0, 500.0]), np.array([500.0, 500.0])
    clip = kde(x, y, bandwidth=200, cell=10, extent=(0, 0, 1000, 1000))
    assert_allclose(clip.clipped, 0.5, atol=0.02)
    assert_allclose(clip.integral(), 1.5, atol=0.02)
    ren = kde(x, y, bandwidth=200, cell=10, extent=(0, 0, 1000, 1000), edge="renormalise")
    assert ren.clipped == 0.0
    assert_allclose(ren.integral(), 2.0, rtol=1e-12)
    # the interior point is untouched by the rule
    assert_allclose(ren.values[:, 60:], clip.values[:, 60:], rtol=1e-12)
    # a point whose kernel does not reach the extent is lost either way
    far = kde(
        np.array([5000.0]),
        np.array([5000.0]),
        bandwidth=200,
        cell=10,
        extent=(0, 0, 100, 100),
        edge="renormalise",
    )
    assert far.clipped == 1.0 and far.integral() == 0.0


def test_translation_invariance() -> None:
    rng = np.random.default_rng(11)
    x, y = rng.uniform(0, 3_000, 200), rng.uniform(0, 3_000, 200)
    a = kde(x, y, bandwidth=300, cell=25)
    # a shift by whole cells moves the raster and nothing else (MTM-sized coordinates)
    b = kde(x + 300_000.0, y + 5_000_000.0, bandwidth=300, cell=25)
    assert_allclose(b.values, a.values, rtol=1e-8, atol=1e-9 * a.values.max())
    assert (b.x0 - a.x0, b.y0 - a.y0) == (300_000.0, 5_000_000.0)
    # any shift, with the extent shifted too, gives the same values
    ext = (-400.0, -400.0, 3_400.0, 3_400.0)
    c = kde(x, y, bandwidth=300, cell=25, extent=ext)
    d = kde(
        x + 1234.5678, y - 98.765, bandwidth=300, cell=25,
        extent=(ext[0] + 1234.5678, ext[1] - 98.765, ext[2] + 1234.5678, ext[3] - 98.765),
    )  # fmt: skip
    assert_allclose(d.values, c.values, rtol=1e-7, atol=1e-9 * c.values.max())


def test_tied_points_equal_weights() -> None:
    x = np.array([10.0, 10.0, 10.0, 400.0])
    y = np.array([20.0, 20.0, 20.0, -30.0])
    a = kde(x, y, bandwidth=250, cell=20)
    b = kde(
        np.array([10.0, 400.0]),
        np.array([20.0, -30.0]),
        bandwidth=250,
        cell=20,
        weights=np.array([3.0, 1.0]),
    )
    assert_allclose(a.values, b.values, rtol=1e-12)
    assert a.integral() == pytest.approx(4.0, rel=1e-12)


def test_bandwidth_below_the_cell_puts_the_mass_in_the_cell() -> None:
    # no cell centre lies within 10 m of (95, 95): the incident becomes a histogram count
    r = kde(
        np.array([95.0, 50.0]),
        np.array([95.0, 50.0]),
        bandwidth=10,
        cell=100,
        extent=(0, 0, 200, 200),
    )
    assert_allclose(r.values, [[200.0, 0.0], [0.0, 0.0]])
    assert r.integral() == pytest.approx(2.0)


def test_units_are_incidents_per_km2() -> None:
    # 1,000 incidents at one place, 1 km bandwidth: peak ≈ 1000 · 3/(π · 1 km²) per km²
    r = kde(np.full(1000, 5.0), np.full(1000, 5.0), bandwidth=1000, cell=10)
    assert r.values.max() == pytest.approx(1000 * 3 / math.pi, rel=1e-3)


def test_raster_helpers() -> None:
    r = kde(np.array([0.0, 100.0]), np.array([0.0, 50.0]), bandwidth=100, cell=50)
    gx, gy = r.centres()
    assert gx.shape == gy.shape == r.values.shape
    assert gy[0, 0] < gy[-1, 0]  # row 0 is the southernmost
    assert gx[0, 0] == r.x0 + 25 and gy[0, 0] == r.y0 + 25
    polys = r.cell_polygons()
    assert len(polys) == r.values.size
    assert polys[0].bounds == (r.x0, r.y0, r.x0 + 50, r.y0 + 50)
    assert len(r.cell_polygons(r.values > 0)) == int((r.values > 0).sum())
    row, col = r.cell_of(np.array([-1e9, 0.0]), np.array([0.0, 0.0]))
    assert row[0] == -1 and col[0] == -1 and r.values[row[1], col[1]] > 0
    assert r.cell_area_km2 == 0.0025


def test_default_bandwidth_matches_the_arcgis_formula() -> None:
    rng = np.random.default_rng(5)
    x, y = rng.normal(0, 1000, 500), rng.normal(0, 500, 500)
    x[:5] += 20_000  # outliers: the median distance caps the radius
    mx, my = x.mean(), y.mean()
    d = np.hypot(x - mx, y - my)
    sd = math.sqrt(((x - mx) ** 2).sum() / 500 + ((y - my) ** 2).sum() / 500)
    dm = float(np.median(d))
    expected = 0.9 * min(sd, math.sqrt(1 / math.log(2)) * dm) * 500 ** (-0.2)
    assert default_bandwidth(x, y) == pytest.approx(expected, rel=1e-12)
    assert math.sqrt(1 / math.log(2)) * dm < sd  # the branch taken here
    # ties and integer weights give the same as the repeated incidents
    xr, yr = np.repeat(x[:50], 3), np.repeat(y[:50], 3)
    assert default_bandwidth(x[:50], y[:50], np.full(50, 3.0)) == pytest.approx(
        default_bandwidth(xr, yr), rel=1e-12
    )
    # an even number of incidents: the median is the mean of the two middle distances
    xe = np.array([0.0, 0.0, 3.0, 0.0])
    ye = np.array([0.0, 4.0, 0.0, -1.0])
    mxe, mye = xe.mean(), ye.mean()
    de = np.hypot(xe - mxe, ye - mye)
    sde = math.sqrt((de**2).mean())
    assert default_bandwidth(xe, ye) == pytest.approx(
        0.9 * min(sde, math.sqrt(1 / math.log(2)) * np.median(de)) * 4 ** (-0.2), rel=1e-12
    )


def test_default_bandwidth_is_used() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, 5000, 300), rng.uniform(0, 3000, 300)
    r = kde(x, y)
    assert r.bandwidth == pytest.approx(default_bandwidth(x, y))
    assert r.cell == default_cell((x.min(), y.min(), x.max(), y.max()))


@pytest.mark.parametrize(
    ("extent", "cell"),
    [
        ((0, 0, 10_000, 12_000), 50.0),  # 66.7 m
        ((0, 0, 7_000, 9_000), 50.0),  # 46.7 m
        ((0, 0, 3_000, 3_000), 20.0),  # 20 m
        ((0, 0, 40_000, 25_000), 200.0),  # 166.7 m
        ((0, 0, 5_000, 5_000), 25.0),  # 33.3 m: 25 is closer than 50 on a log scale
        ((0, 0, 120, 90), 0.5),  # 0.6 m
        ((0, 0, 0, 3_000), 20.0),  # a flat rectangle: its length
    ],
)
def test_default_cell(extent: tuple[float, float, float, float], cell: float) -> None:
    assert default_cell(extent) == pytest.approx(cell)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"bandwidth": 0}, "bandwidth"),
        ({"bandwidth": -5}, "bandwidth"),
        ({"bandwidth": float("nan")}, "bandwidth"),
        ({"cell": 0}, "cell size"),
        ({"extent": (0, 0, -1, 5)}, "extent"),
        ({"extent": (0, 0, 1)}, "extent"),
        ({"weights": np.array([1.0, -1.0, 1.0])}, "weight"),
        ({"weights": np.array([1.0, np.nan, 1.0])}, "weight"),
        ({"weights": np.array([1.0])}, "weights"),
        ({"edge": "mirror"}, "edge"),
        ({"cell": 0.01, "bandwidth": 10}, "cells"),
        ({"cell": 0.5, "bandwidth": 1000, "extent": (0, 0, 100, 100)}, "bandwidth covers"),
    ],
)
def test_input_errors(kwargs: dict[str, object], fragment: str) -> None:
    x, y = np.array([0.0, 100.0, 200.0]), np.array([0.0, 50.0, 300.0])
    with pytest.raises(InputError) as info:
        kde(x, y, **kwargs)  # type: ignore[arg-type]
    assert fragment in info.value.message
    assert info.value.hint


def test_coordinate_errors() -> None:
    with pytest.raises(InputError, match="missing or infinite"):
        kde(np.array([0.0, np.nan]), np.array([0.0, 1.0]), bandwidth=100)
    with pytest.raises(InputError, match="no incidents"):
        kde(np.array([]), np.array([]), bandwidth=100)
    with pytest.raises(InputError, match="x has 2 values but y has 1"):
        kde(np.array([0.0, 1.0]), np.array([0.0]), bandwidth=100)
    with pytest.raises(InputError, match="share one location"):
        kde(np.array([5.0, 5.0]), np.array([1.0, 1.0]))
    with pytest.raises(InputError, match="no area"):
        default_cell((3, 3, 3, 3))


def test_speed_tied_incidents() -> None:
    """150,000 incidents on 1,200 intersections, 10 x 10 km, 50 m cells, 400 m: well under 1 s."""
    import time

    rng = np.random.default_rng(0)
    locs = rng.uniform(0, 10_000, (1_200, 2))
    pick = rng.integers(0, 1_200, 150_000)
    start = time.perf_counter()
    r = kde(locs[pick, 0], locs[pick, 1], bandwidth=400, cell=50)
    elapsed = time.perf_counter() - start
    assert r.integral() == pytest.approx(150_000, rel=1e-12)
    assert elapsed < 1.0
