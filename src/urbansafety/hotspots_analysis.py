"""Every spatial analysis of a territory: the engine reduces, the analysis modules compute.

The engine counts located incidents per cell and period, per territory polygon, and returns
the near-repeat events; everything else (Gi*, Moran, kernel density, emerging hot spots,
concentration, Knox) runs in memory on those small tables (`urbansafety.analysis`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import ibis
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from urbansafety import store
from urbansafety.analysis import weights as sw
from urbansafety.analysis.concentration import Concentration, concentration
from urbansafety.analysis.emerging import EmergingHotSpots, emerging_hotspots
from urbansafety.analysis.grid import GRID, CellCounts, cell_counts
from urbansafety.analysis.hotspots import GiStar, gi_star
from urbansafety.analysis.kde import Raster, kde
from urbansafety.analysis.moran import LocalMoran, Moran, local_moran, moran
from urbansafety.analysis.nearrepeat import Knox, knox
from urbansafety.analysis.portrait import Scope, scoped
from urbansafety.config import HotspotConfig, NearRepeatConfig
from urbansafety.engine import open_engine
from urbansafety.errors import InputError
from urbansafety.i18n import N_
from urbansafety.workspace import Workspace

# Mann–Kendall on fewer periods cannot find a trend at 5 % (n = 4 gives p ≥ 0.083).
MIN_PERIODS_EMERGING = 5
# Emerging hot spots: a cell's neighbours in the same and the previous year, ArcGIS Pro's default
# neighbourhood time step.
EMERGING_TIME_LAG = 1
# Local Moran on fewer polygons says little; the choropleth is still drawn.
MIN_AREAS_MORAN = 8


@dataclass(frozen=True, eq=False)
class Areas:
    """Incidents and rates by territory polygon of one layer, with their autocorrelation."""

    layer: str
    codes: np.ndarray
    names: np.ndarray
    geometries: np.ndarray
    counts: np.ndarray
    population: np.ndarray | None
    rates: np.ndarray | None  # per 1,000 residents over the period (mean per year)
    years: int
    moran: Moran | None
    lisa: LocalMoran | None
    distance_m: float = 0.0  # distance band of the polygons' weights (0: not a band)

    @property
    def values(self) -> np.ndarray:
        """Return what is mapped and tested: rates when there is population, else counts/km²."""
        if self.rates is not None:
            return self.rates
        return self.counts / (shapely.area(self.geometries) / 1e6)


@dataclass(frozen=True, eq=False)
class NearRepeat:
    """The Knox test of the chosen categories over one year."""

    knox: Knox
    year: int
    events: int
    categories: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class SiteConcentration:
    """How incidents near sites (within the radius) concentrate on a few of them."""

    layer: str
    radius_m: float
    concentration: Concentration


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


def territory_extent(ws: Workspace, layer: str | None, code: str | None) -> BaseGeometry:
    """Return the polygon of the territory (one polygon of a layer, or the workspace's extent)."""
    with store.connect(ws.store_path, read_only=True) as con:
        if layer is not None:
            rows = con.execute(
                "SELECT geometry FROM territories WHERE layer = ? AND code = ?", [layer, code]
            ).fetchall()
        else:
            chosen = (
                list(ws.config.extent_layers)
                or [
                    r[0]
                    for r in con.execute(
                        "SELECT layer FROM territories GROUP BY layer ORDER BY count(*) DESC"
                    ).fetchall()
                ][:1]
            )
            rows = con.execute(
                "SELECT geometry FROM territories WHERE list_contains(?, layer)", [chosen]
            ).fetchall()
    if not rows:
        raise InputError(
            N_("No territory boundaries to draw the hot-spot cells on."),
            hint=N_("Import the territory's boundaries first (urbansafety import territories)."),
        )
    return shapely.union_all(shapely.from_wkb([r[0] for r in rows]))


def cell_weights(counts: CellCounts, settings: HotspotConfig) -> tuple[sw.Weights, float]:
    """Return the cells' spatial weights from the settings, and the distance band used (m).

    A cell with no neighbour (a lone square on a small island, say) is linked to its nearest
    cell, both ways, as GeoDa suggests: every statistic then has a neighbourhood for it.
    """
    w, distance = _raw_cell_weights(counts, settings)
    return link_islands(w, *counts.cells.centroids()), distance


def link_islands(w: sw.Weights, x: np.ndarray, y: np.ndarray) -> sw.Weights:
    """Return the weights with each unit that has no neighbour linked to its nearest unit."""
    islands = np.asarray(w.islands)
    if islands.size == 0 or w.n < 2:
        return w
    from scipy.sparse import csr_array
    from scipy.spatial import cKDTree

    _, nearest = cKDTree(np.column_stack([x, y])).query(
        np.column_stack([x[islands], y[islands]]), k=2
    )
    coo = w.matrix.tocoo()
    rows = np.concatenate([coo.row, islands, nearest[:, 1]])
    cols = np.concatenate([coo.col, nearest[:, 1], islands])
    m = csr_array((np.ones(len(rows)), (rows, cols)), shape=w.matrix.shape)
    m.sum_duplicates()
    m.data[:] = 1.0
    m.sort_indices()
    return sw.Weights(m, w.kind, ids=w.ids)


def area_weights(
    geometries: np.ndarray, codes: np.ndarray, settings: HotspotConfig
) -> tuple[sw.Weights, float]:
    """Return the territory polygons' weights of the settings' kind, and the band used (m).

    Queen and rook come from shared vertices and edges; k nearest and distance bands from
    the centroids. The distance band is `distance_m` when set, else the smallest distance that
    gives every polygon a neighbour (GeoDa's default). Lone polygons (islands) are linked to
    the nearest one.
    """
    c = shapely.centroid(geometries)
    x, y = shapely.get_x(c), shapely.get_y(c)
    kind = settings.weights
    distance = 0.0
    if kind in ("queen", "rook"):
        w = sw.polygon_contiguity(geometries, kind=kind, ids=codes)
    elif kind == "knn":
        w = sw.knn(x, y, min(settings.k, len(codes) - 1), ids=codes)
    else:
        from scipy.spatial import cKDTree

        gap, _ = cKDTree(np.column_stack([x, y])).query(np.column_stack([x, y]), k=2)
        distance = settings.distance_m or float(np.max(gap[:, 1]))
        w = sw.distance_band(x, y, distance, ids=codes)
    return link_islands(w, x, y), distance


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


def _site_concentration(
    ws: Workspace, engine: Any, selected: ibis.Table, extent: BaseGeometry
) -> SiteConcentration | None:
    """Return the concentration of incidents near the first site layer's sites in the extent."""
    from urbansafety.analysis.sites import site_points_table, site_portrait

    sites = engine.table("sites").to_pandas()
    if sites.empty:
        return None
    layer = str(sorted(sites["layer"].unique())[0])
    sites = sites[sites["layer"] == layer]
    sites = sites[shapely.covers(extent, shapely.points(sites["x"], sites["y"]))]
    if sites.empty:
        return None
    points = site_points_table(selected).to_pandas()
    cfg = ws.config
    sp = site_portrait(
        sites, points, 0, radius_m=cfg.site_radius_m, dwellings_key=cfg.dwellings_key
    )
    counts = sp.sites["incidents"].to_numpy(np.int64)
    if counts.sum() == 0:
        return None
    return SiteConcentration(layer, cfg.site_radius_m, concentration(counts))


def _area_counts(
    ws: Workspace,
    engine: Any,
    selected: ibis.Table,
    scope: Scope,
    area_layer: str | None,
    settings: HotspotConfig,
) -> Areas | None:
    """Return incidents and rates by polygon of the finest layer inside the territory."""
    with store.connect(ws.store_path, read_only=True) as con:
        layers = con.execute(
            "SELECT layer, count(*) FROM territories GROUP BY layer ORDER BY count(*) DESC"
        ).fetchall()
        candidates = [name for name, _ in layers if name != scope.layer]
        layer = area_layer or next(
            (
                name
                for name in candidates
                if con.execute(
                    "SELECT count(*) FROM population WHERE layer = ?", [name]
                ).fetchone()[0]  # type: ignore[index]
            ),
            candidates[0] if candidates else None,
        )
        if layer is None:
            return None
        rows = con.execute(
            "SELECT code, name, parent_code, geometry FROM territories WHERE layer = ? "
            "ORDER BY code",
            [layer],
        ).fetchall()
    if not rows:
        raise InputError(
            N_("No territory layer named %(layer)s."),
            hint=N_("urbansafety info lists the layers."),
            params={"layer": layer},
        )
    frame = pd.DataFrame(rows, columns=["code", "name", "parent", "geometry"])
    frame["geometry"] = shapely.from_wkb(frame["geometry"].tolist())
    if scope.layer is not None:
        extent = territory_extent(ws, scope.layer, scope.code)
        inside = shapely.area(shapely.intersection(frame["geometry"].to_numpy(), extent))
        frame = frame[inside > 0.5 * shapely.area(frame["geometry"].to_numpy())]
    if frame.empty:
        return None
    counted = (
        selected.filter(selected[layer].notnull())
        .group_by([layer, "year"])
        .aggregate(n=ibis._.count())
        .to_pandas()
    )
    years = sorted(int(y) for y in counted["year"].unique()) if len(counted) else []
    by_code = counted.groupby(layer)["n"].sum()
    counts = by_code.reindex(frame["code"]).fillna(0).to_numpy(np.int64)
    pop = engine.table("population")
    pop = pop.filter(pop.layer == layer).to_pandas()
    population = rates = None
    if not pop.empty and years:
        pop = pop[pop["year"] <= max(years)]
        if not pop.empty:
            latest = pop[pop["year"] == pop["year"].max()].groupby("code")["population"].sum()
            population = latest.reindex(frame["code"]).to_numpy(float)
            with np.errstate(divide="ignore", invalid="ignore"):
                rates = np.where(population > 0, 1000 * counts / population / len(years), np.nan)
            if np.isnan(rates).any():
                population = rates = None
    areas = Areas(
        layer,
        frame["code"].to_numpy(),
        frame["name"].fillna(frame["code"]).to_numpy(),
        frame["geometry"].to_numpy(),
        counts,
        population,
        rates,
        len(years),
        None,
        None,
    )
    if len(frame) < MIN_AREAS_MORAN:
        return areas
    if np.ptp(areas.values) == 0:
        return areas
    w, distance = area_weights(areas.geometries, areas.codes, settings)
    seed, perms = settings.seed, settings.permutations
    return replace(
        areas,
        distance_m=distance,
        moran=moran(areas.values, w, permutations=perms, seed=seed),
        lisa=local_moran(areas.values, w, permutations=perms, seed=seed),
    )


def _near_repeat_events(
    incidents: ibis.Table, scope: Scope, near: NearRepeatConfig
) -> tuple[pd.DataFrame, int] | None:
    """Return the located events of the near-repeat categories in the scope's last year."""
    chosen = Scope(
        scope.layer,
        scope.code,
        scope.first_year,
        scope.last_year,
        near.categories,
    )
    t = scoped(incidents, chosen).filter(ibis._.location_quality == "located")
    last = t.year.max().to_pandas()
    if last is None or pd.isna(last):
        return None
    year = int(last)
    frame = t.filter(t.year == year).select("x", "y", "occurred_on").to_pandas()
    return frame, year
