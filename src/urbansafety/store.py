"""The workspace store: one DuckDB file holding the canonical tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from urbansafety.errors import InputError, Where
from urbansafety.i18n import N_

STORE_NAME = "store.duckdb"

# Columns every incident has; territory layers add one VARCHAR column each, named for the layer.
INCIDENT_COLUMNS: dict[str, str] = {
    # source:key where the source declares a key, else source:file hash:row. Computed when read
    # (a virtual column): a million ids are not written, yet each stays stable for its file.
    "incident_id": "VARCHAR GENERATED ALWAYS AS (source || ':' || coalesce(source_key, "
    "file_tag || ':' || CAST(source_row AS VARCHAR))) VIRTUAL",
    "source": "VARCHAR NOT NULL",
    "file_tag": "VARCHAR",
    "source_row": "BIGINT NOT NULL",
    "source_key": "VARCHAR",
    "occurred_on": "DATE NOT NULL",
    "occurred_at": "TIMESTAMP",
    # Derived when read (virtual): nothing to write, always consistent with occurred_on.
    "year": "SMALLINT GENERATED ALWAYS AS (CAST(year(occurred_on) AS SMALLINT)) VIRTUAL",
    "month": "TINYINT GENERATED ALWAYS AS (CAST(month(occurred_on) AS TINYINT)) VIRTUAL",
    "shift": "VARCHAR",
    "category": "VARCHAR NOT NULL",
    "crime_group": "VARCHAR NOT NULL",
    "source_category": "VARCHAR",
    "violation_code": "VARCHAR",
    "district": "VARCHAR",
    "lon": "DOUBLE",
    "lat": "DOUBLE",
    "x": "DOUBLE",
    "y": "DOUBLE",
    "location_issue": "VARCHAR",  # missing / placeholder / outside the territory; NULL if located
    "location_quality": "VARCHAR GENERATED ALWAYS AS "
    "(CASE WHEN location_issue IS NULL THEN 'located' ELSE 'unknown' END) VIRTUAL",
    "grid_cell": "VARCHAR",
    "h3_cell": "VARCHAR",
    "import_id": "VARCHAR NOT NULL",
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS imports (
    import_id VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL,
    encoding VARCHAR,
    rows_read BIGINT NOT NULL,
    rows_accepted BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    rows_unlocated BIGINT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    replaces VARCHAR
);
CREATE TABLE IF NOT EXISTS rejects (
    import_id VARCHAR NOT NULL,
    "row" BIGINT,
    "column" VARCHAR,
    value VARCHAR,
    reason VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS incidents ({incident_columns});
CREATE TABLE IF NOT EXISTS persons (
    incident_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,
    role VARCHAR NOT NULL,
    age SMALLINT,
    gender VARCHAR,
    import_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS territories (
    layer VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    name VARCHAR,
    parent_code VARCHAR,
    geometry BLOB NOT NULL,
    geometry_wgs84 BLOB NOT NULL,
    area_km2 DOUBLE NOT NULL,
    import_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS population (
    layer VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    year SMALLINT NOT NULL,
    age_group VARCHAR,
    gender VARCHAR,
    population BIGINT NOT NULL,
    import_id VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS sites (
    layer VARCHAR NOT NULL,
    site_id VARCHAR NOT NULL,
    name VARCHAR,
    x DOUBLE NOT NULL,
    y DOUBLE NOT NULL,
    lon DOUBLE NOT NULL,
    lat DOUBLE NOT NULL,
    attributes JSON,
    area BLOB,  -- the site's polygon (WKB, workspace CRS) when the file gave one
    import_id VARCHAR NOT NULL
);
"""

# Survey responses (urbansafety.survey.responses): cleaned answers as JSON, one row per response.
SURVEY_RESPONSES = """
CREATE TABLE IF NOT EXISTS survey_responses (
    survey VARCHAR NOT NULL,
    response_id VARCHAR NOT NULL,
    submitted_at TIMESTAMP,
    language VARCHAR,
    source VARCHAR NOT NULL,
    answers JSON NOT NULL,
    import_id VARCHAR NOT NULL
);
"""

# A survey's title in each language, shown at the head of its report (the web campaign's title,
# or the questionnaire's for a CSV import); the report falls back to the survey's name.
SURVEY_TITLES = """
CREATE TABLE IF NOT EXISTS survey_titles (
    survey VARCHAR PRIMARY KEY,
    title_fr VARCHAR NOT NULL,
    title_en VARCHAR NOT NULL
);
"""

# The crime-data tables every store has (survey_responses is created when first written).
TABLES = ("incidents", "persons", "territories", "population", "sites", "imports", "rejects")


def create_store(path: Path) -> None:
    """Create the store's tables at path (a no-op for tables that exist)."""
    columns = ", ".join(f"{name} {kind}" for name, kind in INCIDENT_COLUMNS.items())
    with duckdb.connect(str(path)) as con:
        con.execute(SCHEMA.format(incident_columns=columns))
        con.execute(SURVEY_RESPONSES)
        con.execute(SURVEY_TITLES)


@contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a DuckDB connection to the store; raise InputError if it cannot be opened."""
    if not path.exists():
        raise InputError(
            N_("No store in this workspace."),
            hint=N_("Run 'urbansafety init' first, or give --workspace."),
            where=Where(file=str(path)),
        )
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        raise InputError(
            N_("The store cannot be opened: %(error)s"),
            hint=N_("Another urbansafety command may be writing to it; wait for it to finish."),
            where=Where(file=str(path)),
            params={"error": str(exc)},
        ) from exc
    try:
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run the block as one transaction: it lands whole or not at all."""
    con.begin()
    try:
        yield con
    except BaseException:
        con.rollback()
        raise
    con.commit()


def layer_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Return the territory-layer columns of the incidents table."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'incidents' "
        "ORDER BY ordinal_position"
    ).fetchall()
    return [name for (name,) in rows if name not in INCIDENT_COLUMNS]
