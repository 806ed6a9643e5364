"""The portrait's comparisons of territories: with the reference territory, and sub-territories ranked."""

from __future__ import annotations

import pandas as pd

from urbansafety import disclosure
from urbansafety.analysis.portrait import Portrait
from urbansafety.report.charts import line_chart, ranking_chart
from urbansafety.report.model import Chart, MethodNote, Section
from urbansafety.report.model_table import COUNT, RATE, NumberFormat, Table
from urbansafety.report.portrait_labels import Labels, _fmt

LQ = NumberFormat(decimals=2)


def _comparison(
    p: Portrait, lab: Labels, threshold: int, territory: str, reference: str
) -> Section:
    _ = lab._
    c = p.comparison.copy()
    hide = disclosure.small_count_mask(c["incidents"], threshold)
    data = pd.DataFrame(
        {
            "year": c["year"].astype(str),
            "rate": c["rate"],
            "rate_reference": c["rate_reference"],
            "rate_ratio": c["rate_ratio"],
        }
    )
    rates = Table(
        _("Rates per 1,000 residents: %(territory)s and %(reference)s")
        % {"territory": territory, "reference": reference},
        data,
        {
            "year": _("Year"),
            "rate": territory,
            "rate_reference": reference,
            "rate_ratio": _("Ratio"),
        },
        {"rate": RATE, "rate_reference": RATE, "rate_ratio": LQ},
        pd.DataFrame({"rate": hide, "rate_ratio": hide}),
    )
    long = pd.DataFrame(
        {
            "territory": [territory] * len(c) + [reference] * len(c),
            "year": list(c["year"].astype(str)) * 2,
            "rate": list(c["rate"]) + list(c["rate_reference"]),
        }
    )
    long_table = Table(
        rates.title,
        long,
        {"territory": _("Territory"), "year": _("Year"), "rate": _("Rate per 1,000")},
        {"rate": RATE},
        pd.DataFrame({"rate": list(hide) + [False] * len(c)}),
    )
    chart = line_chart(long_table, x="year", y="rate", series="territory", lang=lab.lang)
    q = p.quotients.copy()
    hide_q = disclosure.small_count_mask(q["incidents"], threshold)
    qdata = pd.DataFrame(
        {
            "category": [lab.category(v) for v in q["category"]],
            "incidents": q["incidents"],
            "incidents_reference": q["incidents_reference"],
            "location_quotient": q["location_quotient"],
        }
    )
    quot = Table(
        _("Location quotients by category"),
        qdata,
        {
            "category": _("Category"),
            "incidents": territory,
            "incidents_reference": reference,
            "location_quotient": _("Location quotient"),
        },
        {"incidents": COUNT, "incidents_reference": COUNT, "location_quotient": LQ},
        pd.DataFrame(
            {
                "incidents": hide_q,
                "location_quotient": hide_q,
                "incidents_reference": disclosure.small_count_mask(
                    q["incidents_reference"], threshold
                ),
            }
        ),
    )
    method = MethodNote(
        text=_(
            "Location quotient = (share of the category in the territory) ÷ (share of the "
            "category in the reference territory). Above 1, the category weighs more here."
        ),
        references=(
            "Brantingham, P. L., & Brantingham, P. J. (1998). Mapping crime for analytic "
            "purposes: location quotients, counts and rates.",
        ),
    )
    return Section(
        id="comparison",
        title=_("Comparison with %(reference)s") % {"reference": reference},
        blocks=[chart, rates, quot],
        method=method,
    )


def _ranking(p: Portrait, lab: Labels, threshold: int) -> Section:
    _ = lab._
    r = p.ranking
    hide = disclosure.small_count_mask(r["incidents"], threshold)
    data = pd.DataFrame(
        {
            "rank": r["rank"],
            "name": r["name"].fillna(r["code"]),
            "incidents": r["incidents"],
            "population": r["population"],
            "rate": r["rate"],
        }
    )
    table = Table(
        _("Sub-territories ranked by rate"),
        data,
        {
            "rank": _("Rank"),
            "name": _("Territory"),
            "incidents": _("Incidents"),
            "population": _("Population (mean)"),
            "rate": _("Rate per 1,000 a year"),
        },
        {"rank": COUNT, "incidents": COUNT, "population": COUNT, "rate": RATE},
        pd.DataFrame({"incidents": hide, "rate": hide}),
        row_header="name",
    )
    blocks: list[Table | Chart | str] = [
        ranking_chart(table, category="name", value="rate", lang=lab.lang),
        table,
    ]
    unassigned = int(r.attrs.get("unassigned", 0))
    if unassigned:
        blocks.append(
            _("%(n)s incidents have no usable location and belong to no sub-territory.")
            % {"n": _fmt(unassigned, lab.lang)}
        )
    return Section(id="ranking", title=_("Ranking of the sub-territories"), blocks=blocks)
