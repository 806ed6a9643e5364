"""The crime portrait, every table recomputed independently with pandas on the stored rows."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from urbansafety.analysis.persons import persons_by_age_gender
from urbansafety.analysis.portrait import Portrait, Scope, portrait
from urbansafety.analysis.rates import location_quotient, trend_test
from urbansafety.analysis.sites import site_points_table, site_portrait, top_share
from urbansafety.engine import open_engine
from urbansafety.workspace import Workspace


def raw(ws: Workspace, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(ws.store_path), read_only=True) as con:
        return con.sql(sql).df()


def run(
    ws: Workspace, scope: Scope, reference: Scope | None = None, engine: str = "duckdb"
) -> Portrait:
    with open_engine(ws, engine) as e:
        return portrait(
            e.table("incidents"),
            e.table("population"),
            e.table("territories"),
            scope,
            reference=reference,
        )


@pytest.fixture(scope="module")
def rows(demo_ws: Workspace) -> pd.DataFrame:
    return raw(demo_ws, "SELECT * FROM incidents")


@pytest.fixture(scope="module")
def pop(demo_ws: Workspace) -> pd.DataFrame:
    return raw(
        demo_ws,
        "SELECT layer, code, year, sum(population) AS population FROM population GROUP BY ALL",
    )


def test_city_yearly_counts_rates_and_changes(
    demo_ws: Workspace, rows: pd.DataFrame, pop: pd.DataFrame
) -> None:
    p = run(demo_ws, Scope())
    counts = rows.groupby("year").size()
    # The whole city's population: the borough layer (a full partition) summed by year.
    city = pop[pop.layer == "borough"].groupby("year")["population"].sum()
    assert p.yearly["year"].tolist() == counts.index.tolist()
    assert p.yearly["incidents"].tolist() == counts.tolist()
    assert_allclose(p.yearly["population"], city.loc[counts.index])
    assert_allclose(p.yearly["rate"], counts / city.loc[counts.index] * 1000)
    yoy = counts.pct_change() * 100
    assert_allclose(p.yearly["change_pct"].iloc[1:], yoy.iloc[1:])
    assert p.summary["incidents"] == len(rows)
    assert p.summary["change_first_last_pct"] == pytest.approx(
        (counts.iloc[-1] / counts.iloc[0] - 1) * 100
    )
    assert p.summary["unlocated"] == (rows.location_quality == "unknown").sum()


def test_breakdowns_match_pandas(demo_ws: Workspace, rows: pd.DataFrame) -> None:
    p = run(demo_ws, Scope(first_year=2019, last_year=2022))
    sub = rows[(rows.year >= 2019) & (rows.year <= 2022)]
    group = sub.groupby(["crime_group", "year"]).size()
    got = p.by_group.set_index(["crime_group", "year"])["incidents"]
    assert got[got > 0].sort_index().to_dict() == group.sort_index().to_dict()
    cat = sub.groupby("category").size()
    assert p.by_category.groupby("category")["incidents"].sum().to_dict() == cat.to_dict()
    assert (
        p.by_shift.set_index("shift")["incidents"].to_dict()
        == sub.dropna(subset=["shift"]).groupby("shift").size().to_dict()
    )
    assert (
        p.by_month.set_index("month")["incidents"].to_dict()
        == sub.groupby("month").size().to_dict()
    )
    timed = sub.dropna(subset=["occurred_at"])
    expected = timed.groupby([timed.occurred_at.dt.day_of_week, timed.occurred_at.dt.hour]).size()
    got_dh = p.day_hour.set_index(["day", "hour"])["incidents"]
    assert got_dh.to_dict() == {(int(d), int(h)): int(n) for (d, h), n in expected.items()}
    assert p.years == [2019, 2020, 2021, 2022]


def test_borough_ranking_comparison_and_quotients(
    demo_ws: Workspace, rows: pd.DataFrame, pop: pd.DataFrame
) -> None:
    p = run(demo_ws, Scope(layer="borough", code="B1"), reference=Scope())
    b1 = rows[rows.borough == "B1"]
    assert p.summary["incidents"] == len(b1)
    hoods = b1.groupby("neighbourhood").size()
    ranking = p.ranking.set_index("code")
    assert ranking["incidents"].to_dict() == hoods.to_dict()
    hood_pop = pop[pop.layer == "neighbourhood"].groupby("code")["population"].mean()
    assert_allclose(ranking["rate"], hoods / len(p.years) / hood_pop.loc[ranking.index] * 1000)
    assert ranking["rate"].is_monotonic_decreasing
    lq = (b1.groupby("category").size() / len(b1)) / (rows.groupby("category").size() / len(rows))
    got = p.quotients.set_index("category")["location_quotient"]
    assert_allclose(got.sort_index(), lq.loc[got.index].sort_index())
    city_rate = (
        rows.groupby("year").size()
        / pop[pop.layer == "borough"].groupby("year")["population"].sum()
        * 1000
    )
    assert_allclose(p.comparison["rate_reference"], city_rate.loc[p.comparison["year"]])


def test_theme_filters_categories_and_codes(demo_ws: Workspace, rows: pd.DataFrame) -> None:
    p = run(demo_ws, Scope(categories=("assault",), violation_codes=("1625",), theme="violence"))
    expected = rows[(rows.category == "assault") | (rows.violation_code == "1625")]
    assert p.summary["incidents"] == len(expected) > 0


def test_persons_by_age_and_gender(demo_ws: Workspace) -> None:
    with open_engine(demo_ws) as e:
        got = persons_by_age_gender(e.table("persons"), e.table("incidents"))
    people = raw(
        demo_ws, "SELECT p.*, i.category FROM persons p JOIN incidents i USING (incident_id)"
    )
    bins = pd.cut(
        people.age,
        [0, 12, 18, 25, 35, 45, 55, 65, 200],
        right=False,
        labels=["0-11", "12-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"],
    )
    people["age_group"] = bins.astype(object).where(bins.notna(), "unknown")
    people["gender"] = people.gender.fillna("unknown")
    expected = people.groupby(["role", "category", "age_group", "gender"]).size()
    assert (
        got.set_index(["role", "category", "age_group", "gender"])["persons"].sort_index().to_dict()
        == expected.sort_index().to_dict()
    )


def test_site_portrait_against_brute_force(demo_ws: Workspace, rows: pd.DataFrame) -> None:
    with open_engine(demo_ws) as e:
        points = site_points_table(e.table("incidents")).to_pandas()
        sites = e.table("sites").to_pandas()
    sp = site_portrait(sites, points, territory_total=len(rows), radius_m=150)
    located = rows[rows.location_quality == "located"]
    xy = located[["x", "y"]].to_numpy()
    for _, site in sites.sample(25, random_state=1).iterrows():
        near = np.hypot(xy[:, 0] - site.x, xy[:, 1] - site.y) <= 150
        got = sp.sites.set_index("site_id").loc[site.site_id]
        assert got["incidents"] == near.sum()
        assert (
            got["incidents_person"] == (near & (located.crime_group == "person").to_numpy()).sum()
        )
    assert sp.sites["rank"].tolist() == list(range(1, len(sites) + 1))
    assert sp.concentration["top10_share_pct"] == pytest.approx(
        top_share(sp.sites["incidents"].to_numpy(), 0.1)
    )


def test_rates_helpers() -> None:
    assert top_share(np.array([10, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 0.1) == 100.0
    lq = location_quotient(pd.Series({"a": 10, "b": 30}), pd.Series({"a": 100, "b": 100}))
    assert_allclose(lq.to_numpy(), [0.5, 1.5])
    # A doubling of counts at constant population over 5 years: about +18.9 % a year.
    years = np.arange(2018, 2023)
    counts = np.round(100 * 2 ** ((years - 2018) / 4))
    t = trend_test(years, counts, np.full(5, 10_000))
    assert t.method in ("poisson", "quasi-poisson") and t.annual_change_pct == pytest.approx(
        18.9, abs=0.5
    )
    assert t.p_value < 0.01
    flat = trend_test(years, np.array([50, 52, 49, 51, 50]))
    assert flat.method == "mann-kendall" and flat.p_value > 0.3


@pytest.mark.spark
def test_portrait_same_on_spark(demo_ws: Workspace) -> None:
    a = run(demo_ws, Scope(layer="borough", code="B2"), reference=Scope())
    b = run(demo_ws, Scope(layer="borough", code="B2"), reference=Scope(), engine="spark")
    for name in (
        "yearly",
        "by_group",
        "by_category",
        "by_shift",
        "by_month",
        "day_hour",
        "ranking",
        "comparison",
        "quotients",
    ):
        left, right = getattr(a, name), getattr(b, name)
        keys = [
            c
            for c in left.columns
            if left[c].dtype == object or c in ("year", "month", "day", "hour")
        ]
        pd.testing.assert_frame_equal(
            left.sort_values(keys).reset_index(drop=True),
            right.sort_values(keys).reset_index(drop=True),
            check_dtype=False,
        )


def test_polygon_sites_count_incidents_inside() -> None:
    import shapely

    square = shapely.box(0, 0, 100, 100)
    sites = pd.DataFrame(
        {
            "site_id": ["P", "Q"],
            "name": ["Parc", "Quai"],
            "x": [50.0, 500.0],
            "y": [50.0, 500.0],
            "attributes": ["{}", "{}"],
            "area": [shapely.to_wkb(square), None],
        }
    )
    points = pd.DataFrame(
        {
            "x": [10.0, 100.0, 150.0, 500.0],
            "y": [10.0, 50.0, 50.0, 500.0],
            "year": [2020, 2020, 2021, 2021],
            "crime_group": ["person", "property", "other", "other"],
            "incidents": [3, 2, 4, 7],
        }
    )
    sp = site_portrait(sites, points, territory_total=16, radius_m=100)
    got = sp.sites.set_index("site_id")
    assert (
        got.loc["P", "incidents_inside"] == 5
    )  # 3 inside + 2 on the border, not the 4 at 150 m east
    assert got.loc["P", "incidents"] == 9  # within 100 m of the centre: (10,10), (100,50), (150,50)
    assert np.isnan(got.loc["Q", "incidents_inside"]) and got.loc["Q", "incidents"] == 7
