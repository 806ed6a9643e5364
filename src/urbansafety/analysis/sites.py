"""Site-based portrait: incidents within R metres of each site (social housing, stations…).

The engine reduces incidents to distinct points × year × group (police locations are
generalised to intersections, so a million incidents sit on a few thousand points); the
distances are then computed once per site and point with a k-d tree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

DEFAULT_RADIUS_M = 100.0


def site_points_table(incidents: ibis.Table) -> ibis.Table:
    """Return located incidents counted by point (x, y), year and group."""
    t = incidents.filter(incidents.location_quality == "located")
    return t.group_by(["x", "y", "year", "crime_group"]).aggregate(incidents=ibis._.count())


@dataclass(frozen=True)
class SitePortrait:
    """Incidents near each site: totals, by year and group, rates, ranks and concentration."""

    radius_m: float
    sites: pd.DataFrame  # one row per site, ranked
    yearly: pd.DataFrame  # site × year × group counts
    concentration: dict[str, float]


def dwellings_of(attributes: pd.Series, key: str) -> np.ndarray:
    """Return the dwelling count of each site from its JSON attributes (NaN if absent)."""
    out = np.full(len(attributes), np.nan)
    for i, text in enumerate(attributes.tolist()):
        value = json.loads(text).get(key) if isinstance(text, str) else None
        if isinstance(value, (int, float)) and value >= 0:
            out[i] = float(value)
    return out


def site_portrait(
    sites: pd.DataFrame,
    points: pd.DataFrame,
    territory_total: int,
    *,
    radius_m: float = DEFAULT_RADIUS_M,
    dwellings_key: str = "logements",
    years: list[int] | None = None,
) -> SitePortrait:
    """Return the site-based portrait.

    sites: site_id, name, x, y, attributes (JSON); points: x, y, year, crime_group, incidents
    (from site_points_table); territory_total: every incident of the territory and period,
    located or not (the denominator of each site's share).
    """
    site_xy = sites[["x", "y"]].to_numpy(dtype=float)
    point_xy = points[["x", "y"]].to_numpy(dtype=float)
    n_sites = len(sites)
    pairs = np.empty((0, 2), dtype=np.int64)
    if n_sites and len(points):
        matrix = cKDTree(site_xy).sparse_distance_matrix(
            cKDTree(point_xy), radius_m, output_type="ndarray"
        )
        pairs = np.column_stack((matrix["i"], matrix["j"])).astype(np.int64)
        # sparse_distance_matrix leaves out pairs at distance 0 (same coordinates): add them.
        same = cKDTree(point_xy).query_ball_point(site_xy, r=0.0)
        extra = [(i, j) for i, js in enumerate(same) for j in js]
        if extra:
            pairs = np.unique(np.vstack((pairs, np.asarray(extra, dtype=np.int64))), axis=0)
    counts = points["incidents"].to_numpy(dtype=np.int64)
    year_values = points["year"].to_numpy(dtype=np.int64)
    groups = points["crime_group"].astype(str).to_numpy()
    long = pd.DataFrame(
        {
            "site": pairs[:, 0],
            "year": year_values[pairs[:, 1]],
            "crime_group": groups[pairs[:, 1]],
            "incidents": counts[pairs[:, 1]],
        }
    )
    yearly = long.groupby(["site", "year", "crime_group"], as_index=False)["incidents"].sum()
    totals = np.bincount(pairs[:, 0], weights=counts[pairs[:, 1]], minlength=n_sites).astype(
        np.int64
    )
    out = sites[["site_id", "name"]].copy().reset_index(drop=True)
    out["dwellings"] = (
        dwellings_of(sites["attributes"], dwellings_key) if "attributes" in sites else np.nan
    )
    out["incidents"] = totals
    for group in sorted(set(groups)):
        mask = groups[pairs[:, 1]] == group
        out[f"incidents_{group}"] = np.bincount(
            pairs[mask, 0], weights=counts[pairs[mask, 1]], minlength=n_sites
        ).astype(np.int64)
    n_years = len(years) if years else max(len(set(year_values.tolist())), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rate_per_100_dwellings"] = np.where(
            out["dwellings"] > 0, out["incidents"] / n_years / out["dwellings"] * 100, np.nan
        )
        out["share_of_territory_pct"] = (
            out["incidents"] / territory_total * 100 if territory_total else np.nan
        )
    if "area" in sites and sites["area"].notna().any():
        out["incidents_inside"] = _inside(sites["area"], point_xy, counts)
    out = out.sort_values(["incidents", "site_id"], ascending=[False, True]).reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    near_any = np.unique(pairs[:, 1])
    yearly["site_id"] = (
        sites["site_id"].to_numpy()[yearly["site"].to_numpy()] if len(yearly) else []
    )
    return SitePortrait(
        radius_m=radius_m,
        sites=out,
        yearly=yearly.drop(columns="site")[["site_id", "year", "crime_group", "incidents"]],
        concentration={
            "sites": float(n_sites),
            "sites_with_incidents": float((totals > 0).sum()),
            "top10_share_pct": top_share(totals, 0.10),
            "incidents_near_any_site": float(counts[near_any].sum()),
            "share_near_any_site_pct": float(counts[near_any].sum() / territory_total * 100)
            if territory_total
            else float("nan"),
        },
    )


def _inside(areas: pd.Series, point_xy: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Return the incidents inside each site's polygon (NaN for a site that is a point)."""
    out = np.full(len(areas), np.nan)
    polygons = [
        shapely.from_wkb(a) if isinstance(a, bytes | bytearray) else None for a in areas.tolist()
    ]
    present = [i for i, g in enumerate(polygons) if g is not None]
    if not present or not len(point_xy):
        return out
    tree = shapely.STRtree([polygons[i] for i in present])
    point_idx, poly_idx = tree.query(
        shapely.points(point_xy[:, 0], point_xy[:, 1]), predicate="covered_by"
    )
    sums = np.bincount(poly_idx, weights=counts[point_idx], minlength=len(present))
    out[present] = sums
    return out


def top_share(values: np.ndarray, fraction: float) -> float:
    """Return the % of the total held by the top `fraction` of units (at least one unit)."""
    values = np.sort(np.asarray(values, dtype=float))[::-1]
    total = values.sum()
    if total == 0 or len(values) == 0:
        return float("nan")
    k = max(int(np.ceil(len(values) * fraction)), 1)
    return float(values[:k].sum() / total * 100)
