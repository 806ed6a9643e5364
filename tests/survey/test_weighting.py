"""Raking and post-stratification against R's survey package, samplics and invariants."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from urbansafety.errors import DataQualityError, InputError
from urbansafety.survey.design import survey_design
from urbansafety.survey.estimate import mean, total
from urbansafety.survey.variance import calibration_residuals
from urbansafety.survey.weight_diagnostics import weight_diagnostics
from urbansafety.survey.weighting import post_stratify, rake

ORACLES = json.loads((Path(__file__).parents[1] / "oracles" / "r_survey.json").read_text())
NOTE = ORACLES["research_note"]
MARGINS = {k: ORACLES["margins"][k] for k in ("stype", "sch.wide")}
R_RAKE = {"criterion": "table_change", "tol": 1.0, "max_iter": 10}  # survey::rake defaults


def near(value: float, reference: float, rtol: float = 0.0) -> None:
    """Assert value equals reference to the digits reference was printed with."""
    text = repr(float(reference))
    decimals = 0 if float(reference).is_integer() else len(text.split(".")[1])
    assert_allclose(value, reference, rtol=rtol, atol=0.5 * 10.0**-decimals)


@pytest.fixture(scope="module")
def api(shared: Path) -> dict[str, pd.DataFrame]:
    folder = shared / "r-survey-api"
    return {name: pd.read_csv(folder / f"{name}.csv") for name in ("apiclus1", "apipop")}


@pytest.fixture(scope="module")
def dclus1(api):
    return survey_design(api["apiclus1"], weights="pw", clusters="dnum", fpc="fpc")


def toy() -> pd.DataFrame:
    return pd.DataFrame(NOTE["toy"]["data"])


def test_rakecheck_r_default_rule(dclus1) -> None:
    """rake(dclus1, list(~stype, ~sch.wide), ...) with R's stopping rule (rakecheck.Rout.save)."""
    raked = rake(dclus1, MARGINS, **R_RAKE)
    s4 = NOTE["S4_r_default_rake"]
    m, t = mean(raked.design, "api00"), total(raked.design, "enroll")
    assert_allclose([m.estimate, m.se], [s4["mean"], s4["se"]], rtol=1e-9)
    assert_allclose([t.estimate, t.se], [s4["total_enroll"], s4["total_se"]], rtol=1e-9)
    for ours, printed in zip(
        (m.estimate, m.se, t.estimate, t.se), (641.23, 23.704, 3647300, 400603), strict=True
    ):
        near(ours, printed)
    table = raked.report.margins.set_index("category")
    assert_allclose(
        table.loc[["E", "H", "M"], "after"], list(s4["stype_totals"].values()), atol=5e-6
    )
    assert raked.report.converged and raked.report.iterations == 4


def test_rakecheck_converged(dclus1) -> None:
    """calibrate(dclus1, ~stype+sch.wide, calfun='raking'): 641.23 (23.704), 3647280 (400603)."""
    raked = rake(dclus1, MARGINS)
    s5 = NOTE["S5_converged_rake"]
    m, t = mean(raked.design, "api00"), total(raked.design, "enroll")
    assert_allclose(
        [m.estimate, m.se, t.estimate, t.se],
        [s5[k] for k in ("mean", "se", "total_enroll", "total_se")],
        rtol=1e-9,
    )
    values, counts = np.unique(np.round(raked.weights, 6), return_counts=True)
    assert_allclose(values, s5["weights"], atol=1e-6)
    assert counts.tolist() == s5["counts"]
    assert_allclose(
        [raked.after.n_eff, raked.after.deff], list(NOTE["S6_kish_on_S5"].values()), rtol=1e-9
    )
    assert raked.report.max_relative_error <= 1e-10


def test_rakecheck_joint_margin(dclus1, api) -> None:
    """Raking with a joint margin stype x sch.wide and comp.imp: 642.62 (22.732) / 642.61 (22.731)."""
    joint = api["apipop"].groupby(["stype", "sch.wide"]).size()
    margins = {("stype", "sch.wide"): joint, "comp.imp": ORACLES["margins"]["comp.imp"]}
    for options, (est, se) in (({**R_RAKE}, (642.62, 22.732)), ({}, (642.61, 22.731))):
        m = mean(rake(dclus1, margins, **options).design, "api00")
        near(m.estimate, est)
        near(m.se, se)


def test_post_stratify(dclus1, api) -> None:
    """postStratify(dclus1, ~stype, pop.types): api.Rout.save and the research note (S8)."""
    design = post_stratify(dclus1, "stype", api["apipop"]["stype"].value_counts()).design
    s8 = NOTE["S8_poststratify"]
    m, t = mean(design, "api00"), total(design, "enroll")
    assert_allclose(
        [m.estimate, m.se, t.estimate, t.se],
        [s8[k] for k in ("mean", "se", "total_enroll", "total_se")],
        rtol=1e-9,
    )


def test_toy_oracle() -> None:
    """The research note's 12-respondent oracle: weights, Kish n_eff and deff."""
    raked = rake(toy(), NOTE["toy"]["margins"])
    assert_allclose(raked.weights, NOTE["toy"]["weights"], atol=1e-6)
    assert_allclose(
        [raked.after.n_eff, raked.after.deff],
        [NOTE["toy"]["n_eff"], NOTE["toy"]["deff"]],
        rtol=1e-8,
    )
    assert raked.before.deff == 1.0 and raked.weights.sum() == pytest.approx(1000)


def test_samplics_weights_agree(api) -> None:
    """samplics' SampleWeight.rake gives the same (converged) weights."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        samplics = pytest.importorskip("samplics.weighting")
        frame = api["apiclus1"]
        theirs = samplics.SampleWeight().rake(
            samp_weight=frame["pw"].to_numpy(),
            control=MARGINS,
            margins={k: frame[k].to_numpy() for k in MARGINS},
            tol=1e-12,
            max_iter=1000,
        )
    assert_allclose(rake(frame, MARGINS, weights="pw").weights, theirs, rtol=1e-9)


def test_diagnostics_grouped_equals_direct() -> None:
    rng = np.random.default_rng(3)
    w = rng.choice([1.5, 2.0, 7.25], size=101)
    d = weight_diagnostics(w)
    assert_allclose([d.p05, d.median, d.p95], np.quantile(w, [0.05, 0.5, 0.95]))
    assert_allclose(
        [d.deff, d.n_eff, d.cv],
        [1 + (w.std() / w.mean()) ** 2, w.sum() ** 2 / (w**2).sum(), w.std() / w.mean()],
    )
    frame = pd.DataFrame({"g": rng.choice(list("abc"), 500), "h": rng.choice(list("xy"), 500)})
    raked = rake(frame, {"g": {"a": 10, "b": 20, "c": 30}, "h": {"x": 25, "y": 35}})
    assert raked.after == weight_diagnostics(raked.weights)


def _sample(draw: st.DrawFn) -> tuple[pd.DataFrame, dict]:
    n = draw(st.integers(20, 150))
    sizes = draw(st.lists(st.integers(2, 5), min_size=1, max_size=3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"w": rng.lognormal(0, 0.5, n)})
    for j, size in enumerate(sizes):
        codes = rng.integers(0, size, n)
        codes[:size] = np.arange(size)  # every category has a respondent
        frame[f"m{j}"] = [f"c{c}" for c in codes]
    # Targets are the margins of some positive reweighting of the sample: always reachable.
    truth = frame["w"] * rng.uniform(0.3, 3.0, n) * 1000
    margins = {f"m{j}": truth.groupby(frame[f"m{j}"]).sum().to_dict() for j in range(len(sizes))}
    return frame, margins


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_raked_weights_reproduce_every_margin(data: st.DataObject) -> None:
    frame, margins = data.draw(st.composite(lambda draw: _sample(draw))())
    raked = rake(frame, margins, weights="w", max_iter=2000)
    for column, targets in margins.items():
        reached = raked.weights.groupby(frame[column]).sum()
        for category, target in targets.items():
            assert abs(reached[category] - target) <= 1e-8 * target
    shuffled = frame.sample(frac=1.0, random_state=1)
    again = rake(shuffled, margins, weights="w", max_iter=2000)
    assert_allclose(again.weights.reindex(frame.index), raked.weights, rtol=1e-9)


def test_missing_answers_keep_their_share() -> None:
    frame = toy()
    frame.loc[[2, 9], "age"] = None
    raked = rake(frame, NOTE["toy"]["margins"])
    absent = frame["age"].isna()
    assert_allclose(raked.weights[absent].sum(), 1000 * 2 / 12)
    answered = raked.weights[~absent].groupby(frame["age"][~absent]).sum()
    assert_allclose(answered / answered.sum(), [0.3, 0.45, 0.25])
    assert raked.report.missing == {"quartier": 0, "sexe": 0, "age": 2}
    assert raked.report.margins["no_answer"].sum() == 1
    with pytest.raises(InputError, match="2 respondents did not answer"):
        rake(frame, NOTE["toy"]["margins"], missing="error")


@pytest.mark.parametrize("with_missing", [False, True])
def test_calibration_residuals_are_the_linearisation(with_missing: bool) -> None:
    """Residual influence values equal d_i * dθ/dd_i, found by re-raking with a perturbed d_i.

    Targets proportional to the base-weighted sample make raking a uniform rescaling, so the
    derivative is exactly the calibration residual (including a non-answer cell's share)."""
    rng = np.random.default_rng(11)
    n = 40
    frame = pd.DataFrame(
        {
            "age": rng.choice(["a", "b", "c"], n),
            "sex": rng.choice(["F", "M"], n),
            "y": rng.normal(10, 3, n),
            "d": rng.uniform(1, 4, n),
        }
    )
    if with_missing:
        frame.loc[[0, 5, 7, 20, 33], "age"] = None
    answered = frame["age"].notna()
    share = frame["d"][answered].groupby(frame["age"][answered]).sum() / frame["d"][answered].sum()
    margins = {
        "sex": (frame["d"].groupby(frame["sex"]).sum() * 5).to_dict(),
        "age": (share * frame["d"].sum() * 5).to_dict(),
    }

    def theta(d: np.ndarray) -> float:
        w = rake(frame.assign(d=d), margins, weights="d", tol=1e-14, max_iter=500).weights
        return float(np.sum(w * frame["y"]) / np.sum(w))

    raked = rake(frame, margins, weights="d", tol=1e-14, max_iter=500)
    w, y = raked.weights.to_numpy(), frame["y"].to_numpy()
    z0 = (w * (y - np.sum(w * y) / w.sum()) / w.sum())[:, None]
    ours = calibration_residuals(raked.design.calibration, z0)[:, 0]
    d, eps = frame["d"].to_numpy(), 1e-6
    numeric = []
    for i in range(n):
        up, down = d.copy(), d.copy()
        up[i] *= 1 + eps
        down[i] *= 1 - eps
        numeric.append((theta(up) - theta(down)) / (2 * eps))
    assert_allclose(ours, numeric, atol=1e-8 * np.abs(numeric).max())


def test_empty_cell_names_the_cell_and_the_collapse() -> None:
    frame = toy()
    margins = dict(NOTE["toy"]["margins"])
    margins["age"] = {"18-34": 300, "35-64": 350, "65+": 250, "80+": 100}
    with pytest.raises(InputError) as err:
        rake(frame, margins)
    assert "80+" in err.value.message and "65+" in err.value.hint
    joint = frame.groupby(["quartier", "sexe"]).size().to_dict() | {("C", "F"): 0.0}
    joint = {k: v * 1.0 for k, v in joint.items()}
    joint[("B", "X")] = 5.0
    with pytest.raises(InputError) as err:
        rake(frame, {("quartier", "sexe"): joint})
    assert "B × X" in err.value.message and "B × M" in err.value.hint


@pytest.mark.parametrize(
    ("margins", "pattern"),
    [
        ({"sexe": {"F": 520}}, "answers are M"),
        ({"sexe": {"F": 520, "M": 0}}, "whose population is 0"),
        (
            {"sexe": {"F": 520, "M": 480}, "quartier": {"A": 600, "B": 300}},
            "disagree on the population: 1000.0, 900.0",
        ),
        ({"nope": {"F": 1}}, "no column nope"),
        ({"sexe": {"F": -1, "M": 2}}, "not a population count"),
        ({"sexe": {"F": float("inf"), "M": 2}}, "not a population count"),
        ({"sexe": {}}, "no categories"),
    ],
)
def test_refused_margins(margins: dict, pattern: str) -> None:
    with pytest.raises(InputError, match=pattern):
        rake(toy(), margins)


def test_rescale_rounded_census_tables() -> None:
    raked = rake(
        toy(), {"sexe": {"F": 520, "M": 480}, "quartier": {"A": 605, "B": 400}}, rescale=True
    )
    assert_allclose(
        raked.weights.groupby(toy()["quartier"]).sum(), [605 * 1000 / 1005, 400 * 1000 / 1005]
    )


def test_trimming_holds_bounds_and_margins() -> None:
    # The rare (b, y) respondents get 13 times the mean weight; capping at 12 times moves
    # weight to (b, x) and (a, y) while keeping both margins.
    frame = pd.DataFrame(
        {"g": ["a"] * 190 + ["b"] * 10, "h": ["x"] * 150 + ["y"] * 40 + ["x"] * 5 + ["y"] * 5}
    )
    margins = {"g": {"a": 500, "b": 500}, "h": {"x": 500, "y": 500}}
    untrimmed = rake(frame, margins)
    assert untrimmed.after.max / untrimmed.after.mean > 13
    trimmed = rake(frame, margins, trim=(0.2, 12.0))
    report, w = trimmed.report, trimmed.weights
    assert report.trim_converged and report.trim_rounds == 1 and report.trimmed == 5
    assert_allclose(w.groupby([frame["g"], frame["h"]]).first(), [2, 5, 40, 60], rtol=1e-9)
    for column, targets in margins.items():
        assert_allclose(w.groupby(frame[column]).sum(), list(targets.values()), rtol=1e-10)
    assert w.max() <= 12 * w.mean() * (1 + 1e-9)
    # Caps that the margins cannot live with are an error naming the cell.
    with pytest.raises(DataQualityError, match="margin g") as err:
        rake(frame, margins, trim=(0.2, 5.0))
    assert "Widen the trimming bounds" in err.value.hint
    with pytest.raises(InputError, match="Trimming bounds"):
        rake(frame, margins, trim=(2.0, 3.0))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(30, 300),
    low=st.floats(0.1, 0.7),
    high=st.floats(1.5, 4.0),
)
def test_trimmed_raking_holds_its_bounds_or_says_how_far_off(
    seed: int, n: int, low: float, high: float
) -> None:
    # Skewed small samples: either the weights keep to the bounds and reproduce every margin,
    # or the error says which margin is off and by how much (never a bare "0.00%").
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "g": rng.choice(["F", "M"], n, p=rng.dirichlet([2, 2])),
            "a": rng.choice(["y", "m", "o"], n, p=rng.dirichlet([2, 2, 2])),
            "h": rng.choice(list("abcd"), n),
        }
    )
    margins = {
        "g": {"F": 500, "M": 500},
        "a": {"y": 300, "m": 350, "o": 350},
        "h": dict.fromkeys("abcd", 250),
    }
    try:
        raked = rake(frame, margins, trim=(low, high))
    except InputError:  # a category nobody in the sample answered
        return
    except DataQualityError as err:
        assert not re.search(r"(?<![\d.])0\.00%", str(err)), str(err)
        assert "Widen the trimming bounds" in err.hint or "max_iter" in err.hint
        return
    w = raked.weights
    assert w.min() >= low * w.mean() * (1 - 1e-6) and w.max() <= high * w.mean() * (1 + 1e-6)
    for column, targets in margins.items():
        sums = w.groupby(frame[column]).sum()
        assert_allclose(sums[list(targets)], list(targets.values()), rtol=1e-8)


def test_calibration_residuals_of_trimmed_weights_start_direct_and_agree_with_sweeps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Trimmed weights: the factors of successive margins differ, and plain sweeps crawl.
    rng = np.random.default_rng(7)
    n = 600
    frame = pd.DataFrame(
        {
            "g": rng.choice(["a", "b"], n, p=[0.8, 0.2]),
            "h": rng.choice(["x", "y", "z"], n, p=[0.6, 0.3, 0.1]),
            "k": rng.choice(list("pqrst"), n, p=[0.4, 0.3, 0.15, 0.1, 0.05]),
        }
    )
    margins = {
        "g": {"a": 600, "b": 400},
        "h": {"x": 400, "y": 350, "z": 250},
        "k": {"p": 300, "q": 250, "r": 200, "s": 150, "t": 100},
    }
    trimmed = rake(frame, margins, trim=(0.3, 4.0))
    assert trimmed.report.trimmed > 100
    cal = trimmed.design.calibration
    assert cal is not None
    z = rng.normal(size=(n, 2)) * trimmed.weights.to_numpy()[:, None]
    direct = calibration_residuals(cal, z)
    from urbansafety.survey import variance

    monkeypatch.setattr(variance, "direct_coefficients", lambda *args: None)
    monkeypatch.setattr(variance, "_STALL_TOL", 0.0)
    monkeypatch.setattr(variance, "_MAX_SWEEPS", 3000)
    swept = calibration_residuals(cal, z)
    assert_allclose(direct, swept, rtol=0, atol=1e-9 * np.abs(z).max())
    # The fixed point: residuals / factors sum to 0 in every category of every margin.
    cells = np.bincount(cal.cells, minlength=len(cal.cell_codes[0]))
    assert cells.sum() == n
    for codes, factors in zip(cal.cell_codes, cal.cell_factors, strict=True):
        per_cell = np.column_stack(
            [np.bincount(cal.cells, direct[:, j], minlength=len(codes)) for j in range(2)]
        )
        per_category = np.column_stack(
            [np.bincount(codes, per_cell[:, j] / factors) for j in range(2)]
        )
        assert np.abs(per_category).max() < 1e-8 * np.abs(z).sum()


def test_nonconvergence_is_reported() -> None:
    # Respondents are only (a, x) or (b, y): margins a=60 and x=40 cannot both hold.
    frame = pd.DataFrame({"g": ["a", "a", "b", "b"], "h": ["x", "x", "y", "y"]})
    margins = {"g": {"a": 60, "b": 40}, "h": {"x": 40, "y": 60}}
    with pytest.raises(DataQualityError, match="did not converge"):
        rake(frame, margins, max_iter=50)
    report = rake(frame, margins, max_iter=50, allow_nonconvergence=True).report
    assert not report.converged and report.max_margin_error > 1


def test_already_weighted_design_is_refused(dclus1) -> None:
    raked = rake(dclus1, MARGINS)
    with pytest.raises(InputError, match="already raked"):
        rake(raked.design, MARGINS)


def test_categorical_and_object_columns_give_the_same_weights() -> None:
    frame = toy()
    margins = NOTE["toy"]["margins"]
    base = rake(frame, margins).weights
    for converted in (frame.astype("category"), frame.astype(object)):
        assert_allclose(rake(converted, margins).weights, base, rtol=1e-12)
