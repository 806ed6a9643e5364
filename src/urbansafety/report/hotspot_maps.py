"""Shared pieces of the hot-spot chapter: class palettes, references, cells drawn by class.

Cell counts pass through disclosure control before they reach a map tooltip, a table or the
GeoJSON export: counts of 1 to threshold−1 are suppressed, with complementary cells so that
class totals cannot give them back (`disclosure.suppress_groups`). Classes (hot spot,
cluster, density class) are not counts and are always drawn.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import shapely
import shapely.geometry
from pyproj import Transformer

from urbansafety import disclosure
from urbansafety.hotspots_analysis import HotspotAnalysis
from urbansafety.i18n import N_, translator
from urbansafety.report.formatting import SUPPRESSED
from urbansafety.report.model_map import LegendEntry, Map, MapLayer
from urbansafety.report.model_table import COUNT, SHARE, NumberFormat, Table

NOT_SIGNIFICANT = "ns"


GREY = "#eeeeee"


# Hot-spot classes, Gi_Bin style: +3 = hot spot at 99 % confidence … −3 = cold spot at 99 %.
GI_CLASSES = {
    3: ("hot99", N_("Hot spot, 99% confidence"), "#b2182b"),
    2: ("hot95", N_("Hot spot, 95% confidence"), "#ef8a62"),
    1: ("hot90", N_("Hot spot, 90% confidence"), "#fddbc7"),
    0: (NOT_SIGNIFICANT, N_("Not significant"), GREY),
    -1: ("cold90", N_("Cold spot, 90% confidence"), "#d1e5f0"),
    -2: ("cold95", N_("Cold spot, 95% confidence"), "#67a9cf"),
    -3: ("cold99", N_("Cold spot, 99% confidence"), "#2166ac"),
}


LISA_CLASSES = {
    "HH": (N_("High–high cluster (hot spot)"), "#d7191c"),
    "HL": (N_("High–low outlier"), "#fdae61"),
    "LH": (N_("Low–high outlier"), "#abd9e9"),
    "LL": (N_("Low–low cluster (cold spot)"), "#2c7bb6"),
    NOT_SIGNIFICANT: (N_("Not significant"), GREY),
}


EMERGING_CLASSES = {
    "new_hot": (N_("New hot spot"), "#67000d"),
    "consecutive_hot": (N_("Consecutive hot spot"), "#a50f15"),
    "intensifying_hot": (N_("Intensifying hot spot"), "#d7301f"),
    "persistent_hot": (N_("Persistent hot spot"), "#ef6548"),
    "diminishing_hot": (N_("Diminishing hot spot"), "#fc8d59"),
    "sporadic_hot": (N_("Sporadic hot spot"), "#fdbb84"),
    "oscillating_hot": (N_("Oscillating hot spot"), "#fdd49e"),
    "historical_hot": (N_("Historical hot spot"), "#fee8c8"),
    "new_cold": (N_("New cold spot"), "#08306b"),
    "consecutive_cold": (N_("Consecutive cold spot"), "#08519c"),
    "intensifying_cold": (N_("Intensifying cold spot"), "#2171b5"),
    "persistent_cold": (N_("Persistent cold spot"), "#4292c6"),
    "diminishing_cold": (N_("Diminishing cold spot"), "#6baed6"),
    "sporadic_cold": (N_("Sporadic cold spot"), "#9ecae1"),
    "oscillating_cold": (N_("Oscillating cold spot"), "#c6dbef"),
    "historical_cold": (N_("Historical cold spot"), "#deebf7"),
    "no_pattern": (N_("No pattern detected"), GREY),
}


# Kernel density classes: multiples of the mean density over the territory.
DENSITY_BREAKS = (1.0, 2.0, 3.0, 5.0)


DENSITY_COLOURS = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")


RATE_COLOURS = ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")


PVALUE = NumberFormat(decimals=3)


STAT = NumberFormat(decimals=2)


STAT4 = NumberFormat(decimals=4)


REFERENCES = {
    "gi": "Getis, A. and Ord, J. K. (1992). The analysis of spatial association by use of "
    "distance statistics. Geographical Analysis 24(3): 189–206. Ord, J. K. and Getis, A. "
    "(1995). Local spatial autocorrelation statistics. Geographical Analysis 27(4): 286–306.",
    "fdr": "Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate. "
    "Journal of the Royal Statistical Society B 57(1): 289–300.",
    "lisa": "Anselin, L. (1995). Local indicators of spatial association — LISA. "
    "Geographical Analysis 27(2): 93–115.",
    "kde": "Chainey, S., Tompson, L. and Uhlig, S. (2008). The utility of hotspot mapping for "
    "predicting spatial patterns of crime. Security Journal 21: 4–28. Silverman, B. W. (1986). "
    "Density Estimation for Statistics and Data Analysis. Chapman and Hall.",
    "ehsa": "Esri (2024). How Emerging Hot Spot Analysis works. ArcGIS Pro documentation. "
    "Mann, H. B. (1945). Nonparametric tests against trend. Econometrica 13: 245–259.",
    "gini": "Bernasco, W. and Steenbeek, W. (2017). More places than crimes: implications for "
    "evaluating the law of crime concentration at place. Journal of Quantitative Criminology "
    "33: 451–467. Weisburd, D. (2015). The law of crime concentration and the criminology of "
    "place. Criminology 53(2): 133–157.",
    "knox": "Knox, E. G. (1964). The detection of space-time interactions. Applied Statistics "
    "13(1): 25–29. Johnson, S. D. et al. (2007). Space–time patterns of risk: a cross national "
    "assessment of residential burglary victimization. Journal of Quantitative Criminology 23: "
    "201–219. Ratcliffe, J. H. (2009). Near Repeat Calculator, version 1.3. Temple University.",
}


class Context:
    """What every section builder needs: the analysis, the language and helpers."""

    def __init__(self, a: HotspotAnalysis, lang: str, *, tiles: bool = False) -> None:
        self.a = a
        self.lang = lang
        self.tiles = tiles
        self._ = translator(lang)
        self.to_wgs = Transformer.from_crs(a.crs, "EPSG:4326", always_xy=True)

    def map(
        self, title: str, layers: Sequence[MapLayer], table: Table, description: str = ""
    ) -> Map:
        """Return a map with the report's choice of background tiles."""
        return Map(title, layers, table, description=description, tiles=self.tiles)

    def wgs(self, geometries: Sequence[object] | np.ndarray) -> list[shapely.Geometry]:
        """Return geometries reprojected from the workspace CRS to longitude/latitude."""
        arr = np.asarray(geometries, dtype=object)
        return list(shapely.transform(arr, self._project))

    def _project(self, coords: np.ndarray) -> np.ndarray:
        x, y = self.to_wgs.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    def n(self, value: float, decimals: int = 0) -> str:
        from babel.numbers import format_decimal

        from urbansafety.i18n import LOCALES

        fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
        return str(format_decimal(value, format=fmt, locale=LOCALES[self.lang]))

    def pct(self, share: float, decimals: int = 1) -> str:
        return self.n(share * 100, decimals) + ("\u00a0%" if self.lang == "fr" else "%")

    def outline(self) -> MapLayer | None:
        """Return the territory polygons of the area layer as outlines (or the extent)."""
        a = self.a
        if a.areas is not None:
            geoms = self.wgs(a.areas.geometries)
            return MapLayer(
                self._("Territories"),
                geoms,
                tooltips=[str(name) for name in a.areas.names],
                outline=True,
            )
        return MapLayer(self._("Territory"), self.wgs([a.extent]), outline=True)


def cell_label(ctx: Context) -> str:
    a = ctx.a
    if a.cells.cells.kind == "grid":
        return ctx._("squares of %(size)s m") % {"size": ctx.n(a.cells.cells.size)}
    return ctx._("H3 hexagons of resolution %(res)s") % {"res": a.cells.cells.resolution}


def weights_text(ctx: Context) -> str:
    _ = ctx._
    a = ctx.a
    kinds = {
        "queen": _("neighbours: the cells sharing a side or a corner (queen contiguity)"),
        "rook": _("neighbours: the cells sharing a side (rook contiguity)"),
        "distance": _("neighbours: the cells whose centres are within %(d)s m")
        % {"d": ctx.n(a.distance_m)},
        "knn": _("neighbours: the %(k)s nearest cells") % {"k": a.settings.k},
    }
    return kinds[a.weights_kind]


def classed_cells(
    ctx: Context,
    keys: np.ndarray,
    legend: dict[str, tuple[str, str]],
    name: str,
    extra: Sequence[str] = (),
) -> tuple[MapLayer, disclosure.SuppressedGroups]:
    """Return the map layer of cells coloured by class (non-significant cells merged)."""
    a = ctx.a
    pub = disclosure.suppress_groups(a.cells.total, keys, a.threshold)
    show = keys != NOT_SIGNIFICANT
    show &= keys != "no_pattern"
    geoms: list[object] = []
    fkeys: list[str | None] = []
    tips: list[str] = []
    merged = np.flatnonzero(~show)
    if merged.size:
        geoms.append(shapely.union_all(a.cells.cells.geometries[merged]))
        base = NOT_SIGNIFICANT if NOT_SIGNIFICANT in legend else "no_pattern"
        fkeys.append(base)
        tips.append(ctx._(legend[base][0]))
    for i in np.flatnonzero(show):
        geoms.append(a.cells.cells.geometries[i])
        fkeys.append(str(keys[i]))
        count = SUPPRESSED if pub.unit_suppressed[i] else ctx.n(int(pub.counts[i]))
        parts = [str(a.cells.cells.ids[i]), ctx._(legend[keys[i]][0])]
        parts.append(ctx._("%(n)s incidents") % {"n": count})
        parts += [e[i] for e in extra] if extra else []
        tips.append(" — ".join(parts))
    present = [k for k in legend if k in set(fkeys)]
    layer = MapLayer(
        name,
        ctx.wgs(geoms),
        keys=fkeys,
        tooltips=tips,
        legend=[LegendEntry(k, ctx._(legend[k][0]), legend[k][1]) for k in present],
    )
    return layer, pub


def class_table(
    ctx: Context,
    title: str,
    keys: np.ndarray,
    legend: dict[str, tuple[str, str]],
    pub: disclosure.SuppressedGroups,
    heading: str,
) -> Table:
    """Return cells, incidents and share of incidents by class (totals under disclosure control)."""
    _ = ctx._
    rows = []
    hide = []
    cells_per = pd.Series(keys).value_counts()
    for k in legend:
        if k not in pub.groups:
            continue
        g = pub.groups.get_loc(k)
        suppressed = bool(pub.group_suppressed[g])
        incidents = None if suppressed else int(pub.group_totals[g])
        share = None if suppressed or pub.total_suppressed else incidents / max(pub.total, 1)  # type: ignore[operator]
        rows.append(
            {
                "class": _(legend[k][0]),
                "cells": int(cells_per.get(k, 0)),
                "cell_share": int(cells_per.get(k, 0)) / len(keys),
                "incidents": pub.group_totals[g],
                "incident_share": share,
            }
        )
        hide.append({"incidents": suppressed, "incident_share": share is None})
    data = pd.DataFrame(rows)
    return Table(
        title,
        data,
        {
            "class": heading,
            "cells": _("Cells"),
            "cell_share": _("Share of cells"),
            "incidents": _("Incidents"),
            "incident_share": _("Share of incidents"),
        },
        {"cells": COUNT, "cell_share": SHARE, "incidents": COUNT, "incident_share": SHARE},
        pd.DataFrame(hide) if hide else None,
    )


def moran_p(mo: object) -> float:
    """Return the permutation p-value when there is one, else the randomisation p-value."""
    p_sim = getattr(mo, "p_sim", None)
    return float(p_sim) if p_sim is not None else float(mo.p_rand)  # type: ignore[attr-defined]


def cells_geojson(a: HotspotAnalysis) -> dict[str, object]:
    """Return the cells as GeoJSON (WGS84) with their published count and every result.

    Counts of 1 to threshold−1 (and their complements) are null with ``suppressed`` true.
    """
    ctx = Context(a, "en")
    keys = np.array([GI_CLASSES[int(c)][0] for c in a.gi.classes], dtype=object)
    pub = disclosure.suppress_groups(a.cells.total, keys, a.threshold)
    geoms = ctx.wgs(a.cells.cells.geometries)
    features = []
    for i, g in enumerate(geoms):
        props: dict[str, object] = {
            "cell": str(a.cells.cells.ids[i]),
            "incidents": None if pub.unit_suppressed[i] else int(pub.counts[i]),
            "suppressed": bool(pub.unit_suppressed[i]),
            "gi_z": _num(a.gi.z[i]),
            "gi_p": _num(a.gi.p_class[i]),
            "gi_class": int(a.gi.classes[i]),
        }
        if a.lisa.clusters is not None and a.lisa.p_sim is not None:
            props["lisa"] = str(a.lisa.clusters[i])
            props["lisa_p"] = _num(a.lisa.p_sim[i])
        if a.emerging is not None:
            props["emerging"] = str(a.emerging.classes[i])
        features.append(
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(shapely.set_precision(g, 1e-6)),
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _num(value: float) -> float | None:
    v = float(value)
    return round(v, 6) if np.isfinite(v) else None


def classed_map(
    ctx: Context,
    keys: np.ndarray,
    legend: dict[str, tuple[str, str]],
    *,
    layer: str,
    title: str,
    heading: str,
    description: str,
) -> tuple[Map, disclosure.SuppressedGroups]:
    """Return the map of cells coloured by class over the territories, with its class table."""
    cells, pub = classed_cells(ctx, keys, legend, layer)
    table = class_table(ctx, title, keys, legend, pub, heading)
    outline = ctx.outline()
    layers = [cells, *([outline] if outline else [])]
    return ctx.map(title, layers, table, description=description), pub
