"""Rates per 1,000 residents, changes over time, trend tests and location quotients.

Pure numeric functions over small tables (one row per year or per category): the engine has
already reduced the incidents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

PER = 1_000  # rates per 1,000 residents, the unit of Québec's local safety diagnostics


def rate(
    counts: pd.Series | np.ndarray, population: pd.Series | np.ndarray, per: int = PER
) -> np.ndarray:
    """Return counts per `per` residents (NaN where the population is missing or zero)."""
    c = np.asarray(counts, dtype=float)
    p = np.asarray(population, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p > 0, c / p * per, np.nan)


def percent_change(before: float, after: float) -> float:
    """Return the % change from before to after (NaN when before is 0 or missing)."""
    if before is None or not np.isfinite(before) or before == 0:
        return float("nan")
    return (after - before) / before * 100.0


def yearly_table(
    counts: pd.DataFrame, population: pd.DataFrame | None, per: int = PER
) -> pd.DataFrame:
    """Return year, incidents, population, rate, year-on-year change (%) for every year.

    counts has columns year, incidents; population has year, population (may be None).
    Years without incidents appear with 0 between the first and last year asked for.
    """
    out = counts[["year", "incidents"]].copy()
    if population is not None and len(population):
        out = out.merge(population[["year", "population"]], on="year", how="left")
    else:
        out["population"] = np.nan
    out = out.sort_values("year").reset_index(drop=True)
    out["rate"] = rate(out["incidents"], out["population"], per)
    prev = out["incidents"].shift(1)
    out["change_pct"] = [percent_change(b, a) for b, a in zip(prev, out["incidents"], strict=True)]
    return out


@dataclass(frozen=True)
class Trend:
    """A trend test on yearly counts: annual % change, its p-value, and the method used."""

    method: str
    annual_change_pct: float
    p_value: float
    statistic: float
    n_years: int


def trend_test(
    years: np.ndarray, counts: np.ndarray, population: np.ndarray | None = None
) -> Trend:
    """Return the trend of yearly counts.

    With population: Poisson regression of counts on year with log(population) as offset
    (the rate's annual % change is exp(beta) − 1); if the counts are overdispersed
    (Pearson χ²/df > 1.5) the standard errors are scaled (quasi-Poisson). Without population:
    the Mann–Kendall test on the counts, with Sen's slope as % of the mean.

    References
    ----------
    Osgood, D. W. (2000). Poisson-based regression analysis of aggregate crime rates.
    Journal of Quantitative Criminology, 16(1), 21–43.
    Mann, H. B. (1945). Nonparametric tests against trend. Econometrica, 13, 245–259.
    """
    years = np.asarray(years, dtype=float)
    counts = np.asarray(counts, dtype=float)
    n = len(years)
    if n < 3:
        return Trend("none", float("nan"), float("nan"), float("nan"), n)
    if population is not None and np.all(np.asarray(population, dtype=float) > 0):
        import statsmodels.api as sm

        x = sm.add_constant(years - years.mean())
        model = sm.GLM(
            counts,
            x,
            family=sm.families.Poisson(),
            offset=np.log(np.asarray(population, dtype=float)),
        )
        fit = model.fit()
        dispersion = float(fit.pearson_chi2 / fit.df_resid) if fit.df_resid > 0 else 1.0
        method = "poisson"
        if dispersion > 1.5:
            fit = model.fit(scale="X2")
            method = "quasi-poisson"
        beta, p = float(fit.params[1]), float(fit.pvalues[1])
        return Trend(method, (np.exp(beta) - 1) * 100, p, float(fit.tvalues[1]), n)
    tau = stats.kendalltau(years, counts)
    slope = stats.theilslopes(counts, years)[0]
    mean = counts.mean()
    change = slope / mean * 100 if mean > 0 else float("nan")
    return Trend("mann-kendall", float(change), float(tau.pvalue), float(tau.statistic), n)


def location_quotient(local: pd.Series, reference: pd.Series) -> pd.Series:
    """Return the location quotient of each category: (local share) / (reference share).

    LQ > 1: the category weighs more in the territory than in the reference territory.

    References
    ----------
    Brantingham, P. L., & Brantingham, P. J. (1998). Mapping crime for analytic purposes:
    location quotients, counts and rates. Crime Mapping and Crime Prevention, 8, 263–288.
    """
    local_share = local / local.sum() if local.sum() else local * np.nan
    ref = reference.reindex(local.index)
    ref_share = ref / reference.sum() if reference.sum() else ref * np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        return (local_share / ref_share).replace([np.inf, -np.inf], np.nan)
