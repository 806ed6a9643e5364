"""Survey designs and the Taylor-linearised variance of estimated totals.

A `SurveyDesign` holds the answers, the weights and how respondents were drawn (strata,
one- or two-stage clusters, finite population corrections) and, after weighting, what the
weighting did (`Calibration`). `total_covariance` returns the estimated covariance of
weighted totals of influence values; every estimate in `survey.estimate` reduces to it.

Variance rules (those of R's `survey` package, `svyrecvar`):

- stage 1: PSU totals are compared within each stratum, scaled by n_h/(n_h - 1) and by
  1 - n_h/N_h when a finite population correction is given (with replacement otherwise);
- stage 2 (only when stage 1 has an fpc): the same within each PSU, times n_h/N_h;
- calibrated weights: influence values are first replaced by their residuals on the
  weighting margins (see `calibration_residuals`).

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*, ch. 2, 3 and 7. Wiley.
Särndal, C.-E., Swensson, B. and Wretman, J. (1992). *Model Assisted Survey Sampling*,
ch. 4 (two-stage sampling) and 6 (regression estimator). Springer.
Deville, J.-C. and Särndal, C.-E. (1992). Calibration estimators in survey sampling.
*JASA* 87(418), 376-382.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from urbansafety.errors import InputError
from urbansafety.i18n import N_
from urbansafety.survey.calibration_start import direct_coefficients

LONELY_PSU = ("fail", "certainty", "adjust")
# A stratum sampled at this fraction or more is taken as a census (R's 1e-7 rule).
_CENSUS = 1.0 - 1e-7
# Calibration residuals: sweeps stop when a sweep moves no value by more than this share.
_SWEEP_TOL = 1e-14
_MAX_SWEEPS = 500
_STALL_TOL = 1e-9


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


def _stage_covariance(
    z: np.ndarray,
    unit: np.ndarray,
    unit_group: np.ndarray,
    fraction: np.ndarray,
    extra: np.ndarray,
    lonely_psu: str,
) -> np.ndarray:
    """Return sum over groups of scale_g * sum over units of (t_u - mean_g)(t_u - mean_g)'."""
    m = z.shape[1]
    n_units = len(unit_group)
    totals = np.column_stack([np.bincount(unit, z[:, j], minlength=n_units) for j in range(m)])
    count = np.bincount(unit_group).astype(float)
    sums = np.column_stack(
        [np.bincount(unit_group, totals[:, j], minlength=len(count)) for j in range(m)]
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(count > 1, count / (count - 1), 1.0) * (1.0 - fraction) * extra
        dev = totals - (sums / count[:, None])[unit_group]
    scale = np.where(fraction >= _CENSUS, 0.0, scale)
    single = count[unit_group] == 1
    if single.any():
        if lonely_psu == "adjust":
            dev[single] = totals[single] - totals.mean(axis=0)
        else:  # 'certainty'; 'fail' was refused when the design was built
            dev[single] = 0.0
    dev = dev * np.sqrt(scale[unit_group])[:, None]
    return np.asarray(dev.T @ dev)


def calibration_residuals(cal: Calibration, z: np.ndarray) -> np.ndarray:
    """Return influence values z (n x m) minus their projection on the weighting margins.

    For each margin k in turn, z loses w_k * a_k(category), a_k being the base-weighted mean
    of z / w_k in each category and w_k the weights right after margin k was adjusted in the
    last sweep; sweeps repeat until nothing moves. With converged weights the result is
    w * (y - x'B), B the regression on the margin indicators weighted by the base weights:
    the calibration residual of Deville and Särndal, as R's ``calibrate(calfun="raking")``
    and ``postStratify``. R's ``rake()`` does the same sweeps with unweighted category means
    (identical when base weights are equal, as in the api data), so its partially converged
    results are reproduced too. Margins with a non-answer cell then add the variance of that
    cell's estimated target: (N b_miss - sum_c T_c b_c) times the linearised share.
    """
    cells = cal.cells
    n_cells = len(cal.cell_codes[0])
    base_cell = np.bincount(cells, cal.base_weights, minlength=n_cells)
    m = z.shape[1]
    sums = np.column_stack([np.bincount(cells, z[:, j], minlength=n_cells) for j in range(m)])
    scale = max(float(np.abs(sums).max(initial=0.0)), 1e-300)
    coef = [np.zeros((int(codes.max()) + 1, m)) for codes in cal.cell_codes]
    start = direct_coefficients(cal.cell_codes, cal.cell_factors, base_cell, sums)
    if start is not None:
        for k, (codes, factors) in enumerate(zip(cal.cell_codes, cal.cell_factors, strict=True)):
            sums -= (base_cell * factors)[:, None] * start[k][codes]
            coef[k] += start[k]
    last = np.inf
    for _ in range(_MAX_SWEEPS):
        moved = 0.0
        for k, (codes, factors) in enumerate(zip(cal.cell_codes, cal.cell_factors, strict=True)):
            size = coef[k].shape[0]
            den = np.bincount(codes, base_cell, minlength=size)
            num = np.column_stack(
                [np.bincount(codes, sums[:, j] / factors, minlength=size) for j in range(m)]
            )
            with np.errstate(invalid="ignore", divide="ignore"):
                a = np.where(den[:, None] > 0, num / den[:, None], 0.0)
            step = (base_cell * factors)[:, None] * a[codes]
            sums -= step
            coef[k] += a
            moved = max(moved, float(np.abs(step).max(initial=0.0)))
        # Trimmed weights leave a rounding floor above _SWEEP_TOL: stop once a sweep no
        # longer halves the change there, instead of running all _MAX_SWEEPS.
        if moved <= _SWEEP_TOL * scale or (moved <= _STALL_TOL * scale and moved > last / 2):
            break
        last = moved
    out = np.array(z, dtype=float, copy=True)
    for k, (codes, factors) in enumerate(zip(cal.cell_codes, cal.cell_factors, strict=True)):
        out -= (cal.base_weights * factors[cells])[:, None] * coef[k][codes[cells]]
    for miss in cal.missing:
        b = coef[miss.margin]
        total = miss.totals.sum()
        gamma = total * b[miss.category] - miss.totals @ b[: len(miss.totals)]
        in_cell = cal.cell_codes[miss.margin][cells] == miss.category
        d = miss.share_weights
        out += np.outer(d * (in_cell - miss.share) / d.sum(), gamma)
    return out


def total_covariance(design: SurveyDesign, z: np.ndarray) -> np.ndarray:
    """Return the linearised covariance matrix of the totals of the columns of z.

    z holds one influence value per respondent and column, already multiplied by the weight
    (for a total of y: w*y; for a mean: w*(y - mean)/sum(w)).
    """
    z = np.asarray(z, dtype=float)
    if z.ndim == 1:
        z = z[:, None]
    if design.calibration is not None:
        z = calibration_residuals(design.calibration, z)
    cov = _stage_covariance(
        z,
        design.psu,
        design.psu_stratum,
        design.stratum_fraction,
        np.ones(len(design.stratum_fraction)),
        design.lonely_psu,
    )
    if design.ssu is not None and design.psu_fraction is not None:
        ssu_psu = np.zeros(int(design.ssu.max()) + 1, dtype=np.intp)
        ssu_psu[design.ssu] = design.psu
        first = design.stratum_fraction[design.psu_stratum]
        cov += _stage_covariance(
            z, design.ssu, ssu_psu, design.psu_fraction, first, design.lonely_psu
        )
    return cov
