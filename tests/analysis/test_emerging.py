"""Emerging hot spots: Mann–Kendall against scipy and published values, every pattern by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from urbansafety.analysis.emerging import (
    CLASSES,
    _space_time_weights,
    classify,
    emerging_hotspots,
)
from urbansafety.analysis.mannkendall import mann_kendall
from urbansafety.errors import InputError

# --- Mann–Kendall ------------------------------------------------------------------------


def test_mann_kendall_matches_scipy_kendalltau() -> None:
    rng = np.random.default_rng(0)
    # small integers: many ties, the case the tie correction is for
    series = rng.integers(0, 5, size=(300, 12)).astype(float)
    series[0] = 3.0  # a constant row
    mk = mann_kendall(series)
    t = np.arange(12)
    for row, s, var_s, tau in zip(series[1:], mk.S[1:], mk.var_S[1:], mk.tau[1:], strict=True):
        ref = stats.kendalltau(t, row, method="asymptotic")
        assert_allclose(tau, ref.statistic, rtol=1e-12)
        # scipy's asymptotic p has no continuity correction: compare on S / √var S
        if var_s > 0:
            assert_allclose(2 * stats.norm.sf(abs(s) / math.sqrt(var_s)), ref.pvalue, rtol=1e-9)
    assert mk.S[0] == 0 and mk.var_S[0] == 0 and mk.z[0] == 0 and mk.p[0] == 1
    assert np.isnan(mk.tau[0])


def test_mann_kendall_matches_a_plain_loop() -> None:
    rng = np.random.default_rng(1)
    series = np.round(rng.normal(size=(50, 9)), 1)
    mk = mann_kendall(series)
    for row, s, var_s, z in zip(series, mk.S, mk.var_S, mk.z, strict=True):
        n = len(row)
        s_loop = sum(np.sign(row[j] - row[i]) for i in range(n) for j in range(i + 1, n))
        _, groups = np.unique(row, return_counts=True)
        v = (n * (n - 1) * (2 * n + 5) - sum(g * (g - 1) * (2 * g + 5) for g in groups)) / 18
        assert s == s_loop
        assert var_s == pytest.approx(v)
        expected_z = 0.0 if s_loop == 0 else (s_loop - np.sign(s_loop)) / math.sqrt(v)
        assert z == pytest.approx(expected_z)


def test_mann_kendall_published_values() -> None:
    # MannKendall.jl (mmhs013/MannKendall.jl, test/runtests.jl @ da42c84): the series 1..100
    mk = mann_kendall(np.arange(1.0, 101.0))
    assert mk.S == 4950 and mk.var_S == 112750.0 and mk.tau == 1.0
    assert_allclose(mk.z, 14.73869998208331, rtol=1e-12)
    # Gilbert (1987), Statistical Methods for Environmental Pollution Monitoring, p. 212:
    # 22 values with ties, S = 111, √var S = 35.02, Z = 3.1 (as printed; (111 − 1)/35.02)
    gilbert = [
        20,
        20,
        20,
        20,
        15,
        20,
        20,
        30,
        27,
        26,
        23,
        35,
        25,
        28,
        70,
        26,
        24,
        34,
        32,
        23,
        50,
        30,
    ]
    mk = mann_kendall(np.array(gilbert, dtype=float))
    assert mk.S == 111
    assert_allclose(math.sqrt(mk.var_S), 35.02, atol=0.005)
    assert_allclose(mk.z, 3.1, atol=0.05)
    assert mk.p < 0.01


def test_mann_kendall_hand_example() -> None:
    # 1, 2, 2, 3: S = 5 (5 rising pairs, 1 tie); ties {2, 2}: var = (4·3·13 − 2·1·9) / 18
    mk = mann_kendall(np.array([[1.0, 2.0, 2.0, 3.0], [3.0, 2.0, 2.0, 1.0]]))
    assert_allclose(mk.S, [5, -5])
    assert_allclose(mk.var_S, [138 / 18, 138 / 18])
    assert_allclose(mk.tau, [5 / math.sqrt(30), -5 / math.sqrt(30)])
    assert_allclose(mk.z, [4 / math.sqrt(138 / 18), -4 / math.sqrt(138 / 18)])
    assert_allclose(mk.p, 2 * stats.norm.sf(4 / math.sqrt(138 / 18)))


def test_mann_kendall_errors() -> None:
    with pytest.raises(InputError, match="at least 3"):
        mann_kendall(np.ones((4, 2)))
    with pytest.raises(InputError, match="missing"):
        mann_kendall(np.array([[1.0, np.nan, 2.0]]))
    with pytest.raises(InputError, match="one row per unit"):
        mann_kendall(np.ones((2, 3, 4)))


# --- classify: one hand-built unit per pattern --------------------------------------------

HOT, COLD, NS = 3.0, -3.0, 0.5
RISING = 2.2 + 0.2 * np.arange(10)  # hot every period, z rising steadily
FLAT = np.array([3.0, 3.6, 3.2, 3.5, 3.1, 3.6, 3.0, 3.4, 3.3, 3.2])  # hot, no trend


def _row(pattern: str, hot_z: np.ndarray | None = None) -> np.ndarray:
    """z-scores for 'H' (hot), 'C' (cold), '.' (not significant), oldest first."""
    z = np.array([{"H": HOT, "C": COLD, ".": NS}[c] for c in pattern])
    if hot_z is not None:
        z = np.where(z == HOT, hot_z[: len(pattern)], z)
    return z


def _p(z: np.ndarray) -> np.ndarray:
    return 2 * stats.norm.sf(np.abs(z))


CASES = [
    ("new_hot", _row(".........H")),
    ("consecutive_hot", _row(".......HHH")),
    ("consecutive_hot", _row("........HH")),
    ("intensifying_hot", _row("HHHHHHHHHH", RISING)),
    ("intensifying_hot", _row(".HHHHHHHHH", RISING)),  # 90 %, the first period missing
    ("persistent_hot", _row("HHHHHHHHHH", FLAT)),
    ("persistent_hot", _row("HHHH.HHHHH", FLAT)),
    ("diminishing_hot", _row("HHHHHHHHHH", RISING[::-1])),
    ("sporadic_hot", _row("H..H...H.H")),
    ("sporadic_hot", _row("HH.......H")),
    ("persistent_hot", _row("HHHHHHH.HH", FLAT)),  # 9 of 10 = 90 %, even with a gap
    ("sporadic_hot", _row("HHHHHH..HH", FLAT)),  # 8 of 10: on and off
    ("oscillating_hot", _row("C...H....H")),
    ("oscillating_hot", _row("C........H")),  # cold before: oscillating, not new
    ("historical_hot", _row("HHHHHHHHH.", FLAT)),
    ("historical_hot", _row("HHHHHHHHHC", FLAT)),  # ≥ 90 % hot outranks the final cold
    ("no_pattern", _row("..........")),
    ("no_pattern", _row("H...H.....")),  # never hot at the end, below 90 %
    ("no_pattern", _row("HHHHHHHH..", FLAT)),  # 80 %: not historical
]


def _cold(z: np.ndarray) -> np.ndarray:
    return -z


@pytest.mark.parametrize(
    ("expected", "z"), CASES, ids=[f"{c}-{i}" for i, (c, _) in enumerate(CASES)]
)
def test_each_hot_pattern(expected: str, z: np.ndarray) -> None:
    zz = z[None, :]
    assert classify(zz, _p(zz))[0] == expected


@pytest.mark.parametrize(
    ("expected", "z"), CASES, ids=[f"{c}-{i}" for i, (c, _) in enumerate(CASES)]
)
def test_each_cold_pattern_mirrors(expected: str, z: np.ndarray) -> None:
    zz = _cold(z)[None, :]
    mirrored = expected.replace("_hot", "_COLD").replace("_cold", "_hot").replace("_COLD", "_cold")
    assert classify(zz, _p(zz))[0] == mirrored


def test_trend_cases_are_what_they_say() -> None:
    assert mann_kendall(RISING).p < 0.05 and mann_kendall(RISING).S > 0
    assert mann_kendall(FLAT).p > 0.05


def test_all_classes_reachable_and_vectorised() -> None:
    rows = [z for _, z in CASES] + [_cold(z) for _, z in CASES]
    z = np.vstack(rows)
    got = classify(z, _p(z))
    expected = [c for c, _ in CASES] + [
        c.replace("_hot", "_COLD").replace("_cold", "_hot").replace("_COLD", "_cold")
        for c, _ in CASES
    ]
    assert list(got) == expected
    assert set(got) == set(CLASSES)


def test_significance_matrix_instead_of_p() -> None:
    z = np.vstack([z for _, z in CASES])
    assert list(classify(z, significant=_p(z) <= 0.05)) == list(classify(z, _p(z)))
    # a stricter level turns 95 % bins (|z| = 2.2) into non-significant ones
    strict = classify(
        _row("HHHHHHHHHH", RISING)[None, :], _p(_row("HHHHHHHHHH", RISING)[None, :]), alpha=0.01
    )
    assert strict[0] == "consecutive_hot"  # z ≥ 2.6 from the 3rd period on: a final run of 8


def test_short_series_need_every_period() -> None:
    # 5 periods: 90 % means all 5; a trend can be significant (S = 10 → p = 0.027)
    z = np.array([[2.2, 2.4, 2.6, 2.8, 3.0], [3.0, 3.0, 3.0, 3.0, NS], [NS, 3.0, 3.0, 3.0, 3.0]])
    assert list(classify(z, _p(z))) == ["intensifying_hot", "no_pattern", "consecutive_hot"]


def test_classify_errors() -> None:
    z = np.vstack([_row("HHHHHHHHHH")])
    with pytest.raises(InputError, match="either"):
        classify(z)
    with pytest.raises(InputError, match="either"):
        classify(z, _p(z), significant=_p(z) < 0.05)
    with pytest.raises(InputError, match="shape"):
        classify(z, significant=np.ones((2, 10), dtype=bool))
    with pytest.raises(InputError, match="True/False"):
        classify(z, significant=np.ones((1, 10)))
    with pytest.raises(InputError, match="0 to 1"):
        classify(z, np.full((1, 10), 1.5))
    with pytest.raises(InputError, match="between 0 and 1"):
        classify(z, _p(z), alpha=5)
    with pytest.raises(InputError, match="missing"):
        classify(np.array([[1.0, np.nan, 2.0]]), np.full((1, 3), 0.5))


# --- emerging_hotspots on a grid ----------------------------------------------------------


def _grid(n: int = 15) -> tuple[np.ndarray, np.ndarray]:
    iy, ix = np.divmod(np.arange(n * n), n)
    return ix, iy


def test_planted_intensifying_hot_spot() -> None:
    from urbansafety.analysis.weights import grid_contiguity

    rng = np.random.default_rng(42)
    ix, iy = _grid()
    w = grid_contiguity(ix, iy, "queen")
    counts = rng.poisson(2.0, (len(ix), 10)).astype(float)
    block = (np.abs(ix - 7) <= 1) & (np.abs(iy - 7) <= 1)
    for t in range(10):
        counts[block, t] += rng.poisson(4 + 1.5 * t, block.sum())
    result = emerging_hotspots(counts, w, periods=range(2014, 2024))
    centre = int(np.flatnonzero((ix == 7) & (iy == 7))[0])
    assert result.classes[centre] == "intensifying_hot"
    assert result.trend_tau[centre] > 0.5 and result.trend_p[centre] < 0.05
    far = (np.abs(ix - 7) > 3) | (np.abs(iy - 7) > 3)
    assert set(result.classes[far]) == {"no_pattern"}
    assert result.periods == tuple(range(2014, 2024))
    assert result.summary().sum() == len(ix)
    assert result.summary()["intensifying_hot"] >= 1
    assert result.z.shape == result.p.shape == result.significant.shape == counts.shape


def test_per_period_gi_star_and_fdr() -> None:
    from urbansafety.analysis.hotspots import fdr_significant, gi_star
    from urbansafety.analysis.weights import grid_contiguity

    rng = np.random.default_rng(7)
    ix, iy = _grid(8)
    w = grid_contiguity(ix, iy, "rook")
    counts = rng.poisson(3.0, (64, 6)).astype(float)
    counts[:, 2] = 1.0  # a period where every unit has the same count: no Gi*
    res = emerging_hotspots(counts, w, periods=list("abcdef"))
    for t in (0, 1, 3, 4, 5):
        gi = gi_star(counts[:, t], w, fdr=False)
        assert_allclose(res.z[:, t], gi.z, rtol=1e-12)
        assert_allclose(res.p[:, t], gi.p_norm, rtol=1e-12)
        assert (res.significant[:, t] == fdr_significant(gi.p_norm, 0.05)).all()
    assert (res.z[:, 2] == 0).all() and (res.p[:, 2] == 1).all() and not res.significant[:, 2].any()
    raw = emerging_hotspots(counts, w, periods=list("abcdef"), fdr=False)
    assert (raw.significant == (raw.p <= 0.05)).all()
    assert raw.significant.sum() >= res.significant.sum()


def test_space_time_cube_gi_star_matches_the_formula() -> None:
    from urbansafety.analysis.weights import grid_contiguity

    rng = np.random.default_rng(3)
    ix, iy = _grid(5)
    w = grid_contiguity(ix, iy, "queen")
    counts = rng.poisson(2.0, (25, 4)).astype(float)
    res = emerging_hotspots(counts, w, periods=range(4), time_lag=1, fdr=False)
    # independent Gi*: bins (i, t); neighbours = queen cells and itself, at t and t − 1
    a = w.matrix.toarray() + np.eye(25)
    x = counts.T.ravel()  # period-major
    n = x.size
    mean, sd = x.mean(), x.std()
    for t in range(4):
        for i in range(25):
            wts = np.zeros((4, 25))
            wts[t] = a[i]
            if t >= 1:
                wts[t - 1] = a[i]
            wf = wts.ravel()
            W, S1 = wf.sum(), (wf**2).sum()
            z = (wf @ x - mean * W) / (sd * math.sqrt((n * S1 - W**2) / (n - 1)))
            assert res.z[i, t] == pytest.approx(z, rel=1e-10, abs=1e-12)
    cube = _space_time_weights(w, 4, 1)
    assert cube.matrix.diagonal().sum() == 0
    assert res.time_lag == 1


def test_emerging_hotspots_errors() -> None:
    from urbansafety.analysis.weights import grid_contiguity

    ix, iy = _grid(4)
    w = grid_contiguity(ix, iy)
    counts = np.ones((16, 4))
    counts[0] = 5
    with pytest.raises(InputError, match="period labels"):
        emerging_hotspots(counts, w, periods=[2020, 2021])
    with pytest.raises(InputError, match="at least 3"):
        emerging_hotspots(counts[:, :2], w, periods=[1, 2])
    bad = counts.copy()
    bad[1, 1] = -1
    with pytest.raises(InputError, match="negative"):
        emerging_hotspots(bad, w, periods=range(4))
    with pytest.raises(InputError, match="time lag"):
        emerging_hotspots(counts, w, periods=range(4), time_lag=4)
