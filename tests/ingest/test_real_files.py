"""Real public files beside the repository (shared/data): imported, then checked against pandas
and geopandas reading the raw files independently."""

from __future__ import annotations

from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import pytest

from urbansafety.ingest.geo import import_territories
from urbansafety.ingest.importer import import_incidents
from urbansafety.workspace import init_workspace

SF_LAYERS = ("sf_cartheft", "sf_drugs", "sf_robbery", "sf_vandalism")
SF_CATEGORIES = {
    "VEHICLE THEFT": "motor_vehicle_theft",
    "DRUG/NARCOTIC": "drugs",
    "ROBBERY": "robbery",
    "VANDALISM": "mischief",
}


def query(path: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql(sql).df()


@pytest.fixture(scope="module")
def sf_frame(shared: Path) -> pd.DataFrame:
    """San Francisco PD incidents, July–December 2012 (CC0), the four point layers."""
    archive = shared / "geoda-crime" / "SFCrime_July_Dec2012.zip"
    frames = [
        gpd.read_file(f"zip://{archive}!SFCrime_July_Dec2012 2/Crime Events/{name}.shp")
        for name in SF_LAYERS
    ]
    frame = pd.concat(frames, ignore_index=True)
    assert len(frame) == 13_472
    return frame


def test_san_francisco_2012_through_a_mapping(sf_frame: pd.DataFrame, tmp_path: Path) -> None:
    table = pd.DataFrame(
        {
            "IncidntNum": sf_frame["IncidntNum"].astype(str),
            "Category": sf_frame["Category"],
            "Date": pd.to_datetime(sf_frame["Date"]).dt.strftime("%Y-%m-%d"),
            "X": sf_frame["X"],
            "Y": sf_frame["Y"],
            "PdDistrict": sf_frame["PdDistrict"],
        }
    )
    path = tmp_path / "sfpd_2012.csv"
    table.to_csv(path, index=False)
    mapping = tmp_path / "sfpd.toml"
    categories = "\n".join(f'"{k}" = "{v}"' for k, v in SF_CATEGORIES.items())
    mapping.write_text(
        f'source = "sfpd"\n[columns]\ndate = "Date"\ncategory = "Category"\nlon = "X"\nlat = "Y"\n'
        f'district = "PdDistrict"\n[categories]\n{categories}\n',
        encoding="utf-8",
    )
    ws = init_workspace(tmp_path / "ws", crs="EPSG:26910")  # NAD83 / UTM zone 10N
    report = import_incidents(ws, path, mapping_path=mapping)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (13_472, 13_472, 0)
    got = query(
        ws.store_path,
        "SELECT category, month, count(*) AS n FROM incidents GROUP BY ALL ORDER BY ALL",
    )
    expected = (
        table.assign(
            category=table["Category"].map(SF_CATEGORIES),
            month=pd.to_datetime(table["Date"]).dt.month,
        )
        .groupby(["category", "month"])
        .size()
        .rename("n")
        .reset_index()
    )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    # Every point is usable; projected to UTM 10N they sit inside San Francisco's extent.
    xy = query(
        ws.store_path,
        "SELECT min(x) x0, max(x) x1, min(y) y0, max(y) y1, "
        "count(*) FILTER (location_quality = 'located') n FROM incidents",
    )
    assert xy.n[0] == 13_472
    assert 540_000 < xy.x0[0] < xy.x1[0] < 560_000 and 4_170_000 < xy.y0[0] < xy.y1[0] < 4_190_000


def test_limadmin_shapefile_and_geojson_give_the_same_layer(shared: Path, tmp_path: Path) -> None:
    folder = shared / "montreal-boundaries"
    stores = []
    for name in ("limadmin.geojson", "LIMADMIN.shp"):
        ws = init_workspace(tmp_path / name)
        report = import_territories(
            ws, folder / name, layer="borough", code_field="CODEID", name_field="NOM"
        )
        assert report.rows_accepted == 34
        stores.append(
            query(
                ws.store_path,
                "SELECT code, name, round(area_km2, 2) a FROM territories ORDER BY code",
            )
        )
    pd.testing.assert_frame_equal(stores[0], stores[1])
    # The published AIRE attribute (m²) sums to 618.05 km²; the polygons measured in MTM 8 agree.
    assert stores[0]["a"].sum() == pytest.approx(618.05, rel=0.005)


def test_portrait_of_a_real_borough(shared: Path, tmp_path: Path) -> None:
    """The SPVM sample in Saint-Laurent: the portrait's tables against geopandas + pandas on the raw file."""
    import json

    from urbansafety.portrait_run import run_portrait

    ws = init_workspace(tmp_path / "ws")
    import_territories(
        ws,
        shared / "montreal-boundaries" / "limadmin.geojson",
        layer="borough",
        code_field="CODEID",
        name_field="NOM",
    )
    sample = shared / "spvm-sample-1000" / "actes-criminels_short.geojson"
    import_incidents(ws, sample)
    boroughs = gpd.read_file(shared / "montreal-boundaries" / "limadmin.geojson")
    code = str(boroughs.loc[boroughs.NOM == "Saint-Laurent", "CODEID"].iloc[0])
    raw = pd.DataFrame(
        [f["properties"] for f in json.loads(sample.read_text(encoding="utf-8"))["features"]]
    )
    located = raw.dropna(subset=["LONGITUDE"])
    points = gpd.GeoDataFrame(
        located, geometry=gpd.points_from_xy(located.LONGITUDE, located.LATITUDE), crs=4326
    )
    inside = gpd.sjoin(
        points, boroughs[boroughs.CODEID.astype(str) == code][["geometry"]], predicate="within"
    )
    expected = inside.DATE.str[:4].astype(int).value_counts().sort_index()
    from urbansafety.analysis.portrait import Scope, portrait
    from urbansafety.engine import open_engine

    with open_engine(ws) as e:
        p = portrait(
            e.table("incidents"),
            e.table("population"),
            e.table("territories"),
            Scope(layer="borough", code=code),
            reference=Scope(),
        )
    got = p.yearly.set_index("year")["incidents"]
    assert got.to_dict() == expected.to_dict() and got.sum() == 98
    assert p.trend.method == "mann-kendall"  # no population imported: no rate, a rank test
    written = run_portrait(
        ws,
        territory=f"borough:{code}",
        years=None,
        compare="all",
        theme=None,
        categories=[],
        lang="fr",
        out=tmp_path,
    )
    assert "Saint-Laurent" in written.html.read_text(encoding="utf-8")
