"""Emerging hot spots: how each unit's hot or cold spot status changes over periods (years).

As ArcGIS Pro's *Emerging Hot Spot Analysis*: a Getis-Ord Gi* z-score and p-value for every
unit and period, a Mann–Kendall trend test on each unit's series of z-scores, then one
pattern per unit. Bins are *hot* when significant (p ≤ alpha, after the false discovery rate
correction by default) with z > 0, *cold* when significant with z < 0. With n periods:

* **90% rule**: "at least 90% of the periods" means ``hot periods ≥ 0.9 · n`` (all of them
  when n < 10); "less than 90 %" its negation.
* **trend**: Mann–Kendall on the unit's z-scores, significant when its two-sided p ≤ alpha
  (``trend_alpha``); rising z (S > 0) intensifies a hot spot and weakens a cold spot.

Hot spots (cold spots are the mirror image, with "rising" and "falling" swapped):

* ``historical_hot``: hot in ≥ 90 % of periods, but not in the final one.
* ``intensifying_hot``: hot in ≥ 90 % of periods including the final one; z rising
  significantly.
* ``diminishing_hot``: hot in ≥ 90 % of periods including the final one; z falling
  significantly.
* ``persistent_hot``: hot in ≥ 90 % of periods including the final one; no significant trend.
* ``new_hot``: hot in the final period only, never significant before (neither hot nor cold).
* ``consecutive_hot``: a single uninterrupted run of ≥ 2 hot periods ending with the final
  one, never hot before the run, never cold, and < 90 % of periods hot.
* ``sporadic_hot``: hot in the final period and also before the final run (on and off),
  < 90 % of periods hot, never cold.
* ``oscillating_hot``: hot in the final period, cold in at least one earlier period, < 90 %
  of periods hot.
* ``no_pattern``: none of the above, hot or cold.

Order of the rules, where Esri's wording leaves overlaps: the two 90 % families come first
(they cannot both hold), then the final period decides between hot and cold patterns. Hence
a unit hot in ≥ 90 % of periods whose final period is not hot is *historical*, never
*persistent*; and a unit with any earlier significant cold period that is hot at the end is
*oscillating*, not *new* or *consecutive* (sfdep agrees). A unit whose final period is not
significant and that is below 90 % is *no pattern*: ArcGIS Pro's sporadic and oscillating
patterns require the final period (older ArcMap wording of sporadic did not).

Gi* per period (the default, ``time_lag=None``) standardises each period by its own mean and
standard deviation: a unit is hot *relative to that year*, so a city-wide rise or fall does
not turn every unit intensifying or diminishing. ``time_lag=k`` instead computes Gi* once on
the whole space-time cube, ArcGIS's way: a bin's neighbours are its spatial neighbours (and
itself) in the same and the k previous periods, with the cube's mean and standard deviation
(ArcGIS's default neighbourhood time step is 1).

References
----------
Esri. How Emerging Hot Spot Analysis works. ArcGIS Pro tool reference, Space Time Pattern
Mining toolbox (pro.arcgis.com, ``learnmoreemerging.htm``).
Mann, H. B. (1945). Nonparametric tests against trend. *Econometrica*, 13(3), 245–259.
Kendall, M. G. (1975). *Rank Correlation Methods*, 4th ed. London: Griffin.
Gilbert, R. O. (1987). *Statistical Methods for Environmental Pollution Monitoring*. Van
Nostrand Reinhold, ch. 16 (variance with ties, continuity correction).
Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of distance
statistics. *Geographical Analysis*, 24(3), 189–206.
Parry, J. (2023). sfdep: ``emerging_hotspot_analysis`` (R package; ``JosiahParry/sfdep``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from urbansafety.analysis._permutation import check_alpha
from urbansafety.analysis.mannkendall import _matrix, mann_kendall
from urbansafety.errors import InputError
from urbansafety.i18n import N_

if TYPE_CHECKING:
    from urbansafety.analysis.weights import Weights

_PATTERNS = (
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
)
CLASSES: tuple[str, ...] = (
    *(f"{p}_hot" for p in _PATTERNS),
    *(f"{p}_cold" for p in _PATTERNS),
    "no_pattern",
)


def _final_run(flags: np.ndarray) -> np.ndarray:
    """Return the length of the run of True values ending at the last column, per row."""
    rev = flags[:, ::-1]
    return np.where(rev.all(axis=1), flags.shape[1], np.argmin(rev, axis=1))


def classify(
    z: np.ndarray,
    p: np.ndarray | None = None,
    *,
    alpha: float = 0.05,
    significant: np.ndarray | None = None,
    trend_alpha: float | None = None,
) -> np.ndarray:
    """Return each unit's emerging hot spot pattern (a code of :data:`CLASSES`).

    Parameters
    ----------
    z
        Gi* z-scores, units × periods (oldest period first).
    p
        Their two-sided p-values; a bin is significant when ``p ≤ alpha``.
    alpha
        Significance level of the bins (when ``p`` is given) and of the trend.
    significant
        Boolean units × periods, instead of ``p`` (e.g. a false discovery rate decision).
    trend_alpha
        Significance level of the Mann–Kendall trend; default ``alpha``.

    Returns
    -------
    numpy.ndarray of str
        One code per unit, e.g. ``"intensifying_hot"``; the rules are in the module docstring.

    References
    ----------
    Esri. How Emerging Hot Spot Analysis works (ArcGIS Pro).
    """
    zm = _matrix(z, "z")
    alpha = check_alpha(alpha)
    trend_alpha = alpha if trend_alpha is None else check_alpha(trend_alpha)
    if (p is None) == (significant is None):
        raise InputError(
            N_("Give either the p-values or the significance of each bin, not both or neither."),
            hint=N_("Pass p= (compared with alpha) or significant= (True/False per bin)."),
        )
    if significant is not None:
        sig = np.asarray(significant)
        if sig.dtype != bool:
            raise InputError(
                N_("significant must hold True/False values, not %(dtype)s."),
                hint=N_("Compare the p-values with the level first, e.g. p <= 0.05."),
                params={"dtype": str(sig.dtype)},
            )
    else:
        pm = _matrix(np.asarray(p), "p")
        if np.any((pm < 0) | (pm > 1)):
            raise InputError(
                N_("p-values must be numbers from 0 to 1."),
                hint=N_("Pass the two-sided p-values of the Gi* z-scores."),
            )
        sig = pm <= alpha
    if sig.shape != zm.shape:
        raise InputError(
            N_("z has shape %(z)s but the p-values or significance have shape %(p)s."),
            hint=N_("Give the same units × periods table for both."),
            params={"z": str(zm.shape), "p": str(sig.shape)},
        )
    trend = mann_kendall(zm)
    return _patterns(zm, sig, trend.S, trend.p, trend_alpha)


def _patterns(
    z: np.ndarray, sig: np.ndarray, s: np.ndarray, trend_p: np.ndarray, trend_alpha: float
) -> np.ndarray:
    n = z.shape[1]
    rising = (s > 0) & (trend_p <= trend_alpha)
    falling = (s < 0) & (trend_p <= trend_alpha)
    out = np.full(z.shape[0], "no_pattern", dtype=object)
    hot, cold = sig & (z > 0), sig & (z < 0)
    n_hot, n_cold = hot.sum(axis=1), cold.sum(axis=1)
    # "at least 90 % of the periods", in integers: 10·k ≥ 9·n
    hot90, cold90 = 10 * n_hot >= 9 * n, 10 * n_cold >= 9 * n
    below = ~hot90 & ~cold90
    for kind, mine, n_mine, n_other, m90, stronger, weaker in (
        ("hot", hot, n_hot, n_cold, hot90, rising, falling),
        ("cold", cold, n_cold, n_hot, cold90, falling, rising),
    ):
        last = mine[:, -1]
        run = _final_run(mine)
        out[m90 & ~last] = f"historical_{kind}"
        out[m90 & last & stronger] = f"intensifying_{kind}"
        out[m90 & last & weaker] = f"diminishing_{kind}"
        out[m90 & last & ~stronger & ~weaker] = f"persistent_{kind}"
        end = below & last
        # the final period is "mine", so any bin of the other kind is an earlier one
        out[end & (n_other > 0)] = f"oscillating_{kind}"
        only_run = end & (n_other == 0) & (n_mine == run)
        out[only_run & (run == 1)] = f"new_{kind}"
        out[only_run & (run >= 2)] = f"consecutive_{kind}"
        out[end & (n_other == 0) & (n_mine > run)] = f"sporadic_{kind}"
    return out.astype(str)


@dataclass(frozen=True, eq=False)
class EmergingHotSpots:
    """Emerging hot spot patterns of the units, with the Gi* and trend results behind them.

    Attributes
    ----------
    classes
        Pattern code of each unit (:data:`CLASSES`).
    trend_tau, trend_z, trend_p
        Mann–Kendall tau, z and two-sided p of each unit's Gi* z-scores over the periods.
    z, p
        Gi* z-scores and two-sided p-values, units × periods.
    significant
        Bins counted as significant (units × periods), after the false discovery rate
        correction when ``fdr``.
    periods
        The period labels, oldest first.
    alpha, fdr, time_lag
        The settings used (``time_lag`` None = Gi* per period).
    """

    classes: np.ndarray
    trend_tau: np.ndarray
    trend_z: np.ndarray
    trend_p: np.ndarray
    z: np.ndarray
    p: np.ndarray
    significant: np.ndarray
    periods: tuple[object, ...]
    alpha: float
    fdr: bool
    time_lag: int | None

    def summary(self) -> pd.Series:
        """Return the number of units with each pattern, in the order of :data:`CLASSES`."""
        counts = pd.Series(self.classes).value_counts()
        return counts.reindex(list(CLASSES), fill_value=0).rename("units")


def _space_time_weights(w: Weights, n_periods: int, time_lag: int) -> Weights:
    """Return binary weights over the bins (period-major) for the cube Gi* of ArcGIS."""
    import scipy.sparse as sp

    from urbansafety.analysis.weights import Weights

    n = w.n
    spatial = (w.matrix != 0).astype(np.float64) + sp.identity(n, format="csr")
    # lag[t, t'] = 1 when t' is t or one of the time_lag periods before it
    lag = sp.diags(
        [1.0] * (time_lag + 1), [-k for k in range(time_lag + 1)], shape=(n_periods, n_periods)
    )
    cube = sp.kron(lag, spatial, format="csr") - sp.identity(n * n_periods, format="csr")
    cube = sp.csr_array(cube)
    cube.eliminate_zeros()
    cube.sort_indices()
    return Weights(cube, "custom", None, "B")


def emerging_hotspots(
    counts: np.ndarray,
    w: Weights,
    *,
    periods: Sequence[object],
    alpha: float = 0.05,
    fdr: bool = True,
    time_lag: int | None = None,
) -> EmergingHotSpots:
    """Return the emerging hot spot pattern of each unit from its counts over periods.

    Parameters
    ----------
    counts
        Incidents per unit (rows, in the order of ``w``) and period (columns, oldest first).
    w
        Binary spatial weights of the units (e.g. ``grid_contiguity(ix, iy, "queen")``).
    periods
        One label per column (e.g. years).
    alpha
        Significance level of the Gi* bins and of the Mann–Kendall trend.
    fdr
        Decide the bins' significance with the Benjamini–Hochberg false discovery rate at
        ``alpha`` (ArcGIS applies it), per period, or over the whole cube with ``time_lag``.
    time_lag
        None: Gi* per period (each period's own mean and standard deviation). An integer k ≥ 0:
        Gi* over the space-time cube, neighbours in the same and k previous periods.

    Notes
    -----
    A period in which every unit has the same count (e.g. no incident at all) has no Gi*
    (zero variance): its z-scores are set to 0 and its p-values to 1, i.e. not significant.

    References
    ----------
    Esri. How Emerging Hot Spot Analysis works (ArcGIS Pro).
    Getis & Ord (1992); Mann (1945); Kendall (1975).
    """
    from urbansafety.analysis.hotspots import fdr_significant, gi_star

    x = _matrix(counts, "counts")
    alpha = check_alpha(alpha)
    labels = tuple(periods)
    n_units, n_periods = x.shape
    if len(labels) != n_periods:
        raise InputError(
            N_("There are %(n_labels)s period labels for %(n)s columns of counts."),
            hint=N_("Give one label (e.g. a year) per column, oldest first."),
            params={"n_labels": len(labels), "n": n_periods},
        )
    if np.any(x < 0):
        raise InputError(
            N_("%(n)s count(s) are negative."),
            hint=N_("Counts of incidents are whole numbers ≥ 0; use 0 for a unit without any."),
            params={"n": int((x < 0).sum())},
        )
    z: np.ndarray
    p: np.ndarray
    sig: np.ndarray
    if time_lag is None:
        z = np.zeros_like(x)
        p = np.ones_like(x)
        sig = np.zeros(x.shape, dtype=bool)
        for t in range(n_periods):
            col = x[:, t]
            if np.all(col == col[0]):
                continue
            gi = gi_star(col, w, permutations=0, fdr=False)
            z[:, t], p[:, t] = gi.z, gi.p_norm
            sig[:, t] = fdr_significant(gi.p_norm, alpha) if fdr else gi.p_norm <= alpha
    else:
        if not (isinstance(time_lag, int | np.integer) and 0 <= time_lag < n_periods):
            raise InputError(
                N_("The time lag must be a whole number from 0 to %(max)s, not %(value)s."),
                hint=N_("ArcGIS uses 1: a bin's neighbours include the previous period."),
                params={"max": n_periods - 1, "value": time_lag},
            )
        cube_w = _space_time_weights(w, n_periods, int(time_lag))
        gi = gi_star(x.T.ravel(), cube_w, permutations=0, fdr=False)
        z = gi.z.reshape(n_periods, n_units).T.copy()
        p = gi.p_norm.reshape(n_periods, n_units).T.copy()
        flat = fdr_significant(gi.p_norm, alpha) if fdr else gi.p_norm <= alpha
        sig = flat.reshape(n_periods, n_units).T.copy()
    trend = mann_kendall(z)
    classes = _patterns(z, sig, trend.S, trend.p, alpha)
    return EmergingHotSpots(
        classes=classes,
        trend_tau=trend.tau,
        trend_z=trend.z,
        trend_p=trend.p,
        z=z,
        p=p,
        significant=sig,
        periods=labels,
        alpha=alpha,
        fdr=bool(fdr),
        time_lag=None if time_lag is None else int(time_lag),
    )
