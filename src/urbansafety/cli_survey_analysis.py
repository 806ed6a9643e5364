"""The `urbansafety survey weight` and `survey analyse` commands (registered by cli_survey.py)."""

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from urbansafety.errors import InputError
from urbansafety.i18n import LANGUAGES, N_, format_count, format_share
from urbansafety.survey.settings import METHODS, SurveySettings, parse_margins
from urbansafety.workspace import open_workspace

if TYPE_CHECKING:
    from urbansafety.survey.weight_run import WeightRun

_NUMBER = N_("%(option)s must be numbers separated by a comma, e.g. %(example)s (got %(value)s).")


def _numbers(text: str, option: str, example: str, count: int) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != count:
        raise InputError(
            _NUMBER,
            hint=N_("Write it without spaces, with a dot for decimals."),
            params={"option": option, "example": example, "value": text},
        )
    return values


def _list(text: str | None) -> list[str] | None:
    return None if text is None else [p.strip() for p in text.split(",") if p.strip()]


def weight_settings(
    s: SurveySettings,
    *,
    margins: str | None,
    year: int | None,
    layer: str | None,
    trim: str | None,
    cap: float | None,
    method: str | None,
) -> SurveySettings:
    """Return the workspace's [survey] settings with the command-line options applied."""
    if trim is not None and cap is not None:
        raise InputError(
            N_("Give --trim or --cap, not both."),
            hint=N_("--trim 0.3,3 bounds weights on both sides; --cap 5 only from above."),
        )
    bounds = s.trim
    if trim is not None:
        low, high = _numbers(trim, "--trim", "0.3,3", 2)
        bounds = (low, high)
    elif cap is not None:
        bounds = (0.0, float(cap))
    if bounds is not None and not (0 <= bounds[0] < 1 < bounds[1]):
        raise InputError(
            N_("Trimming bounds %(low)s and %(high)s must satisfy 0 <= low < 1 < high."),
            hint=N_("Bounds are multiples of the mean weight, for example --trim 0.3,3."),
            params={"low": bounds[0], "high": bounds[1]},
        )
    if method is not None and method not in METHODS:
        raise InputError(
            N_("Unknown weighting method %(value)s."),
            hint=N_("Use rake or poststratify."),
            params={"value": method},
        )
    chosen = tuple(_list(margins) or ()) or s.margins
    parse_margins(chosen)
    return dataclasses.replace(
        s,
        margins=chosen,
        year=year if year is not None else s.year,
        layer=layer or s.layer,
        trim=bounds,
        method=method or s.method,
    )


def _check_form(form: Path, variables: set[str]) -> None:
    from urbansafety.survey.xlsform import read_xlsform

    names = {q.name for q in read_xlsform(form).questions()}
    missing = sorted(variables - names)
    if missing:
        raise InputError(
            N_("The questionnaire %(form)s has no question %(question)s to weight on."),
            hint=N_("Weight on questions of the form, or keep the template's names."),
            params={"form": str(form), "question": missing[0]},
        )


def register_survey_analysis(survey: typer.Typer, _: Callable[[str], str], out: Console) -> None:
    """Add the commands to the survey group, with help texts translated by _."""
    Survey = Annotated[str, typer.Option("--survey", help=_("Name of the survey in the store."))]
    Workspace = Annotated[
        Path,
        typer.Option(
            "--workspace", "-w", help=_("Workspace folder (default: the current folder).")
        ),
    ]
    Quiet = Annotated[
        bool, typer.Option("--quiet", "-q", help=_("Print nothing but errors (for scripts)."))
    ]

    @survey.command(
        "weight",
        help=_(
            "Weight the responses of a survey to the census margins of the population table "
            "(people aged 15 and over) by raking or post-stratification; print the convergence, "
            "the trimming and the weight diagnostics; store the weights and write them to reports/."
        ),
    )
    def weight(
        name: Survey,
        form: Annotated[
            Path | None,
            typer.Option(
                help=_("Questionnaire (XLSForm) to check the weighting questions against.")
            ),
        ] = None,
        margins: Annotated[
            str | None,
            typer.Option(
                help=_(
                    "Margins, e.g. age_group,gender,neighbourhood or age_group*gender,neighbourhood."
                )
            ),
        ] = None,
        year: Annotated[
            int | None, typer.Option(help=_("Population year (default: the latest)."))
        ] = None,
        layer: Annotated[
            str | None,
            typer.Option(help=_("Territory layer of the margins (default: neighbourhood).")),
        ] = None,
        trim: Annotated[
            str | None,
            typer.Option(
                help=_("Bound the weights to LOW,HIGH times the mean weight, e.g. 0.3,3.")
            ),
        ] = None,
        cap: Annotated[
            float | None,
            typer.Option(help=_("Bound the weights to this many times the mean weight, e.g. 5.")),
        ] = None,
        method: Annotated[
            str | None, typer.Option(help=_("rake (default) or poststratify."))
        ] = None,
        workspace: Workspace = Path("."),
        lang: Annotated[
            str, typer.Option("--lang", help=_("Language of messages: fr or en."))
        ] = "fr",
        quiet: Quiet = False,
    ) -> None:
        from urbansafety.survey.weight_run import (
            store_weights,
            weight_survey,
            workspace_settings,
            write_weight_files,
        )

        ws = open_workspace(workspace)
        settings = weight_settings(
            workspace_settings(ws),
            margins=margins,
            year=year,
            layer=layer,
            trim=trim,
            cap=cap,
            method=method,
        )
        if form is not None:
            _check_form(form, {v for m in parse_margins(settings.margins) for v in m})
        run = weight_survey(ws, name, settings)
        stored = store_weights(ws, run)
        csv, xlsx = write_weight_files(run, ws.reports)
        if not quiet:
            print_weighting(run, _, out, lang if lang in LANGUAGES else "fr")
            out.print(
                _("Weights stored: %(n)s rows in survey_weights (run %(run)s).")
                % {"n": stored, "run": run.run_id},
                highlight=False,
            )
            out.print(_("Files: %(csv)s, %(xlsx)s") % {"csv": csv, "xlsx": xlsx}, highlight=False)

    @survey.command(
        "analyse",
        help=_(
            "Compute the standard indicators of a survey, weighted, overall and by subgroup with "
            "confidence intervals, cross-tabulate the feeling of safety after dark (Rao-Scott "
            "test), compare with another wave, and write the report (HTML) and workbook (Excel) "
            "in reports/. Weights the survey first if it has no stored weights."
        ),
    )
    def analyse(
        name: Survey,
        by: Annotated[
            str,
            typer.Option(help=_("Subgroups, separated by commas.")),
        ] = "gender,age_group,neighbourhood",
        compare: Annotated[
            str | None, typer.Option(help=_("Another survey (an earlier wave) to compare with."))
        ] = None,
        min_n: Annotated[
            int | None,
            typer.Option("--min-n", help=_("Flag estimates on fewer respondents (default 30).")),
        ] = None,
        floor: Annotated[
            int | None,
            typer.Option(help=_("Do not publish estimates on fewer respondents (default 10).")),
        ] = None,
        lang: Annotated[
            str, typer.Option("--lang", help=_("Language of the report: fr, en or both."))
        ] = "both",
        out_dir: Annotated[
            Path | None, typer.Option("--out", help=_("Folder for the files (default: reports/)."))
        ] = None,
        workspace: Workspace = Path("."),
        quiet: Quiet = False,
    ) -> None:
        from urbansafety.survey.analysis_run import analyse_survey, write_survey_report

        if lang not in (*LANGUAGES, "both"):
            raise InputError(
                N_("Unknown report language %(value)s."),
                hint=N_("Use fr, en or both."),
                params={"value": lang},
            )
        ws = open_workspace(workspace)
        message_lang = lang if lang in LANGUAGES else ws.config.language
        floor_value = floor
        if floor_value is not None and floor_value < ws.config.disclosure_threshold:
            raise InputError(
                N_("--floor %(floor)s is below the disclosure threshold %(threshold)s."),
                hint=N_(
                    "Counts of 1 to 4 are never published: use a floor of at least %(threshold)s."
                ),
                params={"floor": floor_value, "threshold": ws.config.disclosure_threshold},
            )
        analysis = analyse_survey(
            ws, name, by=_list(by) or [], compare=compare, min_n=min_n, floor=floor
        )
        langs = LANGUAGES if lang == "both" else (lang,)
        written = write_survey_report(ws, analysis, langs=langs, out=out_dir)
        if not quiet:
            if analysis.weights_stored:
                out.print(
                    _("Weights computed and stored (run %(run)s).") % {"run": analysis.run.run_id},
                    highlight=False,
                )
            head = analysis.overall.set_index("code").loc["unsafe_dark"]
            if not head["suppressed"]:
                share = {
                    k: format_share(float(head[k]), message_lang)
                    for k in ("estimate", "ci_low", "ci_high")
                }
                out.print(
                    _(
                        "Feeling unsafe after dark (SDG 16.1.4): %(share)s (95%% CI %(low)s to %(high)s), %(n)s respondents."
                    )
                    % {
                        "share": share["estimate"],
                        "low": share["ci_low"],
                        "high": share["ci_high"],
                        "n": format_count(int(head["n"]), message_lang),
                    },
                    highlight=False,
                )
            for path in written:
                line = _("Report: %(path)s") if path.suffix == ".html" else _("Workbook: %(path)s")
                out.print(line % {"path": path}, highlight=False)


def print_weighting(run: "WeightRun", _: Callable[[str], str], out: Console, lang: str) -> None:
    """Print how a survey was weighted: margins, convergence, trimming, missing answers, weights."""
    from urbansafety.report.formatting import format_number
    from urbansafety.report.model_table import NumberFormat
    from urbansafety.survey.population_margins import WEIGHT_COLUMNS

    rep, w = run.weighting.report, run.weighting.after

    def num(value: float, decimals: int = 2) -> str:
        return format_number(value, NumberFormat(decimals=decimals), lang)

    names = {v: k for k, v in WEIGHT_COLUMNS.items()}
    margins = ", ".join(
        "*".join(names.get(c, c) for c in str(m).split(" × "))
        for m in rep.margins["margin"].unique()
    )
    lines = [
        _(
            "Survey %(survey)s: %(n)s respondents weighted by %(method)s to the %(year)s population aged 15 and over (layer %(layer)s, %(total)s residents); margins: %(margins)s."
        )
        % {
            "survey": run.survey,
            "n": format_count(w.n, lang),
            "method": run.settings.method,
            "year": run.margins.year,
            "layer": run.margins.layer,
            "total": format_count(round(run.margins.total), lang),
            "margins": margins,
        },
        _(
            "Convergence: %(iterations)s iterations, largest margin error %(error)s (relative %(relative)s)."
        )
        % {
            "iterations": rep.iterations,
            "error": f"{rep.max_margin_error:.2e}",
            "relative": f"{rep.max_relative_error:.2e}",
        },
        (
            _(
                "Trimming: weights bounded to %(low)s–%(high)s times the mean, %(rounds)s rounds, %(trimmed)s weights at a bound."
            )
            % {
                "low": num(run.settings.trim[0]),
                "high": num(run.settings.trim[1]),
                "rounds": rep.trim_rounds,
                "trimmed": rep.trimmed,
            }
            if run.settings.trim
            else _("Trimming: none.")
        ),
        _(
            "Missing answers (%(counts)s): those respondents form a cell of their own on that margin, keeping their share of the sample; they keep the adjustment of the margins they answered."
        )
        % {"counts": ", ".join(f"{names.get(k, k)} {v}" for k, v in rep.missing.items())},
        _("Kish design effect: %(deff)s; effective sample size: %(neff)s.")
        % {"deff": num(w.deff), "neff": num(w.n_eff, 0)},
        _(
            "Weights: min %(min)s, p5 %(p05)s, median %(median)s, p95 %(p95)s, max %(max)s, ratio max/min %(ratio)s."
        )
        % {
            "min": num(w.min),
            "p05": num(w.p05),
            "median": num(w.median),
            "p95": num(w.p95),
            "max": num(w.max),
            "ratio": num(w.max_min_ratio, 1),
        },
    ]
    for line in lines:
        out.print(line, highlight=False)
