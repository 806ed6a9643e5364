"""Hot spots: Getis-Ord Gi* z-scores, confidence classes and the false discovery rate.

This is the crime-analysis Gi* (ArcGIS "Hot Spot Analysis", R ``sfhotspot``): binary weights
with each unit counted as its own neighbour. For unit i, with w_ij the input weights plus
w_ii = 1, W_i = Σ_j w_ij, S1_i = Σ_j w_ij², x̄ the mean and s the *population* standard
deviation of the n values,

    z_i = (Σ_j w_ij x_j − x̄ W_i) / (s · √[(n S1_i − W_i²) / (n − 1)])

(Getis & Ord 1992; Ord & Getis 1995, eq. 14). This equals esda
``G_Local(y, w, transform="B", star=True).Zs`` (esda's defaults, ``transform="R",
star=False``, give a different statistic).

Classes follow ArcGIS's ``Gi_Bin``: ±3, ±2, ±1 = hot (+) or cold (−) spot at 99 %, 95 %,
90 % confidence, 0 = not significant; with the false discovery rate (default) the
Benjamini–Hochberg procedure is applied at each of the three levels.

References
----------
Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of distance
statistics. *Geographical Analysis*, 24(3), 189–206.
Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics: distributional issues
and an application. *Geographical Analysis*, 27(4), 286–306.
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and
powerful approach to multiple testing. *Journal of the Royal Statistical Society B*, 57(1),
289–300.
Anselin, L. (1995). Local indicators of spatial association—LISA. *Geographical Analysis*,
27(2), 93–115.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtr

from urbansafety.analysis._permutation import (
    check_alpha,
    check_permutations,
    conditional_permutation,
    directed_p,
)
from urbansafety.analysis.weights import Weights
from urbansafety.analysis.weights_checks import check_no_islands, check_values, unit_label
from urbansafety.errors import InputError
from urbansafety.i18n import N_

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

# (two-sided p cut-off, class), from the widest to the strictest level.
LEVELS = ((0.10, 1), (0.05, 2), (0.01, 3))


@dataclass(frozen=True, eq=False)
class GiStar:
    """Getis-Ord Gi* for each unit (binary weights, self included).

    Attributes
    ----------
    z : numpy.ndarray
        Analytic z-scores (Ord & Getis 1995).
    p_norm : numpy.ndarray
        Two-sided normal p-values, ``2·Φ(−|z|)`` (ArcGIS ``GiPValue``; esda's ``G_Local.p_norm``
        is the one-sided ``Φ(−|z|)``).
    p_sim : numpy.ndarray or None
        Directed conditional-permutation pseudo p-values (esda's default; see
        :mod:`urbansafety.analysis._permutation`), when ``permutations > 0``.
    classes : numpy.ndarray of int8
        −3..3: ±3 = 99 %, ±2 = 95 %, ±1 = 90 % confidence hot (+) / cold (−) spot, 0 = not
        significant. From ``p_class``: ``p_norm``, or ``min(1, 2·p_sim)`` when permutations
        were run (see :func:`gi_star`).
    fdr : bool
        Whether the classes control the false discovery rate (Benjamini–Hochberg).
    permutations : int
        Number of conditional permutations (0 = analytic only).
    p_class : numpy.ndarray
        The two-sided p-value the classes were made from: ``p_norm``, or ``min(1, 2·p_sim)``
        with permutations. Show this one next to a class, not ``p_sim``.
    """

    z: np.ndarray
    p_norm: np.ndarray
    p_sim: np.ndarray | None
    classes: np.ndarray
    fdr: bool
    permutations: int
    p_class: np.ndarray


def gi_star(
    values: ArrayLike,
    w: Weights,
    *,
    permutations: int = 0,
    seed: int | None = None,
    fdr: bool = True,
) -> GiStar:
    """Return the Getis-Ord Gi* z-scores, p-values and hot/cold-spot classes of each unit.

    Parameters
    ----------
    values : array_like of float
        One value per unit, in the order of ``w`` (e.g. incident counts per grid cell).
    w : Weights
        Binary (or custom) weights with a zero diagonal; each unit is added as its own
        neighbour with weight 1. Row-standardised weights are refused.
    permutations : int
        Conditional permutations for pseudo p-values (0 = none, the ArcGIS default; 999 is
        usual otherwise).
    seed : int, optional
        Seed of the permutations (same seed and unit order, same result).
    fdr : bool
        Control the false discovery rate in the classes (Benjamini–Hochberg at 90, 95 and 99 %;
        ArcGIS's "Apply False Discovery Rate Correction").

    Returns
    -------
    GiStar

    Notes
    -----
    Which p-value makes the classes: without permutations, ``p_norm``. With permutations,
    ``min(1, 2·p_sim)``: ``p_sim`` is esda's directed pseudo p-value, the share of the tail in
    which the observation lies, about half a two-sided p-value; doubling it keeps the classes'
    meaning ("95% confidence" = two-sided 5%) the same on both paths. The sign of a class is
    the sign of ``z``.

    Raises
    ------
    InputError
        Values of the wrong length, missing or all equal; islands; row-standardised weights;
        a unit that neighbours every other unit (its Gi* has no variance).

    References
    ----------
    Getis & Ord (1992); Ord & Getis (1995); Benjamini & Hochberg (1995); Anselin (1995).
    """
    y = check_values(values, w, min_n=3)
    if w.transform == "R":
        raise InputError(
            N_("Gi* needs binary weights, not row-standardised weights."),
            hint=N_(
                "Pass the weights before row_standardised(); Gi* adds each unit itself with weight 1."
            ),
        )
    check_no_islands(w)
    permutations = check_permutations(permutations)
    a = w.matrix
    n = len(y)
    w_sum = np.asarray(a.sum(axis=1)) + 1.0
    s1 = np.asarray((a * a).sum(axis=1)) + 1.0
    spread = n * s1 - w_sum**2
    if np.any(spread <= 0):
        first = int(np.flatnonzero(spread <= 0)[0])
        raise InputError(
            N_("Unit %(first)s is a neighbour of every other unit: its Gi* has no variance."),
            hint=N_("Use a smaller distance band or fewer neighbours."),
            params={"first": unit_label(w.ids, first)},
        )
    centred = y - y.mean()
    s = np.sqrt(np.mean(centred**2))
    # Centring first: Σ w_ij (x_j − x̄) loses no digits to a large mean, unlike Σ w x − x̄ W.
    z = (a @ centred + centred) / (s * np.sqrt(spread / (n - 1)))
    p_norm = 2.0 * ndtr(-np.abs(z))
    p_sim = None
    p_class = p_norm
    if permutations:
        counts = conditional_permutation(y, a, permutations, np.random.default_rng(seed))
        p_sim = directed_p(counts.k_ge, counts.k_le, permutations)
        p_class = np.minimum(1.0, 2.0 * p_sim)
    classes = confidence_classes(z, p_class, fdr=fdr)
    return GiStar(z, p_norm, p_sim, classes, bool(fdr), permutations, p_class)


def _checked_p(p: ArrayLike) -> np.ndarray:
    arr = np.asarray(p, dtype=np.float64)
    bad = ~((arr >= 0) & (arr <= 1))
    if arr.ndim != 1 or bad.any():
        position = int(np.flatnonzero(bad)[0]) if arr.ndim == 1 else 0
        raise InputError(
            N_("p-values must be numbers from 0 to 1 (first bad value at position %(position)s)."),
            hint=N_("Pass the p-values of a statistic, one per unit, without missing values."),
            params={"position": position},
        )
    return arr


def _bh_cutoff(p_sorted: np.ndarray, alpha: float) -> float:
    """Return the largest sorted p with p_(k) ≤ α·k/n, or −1 when there is none."""
    n = len(p_sorted)
    below = np.flatnonzero(p_sorted <= alpha * np.arange(1, n + 1) / n)
    return float(p_sorted[below[-1]]) if len(below) else -1.0


def fdr_significant(p: ArrayLike, alpha: float) -> np.ndarray:
    """Return which tests are significant at false discovery rate ``alpha`` (Benjamini–Hochberg).

    With the n p-values sorted, p_(1) ≤ … ≤ p_(n), let k be the largest rank with
    p_(k) ≤ α·k/n; the tests with p ≤ p_(k) are significant (none if there is no such k).
    Equivalent to ``scipy.stats.false_discovery_control(p) <= alpha``.

    Parameters
    ----------
    p : array_like of float
        p-values in [0, 1].
    alpha : float
        False discovery rate, 0 < alpha < 1.

    Returns
    -------
    numpy.ndarray of bool

    References
    ----------
    Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and
    powerful approach to multiple testing. *JRSS B*, 57(1), 289–300.
    """
    arr = _checked_p(p)
    alpha = check_alpha(alpha)
    if len(arr) == 0:
        return np.zeros(0, dtype=bool)
    return arr <= _bh_cutoff(np.sort(arr), alpha)


def confidence_classes(z: ArrayLike, p: ArrayLike, *, fdr: bool) -> np.ndarray:
    """Return ArcGIS ``Gi_Bin`` classes (int8, −3..3) from z-scores and two-sided p-values.

    ±3: p ≤ 0.01 (99 % confidence), ±2: p ≤ 0.05 (95 %), ±1: p ≤ 0.10 (90 %), 0 otherwise;
    the sign is that of z (+ hot, − cold). With ``fdr``, "p ≤ level" is replaced by the
    Benjamini–Hochberg decision at that level, for each of the three levels.

    Parameters
    ----------
    z : array_like of float
        z-scores (sign = direction).
    p : array_like of float
        Two-sided p-values in [0, 1].
    fdr : bool
        Apply the false discovery rate correction.

    Returns
    -------
    numpy.ndarray of int8

    References
    ----------
    Getis & Ord (1992); Ord & Getis (1995); Benjamini & Hochberg (1995).
    """
    p_arr = _checked_p(p)
    z_arr = np.asarray(z, dtype=np.float64)
    if z_arr.shape != p_arr.shape:
        raise InputError(
            N_("There are %(n_z)s z-scores for %(n_p)s p-values."),
            hint=N_("Give one z-score and one p-value per unit."),
            params={"n_z": z_arr.size, "n_p": p_arr.size},
        )
    level = np.zeros(len(p_arr), dtype=np.int8)
    p_sorted = np.sort(p_arr) if fdr else p_arr
    for alpha, value in LEVELS:
        cutoff = _bh_cutoff(p_sorted, alpha) if fdr else alpha
        level[p_arr <= cutoff] = value
    return (level * np.sign(z_arr)).astype(np.int8)
