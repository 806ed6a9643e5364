"""Gi* on a 1,000 × 1,000 grid and Local Moran with 999 permutations on 10,000 polygons,
side by side with esda on the same weights, in the same run.

Usage: python benchmarks/bench_hotspots.py [--cells 1000000] [--polygons 10000] [--repeat 3]
                                            [--gi-permutations 0]

(1) Gi* analytic, queen contiguity, binary weights with self: ``gi_star(y, w)`` against
    ``esda.G_Local(y, w, transform="B", star=True, permutations=0)``; esda gets the same weights
    converted with ``to_libpysal``. Weight builds are timed apart from the statistics.
(2) Local Moran, 999 conditional permutations, queen contiguity of the Voronoi polygons of random
    points clipped to a square: ``local_moran(y, w)`` against ``esda.Moran_Local(y, w,
    permutations=999, n_jobs=1, keep_simulations=False)``, after one warm-up call that pays
    numba's compilation (reported on its own line).
Times are the best of --repeat runs (wall clock, one process), except libpysal's weight builds
(one run each). Needs esda, libpysal and numba.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import shapely

from urbansafety.analysis.hotspots import gi_star
from urbansafety.analysis.moran import local_moran
from urbansafety.analysis.weights import grid_contiguity, polygon_contiguity
from urbansafety.analysis.weights_libpysal import to_libpysal


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def once(fn: Callable[[], Any]) -> tuple[float, Any]:
    return best(fn, 1)


def bench_gi_star(cells: int, repeat: int, gi_permutations: int) -> list[dict[str, Any]]:
    from esda import G_Local

    side = math.isqrt(cells)
    rng = np.random.default_rng(1)
    row, col = np.divmod(np.arange(side * side), side)
    # Counts with a smooth hot area, as incidents per cell would be.
    intensity = 0.5 + 4.0 * np.exp(
        -(((row - side / 3) ** 2 + (col - side / 2) ** 2) / (side / 6) ** 2)
    )
    y = rng.poisson(intensity).astype(float)
    t_cold, w = once(lambda: grid_contiguity(col, row, "queen"))
    t_ours_w, w = best(lambda: grid_contiguity(col, row, "queen"), repeat)
    t_lib_w, lw = once(lambda: to_libpysal(w))
    t_ours, g = best(lambda: gi_star(y, w), repeat)
    t_esda, e = best(lambda: G_Local(y, lw, transform="B", star=True, permutations=0), repeat)
    gap = float(np.max(np.abs(g.z - e.Zs)))
    label = f"{side}x{side} grid ({side * side:,} cells)"
    rows = [
        {
            "step": f"queen weights, {label}",
            "urbansafety_s": t_ours_w,
            "esda_s": t_lib_w,
            "note": f"ours: grid_contiguity (first call in the process {t_cold:.3f} s); "
            "esda side: to_libpysal(W) from the same matrix, one run",
        },
        {
            "step": f"Gi* analytic, {label}",
            "urbansafety_s": t_ours,
            "esda_s": t_esda,
            "note": f"max |z - esda Zs| = {gap:.1e}",
        },
    ]
    if gi_permutations:
        t_perm, _ = once(lambda: gi_star(y, w, permutations=gi_permutations, seed=1))
        rows.append(
            {
                "step": f"Gi* {gi_permutations} permutations, {label}",
                "urbansafety_s": t_perm,
                "esda_s": None,
                "note": "ours only",
            }
        )
    return rows


def voronoi_cells(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    pts = rng.random((n, 2)) * 10_000.0
    square = shapely.box(0, 0, 10_000, 10_000)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=square))
    polys = shapely.intersection(np.asarray(cells), square)
    # voronoi_polygons does not keep the input order: give each cell the point inside it.
    centre = shapely.points(pts)
    tree = shapely.STRtree(polys)
    point_idx, poly_idx = tree.query(centre, predicate="within")
    order = np.empty(n, dtype=np.int64)
    order[point_idx] = poly_idx
    return polys[order], pts


def bench_local_moran(n: int, repeat: int) -> list[dict[str, Any]]:
    from esda import Moran_Local
    from libpysal.weights import Queen

    polys, pts = voronoi_cells(n, seed=2)
    rng = np.random.default_rng(3)
    trend = 2.0 + 3.0 * np.sin(pts[:, 0] / 1500.0) ** 2 + pts[:, 1] / 5000.0
    y = rng.poisson(trend).astype(float)
    t_ours_w, w = best(lambda: polygon_contiguity(polys, "queen"), repeat)
    t_lib_w, lw = once(lambda: Queen.from_iterable(list(polys)))
    same = bool((lw.sparse != w.matrix).nnz == 0)
    small = np.arange(50, dtype=float)
    t_jit, _ = once(
        lambda: Moran_Local(
            small,
            to_libpysal(grid_contiguity(small % 10, small // 10)),
            permutations=99,
            n_jobs=1,
            keep_simulations=False,
            seed=1,
        )
    )
    t_ours, ours = best(lambda: local_moran(y, w, permutations=999, seed=1), repeat)
    t_esda, theirs = best(
        lambda: Moran_Local(y, lw, permutations=999, n_jobs=1, keep_simulations=False, seed=1),
        repeat,
    )
    gap = float(np.max(np.abs(ours.Is - theirs.Is)))
    corr = float(np.corrcoef(ours.p_sim, theirs.p_sim)[0, 1])
    label = f"{n:,} Voronoi polygons"
    return [
        {
            "step": f"queen weights, {label}",
            "urbansafety_s": t_ours_w,
            "esda_s": t_lib_w,
            "note": f"esda side: libpysal Queen.from_iterable; same links: {same}",
        },
        {
            "step": "esda numba warm-up (first call)",
            "urbansafety_s": None,
            "esda_s": t_jit,
            "note": "paid once per process; not in the ratio",
        },
        {
            "step": f"Local Moran 999 permutations, {label}",
            "urbansafety_s": t_ours,
            "esda_s": t_esda,
            "note": f"max |Is - esda Is| = {gap:.1e}; corr(p_sim) = {corr:.3f}",
        },
    ]


def fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=1_000_000, help="grid cells (a square)")
    parser.add_argument("--polygons", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--gi-permutations",
        type=int,
        default=0,
        help="also time our Gi* with this many permutations (no esda run)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")  # esda/libpysal deprecation and island chatter

    rows = bench_gi_star(args.cells, args.repeat, args.gi_permutations)
    rows += bench_local_moran(args.polygons, args.repeat)
    for r in rows:
        u, e = r["urbansafety_s"], r["esda_s"]
        r["esda_over_urbansafety"] = round(e / u, 1) if (u and e) else None
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}"
    )
    if args.json:
        print(json.dumps({"rows": rows, "machine": machine}, indent=2))
        return
    width = max(len(r["step"]) for r in rows)
    print(f"{'step':<{width}}  {'ours s':>8}  {'esda s':>8}  {'ratio':>6}  note")
    for r in rows:
        ratio = "-" if r["esda_over_urbansafety"] is None else f"{r['esda_over_urbansafety']:.1f}x"
        print(
            f"{r['step']:<{width}}  {fmt(r['urbansafety_s']):>8}  {fmt(r['esda_s']):>8}  "
            f"{ratio:>6}  {r['note']}"
        )
    print(f"machine: {machine}")


if __name__ == "__main__":
    main()
