"""Weighted means, totals and proportions with standard errors and confidence intervals.

Every estimate is a ratio or total of weighted sums; its variance is the Taylor-linearised
variance of its influence values under the design (`variance.total_covariance`), with
calibration residuals when the weights were raked. Conventions (those of R's `survey`):

- Subgroups (`domain`, `estimates_by`, `compare_domains`) are subpopulations of the whole
  design, not subsets of it: respondents outside the subgroup count as zeros, so PSUs,
  strata and calibration stay those of the full sample (`svyby` semantics). Respondents
  who did not answer the question are left out the same way.
- Degrees of freedom: #PSU - #strata among the respondents used (R's `degf` on a subset).
  Confidence intervals for means and totals use Student's t with these df.
- Proportions: ``method="logit"`` (R `svyciprop` default) or ``"korn-graubard"`` (R's
  ``method="beta"``: Clopper-Pearson at n* = p(1-p)/se^2 * (t_{n-1}/t_df)^2, Korn and
  Graubard 1998, n the respondents used; R takes all rows of a raked design there),
  ``"wald"`` on request. At p = 0 or 1 (se = 0) both use Clopper-Pearson at the number of
  respondents, and say so in `method`.
- deff compares with simple random sampling without replacement of the same number of
  respondents (R's ``deff=TRUE``); with replacement when weights sum to less than n.
- Reliability: fewer than `min_n` (30) respondents flags an estimate; fewer than `floor`
  (10) suppresses it (NaN, with its flags and n kept).

References
----------
Binder, D. A. (1983). On the variances of asymptotically normal estimators from complex
surveys. *International Statistical Review* 51, 279-292.
Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for proportions with small
expected number of positive counts estimated from survey data. *Survey Methodology* 24, 193-201.
Rao, J. N. K. and Scott, A. J. (1984). On chi-squared tests for multiway contingency tables
with cell proportions estimated from survey data. *Annals of Statistics* 12, 46-60.
Lumley, T. (2010). *Complex Surveys*, ch. 2, 3 and 6. Wiley.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
from scipy import stats

from urbansafety.errors import InputError
from urbansafety.i18n import N_
from urbansafety.survey.design import SurveyDesign
from urbansafety.survey.variance import total_covariance

STATISTICS = ("mean", "total", "proportion")
CI_METHODS = ("logit", "korn-graubard", "wald")
MIN_N = 30
FLOOR = 10
Domain: TypeAlias = Mapping[str, Any] | np.ndarray | pd.Series | None


@dataclass(frozen=True)
class Estimate:
    """One published estimate: value, standard error, confidence interval and reliability.

    n: respondents used (in the domain, with an answer); weight_sum: their weights' sum (the
    population they stand for); df: design degrees of freedom; method: how the interval was
    computed ("t", "logit", "korn-graubard", "wald" or "clopper-pearson"); flagged: n < min_n;
    suppressed: n < floor, in which case estimate, se, the interval and deff are NaN.
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    weight_sum: float
    deff: float
    df: int
    level: float
    statistic: str
    method: str
    flagged: bool
    suppressed: bool

    @property
    def cv(self) -> float:
        """Coefficient of variation, se / |estimate|."""
        return self.se / abs(self.estimate) if self.estimate else float("nan")


@dataclass(frozen=True)
class Difference:
    """second - first, with its standard error, confidence interval and two-sided p-value."""

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    df: float
    t: float
    p_value: float
    level: float
    first: Estimate
    second: Estimate
    suppressed: bool


def _bad(message: str, hint: str = "", **params: Any) -> InputError:
    return InputError(message, hint=hint, params=params)


def _column(design: SurveyDesign, name: str) -> pd.Series:
    if name not in design.data.columns:
        raise _bad(
            N_("The survey data has no column %(column)s."),
            N_("Columns are: %(columns)s."),
            column=name,
            columns=", ".join(map(str, design.data.columns)),
        )
    return design.data[name]


def _rows(design: SurveyDesign, domain: Domain) -> np.ndarray:
    """Return the mask of respondents in the domain (all respondents without one)."""
    if domain is None:
        return np.ones(design.n, dtype=bool)
    if isinstance(domain, Mapping):
        mask = np.ones(design.n, dtype=bool)
        for name, value in domain.items():
            mask &= (_column(design, name) == value).fillna(False).to_numpy(dtype=bool)
        return mask
    mask = np.asarray(domain)
    if mask.dtype != bool or mask.shape != (design.n,):
        raise _bad(N_("A domain must be a mapping {column: value} or one boolean per respondent."))
    return mask


def _values(design: SurveyDesign, column: str, statistic: str, value: Any) -> np.ndarray:
    """Return the analysis variable as floats, NaN for respondents who did not answer."""
    if statistic not in STATISTICS:
        raise _bad(
            N_("Unknown statistic: %(value)s."),
            N_("Use one of: %(allowed)s."),
            value=statistic,
            allowed=", ".join(STATISTICS),
        )
    col = _column(design, column)
    absent = col.isna().to_numpy()
    if statistic == "proportion" and value is not None:
        return np.where(absent, np.nan, (col == value).fillna(False).to_numpy(dtype=float))
    y = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
    if np.any(np.isnan(y) & ~absent):
        raise _bad(
            N_("Column %(column)s is not numeric."),
            N_("For a categorical question, ask for the proportion of one answer (value=...)."),
            column=column,
        )
    if statistic == "proportion" and not np.all(np.isin(y[~absent], (0.0, 1.0))):
        raise _bad(
            N_("Column %(column)s is not a yes/no (1/0) question."),
            N_("Give the answer whose proportion you want (value=...)."),
            column=column,
        )
    return y


@dataclass(frozen=True)
class _Spec:
    statistic: str
    method: str = "logit"
    level: float = 0.95
    min_n: int = MIN_N
    floor: int = FLOOR


def _influence(
    design: SurveyDesign, y: np.ndarray, rows: np.ndarray, statistic: str
) -> tuple[float, np.ndarray, np.ndarray, float]:
    """Return the estimate, its influence values, the respondents used and their weight sum."""
    used = rows & ~np.isnan(y)
    w = np.where(used, design.weights, 0.0)
    yy = np.where(used, y, 0.0)
    wsum = float(w.sum())
    if statistic == "total":
        return float(w @ yy), w * yy, used, wsum
    theta = float(w @ yy) / wsum if wsum > 0 else float("nan")
    return theta, (w * (yy - theta) / wsum if wsum > 0 else w), used, wsum


def _deff(design: SurveyDesign, y: np.ndarray, used: np.ndarray, var: float, total: bool) -> float:
    """Return var over the variance under simple random sampling (R's deff=TRUE)."""
    n, w, yy = int(used.sum()), design.weights[used], y[used]
    psum = float(w.sum())
    if n < 2:
        return float("nan")
    s2 = float(w @ (yy - w @ yy / psum) ** 2) / psum * n / (n - 1)
    vsrs = (s2 * (psum - n) / (psum * n) if psum > n else s2 / n) * (psum**2 if total else 1.0)
    return var / vsrs if vsrs > 0 else float("nan")


def _interval(spec: _Spec, p: float, se: float, n: int, df: int) -> tuple[float, float, str]:
    """Return the confidence interval and the method it used."""
    alpha, method = 1 - spec.level, spec.method
    if df < 1 or not np.isfinite(se):
        return float("nan"), float("nan"), method
    tq = float(stats.t.ppf(1 - alpha / 2, df))
    if spec.statistic != "proportion" or method == "wald":
        return p - tq * se, p + tq * se, method if spec.statistic == "proportion" else "t"
    if se <= 0 or p <= 0 or p >= 1:
        x, m, method = p * n, float(n), "clopper-pearson"
    elif method == "logit":
        centre, half = np.log(p / (1 - p)), tq * se / (p * (1 - p))
        low, high = stats.logistic.cdf([centre - half, centre + half])
        return float(low), float(high), method
    else:  # Korn-Graubard: Clopper-Pearson at the effective sample size, df-adjusted
        m = p * (1 - p) / se**2 * (stats.t.ppf(alpha / 2, n - 1) / stats.t.ppf(alpha / 2, df)) ** 2
        x = m * p
    low = float(stats.beta.ppf(alpha / 2, x, m - x + 1)) if x > 0 else 0.0
    high = float(stats.beta.ppf(1 - alpha / 2, x + 1, m - x)) if x < m else 1.0
    return low, high, method


def _estimate(
    design: SurveyDesign, y: np.ndarray, rows: np.ndarray, spec: _Spec
) -> tuple[Estimate, np.ndarray, np.ndarray]:
    """Return the estimate, its influence values and the mask of respondents used."""
    if spec.statistic == "proportion" and spec.method not in CI_METHODS:
        message, hint = (
            N_("Unknown confidence interval method: %(value)s."),
            N_("Use one of: %(allowed)s."),
        )
        raise _bad(message, hint, value=spec.method, allowed=", ".join(CI_METHODS))
    theta, z, used, wsum = _influence(design, y, rows, spec.statistic)
    n = int(used.sum())
    df = design.degrees_of_freedom(used) if n else 0
    kind = (spec.level, spec.statistic)
    if n < spec.floor:
        nan = float("nan")
        hidden = Estimate(nan, nan, nan, nan, n, wsum, nan, df, *kind, spec.method, True, True)
        return hidden, np.zeros_like(z), used
    var = float(total_covariance(design, z)[0, 0])
    se = float(np.sqrt(max(var, 0.0)))
    low, high, method = _interval(spec, theta, se, n, df)
    deff = _deff(design, y, used, var, spec.statistic == "total")
    est = Estimate(theta, se, low, high, n, wsum, deff, df, *kind, method, n < spec.min_n, False)
    return est, z, used


def estimate(
    design: SurveyDesign,
    column: str,
    statistic: str = "mean",
    *,
    value: Any = None,
    domain: Domain = None,
    method: str = "logit",
    level: float = 0.95,
    min_n: int = MIN_N,
    floor: int = FLOOR,
) -> Estimate:
    """Return the weighted mean, total or proportion of column in the domain.

    For a proportion, value is the answer counted (``value="Oui"``); without it the column
    must hold 1/0 or True/False. method is the proportion's confidence interval; min_n and
    floor the reliability thresholds (module notes).
    """
    y = _values(design, column, statistic, value)
    spec = _Spec(statistic, method, level, min_n, floor)
    return _estimate(design, y, _rows(design, domain), spec)[0]


def mean(design: SurveyDesign, column: str, **options: Any) -> Estimate:
    """Return the weighted mean of column (options as `estimate`)."""
    return estimate(design, column, "mean", **options)


def total(design: SurveyDesign, column: str, **options: Any) -> Estimate:
    """Return the estimated population total of column (options as `estimate`)."""
    return estimate(design, column, "total", **options)


def proportion(design: SurveyDesign, column: str, value: Any = None, **options: Any) -> Estimate:
    """Return the weighted proportion answering value (options as `estimate`)."""
    return estimate(design, column, "proportion", value=value, **options)


def estimates_by(
    design: SurveyDesign,
    column: str,
    by: str | Sequence[str],
    statistic: str = "mean",
    *,
    value: Any = None,
    domain: Domain = None,
    method: str = "logit",
    level: float = 0.95,
    min_n: int = MIN_N,
    floor: int = FLOOR,
) -> pd.DataFrame:
    """Return one estimate per subgroup (columns: the by columns, then `Estimate`'s fields).

    Subgroups are the observed combinations of the by columns (respondents without an
    answer to them belong to none); each is a domain of the whole design (R's `svyby`).
    """
    names = [by] if isinstance(by, str) else list(by)
    for name in names:
        _column(design, name)
    groups = design.data[names].reset_index(drop=True).groupby(names, sort=True, observed=True)
    y, base = _values(design, column, statistic, value), _rows(design, domain)
    spec = _Spec(statistic, method, level, min_n, floor)
    records = []
    for key, index in groups.indices.items():
        rows = np.zeros(design.n, dtype=bool)
        rows[index] = True
        est = _estimate(design, y, rows & base, spec)[0]
        labels = key if isinstance(key, tuple) else (key,)
        records.append(dict(zip(names, labels, strict=True)) | dataclasses.asdict(est))
    return pd.DataFrame.from_records(records)


def _difference(
    first: Estimate, second: Estimate, var: float, df: float, level: float
) -> Difference:
    nan = float("nan")
    if first.suppressed or second.suppressed or not np.isfinite(df) or df <= 0:
        return Difference(nan, nan, nan, nan, df, nan, nan, level, first, second, True)
    diff, se = second.estimate - first.estimate, float(np.sqrt(max(var, 0.0)))
    half = float(stats.t.ppf(1 - (1 - level) / 2, df)) * se
    t = diff / se if se > 0 else nan
    p = float(2 * stats.t.sf(abs(t), df)) if se > 0 else nan
    return Difference(diff, se, diff - half, diff + half, df, t, p, level, first, second, False)


def compare_waves(
    first: SurveyDesign,
    second: SurveyDesign,
    column: str,
    statistic: str = "proportion",
    **options: Any,
) -> Difference:
    """Return second - first for two independent samples (e.g. two survey waves).

    The variance is the sum of both variances; df follow Welch-Satterthwaite from each
    wave's design df; p_value is two-sided. Options as `estimate` (a domain applies to both).
    """
    a = estimate(first, column, statistic, **options)
    b = estimate(second, column, statistic, **options)
    va, vb = a.se**2, b.se**2
    df = (va + vb) ** 2 / (va**2 / a.df + vb**2 / b.df) if va + vb > 0 and a.df and b.df else 0.0
    return _difference(a, b, va + vb, df, options.get("level", 0.95))


def compare_domains(
    design: SurveyDesign,
    column: str,
    by: str,
    first: Any,
    second: Any,
    statistic: str = "proportion",
    *,
    value: Any = None,
    domain: Domain = None,
    method: str = "logit",
    level: float = 0.95,
    min_n: int = MIN_N,
    floor: int = FLOOR,
) -> Difference:
    """Return the estimate where by == second minus the one where by == first, in one design.

    Both subgroups come from the same sample, so their covariance counts (R's `svycontrast`
    on `svyby`); df are those of the respondents in either subgroup.
    """
    y, base, groups = (
        _values(design, column, statistic, value),
        _rows(design, domain),
        _column(design, by),
    )
    spec = _Spec(statistic, method, level, min_n, floor)
    (a, za, used_a), (b, zb, used_b) = (
        _estimate(design, y, base & (groups == g).fillna(False).to_numpy(dtype=bool), spec)
        for g in (first, second)
    )
    var = float(total_covariance(design, zb - za)[0, 0])
    return _difference(a, b, var, float(design.degrees_of_freedom(used_a | used_b)), level)
