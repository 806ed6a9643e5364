"""Incidents by territory × year × category: the engine's result against an independent pandas
computation, and the same result on DuckDB and on Spark."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from urbansafety.analysis.counts import UNASSIGNED, incident_counts
from urbansafety.engine import open_engine
from urbansafety.workspace import Workspace

KEY = ["territory", "year", "crime_group", "category"]


def pandas_counts(ws: Workspace, layer: str) -> pd.DataFrame:
    """The independent computation: read the raw rows and group with pandas."""
    with duckdb.connect(str(ws.store_path), read_only=True) as con:
        rows = con.sql(
            f'SELECT "{layer}" AS territory, year, crime_group, category, location_quality '
            "FROM incidents"
        ).df()
    rows["territory"] = rows["territory"].fillna(UNASSIGNED)
    rows["unknown"] = (rows["location_quality"] == "unknown").astype("int64")
    out = (
        rows.groupby(KEY)
        .agg(incidents=("year", "size"), unlocated=("unknown", "sum"))
        .reset_index()
    )
    out["year"] = out["year"].astype("int64")
    return out.sort_values(KEY).reset_index(drop=True)


@pytest.mark.parametrize("layer", ["borough", "neighbourhood", "pdq"])
def test_counts_match_pandas(demo_ws: Workspace, layer: str) -> None:
    with open_engine(demo_ws) as engine:
        got = incident_counts(engine.table("incidents"), layer)
    expected = pandas_counts(demo_ws, layer)
    pd.testing.assert_frame_equal(
        got.sort_values(KEY).reset_index(drop=True), expected, check_dtype=False
    )
    assert got["incidents"].sum() == 8_000  # nobody is dropped, unknown locations included
    if layer == "pdq":
        # The police-district attribute places every unlocated incident of the demo.
        assert UNASSIGNED not in set(got["territory"])


@pytest.mark.spark
def test_duckdb_and_spark_give_identical_results(demo_ws: Workspace, tmp_path: Path) -> None:
    if shutil.which("java") is None:
        raise AssertionError("Java 17 is needed for the Spark engine (make test installs it)")
    with open_engine(demo_ws, "duckdb") as engine:
        on_duckdb = incident_counts(engine.table("incidents"), "neighbourhood")
    with open_engine(demo_ws, "spark") as engine:
        on_spark = incident_counts(engine.table("incidents"), "neighbourhood")
    pd.testing.assert_frame_equal(
        on_duckdb.sort_values(KEY).reset_index(drop=True),
        on_spark.sort_values(KEY).reset_index(drop=True),
        check_dtype=False,
    )
    assert len(on_spark) > 100
