"""Gi*, FDR and confidence classes against esda (oracle file), brute force and planted patterns."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import geopandas as gpd
import libpysal
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import false_discovery_control, norm

from urbansafety.analysis._permutation import conditional_permutation, draw_positions
from urbansafety.analysis.hotspots import confidence_classes, fdr_significant, gi_star
from urbansafety.analysis.weights import (
    Weights,
    distance_band,
    grid_contiguity,
    knn,
    polygon_contiguity,
)
from urbansafety.errors import InputError

ORACLE = json.loads(
    (Path(__file__).parents[1] / "oracles" / "columbus_esda.json").read_text(encoding="utf-8")
)


@pytest.fixture(scope="module")
def columbus() -> tuple[np.ndarray, Weights]:
    df = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    return df["CRIME"].to_numpy(dtype=float), polygon_contiguity(df.geometry, "queen")


def on_grid(p: np.ndarray, permutations: int) -> bool:
    k = p * (permutations + 1) - 1
    return bool(np.all(np.abs(k - np.round(k)) < 1e-9) and np.all((k >= 0) & (k <= permutations)))


def test_gi_star_equals_esda_on_columbus(columbus: tuple[np.ndarray, Weights]) -> None:
    y, w = columbus
    oracle = ORACLE["gi_star_queen"]
    g = gi_star(y, w)
    assert_allclose(g.z, oracle["Zs"], rtol=1e-9, atol=1e-12)
    # esda's p_norm is one-sided; ours is two-sided (ArcGIS GiPValue).
    assert_allclose(g.p_norm, 2 * np.asarray(oracle["p_norm_one_sided"]), rtol=1e-9)
    # Research note O6 (rounded to 6 decimals there).
    assert_allclose(g.z[:5], [-1.43278, -1.340008, -0.771999, -0.131733, 1.285363], atol=1e-6)
    assert_allclose(g.z.max(), 3.475051, atol=1e-6)
    assert g.z.argmax() == 15  # POLYID 16
    assert_allclose(g.z.min(), -2.851023, atol=1e-6)
    assert np.count_nonzero(np.abs(g.z) > 1.96) == 18
    assert g.p_sim is None and g.permutations == 0 and g.fdr
    assert_array_equal(g.p_class, g.p_norm)


def test_gi_star_six_point_example() -> None:
    case = ORACLE["gi_star_six_points"]
    w = distance_band(case["x"], case["y"], case["threshold"])
    z = gi_star(case["values"], w).z
    assert_allclose(z, case["Zs"], rtol=1e-9)
    assert_allclose(z[0], -1.39727626, atol=1e-8)  # esda test_getisord.py


def brute_gi_star(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    n = len(y)
    xbar = sum(y) / n
    s = (sum((v - xbar) ** 2 for v in y) / n) ** 0.5
    out = []
    for i in range(n):
        wi = [w[i, j] if j != i else 1.0 for j in range(n)]
        big_w = sum(wi)
        s1 = sum(v * v for v in wi)
        num = sum(wi[j] * y[j] for j in range(n)) - xbar * big_w
        out.append(num / (s * ((n * s1 - big_w**2) / (n - 1)) ** 0.5))
    return np.array(out)


def test_gi_star_brute_force_binary_and_weighted() -> None:
    rng = np.random.default_rng(11)
    x, yy = rng.random(30), rng.random(30)
    values = rng.gamma(2.0, 3.0, 30)
    w = knn(x, yy, 4)
    assert_allclose(gi_star(values, w).z, brute_gi_star(values, w.matrix.toarray()), rtol=1e-10)
    m = w.matrix.copy()
    m.data = rng.uniform(0.2, 2.0, m.nnz)
    custom = Weights(m, "custom", transform="O")
    assert_allclose(gi_star(values, custom).z, brute_gi_star(values, m.toarray()), rtol=1e-10)


def test_fdr_matches_scipy() -> None:
    rng = np.random.default_rng(4)
    for n in (1, 5, 50, 400):
        p = np.concatenate([rng.uniform(0, 0.02, n // 3), rng.uniform(0, 1, n - n // 3)])
        p = np.round(p, 3)  # ties
        for alpha in (0.01, 0.05, 0.10):
            assert_array_equal(fdr_significant(p, alpha), false_discovery_control(p) <= alpha)
    assert fdr_significant([], 0.05).shape == (0,)
    with pytest.raises(InputError, match="from 0 to 1"):
        fdr_significant([0.1, np.nan], 0.05)
    with pytest.raises(InputError, match="between 0 and 1") as info:
        fdr_significant([0.1], 5)
    assert info.value.hint == "Use 0.05 (95% confidence) or 0.01 (99%)."


def test_confidence_classes_arcgis_bins() -> None:
    z = np.array([3.0, -2.7, 2.0, -1.7, 1.0, 0.0, -2.0])
    p = 2 * norm.sf(np.abs(z))
    assert_array_equal(confidence_classes(z, p, fdr=False), [3, -3, 2, -1, 0, 0, -2])
    assert confidence_classes(z, p, fdr=False).dtype == np.int8
    rng = np.random.default_rng(8)
    z = rng.normal(0, 2, 300)
    p = 2 * norm.sf(np.abs(z))
    expected = np.zeros(300, dtype=int)
    for level, cls in ((0.10, 1), (0.05, 2), (0.01, 3)):
        expected[false_discovery_control(p) <= level] = cls
    got = confidence_classes(z, p, fdr=True)
    assert_array_equal(got, expected * np.sign(z))
    assert np.all(np.abs(got) <= np.abs(confidence_classes(z, p, fdr=False)))


def test_gi_star_classes_use_fdr_by_default(columbus: tuple[np.ndarray, Weights]) -> None:
    y, w = columbus
    g = gi_star(y, w)
    assert_array_equal(g.classes, confidence_classes(g.z, g.p_norm, fdr=True))
    raw = gi_star(y, w, fdr=False)
    assert_array_equal(raw.classes, confidence_classes(g.z, g.p_norm, fdr=False))
    assert not raw.fdr
    assert np.count_nonzero(raw.classes) >= np.count_nonzero(g.classes)


def planted_grid(seed: int = 0) -> tuple[np.ndarray, Weights, int]:
    rng = np.random.default_rng(seed)
    row, col = np.divmod(np.arange(144), 12)
    y = rng.poisson(2.0, 144).astype(float)
    block = (np.abs(row - 6) <= 1) & (np.abs(col - 6) <= 1)
    y[block] = 50.0 + np.arange(9)  # the 9 largest values, together
    return y, grid_contiguity(col, row, "queen"), 6 * 12 + 6


def test_gi_star_permutations_planted_cluster_grid_and_seed() -> None:
    y, w, centre = planted_grid()
    g = gi_star(y, w, permutations=999, seed=42)
    assert g.p_sim is not None and g.permutations == 999
    assert on_grid(g.p_sim, 999)
    assert g.p_sim[centre] == 1 / 1000
    assert g.classes[centre] == 2  # 2 p_sim = 0.002: 99 % needs more such cells under FDR
    assert gi_star(y, w, permutations=999, seed=42, fdr=False).classes[centre] == 3
    again = gi_star(y, w, permutations=999, seed=42)
    assert again.p_sim is not None
    assert_array_equal(again.p_sim, g.p_sim)
    other = gi_star(y, w, permutations=999, seed=43)
    assert other.p_sim is not None and not np.array_equal(other.p_sim, g.p_sim)
    # Classes come from min(1, 2 p_sim) (two-sided) when permutations are run.
    two_sided = np.minimum(1.0, 2 * g.p_sim)
    assert_array_equal(g.p_class, two_sided)
    assert_array_equal(g.classes, confidence_classes(g.z, two_sided, fdr=True))


def test_gi_star_p_sim_agrees_with_esda(columbus: tuple[np.ndarray, Weights]) -> None:
    y, w = columbus
    oracle = ORACLE["gi_star_queen"]
    perms = oracle["permutations"]
    g = gi_star(y, w, permutations=perms, seed=7)
    assert g.p_sim is not None
    theirs = np.asarray(oracle["p_sim"])
    assert np.corrcoef(g.p_sim, theirs)[0, 1] > 0.99
    for level in (0.01, 0.05):
        assert np.count_nonzero((g.p_sim <= level) != (theirs <= level)) <= 2
    assert np.max(np.abs(g.p_sim - theirs)) < 0.03


def exact_tails(y: np.ndarray, m: sp.csr_array, i: int) -> tuple[float, float]:
    """P(S >= observed), P(S <= observed) over all ordered draws of i's neighbours."""
    row = m[[i], :].toarray().ravel()
    cols = np.flatnonzero(row)
    weights = row[cols]
    observed = float(weights @ y[cols])
    others = [j for j in range(len(y)) if j != i]
    sums = np.array([weights @ y[list(c)] for c in itertools.permutations(others, len(cols))])
    return float(np.mean(sums >= observed - 1e-9)), float(np.mean(sums <= observed + 1e-9))


def test_permutation_kernel_matches_exact_enumeration() -> None:
    # n = 8; cardinalities 1 to 7 (7 = every other unit: the dense drawing path), unequal
    # weights (the column a draw lands in matters), and tied values.
    rng = np.random.default_rng(5)
    n = 8
    y = np.array([0.0, 1.0, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0])
    dense = np.zeros((n, n))
    for i in range(n):
        k = 1 + i % 7
        nb = rng.choice([j for j in range(n) if j != i], size=k, replace=False)
        dense[i, nb] = rng.choice([0.5, 1.0, 2.0], size=k)
    m = sp.csr_array(dense)
    perms = 20_000
    counts = conditional_permutation(y, m, perms, np.random.default_rng(9), moments=True)
    for i in range(n):
        ge, le = exact_tails(y, m, i)
        for got, exact in ((counts.k_ge[i] / perms, ge), (counts.k_le[i] / perms, le)):
            tol = 5 * np.sqrt(exact * (1 - exact) / perms) + 1e-12
            assert abs(got - exact) <= tol, (i, got, exact)


def test_draw_positions_are_distinct_and_uniform() -> None:
    rng = np.random.default_rng(0)
    for k, m in ((3, 1000), (5, 6), (6, 6)):
        pos = draw_positions(rng, 6000, k, m)
        assert pos.shape == (6000, k) and pos.min() >= 0 and pos.max() < m
        assert np.all(np.diff(np.sort(pos, axis=1), axis=1) > 0)
    pos = draw_positions(rng, 60_000, 3, 6)  # first column uniform over 0..5
    freq = np.bincount(pos[:, 0], minlength=6) / 60_000
    assert_allclose(freq, 1 / 6, atol=0.01)


def test_ties_do_not_make_zero_cells_significant() -> None:
    # Counts with many zeros: a zero cell among zero cells ties with most permutations.
    rng = np.random.default_rng(3)
    row, col = np.divmod(np.arange(400), 20)
    y = np.where(rng.random(400) < 0.1, rng.integers(1, 4, 400), 0).astype(float)
    y[:3] = 0.0
    y[[1, 20, 21, 22, 40, 41, 42]] = 0.0  # cell 21's queen neighbourhood is all zero
    g = gi_star(y, grid_contiguity(col, row, "queen"), permutations=999, seed=1)
    assert g.p_sim is not None
    assert g.p_sim[21] > 0.3  # esda's tie rule would give 1/1000 here
    assert g.classes[21] == 0


def test_gi_star_input_errors() -> None:
    w = grid_contiguity(np.arange(5), np.zeros(5, dtype=int), "rook")
    with pytest.raises(InputError, match="All 5 values are equal"):
        gi_star([3, 3, 3, 3, 3], w)
    with pytest.raises(InputError, match="4 values for 5 units"):
        gi_star([1, 2, 3, 4], w)
    with pytest.raises(InputError, match="missing or not finite"):
        gi_star([1, 2, np.inf, 4, 5], w)
    with pytest.raises(InputError, match="row-standardised"):
        gi_star([1, 2, 3, 4, 5], w.row_standardised())
    with pytest.raises(InputError, match="no neighbour"):
        gi_star([1, 2, 3], grid_contiguity([0, 1, 3], [0, 0, 0]))
    with pytest.raises(InputError, match="neighbour of every other unit"):
        gi_star([1, 2, 3, 4], distance_band([0, 1, 2, 3], [0, 0, 0, 0], 10))
    with pytest.raises(InputError, match="permutations"):
        gi_star([1, 2, 3, 4, 5], w, permutations=-1)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(6, 40), fdr=st.booleans())
def test_reordering_units_reorders_gi_star(seed: int, n: int, fdr: bool) -> None:
    rng = np.random.default_rng(seed)
    x, yy = rng.random(n), rng.random(n)
    values = rng.poisson(3.0, n).astype(float)
    values[0] += 1.0  # never constant
    perm = rng.permutation(n)
    a = gi_star(values, knn(x, yy, 3), fdr=fdr)
    b = gi_star(values[perm], knn(x[perm], yy[perm], 3), fdr=fdr)
    assert_allclose(b.z, a.z[perm], rtol=1e-12, atol=1e-12)
    assert_allclose(b.p_norm, a.p_norm[perm], rtol=1e-12, atol=1e-300)
    assert_array_equal(b.classes, a.classes[perm])


@settings(max_examples=30, deadline=None)
@given(value=st.floats(-1e6, 1e6, allow_nan=False), n=st.integers(3, 30))
def test_constant_values_are_refused(value: float, n: int) -> None:
    w = grid_contiguity(np.arange(n), np.zeros(n, dtype=int), "rook")
    with pytest.raises(InputError, match="values are equal"):
        gi_star(np.full(n, value), w)
