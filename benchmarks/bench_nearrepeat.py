"""Knox test (near repeats) on 20,000 incidents with 999 permutations, side by side with a naive
all-pairs NumPy implementation in the same run.

Usage: python benchmarks/bench_nearrepeat.py [--events 20000] [--permutations 999]
       [--naive-permutations 3] [--workers -1]

The incidents are synthetic but shaped like police data: a 10 × 10 km city with a 100 m street
grid, most incidents snapped to intersections (many share a point), hot areas, one year of
dates, and 15 % near repeats (within ~150 m and two weeks of an earlier incident). Bands: 100,
200, 300, 400 m (Euclidean) × 7, 14, 21, 28 days, the Near Repeat Calculator's usual layout.

The naive peer computes every pair's distance and day gap in dense blocks for the observed table
and again for each permuted table (as the NRC does); its permutations are timed on a few tables
and extrapolated to the same number. The NRC itself is a Windows program and is not run: the
research note (shared/research/crime-analysis-anchors.md, O9c and §5) quotes 8 min 54 s (534 s)
for 12,334 events × 99 iterations (Davies, tobydavies/NearRepeat, "Runtime benchmarking").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import tracemalloc

import numpy as np

SPACE = (100.0, 200.0, 300.0, 400.0)
TIME = (7.0, 14.0, 21.0, 28.0)


def incidents(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return x, y (metres, MTM-like offsets) and day numbers of n synthetic incidents."""
    rng = np.random.default_rng(seed)
    side, block = 10_000.0, 100.0
    k = int(side // block) + 1
    gx, gy = (a.ravel() for a in np.meshgrid(np.arange(k) * block, np.arange(k) * block))
    heat = np.zeros(gx.size)
    for cx, cy in zip(rng.uniform(0, side, 25), rng.uniform(0, side, 25), strict=True):
        heat += np.exp(-((gx - cx) ** 2 + (gy - cy) ** 2) / (2 * 600.0**2))
    weight = (0.2 + heat) * rng.lognormal(0, 1.0, gx.size)
    first = int(n * 0.85)
    at = rng.choice(gx.size, first, p=weight / weight.sum())
    x, y = gx[at].copy(), gy[at].copy()
    # 40 % somewhere along the block rather than at the intersection
    mid, horizontal = rng.random(first) < 0.4, rng.random(first) < 0.5
    along = rng.uniform(-block / 2, block / 2, first)
    x[mid & horizontal] += along[mid & horizontal]
    y[mid & ~horizontal] += along[mid & ~horizontal]
    days = rng.integers(0, 365, first)
    source = rng.integers(0, first, n - first)
    rx = x[source] + np.round(rng.normal(0, 80, n - first) / 10) * 10
    ry = y[source] + np.round(rng.normal(0, 80, n - first) / 10) * 10
    rt = np.minimum(days[source] + rng.integers(0, 15, n - first), 364)
    x = np.concatenate([x, rx]) + 290_000.0
    y = np.concatenate([y, ry]) + 5_040_000.0
    return x, y, np.concatenate([days, rt]).astype(float)


def naive_table(x: np.ndarray, y: np.ndarray, days: np.ndarray, block: int = 128) -> np.ndarray:
    """Return the Knox table (same location first) from every pair, in dense blocks of rows.

    128 rows × all columns per block was the fastest block size here (100: 8.0 s, 1,000: 12.7 s
    for the observed table): the blocks stay small enough for the caches.
    """
    n = len(x)
    s_edges, t_edges = np.asarray(SPACE), np.asarray(TIME)
    table = np.zeros((len(SPACE) + 2, len(TIME) + 1), dtype=np.int64)
    for start in range(0, n - 1, block):
        rows = np.arange(start, min(start + block, n - 1))
        cols = np.arange(start + 1, n)
        d = np.hypot(x[rows, None] - x[None, cols], y[rows, None] - y[None, cols])
        dt = np.abs(days[rows, None] - days[None, cols])
        upper = cols[None, :] > rows[:, None]
        d, dt = d[upper], dt[upper]
        r = np.searchsorted(s_edges, d, side="right") + 1
        r[d == 0] = 0
        c = np.searchsorted(t_edges, dt, side="right")
        table += np.bincount(r * table.shape[1] + c, minlength=table.size).reshape(table.shape)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--permutations", type=int, default=999)
    parser.add_argument("--naive-permutations", type=int, default=3)
    parser.add_argument("--workers", type=int, default=-1)
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours; the best is kept")
    args = parser.parse_args()

    from urbansafety.analysis.nearrepeat import knox

    load_before = os.getloadavg()[0]  # other work on the machine slows both sides
    x, y, days = incidents(args.events)
    bands = {"space_edges": SPACE, "time_edges": TIME, "workers": args.workers}

    observed_runs, total_runs = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        observed = knox(x, y, days, permutations=0, **bands)  # type: ignore[arg-type]
        observed_runs.append(time.perf_counter() - start)
        start = time.perf_counter()
        full = knox(x, y, days, permutations=args.permutations, seed=1, **bands)  # type: ignore[arg-type]
        total_runs.append(time.perf_counter() - start)
    ours_observed, ours_total = min(observed_runs), min(total_runs)
    tracemalloc.start()
    knox(x, y, days, permutations=99, seed=1, **bands)  # type: ignore[arg-type]
    ours_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    start = time.perf_counter()
    naive = naive_table(x, y, days)
    naive_observed = time.perf_counter() - start
    rng = np.random.default_rng(1)
    start = time.perf_counter()
    for _ in range(args.naive_permutations):
        naive_table(x, y, days[rng.permutation(len(days))])
    naive_each = (time.perf_counter() - start) / max(args.naive_permutations, 1)
    naive_total = naive_observed + args.permutations * naive_each

    assert np.array_equal(naive, observed.observed), "the naive table differs from ours"
    near = int(observed.observed[:-1].sum())
    result = {
        "events": args.events,
        "pairs": full.n_pairs,
        "pairs_within_400_m": near,
        "permutations": args.permutations,
        "urbansafety_observed_s": round(ours_observed, 3),
        "urbansafety_permutations_s": round(ours_total - ours_observed, 2),
        "urbansafety_total_s": round(ours_total, 2),
        "naive_observed_s": round(naive_observed, 2),
        "naive_per_permutation_s": round(naive_each, 2),
        "naive_total_s_extrapolated": round(naive_total, 0),
        "speedup_observed": round(naive_observed / ours_observed, 1),
        "speedup_total": round(naive_total / ours_total, 1),
        "first_cell": {
            "observed": int(full.observed[1, 0]),
            "knox_ratio": round(float(full.ratio[1, 0]), 3),
            "p_value": float(full.p_value[1, 0]),
        },
        "nrc_reference": "534 s for 12,334 events x 99 iterations (quoted, not run here)",
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"NumPy {np.__version__}"
        ),
        "urbansafety_peak_mb": round(ours_peak / 2**20),
        "load_average_before": round(load_before, 2),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
