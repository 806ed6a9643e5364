"""`urbansafety hotspots` end to end on the demo city: numbers, disclosure, files, errors."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import openpyxl
import pytest
import shapely

from urbansafety.analysis.portrait import Scope
from urbansafety.errors import ConfigError, InputError
from urbansafety.hotspots_analysis import HotspotAnalysis, analyse_hotspots
from urbansafety.hotspots_run import hotspot_scope, run_hotspots, settings_with
from urbansafety.report.hotspot_maps import cells_geojson
from urbansafety.report.hotspot_sections import hotspot_sections
from urbansafety.report.model_map import Map
from urbansafety.workspace import Workspace

pytestmark = pytest.mark.xdist_group("demo")


@pytest.fixture(scope="module")
def analysis(demo_ws: Workspace) -> HotspotAnalysis:
    scope, name = hotspot_scope(
        demo_ws, territory=None, years=None, theme=None, categories=[], lang="en"
    )
    return analyse_hotspots(demo_ws, scope, name)


def _located(ws: Workspace, where: str = "") -> int:
    with duckdb.connect(str(ws.store_path), read_only=True) as con:
        row = con.execute(
            f"SELECT count(*) FROM incidents WHERE location_quality = 'located' {where}"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_every_located_incident_is_in_one_cell(
    demo_ws: Workspace, analysis: HotspotAnalysis
) -> None:
    assert analysis.cells.counts.sum() == _located(demo_ws)
    assert analysis.incidents == analysis.cells.counts.sum() + analysis.unlocated
    assert analysis.cells.cells.n == len(analysis.gi.z) == len(analysis.lisa.Is)
    # Kernel density integrates to the located incidents.
    assert analysis.kde.integral() == pytest.approx(analysis.cells.counts.sum(), rel=1e-9)
    assert analysis.concentration.n_units == analysis.cells.cells.n


def test_gi_star_equals_an_independent_computation(analysis: HotspotAnalysis) -> None:
    """Gi* (binary queen weights, self included) recomputed from the cells' geometry alone."""
    cells = analysis.cells.cells
    x = analysis.cells.total.astype(float)
    n = len(x)
    position = {(i, j): k for k, (i, j) in enumerate(zip(cells.ix, cells.iy, strict=True))}
    z = np.empty(n)
    mean, sd = x.mean(), x.std()
    for k, (i, j) in enumerate(zip(cells.ix, cells.iy, strict=True)):
        near = [
            position[(i + di, j + dj)]
            for di in (-1, 0, 1)
            for dj in (-1, 0, 1)
            if (i + di, j + dj) in position
        ]
        wi = len(near)
        num = x[near].sum() - mean * wi
        den = sd * np.sqrt((n * wi - wi**2) / (n - 1))
        z[k] = num / den
    np.testing.assert_allclose(analysis.gi.z, z, rtol=1e-9, atol=1e-9)


def test_the_demo_hot_spots_are_found(analysis: HotspotAnalysis) -> None:
    # The demo city plants hot spots: some cells are hot at 99 % and clustered (HH).
    assert (analysis.gi.classes == 3).sum() > 0
    assert (np.asarray(analysis.lisa.clusters) == "HH").sum() > 0
    assert analysis.moran.I > 0.3
    assert analysis.moran.p_sim is not None and analysis.moran.p_sim <= 0.01


def test_map_tooltips_never_show_a_suppressed_count(demo_ws: Workspace) -> None:
    scope = Scope(categories=("homicide", "attempted_murder", "robbery"))
    a = analyse_hotspots(demo_ws, scope, "Demo")
    totals = a.cells.total
    assert ((totals >= 1) & (totals < 5)).any()
    for section in hotspot_sections(a, "en"):
        for block in section.blocks:
            if not isinstance(block, Map):
                continue
            for layer in block.layers:
                for tip in layer.tooltips:
                    for small in range(1, 5):
                        assert f"— {small} incidents" not in tip
    geo = cells_geojson(a)
    shown = [f["properties"]["incidents"] for f in geo["features"]]
    assert not any(v is not None and 1 <= v < 5 for v in shown)
    assert (
        sum(f["properties"]["suppressed"] for f in geo["features"])
        >= ((totals >= 1) & (totals < 5)).sum()
    )


def test_a_borough_uses_its_own_polygon(demo_ws: Workspace) -> None:
    scope = Scope("borough", "B1")
    a = analyse_hotspots(demo_ws, scope, "B1")
    assert a.cells.counts.sum() == _located(demo_ws, "AND borough = 'B1'")
    with duckdb.connect(str(demo_ws.store_path), read_only=True) as con:
        row = con.execute(
            "SELECT geometry FROM territories WHERE layer = 'borough' AND code = 'B1'"
        ).fetchone()
    assert row is not None
    polygon = shapely.from_wkb(row[0])
    assert shapely.union_all(a.cells.cells.geometries).contains(polygon.buffer(-1))


@pytest.mark.parametrize("cells,weights", [("h3", "queen"), ("grid", "distance"), ("grid", "knn")])
def test_other_cells_and_neighbours(demo_ws: Workspace, cells: str, weights: str) -> None:
    settings, size = settings_with(demo_ws, cells=cells, weights=weights, permutations=99)
    a = analyse_hotspots(demo_ws, Scope(), "Demo", settings=settings, cell=size)
    assert a.cells.cells.kind == cells
    assert a.cells.counts.sum() == _located(demo_ws)
    assert a.weights_kind == weights
    assert np.isfinite(a.gi.z).all()
    # The territories' rates are tested with the same kind of neighbours.
    assert a.areas is not None and a.areas.moran is not None and a.areas.lisa is not None
    assert (a.areas.distance_m > 0) == (weights == "distance")


def test_incidents_near_sites_concentrate(demo_ws: Workspace, analysis: HotspotAnalysis) -> None:
    assert analysis.sites is not None
    with duckdb.connect(str(demo_ws.store_path), read_only=True) as con:
        row = con.execute("SELECT count(*) FROM sites").fetchone()
    assert row is not None and analysis.sites.concentration.n_units == row[0]
    assert 0 < analysis.sites.concentration.share_units_50 < 0.5


def test_maps_get_tiles_only_when_asked(analysis: HotspotAnalysis) -> None:
    for tiles in (False, True):
        maps = [
            b
            for s in hotspot_sections(analysis, "fr", tiles=tiles)
            for b in s.blocks
            if isinstance(b, Map)
        ]
        assert len(maps) == 5 and all(m.tiles is tiles for m in maps)


def test_run_writes_report_workbook_and_cells(demo_ws: Workspace, tmp_path: Path) -> None:
    scope, name = hotspot_scope(
        demo_ws, territory=None, years="2019-2023", theme=None, categories=[], lang="fr"
    )
    written = run_hotspots(demo_ws, scope, name, lang="fr", out=tmp_path)
    html = written.html.read_text(encoding="utf-8")
    for sid in (
        "hotspots",
        "hotspots-density",
        "hotspots-lisa",
        "hotspots-emerging",
        "hotspots-concentration",
        "hotspots-territories",
        "near-repeat",
        "confidentiality",
    ):
        assert f'id="{sid}"' in html
    assert "Points chauds des incidents" in html
    assert html.count("L.version") <= 1 or "leaflet" in html.lower()
    wb = openpyxl.load_workbook(written.workbook)
    assert len(wb.sheetnames) >= 5
    geo = json.loads(written.cells.read_text(encoding="utf-8"))
    located = _located(demo_ws, "AND year BETWEEN 2019 AND 2023")
    published = sum(f["properties"]["incidents"] or 0 for f in geo["features"])
    assert published <= located
    lon, lat = geo["features"][0]["geometry"]["coordinates"][0][0]
    assert -180 <= lon <= 180 and -90 <= lat <= 90


def test_bad_options_are_clear_errors(demo_ws: Workspace) -> None:
    with pytest.raises(InputError):
        settings_with(demo_ws, cells="hexagons")
    with pytest.raises(InputError):
        settings_with(demo_ws, weights="bishop")
    with pytest.raises(InputError):
        settings_with(demo_ws, permutations=-1)
    with pytest.raises(InputError):
        analyse_hotspots(demo_ws, Scope(first_year=1990, last_year=1991), "Demo")
    with pytest.raises(ConfigError):
        hotspot_scope(demo_ws, territory=None, years=None, theme="nope", categories=[], lang="en")


def test_a_lone_cell_is_linked_to_its_nearest_cell() -> None:
    from urbansafety.analysis.grid import CellCounts, grid_cells
    from urbansafety.config import HotspotConfig
    from urbansafety.hotspots_analysis import cell_weights

    island = shapely.box(1700, 1700, 1740, 1740)
    cells = grid_cells(shapely.union_all([shapely.box(0, 0, 1000, 1000), island]), 250)
    counts = CellCounts(cells, (2020,), np.arange(cells.n)[:, None])
    w, _ = cell_weights(counts, HotspotConfig())
    assert len(w.islands) == 0
    lone = list(cells.ids).index("E6N6")
    corner = list(cells.ids).index("E3N3")
    assert w.matrix[[lone], :].toarray()[0].nonzero()[0].tolist() == [corner]
    assert (w.matrix != w.matrix.T).nnz == 0


@pytest.mark.spark
def test_duckdb_and_spark_find_the_same_hot_spots(
    demo_ws: Workspace, analysis: HotspotAnalysis
) -> None:
    import shutil

    if shutil.which("java") is None:
        raise AssertionError("Java 17 is needed for the Spark engine (make test installs it)")
    scope, name = hotspot_scope(
        demo_ws, territory=None, years=None, theme=None, categories=[], lang="en"
    )
    on_spark = analyse_hotspots(demo_ws, scope, name, engine_kind="spark")
    np.testing.assert_array_equal(on_spark.cells.counts, analysis.cells.counts)
    np.testing.assert_allclose(on_spark.gi.z, analysis.gi.z, rtol=1e-12)
    assert pytest.approx(analysis.moran.I, rel=1e-12) == on_spark.moran.I
    assert on_spark.kde.integral() == pytest.approx(analysis.kde.integral(), rel=1e-12)
    assert on_spark.areas is not None and analysis.areas is not None
    np.testing.assert_array_equal(on_spark.areas.counts, analysis.areas.counts)
    assert on_spark.near_repeat is not None and analysis.near_repeat is not None
    np.testing.assert_array_equal(
        on_spark.near_repeat.knox.observed, analysis.near_repeat.knox.observed
    )
