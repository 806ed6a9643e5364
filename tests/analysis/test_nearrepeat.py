"""Knox test: the Near Repeat Calculator's Chicago tables, a brute-force all-pairs recomputation
(observed and permuted), planted and null patterns, invariants and every input error."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

from urbansafety.analysis import nearrepeat
from urbansafety.analysis.nearrepeat import Knox, knox
from urbansafety.errors import InputError

TESTS = Path(__file__).resolve().parents[1]
ORACLE = json.loads((TESTS / "oracles" / "knox_nrc.json").read_text("utf-8"))


def chicago(name: str) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    frame = pd.read_csv(TESTS / "data" / "nearrepeat" / f"{name}.csv", header=None)
    return frame[0].to_numpy(), frame[1].to_numpy(), pd.to_datetime(frame[2], format="%Y-%m-%d")


def nrc_knox(name: str, **kwargs: object) -> Knox:
    case = ORACLE[name]
    args = {key: case[key] for key in ("space_edges", "time_edges", "metric", "same_location")}
    return knox(*chicago(name), **{**args, **kwargs})  # type: ignore[arg-type]


def brute(
    x: np.ndarray,
    y: np.ndarray,
    days: np.ndarray,
    space_edges: list[float],
    time_edges: list[float],
    metric: str = "euclidean",
    same_location: bool = True,
    float32: bool = False,
) -> np.ndarray:
    """The Knox table from every pair, written from the definition (no tree, no shortcut)."""
    if float32:
        x, y = x.astype(np.float32), y.astype(np.float32)
    i, j = np.triu_indices(len(x), 1)
    dx, dy = x[i] - x[j], y[i] - y[j]
    d = np.abs(dx) + np.abs(dy) if metric == "manhattan" else np.sqrt(dx * dx + dy * dy)
    dt = np.abs(days[i] - days[j])
    rows = (d[:, None] >= np.asarray(space_edges)).sum(axis=1)
    if same_location:
        rows = np.where(d == 0, 0, rows + 1)
    cols = (dt[:, None] >= np.asarray(time_edges)).sum(axis=1)
    table = np.zeros((len(space_edges) + 1 + same_location, len(time_edges) + 1), dtype=int)
    np.add.at(table, (rows, cols), 1)
    return table


def clustered(n: int, seed: int, whole_days: bool = True) -> tuple[np.ndarray, ...]:
    """Events on a 25 m lattice (many at the same point, many distances on a band edge)."""
    rng = np.random.default_rng(seed)
    x = 300_000 + 25.0 * rng.integers(0, 40, n)
    y = 5_040_000 + 25.0 * rng.integers(0, 40, n)
    days = rng.integers(0, 60, n).astype(float)
    if not whole_days:
        days += rng.random(n)
    return x, y, days


# --- Near Repeat Calculator oracles (research note O8, O9a) -------------------------------


@pytest.mark.parametrize("float32", [False, True])
def test_o8_chicago_burglary_observed_table_is_the_nrc_table(float32: bool) -> None:
    result = nrc_knox("chicago_be_month1", permutations=0, float32=float32)
    assert_array_equal(result.observed, ORACLE["chicago_be_month1"]["observed"])
    assert result.n_events == 970
    assert result.n_pairs == result.observed.sum() == ORACLE["chicago_be_month1"]["pairs"]
    assert np.isnan(result.expected_mean).all() and np.isnan(result.p_value).all()


def test_o9a_chicago_arson_needs_single_precision_to_match_the_nrc() -> None:
    case = ORACLE["chicago_arson"]
    nrc = nrc_knox("chicago_arson", permutations=0, float32=True)
    assert_array_equal(nrc.observed, case["observed_float32"])
    exact = nrc_knox("chicago_arson", permutations=0)
    assert_array_equal(exact.observed, case["observed_float64"])
    assert exact.observed.sum() == nrc.observed.sum() == case["pairs"]


def test_nrc_simulated_tables_keep_the_observed_margins() -> None:
    # Permuting dates over fixed locations keeps every row total (the pairs' distances) and
    # every column total (the pairs' day gaps): the NRC's 19 tables show it, as ours must.
    case = ORACLE["chicago_be_month1"]
    sims = np.moveaxis(np.asarray(case["nrc_simulated"]), -1, 0)
    observed = np.asarray(case["observed"])
    assert sims.shape == (19, 5, 4)
    assert_array_equal(sims.sum(axis=2), np.broadcast_to(observed.sum(axis=1), (19, 5)))
    assert_array_equal(sims.sum(axis=1), np.broadcast_to(observed.sum(axis=0), (19, 4)))
    ours = nrc_knox("chicago_be_month1", permutations=199, seed=3)
    assert_allclose(ours.expected_mean.sum(axis=1), observed.sum(axis=1))
    assert_allclose(ours.expected_mean.sum(axis=0), observed.sum(axis=0))


def test_ratio_and_p_value_formulas_give_the_nrc_tables_from_its_own_simulations() -> None:
    case = ORACLE["chicago_be_month1"]
    sims = np.moveaxis(np.asarray(case["nrc_simulated"]), -1, 0)
    mean, median, ratio, p_value = nearrepeat._summarise(np.asarray(case["observed"]), sims)
    assert_allclose(ratio, case["nrc_ratio"], atol=5e-4)  # the NRC prints 3 decimals
    assert_allclose(p_value, case["nrc_p_value"], atol=1e-12)
    assert_allclose(mean[0, 0], 16.9473684210526)  # the NRC's "Mean" for row 1, column 1
    assert median[0, 0] == 17


@pytest.mark.parametrize("name", ["chicago_be_month1", "chicago_arson"])
def test_expected_counts_agree_with_the_nrc_simulations(name: str) -> None:
    case = ORACLE[name]
    ours = nrc_knox(name, permutations=1999, seed=2024, float32=True)
    if "nrc_simulated" in case:
        sims = np.asarray(case["nrc_simulated"], dtype=float)
        nrc_mean = sims.mean(axis=-1)
        se = np.maximum(sims.std(axis=-1, ddof=1), 1.0) / np.sqrt(sims.shape[-1])
    else:
        nrc_mean = np.asarray(case["nrc_mean"])
        se = np.sqrt(np.maximum(nrc_mean, 1.0) / case["nrc_simulations"])
    # Both are Monte Carlo means: the NRC's from 19 or 99 tables, ours from 1,999.
    assert (np.abs(ours.expected_mean - nrc_mean) <= 4 * se).all()
    # Where the NRC found its smallest p (0.05 with 19 tables, 0.01 with 99), so do we.
    smallest = np.asarray(case["nrc_p_value"]) == 1 / (case["nrc_simulations"] + 1)
    assert (ours.p_value[smallest] <= 1 / (case["nrc_simulations"] + 1)).all()


def test_published_knox_ratios_are_matched_loosely() -> None:
    # NRC 1.3, 20 iterations: same location and 1-100 m, 0-7 days: 1.652 and 1.685. Its
    # expected counts are means of only 19 tables, hence the tolerance.
    ours = nrc_knox("chicago_be_month1", permutations=999, seed=7)
    assert ours.ratio[0, 0] == pytest.approx(1.652, rel=0.15)
    assert ours.ratio[1, 0] == pytest.approx(1.685, rel=0.15)
    assert ours.p_value[0, 0] == ours.p_value[1, 0] == 0.001


# --- Independent recomputation ---------------------------------------------------------


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
@pytest.mark.parametrize("same_location", [True, False])
@pytest.mark.parametrize("whole_days", [True, False])
def test_observed_and_expected_equal_a_brute_force_over_the_same_permutations(
    metric: str, same_location: bool, whole_days: bool
) -> None:
    x, y, days = clustered(160, seed=11, whole_days=whole_days)
    s_edges, t_edges = [50.0, 100.0, 175.0], [3.0, 7.5, 14.0]
    result = knox(
        x,
        y,
        days,
        space_edges=s_edges,
        time_edges=t_edges,
        permutations=49,
        seed=5,
        metric=metric,
        same_location=same_location,
    )
    assert_array_equal(result.observed, brute(x, y, days, s_edges, t_edges, metric, same_location))
    rng = np.random.default_rng(5)
    sims = np.stack(
        [
            brute(x, y, days[rng.permutation(len(x))], s_edges, t_edges, metric, same_location)
            for _ in range(49)
        ]
    )
    assert_allclose(result.expected_mean, sims.mean(axis=0), rtol=1e-12)
    assert_allclose(result.expected_median, np.median(sims, axis=0))
    assert_allclose(result.p_value, ((sims >= result.observed).sum(axis=0) + 1) / 50)
    assert not result.whole_days  # 7.5 days is not a whole number of days


def test_single_precision_equals_a_brute_force_in_single_precision() -> None:
    x, y, days = clustered(200, seed=4)
    x, y = x + np.random.default_rng(1).normal(0, 3, 200), y + 0.013
    for metric in ("euclidean", "manhattan"):
        result = knox(
            x,
            y,
            days,
            space_edges=[40, 80],
            time_edges=[5],
            permutations=0,
            metric=metric,
            float32=True,
        )
        assert_array_equal(result.observed, brute(x, y, days, [40, 80], [5], metric, float32=True))


def test_all_pairs_are_counted_once_and_the_seed_repeats_the_run() -> None:
    x, y, days = clustered(300, seed=9)
    first = knox(x, y, days, space_edges=[100], time_edges=[7], permutations=99, seed=42)
    again = knox(x, y, days, space_edges=[100], time_edges=[7], permutations=99, seed=42)
    other = knox(x, y, days, space_edges=[100], time_edges=[7], permutations=99, seed=43)
    assert first.n_pairs == first.observed.sum() == 300 * 299 // 2
    for field in ("observed", "expected_mean", "expected_median", "ratio", "p_value"):
        assert_array_equal(getattr(first, field), getattr(again, field))
    assert not np.array_equal(first.expected_mean, other.expected_mean)
    with pytest.raises(FrozenInstanceError):
        first.seed = 1  # type: ignore[misc]
    unseeded = knox(x, y, days, space_edges=[100], time_edges=[7], permutations=19)
    assert isinstance(unseeded.seed, int)
    replay = knox(
        x, y, days, space_edges=[100], time_edges=[7], permutations=19, seed=unseeded.seed
    )
    assert_array_equal(replay.expected_mean, unseeded.expected_mean)


def test_threads_do_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    x, y, days = clustered(400, seed=2)
    args = {"space_edges": [100, 200], "time_edges": [7, 14], "permutations": 57, "seed": 1}
    serial = knox(x, y, days, workers=1, **args)  # type: ignore[arg-type]
    monkeypatch.setattr(nearrepeat, "_THREADS_FROM", 0)
    threaded = knox(x, y, days, workers=3, **args)  # type: ignore[arg-type]
    assert_array_equal(serial.expected_mean, threaded.expected_mean)
    assert_array_equal(serial.p_value, threaded.p_value)


def test_dates_in_every_form_give_the_same_table() -> None:
    x, y, days = clustered(120, seed=3)
    stamps = pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")
    forms = [
        days.astype(int),
        stamps.to_numpy().astype("datetime64[D]"),
        pd.Series(stamps),
        pd.Series(stamps).dt.tz_localize("America/Montreal"),
        list(stamps.date),
        [d.strftime("%Y-%m-%d") for d in stamps],
    ]
    args = {"space_edges": [50, 100], "time_edges": [7, 14], "permutations": 19, "seed": 8}
    reference = knox(x, y, days, **args)  # type: ignore[arg-type]
    for form in forms:
        result = knox(x, y, form, **args)  # type: ignore[arg-type]
        assert_array_equal(result.observed, reference.observed)
        assert_array_equal(result.p_value, reference.p_value)


def test_last_row_is_all_pairs_beyond_the_last_band_even_with_no_near_pair() -> None:
    x = np.array([0.0, 1000.0, 2000.0, 3000.0])
    result = knox(x, x * 0, [0, 1, 5, 30], space_edges=[100], time_edges=[2, 10], seed=1)
    assert_array_equal(result.observed, [[0, 0, 0], [0, 0, 0], [1, 2, 3]])
    assert_array_equal(result.expected_mean, [[0, 0, 0], [0, 0, 0], [1, 2, 3]])
    assert np.isnan(result.ratio[:2]).all() and (result.ratio[2] == 1).all()


# --- Planted pattern and null distribution ----------------------------------------------


def test_a_planted_near_repeat_pattern_is_found() -> None:
    rng = np.random.default_rng(1)
    n_seeds = 150
    x, y = rng.uniform(0, 5000, n_seeds), rng.uniform(0, 5000, n_seeds)
    t = rng.integers(0, 365, n_seeds)
    # Every seed is followed by a repeat within 50 m and 1-3 days.
    angle, radius = rng.uniform(0, 2 * np.pi, n_seeds), rng.uniform(5, 50, n_seeds)
    x = np.concatenate([x, x + radius * np.cos(angle)])
    y = np.concatenate([y, y + radius * np.sin(angle)])
    t = np.concatenate([t, t + rng.integers(1, 4, n_seeds)])
    result = knox(
        x,
        y,
        t,
        space_edges=[100, 200, 300, 400],
        time_edges=[7, 14, 21, 28],
        permutations=99,
        seed=1,
    )
    near = result.table("en").set_index(["space_band", "time_band"])
    cell = near.loc[("0–100 m", "0–6 days")]
    assert cell["observed"] >= n_seeds
    assert cell["ratio"] > 5
    assert cell["p_value"] == pytest.approx(1 / 100)
    # Nothing was planted beyond a week: no finite band after the first week stands out (the
    # last row is what the others leave, so it mirrors them).
    assert result.p_value[1:-1, 1:].min() > 0.01


def test_random_events_are_significant_about_5_percent_of_the_time() -> None:
    # Poisson in space, uniform in time: the share of p <= 0.05 in one cell over 200 data sets
    # must lie in the binomial 99.9 % range around 5 % (fixed seeds: not flaky).
    rejections = 0
    for seed in range(200):
        rng = np.random.default_rng(seed)
        n = rng.poisson(80)
        x, y, t = rng.uniform(0, 1000, n), rng.uniform(0, 1000, n), rng.integers(0, 100, n)
        result = knox(
            x,
            y,
            t,
            space_edges=[300],
            time_edges=[10],
            permutations=99,
            seed=seed,
            same_location=False,
        )
        rejections += bool(result.p_value[0, 0] <= 0.05)
    low, high = stats.binom.interval(0.999, 200, 0.05)
    assert low <= rejections <= high


# --- Properties ---------------------------------------------------------------------------

events = st.integers(2, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 12), min_size=n, max_size=n),
        st.lists(st.integers(0, 12), min_size=n, max_size=n),
        st.lists(st.integers(0, 30), min_size=n, max_size=n),
        st.permutations(range(n)),
    )
)


@settings(max_examples=60, deadline=None)
@given(events, st.sampled_from(["euclidean", "manhattan"]))
def test_the_order_of_the_events_does_not_change_the_observed_table(
    data: tuple[list[int], list[int], list[int], list[int]], metric: str
) -> None:
    xs, ys, ts, order = data
    # A 10 m lattice: duplicates and distances exactly on a band edge are common.
    x, y, t = 10.0 * np.asarray(xs), 10.0 * np.asarray(ys), np.asarray(ts, dtype=float)
    args = {"space_edges": [10, 20, 50], "time_edges": [1, 7], "permutations": 0}
    result = knox(x, y, t, metric=metric, **args)  # type: ignore[arg-type]
    o = np.asarray(order)
    shuffled = knox(x[o], y[o], t[o], metric=metric, **args)  # type: ignore[arg-type]
    assert_array_equal(result.observed, shuffled.observed)
    assert_array_equal(result.observed, brute(x, y, t, [10, 20, 50], [1, 7], metric))


bad_edges: st.SearchStrategy[list[float]] = st.one_of(
    st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=4).filter(
        lambda e: not (all(np.isfinite(e)) and all(v > 0 for v in e) and e == sorted(set(e)))
    ),
    st.just([]),
)


@settings(max_examples=60, deadline=None)
@given(bad_edges, st.booleans())
def test_bad_bands_raise_an_input_error(edges: list[float], space: bool) -> None:
    x = np.arange(5.0)
    space_edges, time_edges = (edges, [7]) if space else ([100], edges)
    with pytest.raises(InputError) as error:
        knox(x, x, x, space_edges=space_edges, time_edges=time_edges, permutations=0)
    assert error.value.hint


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"x": [0.0, 1.0]}, "same length"),
        ({"x": [0.0], "y": [0.0], "t": [0]}, "at least 2 events"),
        ({"x": [0.0, np.nan, 2.0]}, "missing or infinite coordinate: 1"),
        ({"y": [0.0, np.inf, 2.0]}, "missing or infinite"),
        (
            {"t": np.array(["2024-01-01", "NaT", "2024-01-03"], dtype="datetime64[D]")},
            "without a date",
        ),
        ({"t": [0.0, np.nan, 1.0]}, "without a date"),
        ({"t": ["2024-01-01", "yesterday", "2024-01-03"]}, "cannot be read"),
        ({"t": ["01/02/2024", "02/02/2024", "03/02/2024"]}, "cannot be read"),
        ({"t": [True, False, True]}, "cannot be read"),
        ({"x": ["a", "b", "c"]}, "must be numbers"),
        ({"space_edges": [100, -5]}, "space bands must be one or more distances"),
        ({"space_edges": [200, 100]}, "space bands must be in increasing order"),
        ({"time_edges": [0, 7]}, "time bands must be one or more durations"),
        ({"time_edges": [7, 7]}, "time bands must be in increasing order"),
        ({"metric": "haversine"}, "Unknown distance"),
        ({"permutations": -1}, "number of permutations"),
        ({"permutations": 9.5}, "number of permutations"),
        ({"max_near_pairs": 2}, "3 pairs of events are closer than 100 m"),
    ],
)
def test_bad_inputs_raise_an_input_error_with_a_hint(change: dict[str, object], words: str) -> None:
    args: dict[str, object] = {
        "x": [0.0, 10.0, 20.0],
        "y": [0.0, 0.0, 0.0],
        "t": [0, 1, 2],
        "space_edges": [100],
        "time_edges": [7],
        "permutations": 9,
    }
    args.update(change)
    with pytest.raises(InputError) as error:
        knox(args.pop("x"), args.pop("y"), args.pop("t"), **args)  # type: ignore[arg-type]
    assert words in error.value.message
    assert error.value.hint and "%(" not in error.value.hint


# --- Table and labels ---------------------------------------------------------------------


def test_table_is_long_with_band_labels_in_both_languages() -> None:
    result = nrc_knox("chicago_be_month1", permutations=19, seed=1)
    en, fr = result.table("en"), result.table("fr")
    assert len(en) == 20
    assert list(en.columns) == [
        "space_band",
        "time_band",
        "space_from",
        "space_to",
        "time_from",
        "time_to",
        "observed",
        "expected",
        "expected_median",
        "ratio",
        "p_value",
    ]
    assert list(en["space_band"].unique()) == [
        "same location",
        "0–100 m",
        "100–200 m",
        "200–300 m",
        "≥ 300 m",
    ]
    assert list(en["time_band"].unique()) == ["0–6 days", "7–13 days", "14–20 days", "≥ 21 days"]
    assert fr["space_band"].iloc[0] == "même lieu"
    assert list(fr["time_band"].unique()) == [
        "0–6 jours",
        "7–13 jours",
        "14–20 jours",
        "≥ 21 jours",
    ]
    assert_array_equal(en["observed"].to_numpy().reshape(5, 4), result.observed)
    assert_array_equal(en["p_value"], fr["p_value"])
    last = en.iloc[-1]
    assert (last["space_from"], last["space_to"], last["time_from"]) == (300, np.inf, 21)


def test_labels_for_single_days_fractional_days_and_thousands() -> None:
    arson = nrc_knox("chicago_arson", permutations=0, same_location=False)
    assert arson.time_labels("en") == ["0 days", "1 day", "2 days", "≥ 3 days"]
    assert arson.time_labels("fr") == ["0 jour", "1 jour", "2 jours", "≥ 3 jours"]
    assert arson.space_labels("en")[0] == "0–200 m"
    x, y, days = clustered(50, seed=1, whole_days=False)
    result = knox(x, y, days, space_edges=[500, 1500], time_edges=[0.5, 3], permutations=0)
    assert result.time_labels("en") == ["0–0.5 days", "0.5–3 days", "≥ 3 days"]
    assert result.time_labels("fr") == ["0–0,5 jours", "0,5–3 jours", "≥ 3 jours"]
    assert result.space_labels("en")[-1] == "≥ 1,500 m"
    assert result.space_labels("fr")[-1] == "≥ 1\u00a0500 m"
