"""The demo city's input files: formats, reproducibility, geography and made-up names."""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
import zipfile
from dataclasses import fields
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from urbansafety.errors import InputError
from urbansafety.ingest.demo import (
    SPVM_HEADER,
    UCR_HEADER,
    DemoFiles,
    write_demo_files,
    write_spvm_csv,
)
from urbansafety.ingest.demo_city import CITY_NAME, DISTRICT_CODES, build_demo_city

SEED, N = 7, 20_000
SHARED = Path(__file__).resolve().parents[3] / "shared"
OFFICIAL = {
    "Introduction",
    "Méfait",
    "Vol dans / sur véhicule à moteur",
    "Vol de véhicule à moteur",
    "Vols qualifiés",
    "Infractions entrainant la mort",
}
TERRITORY = ("boroughs", "neighbourhoods", "police_districts", "population", "sites")
RECORDS = ("spvm_incidents", "ucr_incidents", "persons")


def _paths(files: DemoFiles) -> dict[str, Path]:
    return {
        f.name: getattr(files, f.name) for f in fields(files) if f.name not in ("folder", "years")
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    """Return the demo files written once for the module."""
    return write_demo_files(tmp_path_factory.mktemp("demo"), seed=SEED, n_incidents=N)


@pytest.fixture(scope="module")
def spvm(demo: DemoFiles) -> pd.DataFrame:
    """Return the SPVM file read as text columns (empty cells stay empty strings)."""
    return pd.read_csv(demo.spvm_incidents, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def ucr(demo: DemoFiles) -> pd.DataFrame:
    """Return the UCR2 table read as text columns."""
    return pd.read_csv(
        demo.ucr_incidents, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )


def test_every_file_is_written(demo: DemoFiles) -> None:
    names = {p.name for p in _paths(demo).values()}
    assert names == {p.name for p in demo.folder.iterdir()}
    assert demo.years == (2018, 2024)


def test_same_seed_gives_the_same_bytes(demo: DemoFiles, tmp_path: Path) -> None:
    again = write_demo_files(tmp_path, seed=SEED, n_incidents=N)
    for name, path in _paths(demo).items():
        assert path.read_bytes() == _paths(again)[name].read_bytes(), name


def test_other_seed_changes_records_not_territory(demo: DemoFiles, tmp_path: Path) -> None:
    other = _paths(write_demo_files(tmp_path, seed=SEED + 1, n_incidents=N))
    mine = _paths(demo)
    for name in RECORDS:
        assert mine[name].read_bytes() != other[name].read_bytes(), name
    for name in TERRITORY:
        assert mine[name].read_bytes() == other[name].read_bytes(), name


def test_spvm_layout_matches_the_city_file(demo: DemoFiles, spvm: pd.DataFrame) -> None:
    raw = demo.spvm_incidents.read_bytes()
    assert raw.startswith(SPVM_HEADER.encode() + b"\n")
    assert b"\r" not in raw and b'"' not in raw and not raw.startswith(b"\xef\xbb\xbf")
    assert len(spvm) == N - round(0.2 * N)
    assert set(spvm["CATEGORIE"]) == OFFICIAL
    assert spvm["DATE"].str.fullmatch(r"20(1[89]|2[0-4])-\d\d-\d\d").all()
    assert set(spvm["QUART"]) == {"jour", "soir", "nuit"}
    assert set(spvm["PDQ"]) == {f"{code}.0" for code in DISTRICT_CODES}
    located = spvm[spvm["X"] != ""]
    for column in ("X", "Y", "LONGITUDE", "LATITUDE"):
        assert located[column].str.fullmatch(r"-?\d+\.\d{6}").all(), column


def test_spvm_proportions_are_realistic(spvm: pd.DataFrame) -> None:
    share = spvm["CATEGORIE"].value_counts(normalize=True)
    assert share["Vol dans / sur véhicule à moteur"] == pytest.approx(0.29, abs=0.02)
    assert share["Introduction"] == pytest.approx(0.25, abs=0.02)
    assert share["Vols qualifiés"] == pytest.approx(0.056, abs=0.01)
    shift = spvm["QUART"].value_counts(normalize=True)
    assert shift["jour"] == pytest.approx(0.51, abs=0.03)
    assert shift["nuit"] == pytest.approx(0.16, abs=0.03)


def test_unlocated_rows_are_blank_but_keep_their_pdq(spvm: pd.DataFrame) -> None:
    blank = spvm[["X", "Y", "LONGITUDE", "LATITUDE"]] == ""
    assert (blank.all(axis=1) | ~blank.any(axis=1)).all()  # all four empty, or none
    unlocated = blank["X"]
    assert unlocated.mean() == pytest.approx(0.16, abs=0.02)
    assert (spvm["PDQ"] != "").all()
    by_pdq = unlocated.groupby(spvm["PDQ"]).mean()
    downtown = f"{build_demo_city().districts['PDQ'].iloc[0]}.0"
    assert by_pdq[downtown] == pytest.approx(0.35, abs=0.05)
    assert by_pdq.drop(downtown).max() < 0.2


def test_lon_lat_come_from_x_y_in_epsg_32188(spvm: pd.DataFrame) -> None:
    located = spvm[spvm["X"] != ""].astype({c: float for c in ("X", "Y", "LONGITUDE", "LATITUDE")})
    back = Transformer.from_crs("EPSG:4326", "EPSG:32188", always_xy=True)
    x, y = back.transform(located["LONGITUDE"].to_numpy(), located["LATITUDE"].to_numpy())
    assert np.hypot(x - located["X"], y - located["Y"]).max() < 0.1
    lon, lat = located["LONGITUDE"], located["LATITUDE"]
    assert lon.between(-73.5, -73.1).all() and lat.between(50.5, 50.7).all()


def test_points_lie_in_the_city_and_in_their_pdq(demo: DemoFiles, spvm: pd.DataFrame) -> None:
    pdq = gpd.read_file(f"zip://{demo.police_districts}").to_crs("EPSG:32188")
    located = spvm[spvm["X"] != ""]
    x, y = located["X"].astype(float).to_numpy(), located["Y"].astype(float).to_numpy()
    outline = build_demo_city().outline
    assert shapely.contains_xy(outline, x, y).all()
    for code, shape in zip(pdq["PDQ"], pdq.geometry, strict=True):
        mine = (located["PDQ"] == f"{code}.0").to_numpy()
        assert mine.any() and shapely.contains_xy(shape, x[mine], y[mine]).all(), code


def test_spvm_rows_look_like_real_records(spvm: pd.DataFrame) -> None:
    assert spvm.duplicated().sum() > 0  # identical rows are legitimate in the City's file
    located = spvm[spvm["X"] != ""]
    assert located[["X", "Y"]].drop_duplicates().shape[0] < len(located) / 2  # snapped points
    assert not spvm["DATE"].is_monotonic_increasing
    date = pd.to_datetime(spvm["DATE"])
    theft = spvm["CATEGORIE"] == "Vol dans / sur véhicule à moteur"
    summer = date.dt.month.isin([7, 8])
    winter = date.dt.month.isin([1, 2])
    assert (theft & summer).sum() > 1.2 * (theft & winter).sum()
    stolen = spvm["CATEGORIE"] == "Vol de véhicule à moteur"
    assert (stolen & (date.dt.year == 2024)).sum() > 1.3 * (stolen & (date.dt.year == 2018)).sum()


def test_write_spvm_csv_is_the_demo_spvm_file(demo: DemoFiles, tmp_path: Path) -> None:
    path = write_spvm_csv(tmp_path / "a.csv", N - round(0.2 * N), seed=SEED)
    assert path.read_bytes() == demo.spvm_incidents.read_bytes()
    latin = write_spvm_csv(tmp_path / "b.csv", 500, seed=SEED, encoding="cp1252")
    head = write_spvm_csv(tmp_path / "c.csv", 500, seed=SEED).read_text(encoding="utf-8")
    assert latin.read_text(encoding="cp1252") == head


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(n=st.integers(0, 300), seed=st.integers(0, 2**32 - 1), first=st.integers(2015, 2024))
def test_any_size_seed_and_years_give_a_valid_file(
    tmp_path: Path, n: int, seed: int, first: int
) -> None:
    path = write_spvm_csv(tmp_path / "spvm.csv", n, seed=seed, years=(first, 2024))
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(rows) == n
    assert all(r["CATEGORIE"] in OFFICIAL and first <= int(r["DATE"][:4]) <= 2024 for r in rows)


def test_bad_arguments_are_explained(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="2024-2020"):
        write_spvm_csv(tmp_path / "x.csv", 10, years=(2024, 2020))
    with pytest.raises(InputError):
        write_demo_files(tmp_path, n_incidents=-1)


def test_ucr_file_is_a_ministry_style_table(demo: DemoFiles, ucr: pd.DataFrame) -> None:
    raw = demo.ucr_incidents.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + UCR_HEADER.encode() + b"\r\n")
    assert raw.count(b"\n") == raw.count(b"\r\n") == len(ucr) + 1
    assert len(ucr) == round(0.2 * N)
    assert ucr["no_evenement"].is_unique
    assert ucr["no_evenement"].str.fullmatch(r"\d{4}-\d{6}").all()
    assert (ucr["no_evenement"].str[:4] == ucr["date_evenement"].str[:4]).all()
    assert (
        pd.to_datetime(ucr["date_evenement"], format="%Y-%m-%d").dt.year.between(2018, 2024).all()
    )
    assert ucr["heure"].str.fullmatch(r"([01]\d|2[0-3]):[0-5]\d").all()
    assert set(ucr["pdq"]) <= set(DISTRICT_CODES)
    empty = ucr["x_mtm"] == ""
    assert (empty == (ucr["y_mtm"] == "")).all()
    assert empty.mean() == pytest.approx(0.10, abs=0.02)
    assert ucr.loc[~empty, "x_mtm"].str.fullmatch(r"\d{6}\.\d").all()
    x, y = (ucr.loc[~empty, c].astype(float).to_numpy() for c in ("x_mtm", "y_mtm"))
    assert shapely.contains_xy(build_demo_city().outline.buffer(0.1), x, y).all()


def test_ucr_codes_exist_in_the_package_table(ucr: pd.DataFrame) -> None:
    table = resources.files("urbansafety.taxonomy") / "ucr2_violations.csv"
    with table.open(encoding="utf-8-sig") as handle:
        known = pd.read_csv(handle, dtype=str, keep_default_na=False)
    assert ucr["code_infraction"].str.fullmatch(r"\d{4}").all()
    assert set(ucr["code_infraction"]) <= set(known["violation_code"])
    categories = known.set_index("violation_code")["category"][ucr["code_infraction"]]
    assert categories.value_counts(normalize=True)["assault"] > 0.25
    assert not set(categories) & {"break_and_enter", "mischief", "motor_vehicle_theft"}


def test_persons_belong_to_ucr_incidents(demo: DemoFiles, ucr: pd.DataFrame) -> None:
    persons = pd.read_csv(demo.persons, dtype=str, keep_default_na=False)
    assert list(persons.columns) == ["no_evenement", "role", "age", "genre"]
    assert set(persons["no_evenement"]) <= set(ucr["no_evenement"])
    assert set(persons["role"]) == {"victime", "accusé"}
    assert set(persons["genre"]) <= {"F", "M", "X", ""}
    assert persons["age"].str.fullmatch(r"\d{0,2}").all()
    accused = persons[persons["role"] == "accusé"]
    assert accused["no_evenement"].nunique() / len(ucr) == pytest.approx(0.6, abs=0.08)
    ages = persons[persons["age"] != ""].astype({"age": int}).groupby("role")["age"].median()
    assert ages["accusé"] < 40


def test_mappings_say_how_to_read_the_ucr_files(demo: DemoFiles) -> None:
    text = demo.ucr_mapping.read_text(encoding="utf-8")
    assert text.startswith("# Correspondance des colonnes / column mapping — urbansafety\n")
    mapping = tomllib.loads(text)
    assert mapping["source"] == "demo-uc2" and mapping["key"] == "no_evenement"
    assert mapping["read"] == {"delimiter": ";"}
    assert mapping["columns"] == {
        "date": "date_evenement", "time": "heure", "violation_code": "code_infraction",
        "x": "x_mtm", "y": "y_mtm", "district": "pdq",
    }  # fmt: skip
    assert mapping["coordinates"] == {"crs": "EPSG:32188"}
    persons = tomllib.loads(demo.persons_mapping.read_text(encoding="utf-8"))
    assert persons == {
        "source": "demo-uc2",
        "columns": {
            "incident_key": "no_evenement",
            "role": "role",
            "age": "age",
            "gender": "genre",
        },
        "roles": {"victime": "victim", "accusé": "accused"},
    }


def test_territory_files_are_readable_and_nested(demo: DemoFiles) -> None:
    assert pyogrio.list_layers(demo.neighbourhoods)[:, 0].tolist() == ["quartiers"]
    quartiers = gpd.read_file(demo.neighbourhoods, layer="quartiers")
    assert quartiers.crs.to_epsg() == 32188
    assert list(quartiers.columns) == ["code", "nom", "arrondissement", "geometry"]
    assert quartiers["code"].tolist() == [f"Q{i:02d}" for i in range(1, 11)]
    boroughs = gpd.read_file(demo.boroughs)
    assert boroughs.crs.to_epsg() == 4326
    assert set(boroughs["code"]) == {"B1", "B2", "B3", "B4"}
    assert set(quartiers["arrondissement"]) == set(boroughs["code"])
    assert quartiers.union_all().symmetric_difference(
        boroughs.to_crs(32188).union_all()
    ).area < 1e-3 * quartiers.area.sum()  # fmt: skip
    with zipfile.ZipFile(demo.police_districts) as archive:
        assert {"pdq.shp", "pdq.shx", "pdq.dbf", "pdq.prj"} <= set(archive.namelist())
    pdq = gpd.read_file(f"zip://{demo.police_districts}")
    assert pdq.crs.to_epsg() == 4326
    assert pdq["PDQ"].tolist() == list(DISTRICT_CODES) and pdq["NOM"].str.len().min() > 3
    # The police districts are a different partition: most straddle borough limits.
    crossing = gpd.overlay(pdq.to_crs(32188), boroughs.to_crs(32188), keep_geom_type=True)
    assert ((crossing.area > 0.5e6).groupby(crossing["PDQ"]).sum() >= 2).sum() >= 3


def test_population_sums_and_grows(demo: DemoFiles) -> None:
    pop = pd.read_csv(demo.population, dtype={"code": str})
    assert list(pop.columns) == ["layer", "code", "year", "age_group", "gender", "population"]
    assert set(pop["year"]) == set(range(2018, 2025))
    assert set(pop["age_group"]) == {"0-14", "15-24", "25-44", "45-64", "65+"}
    assert set(pop["gender"]) == {"F", "M"} and (pop["population"] >= 0).all()
    quartiers = gpd.read_file(demo.neighbourhoods).set_index("code")["arrondissement"]
    nb = pop[pop["layer"] == "neighbourhood"].copy()
    nb["code"] = nb["code"].map(quartiers)
    keys = ["code", "year", "age_group", "gender"]
    summed = nb.groupby(keys)["population"].sum()
    boroughs = pop[pop["layer"] == "borough"].set_index(keys)["population"]
    pd.testing.assert_series_equal(summed.sort_index(), boroughs.sort_index(), check_names=False)
    total = nb.groupby("year")["population"].sum()
    assert total[2018] == pytest.approx(250_000, rel=0.05)
    assert 1.0 < total[2024] / total[2018] < 1.1


def test_social_housing_sites(demo: DemoFiles) -> None:
    sites = gpd.read_file(demo.sites)
    assert sites.crs.to_epsg() == 4326 and (sites.geom_type == "Point").all()
    assert 250 <= len(sites) <= 350 and sites["site_id"].is_unique
    assert sites["site_id"].str.fullmatch(r"HLM-\d{3}").all()
    units = sites["logements"]
    assert units.dtype.kind == "i" and units.between(4, 400).all() and units.mean() > units.median()
    xy = shapely.get_coordinates(sites.to_crs(32188).geometry)
    assert shapely.contains_xy(build_demo_city().outline, xy[:, 0], xy[:, 1]).all()


def test_names_are_made_up(demo: DemoFiles) -> None:
    city = build_demo_city()
    names = [CITY_NAME, *city.boroughs["name"], *city.neighbourhoods["nom"]]
    names += [spot.name for spot in city.hotspots]
    names += [p["properties"]["nom"] for p in json.loads(demo.sites.read_text())["features"]]
    ours = [re.sub(r"[\s'’-]+", " ", n).casefold() for n in names]
    real = SHARED / "data" / "montreal-boundaries" / "limadmin.geojson"
    if real.exists():
        places = json.loads(real.read_text(encoding="utf-8"))["features"]
        for place in places:
            name = re.sub(r"[\s'’-]+", " ", place["properties"]["NOM"]).casefold()
            assert not any(name in mine for mine in ours), place["properties"]["NOM"]


def test_default_size_has_150000_incidents(tmp_path: Path) -> None:
    files = write_demo_files(tmp_path)
    with files.spvm_incidents.open(encoding="utf-8") as handle:
        assert sum(1 for _ in handle) == 1 + 120_000
    with files.ucr_incidents.open(encoding="utf-8-sig", newline="") as handle:
        assert sum(1 for _ in handle) == 1 + 30_000
