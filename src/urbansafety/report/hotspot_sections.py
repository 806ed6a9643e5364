"""The hot-spot chapter as report sections: maps, tables and method notes, in French or English.

Gi* hot spots, kernel density, Local Moran clusters and emerging hot spots here; concentration,
rates by territory and near repeat in `spatial_sections`; shared palettes and the cells drawn
by class in `hotspot_maps`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from urbansafety.hotspots_analysis import HotspotAnalysis
from urbansafety.report.formatting import SUPPRESSED
from urbansafety.report.hotspot_maps import (
    DENSITY_BREAKS,
    DENSITY_COLOURS,
    EMERGING_CLASSES,
    GI_CLASSES,
    LISA_CLASSES,
    NOT_SIGNIFICANT,
    REFERENCES,
    STAT,
    Context,
    cell_label,
    classed_map,
    moran_p,
    weights_text,
)
from urbansafety.report.model import MethodNote, Section
from urbansafety.report.model_map import LegendEntry, MapLayer
from urbansafety.report.model_table import RATE, SHARE, Table
from urbansafety.report.spatial_sections import (
    areas_section,
    concentration_section,
    near_repeat_section,
)


def hotspot_sections(
    a: HotspotAnalysis, lang: str, *, confidentiality: bool = False, tiles: bool = False
) -> list[Section]:
    """Return the sections of the hot-spot chapter in lang, every count under disclosure control.

    With `confidentiality`, a last section says what was suppressed (for a report of its own;
    inside the portrait, the portrait's confidentiality section covers these sections).
    `tiles` puts OpenStreetMap tiles under the maps when the reader is online.
    """
    ctx = Context(a, lang, tiles=tiles)
    sections = [_gi_section(ctx), _kde_section(ctx), _lisa_section(ctx)]
    if a.emerging is not None:
        sections.append(_emerging_section(ctx))
    sections.append(concentration_section(ctx))
    if a.areas is not None:
        sections.append(areas_section(ctx))
    if a.near_repeat is not None:
        sections.append(near_repeat_section(ctx))
    if confidentiality:
        from urbansafety.report.confidentiality import confidentiality_section

        sections.append(confidentiality_section(sections, lang, a.threshold))
    return sections


def _gi_section(ctx: Context) -> Section:
    _ = ctx._
    a = ctx.a
    keys = np.array([GI_CLASSES[int(c)][0] for c in a.gi.classes], dtype=object)
    legend = {v[0]: (v[1], v[2]) for v in GI_CLASSES.values()}
    title = _("Hot spots of police-reported incidents (Getis-Ord Gi*)")
    m, pub = classed_map(
        ctx,
        keys,
        legend,
        layer=_("Hot spots (Gi*)"),
        title=title,
        heading=_("Class"),
        description=_(
            "Map of the cells of %(territory)s coloured by hot-spot class: red for hot spots, blue for cold spots."
        )
        % {"territory": a.territory},
    )
    hot = int((a.gi.classes > 0).sum())
    hot_share = (
        None if pub.total_suppressed else a.cells.total[a.gi.classes > 0].sum() / max(pub.total, 1)
    )
    intro = [
        _(
            "%(territory)s, %(first)s–%(last)s: %(located)s located incidents of %(total)s are placed in %(n)s cells (%(cells)s); %(unlocated)s incidents (%(share)s) have no usable location and are not on the maps."
        )
        % {
            "territory": a.territory,
            "first": a.years[0],
            "last": a.years[-1],
            "located": ctx.n(int(a.cells.total.sum())),
            "total": ctx.n(a.incidents),
            "n": ctx.n(a.cells.cells.n),
            "cells": cell_label(ctx),
            "unlocated": ctx.n(a.unlocated),
            "share": ctx.pct(a.unlocated / max(a.incidents, 1)),
        },
        _(
            "%(hot)s cells are statistically significant hot spots (90%% confidence or more, after correction for multiple tests); together they hold %(share)s of the located incidents on %(cells)s of the territory's cells."
        )
        % {
            "hot": ctx.n(hot),
            "share": SUPPRESSED if hot_share is None else ctx.pct(hot_share),
            "cells": ctx.pct(hot / a.cells.cells.n),
        },
    ]
    perm = a.gi.permutations
    method = MethodNote(
        text=_(
            "Gi* compares the incidents of each cell and of its neighbours with the whole territory: a high z-score means that the cell and its neighbours hold more incidents than chance would put there. Weights are binary, the cell itself included (the Gi* of ArcGIS and of crime-analysis practice); %(weights)s. Cells with no incident inside the territory count as zero."
        )
        % {"weights": weights_text(ctx)}
        + "\n\n"
        + (
            _(
                "Confidence comes from %(perms)s conditional permutations (pseudo p-values, seed %(seed)s, reproducible)."
            )
            % {"perms": ctx.n(perm), "seed": a.settings.seed}
            if perm
            else _("Confidence comes from the normal approximation of the z-scores.")
        )
        + " "
        + (
            _(
                "The False Discovery Rate correction (Benjamini–Hochberg) is applied at each confidence level, so that few of the cells called hot spots are so by chance among so many tests."
            )
            if a.gi.fdr
            else _("No correction for multiple tests was applied.")
        ),
        formulas=("G*_i = (Σ_j w_ij x_j − x̄ W_i) / (s √[(n S1_i − W_i²)/(n − 1)])",),
        references=(REFERENCES["gi"], REFERENCES["fdr"]),
    )
    return Section(id="hotspots", title=title, intro=intro, blocks=[m], method=method)


def _kde_section(ctx: Context) -> Section:
    _ = ctx._
    a = ctx.a
    r = a.kde
    values = r.values
    mean = a.cells.total.sum() / max(shapely.area(a.extent) / 1e6, 1e-9)
    breaks = [b * mean for b in DENSITY_BREAKS]
    classes = np.digitize(values, breaks)  # 0 = below the mean … 4 = 5× the mean or more
    ny, nx = values.shape
    labels = [
        _("Below the mean density"),
        _("1 to 2 times the mean"),
        _("2 to 3 times the mean"),
        _("3 to 5 times the mean"),
        _("5 times the mean or more"),
    ]
    geoms, keys, tips, rows = [], [], [], []
    jj, ii = np.meshgrid(np.arange(ny), np.arange(nx), indexing="ij")
    for k in range(1, 5):
        sel = classes == k
        if not sel.any():
            continue
        x0 = r.x0 + ii[sel] * r.cell
        y0 = r.y0 + jj[sel] * r.cell
        union = shapely.coverage_union_all(shapely.box(x0, y0, x0 + r.cell, y0 + r.cell))
        union = shapely.intersection(union, a.extent)
        if union.is_empty:
            continue
        geoms.append(union)
        keys.append(f"d{k}")
        tips.append(labels[k])
        rows.append(
            {
                "class": labels[k],
                "area": float(shapely.area(union) / 1e6),
                "area_share": float(shapely.area(union) / shapely.area(a.extent)),
                "density_min": breaks[k - 1],
            }
        )
    legend = [LegendEntry(f"d{k}", labels[k], DENSITY_COLOURS[k]) for k in range(1, 5)]
    legend = [e for e in legend if e.key in keys]
    title = _("Kernel density of incidents")
    table = Table(
        title,
        pd.DataFrame(rows, columns=["class", "area", "area_share", "density_min"]),
        {
            "class": _("Density class"),
            "area": _("Area (km²)"),
            "area_share": _("Share of the territory"),
            "density_min": _("From (incidents per km²)"),
        },
        {"area": STAT, "area_share": SHARE, "density_min": RATE},
    )
    layers = []
    if geoms:
        layers.append(MapLayer(_("Density"), ctx.wgs(geoms), keys, tips, legend))
    outline = ctx.outline()
    if outline:
        layers.append(outline)
    m = ctx.map(
        title,
        layers,
        table,
        description=_("Map of the density of incidents, darker where incidents are denser."),
    )
    intro = [
        _(
            "Kernel density spreads each incident over a disc of %(bw)s m (quartic kernel) on cells of %(cell)s m; the mean density over the territory is %(mean)s incidents per km² for the period. Classes are multiples of that mean, so the map reads the same whatever the number of incidents."
        )
        % {"bw": ctx.n(r.bandwidth), "cell": ctx.n(r.cell), "mean": ctx.n(mean, 1)}
    ]
    method = MethodNote(
        text=_(
            "The bandwidth is %(bw)s m and the cell size %(cell)s m (%(rule)s). Each incident's kernel is normalised over the cells so that the surface integrates exactly to the number of incidents (%(n)s). Density shows where incidents are, not whether a cluster is statistically significant: read it with the Gi* map."
        )
        % {
            "bw": ctx.n(r.bandwidth),
            "cell": ctx.n(r.cell),
            "rule": _("set in urbansafety.toml")
            if a.settings.kde_bandwidth_m
            else _(
                "default rules: bandwidth from the spatial Silverman rule used by ArcGIS Pro, cell = the shorter side of the territory / 150"
            ),
            "n": ctx.n(int(a.cells.total.sum())),
        },
        formulas=("K(d) = 3/(πh²) · (1 − d²/h²)²  for d < h",),
        references=(REFERENCES["kde"],),
    )
    return Section(id="hotspots-density", title=title, intro=intro, blocks=[m], method=method)


def _lisa_section(ctx: Context) -> Section:
    _ = ctx._
    a = ctx.a
    keys = np.asarray(a.lisa.clusters, dtype=object)
    keys = np.where(np.isin(keys, list(LISA_CLASSES)), keys, NOT_SIGNIFICANT)
    title = _("Clusters and outliers (Local Moran's I)")
    m, _pub = classed_map(
        ctx,
        keys,
        LISA_CLASSES,
        layer=_("Clusters and outliers"),
        title=title,
        heading=_("Type"),
        description=_(
            "Map of the cells in significant clusters (high–high, low–low) and outliers."
        ),
    )
    mo = a.moran
    verdict = (
        _("incidents are significantly clustered")
        if mo.I > mo.EI and moran_p(mo) < 0.05
        else _("no significant clustering of incidents")
    )
    intro = [
        _(
            "Global Moran's I = %(I)s (expected %(EI)s under spatial randomness; z = %(z)s, p = %(p)s): %(verdict)s."
        )
        % {
            "I": ctx.n(mo.I, 3),
            "EI": ctx.n(mo.EI, 3),
            "z": ctx.n(mo.z_rand, 2),
            "p": ctx.n(moran_p(mo), 4),
            "verdict": verdict,
        }
    ]
    method = MethodNote(
        text=_(
            "Moran's I measures whether cells with many incidents sit next to cells with many incidents. Local Moran's I does so cell by cell: high–high cells are hot-spot clusters, low–high and high–low cells are outliers (a quiet cell among busy ones, or the reverse). Weights are row-standardised; significance of each cell comes from %(perms)s conditional permutations (seed %(seed)s) at the 5%% level."
        )
        % {"perms": ctx.n(a.lisa.permutations), "seed": a.settings.seed},
        formulas=(
            "I = (n / S0) · Σ_i Σ_j w_ij z_i z_j / Σ_i z_i²",
            "I_i = (n − 1) · z_i · Σ_j w_ij z_j / Σ_k z_k²",
        ),
        references=(REFERENCES["lisa"],),
    )
    return Section(id="hotspots-lisa", title=title, intro=intro, blocks=[m], method=method)


def _emerging_section(ctx: Context) -> Section:
    _ = ctx._
    a = ctx.a
    e = a.emerging
    assert e is not None
    keys = np.asarray(e.classes, dtype=object)
    title = _("Emerging hot spots over the years")
    m, _pub = classed_map(
        ctx,
        keys,
        EMERGING_CLASSES,
        layer=_("Emerging hot spots"),
        title=title,
        heading=_("Pattern"),
        description=_("Map of the cells by trend of their hot-spot status over the years."),
    )
    present = [k for k in EMERGING_CLASSES if k in set(keys) and k != "no_pattern"]
    intro = [
        _(
            "Gi* computed year by year (%(first)s–%(last)s), each cell with its neighbours of the same and of the previous year, and the Mann–Kendall trend of each cell's z-scores classify the cells: %(n)s cells show a pattern."
        )
        % {
            "first": a.years[0],
            "last": a.years[-1],
            "n": ctx.n(int(np.isin(keys, present).sum())),
        }
    ]
    method = MethodNote(
        text=_(
            "Rules of ArcGIS Pro's Emerging Hot Spot Analysis, with a year as the time step. New: a hot spot only in the last year. Consecutive: an uninterrupted run of hot-spot years ending with the last, never before, in less than 90% of the years. Intensifying, persistent, diminishing: a hot spot in at least 90% of the years including the last, with a significant upward trend, no trend, or a downward trend of its z-scores (Mann–Kendall). Sporadic: on and off, a hot spot in the last year, never a cold spot. Oscillating: a hot spot in the last year that was a cold spot before. Historical: a hot spot in at least 90% of the years but not the last. The same for cold spots."
        ),
        references=(REFERENCES["ehsa"], REFERENCES["gi"]),
    )
    return Section(id="hotspots-emerging", title=title, intro=intro, blocks=[m], method=method)
