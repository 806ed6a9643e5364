"""Hot-spot chapter, continued: concentration, rates by territory and near repeat (Knox)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from urbansafety import disclosure
from urbansafety.analysis.concentration import Concentration
from urbansafety.report.charts import lorenz_chart
from urbansafety.report.formatting import SUPPRESSED
from urbansafety.report.hotspot_maps import (
    LISA_CLASSES,
    NOT_SIGNIFICANT,
    PVALUE,
    RATE_COLOURS,
    REFERENCES,
    STAT,
    Context,
    moran_p,
)
from urbansafety.report.model import MethodNote, Section
from urbansafety.report.model_map import LegendEntry, MapLayer
from urbansafety.report.model_table import COUNT, RATE, SHARE, NumberFormat, Table


def concentration_section(ctx: Context) -> Section:
    _ = ctx._
    a = ctx.a
    c = a.concentration
    lorenz = c.lorenz
    # At most 201 points: the curve keeps its shape and the table stays readable.
    if len(lorenz) > 201:
        grid = np.linspace(0, 1, 201)
        lorenz = pd.DataFrame(
            {
                "units_share": grid,
                "crime_share": np.interp(grid, lorenz["units_share"], lorenz["crime_share"]),
            }
        )
    title = _("Concentration of incidents in space")
    curve = Table(
        _("Lorenz curve of incidents by cell"),
        lorenz[["units_share", "crime_share"]].reset_index(drop=True),
        {
            "units_share": _("Share of cells (busiest first)"),
            "crime_share": _("Cumulative share of incidents"),
        },
        {"units_share": SHARE, "crime_share": SHARE},
    )
    chart = lorenz_chart(
        curve,
        x="units_share",
        y="crime_share",
        lang=ctx.lang,
        equality=_("Perfect equality"),
        description=_("Lorenz curve: the share of incidents held by the busiest cells."),
    )

    def column(k: Concentration) -> list[str]:
        return [
            ctx.n(k.n_units),
            ctx.pct(k.share_units_with_crime),
            ctx.pct(k.share_units_25),
            ctx.pct(k.share_units_50),
            ctx.n(k.gini, 2),
            ctx.n(k.generalized_gini, 2),
        ]

    data = pd.DataFrame(
        {
            "indicator": [
                _("Units"),
                _("Share of units with at least one incident"),
                _("Share of units holding 25% of incidents"),
                _("Share of units holding 50% of incidents"),
                _("Gini coefficient"),
                _("Generalized Gini (Bernasco and Steenbeek)"),
            ],
            "cells": column(c),
        }
    )
    labels = {"indicator": _("Indicator"), "cells": _("Cells")}
    if a.sites is not None:
        data["sites"] = column(a.sites.concentration)
        labels["sites"] = _("Sites (%(layer)s, incidents within %(r)s m)") % {
            "layer": a.sites.layer,
            "r": ctx.n(a.sites.radius_m),
        }
    indicators = Table(_("Indicators of concentration"), data, labels)
    intro = [
        _(
            "%(p50)s of the cells hold half of the located incidents, and %(p25)s hold a quarter (generalized Gini %(g)s; 0 = evenly spread, 1 = all in one cell). Across cities, about 2 to 6%% of street segments hold half of crime (Weisburd 2015)."
        )
        % {
            "p50": ctx.pct(c.share_units_50),
            "p25": ctx.pct(c.share_units_25),
            "g": ctx.n(c.generalized_gini, 2),
        }
    ]
    method = MethodNote(
        text=_(
            "Cells are ranked from the busiest; the Lorenz curve gives the share of incidents they hold together. The Gini coefficient is 0 when every cell has the same count and close to 1 when one cell has them all. With more cells than incidents the ordinary Gini overstates concentration, so the generalized Gini of Bernasco and Steenbeek (2017) compares the curve with the most equal spread the number of incidents allows."
        ),
        formulas=(
            "G = Σ_i (2i − n − 1) x_(i) / (n² x̄)",
            "G' = max(1, N/C) · (G − 1) + 1",
        ),
        references=(REFERENCES["gini"],),
    )
    return Section(
        id="hotspots-concentration",
        title=title,
        intro=intro,
        blocks=[chart, indicators],
        method=method,
    )


def areas_section(ctx: Context) -> Section:
    _ = ctx._
    a = ctx.a
    ar = a.areas
    assert ar is not None
    pub = disclosure.suppress_series(
        pd.Series(ar.counts, index=list(ar.codes), name="n"), a.threshold, total=False
    )
    hidden = pub.suppressed.iloc[:, 0].to_numpy(bool)
    has_rates = ar.rates is not None
    values = ar.values
    finite = values[~hidden]
    edges = np.quantile(finite, [0.2, 0.4, 0.6, 0.8]) if len(finite) >= 5 else np.array([])
    classes = np.digitize(values, edges) if len(edges) else np.zeros(len(values), int)
    heading = _("Incidents per 1,000 residents a year") if has_rates else _("Incidents per km²")
    labels = []
    bounds = [
        float(np.min(finite)) if len(finite) else 0.0,
        *edges.tolist(),
        float(np.max(finite)) if len(finite) else 0.0,
    ]
    for k in range(len(bounds) - 1):
        labels.append(f"{ctx.n(bounds[k], 1)} – {ctx.n(bounds[k + 1], 1)}")
    keys: list[str | None] = []
    tips = []
    lisa = ar.lisa.clusters if ar.lisa is not None else None
    for i in range(len(ar.codes)):
        if hidden[i]:
            keys.append("hidden")
            tips.append(f"{ar.names[i]} — {SUPPRESSED}")
            continue
        keys.append(f"q{classes[i]}")
        tips.append(
            f"{ar.names[i]} — {ctx.n(int(ar.counts[i]))} {_('incidents')} — {ctx.n(values[i], 1)}"
        )
    legend = [
        LegendEntry(f"q{k}", labels[k], RATE_COLOURS[k])
        for k in range(len(labels))
        if f"q{k}" in keys
    ]
    if "hidden" in keys:
        legend.append(LegendEntry("hidden", _("Suppressed (small count)"), "#cccccc"))
    data = pd.DataFrame(
        {
            "territory": ar.names,
            "incidents": pub.values.iloc[:, 0].to_numpy(),
            "population": ar.population if ar.population is not None else np.nan,
            "value": np.where(hidden, np.nan, values),
            "lisa": [_(LISA_CLASSES.get(str(c), LISA_CLASSES[NOT_SIGNIFICANT])[0]) for c in lisa]
            if lisa is not None
            else "",
        }
    )
    if ar.population is None:
        data = data.drop(columns="population")
    if lisa is None:
        data = data.drop(columns="lisa")
    mask = pd.DataFrame({"incidents": hidden, "value": hidden})
    layer_label = ar.layer
    title = _("Incidents by territory (%(layer)s)") % {"layer": layer_label}
    table = Table(
        title,
        data,
        {
            "territory": _("Territory"),
            "incidents": _("Incidents"),
            "population": _("Population"),
            "value": heading,
            "lisa": _("Local Moran"),
        },
        {"incidents": COUNT, "population": COUNT, "value": RATE},
        mask,
    )
    m = ctx.map(
        title,
        [MapLayer(heading, ctx.wgs(ar.geometries), keys, tips, legend)],
        table,
        description=_("Choropleth map of %(what)s by territory.") % {"what": heading.lower()},
    )
    intro = []
    if ar.moran is not None:
        intro.append(
            _("Global Moran's I of %(what)s across the %(n)s territories: %(I)s (p = %(p)s).")
            % {
                "what": heading.lower(),
                "n": ctx.n(len(ar.codes)),
                "I": ctx.n(ar.moran.I, 3),
                "p": ctx.n(moran_p(ar.moran), 3),
            }
        )
    method = MethodNote(
        text=(
            _(
                "Rates divide the incidents of the period by its number of years and by the latest census population of the territory, per 1,000 residents; a territory whose count is suppressed has no rate shown. Classes are quintiles of the published values."
            )
            if has_rates
            else _(
                "Densities divide the incidents of the period by the area of each territory. Classes are quintiles of the published values."
            )
        ),
        references=(REFERENCES["lisa"],) if ar.lisa is not None else (),
    )
    return Section(id="hotspots-territories", title=title, intro=intro, blocks=[m], method=method)


def near_repeat_section(ctx: Context) -> Section:
    _ = ctx._
    a = ctx.a
    nr = a.near_repeat
    assert nr is not None
    k = nr.knox
    rows = k.space_labels(ctx.lang)
    cols = k.time_labels(ctx.lang)
    observed = np.asarray(k.observed)
    records: list[dict[str, Any]] = []
    hide: list[dict[str, bool]] = []
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            obs = int(observed[i, j])
            small = 1 <= obs < a.threshold
            records.append(
                {
                    "space": r,
                    "time": c,
                    "observed": obs,
                    "expected": float(k.expected_mean[i, j]),
                    "ratio": float(k.ratio[i, j]),
                    "p_value": float(k.p_value[i, j]),
                }
            )
            hide.append({"observed": small, "ratio": small, "p_value": small, "expected": False})
    title = _("Near-repeat victimisation (Knox test)")
    frame = pd.DataFrame(records)
    mask = pd.DataFrame(hide)
    tables = [
        _knox_pivot(
            ctx, frame, mask, "ratio", _("Knox ratio: pairs observed / pairs expected"), STAT
        ),
        _knox_pivot(ctx, frame, mask, "p_value", _("Knox test: p-values"), PVALUE),
        _knox_pivot(ctx, frame, mask, "observed", _("Pairs of incidents observed"), COUNT),
        _knox_pivot(
            ctx,
            frame,
            mask,
            "expected",
            _("Pairs of incidents expected (mean of the permutations)"),
            STAT,
        ),
    ]
    finite = [
        rec
        for rec, h in zip(records, hide, strict=True)
        if not h["ratio"] and not rec["space"].startswith("≥") and not rec["time"].startswith("≥")
    ]
    best = [r for r in finite if r["p_value"] <= 0.05 and r["ratio"] > 1]
    from urbansafety.report.portrait_labels import Labels

    cats = ", ".join(Labels(ctx.lang).category(c).lower() for c in nr.categories)
    intro = [
        _(
            "%(n)s located incidents (%(cats)s) in %(year)s: pairs of incidents close in space and in time compared with what the same places and dates give when the dates are shuffled (%(perms)s permutations, seed %(seed)s)."
        )
        % {
            "n": ctx.n(nr.events),
            "cats": cats,
            "year": nr.year,
            "perms": ctx.n(k.permutations),
            "seed": k.seed,
        }
    ]
    if best:
        top = max(best, key=lambda r: r["ratio"])
        intro.append(
            _(
                "Strongest near-repeat pattern: %(space)s and %(time)s apart, %(ratio)s times the pairs expected (p = %(p)s). After an incident, the risk is raised nearby for a short time: a window for prevention."
            )
            % {
                "space": top["space"],
                "time": top["time"],
                "ratio": ctx.n(top["ratio"], 2),
                "p": ctx.n(top["p_value"], 3),
            }
        )
    else:
        intro.append(_("No band shows significantly more pairs than expected (p ≤ 0.05)."))
    method = MethodNote(
        text=_(
            "Every pair of incidents is placed in a distance band and a time band (bands include their lower bound and exclude their upper bound; 'same location' is a distance of 0, as police locations are generalised to intersections). The dates are then shuffled over the fixed locations; the Knox ratio is the observed number of pairs divided by the mean over the permutations, and the p-value is (number of permutations with as many pairs or more + 1) / (permutations + 1). Distances are %(metric)s. This is the Near Repeat Calculator's method with its band-boundary error corrected."
        )
        % {"metric": _("Euclidean") if k.metric == "euclidean" else _("Manhattan")},
        references=(REFERENCES["knox"],),
    )
    return Section(id="near-repeat", title=title, intro=intro, blocks=tables, method=method)


def _knox_pivot(
    ctx: Context,
    frame: pd.DataFrame,
    mask: pd.DataFrame,
    value: str,
    title: str,
    fmt: NumberFormat,
) -> Table:
    """Return one value of the Knox table as distance bands (rows) × time bands (columns)."""
    rows = list(pd.unique(frame["space"]))
    cols = list(pd.unique(frame["time"]))
    data = frame.pivot(index="space", columns="time", values=value).loc[rows, cols]
    hidden = (
        frame.assign(h=mask[value].to_numpy())
        .pivot(index="space", columns="time", values="h")
        .loc[rows, cols]
        .astype(bool)
    )
    names = [f"t{j}" for j in range(len(cols))]
    data.columns = pd.Index(names)
    hidden.columns = pd.Index(names)
    data = data.reset_index()
    hidden = hidden.reset_index(drop=True)
    return Table(
        title,
        data,
        {"space": ctx._("Distance"), **dict(zip(names, cols, strict=True))},
        {n: fmt for n in names},
        hidden,
    )
