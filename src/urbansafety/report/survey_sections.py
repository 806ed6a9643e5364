"""The survey chapter as report sections: methodology, indicators overall and by subgroup with
their confidence intervals, the neighbourhood map, cross-tabulations, a wave comparison and the
definitions, in French or English, under the publication rules of `survey_tables`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from urbansafety.i18n import translator
from urbansafety.report.formatting import format_day, format_number
from urbansafety.report.model import MethodNote, Report, Section, Source
from urbansafety.report.model_table import SHARE, Table
from urbansafety.report.survey_charts import estimate_chart
from urbansafety.report.survey_context import (
    REFERENCES,
    SurveyContext,
    group_labels,
    ordered,
)
from urbansafety.report.survey_maps import indicator_map
from urbansafety.report.survey_method import method_section
from urbansafety.report.survey_tables import (
    NOT_PUBLISHED,
    P_VALUE,
    POINTS,
    definitions_table,
    estimate_table,
    indicator_label,
    rules_note,
)
from urbansafety.survey.analysis_run import HEADLINE, NOT_UNSAFE, UNSAFE, SurveyAnalysis

# Indicators drawn by subgroup (every indicator is in the tables).
KEY_INDICATORS = ("unsafe_dark", "never_alone_dark", "avoid_any", "victim_any",
                  "police_confidence", "satisfied_safety")  # fmt: skip


def survey_sections(
    a: SurveyAnalysis,
    lang: str,
    *,
    areas: pd.DataFrame | None = None,
    labels: Mapping[str, Mapping[object, str]] | None = None,
    tiles: bool = False,
) -> list[Section]:
    """Return the sections of the survey chapter in lang (areas: code, name, geometry WGS84)."""
    ctx = SurveyContext(a, lang, labels if labels is not None else group_labels(lang, areas))
    sections = [method_section(ctx), _overall_section(ctx)]
    sections += [_group_section(ctx, var) for var in a.by]
    if areas is not None and "neighbourhood" in a.by and not areas.empty:
        sections.append(_map_section(ctx, areas, tiles))
    if a.crosstabs:
        sections.append(_crosstab_section(ctx))
    if a.comparison is not None and a.compare_with:
        sections.append(_compare_section(ctx))
    sections.append(_definitions_section(ctx))
    return sections


def survey_report(
    a: SurveyAnalysis,
    lang: str,
    *,
    territory: str,
    title: str = "",
    areas: pd.DataFrame | None = None,
    today: dt.date | None = None,
    tiles: bool = False,
) -> Report:
    """Return the survey report in lang: the chapter's sections and their sources.

    title is the survey's own (a campaign's title); without one the report names the survey.
    """
    _ = translator(lang)
    period = ""
    if a.period:
        period = f"{format_day(a.period[0], lang)} – {format_day(a.period[1], lang)}"
    return Report(
        # A campaign's title heads the report, the kind of survey under it; the survey's name
        # (an identifier) only when it has no title.
        title=title or _("Survey on the feeling of safety: %(survey)s") % {"survey": a.survey},
        lang=lang,
        generated_at=today or dt.date.today(),
        subtitle=_("Survey on the feeling of safety, %(territory)s") % {"territory": territory}
        if title
        else territory,
        territory=territory,
        period=period,
        sections=survey_sections(a, lang, areas=areas, tiles=tiles),
        sources=[
            Source(_("Survey responses (%(survey)s)") % {"survey": a.survey}, territory),
            Source(
                _("Population by age group and gender, %(year)s") % {"year": a.run.margins.year},
                _("population table of the workspace (layer %(layer)s)")
                % {"layer": a.run.margins.layer},
            ),
        ],
    )


def _overall_section(ctx: SurveyContext) -> Section:
    _ = ctx._
    a = ctx.a
    lang = ctx.lang
    opts: dict[str, Any] = {"lang": lang, "_": _, "min_n": a.min_n, "floor": a.floor}
    shares = estimate_table(_("Indicators (%)"), a.overall, kind="proportion", **opts)
    indices = estimate_table(_("Indices (0–100)"), a.overall, kind="mean", **opts)
    chart = estimate_chart(
        _chart_table(shares),
        category="indicator",
        value="estimate",
        low="ci_low",
        high="ci_high",
        lang=lang,
        description=_("Weighted estimate of each indicator, with its 95% confidence interval."),
    )
    head = a.overall[a.overall["code"] == HEADLINE]
    intro = []
    if len(head) and not bool(head["suppressed"].iloc[0]):
        h = head.iloc[0]
        intro.append(
            _(
                "%(share)s of residents aged 15 and over feel unsafe walking alone in their area after dark (95%% confidence interval: %(low)s to %(high)s; SDG indicator 16.1.4)."
            )
            % {
                "share": ctx.pct(h["estimate"]),
                "low": ctx.pct(h["ci_low"]),
                "high": ctx.pct(h["ci_high"]),
            }
        )
    return Section(
        id="survey-indicators",
        title=_("Indicators for the whole population"),
        intro=intro,
        blocks=[chart, shares, indices],
    )


def _chart_table(table: Table) -> Table:
    """Return the columns a chart of estimates draws (its data table, shown under it)."""
    keep = [
        c for c in ("indicator", "group", "estimate", "ci_low", "ci_high") if c in table.columns
    ]
    return Table(table.title, table.data[keep], table.labels, table.formats, note=table.note)


def _group_section(ctx: SurveyContext, var: str) -> Section:
    _ = ctx._
    a = ctx.a
    lang = ctx.lang
    results = a.by[var]
    groups = ordered(ctx, var, list(pd.unique(results["group"])))
    name = ctx.var(var)
    opts: dict[str, Any] = {"lang": lang, "_": _, "min_n": a.min_n, "floor": a.floor, "groups": groups,
            "unweighted": False, "group_label": name[:1].upper() + name[1:]}  # fmt: skip
    shares = estimate_table(
        _("Indicators by %(variable)s (%%)") % {"variable": name},
        results,
        kind="proportion",
        **opts,
    )
    indices = estimate_table(
        _("Indices by %(variable)s (0–100)") % {"variable": name}, results, kind="mean", **opts
    )
    key = results[results["code"].isin(KEY_INDICATORS)]
    keyed = estimate_table(
        _("Main indicators by %(variable)s") % {"variable": name}, key, kind="proportion", **opts,
    )  # fmt: skip
    chart = estimate_chart(
        _chart_table(keyed),
        category="indicator",
        value="estimate",
        low="ci_low",
        high="ci_high",
        group="group",
        lang=lang,
        description=_(
            "Main indicators by %(variable)s: weighted estimates with 95%% confidence intervals."
        )
        % {"variable": name},
    )
    return Section(
        id=f"survey-by-{var.replace('_', '-')}",
        title=_("Results by %(variable)s") % {"variable": name},
        intro=[
            _(
                "Each %(variable)s is a domain of the whole weighted sample; intervals that do not overlap show clear differences."
            )
            % {"variable": name}
        ],
        blocks=[chart, shares, indices],
    )


def _map_section(ctx: SurveyContext, areas: pd.DataFrame, tiles: bool) -> Section:
    _ = ctx._
    a = ctx.a
    results = a.by["neighbourhood"]
    results = results[results["code"] == HEADLINE]
    title = _("Feeling unsafe after dark by neighbourhood")
    m = indicator_map(
        title, results, areas, lang=ctx.lang, _=_, min_n=a.min_n, floor=a.floor, tiles=tiles
    )
    intro = [
        _(
            "Share of residents aged 15 and over feeling a bit or very unsafe walking alone in their area after dark (SDG 16.1.4), by the neighbourhood they live in; four classes of equal numbers of neighbourhoods. Neighbourhoods with fewer than %(floor)s respondents are grey (—)."
        )
        % {"floor": a.floor}
    ]
    return Section(id="survey-map", title=title, intro=intro, blocks=[m])


def _crosstab_section(ctx: SurveyContext) -> Section:
    _ = ctx._
    a = ctx.a
    answers = {
        UNSAFE: _("A bit or very unsafe"),
        NOT_UNSAFE: _("Safe, or never walks alone after dark"),
    }
    blocks: list[Table | str] = []
    for var, ct in a.crosstabs.items():
        t = ct.table
        groups = ordered(ctx, var, list(pd.unique(t["column"])))
        rows = [r for r in answers if r in set(t["row"])]
        data = pd.DataFrame({"answer": [answers[r] for r in rows]})
        for g, label in groups.items():
            col = t[t["column"] == g].set_index("row")
            total = col["weighted"].sum(skipna=False)
            data[label] = [
                NOT_PUBLISHED
                if bool(col.at[r, "suppressed"]) or not np.isfinite(total)
                else float(col.at[r, "weighted"] / total)
                for r in rows
            ]
        title = _("Feeling unsafe after dark by %(variable)s (column %%)") % {
            "variable": ctx.var(var)
        }
        formats = {label: SHARE for label in groups.values()}
        blocks.append(
            Table(
                title, data, {"answer": _("Answer")}, formats, note=rules_note(_, a.min_n, a.floor)
            )
        )
        test = ct.test
        verdict = (
            _("the answers differ by %(variable)s")
            if test.p_value < 0.05
            else _("no significant difference by %(variable)s")
        )
        blocks.append(
            _(
                "Rao–Scott test of independence (second-order correction): F = %(f)s on %(ndf)s and %(ddf)s degrees of freedom, p %(p)s: %(verdict)s at the 5%% level."
            )
            % {
                "f": ctx.n(test.f, 2),
                "ndf": ctx.n(test.ndf, 2),
                "ddf": ctx.n(test.ddf, 1),
                "p": "< " + format_number(0.001, P_VALUE, ctx.lang)
                if test.p_value < 0.001
                else "= " + format_number(test.p_value, P_VALUE, ctx.lang),
                "verdict": verdict % {"variable": ctx.var(var)},
            }
        )
    note = MethodNote(
        text=_(
            "The Rao–Scott test corrects Pearson's chi-square for the weights and the design (R's svychisq); answers \"don't know\" and refusals, and respondents without a category, are left out."
        )
        + " "
        + _(
            "A column with a cell of fewer than %(floor)s respondents is not published at all, so that the hidden cell cannot be worked out from the others."
        )
        % {"floor": a.floor},
        references=(REFERENCES[3],),
    )
    return Section(
        id="survey-crosstabs",
        title=_("Feeling unsafe after dark: cross-tabulations"),
        blocks=blocks,
        method=note,
    )


def _compare_section(ctx: SurveyContext) -> Section:
    _ = ctx._
    a = ctx.a
    c = a.comparison
    assert c is not None
    rows = []
    for r in c.to_dict("records"):
        kind = "proportion" if r["code"] not in ("incivility_index", "cohesion_index") else "mean"
        hidden = bool(r["suppressed"])
        scale = 1.0 if kind == "proportion" else 0.01  # indices shown as points of 100 too

        def value(x: float, hidden: bool = hidden, scale: float = scale) -> object:
            return NOT_PUBLISHED if hidden or not np.isfinite(x) else x * scale

        rows.append(
            {
                "indicator": indicator_label(r["code"], ctx.lang),
                "first": value(r["first"]),
                "second": value(r["second"]),
                "difference": value(r["difference"]),
                "ci_low": value(r["ci_low"]),
                "ci_high": value(r["ci_high"]),
                "p_value": NOT_PUBLISHED if hidden else r["p_value"],
            }
        )
    labels = {
        "indicator": _("Indicator"),
        "first": a.compare_with or "",
        "second": a.survey,
        "difference": _("Difference"),
        "ci_low": _("95% CI, low"),
        "ci_high": _("95% CI, high"),
        "p_value": _("p-value"),
    }
    formats = {"first": SHARE, "second": SHARE, "difference": POINTS, "ci_low": POINTS,
               "ci_high": POINTS, "p_value": P_VALUE}  # fmt: skip
    title = _("Change since %(other)s") % {"other": a.compare_with}
    table = Table(title, pd.DataFrame(rows), labels, formats, note=rules_note(_, a.min_n, a.floor))
    intro = [
        _(
            "Difference between this survey and %(other)s, two independent samples each weighted to its own margins (indices on 0–100 are shown as percentages of 100)."
        )
        % {"other": a.compare_with}
    ]
    return Section(id="survey-compare", title=title, intro=intro, blocks=[table])


def _definitions_section(ctx: SurveyContext) -> Section:
    _ = ctx._
    return Section(
        id="survey-definitions",
        title=_("Definitions of the indicators"),
        blocks=[definitions_table(_("Indicators and their definitions"), ctx.lang, _)],
    )
