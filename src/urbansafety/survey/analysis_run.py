"""`urbansafety survey analyse`: weighted indicators overall and by subgroup, cross-tabulations
of the headline indicator with the Rao-Scott test, a comparison with another wave, and the
report (HTML in French and English, an Excel workbook of every table).

The pipeline: stored responses → weights (the stored run's, or new ones stored) → the 28
indicators overall and by each subgroup (`indicators.compute_indicators`, each subgroup a domain
of the whole design) → cross-tabulations (`crosstab.crosstab`) → `report.survey_sections`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from urbansafety.errors import InputError
from urbansafety.i18n import LANGUAGES, N_
from urbansafety.survey.crosstab import Crosstab, crosstab
from urbansafety.survey.design import SurveyDesign
from urbansafety.survey.estimate import compare_waves, estimate, estimates_by
from urbansafety.survey.indicators import COLUMNS, INDICATORS, indicator_values
from urbansafety.survey.responses import survey_title
from urbansafety.survey.weight_run import WeightRun, weights_or_stored
from urbansafety.workspace import Workspace

DEFAULT_BY = ("gender", "age_group", "neighbourhood")
HEADLINE = "unsafe_dark"
# Answers that are no category of a subgroup or of the headline question in a cross-tabulation.
_NOT_A_GROUP = {"refused", "dk", "other", ""}
_VALID_DARK = ("very_safe", "fairly_safe", "bit_unsafe", "very_unsafe", "never_alone")
# The headline indicator as cross-tabulated: unsafe (SDG 16.1.4's numerator) or not.
UNSAFE, NOT_UNSAFE = "unsafe", "not_unsafe"


@dataclass(frozen=True, eq=False)
class SurveyAnalysis:
    """Every result of a survey's analysis (pure data, rendered by `report.survey_sections`).

    overall: `compute_indicators` columns plus ``unweighted`` (the plain mean of respondents'
    values) and ``weight_sum``; by: one such table per subgroup variable, ``group`` holding the
    answer code; crosstabs: the headline indicator (unsafe after dark or not, SDG 16.1.4) by each subgroup; comparison: one row per
    indicator (first = the other wave, second = this one) or None.
    """

    survey: str
    run: WeightRun
    overall: pd.DataFrame
    by: dict[str, pd.DataFrame]
    crosstabs: dict[str, Crosstab]
    comparison: pd.DataFrame | None
    compare_with: str | None
    min_n: int
    floor: int
    threshold: int
    period: tuple[dt.date, dt.date] | None
    weights_stored: bool


def _unweighted(data: pd.DataFrame, table: pd.DataFrame, by: str | None) -> np.ndarray:
    """Return each row's unweighted estimate: the plain mean of the respondents' values."""
    out = np.full(len(table), np.nan)
    groups = None if by is None else data[by].to_numpy(dtype=object)
    for i, (code, group) in enumerate(zip(table["code"], table["group"], strict=True)):
        v = data[f"ind_{code}"].to_numpy(dtype=float)
        if groups is not None:
            v = v[groups == group]
        v = v[~np.isnan(v)]
        if len(v):
            out[i] = v.mean()
    return np.where(table["suppressed"].to_numpy(dtype=bool), np.nan, out)


def indicator_estimates(
    design: SurveyDesign, *, by: str | None = None, min_n: int, floor: int
) -> pd.DataFrame:
    """Return the indicators' estimates (columns of `indicators.COLUMNS`) from ``ind_`` columns.

    The same estimates as `indicators.compute_indicators`, whose per-respondent values were
    computed once (`_indicator_columns`) instead of once per subgroup variable.
    """
    records = []
    for d in INDICATORS:
        column = f"ind_{d.code}"
        if column not in design.data.columns:
            continue
        options: dict[str, Any] = {"min_n": min_n, "floor": floor}
        if by is None:
            est = dataclasses.asdict(estimate(design, column, d.kind, **options))
            records.append({"code": d.code, "group": None} | {k: est[k] for k in COLUMNS[2:]})
            continue
        table = estimates_by(design, column, by, d.kind, **options)
        for row in table.to_dict("records"):
            records.append({"code": d.code, "group": row[by]} | {k: row[k] for k in COLUMNS[2:]})
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))


def _crosstab_columns(data: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Return data with ``ct_<var>`` columns: answers that are categories, else missing."""
    out = data.copy()
    dark = data["safe_dark"] if "safe_dark" in data.columns else pd.Series(None, index=data.index)
    unsafe = dark.isin(["bit_unsafe", "very_unsafe"]).to_numpy(dtype=bool)
    headline = pd.Series(np.where(unsafe, UNSAFE, NOT_UNSAFE), index=data.index, dtype=object)
    out["ct_safe_dark"] = headline.where(dark.isin(_VALID_DARK).to_numpy(dtype=bool))
    for var in by:
        col = data[var] if var in data.columns else pd.Series(None, index=data.index)
        out[f"ct_{var}"] = col.where(col.notna() & ~col.isin(_NOT_A_GROUP)).astype(object)
    return out


def _indicator_columns(data: pd.DataFrame) -> pd.DataFrame:
    """Return data with one ``ind_<code>`` column per indicator its questions allow."""
    values = {}
    for d in INDICATORS:
        needed = (*d.questions, *((d.among[0],) if d.among else ()))
        if all(q in data.columns for q in needed):
            values[f"ind_{d.code}"] = indicator_values(data, d)
    return pd.concat([data, pd.DataFrame(values, index=data.index)], axis=1)


def compare_surveys(
    first: SurveyDesign, second: SurveyDesign, *, min_n: int, floor: int
) -> pd.DataFrame:
    """Return second - first for every indicator both surveys have (independent samples)."""
    rows = []
    for d in INDICATORS:
        column = f"ind_{d.code}"
        if column not in first.data.columns or column not in second.data.columns:
            continue
        statistic = "proportion" if d.kind == "proportion" else "mean"
        diff = compare_waves(first, second, column, statistic, min_n=min_n, floor=floor)
        rows.append(
            {
                "code": d.code,
                "first": diff.first.estimate,
                "second": diff.second.estimate,
                "difference": diff.estimate,
                "ci_low": diff.ci_low,
                "ci_high": diff.ci_high,
                "p_value": diff.p_value,
                "n_first": diff.first.n,
                "n_second": diff.second.n,
                "suppressed": diff.suppressed,
            }
        )
    return pd.DataFrame(rows)


def analyse_weighted(
    run: WeightRun,
    *,
    by: Sequence[str] = DEFAULT_BY,
    other: WeightRun | None = None,
    min_n: int | None = None,
    floor: int | None = None,
    threshold: int = 5,
    weights_stored: bool = False,
) -> SurveyAnalysis:
    """Return the indicators of a weighted survey overall and by subgroup, with cross-tabs."""
    min_n = run.settings.min_n if min_n is None else min_n
    floor = run.settings.floor if floor is None else floor
    if floor > min_n or floor < 1:
        raise InputError(
            N_("The suppression floor (%(floor)s) must be between 1 and --min-n (%(min_n)s)."),
            hint=N_("For example --min-n 30 --floor 10."),
            params={"floor": floor, "min_n": min_n},
        )
    for var in by:
        if var not in run.data.columns:
            raise InputError(
                N_("The survey has no question %(column)s to break the results down by."),
                hint=N_("Use questions of the form, e.g. --by gender,age_group,neighbourhood."),
                params={"column": var},
            )
    data = _indicator_columns(_crosstab_columns(run.data, by))
    design = dataclasses.replace(run.weighting.design, data=data)
    options: dict[str, Any] = {"min_n": min_n, "floor": floor}
    overall = indicator_estimates(design, **options)
    overall["unweighted"] = _unweighted(data, overall, None)
    tables = {}
    for var in by:
        table = indicator_estimates(design, by=var, **options)
        table["unweighted"] = _unweighted(data, table, var)
        tables[var] = table
    crosstabs = {}
    for var in by:
        column = f"ct_{var}"
        if data[column].nunique() >= 2 and data["ct_safe_dark"].nunique() >= 2:
            crosstabs[var] = crosstab(design, "ct_safe_dark", column, **options)
    comparison = None
    if other is not None:
        other_data = _indicator_columns(other.data)
        first = dataclasses.replace(other.weighting.design, data=other_data)
        comparison = compare_surveys(first, design, **options)
    return SurveyAnalysis(
        survey=run.survey,
        run=run,
        overall=overall,
        by=tables,
        crosstabs=crosstabs,
        comparison=comparison,
        compare_with=other.survey if other is not None else None,
        min_n=min_n,
        floor=floor,
        threshold=threshold,
        period=_period(run.data),
        weights_stored=weights_stored,
    )


def _period(data: pd.DataFrame) -> tuple[dt.date, dt.date] | None:
    if "submitted_at" not in data.columns:
        return None
    when = pd.to_datetime(data["submitted_at"], errors="coerce").dropna()
    if when.empty:
        return None
    return when.min().date(), when.max().date()


def analyse_survey(
    ws: Workspace,
    survey: str,
    *,
    by: Sequence[str] = DEFAULT_BY,
    compare: str | None = None,
    min_n: int | None = None,
    floor: int | None = None,
) -> SurveyAnalysis:
    """Return the analysis of a stored survey, weighting it first if it has no stored weights."""
    run, stored = weights_or_stored(ws, survey)
    other = weights_or_stored(ws, compare)[0] if compare else None
    return analyse_weighted(
        run,
        by=by,
        other=other,
        min_n=min_n,
        floor=floor,
        threshold=ws.config.disclosure_threshold,
        weights_stored=stored,
    )


def write_survey_report(
    ws: Workspace,
    analysis: SurveyAnalysis,
    *,
    langs: Sequence[str] = LANGUAGES,
    out: Path | None = None,
    today: dt.date | None = None,
) -> list[Path]:
    """Write the report of an analysis (HTML and XLSX per language); return the files written."""
    from urbansafety.report.excel import write_workbook
    from urbansafety.report.html import render_html
    from urbansafety.report.survey_sections import survey_report

    folder = out or ws.reports
    folder.mkdir(parents=True, exist_ok=True)
    stem = "survey_" + re.sub(r"[^A-Za-z0-9_.-]", "-", analysis.survey)
    written = []
    areas = survey_areas(ws, analysis.run.margins.layer)
    title = survey_title(ws, analysis.survey)
    for lang in langs:
        report = survey_report(
            analysis,
            lang,
            title=title.get(lang),
            territory=ws.config.territory_label(lang),
            areas=areas,
            today=today or dt.date.today(),
            tiles=ws.config.map_tiles,
        )
        html = folder / f"{stem}_{lang}.html"
        html.write_text(render_html(report), encoding="utf-8")
        workbook = folder / f"{stem}_{lang}.xlsx"
        write_workbook(report, workbook)
        written += [html, workbook]
    return written


def survey_areas(ws: Workspace, layer: str) -> pd.DataFrame:
    """Return the polygons of a layer in longitude/latitude: code, name, geometry."""
    import shapely

    from urbansafety import store

    with store.connect(ws.store_path, read_only=True) as con:
        frame = con.execute(
            "SELECT code, name, geometry_wgs84 FROM territories WHERE layer = ? ORDER BY code",
            [layer],
        ).df()
    frame["geometry"] = shapely.from_wkb([bytes(g) for g in frame.pop("geometry_wgs84")])
    return frame


def run_survey_analysis(
    ws: Workspace,
    survey: str,
    *,
    langs: Sequence[str] = LANGUAGES,
    by: Sequence[str] = DEFAULT_BY,
    compare: str | None = None,
    min_n: int | None = None,
    floor: int | None = None,
    out: Path | None = None,
    today: dt.date | None = None,
) -> list[Path]:
    """Analyse a stored survey and write its report; return the files written (for the demo)."""
    analysis = analyse_survey(ws, survey, by=by, compare=compare, min_n=min_n, floor=floor)
    return write_survey_report(ws, analysis, langs=langs, out=out, today=today)
