"""The crime portrait as report sections (data → tables and charts, in French or English).

Every count passes through disclosure control before it becomes a table: counts of 1 to
threshold−1 are suppressed, with complementary cells so that totals cannot give them back,
and rates computed on suppressed counts are suppressed too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from urbansafety import disclosure
from urbansafety.analysis.portrait import Portrait
from urbansafety.analysis.sites import SitePortrait
from urbansafety.report.charts import line_chart
from urbansafety.report.confidentiality import _confidentiality
from urbansafety.report.model import Chart, MethodNote, Section
from urbansafety.report.model_table import CHANGE, COUNT, RATE, NumberFormat, Table
from urbansafety.report.portrait_comparison import _comparison, _ranking
from urbansafety.report.portrait_labels import TOTAL, Labels, _fmt, _signed_pct
from urbansafety.report.portrait_persons import _persons
from urbansafety.report.portrait_pivots import _long, _suppressed_pivot
from urbansafety.report.portrait_severity import _severity
from urbansafety.report.portrait_sites import _sites
from urbansafety.report.portrait_times import _times

PER1000 = NumberFormat(decimals=1)


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
