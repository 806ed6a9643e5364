"""Write the input files of Valbrume, the fictional demo city, in the formats users import."""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import Transformer

from urbansafety.errors import InputError
from urbansafety.i18n import N_
from urbansafety.ingest.demo_city import (
    COMPONENTS,
    CRS_MTM8,
    DemoCity,
    build_demo_city,
    population_table,
    social_housing_sites,
    weighted_draw,
)

SPVM_HEADER = "CATEGORIE,DATE,QUART,PDQ,X,Y,LONGITUDE,LATITUDE"
UCR_HEADER = "no_evenement;date_evenement;heure;code_infraction;x_mtm;y_mtm;pdq"
SHIFTS = ("jour", "soir", "nuit")
UCR_SHARE = 0.2  # of n_incidents; the SPVM file gets the rest
UNLOCATED, UNLOCATED_DOWNTOWN, UCR_UNLOCATED = 0.16, 0.35, 0.10
DUPLICATES = 0.006  # several reports of one event (a row of cars broken into) give identical rows
# How a place tilts the shift (jour, soir, nuit), in COMPONENTS order: bars at night, malls by day.
SHIFT_TILT = np.array([
    (1, 1, 1), (1, 1, 1), (0.95, 1.15, 1), (1, 1, 1), (1, 1.1, 1), (0.8, 1.2, 1.3), (0.5, 1.3, 2.2),
    (1.3, 0.9, 0.4), (0.8, 0.9, 1.8),
])  # fmt: skip
WEEKDAYS = {  # Monday … Sunday
    "flat": (1.0,) * 7,
    "workdays": (1.05, 1.05, 1.04, 1.04, 1.04, 0.92, 0.86),
    "weekend": (0.94, 0.92, 0.94, 0.96, 1.06, 1.16, 1.08),
}
# Relative weight of the commonest UCR2 codes; other codes of a category get UNLISTED_CODE.
CODE_WEIGHTS = {"1430": 20, "1420": 6, "1410": 0.6, "1460": 1, "1330": 10, "1610": 10,
                "1625": 10, "1627": 10, "1457": 3, "2160": 10, "2165": 3, "2166": 3,
                "3410": 10, "3520": 4, "4140": 4, "4120": 4, "4240": 2, "9230": 5}  # fmt: skip
UNLISTED_CODE = 0.3
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
class _Profile:
    """How one category of incident spreads over places, days, hours and persons."""

    name: str
    share: float
    trend: float  # yearly log-change
    season: tuple[float, float]  # peak month (1-12), relative amplitude
    weekdays: str
    mix: tuple[float, ...]  # weight of each of COMPONENTS
    shifts: tuple[float, float, float] = (0.51, 0.33, 0.16)
    hours: tuple[float, float] = (14, 5)  # peak hour, spread (h)
    accused: float = 0.0  # share of incidents with an accused person
    victim: tuple[float, ...] = (0, 0, 0, 0, 0)  # age: min, gamma shape, scale; child share; F
    offender: tuple[float, ...] = (12, 2.5, 8, 0.2)  # age: min, gamma shape, scale; F
    lockdown: float = 0.8  # level in spring 2020


SPVM = (
    _Profile("Introduction", 0.25, -0.04, (11, 0.10), "workdays",
             (0.60, 0.15, 0.04, 0.04, 0.01, 0, 0.02, 0.02, 0.12), (0.54, 0.30, 0.16)),
    _Profile("Méfait", 0.22, 0.01, (7.5, 0.15), "weekend",
             (0.47, 0.15, 0.07, 0.06, 0.05, 0.08, 0.07, 0.02, 0.03), (0.47, 0.36, 0.17)),
    _Profile("Vol dans / sur véhicule à moteur", 0.29, -0.01, (8, 0.17), "flat",
             (0.51, 0.10, 0.07, 0.05, 0.04, 0.03, 0.04, 0.08, 0.08), (0.57, 0.32, 0.11),
             lockdown=0.7),
    _Profile("Vol de véhicule à moteur", 0.18, 0.08, (11, 0.12), "flat",
             (0.51, 0.10, 0.03, 0.03, 0.03, 0, 0.02, 0.08, 0.20), (0.57, 0.30, 0.13)),
    _Profile("Vols qualifiés", 0.056, -0.02, (12, 0.14), "weekend",
             (0.27, 0.15, 0.14, 0.13, 0.14, 0.03, 0.10, 0.04, 0), (0.40, 0.40, 0.20),
             lockdown=0.6),
    _Profile("Infractions entrainant la mort", 0.001, 0.0, (7, 0.0), "weekend",
             (0.35, 0.25, 0.15, 0.05, 0.05, 0, 0.15, 0, 0), (0.30, 0.35, 0.35), lockdown=1.0),
)  # fmt: skip
SPVM_CATEGORIES = tuple(p.name for p in SPVM)
# Canonical categories (taxonomy/ucr2_violations.csv) of the crimes the SPVM file does not cover.
UCR = (
    _Profile("assault", 0.36, 0.03, (7, 0.12), "weekend",
             (0.30, 0.30, 0.10, 0.04, 0.06, 0.03, 0.15, 0.02, 0), hours=(22, 5), accused=0.68,
             victim=(3, 3, 10, 0.08, 0.45), offender=(12, 2.5, 8, 0.2)),
    _Profile("sexual_assault", 0.05, 0.06, (7, 0.10), "weekend",
             (0.45, 0.25, 0.08, 0.02, 0.05, 0.03, 0.12, 0, 0), hours=(23, 5), accused=0.45,
             victim=(14, 2, 9, 0.4, 0.86), offender=(12, 2.2, 12, 0.03)),
    _Profile("uttering_threats", 0.14, 0.03, (6, 0.05), "workdays",
             (0.45, 0.30, 0.08, 0.04, 0.05, 0.01, 0.05, 0.02, 0), accused=0.6,
             victim=(10, 3.5, 10, 0.05, 0.55), offender=(12, 2.5, 9, 0.18)),
    _Profile("criminal_harassment", 0.07, 0.05, (5, 0.05), "workdays",
             (0.55, 0.25, 0.08, 0.04, 0.04, 0.01, 0.02, 0.01, 0), hours=(13, 4.5), accused=0.55,
             victim=(14, 3, 9, 0.03, 0.76), offender=(12, 3, 9, 0.2)),
    _Profile("intimate_images", 0.015, 0.20, (1.5, 0.15), "flat",
             (0.60, 0.25, 0.05, 0.02, 0.05, 0, 0.03, 0, 0), hours=(17, 4), accused=0.5,
             victim=(12, 2.2, 3, 0, 0.82), offender=(12, 1.3, 5, 0.25)),
    _Profile("robbery", 0.03, -0.02, (12, 0.14), "weekend",
             (0.20, 0.20, 0.18, 0.12, 0.14, 0.03, 0.10, 0.03, 0), hours=(21, 4), accused=0.3,
             victim=(12, 2, 11, 0.1, 0.35), offender=(12, 1.6, 7, 0.1), lockdown=0.6),
    _Profile("other_person", 0.01, 0.04, (7, 0.10), "weekend",
             (0.25, 0.35, 0.10, 0.03, 0.08, 0.03, 0.16, 0, 0), hours=(22, 4), accused=0.5,
             victim=(12, 2.5, 9, 0.03, 0.3), offender=(14, 2, 7, 0.05)),
    _Profile("attempted_murder", 0.002, 0.0, (7, 0.10), "weekend",
             (0.30, 0.35, 0.08, 0.03, 0.06, 0.02, 0.16, 0, 0), hours=(23, 4), accused=0.6,
             victim=(14, 2.5, 9, 0.02, 0.3), offender=(14, 2, 7, 0.05)),
    _Profile("kidnapping", 0.006, 0.02, (7, 0.05), "flat",
             (0.55, 0.30, 0.05, 0.02, 0.04, 0.01, 0.03, 0, 0), hours=(20, 5), accused=0.75,
             victim=(10, 2.5, 9, 0.1, 0.7), offender=(14, 2.5, 8, 0.1)),
    _Profile("weapons", 0.04, 0.05, (7, 0.12), "weekend",
             (0.20, 0.35, 0.12, 0.03, 0.10, 0.03, 0.17, 0, 0), hours=(23, 4), accused=0.9,
             offender=(12, 2, 8, 0.08)),
    _Profile("fraud", 0.15, 0.08, (12, 0.06), "workdays",
             (0.55, 0.10, 0.12, 0.10, 0.02, 0, 0.01, 0.10, 0), hours=(11.5, 3.5), accused=0.12,
             offender=(14, 3, 9, 0.35), lockdown=1.0),
    _Profile("drugs", 0.06, -0.10, (7, 0.10), "weekend",
             (0.15, 0.35, 0.15, 0.05, 0.12, 0.08, 0.10, 0, 0), hours=(17, 4), accused=0.97,
             offender=(12, 2, 8, 0.15)),
    _Profile("traffic", 0.07, -0.03, (12, 0.12), "weekend",
             (0.35, 0.10, 0.10, 0.20, 0.05, 0, 0.15, 0.05, 0), hours=(1, 3), accused=0.98,
             offender=(16, 3, 10, 0.2)),
    _Profile("administration_of_justice", 0.04, 0.0, (1, 0.0), "workdays",
             (0.35, 0.40, 0.10, 0.03, 0.05, 0.02, 0.05, 0, 0), accused=1.0,
             offender=(12, 2.5, 8, 0.15), lockdown=1.0),
)  # fmt: skip


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


def _days(years: tuple[int, int], n: int) -> np.ndarray:
    """Return every day of the years (inclusive), after checking the arguments."""
    if n < 0 or not 1900 < years[0] <= years[1] < 2200:
        raise InputError(
            N_("Cannot generate %(n)s demo incidents over the years %(years)s."),
            hint=N_("Give a count of 0 or more and years (first, last) with first <= last."),
            params={"n": n, "years": f"{years[0]}-{years[1]}"},
        )
    return np.arange(np.datetime64(f"{years[0]}-01-01"), np.datetime64(f"{years[1] + 1}-01-01"))


def _draw_rows(rng: np.random.Generator, probs: np.ndarray, which: np.ndarray) -> np.ndarray:
    """Return one index per row, row i drawn from the distribution probs[which[i]]."""
    cdf = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    return (rng.random(len(which))[:, None] >= cdf[which, :-1]).sum(axis=1)


def _draw_days(
    rng: np.random.Generator, days: np.ndarray, cat: np.ndarray, profiles: tuple[_Profile, ...]
) -> np.ndarray:
    """Return a day index per row following its category's trend, season and weekdays."""
    year = days.astype("datetime64[Y]").astype(int)
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    weekday = (days.astype(int) + 3) % 7  # 1970-01-01 was a Thursday
    lockdown = (days >= np.datetime64("2020-03-15")) & (days < np.datetime64("2020-07-01"))
    out = np.empty(len(cat), dtype=np.int64)
    for c, p in enumerate(profiles):
        peak, amplitude = p.season
        w = np.exp(p.trend * (year - year[0])) * np.take(WEEKDAYS[p.weekdays], weekday)
        w = w * (1 + amplitude * np.cos(2 * np.pi * (month - peak) / 12))
        rows = np.flatnonzero(cat == c)
        out[rows] = weighted_draw(rng, np.where(lockdown, p.lockdown * w, w), len(rows))
    return out


def sample_spvm(
    city: DemoCity, n: int, rng: np.random.Generator, days: np.ndarray
) -> dict[str, np.ndarray]:
    """Return SPVM rows as index arrays: category, day, shift, point, and a located flag."""
    cat = weighted_draw(rng, np.array([p.share for p in SPVM]), n)
    comp = _draw_rows(rng, np.array([p.mix for p in SPVM]), cat)
    point = city.draw_points(rng, comp)
    day = _draw_days(rng, days, cat, SPVM)
    tilt = np.array([p.shifts for p in SPVM])[:, None, :] * SHIFT_TILT[None, :, :]
    shift = _draw_rows(rng, tilt.reshape(-1, 3), cat * len(COMPONENTS) + comp)
    # Unlocated rows keep their PDQ; far more of them downtown (district 0), as in the City's file.
    downtown = city.district_of[point] == 0
    central = downtown.mean() if n else 0.0
    elsewhere = (UNLOCATED - UNLOCATED_DOWNTOWN * central) / max(1 - central, 1e-9)
    located = rng.random(n) >= np.where(downtown, UNLOCATED_DOWNTOWN, np.clip(elsewhere, 0.02, 0.3))
    rows = {"category": cat, "day": day, "shift": shift, "point": point, "located": located}
    target, source = rng.integers(0, n, (2, round(DUPLICATES * n)))
    for values in rows.values():
        values[target] = values[source]
    return rows


def sample_ucr(
    city: DemoCity, n: int, rng: np.random.Generator, days: np.ndarray, violations: pd.DataFrame
) -> pd.DataFrame:
    """Return UCR2 incidents (no_evenement, date, time, code, x, y, pdq, category) by id."""
    profiles = tuple(p for p in UCR if p.name in set(violations["category"]))
    if not profiles:
        raise InputError(
            N_("The UCR2 table has none of the categories the demo draws from."),
            hint=N_("Check the category column of taxonomy/ucr2_violations.csv."),
        )
    cat = weighted_draw(rng, np.array([p.share for p in profiles]), n)
    point = city.draw_points(rng, _draw_rows(rng, np.array([p.mix for p in profiles]), cat))
    day = _draw_days(rng, days, cat, profiles)
    minute = np.empty(n, dtype=np.int64)
    code = np.empty(n, dtype=object)
    for c, p in enumerate(profiles):
        rows = np.flatnonzero(cat == c)
        gap = np.abs((np.arange(24) - p.hours[0] + 12) % 24 - 12)  # hours from the peak
        hour_weight = 0.08 + np.exp(-(gap**2) / (2 * p.hours[1] ** 2))
        minute[rows] = 60 * weighted_draw(rng, hour_weight, len(rows))
        codes = violations.loc[violations["category"] == p.name, "violation_code"].to_numpy()
        weights = np.array([CODE_WEIGHTS.get(k, UNLISTED_CODE) for k in codes])
        code[rows] = codes[weighted_draw(rng, weights, len(rows))]
    # Reported times heap on the quarter hours; an unknown time is written 00:00 (often fraud).
    heaped = rng.random(n) < 0.45
    minute += np.where(heaped, rng.choice([0, 0, 0, 30, 15, 45], n), rng.integers(0, 60, n))
    is_fraud = np.array([p.name == "fraud" for p in profiles])[cat]
    minute[rng.random(n) < np.where(is_fraud, 0.25, 0.02)] = 0
    xy = np.round(city.intersections[point] + rng.uniform(-50, 50, (n, 2)), 1)  # address points
    outside = ~shapely.contains_xy(city.outline, xy[:, 0], xy[:, 1])
    xy[outside] = np.round(city.intersections[point[outside]], 1)
    district = city.district_of[point].copy()
    for d, shape in enumerate(city.districts.geometry):
        district[shapely.contains_xy(shape, xy[:, 0], xy[:, 1])] = d
    xy[rng.random(n) < UCR_UNLOCATED] = np.nan
    order = np.lexsort((minute, day))
    date = days[day[order]]
    year = date.astype("datetime64[Y]").astype(int) + 1970
    # Event numbers run through the year; other files' events fall in the gaps.
    number = np.cumsum(rng.integers(1, 9, n))
    first = np.searchsorted(year, year)
    number = number - number[first] + rng.integers(1, 9, n)[first]
    hhmm = [_pad(v, 2) for v in divmod(minute[order], 60)]
    return pd.DataFrame({
        "no_evenement": _join([year.astype(str), _pad(number, 6)], "-"),
        "date": np.datetime_as_string(date, unit="D"), "time": _join(hhmm, ":"),
        "code": code[order], "x": xy[order, 0], "y": xy[order, 1],
        "pdq": city.districts["PDQ"].to_numpy()[district[order]],
        "category": np.array([p.name for p in profiles])[cat[order]],
    })  # fmt: skip


def persons_table(ucr: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Return the victims and accused of the UCR incidents (no_evenement, role, age, genre)."""
    cat = pd.Categorical(ucr["category"], categories=[p.name for p in UCR]).codes
    n = len(cat)
    victim = np.array([p.victim for p in UCR])[cat]
    offender = np.array([p.offender for p in UCR])[cat]
    # About 1.1 victims per crime against the person; an accused for about 60 % of incidents.
    n_victims = (victim[:, 1] > 0) * (1 + (rng.random(n) < 0.085) + (rng.random(n) < 0.015))
    charged = rng.random(n) < np.array([p.accused for p in UCR])[cat]
    n_accused = charged * (1 + (rng.random(n) < 0.12) + (rng.random(n) < 0.03))
    incident = np.repeat(np.tile(np.arange(n), 2), np.concatenate([n_victims, n_accused]))
    accused = np.repeat([False, True], [n_victims.sum(), n_accused.sum()])
    m = len(incident)
    params = np.where(accused[:, None], offender[incident, :3], victim[incident, :3])
    age = params[:, 0] + rng.gamma(np.maximum(params[:, 1], 0.1), np.maximum(params[:, 2], 0.1))
    child = ~accused & (rng.random(m) < victim[incident, 3])
    age = np.where(child, rng.integers(2, 18, m), np.minimum(age, 95)).astype(int)
    age[rng.random(m) < np.where(accused, 0.06, 0.03)] = -1
    p_female = np.where(accused, offender[incident, 3], victim[incident, 4])
    genre = np.where(rng.random(m) < p_female, "F", "M").astype(object)
    genre[rng.random(m) < 0.004] = "X"
    genre[rng.random(m) < 0.015] = ""
    order = np.lexsort((accused, incident))
    return pd.DataFrame({
        "no_evenement": ucr["no_evenement"].to_numpy()[incident[order]],
        "role": np.where(accused[order], "accusé", "victime"), "age": age[order],
        "genre": genre[order],
    })  # fmt: skip


def _join(fields: list, sep: str) -> np.ndarray:
    """Return the element-wise join of string columns with `sep` (object arrays add quickly)."""
    out = np.asarray(fields[0], dtype=object)
    for field in fields[1:]:
        out = out + sep + np.asarray(field, dtype=object)
    return out


def _pad(values: np.ndarray, width: int) -> np.ndarray:
    """Return integers as zero-padded text (np.char.zfill fails on an empty array)."""
    text = values.astype(str)
    return np.char.zfill(text, width) if len(text) else text


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
    dates = np.datetime_as_string(_days(years, 0), unit="D")
    date_shift = _join([np.repeat(dates, 3), np.tile(SHIFTS, len(dates))], ",")
    category = np.array(SPVM_CATEGORIES, dtype=object)[rows["category"]]
    lines = _join([category, date_shift[rows["day"] * 3 + rows["shift"]], places[place]], ",")
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
    rows = sample_spvm(city, n_rows, _streams(seed)[0], _days(years, n_rows))
    path.write_bytes(_spvm_text(city, rows, years).encode(encoding))
    return path


def ucr2_violations() -> pd.DataFrame:
    """Return the package's UCR2 violation table, violation_code as 4-character text."""
    ref = resources.files("urbansafety.taxonomy") / "ucr2_violations.csv"
    with ref.open("r", encoding="utf-8-sig") as handle:
        return pd.read_csv(handle, dtype={"violation_code": str}, keep_default_na=False)


def _ucr_text(ucr: pd.DataFrame) -> str:
    x, y = (np.where(ucr[a].isna(), "", ucr[a].to_numpy().astype(str)) for a in ("x", "y"))
    fields = [ucr["no_evenement"], ucr["date"], ucr["time"], ucr["code"], x, y, ucr["pdq"]]
    lines = _join(fields, ";")
    return "\ufeff" + "\r\n".join([UCR_HEADER, *lines.tolist()]) + "\r\n"


def _persons_text(persons: pd.DataFrame) -> str:
    age = np.where(persons["age"] < 0, "", persons["age"].to_numpy().astype(str))
    lines = _join([persons["no_evenement"], persons["role"], age, persons["genre"]], ",")
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
    days = _days(years, n_incidents)
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
