"""The Taylor-linearised variance of estimated totals under a survey design.

`total_covariance` returns the estimated covariance of weighted totals of influence values;
every estimate in `survey.estimate` reduces to it.

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

import numpy as np

from urbansafety.survey.calibration_start import direct_coefficients
from urbansafety.survey.design import _CENSUS, Calibration, SurveyDesign

# Calibration residuals: sweeps stop when a sweep moves no value by more than this share.
_SWEEP_TOL = 1e-14
_MAX_SWEEPS = 500
_STALL_TOL = 1e-9


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
