"""The law of crime concentration: Gini, generalized Gini, Lorenz curve, shares of places.

Input: one count of incidents per spatial unit (street segment, address, grid cell), zeros
included: the units without crime are half the story.

Definitions (n units, C incidents, counts x):

* Gini (biased, as DescTools ``Gini(unbiased = FALSE)``):
  ``G = Σ_i (2i − n − 1) · x_(i) / (n · C)`` with x sorted ascending; equal to the mean
  absolute difference over twice the mean, ``Σ_i Σ_j |x_i − x_j| / (2 n C)``.
  Unbiased: ``G · n / (n − 1)`` (Deltas 2003).
* Generalized Gini for sparse data (Bernasco & Steenbeek 2017): when there are more units
  than incidents, the most equal possible distribution puts one incident in each of C units,
  so the line of maximum equality runs from (0, 0) to (C/n, 1) and
  ``G' = max(1, n/C) · (G − 1) + 1``; unbiased ``G' · m / (m − 1)`` with ``m = min(n, C)``.
  With ``C ≥ n`` it equals G.
* Lorenz curve for places: units ranked from most to least incidents; x = share of units,
  y = cumulative share of incidents, from (0, 0) to (1, 1).
* ``share_units_25`` / ``share_units_50``: the smallest number k of top-ranked units whose
  incidents add up to at least 25 % (50 %) of all incidents, divided by n (no interpolation:
  "12 of 1,000 segments, 1.2 %"). ``share_units_with_crime``: units with at least one
  incident over n (the share holding 100 %).

Choices: counts must be whole numbers ≥ 0 (the generalized Gini is about discrete events);
:func:`gini` alone also accepts fractional values (e.g. severity-weighted counts). With all
counts 0 the concentration is undefined and an :class:`~urbansafety.errors.InputError` is
raised. An unbiased value whose correction divides by 0 (one unit; or a single incident for
the generalized version) is NaN.

References
----------
Weisburd, D. (2015). The law of crime concentration and the criminology of place.
*Criminology*, 53(2), 133–157.
Bernasco, W., & Steenbeek, W. (2017). More places than crimes: Implications for evaluating
the law of crime concentration at place. *Journal of Quantitative Criminology*, 33(3),
451–467. https://doi.org/10.1007/s10940-016-9324-7
Deltas, G. (2003). The small-sample bias of the Gini coefficient. *Review of Economics and
Statistics*, 85(1), 226–234.
Steenbeek, W., & Bernasco, W. (2018). lorenzgini: generalized Gini for sparse data
situations, R package 0.1.2 (``wsteenbeek/lorenzgini``, R/gini.R).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from urbansafety.errors import InputError
from urbansafety.i18n import N_


@dataclass(frozen=True, eq=False)
class Concentration:
    """How concentrated incidents are across spatial units.

    Attributes
    ----------
    n_units, n_crimes
        Number of units (zeros included) and of incidents.
    gini, gini_unbiased
        Gini coefficient and its small-sample correction ``G · n / (n − 1)``.
    generalized_gini, generalized_gini_unbiased
        Bernasco & Steenbeek's G' and ``G' · m / (m − 1)``, ``m = min(n_units, n_crimes)``.
    n_units_25, n_units_50
        Smallest number of top-ranked units holding ≥ 25 % / ≥ 50 % of the incidents.
    share_units_25, share_units_50
        The same divided by ``n_units``.
    share_units_with_crime
        Share of units with at least one incident (they hold 100 %).
    lorenz
        Columns ``units_share``, ``crime_share`` (0..1), ``n_units + 1`` rows from (0, 0),
        units ranked from most to least incidents.
    """

    n_units: int
    n_crimes: float
    gini: float
    gini_unbiased: float
    generalized_gini: float
    generalized_gini_unbiased: float
    n_units_25: int
    n_units_50: int
    share_units_25: float
    share_units_50: float
    share_units_with_crime: float
    lorenz: pd.DataFrame


def _counts(counts: np.ndarray | pd.Series | list[float], *, whole: bool) -> np.ndarray:
    x = np.asarray(counts, dtype=float).ravel()
    if x.size == 0:
        raise InputError(
            N_("There are no spatial units to compare."),
            hint=N_("Give one count per unit, zeros included."),
        )
    bad = ~np.isfinite(x) | (x < 0)
    if bad.any():
        raise InputError(
            N_("%(n)s count(s) are negative or missing (first: %(value)s)."),
            hint=N_("Counts of incidents are whole numbers ≥ 0; use 0 for a unit without any."),
            params={"n": int(bad.sum()), "value": x[bad][0]},
        )
    if whole and np.any(x != np.floor(x)):
        raise InputError(
            N_("%(n)s count(s) are not whole numbers (first: %(value)s)."),
            hint=N_(
                "Concentration is measured on counts of incidents; use gini() for weighted values."
            ),
            params={"n": int((x != np.floor(x)).sum()), "value": x[x != np.floor(x)][0]},
        )
    if not x.sum() > 0:
        raise InputError(
            N_("All %(n)s units have 0 incidents: concentration is undefined."),
            hint=N_("Choose a period, area or category with at least one incident."),
            params={"n": x.size},
        )
    return x


def _gini_sorted(x_asc: np.ndarray) -> float:
    n = x_asc.size
    rank_weight = 2.0 * np.arange(1, n + 1, dtype=np.float64) - n - 1.0
    return float(np.dot(rank_weight, x_asc) / (n * x_asc.sum()))


def _unbiased(g: float, m: float) -> float:
    return g * m / (m - 1.0) if m > 1 else float("nan")


def _generalize(g: float, n: int, c: float) -> float:
    return max(1.0, n / c) * (g - 1.0) + 1.0


def gini(counts: np.ndarray | pd.Series | list[float], *, unbiased: bool = False) -> float:
    """Return the Gini coefficient of values ≥ 0 across units (biased unless ``unbiased``).

    References
    ----------
    Deltas, G. (2003). *Review of Economics and Statistics*, 85(1), 226–234.
    Signorell, A. et al. DescTools: ``Gini()`` (the formula lorenzgini builds on).
    """
    x = np.sort(_counts(counts, whole=False))
    g = _gini_sorted(x)
    return _unbiased(g, x.size) if unbiased else g


def generalized_gini(
    counts: np.ndarray | pd.Series | list[int], *, unbiased: bool = False
) -> float:
    """Return Bernasco & Steenbeek's generalized Gini of whole counts (biased unless ``unbiased``).

    References
    ----------
    Bernasco, W., & Steenbeek, W. (2017). *Journal of Quantitative Criminology*, 33(3),
    451–467, eq. 3.
    """
    x = np.sort(_counts(counts, whole=True))
    c = float(x.sum())
    g = _generalize(_gini_sorted(x), x.size, c)
    return _unbiased(g, min(x.size, c)) if unbiased else g


def _lorenz(x_desc: np.ndarray) -> pd.DataFrame:
    n = x_desc.size
    cum = np.concatenate([[0.0], np.cumsum(x_desc)])
    return pd.DataFrame(
        {
            "units_share": np.arange(n + 1, dtype=np.float64) / n,
            "crime_share": cum / cum[-1],
        }
    )


def lorenz_curve(counts: np.ndarray | pd.Series | list[float]) -> pd.DataFrame:
    """Return the Lorenz curve for places: units ranked high→low, cumulative crime share.

    Columns ``units_share`` and ``crime_share``, both from 0 to 1; ``n + 1`` rows starting
    at (0, 0). The curve lies above the diagonal.

    References
    ----------
    Bernasco, W., & Steenbeek, W. (2017), fig. 1 (x axis: units from most to least crime).
    """
    return _lorenz(np.sort(_counts(counts, whole=False))[::-1])


def concentration(counts: np.ndarray | pd.Series | list[int]) -> Concentration:
    """Return the concentration of incidents across units (Gini, G', Lorenz, 25 % / 50 % shares).

    Parameters
    ----------
    counts
        Whole numbers ≥ 0, one per unit, units without incidents included.

    References
    ----------
    Weisburd, D. (2015). *Criminology*, 53(2), 133–157.
    Bernasco, W., & Steenbeek, W. (2017). *Journal of Quantitative Criminology*, 33(3),
    451–467.
    """
    x = np.sort(_counts(counts, whole=True))
    n = x.size
    c = float(x.sum())
    g = _gini_sorted(x)
    gg = _generalize(g, n, c)
    desc = x[::-1]
    cum = np.cumsum(desc)
    # whole counts: cum and c·q are exact in float64, so "≥" has no rounding edge
    k25 = int(np.searchsorted(cum, 0.25 * c, side="left")) + 1
    k50 = int(np.searchsorted(cum, 0.50 * c, side="left")) + 1
    return Concentration(
        n_units=n,
        n_crimes=c,
        gini=g,
        gini_unbiased=_unbiased(g, n),
        generalized_gini=gg,
        generalized_gini_unbiased=_unbiased(gg, min(n, c)),
        n_units_25=k25,
        n_units_50=k50,
        share_units_25=k25 / n,
        share_units_50=k50 / n,
        share_units_with_crime=float(np.count_nonzero(x)) / n,
        lorenz=_lorenz(desc),
    )


@dataclass(frozen=True, eq=False)
class GiniInterval:
    """A bootstrap confidence interval of a (generalized) Gini coefficient."""

    estimate: float
    ci_low: float
    ci_high: float
    confidence_level: float
    n_resamples: int
    generalized: bool
    unbiased: bool


def _gini_table(
    values: np.ndarray, freq: np.ndarray, generalized: bool, unbiased: bool
) -> np.ndarray:
    """Return the Gini of samples given as frequencies (rows) of the sorted distinct values."""
    freq = np.atleast_2d(freq).astype(np.float64)
    n = freq.sum(axis=1)
    c = freq @ values
    before = np.cumsum(freq, axis=1) - freq
    # ranks a+1..a+f of a tied group add f·(2a + f − n) to Σ (2i − n − 1)
    num = (freq * (2.0 * before + freq - n[:, None])) @ values
    with np.errstate(divide="ignore", invalid="ignore"):
        g = num / (n * c)
        m = n
        if generalized:
            g = np.maximum(1.0, n / c) * (g - 1.0) + 1.0
            m = np.minimum(n, c)
        if unbiased:
            g = np.where(m > 1, g * m / (m - 1.0), np.nan)
    return g


def gini_interval(
    counts: np.ndarray | pd.Series | list[int],
    *,
    generalized: bool = True,
    unbiased: bool = True,
    confidence_level: float = 0.95,
    n_resamples: int = 1000,
    seed: int = 0,
) -> GiniInterval:
    """Return a BCa bootstrap confidence interval of the (generalized) Gini, as lorenzgini does.

    Units are resampled with replacement (n of them, ``n_resamples`` times, seeded). Because
    the Gini depends only on how many units have each count, a resample is drawn as a
    multinomial over the distinct counts, and the jackknife needed by the BCa correction has
    one value per distinct count: the cost does not grow with the number of units. The
    interval is the bias-corrected and accelerated percentile interval (Efron 1987), the
    default of ``scipy.stats.bootstrap`` and of lorenzgini (``boot.ci(type = "bca")``).
    Resamples whose Gini is undefined (all zero) are left out.

    References
    ----------
    Efron, B. (1987). Better bootstrap confidence intervals. *Journal of the American
    Statistical Association*, 82(397), 171–185.
    Bernasco, W., & Steenbeek, W. (2017). *Journal of Quantitative Criminology*, 33(3),
    451–467 (bootstrap intervals of G').
    """
    from scipy.special import ndtr, ndtri

    if not 0 < confidence_level < 1 or n_resamples < 10:
        raise InputError(
            N_("A confidence level between 0 and 1 and at least 10 resamples are needed."),
            hint=N_("The usual choice is confidence_level=0.95 and n_resamples=1000."),
        )
    x = _counts(counts, whole=True)
    values, freq = np.unique(x, return_counts=True)
    n = int(freq.sum())
    theta = float(_gini_table(values, freq, generalized, unbiased)[0])
    rng = np.random.default_rng(seed)
    boot = _gini_table(
        values, rng.multinomial(n, freq / n, size=n_resamples), generalized, unbiased
    )
    boot = boot[np.isfinite(boot)]
    # jackknife: leaving out one unit with the k-th distinct count, for every k
    jack_freq = np.tile(freq, (len(values), 1)) - np.eye(len(values), dtype=np.int64)
    jack = _gini_table(values, jack_freq, generalized, unbiased)
    ok = np.isfinite(jack)
    w = freq[ok].astype(np.float64)
    dev = np.sum(w * jack[ok]) / w.sum() - jack[ok]
    denom = 6.0 * np.sum(w * dev**2) ** 1.5
    accel = float(np.sum(w * dev**3) / denom) if denom > 0 else 0.0
    z0 = float(ndtri(np.mean(boot < theta)))
    alpha = (1.0 - confidence_level) / 2.0
    ends = []
    for za in (ndtri(alpha), ndtri(1.0 - alpha)):
        level = float(ndtr(z0 + (z0 + za) / (1.0 - accel * (z0 + za))))
        ends.append(float(np.percentile(boot, 100.0 * level)) if np.isfinite(level) else theta)
    return GiniInterval(
        estimate=theta,
        ci_low=ends[0],
        ci_high=ends[1],
        confidence_level=confidence_level,
        n_resamples=n_resamples,
        generalized=generalized,
        unbiased=unbiased,
    )
