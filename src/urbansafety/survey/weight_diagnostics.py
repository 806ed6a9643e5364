"""How uneven a set of weights is: its distribution and Kish's design effect of weighting."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class WeightDiagnostics:
    """Distribution of a set of weights, with Kish's design effect of weighting.

    deff = n sum(w^2) / sum(w)^2 = 1 + CV^2 (CV with divisor n); n_eff = sum(w)^2 / sum(w^2).
    """

    n: int
    total: float
    mean: float
    min: float
    p05: float
    median: float
    p95: float
    max: float
    cv: float
    deff: float
    n_eff: float
    max_min_ratio: float


def _diagnostics(values: np.ndarray, counts: np.ndarray) -> WeightDiagnostics:
    """Return the diagnostics of weights given as distinct values and their counts."""
    order = np.argsort(values)
    values, counts = values[order], counts[order]
    ends = np.cumsum(counts)
    n = int(ends[-1])

    def quantile(q: float) -> float:  # numpy's default (linear) rule on the expanded weights
        h = (n - 1) * q
        lo, hi = values[np.searchsorted(ends, [np.floor(h), np.ceil(h)], side="right")]
        return float(lo + (h - np.floor(h)) * (hi - lo))

    total, squares = float(counts @ values), float(counts @ values**2)
    mean = total / n
    return WeightDiagnostics(
        n=n,
        total=total,
        mean=mean,
        min=float(values[0]),
        p05=quantile(0.05),
        median=quantile(0.5),
        p95=quantile(0.95),
        max=float(values[-1]),
        cv=float(np.sqrt(max(squares / n - mean**2, 0.0)) / mean),
        deff=n * squares / total**2,
        n_eff=total**2 / squares,
        max_min_ratio=float(values[-1] / values[0]),
    )


def weight_diagnostics(weights: pd.Series | np.ndarray) -> WeightDiagnostics:
    """Return the distribution of weights with Kish's design effect and effective sample size."""
    values, counts = np.unique(np.asarray(weights, dtype=float), return_counts=True)
    return _diagnostics(values, counts)
