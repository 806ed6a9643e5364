"""Iterative proportional fitting on cells of respondents: the engine of `weighting.rake`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from urbansafety.survey.margins import _cells, _Margin


def _ipf(
    base: np.ndarray,
    cell_codes: tuple[np.ndarray, ...],
    targets: list[np.ndarray],
    tol: float,
    max_iter: int,
    rule: str,
    free: np.ndarray | None = None,
) -> tuple[np.ndarray, tuple[np.ndarray, ...], int, bool]:
    """Return cell factors, each margin's factors in the last sweep, sweeps and convergence.

    Cells outside `free` (weights frozen at a trimming bound) keep a factor of 1; the others
    are adjusted to what the frozen ones leave of each target.
    """
    factor = np.ones(len(base))
    stages = [factor] * len(targets)
    table = base
    fixed = None if free is None else np.where(free, 0.0, base)
    for sweep in range(1, max_iter + 1):
        for k, (codes, target) in enumerate(zip(cell_codes, targets, strict=True)):
            held = (
                np.zeros(len(target))
                if fixed is None
                else np.bincount(codes, fixed, minlength=len(target))
            )
            movable = np.bincount(codes, base * factor, minlength=len(target)) - held
            ratio = np.divide(target - held, movable, out=np.ones(len(target)), where=movable > 0)
            ratio = np.where(ratio > 0, ratio, 1.0)[codes]
            factor = factor * (ratio if free is None else np.where(free, ratio, 1.0))
            stages[k] = factor
        if rule == "table_change":
            done = float(np.abs(base * factor - table).max()) < tol
            table = base * factor
        else:
            done = _margin_error(base * factor, cell_codes, targets)[1] <= tol
        if done:
            return factor, tuple(stages), sweep, True
    return factor, tuple(stages), max_iter, False


@dataclass(frozen=True, eq=False)
class _Fit:
    """Respondents grouped in cells, and (once raked) each cell's factor."""

    cells: np.ndarray
    cell_codes: tuple[np.ndarray, ...]
    free: np.ndarray | None
    cell_n: np.ndarray
    cell_base: np.ndarray
    start: np.ndarray
    factor: np.ndarray = field(default_factory=lambda: np.ones(0))
    stages: tuple[np.ndarray, ...] = ()
    sweeps: int = 0
    converged: bool = False

    @property
    def cell_weights(self) -> np.ndarray:
        return self.cell_base * self.factor

    @property
    def weights(self) -> np.ndarray:
        return self.start * self.factor[self.cells]


def _layout(parsed: list[_Margin], start: np.ndarray, frozen: np.ndarray | None = None) -> _Fit:
    """Group respondents in cells; those in `frozen` (trimmed) get cells of their own."""
    codes = [m.codes for m in parsed]
    sizes = [len(m.labels) + 1 for m in parsed]
    if frozen is not None:
        codes, sizes = [*codes, frozen.astype(np.int32)], [*sizes, 2]
    cells, cell_codes = _cells(codes, sizes)
    free = None
    if frozen is not None:
        cell_codes, free = cell_codes[:-1], cell_codes[-1] == 0
    cell_n = np.bincount(cells, minlength=len(cell_codes[0]))
    uniform = frozen is None and bool(start.min() == start.max())
    cell_base = cell_n * start[0] if uniform else np.bincount(cells, start, minlength=len(cell_n))
    return _Fit(cells, cell_codes, free, cell_n, cell_base, start)


def _fit(layout: _Fit, targets: list[np.ndarray], options: tuple[float, int, str]) -> _Fit:
    factor, stages, sweeps, converged = _ipf(
        layout.cell_base, layout.cell_codes, targets, *options, layout.free
    )
    return dataclasses.replace(
        layout, factor=factor, stages=stages, sweeps=sweeps, converged=converged
    )


def _margin_error(
    cell_w: np.ndarray, cell_codes: tuple[np.ndarray, ...], targets: list[np.ndarray]
) -> tuple[float, float, int, int]:
    """Return the largest absolute and relative margin errors, and where the latter is."""
    absolute, worst = 0.0, (0.0, 0, 0)
    for k, (codes, target) in enumerate(zip(cell_codes, targets, strict=True)):
        gap = np.abs(np.bincount(codes, cell_w, minlength=len(target)) - target)
        rel = np.divide(gap, target, out=np.zeros(len(target)), where=target > 0)
        absolute = max(absolute, float(gap.max()))
        if rel.max() > worst[0]:
            worst = (float(rel.max()), k, int(rel.argmax()))
    return absolute, *worst
