"""Territory polygons for the spatial analysis: the extent, and incidents and rates by polygon."""

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
from urbansafety.analysis.moran import LocalMoran, Moran, local_moran, moran
from urbansafety.analysis.portrait import Scope
from urbansafety.config import HotspotConfig
from urbansafety.errors import InputError
from urbansafety.i18n import N_
from urbansafety.workspace import Workspace

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
