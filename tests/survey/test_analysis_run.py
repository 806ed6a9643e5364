"""The survey analysis pipeline: weights reproduce the margins, are stored and reused, and the
published estimates equal independent computations."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from tests.survey.campaign import add_campaign, copy_city, shared_city
from urbansafety import store
from urbansafety.errors import DataQualityError
from urbansafety.survey.analysis_run import (
    _indicator_columns,
    analyse_survey,
    analyse_weighted,
    indicator_estimates,
)
from urbansafety.survey.design import survey_design
from urbansafety.survey.estimate import proportion
from urbansafety.survey.indicators import compute_indicators
from urbansafety.survey.population_margins import WEIGHT_COLUMNS
from urbansafety.survey.settings import SurveySettings
from urbansafety.survey.weight_run import (
    stored_weights,
    weight_responses,
    weight_survey,
    weights_or_stored,
)

AGE_CODES = ["age_15_24", "age_25_34", "age_45_54", "age_65_74", "refused"]
GENDERS = ["woman", "man", "another"]
AREAS = ["A", "B", "C", "other"]


def _population() -> pd.DataFrame:
    rows = [
        (code, 2024, age, g, 50 + 37 * i + 11 * j + 5 * k)
        for i, code in enumerate(AREAS[:3])
        for j, age in enumerate(["0-14", "15-24", "25-44", "45-64", "65+"])
        for k, g in enumerate("FM")
    ]
    return pd.DataFrame(rows, columns=["code", "year", "age_group", "gender", "population"])


@st.composite
def samples(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(60, 150))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "response_id": [f"r{i}" for i in range(n)],
            "consent": "yes",
            "age_group": rng.choice(AGE_CODES, n, p=[0.25, 0.3, 0.2, 0.2, 0.05]),
            "gender": rng.choice(GENDERS, n, p=[0.55, 0.4, 0.05]),
            "neighbourhood": rng.choice(AREAS, n, p=[0.35, 0.3, 0.3, 0.05]),
        }
    )
    # Every population category needs a respondent (else the empty-cell error, tested apart).
    seen = set(frame["age_group"]) >= set(AGE_CODES[:4]) and {"woman", "man"} <= set(
        frame["gender"]
    )
    draw(st.just(None).filter(lambda _: seen and set(AREAS[:3]) <= set(frame["neighbourhood"])))
    return frame


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(samples(), st.sampled_from([("age_group", "gender", "neighbourhood"),
                                   ("age_group*gender", "neighbourhood")]))  # fmt: skip
def test_weights_reproduce_every_margin(frame: pd.DataFrame, margins: tuple[str, ...]) -> None:
    try:
        run = weight_responses(frame, _population(), SurveySettings(margins=margins))
    except DataQualityError:  # a sample whose cells cannot meet the margins: a documented error
        reject()
    w = run.weighting.weights.to_numpy()
    data = run.data
    total = run.margins.total
    for key, targets in run.margins.margins.items():
        columns = [key] if isinstance(key, str) else list(key)
        answered = data[columns].notna().all(axis=1).to_numpy()
        share_missing = (~answered).mean()  # equal base weights: the sample share
        for category, target in targets.items():
            values = category if isinstance(category, tuple) else (category,)
            rows = answered & np.all(
                [data[c].to_numpy() == v for c, v in zip(columns, values, strict=True)], axis=0
            )
            assert_allclose(w[rows].sum(), target * (1 - share_missing), rtol=1e-8)
        assert_allclose(w[~answered].sum(), total * share_missing, rtol=1e-8, atol=1e-8)
    assert_allclose(w.sum(), total, rtol=1e-10)


@pytest.fixture
def ws(tmp_path_factory, tmp_path):  # type: ignore[no-untyped-def]
    return copy_city(shared_city(tmp_path_factory), tmp_path / "ws")


def test_stored_weights_reproduce_the_margins_and_are_reused(ws) -> None:  # type: ignore[no-untyped-def]
    run, new = weights_or_stored(ws, "safety")
    assert new
    settings_, weights, run_id = stored_weights(ws, "safety")
    assert run_id == run.run_id and settings_ == run.settings
    ids = run.data["response_id"].astype(str)
    w = weights.reindex(ids.to_numpy()).to_numpy()
    margins = run.weighting.report.margins
    for key, targets in run.margins.margins.items():
        column = key if isinstance(key, str) else key[0]
        for category, target in targets.items():
            rows = (run.data[column] == category).to_numpy()
            after = margins[(margins["margin"] == column) & (margins["category"] == category)]
            assert_allclose(w[rows].sum(), after["after"].iloc[0], rtol=1e-8)
            assert_allclose(w[rows].sum(), after["target"].iloc[0], rtol=1e-8)
            assert target >= after["target"].iloc[0]  # non-answers hold the rest
    again, new = weights_or_stored(ws, "safety")
    assert not new and again.run_id == run.run_id
    assert add_campaign(ws, "safety", 20, seed=99) == 0  # ids r00000…r00019 are stored
    with store.connect(ws.store_path) as con:
        (rows,) = con.execute(
            "SELECT count(*) FROM survey_weights WHERE survey = 'safety'"
        ).fetchone()
    assert rows == len(ids)
    # A changed set of responses is weighted anew, the old weights replaced.
    with store.connect(ws.store_path) as con:
        con.execute(
            "DELETE FROM survey_responses WHERE survey = 'safety' AND response_id = 'r00001'"
        )
    changed, new = weights_or_stored(ws, "safety")
    assert new and changed.run_id != run.run_id and changed.weighting.weights.size == len(ids) - 1


def test_indicator_estimates_equal_compute_indicators(ws) -> None:  # type: ignore[no-untyped-def]
    run = weight_survey(ws, "safety")
    design = dataclasses.replace(run.weighting.design, data=_indicator_columns(run.data))
    for by in (None, "gender"):
        ours = indicator_estimates(design, by=by, min_n=30, floor=10)
        reference = compute_indicators(design, by=by)
        pd.testing.assert_frame_equal(ours, reference, check_dtype=False)


def test_a_published_estimate_equals_an_independent_computation(ws) -> None:  # type: ignore[no-untyped-def]
    a = analyse_survey(ws, "safety")
    row = a.by["neighbourhood"].set_index(["code", "group"]).loc[("unsafe_dark", "Q05")]
    data = a.run.data
    w = a.run.weighting.weights.to_numpy()
    answer = data["safe_dark"]
    valid = answer.isin(["very_safe", "fairly_safe", "bit_unsafe", "very_unsafe", "never_alone"])
    inside = (data["neighbourhood"] == "Q05") & valid
    unsafe = answer.isin(["bit_unsafe", "very_unsafe"])
    by_hand = w[inside & unsafe].sum() / w[inside].sum()
    assert_allclose(row["estimate"], by_hand, rtol=1e-12)
    assert row["n"] == inside.sum()
    # The standard error is the R-verified linearisation with the raking's calibration …
    design = dataclasses.replace(
        a.run.weighting.design, data=data.assign(y=unsafe.astype(float).where(valid))
    )
    reference = proportion(design, "y", domain=(data["neighbourhood"] == "Q05").to_numpy())
    assert_allclose([row["se"], row["ci_low"], row["ci_high"]],
                    [reference.se, reference.ci_low, reference.ci_high], rtol=1e-10)  # fmt: skip
    # … and without calibration it is samplics' Taylor standard error for the same weights.
    plain = survey_design(data.assign(w=w), weights="w")
    plain = dataclasses.replace(plain, data=_indicator_columns(plain.data))
    ours = indicator_estimates(plain, by="neighbourhood", min_n=30, floor=10)
    ours = ours.set_index(["code", "group"]).loc[("unsafe_dark", "Q05")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from samplics.estimation import TaylorEstimator
        from samplics.utils.types import PopParam

        # The domain mean as a ratio of totals over every respondent (zeros outside, as svyby).
        x = inside.to_numpy(dtype=float)
        est = TaylorEstimator(PopParam.ratio)
        est.estimate(y=x * unsafe.to_numpy(dtype=float), x=x, samp_weight=w)
    assert_allclose([ours["estimate"], ours["se"]], [est.point_est, est.stderror], rtol=1e-10)
    # The calibration changes the standard error (the published one accounts for it).
    assert abs(row["se"] / ours["se"] - 1) > 1e-6


def test_subgroups_crosstabs_comparison_and_thresholds(ws) -> None:  # type: ignore[no-untyped-def]
    a = analyse_survey(ws, "safety", compare="wave1", min_n=60, floor=20)
    assert set(a.by) == {"gender", "age_group", "neighbourhood"}
    gender = a.by["gender"]
    small = gender[gender["n"] < 20]
    assert len(small) and small["suppressed"].all() and small["estimate"].isna().all()
    mid = gender[(gender["n"] >= 20) & (gender["n"] < 60)]
    assert mid["flagged"].all() and not mid["suppressed"].any()
    assert set(a.crosstabs) == {"gender", "age_group", "neighbourhood"}
    test = a.crosstabs["gender"].test
    assert 0 <= test.p_value <= 1 and test.ndf > 0
    assert "other" not in set(a.crosstabs["neighbourhood"].table["column"])
    c = a.comparison.set_index("code")
    assert_allclose(c.loc["unsafe_dark", "difference"],
                    c.loc["unsafe_dark", "second"] - c.loc["unsafe_dark", "first"])  # fmt: skip
    assert a.compare_with == "wave1" and (c["n_first"] > 0).all()
    head = a.overall.set_index("code").loc["unsafe_dark"]
    assert head["ci_low"] < head["estimate"] < head["ci_high"]
    assert head["unweighted"] != head["estimate"]  # women, 65+ over-represented: weighting matters


def test_bad_thresholds_and_subgroups_are_refused(ws) -> None:  # type: ignore[no-untyped-def]
    from urbansafety.errors import InputError

    run = weight_survey(ws, "safety")
    with pytest.raises(InputError, match="between 1 and --min-n"):
        analyse_weighted(run, min_n=10, floor=20)
    with pytest.raises(InputError, match="no question shoe_size"):
        analyse_weighted(run, by=["shoe_size"])
    assert WEIGHT_COLUMNS["gender"] in run.data.columns
