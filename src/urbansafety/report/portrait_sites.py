"""The portrait's site-based section: the sites with the most incidents within the radius."""

from __future__ import annotations

import numpy as np
import pandas as pd

from urbansafety import disclosure
from urbansafety.analysis.sites import SitePortrait
from urbansafety.report.model import MethodNote, Section
from urbansafety.report.model_table import COUNT, RATE, NumberFormat, Table
from urbansafety.report.portrait_labels import Labels, _fmt, _signed_pct


def _sites(sp: SitePortrait, lab: Labels, threshold: int) -> Section:
    _ = lab._
    s = sp.sites.head(25)
    hide = disclosure.small_count_mask(s["incidents"], threshold)
    data = pd.DataFrame(
        {
            "rank": s["rank"],
            "name": s["name"].fillna(s["site_id"]),
            "dwellings": s["dwellings"],
            "incidents": s["incidents"],
            "rate": s["rate_per_100_dwellings"],
            "share": s["share_of_territory_pct"] / 100,
        }
    )
    table = Table(
        _("Sites with the most incidents within %(r)s m") % {"r": _fmt(sp.radius_m, lab.lang)},
        data,
        {
            "rank": _("Rank"),
            "name": _("Site"),
            "dwellings": _("Dwellings"),
            "incidents": _("Incidents"),
            "rate": _("Per 100 dwellings a year"),
            "share": _("Share of the territory"),
        },
        {
            "rank": COUNT,
            "dwellings": COUNT,
            "incidents": COUNT,
            "rate": RATE,
            "share": NumberFormat("percent", 2),
        },
        pd.DataFrame({"incidents": hide, "rate": hide, "share": hide}),
        row_header="name",
    )
    if "incidents_inside" in s:
        # Polygon sites: incidents inside the site itself, beside those within the radius.
        inside = s["incidents_inside"].to_numpy()
        data.insert(4, "inside", inside)
        mask = table.mask().copy()
        mask.insert(4, "inside", disclosure.small_count_mask(np.nan_to_num(inside), threshold))
        table = Table(
            table.title,
            data,
            {**table.labels, "inside": _("Inside the site")},
            {**table.formats, "inside": COUNT},
            mask,
            row_header="name",
        )
    c = sp.concentration
    text = _(
        "The 10 %% of sites with the most incidents hold %(top)s of the incidents near sites; "
        "%(near)s of the territory's incidents happened within %(r)s m of a site."
    ) % {
        "top": _signed_pct(c["top10_share_pct"], lab.lang, sign=False),
        "near": _signed_pct(c["share_near_any_site_pct"], lab.lang, sign=False),
        "r": _fmt(sp.radius_m, lab.lang),
    }
    return Section(
        id="sites",
        title=_("Site-based portrait"),
        blocks=[text, table],
        method=MethodNote(
            text=_(
                "An incident counts for a site when its (generalised) location is within "
                "the radius of the site; an incident near two sites counts for both."
            )
        ),
    )
