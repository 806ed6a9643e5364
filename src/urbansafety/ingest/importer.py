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
    sha = records.file_sha256(path)
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    report = records.ImportReport(kind=KIND, source=source, file=path.name)
    with store.connect(ws.store_path) as con:
        if records.already_imported(con, KIND, source, sha, append=append):
            report.skipped = True
            return report
        progress("read")
        if mapping is None:
            raw, mapping = read_spvm(path, encoding=encoding, source=source)
        else:
            raw = read_mapped(path, mapping, encoding=encoding)
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
            attributes={
                "district": np.asarray(
                    t.column("district").to_numpy(zero_copy_only=False), dtype=object
                )
            },
            grid_size=cfg.grid_size_m,
            h3_resolution=cfg.h3_resolution,
        )
        report.import_id = records.new_import_id(KIND, sha)
        table = _canonical(t, located, source, sha, report.import_id, keyed=mapping.key is not None)
        unknown = located.quality == "unknown"
        report.rows_unlocated = int(unknown.sum())
        issues, counts = np.unique(located.issue[unknown].astype(str), return_counts=True)
        report.unlocated_by_issue = {str(i): int(c) for i, c in zip(issues, counts, strict=True)}
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
                con.register("new_ids", table.select(["incident_id"]))
                con.execute(
                    "DELETE FROM incidents WHERE incident_id IN (SELECT incident_id FROM new_ids)"
                )
                con.unregister("new_ids")
            con.register("batch", table)
            names = ", ".join(table.column_names)
            con.execute(f"INSERT INTO incidents ({names}) SELECT {names} FROM batch")
            con.unregister("batch")
            records.record_import(
                con, report, sha=sha, size=path.stat().st_size, started=started, rejects=rejects
            )
            if report.replaces is not None:
                report.changes = _changes(before, _counts(con, source))
    return report


def _floats(table: pa.Table, name: str) -> np.ndarray:
    return np.asarray(table.column(name).to_numpy(), dtype=float)


def _canonical(
    t: pa.Table, located: Located, source: str, sha: str, import_id: str, *, keyed: bool
) -> pa.Table:
    """Return the rows to insert, with the store's column names."""
    if keyed:
        ids = pc.binary_join_element_wise(pa.scalar(source), t.column("source_key"), ":")
    else:
        rows = t.column("source_row").cast(pa.string())
        ids = pc.binary_join_element_wise(pa.scalar(f"{source}:{sha[:12]}"), rows, ":")
    occurred = t.column("occurred_on")
    n = t.num_rows
    columns: dict[str, pa.Array | pa.ChunkedArray] = {
        "incident_id": ids,
        "source": pa.array([source] * n, pa.string()),
        "source_row": t.column("source_row"),
        "source_key": t.column("source_key"),
        "occurred_on": occurred,
        "occurred_at": t.column("occurred_at"),
        "year": pc.cast(pc.year(occurred), pa.int16()),
        "month": pc.cast(pc.month(occurred), pa.int8()),
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
        "location_quality": pa.array(located.quality, pa.string()),
        "location_issue": pa.array(located.issue, pa.string()),
        "grid_cell": pa.array(located.grid_cell, pa.string()),
        "h3_cell": pa.array(located.h3_cell, pa.string()),
        "import_id": pa.array([import_id] * n, pa.string()),
    }
    for name, codes in located.layers.items():
        columns[name] = pa.array(codes, pa.string())
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
