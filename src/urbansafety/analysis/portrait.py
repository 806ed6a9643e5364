"""The crime portrait of a territory: counts, rates, trends, categories, times, comparison.

Engine queries (Ibis, DuckDB or Spark) reduce the incidents to small tables (`*_table`
functions); the numbers are then computed in memory (`rates`). `portrait()` returns every table
as pandas DataFrames; it reads no file and prints nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import ibis
import numpy as np
import pandas as pd

from urbansafety.analysis.rates import Trend, location_quotient, rate, trend_test, yearly_table

WHOLE = "*"  # the scope of every stored incident (the whole territory of the workspace)


@dataclass(frozen=True)
class Scope:
    """Which incidents a portrait covers: a territory (or all), a period, optionally a theme."""

    layer: str | None = None
    code: str | None = None
    first_year: int | None = None
    last_year: int | None = None
    categories: tuple[str, ...] = ()
    violation_codes: tuple[str, ...] = ()
    theme: str | None = None

    @property
    def whole(self) -> bool:
        """Return True when the scope is every stored incident's territory."""
        return self.layer is None


def scoped(incidents: ibis.Table, scope: Scope) -> ibis.Table:
    """Return the incidents of the scope (territory, years, theme filter)."""
    t = incidents
    if scope.layer is not None:
        t = t.filter(t[scope.layer] == scope.code)
    if scope.first_year is not None:
        t = t.filter(t.year >= scope.first_year)
    if scope.last_year is not None:
        t = t.filter(t.year <= scope.last_year)
    if scope.categories or scope.violation_codes:
        cond = ibis.literal(False)
        if scope.categories:
            cond = cond | t.category.isin(list(scope.categories))
        if scope.violation_codes:
            cond = cond | t.violation_code.isin(list(scope.violation_codes))
        t = t.filter(cond)
    return t


def counts_table(incidents: ibis.Table, keys: list[str]) -> ibis.Table:
    """Return incidents and unlocated incidents counted by keys (sorted)."""
    return (
        incidents.group_by(keys)
        .aggregate(incidents=ibis._.count(), unlocated=(ibis._.location_quality == "unknown").sum())
        .order_by(keys)
    )


def day_hour_table(incidents: ibis.Table) -> ibis.Table:
    """Return incidents by day of week (0 = Monday) and hour, where the time is known."""
    t = incidents.filter(incidents.occurred_at.notnull())
    return (
        t.mutate(day=t.occurred_at.day_of_week.index(), hour=t.occurred_at.hour())
        .group_by(["day", "hour"])
        .aggregate(incidents=ibis._.count())
        .order_by(["day", "hour"])
    )


def population_table(population: ibis.Table, layer: str | None, code: str | None) -> ibis.Table:
    """Return population by year of a territory (every age and gender summed) or of all layers' codes."""
    t = population
    if layer is not None:
        t = t.filter((t.layer == layer) & (t.code == code))
        return t.group_by("year").aggregate(population=t.population.sum()).order_by("year")
    # The whole territory: per year, the layer whose territories add up to the most residents
    # (a full partition such as boroughs), not the sum of every layer.
    by_layer = t.group_by(["layer", "year"]).aggregate(population=t.population.sum())
    return (
        by_layer.group_by("year").aggregate(population=by_layer.population.max()).order_by("year")
    )


def _frame(expr: ibis.Table) -> pd.DataFrame:
    frame = expr.to_pandas()
    for col in frame.columns:
        if col in ("incidents", "unlocated", "year", "month", "day", "hour", "population"):
            frame[col] = pd.to_numeric(frame[col]).fillna(0).astype("int64")
    return frame.reset_index(drop=True)


@dataclass(frozen=True)
class Portrait:
    """Every table of a crime portrait (pandas DataFrames; counts not yet suppressed)."""

    scope: Scope
    years: list[int]
    yearly: pd.DataFrame
    trend: Trend
    summary: dict[str, float]
    by_group: pd.DataFrame
    by_category: pd.DataFrame
    by_shift: pd.DataFrame
    by_month: pd.DataFrame
    day_hour: pd.DataFrame
    ranking: pd.DataFrame
    comparison: pd.DataFrame = field(default_factory=pd.DataFrame)
    quotients: pd.DataFrame = field(default_factory=pd.DataFrame)
    reference: Scope | None = None


def _years(yearly: pd.DataFrame, scope: Scope) -> list[int]:
    present = yearly["year"].tolist()
    first = scope.first_year if scope.first_year is not None else (min(present) if present else 0)
    last = scope.last_year if scope.last_year is not None else (max(present) if present else -1)
    return list(range(first, last + 1))


def _complete(frame: pd.DataFrame, years: list[int], keys: list[str]) -> pd.DataFrame:
    """Return frame with every key × year present (0 where no incident)."""
    if frame.empty:
        return frame
    combos = frame[keys].drop_duplicates() if keys else pd.DataFrame(index=[0])
    grid = combos.merge(pd.DataFrame({"year": years}), how="cross")
    out = grid.merge(frame, on=[*keys, "year"], how="left")
    for col in ("incidents", "unlocated"):
        if col in out:
            out[col] = out[col].fillna(0).astype("int64")
    return out


def portrait(
    incidents: ibis.Table,
    population: ibis.Table,
    territories: ibis.Table,
    scope: Scope,
    *,
    reference: Scope | None = None,
    ranking_layer: str | None = None,
) -> Portrait:
    """Return the crime portrait of scope (and its comparison with reference, if given)."""
    t = scoped(incidents, scope)
    yearly_counts = _frame(counts_table(t, ["year"]))
    years = _years(yearly_counts, scope)
    yearly_counts = _complete(yearly_counts, years, [])
    pop = _frame(population_table(population, scope.layer, scope.code))
    pop = pop[pop["year"].isin(years)]
    yearly = yearly_table(yearly_counts, pop if len(pop) else None)
    trend = trend_test(
        yearly["year"].to_numpy(),
        yearly["incidents"].to_numpy(),
        yearly["population"].to_numpy() if yearly["population"].notna().all() else None,
    )
    first, last = yearly.iloc[0], yearly.iloc[-1]
    summary = {
        "incidents": float(yearly["incidents"].sum()),
        "unlocated": float(yearly_counts["unlocated"].sum()),
        "mean_per_year": float(yearly["incidents"].mean()),
        "mean_rate": float(yearly["rate"].mean()),
        "change_first_last_pct": float(
            (last["incidents"] - first["incidents"]) / first["incidents"] * 100
            if first["incidents"]
            else np.nan
        ),
        "rate_change_first_last_pct": float(
            (last["rate"] - first["rate"]) / first["rate"] * 100 if first["rate"] else np.nan
        ),
    }
    by_group = _complete(_frame(counts_table(t, ["crime_group", "year"])), years, ["crime_group"])
    by_category = _complete(
        _frame(counts_table(t, ["crime_group", "category", "year"])),
        years,
        ["crime_group", "category"],
    )
    by_shift = _frame(counts_table(t.filter(t["shift"].notnull()), ["shift"]))
    by_month = _frame(counts_table(t, ["month"]))
    day_hour = _frame(day_hour_table(t))
    ranking = _ranking(t, population, territories, scope, years, ranking_layer)
    for frame in (by_group, by_category):
        if not frame.empty:
            frame["population"] = frame["year"].map(
                dict(zip(yearly["year"], yearly["population"], strict=True))
            )
            frame["rate"] = rate(frame["incidents"], frame["population"])
    result = Portrait(
        scope,
        years,
        yearly,
        trend,
        summary,
        by_group,
        by_category,
        by_shift,
        by_month,
        day_hour,
        ranking,
    )
    if reference is None:
        return result
    ref_scope = Scope(
        reference.layer,
        reference.code,
        scope.first_year or years[0],
        scope.last_year or years[-1],
        scope.categories,
        scope.violation_codes,
        scope.theme,
    )
    ref_t = scoped(incidents, ref_scope)
    ref_counts = _complete(_frame(counts_table(ref_t, ["year"])), years, [])
    ref_pop = _frame(population_table(population, ref_scope.layer, ref_scope.code))
    ref_yearly = yearly_table(
        ref_counts, ref_pop[ref_pop["year"].isin(years)] if len(ref_pop) else None
    )
    comparison = yearly[["year", "incidents", "rate"]].merge(
        ref_yearly[["year", "incidents", "rate"]], on="year", suffixes=("", "_reference")
    )
    comparison["rate_ratio"] = comparison["rate"] / comparison["rate_reference"]
    local = by_category.groupby("category")["incidents"].sum()
    ref_cat = _frame(counts_table(ref_t, ["category"])).set_index("category")["incidents"]
    quotients = pd.DataFrame(
        {
            "category": local.index,
            "incidents": local.to_numpy(),
            "incidents_reference": ref_cat.reindex(local.index)
            .fillna(0)
            .astype("int64")
            .to_numpy(),
            "location_quotient": location_quotient(local, ref_cat).to_numpy(),
        }
    )
    return replace(result, comparison=comparison, quotients=quotients, reference=ref_scope)


def _ranking(
    t: ibis.Table,
    population: ibis.Table,
    territories: ibis.Table,
    scope: Scope,
    years: list[int],
    ranking_layer: str | None,
) -> pd.DataFrame:
    """Return the sub-territories ranked by rate: incidents, mean population, rate per 1,000 per year."""
    terr = territories.select("layer", "code", "name", "parent_code").to_pandas()
    if ranking_layer is None:
        if scope.whole:
            # The coarsest layer: the one with the fewest territories.
            sizes = terr.groupby("layer").size()
            ranking_layer = str(sizes.idxmin()) if len(sizes) else None
        else:
            children = terr[(terr["parent_code"] == scope.code) & (terr["layer"] != scope.layer)]
            ranking_layer = str(children["layer"].iloc[0]) if len(children) else None
    if ranking_layer is None:
        return pd.DataFrame(columns=["code", "name", "incidents", "population", "rate", "rank"])
    counts = _frame(counts_table(t.mutate(code=t[ranking_layer]), ["code"]))
    members = terr[terr["layer"] == ranking_layer]
    if not scope.whole:
        members = (
            members[members["parent_code"] == scope.code]
            if (members["parent_code"] == scope.code).any()
            else members[members["code"].isin(counts["code"].dropna())]
        )
    pop = population.filter(population.layer == ranking_layer)
    pop = (
        pop.filter(pop.year.isin(years))
        .group_by(["code", "year"])
        .aggregate(population=pop.population.sum())
    )
    mean_pop = pop.group_by("code").aggregate(population=pop.population.mean()).to_pandas()
    out = members[["code", "name"]].merge(counts[["code", "incidents"]], on="code", how="left")
    out = out.merge(mean_pop, on="code", how="left")
    out["incidents"] = out["incidents"].fillna(0).astype("int64")
    n_years = max(len(years), 1)
    out["rate"] = rate(out["incidents"] / n_years, out["population"])
    out = out.sort_values(["rate", "incidents"], ascending=False, na_position="last").reset_index(
        drop=True
    )
    out["rank"] = np.arange(1, len(out) + 1)
    # Incidents that no sub-territory holds (unknown location) are stated, never dropped silently.
    unassigned = int(counts.loc[counts["code"].isna(), "incidents"].sum())
    out.attrs.update(layer=ranking_layer, unassigned=unassigned)
    return out
