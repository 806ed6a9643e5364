"""Import incidents into the store: read, validate, locate, then write in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from urbansafety import store
from urbansafety.ingest import records
from urbansafety.ingest.geo import load_layers
from urbansafety.ingest.incidents import parse_incidents
from urbansafety.ingest.locate import Located, locate
from urbansafety.ingest.mapping import load_mapping
from urbansafety.ingest.spvm import read_spvm
from urbansafety.ingest.tabular import read_mapped
from urbansafety.workspace import Workspace

Progress = Callable[[str], None]
KIND = "incidents"


def _quiet(stage: str) -> None:
    """Ignore progress."""


def import_incidents(
    ws: Workspace,
    path: Path,
    *,
    mapping_path: Path | None = None,
    encoding: str | None = None,
    source: str | None = None,
    strict: bool = False,
    append: bool = False,
    progress: Progress = _quiet,
) -> records.ImportReport:
    """Import an incident file (SPVM layout, or any table with a mapping) and return what it did.

    Importing the same content again does nothing. A different file of a source already
    stored replaces that source's incidents (the SPVM file is republished with its whole
    history) unless append is set; the report then lists the changes by year and category.
    """
    mapping = load_mapping(mapping_path) if mapping_path else None
    source = source or (mapping.source if mapping else "spvm")
    data, sha = records.read_and_hash(path)
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    report = records.ImportReport(kind=KIND, source=source, file=path.name)
    with store.connect(ws.store_path) as con:
        if records.already_imported(con, KIND, source, sha, append=append):
            report.skipped = True
            return report
        progress("read")
        if mapping is None:
            raw, mapping = read_spvm(path, encoding=encoding, source=source, data=data)
        else:
            raw = read_mapped(path, mapping, encoding=encoding, data=data)
        report.encoding = raw.encoding
        progress("validate")
        parsed = parse_incidents(raw, mapping)
        rejects = parsed.rejects.table()
        report.rows_read = parsed.rows_read
        report.rows_rejected, report.rejected_by_reason = records.reason_counts(rejects)
        report.rows_accepted = parsed.table.num_rows
        if strict:
            records.check_strict(report, rejects, str(path))
        progress("locate")
        cfg = ws.config
        layers = load_layers(con, cfg)
        t = parsed.table
        located = locate(
            _floats(t, "x_in"),
            _floats(t, "y_in"),
            _floats(t, "lon_in"),
            _floats(t, "lat_in"),
            source_crs=mapping.crs,
            work_crs=cfg.crs,
            layers=layers,
            extent=list(cfg.extent_layers),
            attributes={"district": t.column("district").combine_chunks()},
            grid_size=cfg.grid_size_m,
            h3_resolution=cfg.h3_resolution,
        )
        report.import_id = records.new_import_id(KIND, sha)
        table = _canonical(t, located)
        unknown = ~located.located
        report.rows_unlocated = int(unknown.sum())
        counts = pc.value_counts(located.issue.filter(pa.array(unknown))).to_pylist()
        report.unlocated_by_issue = {c["values"]: c["counts"] for c in counts if c["values"]}
        progress("write")
        with store.transaction(con):
            for layer in layers:
                _ensure_layer_column(con, layer.name)
            before = _counts(con, source)
            if not append:
                prev = records.previous_import(con, KIND, source)
                report.replaces = prev[0] if prev else None
                con.execute("DELETE FROM incidents WHERE source = ?", [source])
            elif mapping.key is not None:
                # Appending rows whose key is already stored replaces those incidents.
                con.register("new_keys", table.select(["source_key"]))
                con.execute(
                    "DELETE FROM incidents WHERE source = ? AND source_key IN "
                    "(SELECT source_key FROM new_keys)",
                    [source],
                )
                con.unregister("new_keys")
            con.register("batch", table)
            names = ", ".join(f'"{c}"' for c in table.column_names)
            columns = "source, file_tag, import_id, " + names
            con.execute(
                INSERT_SQL.format(columns=columns, names=names),
                {
                    "keyed": mapping.key is not None,
                    "source": source,
                    "sha": sha[:12],
                    "import_id": report.import_id,
                },
            )
            con.unregister("batch")
            records.record_import(
                con, report, sha=sha, size=path.stat().st_size, started=started, rejects=rejects
            )
            if report.replaces is not None:
                report.changes = _changes(before, _counts(con, source))
    return report


def _floats(table: pa.Table, name: str) -> np.ndarray:
    return np.asarray(table.column(name).to_numpy(), dtype=float)


# Constant and derived columns are computed by DuckDB while inserting, not row by row in Python.
INSERT_SQL = """
INSERT INTO incidents ({columns})
SELECT $source, CASE WHEN $keyed THEN NULL ELSE $sha END, $import_id, {names}
FROM batch
"""


def _canonical(t: pa.Table, located: Located) -> pa.Table:
    """Return the rows to insert (constant and derived columns are added by INSERT_SQL)."""
    columns: dict[str, pa.Array | pa.ChunkedArray] = {
        "source_row": t.column("source_row"),
        "source_key": t.column("source_key"),
        "occurred_on": t.column("occurred_on"),
        "occurred_at": t.column("occurred_at"),
        "shift": t.column("shift"),
        "category": t.column("category"),
        "crime_group": t.column("crime_group"),
        "source_category": t.column("source_category"),
        "violation_code": t.column("violation_code"),
        "district": t.column("district"),
        "lon": pa.array(located.lon, from_pandas=True),
        "lat": pa.array(located.lat, from_pandas=True),
        "x": pa.array(located.x, from_pandas=True),
        "y": pa.array(located.y, from_pandas=True),
        "location_issue": located.issue,
        "grid_cell": located.grid_cell,
        "h3_cell": located.h3_cell,
    }
    for name, codes in located.layers.items():
        columns[name] = codes
    return pa.table(columns)


def _ensure_layer_column(con: duckdb.DuckDBPyConnection, layer: str) -> None:
    if layer not in store.layer_columns(con):
        con.execute(f'ALTER TABLE incidents ADD COLUMN "{layer}" VARCHAR')


def _counts(con: duckdb.DuckDBPyConnection, source: str) -> dict[tuple[int, str], int]:
    rows = con.execute(
        "SELECT year, category, count(*) FROM incidents WHERE source = ? GROUP BY ALL", [source]
    ).fetchall()
    return {(int(y), str(c)): int(n) for y, c, n in rows}


def _changes(
    before: dict[tuple[int, str], int], after: dict[tuple[int, str], int]
) -> list[tuple[int, str, int, int]]:
    keys = sorted(set(before) | set(after))
    return [
        (y, c, before.get((y, c), 0), after.get((y, c), 0))
        for y, c in keys
        if before.get((y, c), 0) != after.get((y, c), 0)
    ]
