"""Bookkeeping shared by every import: file hash, no-op re-imports, the imports and rejects tables."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from urbansafety.errors import DataQualityError, InputError, Where
from urbansafety.i18n import N_


@dataclass
class ImportReport:
    """What one import did: counts read / accepted / rejected (by reason), unknown locations."""

    kind: str
    source: str
    file: str
    import_id: str = ""
    encoding: str = ""
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    rows_unlocated: int = 0
    unlocated_by_issue: dict[str, int] = field(default_factory=dict)
    skipped: bool = False
    replaces: str | None = None
    # (year, category, rows before, rows after) for a new release of a source already stored
    changes: list[tuple[int, str, int, int]] = field(default_factory=list)


def read_and_hash(path: Path) -> tuple[bytes | None, str]:
    """Return (the file's bytes, their SHA-256); a folder gives (None, hash of its files)."""
    if path.is_dir():
        return None, file_sha256(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(N_("File not found."), where=Where(file=str(path))) from exc
    return data, hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file's bytes (a folder: of its files' names and bytes)."""
    digest = hashlib.sha256()
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(child.name.encode())
            digest.update(child.read_bytes())
        return digest.hexdigest()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 22), b""):
                digest.update(block)
    except FileNotFoundError as exc:
        raise InputError(N_("File not found."), where=Where(file=str(path))) from exc
    return digest.hexdigest()


def previous_import(
    con: duckdb.DuckDBPyConnection, kind: str, source: str
) -> tuple[str, str] | None:
    """Return (import_id, sha256) of the latest import of this kind and source, if any."""
    row = con.execute(
        "SELECT import_id, sha256 FROM imports WHERE kind = ? AND source = ? "
        "ORDER BY finished_at DESC, import_id DESC LIMIT 1",
        [kind, source],
    ).fetchone()
    return (row[0], row[1]) if row else None


def already_imported(
    con: duckdb.DuckDBPyConnection, kind: str, source: str, sha: str, *, append: bool
) -> bool:
    """Return True when importing this content again would change nothing."""
    if append:
        n = con.execute(
            "SELECT count(*) FROM imports WHERE kind = ? AND source = ? AND sha256 = ?",
            [kind, source, sha],
        ).fetchone()
        return bool(n and n[0])
    prev = previous_import(con, kind, source)
    return prev is not None and prev[1] == sha


def new_import_id(kind: str, sha: str) -> str:
    """Return a new import id: kind, UTC time and the start of the file hash."""
    now = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"{kind}-{now}-{sha[:8]}"


def check_strict(report: ImportReport, rejects: pa.Table, file: str) -> None:
    """Raise DataQualityError naming the first reject when --strict is on and rows were rejected."""
    if rejects.num_rows == 0:
        return
    first = rejects.slice(0, 1).to_pylist()[0]
    raise DataQualityError(
        N_(
            "%(n)s row(s) rejected and --strict is on; nothing was imported. First: %(reason)s (%(value)r)."
        ),
        hint=N_("Fix the rows listed, or leave --strict out to keep them in the rejects table."),
        where=Where(file=file, row=first["row"], column=first["column"] or None),
        params={"n": report.rows_rejected, "reason": first["reason"], "value": first["value"]},
    )


def record_import(
    con: duckdb.DuckDBPyConnection,
    report: ImportReport,
    *,
    sha: str,
    size: int,
    started: dt.datetime,
    rejects: pa.Table,
) -> None:
    """Insert the import's row and its rejects (inside the caller's transaction)."""
    con.execute(
        "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            report.import_id,
            report.kind,
            report.source,
            report.file,
            sha,
            size,
            report.encoding,
            report.rows_read,
            report.rows_accepted,
            report.rows_rejected,
            report.rows_unlocated,
            started,
            dt.datetime.now(dt.UTC).replace(tzinfo=None),
            report.replaces,
        ],
    )
    if rejects.num_rows:
        import_ids = pa.array([report.import_id] * rejects.num_rows, pa.string())
        batch = rejects.add_column(0, "import_id", import_ids)  # noqa: F841 - read by DuckDB below
        con.execute(
            'INSERT INTO rejects SELECT import_id, "row", "column", value, reason FROM batch'
        )


def reason_counts(rejects: pa.Table) -> tuple[int, dict[str, int]]:
    """Return (rows rejected, rows rejected by reason) — a row with two reasons counts once in each."""
    if rejects.num_rows == 0:
        return 0, {}
    rows = rejects.column("row").to_numpy()
    reasons = rejects.column("reason").to_pylist()
    pairs = set(zip(rows.tolist(), reasons, strict=True))
    counts: dict[str, int] = {}
    for _, reason in pairs:
        counts[reason] = counts.get(reason, 0) + 1
    return len(set(rows.tolist())), dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def rejects_table(rejects: list[tuple[int, str, str, str]]) -> pa.Table:
    """Return (row, column, value, reason) tuples as a rejects table."""
    return pa.table(
        {
            "row": pa.array([r[0] for r in rejects], pa.int64()),
            "column": pa.array([r[1] for r in rejects], pa.string()),
            "value": pa.array([r[2] for r in rejects], pa.string()),
            "reason": pa.array([r[3] for r in rejects], pa.string()),
        }
    )


def insert_batch(
    con: duckdb.DuckDBPyConnection, target: str, batch: pa.Table, import_id: str
) -> None:
    """Insert batch's columns, then import_id, into the store table target."""
    con.register("batch", batch)
    columns = ", ".join(f'"{c}"' for c in batch.column_names)
    con.execute(f"INSERT INTO {target} SELECT {columns}, ? FROM batch", [import_id])
    con.unregister("batch")
