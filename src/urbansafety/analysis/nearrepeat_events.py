"""The events of a Knox test: checked coordinates, dates as days, band edges, near pairs.

Inputs are checked once here (a clear error names what is wrong); the pairs closer than the
largest finite space band are found with a k-d tree and binned by space band once, so that a
permutation of the dates only re-bins their day differences (`urbansafety.analysis.nearrepeat`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from urbansafety.errors import InputError
from urbansafety.i18n import N_

PAD = 1e-6  # the tree search radius is padded, then the exact distances decide


def events(x: Any, y: Any, t: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    try:
        xs = np.asarray(x, dtype=np.float64).ravel()
        ys = np.asarray(y, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise InputError(
            N_("The coordinates must be numbers (metres in a projected system)."),
            hint=N_("Convert longitude and latitude to the workspace's projection first."),
        ) from None
    days = as_days(t)
    if not len(xs) == len(ys) == len(days):
        raise InputError(
            N_("x, y and t must have the same length (got %(nx)s, %(ny)s and %(nt)s)."),
            hint=N_("Give one pair of coordinates and one date per event."),
            params={"nx": len(xs), "ny": len(ys), "nt": len(days)},
        )
    if len(xs) < 2:
        raise InputError(
            N_("The Knox test needs at least 2 events (got %(n)s)."),
            hint=N_("Choose a longer period, a larger area or more crime types."),
            params={"n": len(xs)},
        )
    bad = int(np.count_nonzero(~(np.isfinite(xs) & np.isfinite(ys))))
    if bad:
        raise InputError(
            N_("Events with a missing or infinite coordinate: %(n)s."),
            hint=N_("Leave out the events without a location before the test."),
            params={"n": bad},
        )
    bad = int(np.count_nonzero(~np.isfinite(days)))
    if bad:
        raise InputError(
            N_("Events without a date: %(n)s."),
            hint=N_("Leave out the events without a date before the test."),
            params={"n": bad},
        )
    return xs, ys, days


def as_days(t: Any) -> np.ndarray:
    """Return t as float days (NaN for NaT): numbers as they are, datetimes since 1970-01-01."""
    if isinstance(t, pd.Series | pd.Index) and isinstance(t.dtype, pd.DatetimeTZDtype):
        t = t.dt.tz_localize(None) if isinstance(t, pd.Series) else t.tz_localize(None)
    values = t.to_numpy() if isinstance(t, pd.Series | pd.Index) else np.asarray(t)
    values = values.ravel()
    if values.dtype.kind in "OUS":
        values = parse_dates(values)
    if values.dtype.kind == "M":
        return (values - np.datetime64(0, "D")) / np.timedelta64(1, "D")
    if values.dtype.kind in "iuf":
        return values.astype(np.float64)
    raise InputError(
        N_("The dates cannot be read."),
        hint=N_("Give datetimes, ISO dates (2024-01-31) or numbers of days."),
    )


def parse_dates(values: np.ndarray) -> np.ndarray:
    """Return dates or ISO 8601 strings as datetime64 (local time); anything else unchanged."""
    try:
        stamps = pd.DatetimeIndex(pd.to_datetime(values, format="ISO8601"))
    except (TypeError, ValueError, OverflowError):
        return values
    return (stamps.tz_localize(None) if stamps.tz is not None else stamps).to_numpy()


def edges(edges: Sequence[float], *, space: bool) -> tuple[float, ...]:
    try:
        values = np.asarray(edges, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        values = np.asarray([np.nan])
    shown = ", ".join(str(e) for e in np.atleast_1d(np.asarray(edges, dtype=object)).ravel())
    if values.size == 0 or not np.all(np.isfinite(values) & (values > 0)):
        raise InputError(
            N_("The space bands must be one or more distances above 0 m (got %(edges)s).")
            if space
            else N_("The time bands must be one or more durations above 0 days (got %(edges)s)."),
            hint=N_("Give the upper edge of each band, e.g. 100, 200, 300.")
            if space
            else N_("Give the upper edge of each band in days, e.g. 7, 14, 21."),
            params={"edges": shown},
        )
    if np.any(np.diff(values) <= 0):
        raise InputError(
            N_("The space bands must be in increasing order (got %(edges)s).")
            if space
            else N_("The time bands must be in increasing order (got %(edges)s)."),
            hint=N_("Sort the edges and remove repeated ones."),
            params={"edges": shown},
        )
    return tuple(float(v) for v in values)


def near_pairs(
    xs: np.ndarray,
    ys: np.ndarray,
    edges: tuple[float, ...],
    p: float,
    same_location: bool,
    limit: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the pairs closer than the last edge, relabelled in tree order and sorted by row.

    Returns i, j (int32, relabelled), the row bounds (pairs of row r are bounds[r]:bounds[r+1])
    and ``order``, the original index of each relabelled event.
    """
    n = len(xs)
    tree = cKDTree(np.column_stack([xs, ys]).astype(np.float64))
    radius = edges[-1] * (1 + PAD)
    found = (int(tree.count_neighbors(tree, radius, p=p)) - n) // 2
    if found > limit:
        raise InputError(
            N_("%(pairs)s pairs of events are closer than %(edge)s m: too many for memory."),
            hint=N_(
                "Use a smaller last space band, a smaller area or a shorter period "
                "(the limit, max_near_pairs, is %(limit)s)."
            ),
            params={"pairs": found, "edge": f"{edges[-1]:g}", "limit": limit},
        )
    # Events are relabelled in the tree's order: neighbours get near labels, so the gathers of
    # their dates stay in cache.
    order = np.asarray(tree.indices)
    where = np.empty(n, dtype=np.int32)
    where[order] = np.arange(n, dtype=np.int32)
    pairs = where[tree.query_pairs(radius, p=p, output_type="ndarray")]
    i, j = pairs[:, 0], pairs[:, 1]
    xs, ys = xs[order], ys[order]
    dx, dy = xs[i] - xs[j], ys[i] - ys[j]  # float32 arithmetic when xs, ys are float32
    d = np.abs(dx) + np.abs(dy) if p == 1 else np.sqrt(dx * dx + dy * dy)
    # Row of each pair: (d > 0) counts the same-location row; a pair found only thanks to the
    # padded radius gets row n_rows (beyond the last edge) and is dropped with the slice below.
    row = (d > 0).astype(np.int16) if same_location else np.zeros(len(d), dtype=np.int16)
    for edge in edges:
        row += d >= edge
    n_rows = len(edges) + int(same_location)
    sort = np.argsort(row, kind="stable")
    bounds = np.searchsorted(row[sort], np.arange(n_rows + 1))
    sort = sort[: bounds[-1]]
    i, j = i[sort], j[sort]
    return i, j, bounds, order


def pairs_within(rel: np.ndarray, edges: tuple[float, ...]) -> np.ndarray:
    """Return, for each edge e, the number of pairs of all events with |t_a − t_b| < e."""
    ts = np.sort(rel)
    n = len(ts)
    idx = np.arange(n)
    counts = []
    for e in edges:
        pos = np.maximum(np.searchsorted(ts, ts + e, side="left"), idx + 1)
        # ts + e is rounded: move pos to the first j with ts[j] - ts[i] >= e, the pairs' test.
        while (up := (pos < n) & (ts[np.minimum(pos, n - 1)] - ts < e)).any():
            pos[up] += 1
        while (down := (pos - 1 > idx) & (ts[pos - 1] - ts >= e)).any():
            pos[down] -= 1
        counts.append(int((pos - idx - 1).sum()))
    return np.asarray(counts, dtype=np.int64)
