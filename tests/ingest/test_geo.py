"""Territory layers in every format and CRS; border points get one territory; sites."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import duckdb
import geopandas as gpd
import numpy as np
import pytest
import shapely

from tests.conftest import square_layer
from urbansafety.errors import InputError
from urbansafety.ingest.geo import import_sites, import_territories
from urbansafety.ingest.importer import import_incidents
from urbansafety.ingest.locate import Layer
from urbansafety.workspace import Workspace, init_workspace

ORIGIN = (290_000.0, 5_040_000.0)


def rows(ws: Workspace, sql: str) -> list[tuple]:
    with duckdb.connect(str(ws.store_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_points_on_shared_borders_get_exactly_one_territory() -> None:
    squares = [
        shapely.box(0, 0, 1, 1),
        shapely.box(1, 0, 2, 1),
        shapely.box(0, 1, 1, 2),
        shapely.box(1, 1, 2, 2),
    ]
    layer = Layer(
        "t", np.array(["A", "B", "C", "D"], dtype=object), np.array(squares, dtype=object)
    )
    x = np.array([1.0, 1.0, 0.5, 1.5, 2.0, 3.0, 0.0])
    y = np.array([0.5, 1.0, 1.0, 1.5, 2.0, 3.0, 0.0])
    assert layer.codes_of(x, y).tolist() == ["A", "A", "A", "D", "D", None, "A"]
    # The answer does not depend on the order of the polygons in the file.
    shuffled = Layer(
        "t",
        np.array(["D", "B", "C", "A"], dtype=object),
        np.array([squares[3], squares[1], squares[2], squares[0]], dtype=object),
    )
    order = np.argsort(shuffled.codes)
    again = Layer("t", shuffled.codes[order], shuffled.geometries[order])
    assert again.codes_of(x, y).tolist() == layer.codes_of(x, y).tolist()


@pytest.mark.parametrize("fmt", ["geojson-wgs84", "gpkg-32188", "shp-zip-2950", "shp-folder-3857"])
def test_boundaries_in_any_format_and_crs(tmp_path: Path, fmt: str) -> None:
    src = gpd.read_file(square_layer(tmp_path / "sq.geojson", origin=ORIGIN))
    kind, crs = fmt.rsplit("-", 1)
    epsg = {"wgs84": 4326, "32188": 32188, "2950": 2950, "3857": 3857}[crs]
    frame = src.to_crs(epsg)
    if kind == "geojson":
        path = tmp_path / "b.geojson"
        frame.to_file(path, driver="GeoJSON")
    elif kind == "gpkg":
        path = tmp_path / "b.gpkg"
        frame.to_file(path, driver="GPKG", layer="b")
    else:
        folder = tmp_path / "shp"
        folder.mkdir()
        frame.to_file(folder / "b.shp")
        path = folder
        if kind == "shp-zip":
            path = tmp_path / "b.zip"
            with zipfile.ZipFile(path, "w") as z:
                for f in folder.iterdir():
                    z.write(f, f.name)
    ws = init_workspace(tmp_path / "ws")
    report = import_territories(
        ws, path, layer="area", code_field="code", name_field="name", parent_field="parent"
    )
    assert report.rows_accepted == 4
    got = rows(
        ws, "SELECT code, name, parent_code, round(area_km2, 3) FROM territories ORDER BY code"
    )
    assert got == [
        ("T00", "Carré 00", "P0", 1.0),
        ("T01", "Carré 01", "P0", 1.0),
        ("T10", "Carré 10", "P1", 1.0),
        ("T11", "Carré 11", "P1", 1.0),
    ]


def test_incidents_are_assigned_when_a_layer_arrives_later(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws", extra_config='[layers.area]\nattribute = "district"\n')
    x0, y0 = ORIGIN
    lines = [
        f"Méfait,2019-01-01,jour,T00,{x0 + 500},{y0 + 500},,",  # inside T00
        f"Méfait,2019-01-01,jour,T00,{x0 + 1000},{y0 + 500},,",  # on the T00 | T10 border
        f"Méfait,2019-01-01,jour,T11,{x0 + 9000},{y0 + 9000},,",  # outside every square
        "Méfait,2019-01-01,jour,T11,,,,",  # no location, district T11
        "Méfait,2019-01-01,jour,99,,,,",  # no location, unknown district
    ]
    path = tmp_path / "i.csv"
    path.write_text(
        "CATEGORIE,DATE,QUART,PDQ,X,Y,LONGITUDE,LATITUDE\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    # District codes here are not integers: read them with a mapping instead of the SPVM layout.
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        'source = "t"\n[columns]\ncategory = "CATEGORIE"\ndate = "DATE"\nshift = "QUART"\n'
        'district = "PDQ"\nx = "X"\ny = "Y"\n[shifts]\njour = "day"\n[coordinates]\ncrs = "EPSG:32188"\n',
        encoding="utf-8",
    )
    report = import_incidents(ws, path, mapping_path=mapping)
    assert report.rows_unlocated == 2  # before any layer, nothing is outside
    import_territories(
        ws,
        square_layer(tmp_path / "sq.geojson", origin=ORIGIN, crs="EPSG:32188"),
        layer="area",
        code_field="code",
    )
    got = rows(
        ws, "SELECT area, location_quality, location_issue FROM incidents ORDER BY source_row"
    )
    assert got == [
        ("T00", "located", None),
        ("T00", "located", None),
        ("T11", "unknown", "outside the territory"),
        ("T11", "unknown", "missing"),
        (None, "unknown", "missing"),
    ]
    cells = rows(ws, "SELECT grid_cell, h3_cell FROM incidents WHERE location_quality = 'located'")
    assert all(g and g.startswith("E") for g, _ in cells) and all(len(h) == 15 for _, h in cells)


def test_pdq_layer_counts_unlocated_incidents_by_attribute(tmp_path: Path, shared: Path) -> None:
    """About 17 % of SPVM rows have no location: the PDQ number keeps them in the PDQ totals."""
    ws = init_workspace(tmp_path / "ws", extra_config='[layers.pdq]\nattribute = "district"\n')
    import_territories(
        ws, shared / "montreal-pdq" / "limitespdq.geojson", layer="pdq", code_field="PDQ"
    )
    import_incidents(ws, shared / "spvm-sample-1000" / "actes-criminels_short.geojson")
    raw = json.loads(
        (shared / "spvm-sample-1000" / "actes-criminels_short.geojson").read_text(encoding="utf-8")
    )
    current = {str(int(f["properties"]["PDQ"])) for f in raw["features"]}
    codes = {c for (c,) in rows(ws, "SELECT code FROM territories")}
    unlocated_known = sum(
        1
        for f in raw["features"]
        if f["properties"]["X"] is None and str(int(f["properties"]["PDQ"])) in codes
    )
    got = rows(
        ws, "SELECT count(*) FROM incidents WHERE location_quality = 'unknown' AND pdq IS NOT NULL"
    )[0][0]
    assert got == unlocated_known > 0
    assert current - codes  # retired PDQ numbers (11, 24, 33) exist in old rows and stay unassigned


def test_duplicate_codes_and_missing_fields_are_clear_errors(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    path = square_layer(tmp_path / "sq.geojson", origin=ORIGIN)
    with pytest.raises(InputError, match="No attribute"):
        import_territories(ws, path, layer="area", code_field="CODE")
    with pytest.raises(InputError, match="not unique"):
        import_territories(ws, path, layer="area", code_field="parent")
    with pytest.raises(InputError, match="reserved"):
        import_territories(ws, path, layer="year", code_field="code")
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="map layer"):
        import_territories(ws, bad, layer="area", code_field="code")


def test_sites_points_and_polygon_centroids(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    frame = gpd.GeoDataFrame(
        {
            "site_id": ["S1", "S2", "S2", None],
            "nom": ["Un", "Deux", "Deux bis", "Sans id"],
            "logements": [12, 40, 5, 3],
        },
        geometry=[
            shapely.Point(290_100, 5_040_100),
            shapely.box(290_000, 5_041_000, 290_200, 5_041_200),
            shapely.Point(0, 0),
            shapely.Point(1, 1),
        ],
        crs=32188,
    ).to_crs(4326)
    path = tmp_path / "sites.geojson"
    frame.to_file(path, driver="GeoJSON")
    report = import_sites(ws, path, layer="housing", id_field="site_id", name_field="nom")
    assert (report.rows_accepted, report.rows_rejected) == (2, 2)
    got = rows(ws, "SELECT site_id, round(x), round(y), attributes FROM sites ORDER BY site_id")
    assert got[0][:3] == ("S1", 290_100, 5_040_100)
    assert got[1][:3] == ("S2", 290_100, 5_041_100)
    assert json.loads(got[1][3]) == {"logements": 40}
    areas = rows(ws, "SELECT site_id, area IS NOT NULL FROM sites ORDER BY site_id")
    assert areas == [
        ("S1", False),
        ("S2", True),
    ]  # the polygon is kept for "inside the site" counts


def test_same_layer_file_twice_is_a_no_op(workspace: Workspace, tmp_path: Path) -> None:
    path = square_layer(tmp_path / "sq.geojson", origin=ORIGIN)
    import_territories(workspace, path, layer="area", code_field="code")
    assert import_territories(workspace, path, layer="area", code_field="code").skipped
