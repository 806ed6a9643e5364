"""Weighting margins from the workspace's population table, and the answers recoded to match.

The population table counts residents by territory (``layer``, ``code``), ``year``,
``age_group`` and ``gender``. A margin is the adult population (the age groups some answer maps
to: 0-14 is left out, under-15s are not surveyed) by one weighting variable, or by several
crossed (``age_group*gender``). Every margin comes from the same rows (one layer, one year), so
all describe the same total.

Answers are recoded with the settings' mapping (`settings.SurveySettings`): an answer code
with no population category (``refused``, ``another`` gender, the ``other`` neighbourhood) is a
non-answer for the weighting. `weighting.rake` gives non-answers a cell of their own per margin
(``missing="cell"``): they keep the adjustment of the margins they answered, while those who
answered reproduce the population's proportions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from urbansafety import store
from urbansafety.errors import InputError
from urbansafety.i18n import N_
from urbansafety.survey.settings import SurveySettings, parse_margins
from urbansafety.workspace import Workspace

# The respondents' recoded weighting variables: columns added to the survey data.
WEIGHT_COLUMNS = {
    "age_group": "census_age_group",
    "gender": "census_gender",
    "neighbourhood": "census_area",
}
_POPULATION_COLUMNS = {"age_group": "age_group", "gender": "gender", "neighbourhood": "code"}
_SELECT = (
    "SELECT code, year, age_group, gender, population FROM population WHERE layer = ? "
    "AND age_group IS NOT NULL AND gender IS NOT NULL"
)


@dataclass(frozen=True, eq=False)
class PopulationMargins:
    """Margins for `weighting.rake`, keyed by the recoded columns, and where they come from.

    `margins` maps a column (or a tuple of them) to population counts per category; `total`
    is the adult population they all sum to; `excluded` the age groups left out (minors).
    """

    margins: dict[str | tuple[str, ...], dict[object, float]]
    layer: str
    year: int
    total: float
    age_groups: tuple[str, ...]
    excluded: tuple[str, ...]


def population_rows(ws: Workspace, layer: str) -> pd.DataFrame:
    """Return the population table of a layer by code, year, age group and gender."""
    with store.connect(ws.store_path, read_only=True) as con:
        frame = con.execute(_SELECT, [layer]).df()
    if frame.empty:
        raise InputError(
            N_("The population table has no counts by age group and gender for layer %(layer)s."),
            hint=N_(
                "Import the census population (urbansafety import population) or choose another "
                "layer with --layer."
            ),
            params={"layer": layer},
        )
    return frame


def build_margins(
    population: pd.DataFrame,
    settings: SurveySettings,
    *,
    layer: str,
    year: int | None = None,
    joint: bool = False,
) -> PopulationMargins:
    """Return the adult population margins of settings.margins for one year.

    The year is `year`, else the settings', else the latest of the table.

    With joint, the margins are crossed into one (post-stratification cells).
    """
    years = sorted(int(y) for y in population["year"].unique())
    year = settings.year if year is None else year
    chosen = years[-1] if year is None else int(year)
    if chosen not in years:
        raise InputError(
            N_("The population table has no year %(year)s for layer %(layer)s."),
            hint=N_("Years available: %(years)s."),
            params={"year": chosen, "layer": layer, "years": ", ".join(map(str, years))},
        )
    rows = population[population["year"] == chosen]
    wanted = list(dict.fromkeys(settings.age_groups.values()))
    present = set(rows["age_group"])
    missing = [g for g in wanted if g not in present]
    if missing:
        raise InputError(
            N_("The population table has no age group %(group)s (it has %(groups)s)."),
            hint=N_("Map the answer codes to its age groups in [survey.age_groups]."),
            params={"group": missing[0], "groups": ", ".join(sorted(present))},
        )
    genders = set(settings.genders.values())
    adults = rows[rows["age_group"].isin(wanted) & rows["gender"].isin(genders)]
    specs = parse_margins(settings.margins)
    if joint:
        specs = (tuple(v for spec in specs for v in spec),)
    margins: dict[str | tuple[str, ...], dict[object, float]] = {}
    for spec in specs:
        by = [_POPULATION_COLUMNS[v] for v in spec]
        sums = adults.groupby(by, sort=True)["population"].sum()
        key: str | tuple[str, ...] = (
            WEIGHT_COLUMNS[spec[0]] if len(spec) == 1 else tuple(WEIGHT_COLUMNS[v] for v in spec)
        )
        margins[key] = {k: float(v) for k, v in sums.items()}
    excluded = tuple(sorted(present - set(wanted)))
    total = float(adults["population"].sum())
    return PopulationMargins(margins, layer, chosen, total, tuple(wanted), excluded)


def recode_answers(
    frame: pd.DataFrame, settings: SurveySettings, areas: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Return frame with the weighting columns (`WEIGHT_COLUMNS`) added from the answers.

    Codes outside the mapping become missing (non-answers); neighbourhood codes are kept as
    they are, except those not in areas (codes of the layer, when given), such as ``other``.
    """
    out = frame.copy()
    codes = {"age_group": settings.age_groups, "gender": settings.genders}
    for variable, mapping in codes.items():
        answers = frame[variable] if variable in frame.columns else pd.Series(np.nan, frame.index)
        out[WEIGHT_COLUMNS[variable]] = answers.map(dict(mapping)).astype(object)
    hood = (
        frame["neighbourhood"]
        if "neighbourhood" in frame.columns
        else pd.Series(np.nan, index=frame.index)
    )
    known = hood.where(hood.isin(list(areas))) if areas is not None else hood
    out[WEIGHT_COLUMNS["neighbourhood"]] = known.astype(object)
    for column in WEIGHT_COLUMNS.values():
        out[column] = out[column].where(out[column].notna(), None)
    return out
