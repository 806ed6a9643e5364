"""A direct start for the calibration residuals' sweeps (see variance.calibration_residuals).

The sweeps of :func:`urbansafety.survey.variance.calibration_residuals` stop when, for every margin k
and category c, the cell sums divided by that margin's factors add up to zero over c. Those
conditions are linear in the per-category coefficients, so they can be solved at once on the
cells (a few hundred) rather than reached by sweeps. With weights raked to convergence a few
sweeps suffice anyway; with trimmed weights the factors of successive margins differ and the
sweeps can need hundreds of rounds. The solution is only a start: the sweeps then run from it
and decide, so the result is the sweeps' own fixed point.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_MAX_CELLS_X_CATEGORIES = 20_000_000  # dense indicator matrices stay below ~160 MB


def direct_coefficients(
    cell_codes: Sequence[np.ndarray],
    cell_factors: Sequence[np.ndarray],
    base_cell: np.ndarray,
    sums: np.ndarray,
) -> list[np.ndarray] | None:
    """Return per-margin coefficients (categories x columns) solving the sweeps' fixed point.

    Returns None when the cells are too many for a dense solve (the sweeps then start at 0).
    """
    sizes = [int(codes.max()) + 1 for codes in cell_codes]
    n_cells, total = len(base_cell), sum(sizes)
    if n_cells * total > _MAX_CELLS_X_CATEGORIES:
        return None
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    indicators = []
    for codes, size in zip(cell_codes, sizes, strict=True):
        x = np.zeros((n_cells, size))
        x[np.arange(n_cells), codes] = 1.0
        indicators.append(x)
    system = np.zeros((total, total))
    rhs = np.zeros((total, sums.shape[1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        for k, (xk, fk) in enumerate(zip(indicators, cell_factors, strict=True)):
            rows = slice(offsets[k], offsets[k + 1])
            inverse = np.where(fk != 0, 1.0 / fk, 0.0)
            rhs[rows] = xk.T @ (inverse[:, None] * sums)
            for j, (xj, fj) in enumerate(zip(indicators, cell_factors, strict=True)):
                system[rows, offsets[j] : offsets[j + 1]] = xk.T @ (
                    (base_cell * fj * inverse)[:, None] * xj
                )
    solution = np.linalg.lstsq(system, rhs, rcond=None)[0]
    if not np.all(np.isfinite(solution)):
        return None
    return [solution[offsets[k] : offsets[k + 1]] for k in range(len(sizes))]
