"""Standard indicators: hand-computed values, weighted cases, subgroups, dk/refused, order."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from urbansafety.survey.design import survey_design
from urbansafety.survey.estimate import estimates_by, mean, proportion
from urbansafety.survey.indicators import (
    COLUMNS,
    INDICATORS,
    compute_indicators,
    definitions_table,
    indicator_values,
)

N = 20
DIS = ["dis_graffiti", "dis_garbage", "dis_drugs", "dis_drunk", "dis_noise", "dis_speeding"]
DIS.append("dis_groups")
COH = ["coh_help", "coh_close", "coh_trust", "coh_get_along", "coh_act"]


def _pad(values: Sequence[object]) -> list[object]:
    return [*values, *[np.nan] * (N - len(values))]


def answers() -> pd.DataFrame:
    """20 respondents; the expected values are worked out in `EXPECTED`."""
    frame = pd.DataFrame(
        {
            "neighbourhood": ["a"] * 12 + ["b"] * 8,
            "safe_dark": ["very_safe"] * 4
            + ["fairly_safe"] * 4
            + ["bit_unsafe"] * 3
            + ["very_unsafe"] * 2
            + ["never_alone"] * 4
            + ["dk"] * 2
            + ["refused"],
            "avoid_places": ["parks"] * 6 + ["parks transit"] * 2 + ["none"] * 8 + [np.nan, ""] * 2,
            "victim_types": ["break_in theft"] * 2
            + ["theft"] * 3
            + ["assault"]
            + ["none"] * 9
            + ["refused"] * 2
            + [np.nan] * 3,
            # break-in victims: yes, no; theft victims: yes, yes, no, dk, (no answer); row 9 is
            # not a theft victim and must not count.
            "reported_break_in": _pad(["yes", "no"]),
            "reported_theft": _pad(["yes", "yes", "no", "dk", np.nan, np.nan, np.nan, np.nan]),
            "police_confidence": _pad(
                ["great_deal"] * 3 + ["quite_lot"] * 2 + ["some"] * 5 + ["dk"] * 2
            ),
            "sat_lighting": _pad(
                ["very_satisfied"] * 2 + ["satisfied", "dk"] + ["dissatisfied"] * 3
            ),
        }
    )
    frame.loc[9, "reported_theft"] = "yes"
    # disorder: r0 all big (100), r1 four "not" and dk (0), r2 small small big not (50),
    # r3 three items only (left out)
    dis: dict[str, list[object]] = {name: [np.nan] * N for name in DIS}
    for name in DIS:
        dis[name][0] = "big_problem"
    for k, name in enumerate(DIS):
        dis[name][1] = "not_problem" if k < 4 else "dk"
    for k, code in enumerate(["small_problem", "small_problem", "big_problem", "not_problem"]):
        dis[DIS[k]][2] = code
    for name in DIS[:3]:
        dis[name][3] = "big_problem"
    # cohesion: r0 all strongly agree (100), r1 agree agree neutral (66.67), r2 two items only
    # (left out), r3 all strongly disagree (0)
    coh: dict[str, list[object]] = {name: [np.nan] * N for name in COH}
    for name in COH:
        coh[name][0], coh[name][3] = "strongly_agree", "strongly_disagree"
    for name, code in zip(COH, ["agree", "agree", "neutral"], strict=False):
        coh[name][1] = code
    for name in COH[:2]:
        coh[name][2] = "agree"
    return pd.concat([frame, pd.DataFrame(dis), pd.DataFrame(coh)], axis=1)


# code: (estimate, respondents used, kind)
EXPECTED = {
    "unsafe_dark": (5 / 17, 17, "p"),
    "unsafe_dark_walkers": (5 / 13, 13, "p"),
    "safe_dark": (8 / 17, 17, "p"),
    "never_alone_dark": (4 / 17, 17, "p"),
    "avoid_any": (8 / 16, 16, "p"),
    "victim_any": (6 / 15, 15, "p"),
    "victim_break_in": (2 / 15, 15, "p"),
    "victim_theft": (5 / 15, 15, "p"),
    "victim_assault": (1 / 15, 15, "p"),
    "victim_vandalism": (0.0, 15, "p"),
    "victim_harassment": (0.0, 15, "p"),
    "victim_sexual": (0.0, 15, "p"),
    "victim_fraud": (0.0, 15, "p"),
    "reported_break_in": (1 / 2, 2, "p"),
    "reported_theft": (2 / 3, 3, "p"),
    "incivility_index": (50.0, 3, "m"),
    "cohesion_index": ((100 + 200 / 3 + 0) / 3, 3, "m"),
    "police_confidence": (5 / 10, 10, "p"),
    "satisfied_lighting": (3 / 6, 6, "p"),
}
HAND_VALUES = {
    "incivility_index": [100.0, 0.0, 50.0],
    "cohesion_index": [100.0, 200 / 3, 0.0],
}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return answers()


def test_every_indicator_matches_hand_computation_on_a_simple_random_sample(data) -> None:
    result = compute_indicators(survey_design(data), floor=1).set_index("code")
    assert list(result.columns) == list(COLUMNS[1:])
    assert set(result.index) == set(EXPECTED)
    assert set(result.attrs["skipped"]) == {
        "satisfied_safety",
        "satisfied_cleanliness",
        "satisfied_parks",
        "satisfied_transit",
        "reported_vandalism",
        "reported_assault",
        "reported_harassment",
        "reported_sexual",
        "reported_fraud",
    }
    for code, (value, n, kind) in EXPECTED.items():
        row = result.loc[code]
        assert row["n"] == n, code
        assert_allclose(row["estimate"], value, atol=1e-12, err_msg=code)
        # equal weights, one PSU per respondent, domain of the whole sample of 20:
        # var = 20/19 * sum((y - mean)^2) / n^2
        spread = value * (1 - value) * n if kind == "p" else np.var(HAND_VALUES[code]) * n
        assert_allclose(row["se"], np.sqrt(N / (N - 1) * spread / n**2), rtol=1e-10, err_msg=code)
        assert row["flagged"] and not row["suppressed"]
        assert row["group"] is None


def test_definitions_are_complete_and_unique() -> None:
    table = definitions_table()
    assert table["code"].is_unique and len(table) == len(INDICATORS)
    for column in ("label_fr", "label_en", "definition_fr", "definition_en", "source"):
        assert table[column].str.len().gt(0).all(), column
    assert set(table["kind"]) == {"proportion", "mean"}


def test_dk_and_refused_are_left_out_of_every_denominator(data) -> None:
    design = survey_design(data)
    blanked = data.mask(data.isin(["dk", "refused"]))
    for d in INDICATORS:
        if not all(q in data.columns for q in d.questions):
            continue
        assert_allclose(indicator_values(data, d), indicator_values(blanked, d), err_msg=d.code)
    dark = indicator_values(data, INDICATORS[0])
    assert np.isnan(dark[17:]).all() and not np.isnan(dark[:17]).any()
    result = compute_indicators(design, floor=1)
    assert not result[["estimate", "se", "ci_low", "ci_high"]].isna().any().any()


def test_weighted_estimates_equal_direct_calls(data) -> None:
    rng = np.random.default_rng(7)
    frame = data.assign(
        w=rng.uniform(0.5, 3.0, N), stratum=np.repeat([0, 1], N // 2), psu=np.arange(N) // 2
    )
    unsafe = frame["safe_dark"].map(
        {"bit_unsafe": 1.0, "very_unsafe": 1.0, "very_safe": 0.0, "fairly_safe": 0.0}
    )
    frame["hand_unsafe"] = unsafe.where(frame["safe_dark"] != "never_alone", 0.0)
    frame["hand_index"] = np.nan
    frame.loc[[0, 1, 3], "hand_index"] = HAND_VALUES["cohesion_index"]
    design = survey_design(frame, weights="w", strata="stratum", clusters="psu")
    result = compute_indicators(design, floor=1).set_index("code")
    for code, column, direct in (
        ("unsafe_dark", "hand_unsafe", proportion),
        ("cohesion_index", "hand_index", mean),
    ):
        est = direct(design, column, floor=1)
        for field in ("estimate", "se", "ci_low", "ci_high", "deff"):
            assert_allclose(result.loc[code, field], getattr(est, field), rtol=1e-12)
        assert result.loc[code, "n"] == est.n and result.loc[code, "method"] == est.method


def test_by_neighbourhood_gives_one_row_per_indicator_and_neighbourhood(data) -> None:
    design = survey_design(data)
    result = compute_indicators(design, by="neighbourhood", floor=1)
    assert len(result) == 2 * len(EXPECTED)
    assert not result.duplicated(["code", "group"]).any()
    assert set(result["group"]) == {"a", "b"}
    # domain semantics: the subgroup's variance uses the whole sample (R's svyby)
    frame = data.assign(hand=indicator_values(data, INDICATORS[0]))
    direct = estimates_by(survey_design(frame), "hand", "neighbourhood", "proportion", floor=1)
    mine = result[result["code"] == "unsafe_dark"].set_index("group")
    for row in direct.to_dict("records"):
        assert_allclose(mine.loc[row["neighbourhood"], "se"], row["se"], rtol=1e-12)
        assert mine.loc[row["neighbourhood"], "n"] == row["n"]
    a = mine.loc["a"]  # a: 4 very safe, 4 fairly, 3 bit unsafe, 1 very unsafe
    assert_allclose(a["estimate"], 4 / 12)
    assert_allclose(a["se"], np.sqrt(N / (N - 1) * (4 / 12) * (8 / 12) / 12))


def test_too_few_respondents_are_suppressed(data) -> None:
    result = compute_indicators(survey_design(data)).set_index("code")  # floor 10, min_n 30
    hidden = result.loc["incivility_index"]
    assert hidden["suppressed"] and hidden["flagged"] and hidden["n"] == 3
    assert np.isnan(hidden[["estimate", "se", "ci_low", "ci_high", "deff"]].astype(float)).all()
    shown = result.loc["unsafe_dark"]
    assert not shown["suppressed"] and shown["flagged"]
    assert result.loc["police_confidence", "suppressed"] == False  # noqa: E712 (n = floor)


@settings(max_examples=15, deadline=None)
@given(st.permutations(range(N)))
def test_row_order_does_not_change_results(order) -> None:
    frame = answers()
    base = compute_indicators(survey_design(frame), by="neighbourhood", floor=1)
    shuffled = frame.iloc[list(order)].reset_index(drop=True)
    other = compute_indicators(survey_design(shuffled), by="neighbourhood", floor=1)
    pd.testing.assert_frame_equal(base, other, rtol=1e-10)
