"""The survey chapter's methodology section: who answered, how the answers were weighted
(margins, convergence, trimming, missing answers), the weights' diagnostics, the margin of error
and the limits of an open web survey."""

from __future__ import annotations

import numpy as np
import pandas as pd

from urbansafety.report.formatting import format_day
from urbansafety.report.model import MethodNote, Section
from urbansafety.report.model_table import COUNT, SHARE, NumberFormat, Table
from urbansafety.report.survey_context import REFERENCES, SurveyContext
from urbansafety.report.survey_tables import NOT_PUBLISHED, shown_count
from urbansafety.survey.population_margins import WEIGHT_COLUMNS


def _margin_table(ctx: SurveyContext) -> Table:
    _ = ctx._
    a = ctx.a
    m = a.run.weighting.report.margins
    floor = a.floor
    names = {v: k for k, v in WEIGHT_COLUMNS.items()}
    rows = []
    for margin, part in m.groupby("margin", sort=False):
        columns = [names.get(c, c) for c in str(margin).split(" × ")]
        variables = " × ".join(ctx.var(c) for c in columns)
        n_total, target_total = part["n"].sum(), part["target"].sum()
        for _i, r in part.iterrows():
            values = r["category"] if isinstance(r["category"], tuple) else (r["category"],)
            # Neighbourhoods by name (code): the census categories of age and gender are
            # shown as the population table writes them.
            shown = [
                f"{ctx.groups['neighbourhood'][str(v)]} ({v})"
                if var == "neighbourhood" and str(v) in ctx.groups.get("neighbourhood", {})
                else str(v)
                for var, v in zip(columns, values, strict=False)
            ]
            category = _("no answer") if r["no_answer"] else " × ".join(shown)
            rows.append(
                {
                    "margin": variables,
                    "category": category,
                    "n": shown_count(int(r["n"]), floor, ctx.lang),
                    "sample": r["n"] / n_total if r["n"] >= floor else NOT_PUBLISHED,
                    "weighted": r["after"] / target_total,
                    "population": r["target"] / target_total,
                }
            )
    labels = {
        "margin": _("Margin"),
        "category": _("Category"),
        "n": _("Respondents (unweighted)"),
        "sample": _("Share of the sample (unweighted)"),
        "weighted": _("Weighted share"),
        "population": _("Share of the population (target)"),
    }
    formats = {"n": COUNT, "sample": SHARE, "weighted": SHARE, "population": SHARE}
    note = _("No answer: respondents without a census category on that margin (see the method).")
    return Table(_("Weighting margins"), pd.DataFrame(rows), labels, formats, note=note)


def _weights_table(ctx: SurveyContext) -> Table:
    _ = ctx._
    w = ctx.a.run.weighting
    stats = [
        ("min", _("Minimum")), ("p05", _("5th percentile")), ("median", _("Median")),
        ("p95", _("95th percentile")), ("max", _("Maximum")), ("max_min_ratio", _("Ratio max / min")),
        ("deff", _("Design effect of weighting (Kish)")), ("n_eff", _("Effective sample size")),
    ]  # fmt: skip
    data = pd.DataFrame(
        {
            "statistic": [label for _k, label in stats],
            "value": [float(getattr(w.after, k)) for k, _l in stats],
        }
    )
    labels = {"statistic": _("Statistic"), "value": _("Weights")}
    return Table(
        _("Distribution of the weights"), data, labels, {"value": NumberFormat(decimals=2)}
    )


def method_section(ctx: SurveyContext) -> Section:
    """Return the methodology section of the survey chapter."""
    _ = ctx._
    a = ctx.a
    run, rep = a.run, a.run.weighting.report
    after = run.weighting.after
    names = {v: k for k, v in WEIGHT_COLUMNS.items()}
    margins = ", ".join(
        " × ".join(ctx.var(names.get(c, c)) for c in str(k).split(" × "))
        for k in rep.margins["margin"].unique()
    )
    period = (
        _("between %(first)s and %(last)s")
        % {"first": format_day(a.period[0], ctx.lang), "last": format_day(a.period[1], ctx.lang)}
        if a.period
        else ""
    )
    moe = 1.96 * np.sqrt(0.25 / after.n_eff)
    method = (
        _("raking (iterative proportional fitting)")
        if run.settings.method == "rake"
        else _("post-stratification")
    )
    intro = [
        _(
            "%(n)s people aged 15 and over answered %(period)s (%(out)s responses left out: no consent or under 15)."
        )
        % {"n": ctx.n(run.weighting.after.n), "period": period, "out": ctx.n(run.screened_out)},
        _(
            "Answers are weighted by %(method)s to the population aged 15 and over of %(year)s (population table of the workspace, layer %(layer)s: %(total)s residents), on these margins: %(margins)s. The weighting converged in %(iterations)s iterations; the largest gap between a weighted margin and its population is %(error)s residents."
        )
        % {
            "method": method,
            "year": run.margins.year,
            "layer": ctx.var(run.margins.layer),
            "total": ctx.n(run.margins.total),
            "margins": margins,
            "iterations": rep.iterations,
            # Raking meets the margins to rounding error: say so rather than print 0,000003.
            "error": "< " + ctx.n(0.01, 2)
            if rep.max_margin_error < 0.01
            else ctx.n(rep.max_margin_error, 2),
        },
        (
            _(
                "Weights were bounded to %(low)s–%(high)s times the mean weight (trimming): %(rounds)s rounds, %(trimmed)s weights at a bound."
            )
            % {
                "low": ctx.n(run.settings.trim[0], 2),
                "high": ctx.n(run.settings.trim[1], 2),
                "rounds": rep.trim_rounds,
                "trimmed": ctx.n(rep.trimmed),
            }
            if run.settings.trim
            else _("Weights were not trimmed.")
        ),
        _(
            "Design effect of weighting (Kish): %(deff)s; effective sample size: %(neff)s. Margin of error of a 50%% proportion at 95%% confidence for the whole sample: ± %(moe)s points; it is larger for subgroups."
        )
        % {"deff": ctx.n(after.deff, 2), "neff": ctx.n(after.n_eff), "moe": ctx.n(moe * 100, 1)},
        _(
            "Missing answers: respondents who gave no age group, a gender without a census category (another gender, prefer not to answer) or no neighbourhood of the list (other, don't know) keep the adjustment of the margins they answered. On each margin they form a cell of their own whose weight keeps their share of the sample, so that weighting neither inflates nor deflates them there; the others reproduce the population's proportions (without an answer: %(missing)s)."
        )
        % {
            "missing": ", ".join(
                f"{ctx.var(names.get(k, k))} {ctx.n(v)}" for k, v in rep.missing.items()
            )
        },
        _(
            "This is an open web survey, not a probability sample: people chose to answer. Weighting corrects the known differences of age, gender and neighbourhood with the population, not the others (interest in the subject, internet use). Confidence intervals assume that within each weighting cell respondents are like the residents: read them as indications, not guarantees."
        ),
    ]
    note = MethodNote(
        text=_(
            "Estimates and their standard errors follow the design-based method of R's survey package: Taylor linearisation, with the calibration of the weights taken into account. Proportions have logit confidence intervals; subgroups are domains of the whole sample. Weighted and unweighted estimates are both given: the difference shows what weighting changed."
        ),
        formulas=(
            "deff_Kish = n Σ w² / (Σ w)²,  n_eff = (Σ w)² / Σ w²",
            "MOE(50 %) = 1,96 √(0,25 / n_eff)"
            if ctx.lang == "fr"
            else "MOE(50%) = 1.96 √(0.25 / n_eff)",
        ),
        references=REFERENCES,
    )
    return Section(
        id="survey-method",
        title=_("How the survey was done and weighted"),
        intro=intro,
        blocks=[_margin_table(ctx), _weights_table(ctx)],
        method=note,
    )
