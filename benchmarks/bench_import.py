"""Import of a 1,000,000-row SPVM-format CSV with territory assignment, side by side with the
obvious baseline (pandas read_csv + geopandas points_from_xy + sjoin), in the same run.

Usage: python benchmarks/bench_import.py [--rows 1000000] [--repeat 3]
Each side runs in its own process so that its peak memory (max RSS) is its own.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

OURS = """
import json, resource, sys, time
from pathlib import Path
from urbansafety.ingest.importer import import_incidents
from urbansafety.workspace import open_workspace
ws = open_workspace(Path(sys.argv[1]))
t = time.perf_counter()
report = import_incidents(ws, Path(sys.argv[2]), source=sys.argv[3])
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "accepted": report.rows_accepted, "unlocated": report.rows_unlocated,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

BASELINE = """
import json, resource, sys, time
import geopandas as gpd, pandas as pd
layers = [gpd.read_file(p) for p in sys.argv[2:]]
t = time.perf_counter()
frame = pd.read_csv(sys.argv[1])
points = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["X"], frame["Y"]), crs=32188)
for i, layer in enumerate(layers):
    layer = layer.to_crs(32188)[[layer.columns[0], "geometry"]].rename(columns={layer.columns[0]: f"code{i}"})
    points = gpd.sjoin(points, layer, how="left", predicate="within").drop(columns="index_right")
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "accepted": len(points), "unlocated": int(frame["X"].isna().sum()),
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(code: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from urbansafety.demo_run import DEMO_CONFIG
    from urbansafety.ingest.demo import write_demo_files, write_spvm_csv
    from urbansafety.ingest.geo import import_territories
    from urbansafety.workspace import init_workspace

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write_demo_files(folder / "city", n_incidents=1000)
        csv = write_spvm_csv(folder / "actes-criminels-1M.csv", args.rows, seed=5)
        ws = init_workspace(folder / "ws", extra_config=DEMO_CONFIG)
        import_territories(ws, files.boroughs, layer="borough", code_field="code")
        import_territories(ws, files.neighbourhoods, layer="neighbourhood", code_field="code")
        import_territories(ws, files.police_districts, layer="pdq", code_field="PDQ")
        layers = [str(files.boroughs), str(files.neighbourhoods), f"zip://{files.police_districts}"]
        ours, base = [], []
        for i in range(args.repeat):
            # Each run imports into a fresh copy of the workspace (territories only), so runs compare.
            copy = folder / f"ws{i}"
            shutil.copytree(ws.path, copy)
            ours.append(run(OURS, str(copy), str(csv), "spvm"))
            base.append(run(BASELINE, str(csv), *layers))
            shutil.rmtree(copy)
        size_mb = csv.stat().st_size / 1e6
    best_ours = min(r["seconds"] for r in ours)
    best_base = min(r["seconds"] for r in base)
    result = {
        "rows": args.rows,
        "file_mb": round(size_mb, 1),
        "urbansafety_s": round(best_ours, 2),
        "baseline_s": round(best_base, 2),
        "speedup": round(best_base / best_ours, 2),
        "urbansafety_peak_mb": round(max(r["maxrss_mb"] for r in ours)),
        "baseline_peak_mb": round(max(r["maxrss_mb"] for r in base)),
        "accepted": ours[0]["accepted"],
        "unlocated": ours[0]["unlocated"],
        "machine": f"{platform.machine()}, {resource.getpagesize()} B pages, Python {platform.python_version()}",
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
