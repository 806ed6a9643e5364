"""Crime Severity Index: Statistics Canada's weighted rate per 100,000, standardised to a base = 100.

Method (Wallace, Turner, Babyak & Matarazzo 2009): each violation code ``v`` has a weight
``w_v`` = incarceration rate of ``v`` × average prison sentence (days) for ``v``, from five years
of court data. For a territory and year,

    weighted_rate = 100,000 × Σ_v incidents_v × w_v / population
    csi           = 100 × weighted_rate / base

where ``base`` is the weighted rate that maps to 100 (Statistics Canada: Canada 2006). The violent
CSI uses the violent codes only and its own base; the non-violent CSI, the others.

The weights come from :mod:`urbansafety.analysis.csi_weights`.

References
----------
Wallace, M., Turner, J., Babyak, C. & Matarazzo, A. (2009). *Measuring Crime in Canada:
Introducing the Crime Severity Index and Improvements to the Uniform Crime Reporting Survey*.
Statistics Canada, cat. 85-004-X. https://www150.statcan.gc.ca/n1/pub/85-004-x/2009001/part-partie1-eng.htm
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from urbansafety.analysis.csi_weights import CsiWeights
from urbansafety.errors import ConfigError, InputError
from urbansafety.i18n import N_

PER = 100_000
COUNT_COLUMNS = ("territory", "year", "violation_code", "incidents")
POPULATION_COLUMNS = ("territory", "year", "population")
PREFIXES = ("", "violent_", "nonviolent_")
INCIDENTS = ("incidents", "incidents_weighted", "incidents_unweighted", "unweighted_codes")
SUMS = tuple(f"{p}weighted_sum" for p in PREFIXES)
RATE_TABLE = (
    "territory",
    "year",
    "population",
    *INCIDENTS,
    *(f"{p}weighted_{s}" for p in PREFIXES for s in ("sum", "rate")),
)

# Labels of the `standardisation` column; the result's attrs keep template and params so a
# report can show them in French.
LABEL_OFFICIAL = N_("Crime Severity Index (weighted rate of %(base)s per 100,000 = 100)")
LABEL_LIKE_BASE = N_("CSI-like (standardised to a weighted rate of %(base)s per 100,000 = 100)")
LABEL_LIKE_REFERENCE = N_("CSI-like (standardised to %(territory)s %(year)s = 100)")
NOTE_NOT_OFFICIAL = N_(
    "Not an official Crime Severity Index: the weights are not Statistics Canada's full set, "
    "or the index is not standardised to Statistics Canada's base."
)


def _require(frame: pd.DataFrame, columns: tuple[str, ...], table: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            N_("Missing columns: %(missing)s. Found: %(found)s."),
            hint=N_("The %(table)s table needs the columns %(required)s."),
            params={
                "missing": ", ".join(missing),
                "found": ", ".join(map(str, frame.columns)),
                "table": table,
                "required": ", ".join(columns),
            },
        )


def _numbers(
    frame: pd.DataFrame, column: str, table: str, *, whole: bool, missing_ok: bool
) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64")
    bad = (values < 0) | np.isinf(values)
    if whole:
        bad |= np.nan_to_num(values) != np.round(np.nan_to_num(values))
    if not missing_ok:
        bad |= np.isnan(values)
    if bad.any():
        raise InputError(
            N_(
                "The %(table)s table has %(n)s row(s) where %(column)s is not a number ≥ 0 (first: %(value)r)."
            ),
            hint=N_("Counts are whole numbers ≥ 0; a population may be empty but not negative."),
            params={
                "table": table,
                "n": int(bad.sum()),
                "column": column,
                "value": _plain(frame[column].iloc[int(np.argmax(bad))]),
            },
        )
    return values


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _codes(series: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series):
        # Codes read as numbers (1610 or 1610.0) are the same codes as the text "1610".
        return series.map(lambda v: "" if pd.isna(v) else str(int(v)))
    return series.astype("string").str.strip().fillna("")


def _keys(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    year = _numbers(frame, "year", table, whole=True, missing_ok=False)
    return pd.DataFrame({"territory": frame["territory"].to_numpy(), "year": year.astype("int64")})


def _weighted_parts(counts: pd.DataFrame, weights: CsiWeights) -> pd.DataFrame:
    _require(counts, COUNT_COLUMNS, "counts")
    parts = _keys(counts, "counts")
    incidents = _numbers(counts, "incidents", "counts", whole=True, missing_ok=False)
    codes = _codes(counts["violation_code"]).reset_index(drop=True)
    weight = codes.map(pd.Series(dict(weights.weights), dtype="float64")).to_numpy(dtype="float64")
    violent = codes.isin([c for c, v in weights.violent.items() if v]).to_numpy()
    has = ~np.isnan(weight)
    points = incidents * np.nan_to_num(weight)
    parts["violation_code"] = codes.to_numpy(dtype=object)
    parts["incidents"] = incidents
    parts["weighted_sum"] = points
    parts["violent_weighted_sum"] = np.where(violent, points, 0.0)
    parts["nonviolent_weighted_sum"] = np.where(violent, 0.0, points)
    parts["incidents_weighted"] = np.where(has, incidents, 0.0)
    parts["incidents_unweighted"] = np.where(has, 0.0, incidents)
    return parts


def unweighted_code_counts(counts: pd.DataFrame, weights: CsiWeights) -> pd.DataFrame:
    """Return incidents whose code has no weight, by territory × year × violation_code."""
    parts = _weighted_parts(counts, weights)
    kept = parts[parts["incidents_unweighted"] > 0]
    out = kept.groupby(["territory", "year", "violation_code"], as_index=False, sort=True)[
        "incidents_unweighted"
    ].sum()
    out = out.rename(columns={"incidents_unweighted": "incidents"})
    out["incidents"] = out["incidents"].astype("int64")
    return out.reset_index(drop=True)


def weighted_rates(
    counts: pd.DataFrame, population: pd.DataFrame, weights: CsiWeights
) -> pd.DataFrame:
    """Return weighted sums and weighted rates per 100,000 by territory × year.

    Parameters
    ----------
    counts : DataFrame
        ``territory, year, violation_code, incidents`` (several rows per key are added up).
    population : DataFrame
        ``territory, year, population``: one row per territory and year.
    weights : CsiWeights
        From :func:`load_weights`.

    Returns
    -------
    DataFrame
        One row per territory × year found in either table, sorted, with ``population``,
        ``incidents``, ``incidents_weighted`` (code has a weight), ``incidents_unweighted`` (no
        weight: counted here, never dropped), ``unweighted_codes`` (how many distinct codes had
        no weight), ``weighted_sum``, ``weighted_rate`` and the same two for ``violent_`` and
        ``nonviolent_``. A territory-year with a population and no incident has 0; a rate is
        NaN (never inf) where the population is 0 or missing.

    References
    ----------
    Wallace et al. (2009), section 1, "The Crime Severity Index".
    """
    parts = _weighted_parts(counts, weights)
    parts["unweighted_code"] = parts["violation_code"].where(parts["incidents_unweighted"] > 0)
    sums = [*INCIDENTS[:3], *SUMS]
    grouped = parts.groupby(["territory", "year"], sort=False, dropna=False)
    totals = grouped[sums].sum()
    totals["unweighted_codes"] = grouped["unweighted_code"].nunique()
    _require(population, POPULATION_COLUMNS, "population")
    people = _keys(population, "population")
    people["population"] = _numbers(
        population, "population", "population", whole=False, missing_ok=True
    )
    twice = people.duplicated(["territory", "year"], keep="first")
    if twice.any():
        first = people[twice].iloc[0]
        raise InputError(
            N_(
                "The population table has %(n)s repeated territory-year row(s) (first: %(territory)s %(year)s)."
            ),
            hint=N_("Keep one population per territory and year; add up age groups first."),
            params={
                "n": int(twice.sum()),
                "territory": first["territory"],
                "year": int(first["year"]),
            },
        )
    out = totals.reset_index().merge(people, on=["territory", "year"], how="outer")
    out[[*sums, "unweighted_codes"]] = out[[*sums, "unweighted_codes"]].fillna(0)
    out[list(INCIDENTS)] = out[list(INCIDENTS)].astype("int64")
    pop = out["population"].to_numpy(dtype="float64")
    usable = pop > 0  # False for 0 and NaN, so the rate is NaN there
    safe = np.where(usable, pop, 1.0)
    for prefix in PREFIXES:
        total = out[f"{prefix}weighted_sum"].to_numpy(dtype="float64")
        out[f"{prefix}weighted_rate"] = np.where(usable, total / safe * PER, np.nan)
    return out[list(RATE_TABLE)].sort_values(["territory", "year"]).reset_index(drop=True)


def _base(value: float | None, name: str) -> float:
    if value is None:
        return math.nan
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number <= 0:
        raise ConfigError(
            N_("%(name)s must be a weighted rate > 0, not %(value)r."),
            hint=N_("Use the base that comes with Statistics Canada's weights, or base_from."),
            params={"name": name, "value": value},
        )
    return number


def crime_severity_index(
    counts: pd.DataFrame,
    population: pd.DataFrame,
    weights: CsiWeights,
    *,
    base: float | None = None,
    base_violent: float | None = None,
    base_nonviolent: float | None = None,
    base_from: tuple[str, int] | None = None,
) -> pd.DataFrame:
    """Return :func:`weighted_rates` plus ``csi``, ``violent_csi`` and ``nonviolent_csi``.

    Parameters
    ----------
    counts, population, weights
        As for :func:`weighted_rates`.
    base, base_violent, base_nonviolent : float, optional
        The weighted rates per 100,000 that map to 100 (Statistics Canada: Canada in 2006, for
        the weights in use). They come with the official weights. Without ``base_violent``
        (``base_nonviolent``) the violent (non-violent) index is NaN.
    base_from : (territory, year), optional
        Instead of ``base``: standardise each index to its own rate in this territory-year
        (= 100 there; an index whose reference rate is 0 is NaN). The result is CSI-like,
        never an official CSI.

    Returns
    -------
    DataFrame
        Also ``standardisation`` (a label), ``weights_complete`` and ``official_csi`` (True only
        with complete weights and ``base``; otherwise a report must say "not an official CSI",
        see ``NOTE_NOT_OFFICIAL``). ``attrs`` holds the label's template and params, and the
        weights' source and year.

    Raises
    ------
    ConfigError
        Neither or both of ``base`` and ``base_from``; a base that is not > 0.
    InputError
        ``base_from`` names a territory-year without a weighted rate > 0.

    References
    ----------
    Wallace et al. (2009), section 1, "The Crime Severity Index".
    """
    if (base is None) == (base_from is None) or (
        base_from is not None and (base_violent, base_nonviolent) != (None, None)
    ):
        raise ConfigError(
            N_("Give either base (with base_violent and base_nonviolent) or base_from."),
            hint=N_(
                "base comes with official weights; base_from sets 100 at a territory and year."
            ),
        )
    out = weighted_rates(counts, population, weights)
    official = False
    bases: tuple[float, ...]
    if base_from is None:
        bases = (
            _base(base, "base"),
            _base(base_violent, "base_violent"),
            _base(base_nonviolent, "base_nonviolent"),
        )
        official = weights.complete
        template = LABEL_OFFICIAL if official else LABEL_LIKE_BASE
        params: dict[str, object] = {"base": f"{bases[0]:.10g}"}
    else:
        territory, year = base_from
        match = out[(out["territory"] == territory) & (out["year"] == int(year))]
        rate = float(match["weighted_rate"].iloc[0]) if len(match) else math.nan
        if not rate > 0:
            raise InputError(
                N_("The reference %(territory)s %(year)s has no weighted rate > 0."),
                hint=N_("Choose a territory and year with a population and weighted incidents."),
                params={"territory": territory, "year": year},
            )
        reference = match.iloc[0]
        bases = tuple(
            float(reference[f"{p}weighted_rate"])
            if reference[f"{p}weighted_rate"] > 0
            else math.nan
            for p in PREFIXES
        )
        template = LABEL_LIKE_REFERENCE
        params = {"territory": territory, "year": int(year)}
    for prefix, value in zip(PREFIXES, bases, strict=True):
        # rate / base * 100, in this order, gives exactly 100 at the reference.
        out[f"{prefix}csi"] = out[f"{prefix}weighted_rate"] / value * 100
    out["standardisation"] = template % params
    out["weights_complete"] = weights.complete
    out["official_csi"] = official
    out.attrs.update(
        standardisation_template=template,
        standardisation_params=params,
        weights_source=weights.source,
        weights_year=weights.year,
    )
    return out
