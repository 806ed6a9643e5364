"""Global and Local Moran against esda (oracle file), Cliff–Ord moments by brute force, planted LISA."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import libpysal
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import norm

from urbansafety.analysis.hotspots import fdr_significant
from urbansafety.analysis.moran import local_moran, moran
from urbansafety.analysis.weights import Weights, grid_contiguity, knn, polygon_contiguity
from urbansafety.errors import InputError

ORACLE = json.loads(
    (Path(__file__).parents[1] / "oracles" / "columbus_esda.json").read_text(encoding="utf-8")
)
FIELDS = ("I", "EI", "VI_norm", "VI_rand", "z_norm", "z_rand", "p_norm", "p_rand")


@pytest.fixture(scope="module")
def columbus() -> tuple[np.ndarray, gpd.GeoSeries]:
    df = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    return df["CRIME"].to_numpy(dtype=float), df.geometry


@pytest.mark.parametrize("kind", ["queen", "rook"])
def test_moran_equals_esda(columbus: tuple[np.ndarray, gpd.GeoSeries], kind: str) -> None:
    y, geoms = columbus
    m = moran(y, polygon_contiguity(geoms, kind), permutations=0)
    for field in FIELDS:
        assert_allclose(getattr(m, field), ORACLE[f"moran_{kind}"][field], rtol=1e-9, err_msg=field)
    assert m.p_sim is None and m.z_sim is None and m.permutations == 0


def test_moran_research_note_values(columbus: tuple[np.ndarray, gpd.GeoSeries]) -> None:
    y, geoms = columbus
    q = moran(y, polygon_contiguity(geoms, "queen"), permutations=0)
    assert_allclose(q.I, 0.5001885572, atol=1e-10)  # O1
    assert_allclose(q.EI, -1 / 48, rtol=1e-12)
    assert_allclose([q.VI_rand, q.VI_norm], [0.0086892892, 0.0085634131], atol=1e-10)
    assert_allclose([q.z_rand, q.z_norm], [5.589383, 5.630313], atol=1e-6)
    assert_allclose(q.p_norm, 1.79883e-08, rtol=1e-5)
    assert_allclose(q.p_rand / 2, 1.13939e-08, rtol=1e-5)  # R moran.test, one-sided
    r = moran(y, polygon_contiguity(geoms, "rook"), permutations=0)
    assert_allclose(r.I, 0.5236702128, atol=1e-10)  # O2
    assert_allclose([r.VI_rand, r.z_rand], [0.0099529873, 5.457880], atol=1e-6)


def brute_moran(y: np.ndarray, w: np.ndarray) -> dict[str, float]:
    """Cliff & Ord (1981) formulas with explicit loops."""
    n = len(y)
    w = w / w.sum(axis=1, keepdims=True)
    z = y - y.mean()
    s0 = sum(w[i, j] for i in range(n) for j in range(n))
    s1 = 0.5 * sum((w[i, j] + w[j, i]) ** 2 for i in range(n) for j in range(n))
    s2 = sum((w[i, :].sum() + w[:, i].sum()) ** 2 for i in range(n))
    i_val = n / s0 * sum(w[i, j] * z[i] * z[j] for i in range(n) for j in range(n)) / (z @ z)
    ei = -1 / (n - 1)
    vn = (n * n * s1 - n * s2 + 3 * s0**2) / ((n * n - 1) * s0**2) - ei**2
    b2 = n * np.sum(z**4) / np.sum(z**2) ** 2
    vr = (
        n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0**2)
        - b2 * ((n * n - n) * s1 - 2 * n * s2 + 6 * s0**2)
    ) / ((n - 1) * (n - 2) * (n - 3) * s0**2) - ei**2
    return {"I": i_val, "VI_norm": vn, "VI_rand": vr}


def test_moran_brute_force_asymmetric_weights() -> None:
    rng = np.random.default_rng(21)
    x, yy = rng.random(25), rng.random(25)
    values = rng.lognormal(1.0, 0.7, 25)
    w = knn(x, yy, 3)  # not symmetric: S1 and S2 matter
    m = moran(values, w, permutations=0)
    expected = brute_moran(values, w.matrix.toarray())
    for field, value in expected.items():
        assert_allclose(getattr(m, field), value, rtol=1e-10, err_msg=field)
    assert_allclose(m.p_norm, 2 * norm.sf(abs(m.z_norm)), rtol=1e-12)


def test_moran_permutations(columbus: tuple[np.ndarray, gpd.GeoSeries]) -> None:
    y, geoms = columbus
    w = polygon_contiguity(geoms, "queen")
    m = moran(y, w, permutations=999, seed=1)
    assert m.p_sim == 1 / 1000  # z ≈ 5.6: no permutation reaches I
    assert m.EI_sim is not None and m.VI_sim is not None and m.z_sim is not None
    assert abs(m.EI_sim - m.EI) < 5 * np.sqrt(m.VI_rand / 999)
    assert_allclose(m.VI_sim, m.VI_rand, rtol=0.25)
    assert m.z_sim > 4
    again = moran(y, w, permutations=999, seed=1)
    assert again == m
    noise = np.random.default_rng(2).normal(size=49)
    p = moran(noise, w, permutations=199, seed=3).p_sim
    assert p is not None and 1 / 200 <= p <= 1.0
    assert abs(p * 200 - round(p * 200)) < 1e-9


def brute_local(y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(y)
    w = w / w.sum(axis=1, keepdims=True)
    z = (y - y.mean()) / y.std()
    lag = [sum(w[i, j] * z[j] for j in range(n)) for i in range(n)]
    local = np.array([(n - 1) * z[i] * lag[i] / sum(z**2) for i in range(n)])
    q = [
        1 if z[i] > 0 and lag[i] > 0 else 2 if lag[i] > 0 else 3 if z[i] <= 0 else 4
        for i in range(n)
    ]
    return local, np.array(q)


def test_local_moran_equals_esda(columbus: tuple[np.ndarray, gpd.GeoSeries]) -> None:
    y, geoms = columbus
    oracle = ORACLE["local_moran_queen"]
    lm = local_moran(y, polygon_contiguity(geoms, "queen"), permutations=0)
    assert_allclose(lm.Is, oracle["Is"], rtol=1e-9, atol=1e-12)
    assert_array_equal(lm.q, oracle["q"])
    assert_allclose(lm.Is[:5], [0.721781, 0.517986, 0.091935, 0.004723, 0.29741], atol=1e-6)
    assert_allclose(lm.Is.sum() / 49, 0.5001885572 * 48 / 49, atol=1e-9)  # esda's n − 1
    assert lm.p_sim is None and lm.clusters is None


def test_local_moran_brute_force() -> None:
    rng = np.random.default_rng(13)
    x, yy = rng.random(30), rng.random(30)
    values = rng.gamma(1.5, 2.0, 30)
    w = knn(x, yy, 5)
    lm = local_moran(values, w, permutations=0)
    local, q = brute_local(values, w.matrix.toarray())
    assert_allclose(lm.Is, local, rtol=1e-10, atol=1e-14)
    assert_array_equal(lm.q, q)


def test_local_moran_p_sim_agrees_with_esda(columbus: tuple[np.ndarray, gpd.GeoSeries]) -> None:
    y, geoms = columbus
    oracle = ORACLE["local_moran_queen"]
    perms = oracle["permutations"]
    lm = local_moran(y, polygon_contiguity(geoms, "queen"), permutations=perms, seed=99)
    assert lm.p_sim is not None and lm.z_sim is not None
    assert lm.EI_sim is not None and lm.VI_sim is not None
    theirs = np.asarray(oracle["p_sim"])
    assert np.corrcoef(lm.p_sim, theirs)[0, 1] > 0.99
    for level in (0.01, 0.05):
        assert np.count_nonzero((lm.p_sim <= level) != (theirs <= level)) <= 2
    vi = np.asarray(oracle["VI_sim"])
    assert_allclose(lm.VI_sim, vi, rtol=0.15)
    assert np.all(np.abs(lm.EI_sim - oracle["EI_sim"]) <= 6 * np.sqrt(2 * vi / perms))
    assert_allclose(lm.z_sim, oracle["z_sim"], atol=0.3)


def planted() -> tuple[np.ndarray, Weights, int]:
    rng = np.random.default_rng(0)
    row, col = np.divmod(np.arange(144), 12)
    y = rng.normal(10.0, 1.0, 144)
    block = (np.abs(row - 3) <= 1) & (np.abs(col - 3) <= 1)
    y[block] = 30.0 + np.arange(9)
    return y, grid_contiguity(col, row, "queen"), 3 * 12 + 3


def test_local_moran_planted_cluster_seed_and_clusters() -> None:
    y, w, centre = planted()
    lm = local_moran(y, w, permutations=999, seed=5)
    assert lm.p_sim is not None and lm.clusters is not None
    k = lm.p_sim * 1000 - 1
    assert_allclose(k, np.round(k), atol=1e-9)
    assert lm.p_sim[centre] == 1 / 1000
    assert lm.q[centre] == 1 and lm.clusters[centre] == "HH"
    labels = np.array(["", "HH", "LH", "LL", "HL"])[lm.q]
    assert_array_equal(lm.clusters, np.where(lm.p_sim <= 0.05, labels, "ns"))
    again = local_moran(y, w, permutations=999, seed=5)
    assert again.p_sim is not None
    assert_array_equal(again.p_sim, lm.p_sim)
    strict = local_moran(y, w, permutations=999, seed=5, alpha=0.01, fdr=True)
    assert strict.clusters is not None and strict.fdr and strict.alpha == 0.01
    sig = fdr_significant(lm.p_sim, 0.01)
    assert_array_equal(strict.clusters, np.where(sig, labels, "ns"))
    assert np.count_nonzero(strict.clusters != "ns") <= np.count_nonzero(lm.clusters != "ns")


def test_value_equal_to_the_mean_is_never_significant() -> None:
    row, col = np.divmod(np.arange(25), 5)
    y = np.arange(25, dtype=float)
    y[[0, 24]] = y[24], y[0]
    y[12] = y.mean()  # exactly 12.0: Is ≡ 0 under every permutation
    lm = local_moran(y, grid_contiguity(col, row), permutations=99, seed=0)
    assert lm.p_sim is not None and lm.clusters is not None
    assert lm.Is[12] == 0 and lm.p_sim[12] == 1.0 and lm.clusters[12] == "ns"


def test_moran_input_errors() -> None:
    w = grid_contiguity(np.arange(6), np.zeros(6, dtype=int), "rook")
    with pytest.raises(InputError, match="All 6 values are equal"):
        moran(np.ones(6), w)
    with pytest.raises(InputError, match="All 6 values are equal"):
        local_moran(np.ones(6), w)
    with pytest.raises(InputError, match="5 values for 6 units"):
        local_moran([1, 2, 3, 4, 5], w)
    with pytest.raises(InputError, match="missing or not finite"):
        moran([1, 2, 3, np.nan, 5, 6], w)
    with pytest.raises(InputError, match="no neighbour"):
        moran([1, 2, 3, 4, 5], grid_contiguity([0, 1, 2, 3, 9], [0, 0, 0, 0, 0]))
    with pytest.raises(InputError, match="significance level"):
        local_moran([1, 2, 3, 4, 5, 6], w, alpha=0)
    with pytest.raises(InputError, match="At least 4 units"):
        moran([1, 2, 3], grid_contiguity([0, 1, 2], [0, 0, 0]))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(6, 40))
def test_reordering_units_reorders_moran(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    x, yy = rng.random(n), rng.random(n)
    values = rng.normal(size=n)
    perm = rng.permutation(n)
    w, wp = knn(x, yy, 3), knn(x[perm], yy[perm], 3)
    a, b = moran(values, w, permutations=0), moran(values[perm], wp, permutations=0)
    for field in FIELDS:
        assert_allclose(getattr(b, field), getattr(a, field), rtol=1e-9, atol=1e-12)
    la = local_moran(values, w, permutations=0)
    lb = local_moran(values[perm], wp, permutations=0)
    assert_allclose(lb.Is, la.Is[perm], rtol=1e-9, atol=1e-12)
    assert_array_equal(lb.q, la.q[perm])


@settings(max_examples=30, deadline=None)
@given(value=st.floats(-1e6, 1e6, allow_nan=False), n=st.integers(4, 30))
def test_constant_values_are_refused(value: float, n: int) -> None:
    w = grid_contiguity(np.arange(n), np.zeros(n, dtype=int), "rook")
    with pytest.raises(InputError, match="values are equal"):
        moran(np.full(n, value), w)
    with pytest.raises(InputError, match="values are equal"):
        local_moran(np.full(n, value), w)
