"""Every spatial analysis of a territory: the engine reduces, the analysis modules compute.

The engine counts located incidents per cell and period, per territory polygon, and returns
the near-repeat events; everything else (Gi*, Moran, kernel density, emerging hot spots,
concentration, Knox) runs in memory on those small tables (`urbansafety.analysis`).
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import numpy as np
from shapely.geometry.base import BaseGeometry

from urbansafety.analysis import weights as sw
from urbansafety.analysis.concentration import Concentration, concentration
from urbansafety.analysis.emerging import EmergingHotSpots, emerging_hotspots
from urbansafety.analysis.grid import GRID, CellCounts, cell_counts
from urbansafety.analysis.hotspots import GiStar, gi_star
from urbansafety.analysis.kde import Raster, kde
from urbansafety.analysis.moran import LocalMoran, Moran, local_moran, moran
from urbansafety.analysis.nearrepeat import knox
from urbansafety.analysis.portrait import Scope, scoped
from urbansafety.config import HotspotConfig, NearRepeatConfig
from urbansafety.engine import open_engine
from urbansafety.errors import InputError
from urbansafety.hotspots_areas import Areas, _area_counts, link_islands, territory_extent
from urbansafety.hotspots_nearrepeat import NearRepeat, _near_repeat_events
from urbansafety.hotspots_sites import SiteConcentration, _site_concentration
from urbansafety.i18n import N_
from urbansafety.workspace import Workspace

# Mann–Kendall on fewer periods cannot find a trend at 5 % (n = 4 gives p ≥ 0.083).
MIN_PERIODS_EMERGING = 5
# Emerging hot spots: a cell's neighbours in the same and the previous year, ArcGIS Pro's default
# neighbourhood time step.
EMERGING_TIME_LAG = 1


@dataclass(frozen=True, eq=False)
class HotspotAnalysis:
    """Every spatial result of a territory over a period (pure data, rendered by the report)."""

    territory: str
    scope: Scope
    extent: BaseGeometry
    crs: str
    settings: HotspotConfig
    cells: CellCounts
    weights_kind: str
    distance_m: float
    incidents: int
    unlocated: int
    gi: GiStar
    moran: Moran
    lisa: LocalMoran
    kde: Raster
    emerging: EmergingHotSpots | None
    concentration: Concentration
    areas: Areas | None
    near_repeat: NearRepeat | None
    threshold: int
    sites: SiteConcentration | None = None

    @property
    def years(self) -> tuple[int, ...]:
        """Return the periods (years) of the analysis."""
        return self.cells.periods


def cell_weights(counts: CellCounts, settings: HotspotConfig) -> tuple[sw.Weights, float]:
    """Return the cells' spatial weights from the settings, and the distance band used (m).

    A cell with no neighbour (a lone square on a small island, say) is linked to its nearest
    cell, both ways, as GeoDa suggests: every statistic then has a neighbourhood for it.
    """
    w, distance = _raw_cell_weights(counts, settings)
    return link_islands(w, *counts.cells.centroids()), distance


def _raw_cell_weights(counts: CellCounts, settings: HotspotConfig) -> tuple[sw.Weights, float]:
    cells = counts.cells
    kind = settings.weights
    if kind in ("queen", "rook"):
        if cells.kind == GRID:
            assert cells.ix is not None and cells.iy is not None
            return sw.grid_contiguity(cells.ix, cells.iy, kind=kind, ids=cells.ids), 0.0
        return sw.polygon_contiguity(cells.geometries, kind=kind, ids=cells.ids), 0.0
    x, y = cells.centroids()
    if kind == "knn":
        return sw.knn(x, y, settings.k, ids=cells.ids), 0.0
    spacing = cells.size or float(np.sqrt(np.median(cells.area_km2) * 1e6))
    # 1.5 × the cell size reaches the 8 surrounding squares (or the 6 hexagons), no farther.
    distance = settings.distance_m or 1.5 * spacing
    return sw.distance_band(x, y, distance, ids=cells.ids), distance


def analyse_hotspots(
    ws: Workspace,
    scope: Scope,
    territory: str,
    *,
    settings: HotspotConfig | None = None,
    near: NearRepeatConfig | None = None,
    cell: float | None = None,
    area_layer: str | None = None,
    engine_kind: str | None = None,
) -> HotspotAnalysis:
    """Return every spatial analysis of the scope's located incidents."""
    cfg = ws.config
    settings = settings or cfg.hotspots
    near = near or cfg.near_repeat
    if settings.categories and not scope.categories and not scope.violation_codes:
        scope = Scope(
            scope.layer, scope.code, scope.first_year, scope.last_year, settings.categories
        )
    extent = territory_extent(ws, scope.layer, scope.code)
    with open_engine(ws, engine_kind) as engine:
        incidents = engine.table("incidents")
        selected = scoped(incidents, scope)
        totals = selected.aggregate(
            n=ibis._.count(), unlocated=(ibis._.location_quality != "located").sum()
        ).to_pandas()
        counts = cell_counts(
            selected,
            extent,
            kind=settings.cells,
            size=cell or cfg.grid_size_m,
            resolution=cfg.h3_resolution,
            crs=cfg.crs,
        )
        points = (
            selected.filter(selected.location_quality == "located")
            .group_by(["x", "y"])
            .aggregate(n=ibis._.count())
            .to_pandas()
        )
        areas = _area_counts(ws, engine, selected, scope, area_layer, settings)
        sites = _site_concentration(ws, engine, selected, extent)
        near_events = _near_repeat_events(incidents, scope, near)
    n_total = int(totals["n"].iloc[0])
    if counts.counts.sum() == 0:
        raise InputError(
            N_("No located incident in %(territory)s for this period: no hot spot to find."),
            hint=N_("Check the years and categories, or the territory's boundaries."),
            params={"territory": territory},
        )
    w, distance = cell_weights(counts, settings)
    total = counts.total.astype(float)
    gi = gi_star(
        total,
        w,
        permutations=settings.gi_permutations,
        seed=settings.seed,
        fdr=settings.fdr,
    )
    mor = moran(total, w, permutations=settings.permutations, seed=settings.seed)
    lisa = local_moran(total, w, permutations=settings.permutations, seed=settings.seed)
    raster = kde(
        points["x"].to_numpy(float),
        points["y"].to_numpy(float),
        weights=points["n"].to_numpy(float),
        bandwidth=settings.kde_bandwidth_m or None,
        cell=settings.kde_cell_m or None,
    )
    emerging = None
    if len(counts.periods) >= MIN_PERIODS_EMERGING:
        emerging = emerging_hotspots(
            counts.counts.astype(float),
            w,
            periods=list(counts.periods),
            fdr=settings.fdr,
            time_lag=EMERGING_TIME_LAG,
        )
    near_repeat = None
    if near_events is not None:
        frame, year = near_events
        if len(frame) >= 2:
            result = knox(
                frame["x"].to_numpy(float),
                frame["y"].to_numpy(float),
                frame["occurred_on"].to_numpy("datetime64[D]"),
                space_edges=near.space_bands_m,
                time_edges=near.time_bands_days,
                permutations=near.permutations,
                seed=near.seed,
                metric=near.metric,
            )
            near_repeat = NearRepeat(result, year, len(frame), near.categories)
    return HotspotAnalysis(
        territory=territory,
        scope=scope,
        extent=extent,
        crs=cfg.crs,
        settings=settings,
        cells=counts,
        weights_kind=settings.weights,
        distance_m=distance,
        incidents=n_total,
        unlocated=int(totals["unlocated"].iloc[0] or 0),
        gi=gi,
        moran=mor,
        lisa=lisa,
        kde=raster,
        emerging=emerging,
        concentration=concentration(counts.total),
        areas=areas,
        near_repeat=near_repeat,
        threshold=cfg.disclosure_threshold,
        sites=sites,
    )
