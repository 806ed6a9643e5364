"""Knox test for near repeats: are pairs of events close in space also close in time?

Every pair of events is placed in a space band × time band table (the Near Repeat Calculator's
layout: a "same location" row, finite bands, and a last row and column for "more than" the last
edge); the table is compared with tables in which the dates are permuted over the fixed
locations. Bands are right-open on the raw distances and day differences, ``[0, b1), [b1, b2),
…, ≥ last``: the NRC labels a band "a to b" but counts ``[a − 1, b)``, a bug documented by
Steenbeek's NearRepeat vignette; this module counts what the bands say. With ``same_location``
the first row holds the pairs at distance 0 exactly and the next row is ``(0, b1)``.

Speed: the pairs closer than the largest finite space band are found once with a k-d tree and
their space band is fixed; a permutation only re-bins their day differences. The pairs in the
last space row are never listed: the number of pairs in each time band over *all* pairs does
not change when dates are permuted (it is counted once on the sorted dates), and the last row
is that total minus the rows above.
"""

from __future__ import annotations

import math
import os
import secrets
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from babel.numbers import format_decimal

from urbansafety.analysis.nearrepeat_events import edges, events, near_pairs, pairs_within
from urbansafety.errors import InputError
from urbansafety.i18n import LOCALES, N_

METRICS = {"euclidean": 2.0, "manhattan": 1.0}
# About 60 bytes of working memory per near pair while they are found and sorted.
MAX_NEAR_PAIRS = 25_000_000
_THREADS_FROM = 20_000_000  # near pairs × permutations below which threads cost more than they give
_WORDS = {
    "en": {"same": "same location", "day": "day", "days": "days"},
    "fr": {"same": "même lieu", "day": "jour", "days": "jours"},
}


@dataclass(frozen=True, eq=False)
class Knox:
    """A Knox table: observed pairs per space band × time band, against permuted dates.

    Rows: "same location" (when ``same_location``), then ``[0, b1)`` (``(0, b1)`` after the
    same-location row), ``[b1, b2)``, …, ``≥ b_last`` metres; columns: ``[0, t1)``, …,
    ``≥ t_last`` days. ``ratio`` is the NRC's "Knox ratio" (observed over the mean of the
    permuted tables), NaN where that mean is 0; ``p_value`` is ``(#{permuted ≥ observed} + 1) /
    (permutations + 1)``, one-sided (more pairs than chance), so its smallest value is
    ``1 / (permutations + 1)``. ``seed`` is the seed used (drawn from the system when none was
    given, so that any run can be repeated). ``whole_days`` says the dates were whole days and
    the time edges whole numbers, so that ``[0, 7)`` may be written "0–6 days".
    """

    space_edges: tuple[float, ...]
    time_edges: tuple[float, ...]
    observed: np.ndarray
    expected_mean: np.ndarray
    expected_median: np.ndarray
    ratio: np.ndarray
    p_value: np.ndarray
    permutations: int
    seed: int | None
    n_events: int
    n_pairs: int
    metric: str
    same_location: bool = True
    float32: bool = False
    whole_days: bool = True

    def space_labels(self, lang: str = "fr") -> list[str]:
        """Return the row labels, e.g. "même lieu", "0–100 m", …, "≥ 300 m"."""
        words = _WORDS.get(lang, _WORDS["fr"])
        labels = [words["same"]] if self.same_location else []
        lower = 0.0
        for edge in self.space_edges:
            labels.append(f"{_num(lower, lang)}–{_num(edge, lang)} m")
            lower = edge
        return [*labels, f"≥ {_num(lower, lang)} m"]

    def time_labels(self, lang: str = "fr") -> list[str]:
        """Return the column labels: "0–6 jours", "7–13 jours", …, "≥ 21 jours" for whole days."""
        words = _WORDS.get(lang, _WORDS["fr"])

        def unit(v: float) -> str:
            one = v < 2 if lang == "fr" else v == 1
            return words["day"] if one else words["days"]

        labels, lower = [], 0.0
        for edge in self.time_edges:
            if not self.whole_days:
                labels.append(f"{_num(lower, lang)}–{_num(edge, lang)} {words['days']}")
            elif edge - 1 == lower:
                labels.append(f"{_num(lower, lang)} {unit(lower)}")
            else:
                labels.append(f"{_num(lower, lang)}–{_num(edge - 1, lang)} {words['days']}")
            lower = edge
        return [*labels, f"≥ {_num(lower, lang)} {unit(lower)}"]

    def table(self, lang: str = "fr") -> pd.DataFrame:
        """Return one row per cell: band labels and bounds, observed, expected, ratio, p_value.

        ``space_from``/``space_to`` (metres) and ``time_from``/``time_to`` (days) are the
        right-open bounds of each band (``inf`` for the last ones; the same-location row is
        0 to 0).
        """
        s_lo = [0.0, *self.space_edges]
        s_hi = [*self.space_edges, math.inf]
        if self.same_location:
            s_lo, s_hi = [0.0, *s_lo], [0.0, *s_hi]
        t_lo, t_hi = [0.0, *self.time_edges], [*self.time_edges, math.inf]
        rows, cols = self.observed.shape
        r, c = np.divmod(np.arange(rows * cols), cols)
        return pd.DataFrame(
            {
                "space_band": np.asarray(self.space_labels(lang))[r],
                "time_band": np.asarray(self.time_labels(lang))[c],
                "space_from": np.asarray(s_lo)[r],
                "space_to": np.asarray(s_hi)[r],
                "time_from": np.asarray(t_lo)[c],
                "time_to": np.asarray(t_hi)[c],
                "observed": self.observed.ravel(),
                "expected": self.expected_mean.ravel(),
                "expected_median": self.expected_median.ravel(),
                "ratio": self.ratio.ravel(),
                "p_value": self.p_value.ravel(),
            }
        )


def knox(
    x: Any,
    y: Any,
    t: Any,
    *,
    space_edges: Sequence[float],
    time_edges: Sequence[float],
    permutations: int = 999,
    seed: int | None = None,
    metric: str = "euclidean",
    same_location: bool = True,
    float32: bool = False,
    workers: int = -1,
    max_near_pairs: int = MAX_NEAR_PAIRS,
) -> Knox:
    """Return the Knox table of events at (x, y) in metres on dates t, with Monte Carlo p-values.

    Parameters
    ----------
    x, y : array-like of float
        Projected coordinates in metres (never longitude/latitude).
    t : array-like
        Dates: numbers of days, numpy ``datetime64``, pandas or Python datetimes, or ISO 8601
        strings (converted to days since 1970-01-01, local time for time-zone-aware values; a
        time of day is kept as a fraction of a day: round to dates first to count in whole days
        as the NRC does).
    space_edges, time_edges : sequence of float
        Upper edges of the finite bands, in metres and in days, positive and increasing; a last
        band "≥ the last edge" is added to each.
    permutations : int
        Number of permuted tables. Permutation k assigns to location i the date
        ``t[perm[i]]`` with ``perm = rng.permutation(n)``, the k-th draw of
        ``numpy.random.default_rng(seed)``. 0 gives the observed table only.
    metric : {"euclidean", "manhattan"}
        Straight-line ``sqrt(dx² + dy²)`` or city-block ``|dx| + |dy|`` distance.
    same_location : bool
        Count pairs at distance 0 in a row of their own (the NRC does).
    float32 : bool
        Round coordinates to single precision and compute distances in it, as the NRC (Visual
        Basic ``Single``) does; needed to reproduce NRC tables exactly.
    workers : int
        Threads for the permutations (-1: all cores). The result does not depend on it.
    max_near_pairs : int
        Refuse inputs with more pairs closer than the largest finite band than this.

    References
    ----------
    Knox, E. G. (1964). The detection of space-time interactions. Journal of the Royal
    Statistical Society, Series C (Applied Statistics), 13(1), 25–30.
    Johnson, S. D., Bernasco, W., Bowers, K. J., Elffers, H., Ratcliffe, J., Rengert, G., &
    Townsley, M. (2007). Space–time patterns of risk: a cross national assessment of
    residential burglary victimization. Journal of Quantitative Criminology, 23(3), 201–219.
    Ratcliffe, J. H. (2009). Near Repeat Calculator (version 1.3), user guide. Temple
    University, Philadelphia, PA, and the National Institute of Justice, Washington, DC.
    Steenbeek, W. (2019). NearRepeat: near repeat calculation using the Knox test (Monte Carlo
    permutation), R package 0.1.0. https://github.com/wsteenbeek/NearRepeat
    """
    xs, ys, days = events(x, y, t)
    s_edges = edges(space_edges, space=True)
    t_edges = edges(time_edges, space=False)
    if metric not in METRICS:
        raise InputError(
            N_("Unknown distance %(metric)s."),
            hint=N_('Use "euclidean" (straight line) or "manhattan" (along a street grid).'),
            params={"metric": repr(metric)},
        )
    if isinstance(permutations, bool) or not isinstance(permutations, int | np.integer):
        permutations = -1
    if permutations < 0:
        raise InputError(
            N_("The number of permutations must be a whole number, 0 or more."),
            hint=N_("999 is usual; 99 gives a quick look (smallest p-value 0.01)."),
        )
    permutations = int(permutations)
    seed = secrets.randbits(64) if seed is None else int(seed)
    n = len(xs)
    n_pairs = n * (n - 1) // 2
    if float32:
        xs, ys = xs.astype(np.float32), ys.astype(np.float32)
    i, j, bounds, order = near_pairs(
        xs, ys, s_edges, METRICS[metric], same_location, max_near_pairs
    )
    near_rows = np.diff(bounds)

    rel = days - days.min()
    whole = bool(np.all(rel == np.round(rel)))
    span = float(rel.max())
    if whole and span <= 32_766:
        times: np.ndarray = rel.astype(np.int16)
    elif whole and span < 2**31 - 1:
        times = rel.astype(np.int32)
    else:
        times = rel
    # For whole days, dt < e  <=>  dt < ceil(e); capped so that the threshold fits the type.
    thresholds = [times.dtype.type(min(math.ceil(e), span + 1) if whole else e) for e in t_edges]
    totals = pairs_within(rel, t_edges)

    obs_cum = _count(times[order][None, :], i, j, bounds, thresholds)
    observed = _tables(obs_cum, near_rows, totals, n_pairs)[0]
    cum = _simulate(times, order, i, j, bounds, thresholds, permutations, seed, workers)
    sims = _tables(cum, near_rows, totals, n_pairs)

    mean, median, ratio, p_value = _summarise(observed, sims)
    return Knox(
        space_edges=s_edges,
        time_edges=t_edges,
        observed=observed,
        expected_mean=mean,
        expected_median=median,
        ratio=ratio,
        p_value=p_value,
        permutations=permutations,
        seed=seed,
        n_events=n,
        n_pairs=n_pairs,
        metric=metric,
        same_location=same_location,
        float32=float32,
        whole_days=whole and all(float(e).is_integer() for e in t_edges),
    )


def _summarise(
    observed: np.ndarray, sims: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return mean and median of the permuted tables, Knox ratio and p-value of each cell."""
    shape = observed.shape
    if not len(sims):
        return tuple(np.full(shape, np.nan) for _ in range(4))  # type: ignore[return-value]
    mean = sims.mean(axis=0)
    median = np.median(sims, axis=0)
    ratio = np.full(shape, np.nan)
    np.divide(observed, mean, out=ratio, where=mean > 0)
    p_value = ((sims >= observed).sum(axis=0) + 1) / (len(sims) + 1)
    return mean, median, ratio, p_value


def _num(value: float, lang: str) -> str:
    return format_decimal(value, locale=LOCALES.get(lang, "fr_CA"))


def _count(
    times: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    bounds: np.ndarray,
    thresholds: list[Any],
) -> np.ndarray:
    """Return, for each row of times (k, n), the near pairs of each space row with dt < edge."""
    k = times.shape[0]
    out = np.zeros((k, len(bounds) - 1, len(thresholds)), dtype=np.int64)
    for q in range(k):
        dt = np.take(times[q], i)
        np.subtract(dt, np.take(times[q], j), out=dt)
        np.abs(dt, out=dt)
        for r in range(len(bounds) - 1):
            part = dt[bounds[r] : bounds[r + 1]]
            if part.size:
                for c, e in enumerate(thresholds):
                    out[q, r, c] = np.count_nonzero(part < e)
    return out


def _simulate(
    times: np.ndarray,
    order: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    bounds: np.ndarray,
    thresholds: list[Any],
    permutations: int,
    seed: int,
    workers: int,
) -> np.ndarray:
    """Return the near-pair counts of each permuted table (permutations, rows, edges)."""
    n, m = len(times), len(i)
    out = np.zeros((permutations, len(bounds) - 1, len(thresholds)), dtype=np.int64)
    rng = np.random.default_rng(seed)
    chunk = max(1, 200_000 // max(m, 1))
    if workers < 1:
        workers = os.cpu_count() or 1
    if m * permutations < _THREADS_FROM:
        workers = 1
    pool = ThreadPoolExecutor(workers) if workers > 1 else None
    pending: deque[tuple[int, Future[np.ndarray]]] = deque()

    def collect() -> None:
        first, future = pending.popleft()
        result = future.result()
        out[first : first + len(result)] = result

    try:
        for start in range(0, permutations, chunk):
            size = min(chunk, permutations - start)
            # Draws stay in order in this thread, so the result does not depend on workers.
            block = np.stack([times[rng.permutation(n)][order] for _ in range(size)])
            if pool is None:
                out[start : start + size] = _count(block, i, j, bounds, thresholds)
                continue
            pending.append((start, pool.submit(_count, block, i, j, bounds, thresholds)))
            if len(pending) >= 2 * workers:
                collect()
        while pending:
            collect()
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return out


def _tables(cum: np.ndarray, near_rows: np.ndarray, totals: np.ndarray, n_pairs: int) -> np.ndarray:
    """Return full tables (..., rows + 1, edges + 1) from the near rows' cumulative counts."""
    lead = cum.shape[:-2]
    rows_total = np.broadcast_to(near_rows[:, None], (*lead, len(near_rows), 1))
    near = np.concatenate([cum, rows_total], axis=-1)
    far = np.concatenate(
        [totals - cum.sum(axis=-2), np.full((*lead, 1), n_pairs - int(near_rows.sum()))],
        axis=-1,
    )
    cumulative = np.concatenate([near, far[..., None, :]], axis=-2)
    return np.diff(cumulative, axis=-1, prepend=0)
