"""The portrait's persons section: victims and accused persons by age group and gender."""

from __future__ import annotations

import pandas as pd

from urbansafety.i18n import N_
from urbansafety.report.model import Chart, MethodNote, Section
from urbansafety.report.model_table import COUNT, Table
from urbansafety.report.portrait_labels import Labels
from urbansafety.report.portrait_pivots import _suppressed_pivot

ROLES = {
    "victim": N_("Victims"),
    "accused": N_("Accused persons"),
    "complainant": N_("Complainants"),
}
GENDERS = {"F": N_("Women"), "M": N_("Men"), "X": N_("Another gender"), "unknown": N_("Unknown")}


def _persons(persons: pd.DataFrame, lab: Labels, threshold: int, total: str) -> Section:
    _ = lab._
    blocks: list[Table | Chart | str] = []
    for role, title in ROLES.items():
        sub = persons[persons["role"] == role]
        if sub.empty:
            continue
        frame = (
            sub.groupby(["age_group", "gender"], as_index=False)["persons"]
            .sum()
            .rename(columns={"persons": "incidents"})
        )
        values, mask = _suppressed_pivot(
            frame,
            "age_group",
            "gender",
            threshold,
            total,
            lambda a: a if a != "unknown" else _("Unknown"),
        )
        labels = {c: _(GENDERS.get(c, c)) for c in values.columns if c in GENDERS}
        labels["age_group"] = _("Age group")
        blocks.append(
            Table(
                _(title),
                values,
                labels,
                {c: COUNT for c in values.columns if c != "age_group"},
                mask,
            )
        )
    return Section(
        id="persons",
        title=_("Persons involved: victims and accused persons"),
        blocks=blocks,
        method=MethodNote(
            text=_(
                "Persons are counted once per incident and role; the same person may "
                "appear in several incidents."
            )
        ),
    )
