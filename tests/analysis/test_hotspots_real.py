"""Hot spots on real Montréal data: the SPVM sample over the island's 34 boroughs and cities.

The real boundaries have islands (L'Île-Dorval, Île Bizard…) and multipolygons; the sample has
unlocated rows and locations generalised to intersections.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from urbansafety.analysis.portrait import Scope
from urbansafety.hotspots_analysis import analyse_hotspots
from urbansafety.hotspots_run import run_hotspots
from urbansafety.ingest.geo import import_territories
from urbansafety.ingest.importer import import_incidents
from urbansafety.workspace import Workspace, init_workspace, open_workspace

CELL = 1000.0


@pytest.fixture(scope="module")
def montreal(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    folder = tmp_path_factory.mktemp("montreal")
    init_workspace(folder)
    toml = folder / "urbansafety.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("size_m = 250", f"size_m = {CELL:.0f}"), encoding="utf-8")
    ws = open_workspace(folder)
    assert ws.config.grid_size_m == CELL
    import_territories(
        ws,
        shared / "montreal-boundaries" / "limadmin.geojson",
        layer="borough",
        code_field="CODEID",
        name_field="NOM",
    )
    import_incidents(ws, shared / "spvm-sample-1000" / "actes-criminels_short.geojson")
    return ws


def test_real_incidents_land_in_the_right_cells(shared: Path, montreal: Workspace) -> None:
    a = analyse_hotspots(montreal, Scope(), "Montréal")
    raw = pd.DataFrame(
        [
            f["properties"]
            for f in json.loads(
                (shared / "spvm-sample-1000" / "actes-criminels_short.geojson").read_text(
                    encoding="utf-8"
                )
            )["features"]
        ]
    )
    located = raw.dropna(subset=["LONGITUDE"])
    located = located[(located.LONGITUDE != 0) & (located.X != 0)]
    points = gpd.GeoDataFrame(
        located, geometry=gpd.points_from_xy(located.LONGITUDE, located.LATITUDE), crs=4326
    ).to_crs(32188)
    boroughs = gpd.read_file(shared / "montreal-boundaries" / "limadmin.geojson").to_crs(32188)
    inside = gpd.sjoin(points, boroughs[["geometry"]], predicate="within")
    inside = inside[~inside.index.duplicated()]
    # Independent count per 1 km cell: inside the island by geopandas (longitude/latitude), the
    # cell from the file's own MTM X/Y (points often sit exactly on a 1 km line).
    ix = np.floor(inside.X.astype(float) / CELL).astype(int)
    iy = np.floor(inside.Y.astype(float) / CELL).astype(int)
    expected = ("E" + ix.astype(str) + "N" + iy.astype(str)).value_counts()
    got = a.cells.frame().set_index("cell")["total"]
    assert got.sum() == len(inside)
    nonzero = got[got > 0].sort_index()
    assert list(nonzero.index) == list(expected.sort_index().index), set(nonzero.index) ^ set(
        expected.index
    )
    assert (nonzero.to_numpy() == expected.sort_index().to_numpy()).all()
    # The whole island is covered, empty cells included, and every statistic is finite.
    assert a.cells.cells.n > 400 and (a.cells.total == 0).sum() > 200
    assert np.isfinite(a.gi.z).all() and np.isfinite(a.lisa.Is).all()
    assert a.kde.integral() == pytest.approx(len(inside), rel=1e-9)
    # 34 boroughs and cities, islands linked to their nearest neighbour: Moran's I is defined.
    assert a.areas is not None and len(a.areas.codes) == 34
    assert a.areas.moran is not None and np.isfinite(a.areas.moran.I)
    assert a.unlocated == a.incidents - len(inside)


def test_report_of_a_real_borough(shared: Path, montreal: Workspace, tmp_path: Path) -> None:
    boroughs = gpd.read_file(
        Path(__file__).resolve().parents[3]
        / "shared"
        / "data"
        / "montreal-boundaries"
        / "limadmin.geojson"
    )
    code = str(boroughs.loc[boroughs.NOM == "Ville-Marie", "CODEID"].iloc[0])
    written = run_hotspots(montreal, Scope("borough", code), "Ville-Marie", lang="fr", out=tmp_path)
    html = written.html.read_text(encoding="utf-8")
    assert 'id="hotspots"' in html and "Ville-Marie" in html
    geo = json.loads(written.cells.read_text(encoding="utf-8"))
    shown = [f["properties"]["incidents"] for f in geo["features"]]
    assert not any(v is not None and 1 <= v < 5 for v in shown)
