"""The crime portrait as report sections (data → tables and charts, in French or English).

Every count passes through disclosure control before it becomes a table: counts of 1 to
threshold−1 are suppressed, with complementary cells so that totals cannot give them back,
and rates computed on suppressed counts are suppressed too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from urbansafety import disclosure, taxonomy
from urbansafety.analysis.portrait import Portrait
from urbansafety.analysis.severity import NOTE_NOT_OFFICIAL
from urbansafety.analysis.sites import SitePortrait
from urbansafety.i18n import N_, translator
from urbansafety.report.charts import heatmap_chart, line_chart, ranking_chart
from urbansafety.report.model import (
    CHANGE,
    COUNT,
    RATE,
    Chart,
    MethodNote,
    NumberFormat,
    Section,
    Table,
)

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
ROLES = {
    "victim": N_("Victims"),
    "accused": N_("Accused persons"),
    "complainant": N_("Complainants"),
}
GENDERS = {"F": N_("Women"), "M": N_("Men"), "X": N_("Another gender"), "unknown": N_("Unknown")}
TOTAL = N_("Total")
PER1000 = NumberFormat(decimals=1)
LQ = NumberFormat(decimals=2)


class Labels:
    """Translated labels for categories, groups and the report's fixed words."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._ = translator(lang)

    def category(self, code: str) -> str:
        c = taxonomy.categories().get(code)
        return code if c is None else (c.label_fr if self.lang == "fr" else c.label_en)

    def group(self, code: str) -> str:
        fr, en = taxonomy.groups().get(code, (code, code))
        return fr if self.lang == "fr" else en


def _suppressed_pivot(
    frame: pd.DataFrame,
    rows: str,
    columns: str,
    threshold: int,
    total: str,
    row_label: Callable[[str], str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (published pivot with totals, suppressed mask) for counts in long form."""
    pivot = frame.pivot_table(
        index=rows, columns=columns, values="incidents", aggfunc="sum", fill_value=0
    )
    pivot.columns = [str(c) for c in pivot.columns]
    table = disclosure.suppress_table(
        pivot.astype("int64"), threshold, totals=True, total_label=total
    )
    values = table.values.reset_index()
    values.columns = [rows, *[str(c) for c in table.values.columns]]
    values[rows] = [row_label(str(v)) if str(v) != total else total for v in values[rows]]
    mask = table.suppressed.reset_index(drop=True)
    mask.columns = [str(c) for c in mask.columns]
    mask.insert(0, rows, False)
    return values, mask


def _long(
    values: pd.DataFrame, mask: pd.DataFrame, key: str, column: str, total: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the pivot's cells (totals left out) as a long table and its suppressed mask."""
    cells = [c for c in values.columns if c not in (key, total)]
    rows = values[key] != total
    data = values.loc[rows, [key, *cells]].melt(
        id_vars=key, var_name=column, value_name="incidents"
    )
    hide = mask.loc[rows, [key, *cells]].melt(id_vars=key, var_name=column, value_name="incidents")
    return data, pd.DataFrame({"incidents": hide["incidents"].astype(bool).to_numpy()})


def portrait_sections(
    p: Portrait,
    lang: str,
    threshold: int,
    *,
    territory_name: str,
    reference_name: str = "",
    persons: pd.DataFrame | None = None,
    sites: SitePortrait | None = None,
    severity: pd.DataFrame | None = None,
    extra: Sequence[Section] = (),
) -> list[Section]:
    """Return the sections of the crime portrait in lang, every count under disclosure control.

    `extra` sections (e.g. the hot-spot chapter) come before the confidentiality section,
    which counts their suppressed cells too.
    """
    lab = Labels(lang)
    _ = lab._
    total = _(TOTAL)
    sections = [_summary(p, lab, territory_name), _evolution(p, lab, threshold)]
    sections.append(
        _breakdown(
            p.by_group,
            "crime_group",
            lab.group,
            "groups",
            _("Crimes against the person, against property and other offences"),
            threshold,
            lab,
        )
    )
    sections.append(
        _breakdown(
            p.by_category,
            "category",
            lab.category,
            "categories",
            _("Categories of offences"),
            threshold,
            lab,
        )
    )
    sections.append(_times(p, lab, threshold))
    if not p.comparison.empty:
        sections.append(_comparison(p, lab, threshold, territory_name, reference_name))
    if not p.ranking.empty:
        sections.append(_ranking(p, lab, threshold))
    sections.append(_severity(severity, lab, threshold))
    if persons is not None and not persons.empty:
        sections.append(_persons(persons, lab, threshold, total))
    if sites is not None and not sites.sites.empty:
        sections.append(_sites(sites, lab, threshold))
    sections += list(extra)
    sections.append(_confidentiality(sections, lab, threshold))
    return sections


def confidentiality_section(sections: Sequence[Section], lang: str, threshold: int) -> Section:
    """Return the section saying what was suppressed in these sections, and why."""
    return _confidentiality(list(sections), Labels(lang), threshold)


def _confidentiality(sections: list[Section], lab: Labels, threshold: int) -> Section:
    """Return the section saying what was suppressed in the report, and why."""
    _ = lab._
    cells = sum(int(t.mask().to_numpy().sum()) for s in sections for t in s.tables)
    text = [
        _(
            "Counts from 1 to %(max)s are suppressed in every table and chart of this report, shown as x, so that "
            "no person can be recognised. Other cells are suppressed too where the totals would give a suppressed "
            "count back, and rates or shares computed on a suppressed count are suppressed."
        )
        % {"max": threshold - 1},
        _("Cells suppressed in this report: %(n)s.") % {"n": _fmt(cells, lab.lang)},
    ]
    return Section(
        id="confidentiality",
        title=_("Confidentiality"),
        intro=text,
        method=MethodNote(
            text=_(
                "The threshold is set in urbansafety.toml ([disclosure] threshold); "
                "an audit by linear programming checks that no suppressed count can be "
                "recomputed from the published cells and totals."
            )
        ),
    )


def _summary(p: Portrait, lab: Labels, territory: str) -> Section:
    _ = lab._
    s = p.summary
    t = p.trend
    first, last = p.years[0], p.years[-1]
    lines = [
        _(
            "%(territory)s, %(first)s–%(last)s: %(n)s police-reported incidents, %(mean)s a year on average."
        )
        % {
            "territory": territory,
            "first": first,
            "last": last,
            "n": _fmt(s["incidents"], lab.lang),
            "mean": _fmt(s["mean_per_year"], lab.lang),
        },
    ]
    if np.isfinite(s["mean_rate"]):
        lines.append(
            _("Average rate: %(rate)s incidents per 1,000 residents a year.")
            % {"rate": _fmt(s["mean_rate"], lab.lang, 1)}
        )
    if t.method != "none" and np.isfinite(t.annual_change_pct):
        verdict = (
            _("a statistically significant trend")
            if t.p_value < 0.05
            else _("no statistically significant trend")
        )
        lines.append(
            _("Trend %(first)s–%(last)s: %(change)s per year (%(method)s, p = %(p)s): %(verdict)s.")
            % {
                "first": first,
                "last": last,
                "change": _signed_pct(t.annual_change_pct, lab.lang),
                "method": t.method,
                "p": _fmt(t.p_value, lab.lang, 3),
                "verdict": verdict,
            }
        )
    if s["unlocated"]:
        lines.append(
            _(
                "%(n)s incidents (%(share)s) have no usable location: they count in every total, "
                "and in a territory only when an attribute (such as the police district) places them."
            )
            % {
                "n": _fmt(s["unlocated"], lab.lang),
                "share": _signed_pct(s["unlocated"] / s["incidents"] * 100, lab.lang, sign=False),
            }
        )
    return Section(id="summary", title=_("Key figures"), intro=lines)


def _evolution(p: Portrait, lab: Labels, threshold: int) -> Section:
    _ = lab._
    y = p.yearly.copy()
    hide = disclosure.small_count_mask(y["incidents"], threshold)
    data = pd.DataFrame(
        {
            "year": y["year"].astype(str),
            "incidents": y["incidents"],
            "population": y["population"],
            "rate": y["rate"],
            "change_pct": y["change_pct"] / 100,
        }
    )
    mask = pd.DataFrame(
        {"incidents": hide, "rate": hide, "change_pct": hide | np.r_[False, hide[:-1]]}
    )
    table = Table(
        title=_("Incidents and rate per 1,000 residents by year"),
        data=data,
        labels={
            "year": _("Year"),
            "incidents": _("Incidents"),
            "population": _("Population"),
            "rate": _("Rate per 1,000"),
            "change_pct": _("Change from previous year"),
        },
        formats={"incidents": COUNT, "population": COUNT, "rate": RATE, "change_pct": CHANGE},
        suppressed=mask,
    )
    method = MethodNote(
        text=_(
            "Rate = incidents ÷ population × 1,000. The trend is a Poisson regression of yearly counts with "
            "the population as offset (quasi-Poisson when counts vary more than a Poisson law allows); "
            "without population, the Mann–Kendall test."
        ),
        references=(
            "Osgood, D. W. (2000). Poisson-based regression analysis of aggregate crime rates. "
            "Journal of Quantitative Criminology, 16(1), 21–43.",
        ),
    )
    chart = line_chart(
        table, x="year", y="rate", lang=lab.lang, description=_("Rate per 1,000 residents by year")
    )
    return Section(id="evolution", title=_("Evolution"), blocks=[chart, table], method=method)


def _breakdown(
    frame: pd.DataFrame,
    key: str,
    label: Callable[[str], str],
    sid: str,
    title: str,
    threshold: int,
    lab: Labels,
) -> Section:
    _ = lab._
    values, mask = _suppressed_pivot(frame, key, "year", threshold, _(TOTAL), label)
    table = Table(
        title=title,
        data=values,
        labels={key: _("Category") if key == "category" else _("Group")},
        formats={c: COUNT for c in values.columns if c != key},
        suppressed=mask,
    )
    blocks: list[Table | Chart] = [table]
    if key == "crime_group":
        long, hide = _long(values, mask, key, "year", _(TOTAL))
        data = Table(
            title,
            long,
            {key: _("Group"), "year": _("Year"), "incidents": _("Incidents")},
            {"incidents": COUNT},
            hide,
        )
        blocks.insert(0, line_chart(data, x="year", y="incidents", series=key, lang=lab.lang))
    return Section(id=sid, title=title, blocks=blocks)


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


def _severity(csi: pd.DataFrame | None, lab: Labels, threshold: int) -> Section:
    _ = lab._
    method = MethodNote(
        text=_(
            "Statistics Canada's Crime Severity Index weighs each violation by its seriousness "
            "(incarceration rate × average prison sentence from court data): CSI = 100 × weighted rate per "
            "100,000 ÷ the weighted rate of the base (Canada 2006 = 100). Violent and non-violent indexes use "
            "the violent and the other violations."
        ),
        references=(
            "Wallace, M., Turner, J., Babyak, C., & Matarazzo, A. (2009). Measuring Crime in Canada: "
            "Introducing the Crime Severity Index and Improvements to the Uniform Crime Reporting Survey. "
            "Statistics Canada, 85-004-X.",
        ),
    )
    title = _("Crime severity")
    if csi is None:
        return Section(
            id="severity",
            title=title,
            method=method,
            intro=[
                _(
                    "The Crime Severity Index cannot be computed: no incident of this portrait carries "
                    "a UCR2 violation code that has a weight (the SPVM open-data categories have no code)."
                )
            ],
        )
    attrs = csi.attrs
    label = (
        _(attrs.get("standardisation_template", "")) % attrs.get("standardisation_params", {})
        if attrs.get("standardisation_template")
        else str(csi["standardisation"].iloc[0])
    )
    hide = disclosure.small_count_mask(csi["incidents"], threshold)
    data = pd.DataFrame(
        {
            "year": csi["year"].astype(str),
            "incidents": csi["incidents"],
            "unweighted": csi["incidents_unweighted"],
            "csi": csi["csi"],
            "violent_csi": csi["violent_csi"],
            "nonviolent_csi": csi["nonviolent_csi"],
        }
    )
    table = Table(
        label,
        data,
        {
            "year": _("Year"),
            "incidents": _("Incidents with a violation code"),
            "unweighted": _("Without a weight"),
            "csi": _("Index"),
            "violent_csi": _("Violent"),
            "nonviolent_csi": _("Non-violent"),
        },
        {
            "incidents": COUNT,
            "unweighted": COUNT,
            "csi": RATE,
            "violent_csi": RATE,
            "nonviolent_csi": RATE,
        },
        pd.DataFrame({"incidents": hide, "csi": hide, "violent_csi": hide, "nonviolent_csi": hide}),
    )
    blocks: list[Table | str] = [table]
    if not bool(csi["official_csi"].all()):
        blocks.insert(0, _(NOTE_NOT_OFFICIAL))
    return Section(id="severity", title=title, blocks=blocks, method=method)


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


def _fmt(value: float, lang: str, decimals: int = 0) -> str:
    from babel.numbers import format_decimal

    from urbansafety.i18n import LOCALES

    fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=fmt, locale=LOCALES[lang])


def _signed_pct(value: float, lang: str, *, sign: bool = True) -> str:
    text = _fmt(abs(value), lang, 1) + ("\u00a0%" if lang == "fr" else "%")
    if not sign:
        return text
    return ("+" if value >= 0 else "−") + text
