"""Weighted cross-tabulation of two categorical columns, with the Rao-Scott test of independence.

:func:`crosstab` gives each cell's weighted count and proportions, flagged and suppressed
under the thresholds of ``estimate.py``, and :class:`RaoScott`, the first- and second-order
corrections R's ``svychisq`` reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from urbansafety.i18n import N_
from urbansafety.survey.design import SurveyDesign
from urbansafety.survey.estimate import FLOOR, MIN_N, Domain, _bad, _column, _rows
from urbansafety.survey.variance import total_covariance


@dataclass(frozen=True)
class RaoScott:
    """Rao-Scott tests of independence (R's `svychisq`).

    f, ndf, ddf, p_value: second-order correction (``statistic="F"``, R's default);
    x2: Pearson's statistic on the weighted table scaled to n respondents;
    chisq, chisq_p_value: first-order correction X2 / mean_deff on df degrees of freedom.
    """

    f: float
    ndf: float
    ddf: float
    p_value: float
    x2: float
    chisq: float
    chisq_p_value: float
    df: int
    mean_deff: float


@dataclass(frozen=True, eq=False)
class Crosstab:
    """A weighted cross-tabulation (one row per cell) and its Rao-Scott test."""

    table: pd.DataFrame
    test: RaoScott


def crosstab(
    design: SurveyDesign,
    row: str,
    column: str,
    *,
    domain: Domain = None,
    min_n: int = MIN_N,
    floor: int = FLOOR,
) -> Crosstab:
    """Return the weighted cross-tabulation of two questions with the Rao-Scott tests.

    table columns: row, column, n, weighted (weighted count), proportion (of the table),
    row_proportion, flagged, suppressed (cells under floor respondents are NaN). The test
    reproduces R's ``svychisq(~row + column, design)`` (second-order "F" and first-order
    "Chisq"); respondents missing either answer are left out as a domain.
    """
    a, b = _column(design, row), _column(design, column)
    used = _rows(design, domain) & a.notna().to_numpy() & b.notna().to_numpy()
    ra, rl = pd.factorize(a[used], sort=True)
    ca, cl = pd.factorize(b[used], sort=True)
    nr, nc = len(rl), len(cl)
    if nr < 2 or nc < 2:
        message = N_("A cross-tabulation needs two answers or more to %(row)s and %(column)s.")
        raise _bad(message, row=row, column=column)
    cell = np.full(design.n, -1)
    cell[used] = ra + nr * ca  # rows vary fastest, as R's interaction()
    w = np.where(used, design.weights, 0.0)
    indicator = (cell[:, None] == np.arange(nr * nc)).astype(float)
    p = w @ indicator / w.sum()
    cov = total_covariance(design, w[:, None] * (indicator - p) / w.sum())
    n = int(used.sum())
    test = _rao_scott(p, cov, nr, nc, n, design.degrees_of_freedom(used))
    counts = np.bincount(cell[used], minlength=nr * nc)
    weighted = w @ indicator
    rowsum = np.tile(p.reshape(nc, nr).sum(axis=0), nc)
    hidden = counts < floor
    table = pd.DataFrame(
        {
            "row": np.tile(rl, nc),
            "column": np.repeat(cl, nr),
            "n": counts,
            "weighted": np.where(hidden, np.nan, weighted),
            "proportion": np.where(hidden, np.nan, p),
            "row_proportion": np.where(hidden, np.nan, p / np.where(rowsum > 0, rowsum, 1)),
            "flagged": counts < min_n,
            "suppressed": hidden,
        }
    )
    return Crosstab(table=table.sort_values(["row", "column"], ignore_index=True), test=test)


def _rao_scott(p: np.ndarray, cov: np.ndarray, nr: int, nc: int, n: int, nu: int) -> RaoScott:
    """Return the Rao-Scott corrections of Pearson's X2 for independence (rows fastest in p)."""
    table = p.reshape(nc, nr).T
    expected = np.outer(table.sum(axis=1), table.sum(axis=0))
    x2 = float(n * np.sum((table - expected) ** 2 / expected))
    rows, cols = np.tile(np.arange(nr), nc), np.repeat(np.arange(nc), nr)
    main = np.column_stack(
        [np.ones(nr * nc)] + [rows == i for i in range(1, nr)] + [cols == j for j in range(1, nc)]
    ).astype(float)
    inter = np.column_stack(
        [(rows == i) & (cols == j) for j in range(1, nc) for i in range(1, nr)]
    ).astype(float)
    q, _ = np.linalg.qr(main)
    contrast = inter - q @ (q.T @ inter)  # interactions orthogonal to the main effects
    inv = np.diag(np.divide(1.0, p, out=np.zeros_like(p), where=p > 0))
    delta = np.linalg.solve(
        contrast.T @ inv @ contrast / n, contrast.T @ inv @ cov @ inv @ contrast
    )
    trace, df = float(np.trace(delta)), (nr - 1) * (nc - 1)
    ndf = trace**2 / float(np.trace(delta @ delta))
    f = x2 / trace
    chisq = x2 / (trace / df)
    return RaoScott(
        f=f,
        ndf=ndf,
        ddf=ndf * nu,
        p_value=float(stats.f.sf(f, ndf, ndf * nu)),
        x2=x2,
        chisq=chisq,
        chisq_p_value=float(stats.chi2.sf(chisq, df)),
        df=df,
        mean_deff=trace / df,
    )
