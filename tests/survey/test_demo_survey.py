"""The demo's synthetic survey campaign: valid, uneven, and shaped by the demo city's crime."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from urbansafety.ingest.demo_city import DemoCity, build_demo_city, population_table
from urbansafety.ingest.demo_survey import (
    FILE_NAME,
    N_BAD_ROWS,
    demo_responses,
    import_demo_survey,
    neighbourhood_profiles,
)
from urbansafety.survey import clean_answers
from urbansafety.survey.forms import template_path
from urbansafety.survey.model import Questionnaire
from urbansafety.survey.responses import load_responses
from urbansafety.survey.responses_read import ReadResult, read_responses_csv
from urbansafety.survey.xlsform import read_xlsform
from urbansafety.workspace import Workspace

TERRITORIES = {"neighbourhood": [(f"Q{i:02d}", f"Quartier {i}") for i in range(1, 11)]}
YEARS = (2018, 2024)


@pytest.fixture(scope="module")
def city() -> DemoCity:
    return build_demo_city()


@pytest.fixture(scope="module")
def form() -> Questionnaire:
    return read_xlsform(template_path("safety"))


@pytest.fixture(scope="module")
def data(city: DemoCity) -> bytes:
    return demo_responses(city, n=800, seed=2025)


@pytest.fixture(scope="module")
def result(form: Questionnaire, data: bytes) -> ReadResult:
    return read_responses_csv(form, data, filename=FILE_NAME, territories=TERRITORIES)


@pytest.fixture(scope="module")
def eligible(result: ReadResult) -> pd.DataFrame:
    frame = pd.DataFrame([dict(r.answers) for r in result.accepted])
    frame = frame[frame["consent"] == "yes"].copy()
    frame["unsafe"] = frame["safe_dark"].isin(["bit_unsafe", "very_unsafe"])
    return frame


@pytest.fixture(scope="module")
def profiles(city: DemoCity) -> pd.DataFrame:
    return neighbourhood_profiles(city, years=YEARS)


def test_a_kobo_export_where_only_the_bad_rows_are_rejected(
    form: Questionnaire, result: ReadResult
) -> None:
    assert result.source == "kobo" and result.rows_read == 800
    assert result.rows_rejected == N_BAD_ROWS
    assert len(result.accepted) == 800 - N_BAD_ROWS
    assert {r.kind for r in result.rejects} == {
        "invalid postal code", "required answer missing", "number above the maximum",
    }  # fmt: skip
    assert len(result.rejects) == N_BAD_ROWS  # one error in each bad row
    assert result.unknown_columns == []
    for response in result.accepted:  # every generated row passes the form with zero errors
        cleaned = clean_answers(form, dict(response.answers), territories=TERRITORIES)
        assert cleaned.errors == ()


def test_deterministic_for_a_seed(city: DemoCity, data: bytes) -> None:
    assert demo_responses(city, n=800, seed=2025) == data
    assert demo_responses(city, n=800, seed=2026) != data
    assert data.startswith(b'"start";"end";"intro/consent";"intro/age_group";"safety/safe_dark"')


def test_respondents_over_represent_women_older_people_and_quiet_areas(
    city: DemoCity, eligible: pd.DataFrame, profiles: pd.DataFrame
) -> None:
    pop = population_table(city, YEARS)
    pop = pop[(pop["layer"] == "neighbourhood") & (pop["year"] == YEARS[1])]
    adults = pop[pop["age_group"] != "0-14"]
    women_pop = adults.loc[adults["gender"] == "F", "population"].sum() / adults["population"].sum()
    women = (eligible["gender"] == "woman").mean()
    assert women > women_pop + 0.05  # about 58 % of respondents, 51 % of residents
    older = eligible["age_group"].isin(["age_45_54", "age_55_64", "age_65_74", "age_75_plus"])
    older_pop = adults.loc[adults["age_group"].isin(["45-64", "65+"]), "population"].sum()
    assert older.mean() > older_pop / adults["population"].sum() + 0.05
    per_1000 = (
        eligible["neighbourhood"].value_counts().reindex(profiles["code"]).to_numpy()
        / profiles["population"].to_numpy()
    )
    quiet, busy = profiles["crime_z"].idxmin(), profiles["crime_z"].idxmax()
    assert profiles.at[busy, "code"] == "Q01"  # downtown
    assert per_1000[quiet] > 2 * per_1000[busy]


def test_feeling_unsafe_follows_crime_gender_and_age(
    eligible: pd.DataFrame, profiles: pd.DataFrame
) -> None:
    share = eligible[eligible["neighbourhood"] != "other"].groupby("neighbourhood")["unsafe"].mean()
    z = profiles.set_index("code")["crime_z"].reindex(share.index)
    assert share.rank().corr(z.rank()) > 0.6  # Spearman
    by_gender = eligible.groupby("gender")["unsafe"].mean()
    assert by_gender["woman"] > by_gender["man"] + 0.05
    young = eligible.loc[eligible["age_group"] == "age_15_24", "unsafe"].mean()
    old = eligible.loc[eligible["age_group"].isin(["age_65_74", "age_75_plus"]), "unsafe"].mean()
    assert old > young
    assert 0.15 < eligible["unsafe"].mean() < 0.45


def test_incivilities_are_higher_downtown(eligible: pd.DataFrame, profiles: pd.DataFrame) -> None:
    big = eligible.groupby("neighbourhood")["dis_drugs"].apply(
        lambda s: (s == "big_problem").mean()
    )
    quiet = profiles.at[profiles["crime_z"].idxmin(), "code"]
    assert big["Q01"] > big[quiet] + 0.3


def test_victimisation_and_reporting_follow_the_rates(
    eligible: pd.DataFrame, profiles: pd.DataFrame
) -> None:
    types = eligible["victim_types"].map(lambda v: v if isinstance(v, tuple) else (v,))
    rate = profiles.set_index("code")["rate_break_in"] / 1000  # per resident a year
    expected = 1 - np.exp(-10 * rate.reindex(eligible["neighbourhood"]).fillna(rate.mean()) / 2.3)
    observed = types.map(lambda t: "break_in" in t).mean()
    assert 0.5 < observed / expected.mean() < 2
    theft = types.map(lambda t: "theft" in t)
    high = eligible["neighbourhood"].map(profiles.set_index("code")["rate_theft"]) > 30
    assert theft[high].mean() > theft[~high].mean()
    told = pd.concat([eligible[c] for c in eligible.columns if c.startswith("reported_")]).dropna()
    assert 0.3 <= (told == "yes").mean() <= 0.5
    assert not eligible.loc[types.map(lambda t: "none" in t), "victim_local"].notna().any()


def test_the_demo_import_records_the_demo_source(workspace: Workspace, tmp_path: Path) -> None:
    report = import_demo_survey(workspace, tmp_path, n=120, seed=3)
    assert (report.source, report.rows_read, report.rows_rejected) == ("demo", 120, N_BAD_ROWS)
    assert report.rows_accepted == 120 - N_BAD_ROWS
    assert (workspace.path / "surveys" / "safety.xlsx").exists()
    frame = load_responses(workspace, "safety")
    assert set(frame["source"]) == {"demo"} and len(frame) == 120 - N_BAD_ROWS
