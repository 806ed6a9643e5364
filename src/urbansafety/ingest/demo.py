"""Write the input files of Valbrume, the fictional demo city, in the formats users import."""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import Transformer

from urbansafety import taxonomy
from urbansafety.ingest.demo_city import (
    CRS_MTM8,
    DemoCity,
    build_demo_city,
    population_table,
    social_housing_sites,
)
from urbansafety.ingest.demo_incidents import (
    SHIFTS,
    SPVM_CATEGORIES,
    UCR_SHARE,
    days_between,
    join_fields,
    persons_table,
    sample_spvm,
    sample_ucr,
)

SPVM_HEADER = "CATEGORIE,DATE,QUART,PDQ,X,Y,LONGITUDE,LATITUDE"
UCR_HEADER = "no_evenement;date_evenement;heure;code_infraction;x_mtm;y_mtm;pdq"
UCR_MAPPING = """\
# Correspondance des colonnes / column mapping — urbansafety
source = "demo-uc2"
key = "no_evenement"

[read]
delimiter = ";"

[columns]
date = "date_evenement"
time = "heure"
violation_code = "code_infraction"
x = "x_mtm"
y = "y_mtm"
district = "pdq"

[coordinates]
crs = "EPSG:32188"
"""
PERSONS_MAPPING = """\
source = "demo-uc2"

[columns]
incident_key = "no_evenement"
role = "role"
age = "age"
gender = "genre"

[roles]
"victime" = "victim"
"accusé" = "accused"
"""


@dataclass(frozen=True)
class DemoFiles:
    """Paths of the demo city's input files, one per format a user would import."""

    folder: Path
    boroughs: Path
    neighbourhoods: Path
    police_districts: Path
    population: Path
    spvm_incidents: Path
    ucr_incidents: Path
    ucr_mapping: Path
    persons: Path
    persons_mapping: Path
    sites: Path
    years: tuple[int, int]


def _spvm_text(city: DemoCity, rows: dict[str, np.ndarray], years: tuple[int, int]) -> str:
    """Return the SPVM CSV text; each row joins three small lookup tables (no per-row format)."""
    xy = city.intersections
    to_wgs84 = Transformer.from_crs(CRS_MTM8, "EPSG:4326", always_xy=True)
    lon, lat = to_wgs84.transform(xy[:, 0], xy[:, 1])
    pdq = city.districts["PDQ"].to_numpy()
    located = [
        f"{pdq[d]}.0,{x:.6f},{y:.6f},{lo:.6f},{la:.6f}"
        for d, x, y, lo, la in zip(city.district_of, xy[:, 0], xy[:, 1], lon, lat, strict=True)
    ]
    places = np.array(located + [f"{code}.0,,,," for code in pdq], dtype=object)
    district = city.district_of[rows["point"]]
    place = np.where(rows["located"], rows["point"], len(xy) + district)
    dates = np.datetime_as_string(days_between(years, 0), unit="D")
    date_shift = join_fields([np.repeat(dates, 3), np.tile(SHIFTS, len(dates))], ",")
    category = np.array(SPVM_CATEGORIES, dtype=object)[rows["category"]]
    lines = join_fields([category, date_shift[rows["day"] * 3 + rows["shift"]], places[place]], ",")
    return "\n".join([SPVM_HEADER, *lines.tolist()]) + "\n"


def _streams(seed: int) -> list[np.random.Generator]:
    # Independent streams: a seed's SPVM file does not depend on the UCR part, and vice versa.
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)]


def write_spvm_csv(
    path: Path,
    n_rows: int,
    *,
    seed: int = 2024,
    years: tuple[int, int] = (2018, 2024),
    encoding: str = "utf-8",
) -> Path:
    """Write n_rows of SPVM-format incidents on the demo city (benchmarks use 1,000,000 rows)."""
    path = Path(path)
    city = build_demo_city()
    rows = sample_spvm(city, n_rows, _streams(seed)[0], days_between(years, n_rows))
    path.write_bytes(_spvm_text(city, rows, years).encode(encoding))
    return path


def ucr2_violations() -> pd.DataFrame:
    """Return the package's UCR2 violation table (violation_code, category, group)."""
    rows = taxonomy.ucr2_violations().values()
    return pd.DataFrame(
        {
            "violation_code": [v.code for v in rows],
            "category": [v.category for v in rows],
            "group": [v.group for v in rows],
        }
    )


def _ucr_text(ucr: pd.DataFrame) -> str:
    x, y = (np.where(ucr[a].isna(), "", ucr[a].to_numpy().astype(str)) for a in ("x", "y"))
    fields = [ucr["no_evenement"], ucr["date"], ucr["time"], ucr["code"], x, y, ucr["pdq"]]
    lines = join_fields(fields, ";")
    return "\ufeff" + "\r\n".join([UCR_HEADER, *lines.tolist()]) + "\r\n"


def _persons_text(persons: pd.DataFrame) -> str:
    age = np.where(persons["age"] < 0, "", persons["age"].to_numpy().astype(str))
    lines = join_fields([persons["no_evenement"], persons["role"], age, persons["genre"]], ",")
    return "\n".join(["no_evenement,role,age,genre", *lines.tolist()]) + "\n"


def _geojson(frame: gpd.GeoDataFrame) -> str:
    """Return a WGS84 GeoJSON FeatureCollection, coordinates rounded to 7 decimals (1 cm)."""
    wgs84 = frame.to_crs("EPSG:4326")
    shapes = shapely.transform(wgs84.geometry.to_numpy(), lambda c: np.round(c, 7))
    records = wgs84.drop(columns=wgs84.geometry.name).to_dict(orient="records")
    features = [
        {"type": "Feature", "properties": {k: _plain(v) for k, v in r.items()},
         "geometry": shapely.geometry.mapping(s)}
        for r, s in zip(records, shapes, strict=True)
    ]  # fmt: skip
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


@contextmanager
def _gdal_date(stamp: str) -> Iterator[None]:
    """Pin the time GDAL writes into a GeoPackage, so one seed always gives the same bytes."""
    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": stamp})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": before})


def _write_shapefile_zip(path: Path, frame: gpd.GeoDataFrame, day: str) -> None:
    year, month, dom = (int(part) for part in day.split("-"))
    with tempfile.TemporaryDirectory() as tmp:
        options = {"ENCODING": "UTF-8", "DBF_DATE_LAST_UPDATE": day}
        pyogrio.write_dataframe(
            frame.to_crs("EPSG:4326"), Path(tmp) / "pdq.shp", layer_options=options
        )
        with zipfile.ZipFile(path, "w") as archive:
            for ext in ("shp", "shx", "dbf", "prj", "cpg"):
                info = zipfile.ZipInfo(f"pdq.{ext}", date_time=(year, month, dom, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, (Path(tmp) / f"pdq.{ext}").read_bytes())


def write_demo_files(
    folder: Path,
    *,
    seed: int = 2024,
    n_incidents: int = 150_000,
    years: tuple[int, int] = (2018, 2024),
) -> DemoFiles:
    """Write every demo input file into `folder` and return their paths.

    The territory, census and sites are always the same city; `seed` draws the incidents and
    persons. The SPVM file holds 80 % of `n_incidents`, the UCR2 table the other 20 %; the
    SPVM file equals ``write_spvm_csv(path, n_incidents - round(0.2 * n_incidents), seed=seed)``.
    """
    days = days_between(years, n_incidents)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    city = build_demo_city()
    files = DemoFiles(
        folder=folder,
        boroughs=folder / "boroughs.geojson",
        neighbourhoods=folder / "quartiers.gpkg",
        police_districts=folder / "pdq.zip",
        population=folder / "population.csv",
        spvm_incidents=folder / "actes-criminels.csv",
        ucr_incidents=folder / "infractions-uc2.csv",
        ucr_mapping=folder / "infractions-uc2.mapping.toml",
        persons=folder / "personnes.csv",
        persons_mapping=folder / "personnes.mapping.toml",
        sites=folder / "logements-sociaux.geojson",
        years=years,
    )
    last_day = f"{years[1]}-12-31"
    files.boroughs.write_text(_geojson(city.boroughs), encoding="utf-8")
    files.neighbourhoods.unlink(missing_ok=True)
    with _gdal_date(f"{last_day}T00:00:00.000Z"):
        pyogrio.write_dataframe(city.neighbourhoods, files.neighbourhoods, layer="quartiers")
    _write_shapefile_zip(files.police_districts, city.districts, last_day)
    population_table(city, years).to_csv(files.population, index=False, lineterminator="\n")
    files.sites.write_text(_geojson(social_housing_sites(city)), encoding="utf-8")

    spvm_rng, ucr_rng, persons_rng = _streams(seed)
    n_ucr = round(UCR_SHARE * n_incidents)
    spvm = sample_spvm(city, n_incidents - n_ucr, spvm_rng, days)
    files.spvm_incidents.write_bytes(_spvm_text(city, spvm, years).encode("utf-8"))
    ucr = sample_ucr(city, n_ucr, ucr_rng, days, ucr2_violations())
    files.ucr_incidents.write_bytes(_ucr_text(ucr).encode("utf-8"))
    files.persons.write_bytes(_persons_text(persons_table(ucr, persons_rng)).encode("utf-8"))
    files.ucr_mapping.write_bytes(UCR_MAPPING.encode("utf-8"))
    files.persons_mapping.write_bytes(PERSONS_MAPPING.encode("utf-8"))
    return files
