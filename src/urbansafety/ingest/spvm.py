"""The City of Montréal police open-data file "actes criminels" (CSV or GeoJSON, as published)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from urbansafety.ingest.mapping import SPVM, SPVM_COLUMNS, Mapping
from urbansafety.ingest.rawtable import RawTable, require_columns
from urbansafety.ingest.readers import read_table

# Extracts of about 2017 named the WGS84 columns LAT and LONG.
OLD_NAMES = {"LAT": "LATITUDE", "LONG": "LONGITUDE"}


def read_spvm(
    path: Path, *, encoding: str | None = None, source: str | None = None, data: bytes | None = None
) -> tuple[RawTable, Mapping]:
    """Return the SPVM file's rows and the mapping that reads them (source "spvm" unless given)."""
    raw = read_table(
        path, encoding=encoding, data=data, numeric=("X", "Y", "LONGITUDE", "LATITUDE")
    )
    names = [OLD_NAMES.get(n.strip(), n.strip()) for n in raw.table.column_names]
    upper = [n.upper() if n.upper() in SPVM_COLUMNS else n for n in names]
    raw.table = pa.table(raw.table.columns, names=upper)
    require_columns(raw, SPVM_COLUMNS, "the SPVM layout " + ",".join(SPVM_COLUMNS))
    mapping = SPVM if source is None else Mapping(**{**SPVM.__dict__, "source": source})
    return raw, mapping
