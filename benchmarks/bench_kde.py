"""Quartic kernel density on police-like and on all-distinct points, side by side with the
obvious baseline (a k-d tree of the incidents queried around every cell centre), same run.

Usage: python benchmarks/bench_kde.py [--incidents 150000] [--locations 1200]
       [--distinct 1000000] [--repeat 3]

Scenario 1: 150,000 incidents on 1,200 intersections of a 10 × 10 km city, 50 m cells, 400 m
bandwidth (the target: well under 1 s). Scenario 2: 1,000,000 distinct points over the same
area, same settings (target: a few seconds). The baseline builds a ``scipy.spatial.cKDTree`` of
the incidents (ties included, as most tools do), asks for the incidents within the bandwidth
of each cell centre and sums the quartic kernel there; it is run on scenario 1 only and its
raster is checked against ours up to the per-point normalisation (< 0.2 % here).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np
from scipy.spatial import cKDTree

from urbansafety.analysis.kde import kde

T = TypeVar("T")


def baseline(
    x: np.ndarray, y: np.ndarray, x0: float, y0: float, nx: int, ny: int, cell: float, h: float
) -> np.ndarray:
    """Return the unnormalised quartic density per km² at the cell centres (k-d tree)."""
    tree = cKDTree(np.column_stack([x, y]))
    gx, gy = np.meshgrid(x0 + (np.arange(nx) + 0.5) * cell, y0 + (np.arange(ny) + 0.5) * cell)
    centres = np.column_stack([gx.ravel(), gy.ravel()])
    out = np.zeros(len(centres))
    for k, idx in enumerate(tree.query_ball_point(centres, h)):
        if idx:
            d2 = ((centres[k] - tree.data[idx]) ** 2).sum(axis=1)
            out[k] = (3 / (math.pi * h * h) * (1 - d2 / (h * h)) ** 2).sum()
    return out.reshape(ny, nx) * 1e6


def best_of(repeat: int, fn: Callable[[], T]) -> tuple[float, T]:
    """Return the best time of repeat calls and the last result."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=150_000)
    parser.add_argument("--locations", type=int, default=1_200)
    parser.add_argument("--distinct", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)

    locs = rng.uniform(0, 10_000, (args.locations, 2))
    pick = rng.integers(0, args.locations, args.incidents)
    x, y = locs[pick, 0], locs[pick, 1]
    ours_s, raster = best_of(args.repeat, lambda: kde(x, y, bandwidth=400, cell=50))
    ny, nx = raster.values.shape
    base_s, base = best_of(
        1,
        lambda: baseline(x, y, raster.x0, raster.y0, nx, ny, 50, 400),
    )
    diff = float(np.abs(base - raster.values).max() / raster.values.max())

    dx, dy = rng.uniform(0, 10_000, args.distinct), rng.uniform(0, 10_000, args.distinct)
    distinct_s, big = best_of(args.repeat, lambda: kde(dx, dy, bandwidth=400, cell=50))
    result = {
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"NumPy {np.__version__}"
        ),
        "tied": {
            "incidents": args.incidents,
            "locations": args.locations,
            "raster": [ny, nx],
            "ours_s": round(ours_s, 4),
            "baseline_kdtree_s": round(base_s, 3),
            "speedup": round(base_s / ours_s, 1),
            "max_relative_difference": diff,
            "integral": raster.integral(),
        },
        "distinct": {
            "points": args.distinct,
            "ours_s": round(distinct_s, 3),
            "integral": big.integral(),
        },
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
