"""The near-repeat part of the spatial analysis: the Knox test's result and its events."""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import pandas as pd

from urbansafety.analysis.nearrepeat import Knox
from urbansafety.analysis.portrait import Scope, scoped
from urbansafety.config import NearRepeatConfig


@dataclass(frozen=True, eq=False)
class NearRepeat:
    """The Knox test of the chosen categories over one year."""

    knox: Knox
    year: int
    events: int
    categories: tuple[str, ...]


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
