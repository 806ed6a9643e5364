"""Weights that reproduce population margins: post-stratification and raking.

`rake` adjusts base weights by iterative proportional fitting (IPF) until the weighted
sample reproduces each margin (e.g. age group x gender, neighbourhood); `post_stratify` is
the one-margin case. Both return a `Weighting`: the new weights, a calibrated
`SurveyDesign` whose variances account for the weighting, a convergence report and Kish
diagnostics before and after.

Rules, chosen so that published estimates can be defended:

- Cells. Respondents are grouped by their combination of margin categories; IPF runs on
  these cells (a few hundred at most), then each respondent gets its cell's factor, so a
  million respondents rake in a few hundredths of a second. The weights are the unit-level
  IPF's.
- Convergence. By default sweeps over the margins repeat until every margin cell is within
  `tol` (relative) of its target. ``criterion="table_change"`` uses R `survey::rake`'s rule
  instead (stop when no cell of the weighted cross-table moves by `tol` or more; R's
  defaults are tol=1, max_iter=10), to reproduce R's outputs.
- Empty cells. A margin category with a positive target and no respondent cannot be
  reached: this is an error naming the cell and the neighbour it could be merged with.
- Non-answers to a weighting question (``missing="cell"``, the default) form a cell of
  their own whose target is the margin total times their base-weighted share: weighting
  neither inflates nor deflates them on that margin, while those who answered reproduce
  the population's proportions. The share is an estimate; its variance is carried into
  every standard error. ``missing="error"`` refuses non-answers.
- Trimming. ``trim=(low, high)`` bounds weights to low..high times the mean weight: weights
  outside are set to the bound and frozen, the others are raked again to what remains of
  each target, until none is outside (the frozen set only grows, so this ends). Margins
  then hold to `tol`, bounds to 1e-6; bounds the margins cannot live with are an error.
  Near such bounds raking converges slowly: hence up to 1,000 sweeps by default.
  Standard errors treat the frozen weights as fixed (their cells keep a factor of 1).

References
----------
Deming, W. E. and Stephan, F. F. (1940). On a least squares adjustment of a sampled
frequency table when the expected marginal totals are known. *Ann. Math. Statist.* 11,
427-444.
Kish, L. (1992). Weighting for unequal P_i. *Journal of Official Statistics* 8(2), 183-200.
Battaglia, M. P., Hoaglin, D. C. and Frankel, M. R. (2009). Practical considerations in
raking survey data. *Survey Practice* 2(5).
Lumley, T. (2010). *Complex Surveys*, ch. 7 "Post-stratification, raking and calibration".
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Hashable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from urbansafety.errors import DataQualityError, InputError
from urbansafety.i18n import N_
from urbansafety.survey.design import Calibration, MissingCell, SurveyDesign, survey_design
from urbansafety.survey.ipf import _Fit, _fit, _layout, _margin_error
from urbansafety.survey.margins import (
    Margins,
    _check_cells,
    _fail,
    _label,
    _Margin,
    _parse_margin,
)
from urbansafety.survey.weight_diagnostics import (
    WeightDiagnostics,
    _diagnostics,
    weight_diagnostics,
)

_TRIM_SLACK = 1e-6


@dataclass(frozen=True, eq=False)
class RakeReport:
    """How the weighting went. `margins` has one row per margin cell: margin, category
    (None for the non-answer cell), no_answer, n, target, before (base-weighted total),
    after (weighted total)."""

    iterations: int
    converged: bool
    criterion: str
    tol: float
    max_margin_error: float
    max_relative_error: float
    trim_rounds: int
    trimmed: int
    trim_converged: bool
    missing: Mapping[str, int]
    margins: pd.DataFrame


@dataclass(frozen=True, eq=False)
class Weighting:
    """New weights, the calibrated design they belong to, and how they were obtained."""

    design: SurveyDesign
    weights: pd.Series
    report: RakeReport
    before: WeightDiagnostics
    after: WeightDiagnostics


def rake(
    data: SurveyDesign | pd.DataFrame,
    margins: Margins,
    *,
    weights: str | None = None,
    tol: float = 1e-10,
    max_iter: int = 1000,
    criterion: Literal["margins", "table_change"] = "margins",
    trim: tuple[float, float] | None = None,
    max_trim_rounds: int = 50,
    missing: Literal["cell", "error"] = "cell",
    rescale: bool = False,
    allow_nonconvergence: bool = False,
) -> Weighting:
    """Return weights raked to margins, with the calibrated design and a report.

    data is a design (its weights are the base weights) or a DataFrame (base weights from
    the column `weights`, else 1). margins maps a column, or a tuple of columns for a joint
    margin, to population totals per category, adjusted in that order:
    ``{"gender": {"F": 520, "M": 480}, ("age", "gender"): {("18-34", "F"): 150, ...}}``.
    Every margin must describe the same total; ``rescale=True`` scales each to the first
    one's (e.g. census tables rounded to multiples of 5). See the module notes for the
    convergence, non-answer and trimming rules.
    """
    design = data if isinstance(data, SurveyDesign) else survey_design(data, weights=weights)
    if design.calibration is not None:
        hint = N_("Rake the design from before weighting, with every margin at once.")
        _fail(InputError, N_("These weights are already raked or post-stratified."), hint)
    if criterion not in ("margins", "table_change") or not margins:
        _fail(
            InputError, N_("Raking needs margins, and criterion 'margins' or 'table_change'."), ""
        )
    if trim is not None and not (0 <= trim[0] < 1 < trim[1]):
        message = N_("Trimming bounds %(low)s and %(high)s must satisfy 0 <= low < 1 < high.")
        hint = N_("Bounds are multiples of the mean weight, for example trim=(0.2, 5.0).")
        _fail(InputError, message, hint, low=trim[0], high=trim[1])
    frame, base = design.data, design.weights
    # Encoding the answers is most of the work; Arrow releases the GIL, so margins go in parallel.
    with ThreadPoolExecutor(max_workers=min(len(margins), os.cpu_count() or 1)) as pool:
        parsed = list(
            pool.map(lambda kv: _parse_margin(frame, kv[0], kv[1], missing), margins.items())
        )
    options = (tol, max_iter, criterion)
    first = _layout(parsed, base)
    for margin, codes in zip(parsed, first.cell_codes, strict=True):
        _check_cells(margin, np.bincount(codes, first.cell_n, minlength=len(margin.labels) + 1))
    targets, absent = _full_targets(parsed, first.cell_codes, first.cell_base, base, rescale)
    fit = _fit(first, targets, options)
    w, rounds, trim_ok = fit.weights, 0, True
    frozen = np.zeros(len(w), dtype=bool)
    if trim is not None:
        # Weights outside the bounds are frozen at the bound and the others raked to what
        # remains of each target, until none is outside (the frozen set only grows).
        low, high = trim[0] * w.mean(), trim[1] * w.mean()
        while True:
            out = ~frozen & ((w < low * (1 - _TRIM_SLACK)) | (w > high * (1 + _TRIM_SLACK)))
            trim_ok = not out.any()
            if trim_ok or rounds == max_trim_rounds:
                break
            rounds += 1
            frozen |= out
            start = np.where(frozen, np.clip(w, low, high), base)
            fit = _fit(_layout(parsed, start, frozen), targets, options)
            w = fit.weights
    cell_w = fit.cell_weights
    absolute, relative, worst_k, worst_c = _margin_error(cell_w, fit.cell_codes, targets)
    if not fit.converged and not allow_nonconvergence:
        margin = parsed[worst_k]
        cell = _label(margin.labels[worst_c]) if worst_c < len(margin.labels) else "—"
        message = N_("Raking did not converge: margin %(margin)s is off by %(error)s at %(cell)s.")
        hint = N_("Merge sparse categories such as %(cell)s, rake fewer margins or raise max_iter.")
        if rounds:
            hint = N_("Widen the trimming bounds, or merge %(cell)s with a neighbouring category.")
        error = f"{relative:.2%}" if relative >= 5e-5 else "< 0.01%"
        _fail(DataQualityError, message, hint, margin=margin.name, error=error, cell=cell)
    calibration = Calibration(fit.cells, fit.cell_codes, fit.stages, fit.start, tuple(absent))
    # Weights are constant within cells when the base weights were: diagnostics per cell then.
    if bool(base.min() == base.max()):
        before = _diagnostics(np.array([base[0]]), np.array([len(base)]))
        after = _diagnostics(cell_w / fit.cell_n, fit.cell_n)
    else:
        before, after = weight_diagnostics(base), weight_diagnostics(w)
    report = RakeReport(
        iterations=fit.sweeps,
        converged=fit.converged,
        criterion=criterion,
        tol=tol,
        max_margin_error=absolute,
        max_relative_error=relative,
        trim_rounds=rounds,
        trimmed=int(frozen.sum()),
        trim_converged=trim_ok,
        missing={m.name: m.missing for m in parsed},
        margins=_margin_table(parsed, targets, first, fit),
    )
    new = dataclasses.replace(design, weights=w, calibration=calibration)
    weights_out = pd.Series(w, index=frame.index, name="weight")
    return Weighting(new, weights_out, report, before, after)


def _full_targets(
    parsed: list[_Margin],
    cell_codes: tuple[np.ndarray, ...],
    cell_base: np.ndarray,
    base: np.ndarray,
    rescale: bool,
) -> tuple[list[np.ndarray], list[MissingCell]]:
    """Return every margin's targets (with its non-answer cell) and those cells' records."""
    total = parsed[0].targets.sum()
    targets, absent = [], []
    for k, margin in enumerate(parsed):
        t = margin.targets
        if abs(t.sum() - total) > 1e-9 * total:
            if not rescale:
                message = N_(
                    "Margins %(first)s and %(margin)s disagree on the population: %(first_total)s, %(total)s."
                )
                hint = N_("Use margins of one source, or rescale=True to scale all to the first.")
                names = {"first": parsed[0].name, "margin": margin.name}
                _fail(InputError, message, hint, **names, first_total=total, total=t.sum())
            t = t * (total / t.sum())
        share = 0.0
        if margin.missing:
            share = float(cell_base[cell_codes[k] == len(t)].sum() / cell_base.sum())
            absent.append(MissingCell(k, len(t), t.copy(), share, base))
        targets.append(np.append(t * (1 - share), total * share))
    return targets, absent


def _margin_table(
    parsed: list[_Margin], targets: list[np.ndarray], first: _Fit, fit: _Fit
) -> pd.DataFrame:
    parts = []
    for k, (margin, target) in enumerate(zip(parsed, targets, strict=True)):
        size, codes = len(target), fit.cell_codes[k]
        table = pd.DataFrame(
            {
                "margin": margin.name,
                "category": [*margin.labels, None],
                "no_answer": np.arange(size) == size - 1,
                "n": np.bincount(codes, fit.cell_n, minlength=size).astype(int),
                "target": target,
                "before": np.bincount(first.cell_codes[k], first.cell_base, minlength=size),
                "after": np.bincount(codes, fit.cell_weights, minlength=size),
            }
        )
        parts.append(table if margin.missing else table.iloc[:-1])
    return pd.concat(parts, ignore_index=True)


def post_stratify(
    data: SurveyDesign | pd.DataFrame,
    cells: str | tuple[str, ...],
    totals: Mapping[Hashable, float] | pd.Series,
    *,
    weights: str | None = None,
    missing: Literal["cell", "error"] = "cell",
) -> Weighting:
    """Return weights post-stratified to population totals per cell (R's `postStratify`).

    cells is a column, or a tuple of columns whose combinations are the post-strata (the
    keys of totals are then tuples). This is `rake` with one margin: exact in one sweep.
    """
    return rake(data, {cells: totals}, weights=weights, missing=missing, max_iter=3)
