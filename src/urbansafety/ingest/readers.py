"""Read an input file into a table of text columns, with the file's row number for each row."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from urbansafety.errors import InputError, Where
from urbansafety.i18n import N_
from urbansafety.ingest.csvfile import read_csv
from urbansafety.ingest.rawtable import RawTable
from urbansafety.ingest.textfile import _read_bytes, decode

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
GEOJSON_SUFFIXES = {".geojson", ".json"}


def read_excel(path: Path, *, sheet: str | None = None) -> RawTable:
    """Return the Excel sheet's rows as text columns (header = row 1)."""
    import openpyxl

    file = str(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError(
            N_("The file cannot be opened as an Excel workbook: %(error)s"),
            hint=N_("Save it as .xlsx from Excel or LibreOffice, or export it as CSV."),
            where=Where(file=file),
            params={"error": str(exc)},
        ) from exc
    if sheet is not None and sheet not in book.sheetnames:
        raise InputError(
            N_("No sheet named %(sheet)s (sheets: %(sheets)s)."),
            where=Where(file=file),
            params={"sheet": sheet, "sheets": ", ".join(book.sheetnames)},
        )
    ws = book[sheet] if sheet else book.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise InputError(N_("The file is empty."), where=Where(file=file))
    names = [str(h).strip() if h is not None else f"column_{i + 1}" for i, h in enumerate(header)]
    columns: list[list[str | None]] = [[] for _ in names]
    numbers: list[int] = []
    for n, row in enumerate(rows, start=2):
        if row is None or all(v is None for v in row):
            continue
        numbers.append(n)
        for i in range(len(names)):
            value = row[i] if i < len(row) else None
            columns[i].append(None if value is None else _cell_text(value))
    book.close()
    table = pa.table(
        {name: pa.array(col, pa.string()) for name, col in zip(names, columns, strict=True)}
    )
    return RawTable(
        file=file, table=table, rows=np.asarray(numbers, dtype=np.int64), encoding="xlsx"
    )


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_parquet(path: Path) -> RawTable:
    """Return the Parquet file's rows as text columns (row numbers start at 2, as in a sheet)."""
    file = str(path)
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(
            N_("The file cannot be read as Parquet: %(error)s"),
            where=Where(file=file),
            params={"error": str(exc)},
        ) from exc
    table = table.cast(pa.schema([pa.field(n, pa.string()) for n in table.column_names]))
    return RawTable(
        file=file,
        table=table,
        rows=np.arange(2, table.num_rows + 2, dtype=np.int64),
        encoding="parquet",
    )


def read_geojson_properties(
    path: Path, *, encoding: str | None = None, data: bytes | None = None
) -> RawTable:
    """Return the properties of a GeoJSON file's features as text columns (row = feature number)."""
    file = str(path)
    data, found = decode(_read_bytes(path) if data is None else data, file, encoding)
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        raise InputError(
            N_("The file is not valid JSON: %(error)s"),
            hint=N_("Expected a GeoJSON FeatureCollection."),
            where=Where(file=file),
            params={"error": str(exc)},
        ) from exc
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise InputError(
            N_("The file is not a GeoJSON FeatureCollection."),
            hint=N_("Expected an object with a list of features."),
            where=Where(file=file),
        )
    names: dict[str, None] = {}
    props = []
    for f in features:
        p = f.get("properties") if isinstance(f, dict) else None
        p = p if isinstance(p, dict) else {}
        props.append(p)
        names.update(dict.fromkeys(p))
    columns = {
        n: pa.array([None if p.get(n) is None else _cell_text(p[n]) for p in props], pa.string())
        for n in names
    }
    table = pa.table(columns) if columns else pa.table({"_": pa.nulls(len(props), pa.string())})
    return RawTable(
        file=file, table=table, rows=np.arange(1, len(props) + 1, dtype=np.int64), encoding=found
    )


def read_table(
    path: Path,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    data: bytes | None = None,
    numeric: tuple[str, ...] = (),
) -> RawTable:
    """Return any supported table file (CSV, Excel, Parquet, GeoJSON properties) as text columns.

    data, when given, is the file's content already read (text formats do not read it again).
    """
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(N_("File not found."), where=Where(file=str(path)))
    if suffix in EXCEL_SUFFIXES:
        return read_excel(path, sheet=sheet)
    if suffix in PARQUET_SUFFIXES:
        return read_parquet(path)
    if suffix in GEOJSON_SUFFIXES:
        return read_geojson_properties(path, encoding=encoding, data=data)
    return read_csv(path, delimiter=delimiter, encoding=encoding, data=data, numeric=numeric)
