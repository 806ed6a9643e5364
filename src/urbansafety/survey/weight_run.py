"""`urbansafety survey weight`: responses weighted to the census margins, stored with the run.

The weights of a survey are stored in ``survey_weights`` (one row per response, the previous
weights of that survey replaced) and the settings that made them in ``survey_weight_runs``, so
that ``survey analyse`` can rebuild the same calibrated design (its variances need what the
raking did, not only the weights) and check it still gives the stored weights.

Respondents analysed: those who consented (``consent = yes`` when the form asks) and are not
screened out (``age_group = under_15``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from urbansafety import store
from urbansafety.errors import InputError
from urbansafety.i18n import N_
from urbansafety.survey.population_margins import (
    PopulationMargins,
    build_margins,
    population_rows,
    recode_answers,
)
from urbansafety.survey.responses import load_responses
from urbansafety.survey.settings import METHODS, SurveySettings
from urbansafety.survey.weighting import Weighting, rake
from urbansafety.workspace import Workspace

SURVEY_WEIGHTS = """
CREATE TABLE IF NOT EXISTS survey_weights (
    survey VARCHAR NOT NULL,
    response_id VARCHAR NOT NULL,
    weight DOUBLE NOT NULL,
    run_id VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS survey_weight_runs (
    run_id VARCHAR NOT NULL,
    survey VARCHAR NOT NULL,
    settings JSON NOT NULL,
    created_at TIMESTAMP NOT NULL
);
"""
_STORED_RUN = (
    "SELECT run_id, CAST(settings AS VARCHAR), created_at FROM survey_weight_runs "
    "WHERE survey = ? ORDER BY created_at DESC LIMIT 1"
)
# Stored weights must give back the recomputed ones to this relative precision.
_SAME_WEIGHTS = 1e-8


@dataclass(frozen=True, eq=False)
class WeightRun:
    """A weighted survey: eligible respondents (with recoded columns), weights, settings, margins."""

    survey: str
    data: pd.DataFrame
    weighting: Weighting
    margins: PopulationMargins
    settings: SurveySettings
    screened_out: int
    run_id: str
    created_at: dt.datetime


def workspace_settings(ws: Workspace) -> SurveySettings:
    """Return the [survey] settings of the workspace's urbansafety.toml (defaults without one)."""
    return ws.config.survey


def eligible(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the respondents who consented and were not screened out (under 15)."""
    keep = np.ones(len(frame), dtype=bool)
    if "consent" in frame.columns:
        keep &= (frame["consent"] == "yes").fillna(False).to_numpy(dtype=bool)
    if "age_group" in frame.columns:
        keep &= ~(frame["age_group"] == "under_15").fillna(False).to_numpy(dtype=bool)
    return frame[keep].reset_index(drop=True)


def weight_responses(
    responses: pd.DataFrame,
    population: pd.DataFrame,
    settings: SurveySettings,
    survey: str = "",
) -> WeightRun:
    """Return the eligible responses weighted to the population margins of the settings."""
    if settings.method not in METHODS:
        raise InputError(
            N_("Unknown weighting method %(value)s."),
            hint=N_("Use rake or poststratify."),
            params={"value": settings.method},
        )
    data = eligible(responses)
    if data.empty:
        raise InputError(
            N_("No eligible respondent in the survey %(survey)s (consent given, aged 15 or over)."),
            hint=N_("Check the responses imported for this survey."),
            params={"survey": survey},
        )
    joint = settings.method == "poststratify"
    margins = build_margins(
        population, settings, layer=settings.layer, year=settings.year, joint=joint
    )
    areas = {str(c): str(c) for c in population["code"].unique()}
    data = recode_answers(data, settings, areas)
    # One margin (post-stratification) is exact in one sweep; rake's loop still checks it.
    weighting = rake(data, margins.margins, trim=settings.trim, missing="cell")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    return WeightRun(
        survey=survey,
        data=data,
        weighting=weighting,
        margins=margins,
        settings=settings,
        screened_out=len(responses) - len(data),
        run_id=uuid.uuid4().hex[:12],
        created_at=now,
    )


def weight_survey(ws: Workspace, survey: str, settings: SurveySettings | None = None) -> WeightRun:
    """Return the survey's stored responses weighted to the workspace's population margins."""
    settings = settings or workspace_settings(ws)
    responses = load_responses(ws, survey)
    return weight_responses(responses, population_rows(ws, settings.layer), settings, survey)


def settings_json(settings: SurveySettings) -> str:
    """Return the settings as JSON (what `survey_weight_runs` keeps)."""
    return json.dumps(dataclasses.asdict(settings), sort_keys=True, default=list)


def settings_from_json(text: str) -> SurveySettings:
    """Return settings written by `settings_json`."""
    raw: dict[str, Any] = json.loads(text)
    raw["margins"] = tuple(raw["margins"])
    raw["trim"] = tuple(raw["trim"]) if raw.get("trim") else None
    return SurveySettings(**raw)


def store_weights(ws: Workspace, run: WeightRun) -> int:
    """Replace the survey's stored weights with the run's; return the number of rows written."""
    frame = pd.DataFrame(
        {
            "survey": run.survey,
            "response_id": run.data["response_id"].astype(str).to_numpy(),
            "weight": run.weighting.weights.to_numpy(dtype=float),
            "run_id": run.run_id,
            "created_at": run.created_at,
        }
    )
    with store.connect(ws.store_path) as con, store.transaction(con):
        con.execute(SURVEY_WEIGHTS)
        con.execute("DELETE FROM survey_weights WHERE survey = ?", [run.survey])
        con.execute("DELETE FROM survey_weight_runs WHERE survey = ?", [run.survey])
        con.register("_new_weights", frame)
        try:
            con.execute("INSERT INTO survey_weights SELECT * FROM _new_weights")
        finally:
            con.unregister("_new_weights")
        con.execute(
            "INSERT INTO survey_weight_runs VALUES (?, ?, ?, ?)",
            [run.run_id, run.survey, settings_json(run.settings), run.created_at],
        )
    return len(frame)


def stored_weights(ws: Workspace, survey: str) -> tuple[SurveySettings, pd.Series, str] | None:
    """Return the stored run of a survey: its settings, weights by response id and run id."""
    with store.connect(ws.store_path, read_only=True) as con:
        tables = {t for (t,) in con.execute("SHOW TABLES").fetchall()}
        if not {"survey_weights", "survey_weight_runs"} <= tables:
            return None
        row = con.execute(_STORED_RUN, [survey]).fetchone()
        if row is None:
            return None
        weights = con.execute(
            "SELECT response_id, weight FROM survey_weights WHERE survey = ? AND run_id = ?",
            [survey, row[0]],
        ).df()
    series = pd.Series(weights["weight"].to_numpy(), index=weights["response_id"].astype(str))
    return settings_from_json(row[1]), series, str(row[0])


def weights_or_stored(ws: Workspace, survey: str) -> tuple[WeightRun, bool]:
    """Return the survey weighted as its stored run says, or with the workspace settings.

    The second value is True when new weights were stored: none were, or the responses changed
    since (the stored weights no longer match).
    """
    stored = stored_weights(ws, survey)
    run = weight_survey(ws, survey, stored[0] if stored else None)
    if stored is not None:
        ids = run.data["response_id"].astype(str)
        old = stored[1].reindex(ids.to_numpy()).to_numpy(dtype=float)
        new = run.weighting.weights.to_numpy(dtype=float)
        same = np.all(np.isfinite(old)) and len(stored[1]) == len(ids)
        if same and np.max(np.abs(old / new - 1)) <= _SAME_WEIGHTS:
            return dataclasses.replace(run, run_id=stored[2]), False
    store_weights(ws, run)
    return run, True


def weights_table(run: WeightRun) -> pd.DataFrame:
    """Return one row per respondent: response id, weighting answers and weight."""
    columns = ["response_id", "age_group", "gender", "neighbourhood"]
    table = run.data[[c for c in columns if c in run.data.columns]].copy()
    table["weight"] = run.weighting.weights.to_numpy()
    return table


def diagnostics_table(run: WeightRun) -> pd.DataFrame:
    """Return the weight diagnostics before and after weighting (one row per statistic)."""
    before = dataclasses.asdict(run.weighting.before)
    after = dataclasses.asdict(run.weighting.after)
    return pd.DataFrame(
        {"statistic": list(after), "before": list(before.values()), "after": list(after.values())}
    )


def write_weight_files(run: WeightRun, folder: Path) -> tuple[Path, Path]:
    """Write the weights (CSV) and the weights with diagnostics and margins (XLSX)."""
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / f"survey_{run.survey}_weights.csv"
    weights_table(run).to_csv(csv, index=False)
    xlsx = folder / f"survey_{run.survey}_weights.xlsx"
    with pd.ExcelWriter(xlsx, engine="openpyxl") as writer:
        weights_table(run).to_excel(writer, sheet_name="weights", index=False)
        diagnostics_table(run).to_excel(writer, sheet_name="diagnostics", index=False)
        margins = run.weighting.report.margins.copy()
        margins["category"] = margins["category"].map(
            lambda c: " × ".join(map(str, c)) if isinstance(c, tuple) else c
        )
        margins.to_excel(writer, sheet_name="margins", index=False)
    return csv, xlsx
