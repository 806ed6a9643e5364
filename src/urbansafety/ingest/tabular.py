"""Any CSV, Excel or Parquet table read through a mapping file."""

from __future__ import annotations

from pathlib import Path

from urbansafety.ingest.mapping import Mapping
from urbansafety.ingest.rawtable import RawTable
from urbansafety.ingest.readers import read_table


def read_mapped(
    path: Path, mapping: Mapping, *, encoding: str | None = None, data: bytes | None = None
) -> RawTable:
    """Return the table's rows as text columns, read with the mapping's delimiter, encoding and sheet."""
    raw = read_table(
        path,
        delimiter=mapping.delimiter,
        encoding=encoding or mapping.encoding,
        sheet=mapping.sheet,
        data=data,
        numeric=tuple(mapping.columns[f] for f in ("x", "y", "lon", "lat") if f in mapping.columns),
    )
    # Header cells often carry stray spaces or a BOM the reader left: match mapped names loosely.
    names = [n.strip().lstrip("\ufeff") for n in raw.table.column_names]
    raw.table = raw.table.rename_columns(names)
    return raw
