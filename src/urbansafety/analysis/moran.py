"""Spatial autocorrelation: global Moran's I and Local Moran (LISA) with clusters.

Both use row-standardised weights (as esda does by default): the input :class:`Weights` are
row-standardised here, whatever their transform.

Global (Moran 1950; moments of Cliff & Ord 1981): with z = y − ȳ and S0 the sum of weights,

    I = (n / S0) · Σ_ij w_ij z_i z_j / Σ_i z_i²,   E[I] = −1 / (n − 1),

variance under normality (``VI_norm``) and under randomisation (``VI_rand``), two-sided
normal p-values (esda's default ``two_tailed=True``; R's ``moran.test`` is one-sided).

Local (Anselin 1995), esda's convention: with z standardised by the population standard
deviation, ``Is_i = (n − 1) · z_i · Σ_j w_ij z_j / Σ_k z_k²`` (so Σ Is / n = I·(n − 1)/n;
R ``spdep::localmoran`` divides by n instead of n − 1: multiply by n/(n − 1) to compare).
Quadrants ``q``: 1 HH, 2 LH, 3 LL, 4 HL, from the signs of z_i and its lag.

References
----------
Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. *Biometrika*, 37(1/2), 17–23.
Cliff, A. D. & Ord, J. K. (1981). *Spatial Processes: Models and Applications*. London: Pion.
Anselin, L. (1995). Local indicators of spatial association—LISA. *Geographical Analysis*,
27(2), 93–115.
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. *Journal of the
Royal Statistical Society B*, 57(1), 289–300.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtr

from urbansafety.analysis._permutation import (
    BLOCK_ELEMENTS,
    TIE_RTOL,
    check_alpha,
    check_permutations,
    conditional_permutation,
    directed_p,
)
from urbansafety.analysis.hotspots import fdr_significant
from urbansafety.analysis.weights import Weights
from urbansafety.analysis.weights_checks import check_no_islands, check_values

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

QUADRANT_LABELS = np.array(["ns", "HH", "LH", "LL", "HL"])


@dataclass(frozen=True)
class Moran:
    """Global Moran's I with its moments and p-values (names as in esda ``Moran``).

    Attributes
    ----------
    I : float
        Moran's I.
    EI : float
        Expected value under the null, −1/(n − 1).
    VI_norm, VI_rand : float
        Variance under normality and under randomisation.
    z_norm, z_rand : float
        (I − EI) / √V for each variance.
    p_norm, p_rand : float
        Two-sided normal p-values of z_norm and z_rand.
    p_sim : float or None
        Directed permutation pseudo p-value, ``(min(k_ge, k_le) + 1) / (permutations + 1)``.
    EI_sim, VI_sim, z_sim : float or None
        Mean and variance of I over the permutations, and (I − EI_sim) / √VI_sim.
    permutations : int
        Number of random permutations (0 = none).
    """

    I: float  # noqa: E741 -- the published name
    EI: float
    VI_norm: float
    VI_rand: float
    z_norm: float
    z_rand: float
    p_norm: float
    p_rand: float
    p_sim: float | None
    EI_sim: float | None
    VI_sim: float | None
    z_sim: float | None
    permutations: int


def moran(
    values: ArrayLike, w: Weights, *, permutations: int = 999, seed: int | None = None
) -> Moran:
    """Return global Moran's I of ``values`` with row-standardised ``w``.

    Parameters
    ----------
    values : array_like of float
        One value per unit, in the order of ``w``.
    w : Weights
        Spatial weights; row-standardised here (esda's default ``transformation="r"``).
    permutations : int
        Random permutations of all values for ``p_sim`` (0 = none).
    seed : int, optional
        Seed of the permutations.

    Returns
    -------
    Moran

    Notes
    -----
    Equals esda ``Moran(y, w)`` for I, EI, VI_norm, VI_rand, z_norm, z_rand, p_norm, p_rand.
    ``p_sim`` uses the same directed rule as esda but counts ties with the observed I in both
    tails (see :mod:`urbansafety.analysis._permutation`). The permutations are processed in
    batches; memory stays O(n), not O(n × permutations).

    References
    ----------
    Moran (1950); Cliff & Ord (1981).
    """
    y = check_values(values, w, min_n=4)
    check_no_islands(w)
    permutations = check_permutations(permutations)
    mat = w.row_standardised().matrix
    n = len(y)
    z = y - y.mean()
    z2ss = float(z @ z)
    s0 = float(mat.data.sum())
    sym = mat + mat.T
    s1 = 0.5 * float((sym.data**2).sum())
    s2 = float(((np.asarray(mat.sum(axis=1)) + np.asarray(mat.sum(axis=0))) ** 2).sum())
    i_obs = n / s0 * float(z @ (mat @ z)) / z2ss
    ei = -1.0 / (n - 1)
    vi_norm = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n - 1) * (n + 1) * s0 * s0) - ei * ei
    kurt = (np.sum(z**4) / n) / (z2ss / n) ** 2
    a = n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0)
    b = kurt * ((n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0)
    vi_rand = (a - b) / ((n - 1) * (n - 2) * (n - 3) * s0 * s0) - ei * ei
    z_norm = (i_obs - ei) / np.sqrt(vi_norm)
    z_rand = (i_obs - ei) / np.sqrt(vi_rand)
    p_sim = ei_sim = vi_sim = z_sim = None
    if permutations:
        rng = np.random.default_rng(seed)
        sims = np.empty(permutations)
        batch = max(1, BLOCK_ELEMENTS // n)
        for start in range(0, permutations, batch):
            rows = min(batch, permutations - start)
            shuffled = rng.permuted(np.tile(z, (rows, 1)), axis=1)
            cross = np.einsum("ij,ji->i", shuffled, mat @ shuffled.T)
            sims[start : start + rows] = n / s0 * cross / z2ss
        abs_z = np.abs(z)
        tol = TIE_RTOL * n / s0 * float(abs_z @ (mat @ abs_z)) / z2ss
        k_ge = np.count_nonzero(sims >= i_obs - tol)
        k_le = np.count_nonzero(sims <= i_obs + tol)
        p_sim = float(directed_p(np.array(k_ge), np.array(k_le), permutations))
        ei_sim = float(sims.mean())
        vi_sim = float(sims.var())
        z_sim = float((i_obs - ei_sim) / np.sqrt(vi_sim)) if vi_sim > 0 else float("nan")
    return Moran(
        I=i_obs,
        EI=ei,
        VI_norm=float(vi_norm),
        VI_rand=float(vi_rand),
        z_norm=float(z_norm),
        z_rand=float(z_rand),
        p_norm=float(2.0 * ndtr(-abs(z_norm))),
        p_rand=float(2.0 * ndtr(-abs(z_rand))),
        p_sim=p_sim,
        EI_sim=ei_sim,
        VI_sim=vi_sim,
        z_sim=z_sim,
        permutations=permutations,
    )


@dataclass(frozen=True, eq=False)
class LocalMoran:
    """Local Moran (LISA) of each unit (names as in esda ``Moran_Local``).

    Attributes
    ----------
    Is : numpy.ndarray
        Local Moran statistics, esda's scaling (n − 1).
    q : numpy.ndarray of int
        Quadrant: 1 HH, 2 LH, 3 LL, 4 HL (esda's default numbering).
    p_sim : numpy.ndarray or None
        Directed conditional-permutation pseudo p-values (None without permutations).
    z_sim, EI_sim, VI_sim : numpy.ndarray or None
        (Is − EI_sim)/√VI_sim, mean and population variance of Is under the permutations.
        ``z_sim`` is NaN for a unit whose value equals the mean exactly (Is ≡ 0).
    clusters : numpy.ndarray of str or None
        "HH", "LL", "HL", "LH" where significant at ``alpha`` (``p_sim ≤ alpha``, or the
        Benjamini–Hochberg decision with ``fdr``), "ns" elsewhere; None without permutations.
    alpha : float
        Significance level of the clusters.
    fdr : bool
        Whether the clusters control the false discovery rate.
    permutations : int
        Number of conditional permutations.
    """

    Is: np.ndarray
    q: np.ndarray
    p_sim: np.ndarray | None
    z_sim: np.ndarray | None
    EI_sim: np.ndarray | None
    VI_sim: np.ndarray | None
    clusters: np.ndarray | None
    alpha: float
    fdr: bool
    permutations: int


def local_moran(
    values: ArrayLike,
    w: Weights,
    *,
    permutations: int = 999,
    seed: int | None = None,
    alpha: float = 0.05,
    fdr: bool = False,
) -> LocalMoran:
    """Return the Local Moran statistics, quadrants, pseudo p-values and LISA clusters.

    Parameters
    ----------
    values : array_like of float
        One value per unit, in the order of ``w``.
    w : Weights
        Spatial weights; row-standardised here.
    permutations : int
        Conditional permutations (Anselin 1995) for ``p_sim`` (0 = none: no p-values and no
        clusters, only ``Is`` and ``q``).
    seed : int, optional
        Seed of the permutations (same seed and unit order, same result).
    alpha : float
        Significance level of the clusters.
    fdr : bool
        Control the false discovery rate among the clusters (Benjamini–Hochberg at ``alpha``).

    Returns
    -------
    LocalMoran

    Notes
    -----
    ``Is`` and ``q`` equal esda ``Moran_Local(y, w)``. ``p_sim`` follows esda's default
    directed rule (the tail in which the observation lies, about half a two-sided p-value; as
    GeoDa), with ties counted in both tails; a unit whose value equals the mean has Is ≡ 0
    under every permutation and gets ``p_sim = 1`` (esda gives it 1/(permutations + 1)).
    Clusters use ``p_sim ≤ alpha`` (esda's ``get_cluster_labels`` uses ``<``). Permutation
    p-values depend on the random generator: they are reproducible with a seed but will not
    equal esda's digit for digit.

    References
    ----------
    Anselin (1995); Benjamini & Hochberg (1995).
    """
    y = check_values(values, w, min_n=3)
    check_no_islands(w)
    permutations = check_permutations(permutations)
    alpha = check_alpha(alpha)
    mat = w.row_standardised().matrix
    n = len(y)
    mean = y.mean()
    sd = y.std()
    z = (y - mean) / sd
    den = float(z @ z)
    lag = mat @ z
    local = (n - 1) * z * lag / den
    high, high_lag = z > 0, lag > 0
    q = np.where(high, np.where(high_lag, 1, 4), np.where(high_lag, 2, 3))
    p_sim = z_sim = ei_sim = vi_sim = clusters = None
    if permutations:
        counts = conditional_permutation(
            y, mat, permutations, np.random.default_rng(seed), moments=True
        )
        assert counts.mean is not None and counts.var is not None
        p_sim = directed_p(counts.k_ge, counts.k_le, permutations)
        # Is under a permutation = slope · (S − ȳ·W_i), S the permuted weighted sum of y.
        slope = (n - 1) * z / (den * sd)
        flat = np.abs(y - mean) <= TIE_RTOL * np.max(np.abs(y))
        slope[flat] = 0.0
        p_sim[flat] = 1.0
        row_sum = np.asarray(mat.sum(axis=1))
        ei_sim = slope * (counts.mean - mean * row_sum)
        vi_sim = slope**2 * counts.var
        with np.errstate(divide="ignore", invalid="ignore"):
            z_sim = (local - ei_sim) / np.sqrt(vi_sim)
        significant = fdr_significant(p_sim, alpha) if fdr else p_sim <= alpha
        clusters = np.where(significant, QUADRANT_LABELS[q], "ns")
    return LocalMoran(
        Is=local,
        q=q,
        p_sim=p_sim,
        z_sim=z_sim,
        EI_sim=ei_sim,
        VI_sim=vi_sim,
        clusters=clusters,
        alpha=alpha,
        fdr=bool(fdr),
        permutations=permutations,
    )
