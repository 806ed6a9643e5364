"""Weighting margins from the population table: adults only, the answer-code mapping, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.survey.campaign import shared_city
from urbansafety.errors import ConfigError, InputError
from urbansafety.survey.population_margins import (
    WEIGHT_COLUMNS,
    build_margins,
    population_rows,
    recode_answers,
)
from urbansafety.survey.settings import (
    DEFAULT_AGE_GROUPS,
    SurveySettings,
    parse_margins,
    survey_settings,
)
from urbansafety.survey.weight_run import weight_responses
from urbansafety.workspace import open_workspace

AGES = ("0-14", "15-24", "25-44", "45-64", "65+")


def population(years: tuple[int, ...] = (2022, 2023), codes: tuple[str, ...] = ("A", "B")):
    rows = []
    for y in years:
        for i, code in enumerate(codes):
            for j, age in enumerate(AGES):
                for k, gender in enumerate("FM"):
                    rows.append((code, y, age, gender, 100 * (i + 1) + 10 * j + k + (y - 2022)))
    return pd.DataFrame(rows, columns=["code", "year", "age_group", "gender", "population"])


def test_margins_sum_to_the_adult_population_of_the_latest_year() -> None:
    pop = population()
    m = build_margins(pop, SurveySettings(), layer="neighbourhood")
    latest = pop[(pop["year"] == 2023) & (pop["age_group"] != "0-14")]
    assert m.year == 2023 and m.excluded == ("0-14",)
    assert m.total == latest["population"].sum()
    for margin in m.margins.values():
        assert sum(margin.values()) == pytest.approx(m.total, rel=1e-12)
    ages = m.margins[WEIGHT_COLUMNS["age_group"]]
    assert list(ages) == ["15-24", "25-44", "45-64", "65+"]
    assert ages["25-44"] == latest.loc[latest["age_group"] == "25-44", "population"].sum()
    assert m.margins[WEIGHT_COLUMNS["neighbourhood"]]["B"] == (
        latest.loc[latest["code"] == "B", "population"].sum()
    )
    older = build_margins(pop, SurveySettings(year=2022), layer="neighbourhood")
    assert older.year == 2022 and older.total < m.total


def test_joint_margins_and_post_stratification_cells() -> None:
    pop = population()
    s = SurveySettings(margins=("age_group*gender", "neighbourhood"))
    m = build_margins(pop, s, layer="neighbourhood")
    joint = m.margins[(WEIGHT_COLUMNS["age_group"], WEIGHT_COLUMNS["gender"])]
    assert len(joint) == 8 and ("65+", "F") in joint
    cells = build_margins(pop, s, layer="neighbourhood", joint=True)
    (key,) = cells.margins
    assert len(key) == 3 and len(cells.margins[key]) == 4 * 2 * 2
    assert sum(cells.margins[key].values()) == pytest.approx(m.total)


def test_recoding_applies_the_mapping_and_leaves_non_answers_missing() -> None:
    answers = pd.DataFrame(
        {
            "age_group": ["age_25_34", "age_35_44", "age_75_plus", "refused", None],
            "gender": ["woman", "man", "another", "refused", "woman"],
            "neighbourhood": ["A", "B", "other", "Z", None],
        }
    )
    out = recode_answers(answers, SurveySettings(), {"A": "A", "B": "B"})
    assert out[WEIGHT_COLUMNS["age_group"]].tolist() == ["25-44", "25-44", "65+", None, None]
    assert out[WEIGHT_COLUMNS["gender"]].tolist() == ["F", "M", None, None, "F"]
    assert out[WEIGHT_COLUMNS["neighbourhood"]].tolist() == ["A", "B", None, None, None]
    assert DEFAULT_AGE_GROUPS["age_55_64"] == "45-64" and "under_15" not in DEFAULT_AGE_GROUPS


def test_an_empty_cell_is_a_clear_error_with_the_merge_hint() -> None:
    rng = np.random.default_rng(1)
    n = 60
    answers = pd.DataFrame(
        {
            "response_id": [f"r{i}" for i in range(n)],
            "consent": "yes",
            # Nobody aged 65 or over answered.
            "age_group": rng.choice(["age_15_24", "age_25_34", "age_45_54"], n),
            "gender": rng.choice(["woman", "man"], n),
            "neighbourhood": rng.choice(["A", "B"], n),
        }
    )
    with pytest.raises(InputError) as err:
        weight_responses(answers, population(), SurveySettings())
    assert "65+" in err.value.message and "no respondent" in err.value.message
    assert "Merge 65+ with 45-64" in err.value.hint


def test_a_mapping_to_an_unknown_age_group_is_refused() -> None:
    s = SurveySettings(age_groups={"age_15_24": "15-19"})
    with pytest.raises(InputError, match="no age group 15-19"):
        build_margins(population(), s, layer="neighbourhood")
    with pytest.raises(InputError, match="no year 1999"):
        build_margins(population(), SurveySettings(year=1999), layer="neighbourhood")


def test_settings_from_the_toml_table() -> None:
    s = survey_settings(
        {
            "margins": ["age_group*gender", "neighbourhood"],
            "trim": [0.3, 3],
            "floor": 12,
            "genders": {"woman": "F", "man": "M", "another": "X"},
        }
    )
    assert s.trim == (0.3, 3.0) and s.floor == 12 and s.genders["another"] == "X"
    assert parse_margins(s.margins) == (("age_group", "gender"), ("neighbourhood",))
    assert survey_settings({}) == SurveySettings()
    for bad in ({"margins": ["age"]}, {"margins": ["gender", "gender*age_group"]},
                {"method": "calibrate"}, {"trim": [1]}, {"floor": 0}):  # fmt: skip
        with pytest.raises(ConfigError):
            survey_settings(bad)


def test_margins_from_the_workspace_population_table(tmp_path_factory) -> None:
    ws = open_workspace(shared_city(tmp_path_factory))
    rows = population_rows(ws, "neighbourhood")
    m = build_margins(rows, SurveySettings(), layer="neighbourhood")
    latest = rows[(rows["year"] == rows["year"].max()) & (rows["age_group"] != "0-14")]
    assert m.total == latest["population"].sum() > 0
    assert sorted(m.margins[WEIGHT_COLUMNS["neighbourhood"]]) == [f"Q{i:02d}" for i in range(1, 11)]
    with pytest.raises(InputError, match="layer nowhere"):
        population_rows(ws, "nowhere")


def test_workspace_settings_read_the_survey_table(tmp_path) -> None:
    from urbansafety.survey.weight_run import workspace_settings
    from urbansafety.workspace import init_workspace

    plain = init_workspace(tmp_path / "plain")
    assert workspace_settings(plain) == SurveySettings()
    extra = '[survey]\ntrim = [0.3, 3.0]\nfloor = 12\n\n[survey.genders]\nwoman = "F"\nman = "M"\n'
    ws = init_workspace(tmp_path / "set", extra_config=extra)
    s = workspace_settings(ws)
    assert s.trim == (0.3, 3.0) and s.floor == 12 and s.genders == {"woman": "F", "man": "M"}
    # A wrong [survey] table is refused when the workspace is opened, like any setting.
    with pytest.raises(ConfigError) as err:
        init_workspace(tmp_path / "bad", extra_config="[survey]\nmethod = 'calibrate'\n")
    assert err.value.where is not None and "urbansafety.toml" in str(err.value.where)
