"""Persons involved (victims, accused) by age group and gender, per category."""

from __future__ import annotations

import ibis
import pandas as pd

# Age groups used by Statistics Canada's police-reported victimisation and accused tables
# (youth 12–17 separated, as the Youth CSI and youth-crime portraits need).
AGE_BREAKS = (0, 12, 18, 25, 35, 45, 55, 65)
AGE_LABELS = ("0-11", "12-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
UNKNOWN = "unknown"


def persons_table(persons: ibis.Table, incidents: ibis.Table) -> ibis.Table:
    """Return persons of the given incidents by role, category, age group and gender."""
    joined = persons.join(incidents.select("incident_id", "category", "crime_group"), "incident_id")
    age = joined.age
    group = ibis.cases(
        *[
            ((age >= lo) & (age < hi), label)
            for lo, hi, label in zip(AGE_BREAKS, (*AGE_BREAKS[1:], 200), AGE_LABELS, strict=True)
        ],
        else_=UNKNOWN,
    )
    return (
        joined.mutate(age_group=group, gender=joined.gender.fill_null(UNKNOWN))
        .group_by(["role", "crime_group", "category", "age_group", "gender"])
        .aggregate(persons=ibis._.count())
        .order_by(["role", "crime_group", "category", "age_group", "gender"])
    )


def persons_by_age_gender(persons: ibis.Table, incidents: ibis.Table) -> pd.DataFrame:
    """Return persons by role × category × age group × gender (integer counts)."""
    frame = persons_table(persons, incidents).to_pandas()
    frame["persons"] = frame["persons"].astype("int64")
    return frame.reset_index(drop=True)
