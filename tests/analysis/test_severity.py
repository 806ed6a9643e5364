"""Crime Severity Index: a hand-computed oracle, an independent loop recomputation, the
violent/non-violent split, standardisation, and every error of the weights file."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from urbansafety.analysis.csi_weights import CsiWeights, example_weights, load_weights
from urbansafety.analysis.severity import (
    crime_severity_index,
    unweighted_code_counts,
    weighted_rates,
)
from urbansafety.errors import ConfigError, InputError
from urbansafety.taxonomy import ucr2_violations

ORACLE = json.loads(
    (Path(__file__).resolve().parents[1] / "oracles" / "csi_example.json").read_text("utf-8")
)
HEADER = "violation_code,weight,violent,label,source,weights_year\n"


def oracle_weights() -> CsiWeights:
    w = ORACLE["weights"]
    return CsiWeights(
        weights={c: float(v["weight"]) for c, v in w.items()},
        violent={c: v["violent"] for c, v in w.items()},
        source="test: 2009 Table 1 example values",
        year=2009,
        labels={c: v["label"] for c, v in w.items()},
    )


def counts() -> pd.DataFrame:
    return pd.DataFrame(ORACLE["counts"])


def population() -> pd.DataFrame:
    return pd.DataFrame(ORACLE["population"])


def expected(name: str) -> pd.DataFrame:
    return pd.DataFrame(ORACLE[name]).drop(columns="how")


RATE_COLUMNS = [
    "weighted_sum",
    "weighted_rate",
    "violent_weighted_sum",
    "violent_weighted_rate",
    "nonviolent_weighted_sum",
    "nonviolent_weighted_rate",
]
COUNT_COLUMNS = ["incidents", "incidents_weighted", "incidents_unweighted", "unweighted_codes"]


def test_weighted_rates_match_the_hand_calculation() -> None:
    got = weighted_rates(counts(), population(), oracle_weights())
    want = expected("weighted_rates")
    assert got[["territory", "year"]].values.tolist() == want[["territory", "year"]].values.tolist()
    assert_allclose(got["population"], want["population"])
    assert_allclose(
        got[RATE_COLUMNS].to_numpy(float), want[RATE_COLUMNS].to_numpy(float), rtol=1e-12
    )
    assert got[COUNT_COLUMNS].values.tolist() == want[COUNT_COLUMNS].values.tolist()


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("csi_with_base", ORACLE["bases"]),
        ("csi_with_base_from", {"base_from": tuple(ORACLE["base_from"])}),
    ],
)
def test_indexes_match_the_hand_calculation(name: str, kwargs: dict[str, object]) -> None:
    got = crime_severity_index(counts(), population(), oracle_weights(), **kwargs)  # type: ignore[arg-type]
    want = expected(name)
    cols = ["csi", "violent_csi", "nonviolent_csi"]
    assert got[["territory", "year"]].values.tolist() == want[["territory", "year"]].values.tolist()
    assert_allclose(got[cols].to_numpy(float), want[cols].to_numpy(float), rtol=1e-12)


def loop_rates(rows: list[dict], people: list[dict], w: CsiWeights) -> dict:
    """The independent computation: plain dictionaries and loops."""
    sums: dict = defaultdict(lambda: {"all": 0.0, "v": 0.0, "nv": 0.0, "n": 0, "unw": 0})
    for r in rows:
        key = (r["territory"], r["year"])
        s = sums[key]
        s["n"] += r["incidents"]
        if r["violation_code"] in w.weights:
            points = r["incidents"] * w.weights[r["violation_code"]]
            s["all"] += points
            s["v" if w.violent[r["violation_code"]] else "nv"] += points
        else:
            s["unw"] += r["incidents"]
    out = {}
    for p in people:
        key = (p["territory"], p["year"])
        s = sums[key]
        pop = p["population"]
        out[key] = {
            k: (s[k] * 100000 / pop if pop else float("nan")) for k in ("all", "v", "nv")
        } | {"n": s["n"], "unw": s["unw"]}
    return out


def test_an_independent_loop_gives_the_same_rates() -> None:
    rng = np.random.default_rng(3)
    w = example_weights()
    codes = [*w.weights, "3410", "9999"]
    rows = [
        {"territory": t, "year": y, "violation_code": c, "incidents": int(rng.integers(0, 50))}
        for t in ("X", "Y", "Z")
        for y in (2019, 2020, 2021)
        for c in codes
        if rng.random() < 0.7
    ]
    people = [
        {"territory": t, "year": y, "population": int(rng.integers(1_000, 90_000))}
        for t in ("X", "Y", "Z")
        for y in (2019, 2020, 2021)
    ]
    got = weighted_rates(pd.DataFrame(rows), pd.DataFrame(people), w).set_index(
        ["territory", "year"]
    )
    want = loop_rates(rows, people, w)
    for key, v in want.items():
        row = got.loc[key]
        assert_allclose(
            [row["weighted_rate"], row["violent_weighted_rate"], row["nonviolent_weighted_rate"]],
            [v["all"], v["v"], v["nv"]],
            rtol=1e-12,
        )
        assert (row["incidents"], row["incidents_unweighted"]) == (v["n"], v["unw"])


def test_violent_and_nonviolent_parts_add_up_to_the_total() -> None:
    got = weighted_rates(counts(), population(), oracle_weights())
    assert_allclose(
        got["violent_weighted_sum"] + got["nonviolent_weighted_sum"], got["weighted_sum"]
    )
    assert_allclose(
        got["violent_weighted_rate"] + got["nonviolent_weighted_rate"], got["weighted_rate"]
    )
    assert (got["incidents_weighted"] + got["incidents_unweighted"] == got["incidents"]).all()


def test_base_from_gives_exactly_100_at_the_reference_and_is_labelled_csi_like() -> None:
    got = crime_severity_index(counts(), population(), example_weights(), base_from=("B", 2021))
    ref = got[(got["territory"] == "B") & (got["year"] == 2021)].iloc[0]
    assert (ref["csi"], ref["violent_csi"], ref["nonviolent_csi"]) == (100.0, 100.0, 100.0)
    assert set(got["standardisation"]) == {"CSI-like (standardised to B 2021 = 100)"}
    assert not got["official_csi"].any()


def test_official_only_with_complete_weights_and_a_base() -> None:
    partial = crime_severity_index(counts(), population(), oracle_weights(), base=10_000)
    assert not partial["official_csi"].any() and not partial["weights_complete"].any()
    assert partial["standardisation"].iloc[0].startswith("CSI-like")
    assert partial["violent_csi"].isna().all()  # no base_violent given
    w = oracle_weights()
    full = CsiWeights(dict(w.weights), dict(w.violent), "official file", 2021, complete=True)
    official = crime_severity_index(counts(), population(), full, base=10_000)
    assert official["official_csi"].all()
    assert official["standardisation"].iloc[0] == (
        "Crime Severity Index (weighted rate of 10000 per 100,000 = 100)"
    )
    assert official.attrs["weights_year"] == 2021


def test_zero_or_missing_population_gives_nan_not_inf_and_no_incident_gives_zero() -> None:
    people = pd.DataFrame(
        {
            "territory": ["A", "A", "B", "B"],
            "year": [2021, 2022, 2021, 2022],
            "population": [0, None, 4000, 5000],
        }
    )
    got = weighted_rates(counts(), people, oracle_weights()).set_index(["territory", "year"])
    assert np.isnan(got.loc[("A", 2021), "weighted_rate"]) and np.isnan(
        got.loc[("A", 2022), "weighted_rate"]
    )
    assert not np.isinf(got[RATE_COLUMNS].to_numpy(float)).any()
    assert got.loc[("B", 2022), ["incidents", "weighted_sum", "weighted_rate"]].tolist() == [
        0,
        0.0,
        0.0,
    ]


def test_incidents_without_population_are_kept_with_nan_rate() -> None:
    people = population()[population()["territory"] == "A"]
    got = weighted_rates(counts(), people, oracle_weights()).set_index(["territory", "year"])
    assert got.loc[("B", 2021), "incidents"] == 5
    assert np.isnan(got.loc[("B", 2021), "population"]) and np.isnan(
        got.loc[("B", 2021), "weighted_rate"]
    )


def test_unweighted_codes_are_counted_and_listed() -> None:
    rows = pd.concat(
        [
            counts(),
            pd.DataFrame(
                [{"territory": "A", "year": 2021, "violation_code": "9999", "incidents": 2}]
            ),
        ]
    )
    got = weighted_rates(rows, population(), oracle_weights()).set_index(["territory", "year"])
    assert got.loc[("A", 2021), "incidents_unweighted"] == 6
    assert got.loc[("A", 2021), "unweighted_codes"] == 2
    listed = unweighted_code_counts(rows, oracle_weights())
    assert listed.values.tolist() == [["A", 2021, "3410", 4], ["A", 2021, "9999", 2]]


def test_numeric_codes_match_text_codes() -> None:
    rows = counts().assign(violation_code=lambda f: f["violation_code"].astype(int))
    got = weighted_rates(rows, population(), oracle_weights())
    assert_allclose(got["weighted_sum"], expected("weighted_rates")["weighted_sum"])


def test_example_weights_are_an_incomplete_subset_of_known_codes() -> None:
    w = example_weights()
    assert not w.complete and w.year == 2009 and "EXAMPLE SUBSET" in w.source
    known = ucr2_violations()
    assert set(w.weights) <= set(known)
    assert all(w.violent[c] == known[c].violent for c in w.weights)
    assert w.weights["1610"] == 583 and w.labels["1610"] == "Robbery"


def test_a_semicolon_file_with_decimal_commas_and_bom_loads(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    text = "\ufeffViolation_Code;Weight;Violent;Source;Weights_Year;Complete\n1610;583,5;TRUE;x;2021;true\n\n"
    path.write_text(text, encoding="utf-8")
    w = load_weights(path)
    assert dict(w.weights) == {"1610": 583.5} and w.violent["1610"] and w.complete


BAD_FILES = [
    ("violation_code,weight,violent\n1610,583,true\n", 1, None, "Missing columns"),
    (HEADER + "161,583,true,Robbery,s,2009\n", 2, "violation_code", "not 4 digits"),
    (HEADER + "1610,abc,true,Robbery,s,2009\n", 2, "weight", "not a number"),
    (HEADER + "1610,-1,true,Robbery,s,2009\n", 2, "weight", "not a number"),
    (HEADER + "1610,,true,Robbery,s,2009\n", 2, "weight", "not a number"),
    (HEADER + '1610,"7,042",true,Robbery,s,2009\n', 2, "weight", "not a number"),
    (
        HEADER + "1610,583,true,Robbery,s,2009\n1430,23,true,A,s,2009\n1610,1,true,R,s,2009\n",
        4,
        "violation_code",
        "appears twice",
    ),
    (HEADER + "1610,583,yes,Robbery,s,2009\n", 2, "violent", "true or false"),
    (
        HEADER + "1610,583,true,Robbery,s,2009\n1430,23,true,A,other,2009\n",
        3,
        "source",
        "same on every row",
    ),
    (
        HEADER + "1610,583,true,Robbery,s,2009\n1430,23,true,A,s,2021\n",
        3,
        "weights_year",
        "same on every row",
    ),
    (HEADER + "1610,583,true,Robbery,s,09\n", 2, "weights_year", "not a year"),
    (HEADER + "1610,583,true,Robbery,,2009\n", 2, "source", "is empty"),
    (
        HEADER.strip() + ",complete\n1610,583,true,Robbery,s,2009,maybe\n",
        2,
        "complete",
        "true or false",
    ),
    (HEADER, None, None, "no rows"),
]


@pytest.mark.parametrize(("text", "row", "column", "words"), BAD_FILES)
def test_each_bad_weights_file_names_row_and_column(
    tmp_path: Path, text: str, row: int | None, column: str | None, words: str
) -> None:
    path = tmp_path / "weights.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_weights(path)
    assert words in info.value.message
    assert info.value.where is not None and info.value.where.file == str(path)
    assert (info.value.where.row, info.value.where.column) == (row, column)


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="File not found"):
        load_weights(tmp_path / "nope.csv")


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"base": 1.0, "base_from": ("A", 2021)},
        {"base": 0},
        {"base": -5},
        {"base": float("nan")},
        {"base_from": ("A", 2021), "base_violent": 3.0},
    ],
)
def test_bad_standardisation_is_a_config_error(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        crime_severity_index(counts(), population(), oracle_weights(), **kwargs)  # type: ignore[arg-type]


def test_a_reference_without_a_rate_is_an_input_error() -> None:
    for ref in [("B", 2022), ("Nowhere", 2021)]:
        with pytest.raises(InputError, match="no weighted rate"):
            crime_severity_index(counts(), population(), oracle_weights(), base_from=ref)


def test_bad_tables_are_input_errors() -> None:
    with pytest.raises(InputError, match="Missing columns"):
        weighted_rates(counts().drop(columns="incidents"), population(), oracle_weights())
    with pytest.raises(InputError, match="not a number"):
        weighted_rates(counts().assign(incidents=-1), population(), oracle_weights())
    with pytest.raises(InputError, match="repeated territory-year"):
        weighted_rates(counts(), pd.concat([population(), population()]), oracle_weights())
