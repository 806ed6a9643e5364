"""A file's rows as text columns before validation (RawTable), and the check of its columns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from urbansafety.errors import InputError, Where
from urbansafety.i18n import N_


@dataclass
class RawTable:
    """A table of text columns as read from a file, before validation."""

    file: str
    table: pa.Table
    rows: np.ndarray  # the file's row number of each row (header = 1; feature index for GeoJSON)
    encoding: str = "utf-8"
    bad_lines: list[tuple[int, str]] = field(default_factory=list)  # rows that are not records

    @property
    def rows_read(self) -> int:
        """Return the number of data rows read, including the lines that were not records."""
        return len(self.rows) + len(self.bad_lines)


def require_columns(raw: RawTable, needed: list[str], expected: str) -> None:
    """Raise InputError naming the missing columns if raw lacks any of needed."""
    missing = [c for c in needed if c not in raw.table.column_names]
    if missing:
        raise InputError(
            N_("Missing columns: %(missing)s. Found: %(found)s."),
            hint=N_(
                "Expected %(expected)s; for another layout give a mapping file with --mapping."
            ),
            where=Where(file=raw.file),
            params={
                "missing": ", ".join(missing),
                "found": ", ".join(raw.table.column_names) or "-",
                "expected": expected,
            },
        )
