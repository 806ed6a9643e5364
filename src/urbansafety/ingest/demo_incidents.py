"""Simulated incidents and persons of the demo city: categories, seasons, hours, hot spots."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from urbansafety.errors import InputError
from urbansafety.i18n import N_
from urbansafety.ingest.demo_city import COMPONENTS, DemoCity, weighted_draw

SHIFTS = ("jour", "soir", "nuit")
UCR_SHARE = 0.2  # of n_incidents; the SPVM file gets the rest
UNLOCATED, UNLOCATED_DOWNTOWN, UCR_UNLOCATED = 0.16, 0.35, 0.10
DUPLICATES = 0.006  # several reports of one event (a row of cars broken into) give identical rows
# Near repeats: a share of break-ins follow an earlier one within a few days at the same or a
# nearby intersection (Johnson et al. 2007), so the demo's Knox test has something to find.
NEAR_REPEAT_SHARE, NEAR_REPEAT_DAYS, NEAR_REPEAT_POINTS = 0.15, 7, 5
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


def days_between(years: tuple[int, int], n: int) -> np.ndarray:
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


def _drawdays_between(
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
    day = _drawdays_between(rng, days, cat, SPVM)
    tilt = np.array([p.shifts for p in SPVM])[:, None, :] * SHIFT_TILT[None, :, :]
    shift = _draw_rows(rng, tilt.reshape(-1, 3), cat * len(COMPONENTS) + comp)
    # Unlocated rows keep their PDQ; far more of them downtown (district 0), as in the City's file.
    downtown = city.district_of[point] == 0
    central = downtown.mean() if n else 0.0
    elsewhere = (UNLOCATED - UNLOCATED_DOWNTOWN * central) / max(1 - central, 1e-9)
    located = rng.random(n) >= np.where(downtown, UNLOCATED_DOWNTOWN, np.clip(elsewhere, 0.02, 0.3))
    _near_repeats(city, rng, cat, day, point, len(days))
    rows = {"category": cat, "day": day, "shift": shift, "point": point, "located": located}
    target, source = rng.integers(0, n, (2, round(DUPLICATES * n)))
    for values in rows.values():
        values[target] = values[source]
    return rows


def _near_repeats(
    city: DemoCity,
    rng: np.random.Generator,
    cat: np.ndarray,
    day: np.ndarray,
    point: np.ndarray,
    n_days: int,
) -> None:
    """Move a share of break-ins next to an earlier break-in, a few days later (in place)."""
    from scipy.spatial import cKDTree

    rows = np.flatnonzero(cat == 0)  # SPVM[0] is "Introduction" (break and enter)
    n = round(NEAR_REPEAT_SHARE * len(rows))
    if n == 0 or len(rows) < 2:
        return
    follow, lead = rng.choice(rows, n, replace=False), rng.choice(rows, n)
    _, near = cKDTree(city.intersections).query(
        city.intersections[point[lead]], k=NEAR_REPEAT_POINTS
    )
    near = np.atleast_2d(near)
    point[follow] = near[np.arange(n), rng.integers(0, near.shape[1], n)]
    day[follow] = np.minimum(day[lead] + rng.integers(0, NEAR_REPEAT_DAYS + 1, n), n_days - 1)


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
    day = _drawdays_between(rng, days, cat, profiles)
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
    hhmm = [pad_left(v, 2) for v in divmod(minute[order], 60)]
    return pd.DataFrame({
        "no_evenement": join_fields([year.astype(str), pad_left(number, 6)], "-"),
        "date": np.datetime_as_string(date, unit="D"), "time": join_fields(hhmm, ":"),
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


def join_fields(fields: list, sep: str) -> np.ndarray:
    """Return the element-wise join of string columns with `sep` (object arrays add quickly)."""
    out = np.asarray(fields[0], dtype=object)
    for field in fields[1:]:
        out = out + sep + np.asarray(field, dtype=object)
    return out


def pad_left(values: np.ndarray, width: int) -> np.ndarray:
    """Return integers as zero-padded text (np.char.zfill fails on an empty array)."""
    text = values.astype(str)
    return np.char.zfill(text, width) if len(text) else text
