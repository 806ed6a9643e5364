"""Concentration of a territory's incidents near the sites of a site layer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from urbansafety.analysis.concentration import Concentration, concentration
from urbansafety.workspace import Workspace


@dataclass(frozen=True, eq=False)
class SiteConcentration:
    """How incidents near sites (within the radius) concentrate on a few of them."""

    layer: str
    radius_m: float
    concentration: Concentration


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
