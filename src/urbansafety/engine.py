"""The engine that runs table expressions: DuckDB (the store itself) or Spark (Parquet snapshots)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import ibis

from urbansafety import store
from urbansafety.errors import ConfigError
from urbansafety.i18n import N_
from urbansafety.workspace import Workspace

SNAPSHOT_DIR = "parquet"


@dataclass
class Engine:
    """An Ibis backend and the store's tables as Ibis tables."""

    kind: str
    backend: Any

    def table(self, name: str) -> ibis.Table:
        """Return a store table as an Ibis expression."""
        return self.backend.table(name)


@contextmanager
def open_engine(ws: Workspace, kind: str | None = None) -> Iterator[Engine]:
    """Yield the workspace's engine (kind overrides engine.kind from the configuration)."""
    kind = kind or ws.config.engine
    if kind == "duckdb":
        backend = ibis.duckdb.connect(str(ws.store_path), read_only=True)
        try:
            yield Engine(kind, backend)
        finally:
            backend.disconnect()
        return
    if kind != "spark":
        raise ConfigError(
            N_("Unknown engine %(value)r."),
            hint=N_("Use 'duckdb' (default) or 'spark'."),
            params={"value": kind},
        )
    folder = export_snapshot(ws)
    session = _spark_session(ws.config.spark_master)
    backend = ibis.pyspark.connect(session)
    for path in sorted(folder.glob("*.parquet")):
        backend.read_parquet(str(path), table_name=path.stem)
    yield Engine(kind, backend)


def export_snapshot(ws: Workspace) -> Path:
    """Write the store's tables as Parquet files for Spark (only when the store changed) and return the folder."""
    folder = ws.path / SNAPSHOT_DIR
    folder.mkdir(exist_ok=True)
    stamp = folder / "STORE_MTIME"
    mtime = str(ws.store_path.stat().st_mtime_ns)
    if stamp.exists() and stamp.read_text() == mtime:
        return folder
    with duckdb.connect(str(ws.store_path), read_only=True) as con:
        for name in store.TABLES:
            target = folder / f"{name}.parquet"
            con.execute(f"COPY (SELECT * FROM {name}) TO '{target}' (FORMAT parquet)")
    stamp.write_text(mtime)
    return folder


def _spark_session(master: str) -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise ConfigError(
            N_("The Spark engine needs PySpark, which is not installed."),
            hint=N_("Install it with: pip install 'urbansafety[spark]' (Java 17 is also needed)."),
        ) from exc
    return (
        SparkSession.builder.master(master)
        .appName("urbansafety")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
