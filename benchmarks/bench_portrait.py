"""Crime portrait over 10,000,000 incidents, side by side with a straightforward pandas groupby
implementation of the same tables, in the same run; and the site-based portrait for 2,500 sites
× 1,000,000 incidents.

Usage: python benchmarks/bench_portrait.py [--millions 10] [--sites 2500]
The store is built by importing 1,000,000 generated SPVM rows (demo city) and copying them
inside DuckDB under other source names until the count is reached.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd


def build(folder: Path, millions: int) -> Path:
    from urbansafety.demo_run import DEMO_CONFIG
    from urbansafety.ingest.demo import write_demo_files, write_spvm_csv
    from urbansafety.ingest.geo import import_territories
    from urbansafety.ingest.importer import import_incidents
    from urbansafety.ingest.population import import_population
    from urbansafety.workspace import init_workspace

    files = write_demo_files(folder / "city", n_incidents=1000)
    ws = init_workspace(folder / "ws", extra_config=DEMO_CONFIG)
    import_territories(ws, files.boroughs, layer="borough", code_field="code", name_field="name")
    import_territories(
        ws,
        files.neighbourhoods,
        layer="neighbourhood",
        code_field="code",
        name_field="nom",
        parent_field="arrondissement",
    )
    import_territories(ws, files.police_districts, layer="pdq", code_field="PDQ")
    import_population(ws, files.population)
    import_incidents(ws, write_spvm_csv(folder / "a.csv", 1_000_000, seed=3))
    with duckdb.connect(str(ws.store_path)) as con:
        columns = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = 'incidents' AND NOT "
                "(column_name IN ('incident_id', 'year', 'month', 'location_quality'))"
            ).fetchall()
        ]
        names = ", ".join(f'"{c}"' for c in columns)
        for i in range(1, millions):
            select = names.replace('"source"', f"'copy{i}' AS source")
            con.execute(
                f"INSERT INTO incidents ({names}) SELECT {select} FROM incidents WHERE source = 'spvm'"
            )
    return ws.path


def time_portrait(path: Path) -> tuple[float, dict]:
    from urbansafety.analysis.portrait import Scope, portrait
    from urbansafety.engine import open_engine
    from urbansafety.workspace import open_workspace

    ws = open_workspace(path)
    best = float("inf")
    for _ in range(3):
        with open_engine(ws) as e:
            t = time.perf_counter()
            p = portrait(
                e.table("incidents"),
                e.table("population"),
                e.table("territories"),
                Scope(layer="borough", code="B1"),
                reference=Scope(),
            )
            best = min(best, time.perf_counter() - t)
    return best, {"incidents": p.summary["incidents"]}


def time_pandas(path: Path) -> tuple[float, float]:
    """Return (seconds to load the incidents into pandas, best seconds for the same tables with groupby)."""
    t0 = time.perf_counter()
    with duckdb.connect(str(path / "store.duckdb"), read_only=True) as con:
        df = con.sql(
            "SELECT borough, neighbourhood, year, month, shift, category, crime_group, occurred_at, "
            "location_quality FROM incidents"
        ).df()
        pop = con.sql(
            "SELECT layer, code, year, sum(population) AS population FROM population GROUP BY ALL"
        ).df()
    load = time.perf_counter() - t0
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        b1 = df[df["borough"] == "B1"]
        yearly = b1.groupby("year").size()
        p1 = pop[(pop.layer == "borough") & (pop.code == "B1")].set_index("year")["population"]
        _rate = yearly / p1 * 1000
        b1.groupby(["crime_group", "year"]).size()
        b1.groupby(["crime_group", "category", "year"]).size()
        b1.groupby("shift").size()
        b1.groupby("month").size()
        timed = b1.dropna(subset=["occurred_at"])
        timed.groupby([timed.occurred_at.dt.day_of_week, timed.occurred_at.dt.hour]).size()
        b1.groupby("neighbourhood").size()
        df.groupby("year").size()
        df.groupby("category").size()
        (b1["location_quality"] == "unknown").sum()
        best = min(best, time.perf_counter() - t)
    return load, best


def random_sites(n_sites: int) -> pd.DataFrame:
    """Return n_sites sites spread over the demo city, 40 dwellings each."""
    from urbansafety.ingest.demo_city import build_demo_city

    minx, miny, maxx, maxy = build_demo_city().outline.bounds
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "site_id": [f"S{i}" for i in range(n_sites)],
            "name": "",
            "x": rng.uniform(minx, maxx, n_sites),
            "y": rng.uniform(miny, maxy, n_sites),
            "attributes": ['{"logements": 40}'] * n_sites,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--millions", type=int, default=10)
    parser.add_argument("--sites", type=int, default=2500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = build(Path(tmp), args.millions)
        ours, info = time_portrait(path)
        load, theirs = time_pandas(path)
        # Sites: 2,500 sites × the first 1,000,000 incidents (the imported file).
        from urbansafety.analysis.sites import site_points_table, site_portrait
        from urbansafety.engine import open_engine
        from urbansafety.workspace import open_workspace

        sites = random_sites(args.sites)
        ws = open_workspace(path)
        best_sites = float("inf")
        for _ in range(3):
            with open_engine(ws) as e:
                t = time.perf_counter()
                one = e.table("incidents").filter(e.table("incidents").source == "spvm")
                points = site_points_table(one).to_pandas()
                sp = site_portrait(sites, points, 1_000_000, radius_m=100)
                best_sites = min(best_sites, time.perf_counter() - t)
    print(
        json.dumps(
            {
                "incidents": info["incidents"],
                "store_incidents": args.millions * 1_000_000,
                "portrait_s": round(ours, 2),
                "pandas_groupby_s": round(theirs, 2),
                "pandas_load_s": round(load, 2),
                "ratio_groupby_only": round(theirs / ours, 2),
                "ratio_with_load": round((load + theirs) / ours, 2),
                "sites": args.sites,
                "site_portrait_s": round(best_sites, 2),
                "sites_with_incidents": int((sp.sites["incidents"] > 0).sum()),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
