"""Crime concentration: lorenzgini oracle, an independent Gini formula, shares, edge cases."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

from urbansafety.analysis.concentration import (
    _gini_table,
    concentration,
    generalized_gini,
    gini,
    gini_interval,
    lorenz_curve,
)
from urbansafety.errors import InputError

ORACLE = json.loads(
    (Path(__file__).parents[1] / "oracles" / "concentration_lorenzgini.json").read_text("utf-8")
)


def _case_counts(case: dict) -> np.ndarray:
    if "counts" in case:
        return np.array(case["counts"])
    return np.concatenate([np.full(n, v) for v, n in case["counts_run_length"]])


def _mean_abs_difference_gini(x: np.ndarray) -> float:
    """Gini as Σ_i Σ_j |x_i − x_j| / (2 n² mean): no sorting, no ranks."""
    n = len(x)
    return float(np.abs(x[:, None] - x[None, :]).sum() / (2 * n * n * x.mean()))


@pytest.mark.parametrize("case", ORACLE["cases"], ids=[c["name"] for c in ORACLE["cases"]])
def test_lorenzgini_oracle(case: dict) -> None:
    x = _case_counts(case)
    result = concentration(x)
    for name, value in case["published"].items():
        assert_allclose(getattr(result, name), value, atol=0.005, err_msg=name)
    for name, value in case["exact"].items():
        assert_allclose(getattr(result, name), value, rtol=1e-12, err_msg=name)
    assert_allclose(gini(x), case["exact"]["gini"], rtol=1e-12)
    assert_allclose(gini(x, unbiased=True), case["exact"]["gini_unbiased"], rtol=1e-12)
    assert_allclose(generalized_gini(x), case["exact"]["generalized_gini"], rtol=1e-12)
    assert_allclose(
        generalized_gini(x, unbiased=True), case["exact"]["generalized_gini_unbiased"], rtol=1e-12
    )


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 1_000), min_size=1, max_size=200).filter(lambda v: sum(v) > 0))
def test_gini_equals_mean_absolute_difference(values: list[int]) -> None:
    x = np.array(values, dtype=float)
    assert_allclose(gini(x), _mean_abs_difference_gini(x), rtol=1e-10, atol=1e-14)
    # order does not matter
    assert_allclose(gini(x[::-1]), gini(x), rtol=1e-12, atol=1e-15)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1e6), min_size=2, max_size=100).filter(lambda v: sum(v) > 0))
def test_gini_of_weighted_values(values: list[float]) -> None:
    x = np.array(values)
    assert_allclose(gini(x), _mean_abs_difference_gini(x), rtol=1e-9, atol=1e-12)
    assert 0.0 <= gini(x) <= 1.0 - 1.0 / len(x) + 1e-12


def test_generalized_equals_gini_when_crimes_outnumber_units() -> None:
    x = np.array([22, 18, 17, 12, 11, 8, 6, 3, 2, 1])  # lorenzgini's non-sparse example
    r = concentration(x)
    assert r.generalized_gini == r.gini
    assert r.generalized_gini_unbiased == pytest.approx(r.gini_unbiased)


def test_generalized_gini_of_the_most_equal_sparse_distribution_is_zero() -> None:
    # 5 crimes over 10 places, one per place: the most equal possible, G' = 0 (G = 0.5)
    x = np.array([1] * 5 + [0] * 5)
    assert gini(x) == pytest.approx(0.5)
    assert generalized_gini(x) == pytest.approx(0.0, abs=1e-15)
    # the Bernasco–Steenbeek example: 10 robberies in 10 areas, then 5 in 5 of them
    assert generalized_gini(np.ones(10, dtype=int)) == pytest.approx(0.0, abs=1e-15)


def test_shares_on_hand_examples() -> None:
    # sorted high→low: 10, 8, 2, 0 × 7; total 20: 25 % = 5 → the first unit (10 ≥ 5);
    # 50 % = 10 → still the first unit (10 ≥ 10)
    r = concentration([0, 2, 0, 10, 0, 0, 8, 0, 0, 0])
    assert (r.n_units_25, r.n_units_50) == (1, 1)
    assert (r.share_units_25, r.share_units_50) == (0.1, 0.1)
    assert r.share_units_with_crime == pytest.approx(0.3)
    # 4, 3, 2, 1 (total 10): 25 % = 2.5 → 1 unit; 50 % = 5 → 4 + 3 = 7 ≥ 5 → 2 units
    r = concentration([1, 2, 3, 4])
    assert (r.n_units_25, r.n_units_50) == (1, 2)
    assert (r.share_units_25, r.share_units_50) == (0.25, 0.5)
    assert r.share_units_with_crime == 1.0
    # equality: 8 units with 1 each: 25 % = 2 units, 50 % = 4 units exactly
    r = concentration([1] * 8)
    assert (r.n_units_25, r.n_units_50) == (2, 4)
    assert r.gini == 0.0
    # exactly at the threshold counts as reached: 5, 5, 5, 5 → 50 % is 10 = 5 + 5
    r = concentration([5, 5, 5, 5, 0, 0, 0, 0])
    assert (r.n_units_25, r.n_units_50) == (1, 2)


def test_lorenz_curve() -> None:
    lz = lorenz_curve([0, 2, 0, 10, 8])
    assert list(lz.columns) == ["units_share", "crime_share"]
    assert_allclose(lz["units_share"], [0, 0.2, 0.4, 0.6, 0.8, 1.0])
    assert_allclose(lz["crime_share"], [0, 0.5, 0.9, 1.0, 1.0, 1.0])
    r = concentration([0, 2, 0, 10, 8])
    assert r.lorenz.equals(lz)
    # the Gini is twice the area between the curve and the diagonal (trapezoids are exact)
    area = np.trapezoid(lz["crime_share"], lz["units_share"]) - 0.5
    assert_allclose(2 * area, r.gini, rtol=1e-12)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=1, max_size=300).filter(lambda v: sum(v) > 0))
def test_properties(values: list[int]) -> None:
    r = concentration(values)
    lz = r.lorenz
    assert np.all(np.diff(lz["crime_share"]) >= -1e-15)
    assert np.all(lz["crime_share"] >= lz["units_share"] - 1e-12)
    assert lz["crime_share"].iloc[-1] == pytest.approx(1.0)
    # the share definition: k units reach the threshold, k − 1 do not
    desc = np.sort(values)[::-1]
    for k, q in ((r.n_units_25, 0.25), (r.n_units_50, 0.5)):
        assert desc[:k].sum() >= q * sum(values)
        assert desc[: k - 1].sum() < q * sum(values)
    assert r.n_units_25 <= r.n_units_50 <= np.count_nonzero(values)
    assert r.generalized_gini <= r.gini + 1e-12
    assert -1e-12 <= r.generalized_gini <= 1 + 1e-12


def test_edge_cases() -> None:
    one = concentration([7])
    assert one.gini == 0.0 and np.isnan(one.gini_unbiased)
    assert one.share_units_50 == 1.0 and one.share_units_with_crime == 1.0
    # a single crime: G' = 0, its unbiased version divides by m − 1 = 0
    single = concentration([1, 0, 0, 0])
    assert single.generalized_gini == pytest.approx(0.0, abs=1e-15)
    assert np.isnan(single.generalized_gini_unbiased)
    assert single.gini == pytest.approx(0.75)
    with pytest.raises(InputError, match="undefined"):
        concentration([0, 0, 0])
    with pytest.raises(InputError, match="undefined"):
        gini(np.zeros(4))
    with pytest.raises(InputError, match="negative or missing"):
        concentration([3, -1, 2])
    with pytest.raises(InputError, match="negative or missing"):
        gini([3, np.nan, 2])
    with pytest.raises(InputError, match="not whole numbers"):
        concentration([1.5, 2])
    with pytest.raises(InputError, match="no spatial units"):
        concentration([])
    # weighted values are fine for the plain Gini
    assert gini([1.5, 0.5]) == pytest.approx(0.25)


def test_large_input_is_fast() -> None:
    rng = np.random.default_rng(0)
    x = rng.poisson(0.3, 2_000_000)
    r = concentration(x)
    assert r.n_units == 2_000_000
    assert_allclose(r.gini, gini(x), rtol=1e-12)


def test_gini_from_frequency_table_matches_the_plain_formula() -> None:
    rng = np.random.default_rng(2)
    x = rng.poisson(1.2, 500)
    values, freq = np.unique(x, return_counts=True)
    for generalized in (False, True):
        for unbiased in (False, True):
            expected = (generalized_gini if generalized else gini)(x, unbiased=unbiased)
            got = _gini_table(values.astype(float), freq, generalized, unbiased)[0]
            assert_allclose(got, expected, rtol=1e-12)


def test_gini_interval_agrees_with_scipy_bootstrap() -> None:
    rng = np.random.default_rng(8722)
    x = np.where(rng.uniform(size=400) < 0.1, 0, rng.poisson(1.0, 400))

    def stat(sample: np.ndarray, axis: int = -1) -> np.ndarray:
        sample = np.sort(sample, axis=axis)
        n = sample.shape[axis]
        c = sample.sum(axis=axis)
        g = ((2 * np.arange(1, n + 1) - n - 1) * sample).sum(axis=axis) / (n * c)
        gg = np.maximum(1, n / c) * (g - 1) + 1
        m = np.minimum(n, c)
        return gg * m / (m - 1)

    ref = stats.bootstrap(
        (x,), stat, n_resamples=4000, method="BCa", random_state=np.random.default_rng(1)
    ).confidence_interval
    ours = gini_interval(x, n_resamples=4000, seed=1)
    assert ours.estimate == pytest.approx(generalized_gini(x, unbiased=True))
    # different random draws: agreement within Monte Carlo error (SE of G' here ≈ 0.02)
    assert_allclose([ours.ci_low, ours.ci_high], [ref.low, ref.high], atol=0.006)
    assert ours.ci_low < ours.estimate < ours.ci_high
    # seeded: the same call gives the same interval
    again = gini_interval(x, n_resamples=4000, seed=1)
    assert (again.ci_low, again.ci_high) == (ours.ci_low, ours.ci_high)


def test_gini_interval_jackknife_acceleration() -> None:
    # the grouped jackknife equals leaving out each unit in turn
    x = np.array([0, 0, 0, 1, 1, 2, 5, 9])
    values, freq = np.unique(x, return_counts=True)
    jack_grouped = _gini_table(
        values.astype(float),
        np.tile(freq, (len(values), 1)) - np.eye(len(values), dtype=int),
        False,
        False,
    )
    jack_plain = np.array([gini(np.delete(x, i)) for i in range(len(x))])
    expanded = np.repeat(jack_grouped, freq)
    assert_allclose(np.sort(expanded), np.sort(jack_plain), rtol=1e-12)


def test_gini_interval_errors() -> None:
    with pytest.raises(InputError):
        gini_interval([1, 2, 3], confidence_level=1.5)
    with pytest.raises(InputError):
        gini_interval([1, 2, 3], n_resamples=3)
