"""Cells over the territory and incidents counted in them, checked against an independent count."""

from __future__ import annotations

import shutil

import duckdb
import h3
import numpy as np
import pandas as pd
import pytest
import shapely

from urbansafety import store
from urbansafety.analysis.grid import cell_counts, grid_cells, h3_cells
from urbansafety.engine import open_engine
from urbansafety.errors import InputError
from urbansafety.ingest.geo import load_layers
from urbansafety.workspace import Workspace

SIZE = 250.0


def _extent(ws: Workspace) -> shapely.Geometry:
    with store.connect(ws.store_path, read_only=True) as con:
        layers = {layer.name: layer for layer in load_layers(con, ws.config)}
    return shapely.union_all(layers["neighbourhood"].geometries)


def _located(ws: Workspace) -> pd.DataFrame:
    with duckdb.connect(str(ws.store_path), read_only=True) as con:
        return con.sql(
            "SELECT x, y, year, h3_cell FROM incidents WHERE location_quality = 'located'"
        ).df()


def test_grid_counts_equal_an_independent_count(demo_ws: Workspace) -> None:
    extent = _extent(demo_ws)
    with open_engine(demo_ws) as engine:
        got = cell_counts(engine.table("incidents"), extent, size=SIZE)
    pts = _located(demo_ws)
    key = (
        "E"
        + np.floor(pts.x / SIZE).astype(int).astype(str)
        + "N"
        + np.floor(pts.y / SIZE).astype(int).astype(str)
    )
    expected = pd.crosstab(key, pts.year)
    frame = got.frame().set_index("cell")
    assert got.counts.sum() == len(pts)
    for year in expected.columns:
        column = frame[str(year)]
        nonzero = column[column > 0]
        pd.testing.assert_series_equal(
            nonzero.sort_index(),
            expected[year][expected[year] > 0].sort_index().rename(str(year)),
            check_names=False,
            check_index_type=False,
            check_dtype=False,
        )
    assert got.periods == tuple(sorted(expected.columns))


def test_empty_cells_inside_the_territory_are_present_with_zero(demo_ws: Workspace) -> None:
    extent = _extent(demo_ws)
    with open_engine(demo_ws) as engine:
        got = cell_counts(engine.table("incidents"), extent, size=SIZE)
    cells = got.cells
    assert len(set(cells.ids)) == cells.n
    overlap = shapely.area(shapely.intersection(cells.geometries, extent))
    # Every cell overlaps the territory, except cells kept only because they hold incidents.
    assert (overlap[got.total == 0] > 0).all()
    assert (got.total == 0).sum() > 0
    # Together the cells cover the whole territory.
    assert shapely.union_all(cells.geometries).contains(extent.buffer(-1))


def test_grid_cells_of_a_known_square() -> None:
    square = shapely.box(100, 100, 600, 350)
    cells = grid_cells(square, 250)
    # Columns 0..2 (0–750 m) and rows 0..1 (0–500 m) overlap; row 1 only in part.
    assert sorted(cells.ids.tolist()) == sorted(["E0N0", "E1N0", "E2N0", "E0N1", "E1N1", "E2N1"])
    touching = grid_cells(shapely.box(0, 0, 500, 250), 250)
    assert sorted(touching.ids.tolist()) == ["E0N0", "E1N0"]
    assert np.allclose(touching.area_km2, 0.0625)


def test_bad_cell_sizes_are_refused() -> None:
    with pytest.raises(InputError):
        grid_cells(shapely.box(0, 0, 10, 10), 0)
    with pytest.raises(InputError):
        grid_cells(shapely.box(0, 0, 1e6, 1e6), 1)


def test_h3_counts_and_coarser_resolution(demo_ws: Workspace) -> None:
    extent = _extent(demo_ws)
    crs = demo_ws.config.crs
    res = demo_ws.config.h3_resolution
    pts = _located(demo_ws)
    with open_engine(demo_ws) as engine:
        fine = cell_counts(engine.table("incidents"), extent, kind="h3", resolution=res, crs=crs)
        coarse = cell_counts(
            engine.table("incidents"), extent, kind="h3", resolution=res - 1, crs=crs
        )
        with pytest.raises(InputError):
            cell_counts(engine.table("incidents"), extent, kind="h3", resolution=res + 1)
    expected = pts.h3_cell.value_counts()
    frame = fine.frame().set_index("cell")
    assert fine.counts.sum() == coarse.counts.sum() == len(pts)
    assert (frame.loc[expected.index, "total"].to_numpy() == expected.to_numpy()).all()
    parents = pts.h3_cell.map(lambda c: h3.cell_to_parent(c, res - 1)).value_counts()
    cframe = coarse.frame().set_index("cell")
    assert (cframe.loc[parents.index, "total"].to_numpy() == parents.to_numpy()).all()
    # Hexagons are returned in the workspace CRS, about 0.1 km² at resolution 9.
    assert 0.05 < float(np.median(fine.cells.area_km2)) < 0.2


def test_h3_cells_cover_the_extent_centres() -> None:
    square = shapely.box(300000, 5040000, 302000, 5042000)  # EPSG:32188, 4 km²
    cells = h3_cells(square, 9, "EPSG:32188")
    cx, cy = cells.centroids()
    assert shapely.contains_xy(square.buffer(1), cx, cy).all()
    assert 25 < cells.n < 60


@pytest.mark.spark
def test_duckdb_and_spark_count_the_same_cells(demo_ws: Workspace) -> None:
    if shutil.which("java") is None:
        raise AssertionError("Java 17 is needed for the Spark engine (make test installs it)")
    extent = _extent(demo_ws)
    with open_engine(demo_ws, "duckdb") as engine:
        on_duckdb = cell_counts(engine.table("incidents"), extent, size=SIZE)
    with open_engine(demo_ws, "spark") as engine:
        on_spark = cell_counts(engine.table("incidents"), extent, size=SIZE)
    assert on_duckdb.periods == on_spark.periods
    pd.testing.assert_frame_equal(on_duckdb.frame(), on_spark.frame(), check_dtype=False)


def test_grid_counts_by_period_and_category(demo_ws: Workspace) -> None:
    from urbansafety.analysis.grid import grid_counts_table

    with open_engine(demo_ws) as engine:
        by_cat = grid_counts_table(
            engine.table("incidents"), SIZE, ["year", "category"]
        ).to_pandas()
    pts = _located(demo_ws)
    assert by_cat["incidents"].sum() == len(pts)
    with duckdb.connect(str(demo_ws.store_path), read_only=True) as con:
        expected = con.sql(
            f"SELECT floor(x / {SIZE})::BIGINT AS ix, floor(y / {SIZE})::BIGINT AS iy, year, "
            "category, count(*) AS n FROM incidents WHERE location_quality = 'located' "
            "GROUP BY ALL"
        ).df()
    merged = by_cat.merge(expected, on=["ix", "iy", "year", "category"], how="outer")
    assert len(merged) == len(expected) == len(by_cat)
    assert (merged["incidents"] == merged["n"]).all()
