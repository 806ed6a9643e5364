"""Mann–Kendall trend test of series (one per row), with the tie-corrected variance of S."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from urbansafety.errors import InputError
from urbansafety.i18n import N_

MIN_PERIODS = 3


@dataclass(frozen=True, eq=False)
class MannKendall:
    """The Mann–Kendall trend test of each series (one value per row of the input).

    Attributes
    ----------
    S
        Σ_{i<j} sign(x_j − x_i).
    var_S
        Variance of S under no trend, corrected for ties.
    tau
        Kendall's tau-b between time and the values, ``S / √((n₀ − n₁) n₀)``
        (NaN for a constant series).
    z
        ``(S − sign S) / √var_S`` (continuity-corrected; 0 when var_S = 0).
    p
        Two-sided p-value of z under the normal approximation.
    """

    S: np.ndarray
    var_S: np.ndarray
    tau: np.ndarray
    z: np.ndarray
    p: np.ndarray


def _matrix(values: np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 2:
        raise InputError(
            N_(
                "The %(name)s table must have one row per unit and one column per period (got %(ndim)s dimension(s))."
            ),
            hint=N_("Pass a two-dimensional array: units × periods."),
            params={"name": name, "ndim": arr.ndim},
        )
    if arr.shape[1] < MIN_PERIODS:
        raise InputError(
            N_("There are %(n)s period(s); at least %(min)s are needed for a trend."),
            hint=N_(
                "Use more periods (years, or quarters). At the 5%% level a trend can only be significant from 5 periods."
            ),
            params={"n": arr.shape[1], "min": MIN_PERIODS},
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        row, col = (int(v[0]) for v in np.nonzero(bad))
        raise InputError(
            N_(
                "The %(name)s table has %(n)s missing value(s) (first: unit %(row)s, period %(col)s)."
            ),
            hint=N_("Every unit needs a value for every period; write 0 where there was none."),
            params={"name": name, "n": int(bad.sum()), "row": row, "col": col},
        )
    return arr


def mann_kendall(series: np.ndarray) -> MannKendall:
    """Return the Mann–Kendall trend test of each row (units × periods; one row if 1-D).

    Vectorised over rows. The variance of S is corrected for ties,
    ``var S = [n(n−1)(2n+5) − Σ_t t(t−1)(2t+5)] / 18`` over the groups of t tied values, and
    z uses the continuity correction ``(S − sign S) / √var S``. A 1-D series gives 0-d arrays.

    Raises
    ------
    InputError
        Fewer than 3 periods, or missing values.

    References
    ----------
    Mann, H. B. (1945). *Econometrica*, 13(3), 245–259.
    Kendall, M. G. (1975). *Rank Correlation Methods*, 4th ed.
    Gilbert, R. O. (1987). *Statistical Methods for Environmental Pollution Monitoring*, §16.4.
    """
    raw = np.asarray(series, dtype=np.float64)
    one = raw.ndim == 1
    x = _matrix(raw[None, :] if one else raw, "series")
    rows, n = x.shape
    # one period per row of xt: each pair (i, j) is then one pass over contiguous memory
    xt = np.ascontiguousarray(x.T)
    s = np.zeros(rows)
    for i in range(n - 1):
        for j in range(i + 1, n):
            s += np.sign(xt[j] - xt[i])
    # sizes t of the groups of tied values: runs in the sorted row, for rows with a tie
    srt = np.sort(x, axis=1)
    tied = (srt[:, 1:] == srt[:, :-1]).any(axis=1)
    ties_var = np.zeros(rows)
    ties_pairs = np.zeros(rows)
    if tied.any():
        st = srt[tied]
        k = len(st)
        new_run = np.ones((k, n), dtype=bool)
        new_run[:, 1:] = st[:, 1:] != st[:, :-1]
        run_id = np.cumsum(new_run, axis=1) - 1 + (np.arange(k) * n)[:, None]
        t = np.bincount(run_id.ravel(), minlength=k * n).reshape(k, n).astype(np.float64)
        ties_var[tied] = (t * (t - 1) * (2 * t + 5)).sum(axis=1)
        ties_pairs[tied] = (t * (t - 1) / 2).sum(axis=1)
    var_s = (n * (n - 1) * (2 * n + 5) - ties_var) / 18.0
    n0 = n * (n - 1) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = s / np.sqrt((n0 - ties_pairs) * n0)
        z = np.where(var_s > 0, (s - np.sign(s)) / np.sqrt(var_s), 0.0)
    p = 2.0 * ndtr(-np.abs(z))
    if one:
        return MannKendall(*(np.asarray(a[0]) for a in (s, var_s, tau, z, p)))
    return MannKendall(s, var_s, tau, z, p)
