"""Survey designs: the answers, their weights and how respondents were drawn.

A `SurveyDesign` holds the answers, the weights and how respondents were drawn (strata,
one- or two-stage clusters, finite population corrections) and, after weighting, what the
weighting did (`Calibration`). Variances under a design are in `survey.variance`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from urbansafety.errors import InputError
from urbansafety.i18n import N_

LONELY_PSU = ("fail", "certainty", "adjust")
# A stratum sampled at this fraction or more is taken as a census (R's 1e-7 rule).
_CENSUS = 1.0 - 1e-7


@dataclass(frozen=True, eq=False)
class MissingCell:
    """A weighting margin whose non-answers formed their own cell (see `weighting.rake`).

    The cell's target is the margin total times `share`, the base-weighted share of
    non-answers, so it is itself an estimate; its variance is added to every estimate.
    """

    margin: int
    category: int
    totals: np.ndarray  # population totals of the answered categories
    share: float
    share_weights: np.ndarray  # base weights `share` was computed from


@dataclass(frozen=True, eq=False)
class Calibration:
    """What raking or post-stratification did, kept so that variances account for it.

    Respondents are grouped into cells (one per combination of margin categories).
    `cell_factors[k]` is each cell's adjustment factor right after margin k was adjusted in
    the last sweep, so `base_weights * cell_factors[k][cells]` are the weights at that moment
    (R's `postStrata` weights); the last margin's factors give the final weights.
    """

    cells: np.ndarray
    cell_codes: tuple[np.ndarray, ...]
    cell_factors: tuple[np.ndarray, ...]
    base_weights: np.ndarray
    missing: tuple[MissingCell, ...] = ()


@dataclass(frozen=True, eq=False)
class SurveyDesign:
    """Answers with their weights and sampling design.

    `psu` numbers the first-stage units 0..P-1 (distinct across strata); `psu_stratum` gives
    the stratum of each PSU and `stratum_fraction` its sampling fraction n_h/N_h (0 when
    sampled with replacement). `ssu` and `psu_fraction` describe a second stage, if any.
    """

    data: pd.DataFrame
    weights: np.ndarray
    strata: np.ndarray
    psu: np.ndarray
    psu_stratum: np.ndarray
    stratum_fraction: np.ndarray
    ssu: np.ndarray | None = None
    psu_fraction: np.ndarray | None = None
    lonely_psu: str = "fail"
    calibration: Calibration | None = None

    @property
    def n(self) -> int:
        """Number of respondents."""
        return len(self.weights)

    def degrees_of_freedom(self, rows: np.ndarray | None = None) -> int:
        """Return #PSU - #strata among rows (all rows by default), as R's `degf`."""
        if rows is None:
            return int(len(self.psu_stratum) - len(np.unique(self.psu_stratum)))
        psus = np.unique(self.psu[rows])
        return int(len(psus) - len(np.unique(self.psu_stratum[psus])))


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        raise InputError(
            N_("The survey data has no column %(column)s."),
            hint=N_("Columns are: %(columns)s."),
            params={"column": name, "columns": ", ".join(map(str, frame.columns))},
        )
    col = frame[name]
    missing = int(col.isna().sum())
    if missing:
        raise InputError(
            N_("Column %(column)s has %(count)s missing values; design columns must be complete."),
            hint=N_("Weights, strata, clusters and fpc are needed for every respondent."),
            params={"column": name, "count": missing},
        )
    return col


def _codes(values: pd.Series | np.ndarray) -> np.ndarray:
    return np.asarray(pd.factorize(np.asarray(values))[0], dtype=np.intp)


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _population_sizes(
    frame: pd.DataFrame, name: str, group: np.ndarray, sampled: np.ndarray
) -> np.ndarray:
    """Return N per group from an fpc column: a population size (>= 1) or a sampling fraction.

    group gives each row's group (stratum, or PSU at stage 2); sampled the units per group.
    """
    raw = pd.to_numeric(_column(frame, name), errors="coerce").to_numpy(dtype=float)
    first = np.zeros(len(sampled))
    first[group] = raw
    if np.any(np.abs(raw - first[group]) > 1e-9 * np.abs(raw)):
        bad = group[np.argmax(np.abs(raw - first[group]))]
        raise InputError(
            N_("The finite population correction %(column)s varies within stratum %(stratum)s."),
            hint=N_("Give one population size (or sampling fraction) per stratum."),
            params={"column": name, "stratum": int(bad)},
        )
    if np.all(np.isfinite(raw) & (raw >= 1)):
        size = first
    elif np.all((raw > 0) & (raw <= 1)):
        size = sampled / first
    else:
        raise InputError(
            N_("Column %(column)s mixes population sizes (>= 1) and sampling fractions (< 1)."),
            hint=N_("Use population sizes throughout, or sampling fractions throughout."),
            params={"column": name},
        )
    if np.any(size < sampled - 1e-9):
        raise InputError(
            N_(
                "The finite population correction %(column)s is smaller than the sample in a stratum."
            ),
            hint=N_("The fpc is the population size of the stratum (or the sampling fraction)."),
            params={"column": name},
        )
    return np.asarray(size, dtype=float)


def survey_design(
    frame: pd.DataFrame,
    *,
    weights: str | None = None,
    strata: str | None = None,
    clusters: str | Sequence[str] | None = None,
    fpc: str | Sequence[str] | None = None,
    lonely_psu: str = "fail",
) -> SurveyDesign:
    """Return the design of a sample: R's `svydesign(ids, strata, weights, fpc, nest=TRUE)`.

    clusters names the PSU column, or the PSU and second-stage unit columns; without it every
    respondent is its own PSU. fpc names one column per stage: population sizes (number of
    PSUs in the stratum, of units in the PSU) or sampling fractions. Without weights, weights
    come from the fpc (N/n at each stage) or are 1. PSU identifiers are taken within strata.
    lonely_psu says what a stratum with a single PSU contributes: 'fail' (an error, R's
    default), 'certainty' (nothing) or 'adjust' (its deviation from the mean of all PSUs).
    """
    if lonely_psu not in LONELY_PSU:
        raise InputError(
            N_("Unknown rule for strata with one PSU: %(value)s."),
            hint=N_("Use one of: %(allowed)s."),
            params={"value": lonely_psu, "allowed": ", ".join(LONELY_PSU)},
        )
    n = len(frame)
    stages = _as_list(clusters)
    fpcs = _as_list(fpc)
    if len(stages) > 2:
        raise InputError(
            N_("Only one- and two-stage cluster designs are supported (got %(stages)s stages)."),
            hint=N_("Keep the first-stage units (PSUs); later stages add little to the variance."),
            params={"stages": len(stages)},
        )
    if fpcs and len(fpcs) != max(len(stages), 1):
        raise InputError(
            N_("Give one fpc column per sampling stage (%(stages)s), not %(count)s."),
            params={"stages": max(len(stages), 1), "count": len(fpcs)},
        )
    stratum = _codes(_column(frame, strata)) if strata else np.zeros(n, dtype=np.intp)
    if stages:
        cluster = _codes(_column(frame, stages[0]))
        psu = _codes(stratum.astype(np.int64) * (int(cluster.max()) + 1) + cluster)
    else:
        psu = np.arange(n, dtype=np.intp)
    n_psu = int(psu.max()) + 1 if n else 0
    psu_stratum = np.zeros(n_psu, dtype=np.intp)
    if strata:
        psu_stratum[psu] = stratum
    n_h = np.bincount(psu_stratum).astype(float) if strata else np.array([float(n_psu)])
    base = np.ones(n)
    fraction = np.zeros(len(n_h))
    if fpcs:
        size_h = _population_sizes(frame, fpcs[0], stratum, n_h)
        fraction = n_h / size_h
        base = base * (size_h / n_h)[stratum]
    ssu = psu_fraction = None
    units_per_psu = np.ones(n_psu)
    if len(stages) == 2:
        ssu = _codes(psu.astype(np.int64) * (n + 1) + _codes(_column(frame, stages[1])))
        ssu_psu = np.zeros(int(ssu.max()) + 1, dtype=np.intp)
        ssu_psu[ssu] = psu
        units_per_psu = np.bincount(ssu_psu, minlength=n_psu).astype(float)
        if len(fpcs) == 2:
            size_p = _population_sizes(frame, fpcs[1], psu, units_per_psu)
            psu_fraction = units_per_psu / size_p
            base = base * (size_p / units_per_psu)[psu]
    if weights:
        w = pd.to_numeric(_column(frame, weights), errors="coerce").to_numpy(dtype=float)
        bad = int(np.sum(~np.isfinite(w) | (w <= 0)))
        if bad:
            raise InputError(
                N_("Column %(column)s has %(count)s weights that are not positive numbers."),
                hint=N_("Every respondent needs a positive weight; drop the others first."),
                params={"column": weights, "count": bad},
            )
    else:
        w = base
    design = SurveyDesign(
        data=frame,
        weights=w,
        strata=stratum,
        psu=psu,
        psu_stratum=psu_stratum,
        stratum_fraction=fraction,
        ssu=ssu,
        psu_fraction=psu_fraction,
        lonely_psu=lonely_psu,
    )
    if lonely_psu == "fail" and n:
        lonely = np.flatnonzero((n_h == 1) & (fraction < _CENSUS))
        if len(lonely):
            row = int(np.flatnonzero(stratum == lonely[0])[0])
            _refuse_lonely(frame[strata].iloc[row] if strata else "1", 1)
        if psu_fraction is not None:
            lonely = np.flatnonzero((units_per_psu == 1) & (psu_fraction < _CENSUS))
            if len(lonely):
                row = int(np.flatnonzero(psu == lonely[0])[0])
                _refuse_lonely(frame[stages[0]].iloc[row], 2)
    return design


def _refuse_lonely(label: object, stage: int) -> None:
    raise InputError(
        N_(
            "Stratum %(stratum)s has only one sampled unit at stage %(stage)s, so its variance"
            " cannot be estimated."
        ),
        hint=N_(
            "Merge it with a similar stratum, or pass lonely_psu='certainty' (no"
            " variance from it) or 'adjust' (centred on the mean of all PSUs)."
        ),
        params={"stratum": label, "stage": stage},
    )
