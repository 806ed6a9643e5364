"""The SPVM open-data file as published: every release format, checked against pandas on the raw file."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import pytest

from tests.conftest import DATA
from urbansafety.ingest.geo import import_territories
from urbansafety.ingest.importer import import_incidents
from urbansafety.workspace import Workspace

CATEGORIES = {
    "Introduction": "break_and_enter",
    "Vol dans / sur véhicule à moteur": "theft_from_vehicle",
    "Vol de véhicule à moteur": "motor_vehicle_theft",
    "Méfait": "mischief",
    "Vols qualifiés": "robbery",
    "Infractions entrainant la mort": "offences_causing_death",
}
SHIFTS = {"jour": "day", "soir": "evening", "nuit": "night"}


def stored(ws: Workspace, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(ws.store_path), read_only=True) as con:
        return con.sql(sql).df()


def raw_frame(path: Path) -> pd.DataFrame:
    """Read an SPVM file with pandas alone: the independent computation."""
    if path.suffix == ".geojson":
        doc = json.loads(path.read_text(encoding="utf-8"))
        return pd.DataFrame([f["properties"] for f in doc["features"]])
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return pd.read_csv(path, encoding=enc, dtype=str, keep_default_na=False)
        except UnicodeDecodeError:
            continue
    raise AssertionError(path)


@pytest.mark.parametrize(
    "name",
    ["spvm_2023_utf8.csv", "spvm_bom_crlf.csv", "spvm_2021_cp1252.csv", "spvm_release.geojson"],
)
def test_every_release_format_imports_the_same_incidents(workspace: Workspace, name: str) -> None:
    path = DATA / name
    report = import_incidents(workspace, path)
    raw = raw_frame(path)
    assert report.rows_read == len(raw) == report.rows_accepted
    assert report.rows_rejected == 0
    got = stored(
        workspace,
        "SELECT category, year, shift, district, count(*) AS n FROM incidents GROUP BY ALL",
    )
    raw["category"] = raw["CATEGORIE"].map(CATEGORIES)
    raw["year"] = raw["DATE"].astype(str).str[:4].astype(int)
    raw["shift"] = raw["QUART"].map(SHIFTS)
    raw["district"] = raw["PDQ"].astype(float).astype(int).astype(str)
    expected = (
        raw.groupby(["category", "year", "shift", "district"]).size().rename("n").reset_index()
    )
    key = ["category", "year", "shift", "district"]
    pd.testing.assert_frame_equal(
        got.sort_values(key).reset_index(drop=True),
        expected.sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )
    # Unknown locations are kept and counted: empty fields, or the X=0 / (-76.23729, 0) placeholders.
    x = pd.to_numeric(raw["X"], errors="coerce")
    expected_unknown = int((x.isna() | (x == 0)).sum())
    assert report.rows_unlocated == expected_unknown == 13
    issue = "placeholder" if "2021" in name else "missing"
    assert report.unlocated_by_issue == {issue: expected_unknown}


def test_release_formats_give_identical_rows(tmp_path: Path) -> None:
    from urbansafety.workspace import init_workspace

    frames = []
    for name in ("spvm_2023_utf8.csv", "spvm_2021_cp1252.csv", "spvm_release.geojson"):
        ws = init_workspace(tmp_path / name)
        import_incidents(ws, DATA / name)
        frames.append(
            stored(
                ws,
                "SELECT source_row, occurred_on, shift, category, district, round(x, 3) x, "
                "round(y, 3) y, lon, lat, location_quality FROM incidents ORDER BY source_row",
            )
        )
    # CSV rows start at line 2, GeoJSON features at 1.
    frames[2]["source_row"] += 1
    for other in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], other)


def test_real_sample_of_1000_rows(workspace: Workspace, shared: Path) -> None:
    """The first 1,000 features of the City's GeoJSON: every row kept, counts as published."""
    path = shared / "spvm-sample-1000" / "actes-criminels_short.geojson"
    import_territories(
        workspace,
        shared / "montreal-boundaries" / "limadmin.geojson",
        layer="borough",
        code_field="CODEID",
        name_field="NOM",
    )
    report = import_incidents(workspace, path)
    assert (
        report.rows_read,
        report.rows_accepted,
        report.rows_rejected,
        report.rows_unlocated,
    ) == (1000, 1000, 0, 65)
    by_cat = stored(workspace, "SELECT source_category, count(*) n FROM incidents GROUP BY 1")
    assert dict(zip(by_cat.source_category, by_cat.n, strict=True)) == {
        "Introduction": 311,
        "Vol dans / sur véhicule à moteur": 255,
        "Méfait": 230,
        "Vol de véhicule à moteur": 164,
        "Vols qualifiés": 39,
        "Infractions entrainant la mort": 1,
    }
    by_shift = stored(workspace, "SELECT shift, count(*) n FROM incidents GROUP BY 1")
    assert dict(zip(by_shift["shift"], by_shift.n, strict=True)) == {
        "day": 525,
        "evening": 327,
        "night": 148,
    }
    by_year = stored(workspace, "SELECT year, count(*) n FROM incidents GROUP BY 1")
    assert dict(zip(by_year.year, by_year.n, strict=True)) == {
        2015: 238,
        2016: 202,
        2017: 345,
        2018: 215,
    }
    # The 18 exact duplicate rows are legitimate (no incident id in the source) and all kept.
    raw = raw_frame(path)
    assert int(raw.duplicated().sum()) == 18
    assert stored(workspace, "SELECT count(DISTINCT incident_id) n FROM incidents").n[0] == 1000

    # Territories against an independent geopandas spatial join on the raw longitude/latitude.
    boroughs = gpd.read_file(shared / "montreal-boundaries" / "limadmin.geojson")
    located = raw.dropna(subset=["LONGITUDE"])
    points = gpd.GeoDataFrame(
        located, geometry=gpd.points_from_xy(located.LONGITUDE, located.LATITUDE), crs=4326
    )
    joined = gpd.sjoin(points, boroughs[["CODEID", "NOM", "geometry"]], predicate="within")
    expected = joined.groupby("NOM").size().sort_index()
    got = (
        stored(
            workspace,
            "SELECT t.name, count(*) n FROM incidents i JOIN territories t "
            "ON t.layer = 'borough' AND t.code = i.borough GROUP BY 1",
        )
        .set_index("name")
        .n.sort_index()
    )
    pd.testing.assert_series_equal(got, expected, check_names=False, check_dtype=False)
    assert expected.sum() == 935
    assert got["Saint-Laurent"] == 98 and got["Ville-Marie"] == 78


def test_xy_and_lonlat_agree_with_epsg_32188(workspace: Workspace, shared: Path) -> None:
    """X/Y (MTM 8) projected to WGS84 reproduces the file's LONGITUDE/LATITUDE to 0.1 m."""
    import numpy as np
    from pyproj import Transformer

    import_incidents(workspace, shared / "spvm-sample-1000" / "actes-criminels_short.geojson")
    got = stored(
        workspace, "SELECT x, y, lon, lat FROM incidents WHERE location_quality = 'located'"
    )
    lon, lat = Transformer.from_crs(32188, 4326, always_xy=True).transform(
        got.x.to_numpy(), got.y.to_numpy()
    )
    metres = Transformer.from_crs(4326, 32188, always_xy=True)
    bx, by = metres.transform(lon, lat)
    fx, fy = metres.transform(got.lon.to_numpy(), got.lat.to_numpy())
    assert np.hypot(bx - fx, by - fy).max() < 0.1


def test_mojibake_is_detected_and_reported(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "mojibake.csv"
    path.write_text(
        "CATEGORIE,DATE,QUART,PDQ,X,Y,LONGITUDE,LATITUDE\n"
        "MÃ©fait,2018-01-02,jour,30.0,,,,\n"
        "M\ufffdfait,2018-01-03,soir,30.0,,,,\n"
        "Méfait,2018-01-04,nuit,30.0,,,,\n",
        encoding="utf-8",
    )
    report = import_incidents(workspace, path)
    assert report.rows_accepted == 1
    assert report.rejected_by_reason == {"mojibake (wrong text encoding)": 2}
    rejects = stored(workspace, 'SELECT "row", "column", value, reason FROM rejects ORDER BY "row"')
    assert rejects.to_dict("records") == [
        {
            "row": 2,
            "column": "CATEGORIE",
            "value": "MÃ©fait",
            "reason": "mojibake (wrong text encoding)",
        },
        {
            "row": 3,
            "column": "CATEGORIE",
            "value": "M\ufffdfait",
            "reason": "mojibake (wrong text encoding)",
        },
    ]


def test_older_header_and_variant_spellings(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "interventionscitoyendo.csv"
    path.write_text(
        "CATEGORIE,DATE,QUART,PDQ,X,Y,LAT,LONG\n"
        "Vol qualifié,2016-07-12 00:00:00,soir,38,297654.2,5041511.3,45.5096,-73.5701\n"
        "Infraction entraînant la mort,2016-07-13 00:00:00,nuit,38,1,1,1,1\n",
        encoding="utf-8",
    )
    report = import_incidents(workspace, path)
    assert report.rows_accepted == 2 and report.rows_unlocated == 1
    got = stored(
        workspace, "SELECT category, crime_group, location_issue FROM incidents ORDER BY source_row"
    )
    assert got.category.tolist() == ["robbery", "offences_causing_death"]
    assert got.crime_group.tolist() == ["person", "person"]
    assert got.location_issue.fillna("-").tolist() == ["-", "placeholder"]


def test_bad_values_go_to_rejects_with_row_column_value_reason(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "CATEGORIE,DATE,QUART,PDQ,X,Y,LONGITUDE,LATITUDE\n"
        "Méfait,2018-13-01,jour,30.0,,,,\n"
        "Méfait,,jour,30.0,,,,\n"
        "Cambriolage,2018-01-01,jour,30.0,,,,\n"
        "Méfait,2018-01-01,matin,30.0,,,,\n"
        "Méfait,2018-01-01,jour,trente,,,,\n"
        "Méfait,2018-01-01,jour,30.0,abc,5047548.9,,\n"
        "Méfait,2018-01-01,jour,30.0\n"
        "Méfait,2018-01-01,jour,30.0,,,,\n",
        encoding="utf-8",
    )
    report = import_incidents(workspace, path)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (8, 1, 7)
    rejects = stored(workspace, 'SELECT "row", "column", value, reason FROM rejects ORDER BY "row"')
    assert rejects.values.tolist() == [
        [2, "DATE", "2018-13-01", "bad date"],
        [3, "DATE", "", "empty date"],
        [4, "CATEGORIE", "Cambriolage", "unknown category"],
        [5, "QUART", "matin", "unknown shift"],
        [6, "PDQ", "trente", "unparseable number"],
        [7, "X", "abc", "unparseable number"],
        [
            8,
            "",
            "Méfait,2018-01-01,jour,30.0",
            "malformed line (wrong number of fields or open quote)",
        ],
    ]
