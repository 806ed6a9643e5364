"""Incident counts by territory, year and category: the building block of every portrait."""

from __future__ import annotations

import ibis
import pandas as pd

UNASSIGNED = "(unassigned)"


def incident_counts_table(incidents: ibis.Table, layer: str) -> ibis.Table:
    """Return an expression counting incidents by territory of layer × year × category.

    Incidents that no territory of the layer holds (unknown location without an attribute
    to place them) are counted under "(unassigned)", so totals are never silently short.
    """
    territory = incidents[layer].fill_null(UNASSIGNED).name("territory")
    return (
        incidents.mutate(territory=territory)
        .group_by(["territory", "year", "crime_group", "category"])
        .aggregate(
            incidents=ibis._.count(),
            unlocated=(ibis._.location_quality == "unknown").sum(),
        )
        .order_by(["territory", "year", "crime_group", "category"])
    )


def incident_counts(incidents: ibis.Table, layer: str) -> pd.DataFrame:
    """Return incident counts by territory × year × category as a DataFrame (integer counts)."""
    frame = incident_counts_table(incidents, layer).to_pandas()
    frame["year"] = frame["year"].astype("int64")
    frame["incidents"] = frame["incidents"].astype("int64")
    frame["unlocated"] = frame["unlocated"].fillna(0).astype("int64")
    return frame.reset_index(drop=True)
