"""Crime Severity Index: Statistics Canada's weighted rate per 100,000, standardised to a base = 100.

Method (Wallace, Turner, Babyak & Matarazzo 2009): each violation code ``v`` has a weight
``w_v`` = incarceration rate of ``v`` × average prison sentence (days) for ``v``, from five years
of court data. For a territory and year,

    weighted_rate = 100,000 × Σ_v incidents_v × w_v / population
    csi           = 100 × weighted_rate / base

where ``base`` is the weighted rate that maps to 100 (Statistics Canada: Canada 2006). The violent
CSI uses the violent codes only and its own base; the non-violent CSI, the others.

The full table of weights by UCR2 violation code is not published openly, so this module ships
no weights: the user loads a weights file with :func:`load_weights`. The package holds
``taxonomy/csi_weights_example.csv`` (:func:`example_weights`), an *example subset* of the 2009
"Table 1 Examples of weights", which cannot give an official CSI (see ``taxonomy/SOURCES.md``).

Weights file (CSV, UTF-8 or Windows-1252, ``,`` or ``;`` separated; row 1 = header)
----------------------------------------------------------------------------------
``violation_code``  4-digit UCR2 code, e.g. ``1610`` (one row per code)
``weight``          number ≥ 0 (``583``; decimal comma allowed in a ``;`` file)
``violent``         ``true`` or ``false``: counted in the violent CSI or the non-violent CSI
``source``          where the weights come from; the same text on every row
``weights_year``    year of the set of weights, e.g. ``2021``; the same on every row
``label``           optional: the violation's name
``complete``        optional, ``true`` or ``false`` (default): ``true`` only for a full set of
                    official weights; the same on every row

The metadata are columns repeated on every row (not a comment line) so the file opens, sorts and
saves in a spreadsheet without losing them.

References
----------
Wallace, M., Turner, J., Babyak, C. & Matarazzo, A. (2009). *Measuring Crime in Canada:
Introducing the Crime Severity Index and Improvements to the Uniform Crime Reporting Survey*.
Statistics Canada, cat. 85-004-X. https://www150.statcan.gc.ca/n1/pub/85-004-x/2009001/part-partie1-eng.htm
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import as_file, files
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from urbansafety.errors import ConfigError, InputError, Where
from urbansafety.i18n import N_

PER = 100_000
EXAMPLE_FILE = "csi_weights_example.csv"
REQUIRED = ("violation_code", "weight", "violent", "source", "weights_year")
COUNT_COLUMNS = ("territory", "year", "violation_code", "incidents")
POPULATION_COLUMNS = ("territory", "year", "population")
CODE = re.compile(r"^\d{4}$")
BOOLEANS = {"true": True, "false": False}
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


@dataclass(frozen=True)
class CsiWeights:
    """Weights by 4-digit violation code, violent flags and where they come from."""

    weights: Mapping[str, float]
    violent: Mapping[str, bool]
    source: str
    year: int
    complete: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if set(self.weights) != set(self.violent):
            raise ValueError("weights and violent must have the same violation codes")
        for code, weight in self.weights.items():
            if not CODE.match(code) or not math.isfinite(weight) or weight < 0:
                raise ValueError(f"bad weight {weight!r} for code {code!r}")
        for name in ("weights", "violent", "labels"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))


def _bad(message: str, hint: str, where: Where, **params: object) -> InputError:
    return InputError(message, hint=hint, where=where, params=params)


def _text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError) as exc:
        raise InputError(N_("File not found."), where=Where(file=str(path))) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page.
        return data.decode("cp1252", errors="replace")


def _same(rows: list[tuple[int, str]], column: str, file: str) -> str:
    first = rows[0][1]
    for row, value in rows:
        if value != first:
            raise _bad(
                N_("%(column)s must be the same on every row: %(value)r differs from %(first)r."),
                N_("One weights file holds one set of weights; put other sets in other files."),
                Where(file, row, column),
                column=column,
                value=value,
                first=first,
            )
    return first


def _boolean(value: str, column: str, where: Where) -> bool:
    key = value.strip().lower()
    if key not in BOOLEANS:
        raise _bad(
            N_("%(column)s must be true or false, not %(value)r."),
            N_("Write true or false."),
            where,
            column=column,
            value=value,
        )
    return BOOLEANS[key]


def load_weights(path: str | Path) -> CsiWeights:
    """Return the weights read from a weights CSV file (format in the module docstring).

    Raises
    ------
    InputError
        File missing or empty; a required column missing; a code not 4 digits or repeated; a
        weight not a number ≥ 0; ``violent`` or ``complete`` not true/false; ``source`` or
        ``weights_year`` empty, not a year or not the same on every row. ``where`` names the
        file, row (1 = header) and column.
    """
    path = Path(path)
    file = str(path)
    text = _text(path)
    header_line = text.split("\n", 1)[0]
    semicolon = ";" in header_line and "," not in header_line
    reader = csv.reader(io.StringIO(text), delimiter=";" if semicolon else ",")
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(
            N_("Missing columns: %(missing)s. Found: %(found)s."),
            hint=N_("A weights file has the columns %(required)s, and optionally label, complete."),
            where=Where(file=file, row=1),
            params={
                "missing": ", ".join(missing),
                "found": ", ".join(header),
                "required": ", ".join(REQUIRED),
            },
        )
    col = {name: header.index(name) for name in (*REQUIRED, "label", "complete") if name in header}
    weights: dict[str, float] = {}
    violent: dict[str, bool] = {}
    labels: dict[str, str] = {}
    first_row: dict[str, int] = {}
    meta: dict[str, list[tuple[int, str]]] = {"source": [], "weights_year": [], "complete": []}
    for row, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        cells = {name: (record[i].strip() if i < len(record) else "") for name, i in col.items()}
        code = cells["violation_code"]
        if not CODE.match(code):
            raise _bad(
                N_("Violation code %(value)r is not 4 digits."),
                N_("UCR2 violation codes have 4 digits, such as 1610."),
                Where(file, row, "violation_code"),
                value=code,
            )
        if code in first_row:
            raise _bad(
                N_("Violation code %(code)s appears twice (first on row %(first_row)s)."),
                N_("Keep one row per violation code."),
                Where(file, row, "violation_code"),
                code=code,
                first_row=first_row[code],
            )
        raw = cells["weight"]
        try:
            weight = float(raw.replace(",", ".") if semicolon else raw)
        except ValueError:
            weight = math.nan
        if not math.isfinite(weight) or weight < 0:
            raise _bad(
                N_("Weight %(value)r is not a number ≥ 0."),
                N_(
                    "Write the weight as a plain number, such as 583, without a thousands separator."
                ),
                Where(file, row, "weight"),
                value=raw,
            )
        violent[code] = _boolean(cells["violent"], "violent", Where(file, row, "violent"))
        weights[code], first_row[code] = weight, row
        if cells.get("label"):
            labels[code] = cells["label"]
        for name in meta:
            if name in cells:
                meta[name].append((row, cells[name]))
    if not weights:
        raise _bad(
            N_("The weights file has no rows."),
            N_("Add one row per violation code under the header."),
            Where(file),
        )
    source = _same(meta["source"], "source", file)
    if not source:
        raise _bad(
            N_("%(column)s is empty."),
            N_("Say where the weights come from, such as the file Statistics Canada sent."),
            Where(file, meta["source"][0][0], "source"),
            column="source",
        )
    year = _same(meta["weights_year"], "weights_year", file)
    if not re.match(r"^\d{4}$", year):
        raise _bad(
            N_("weights_year %(value)r is not a year."),
            N_("Write the year of the set of weights, such as 2021."),
            Where(file, meta["weights_year"][0][0], "weights_year"),
            value=year,
        )
    complete = False
    if meta["complete"]:
        flag = _same(meta["complete"], "complete", file)
        complete = _boolean(flag, "complete", Where(file, meta["complete"][0][0], "complete"))
    return CsiWeights(weights, violent, source, int(year), complete, labels)


def example_weights() -> CsiWeights:
    """Return the shipped example subset of the 2009 Table 1 weights (``complete`` is False)."""
    with as_file(files("urbansafety.taxonomy") / EXAMPLE_FILE) as path:
        return load_weights(path)


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
