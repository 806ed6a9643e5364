"""The portrait's "when" section: incidents by shift, month, and day of week × hour."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from urbansafety import disclosure
from urbansafety.analysis.portrait import Portrait
from urbansafety.i18n import N_
from urbansafety.report.charts import heatmap_chart
from urbansafety.report.model import Chart, MethodNote, Section
from urbansafety.report.model_table import COUNT, Table
from urbansafety.report.portrait_labels import TOTAL, Labels
from urbansafety.report.portrait_pivots import _long, _suppressed_pivot

SHIFTS = {
    "day": N_("Day (8:01–16:00)"),
    "evening": N_("Evening (16:01–24:00)"),
    "night": N_("Night (0:01–8:00)"),
}
MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)
DAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


def _series_table(
    counts: pd.Series,
    key: str,
    label: Callable[[str], str],
    title: str,
    heading: str,
    threshold: int,
    lab: Labels,
) -> Table:
    """Return a one-column breakdown with its total, under disclosure control."""
    total = lab._(TOTAL)
    pub = disclosure.suppress_series(counts, threshold, total=True, total_label=total)
    data = pd.DataFrame(
        {
            key: [label(str(k)) if k != total else k for k in pub.values.index],
            "incidents": pub.values.iloc[:, 0].to_numpy(),
        }
    )
    return Table(
        title,
        data,
        {key: heading, "incidents": lab._("Incidents")},
        {"incidents": COUNT},
        pd.DataFrame({"incidents": pub.suppressed.iloc[:, 0].to_numpy()}),
    )


def _times(p: Portrait, lab: Labels, threshold: int) -> Section:
    _ = lab._
    blocks: list[Table | Chart | str] = []
    if not p.by_shift.empty:
        shift = p.by_shift.set_index("shift")["incidents"]
        blocks.append(
            _series_table(
                shift,
                "shift",
                lambda k: _(SHIFTS.get(k, k)),
                _("Incidents by shift"),
                _("Shift"),
                threshold,
                lab,
            )
        )
    month = p.by_month.set_index("month")["incidents"].reindex(range(1, 13), fill_value=0)
    blocks.append(
        _series_table(
            month,
            "month",
            lambda k: _(MONTHS[int(k) - 1]),
            _("Incidents by month (all years)"),
            _("Month"),
            threshold,
            lab,
        )
    )
    if not p.day_hour.empty:
        grid = p.day_hour.pivot_table(index="day", columns="hour", values="incidents", fill_value=0)
        grid = grid.reindex(index=range(7), columns=range(24), fill_value=0)
        frame = grid.reset_index().melt(id_vars="day", var_name="hour", value_name="incidents")
        values, mask = _suppressed_pivot(
            frame, "day", "hour", threshold, _(TOTAL), lambda d: _(DAYS[int(d)])
        )
        title = _("Incidents by day of week and hour (where the time is known)")
        long, hide = _long(values, mask, "day", "hour", _(TOTAL))
        long["hour"] = long["hour"].astype(int)  # hours in numeric order on the chart
        heat = Table(
            title,
            long,
            {"day": _("Day"), "hour": _("Hour"), "incidents": _("Incidents")},
            {"incidents": COUNT},
            hide,
        )
        blocks.append(heatmap_chart(heat, day="day", hour="hour", value="incidents", lang=lab.lang))
        blocks.append(
            Table(
                title,
                values,
                {"day": _("Day")},
                {c: COUNT for c in values.columns if c != "day"},
                mask,
            )
        )
    else:
        blocks.append(_("The sources give no time of day: the day × hour table is not available."))
    return Section(
        id="times",
        title=_("When: shift, month, day and hour"),
        blocks=blocks,
        method=MethodNote(
            text=_(
                "Shifts follow the SPVM definition: day 8:01–16:00, evening "
                "16:01–24:00, night 0:01–8:00."
            )
        ),
    )
