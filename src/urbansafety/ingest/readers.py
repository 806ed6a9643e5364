"""Read an input file into a table of text columns, with the file's row number for each row."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from urbansafety.errors import InputError, Where
from urbansafety.i18n import N_

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
GEOJSON_SUFFIXES = {".geojson", ".json"}
DELIMITERS = (",", ";", "\t", "|")
_UTF8_AS_CP1252 = re.compile(
    "[ÃÂ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]"
)


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


def decode(
    data: bytes, file: str, encoding: str | None = None, *, validate: bool = True
) -> tuple[bytes, str]:
    """Return (UTF-8 bytes without BOM, name of the encoding found) for a text file's bytes.

    UTF-8 (with or without BOM) is tried first; a file that is not valid UTF-8 is read as
    Windows-1252, the encoding of older SPVM extracts and of Excel's "CSV" on Windows.
    With validate=False the bytes are taken as UTF-8 unchecked (the CSV parser checks them
    and raises NotUtf8 if they are not).
    """
    if b"\x00" in data[:65536]:
        raise InputError(
            N_("This file is binary, not a text table."),
            hint=N_("Give a CSV, Excel (.xlsx), Parquet or GeoJSON file."),
            where=Where(file=file),
        )
    if encoding:
        try:
            return data.decode(encoding).lstrip("\ufeff").encode("utf-8"), encoding
        except (LookupError, UnicodeDecodeError) as exc:
            raise InputError(
                N_("The file cannot be read with encoding %(encoding)s."),
                hint=N_("Leave --encoding out to detect it, or give utf-8, cp1252 or latin-1."),
                where=Where(file=file),
                params={"encoding": encoding},
            ) from exc
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        name = "utf-8-sig"
    else:
        name = "utf-8"
    if not validate:
        return data, name
    try:
        data.decode("utf-8")
        return data, name
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    if "\ufffd" not in text and not _UTF8_AS_CP1252.search(text):
        return text.encode("utf-8"), "cp1252"
    # Mixed file (e.g. extracts of different years pasted together): decode line by line.
    lines = []
    for line in data.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(line.decode("cp1252", errors="replace"))
    return "\n".join(lines).encode("utf-8"), "utf-8+cp1252"


def _lines(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (start, content end, end with terminator) of every line (LF, CRLF or lone CR)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    is_cr = buf == 13
    next_is_lf = np.zeros(len(buf), dtype=bool)
    next_is_lf[:-1] = buf[1:] == 10
    terms = np.flatnonzero((buf == 10) | (is_cr & ~next_is_lf))
    starts = np.concatenate(([0], terms + 1))
    full_ends = np.concatenate((terms + 1, [len(buf)]))
    ends = np.concatenate((terms, [len(buf)]))
    inside = ends < len(buf)
    crlf = np.zeros(len(ends), dtype=bool)
    crlf[inside] = (
        (buf[ends[inside]] == 10)
        & (ends[inside] > starts[inside])
        & (buf[np.maximum(ends[inside] - 1, 0)] == 13)
    )
    return starts, ends - crlf, full_ends


def _unbalanced_quotes(data: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Return the mask of lines with an odd number of double quotes."""
    if b'"' not in data:
        return np.zeros(len(starts), dtype=bool)
    quotes = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 34)
    line = np.searchsorted(starts, quotes, side="right") - 1
    return np.bincount(line, minlength=len(starts)) % 2 == 1


def _simple_lines(data: bytes) -> bool:
    """Return True when record k is line k + 2: LF or CRLF endings, no blank line, no open quote."""
    has_cr = b"\r" in data
    if has_cr and data.count(b"\r") != data.count(b"\r\n"):
        return False
    if b"\n\n" in data or (has_cr and b"\n\r\n" in data) or data.startswith((b"\n", b"\r\n")):
        return False
    if b'"' in data:
        starts = np.concatenate(
            ([0], np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10) + 1)
        )
        return not _unbalanced_quotes(data, starts, starts).any()
    return True


def _parse(
    data: bytes,
    header: str,
    delimiter: str,
    multiline: bool,
    *,
    threads: bool,
    file: str,
    numeric: tuple[str, ...] = (),
) -> tuple[pa.Table, list[tuple[int, str]]]:
    """Return (the table of text columns, [(record number or 0, text)] of lines that are not records).

    Columns named in numeric are read as numbers when every value is one (fast path for
    coordinates); if any is not, the whole file is read as text so the validation can name it.
    """
    invalid: list[tuple[int, str]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append((int(row.number or 0), row.text))
        return "skip"

    # Every column is read as text, as written: "0123" keeps its zero and "30.0" its decimals.
    names = next(csv.reader([header], delimiter=delimiter), [])
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            # Only one thread gives on_invalid the record numbers.
            read_options=pacsv.ReadOptions(use_threads=threads, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, invalid_row_handler=on_invalid, newlines_in_values=multiline
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.float64() if n in numeric else pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=True,
                auto_dict_encode=False,
                include_missing_columns=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        if numeric and "conversion error to double" in str(exc):
            return _parse(data, header, delimiter, multiline, threads=threads, file=file)
        if "utf8" in str(exc).lower():
            raise NotUtf8 from exc
        raise InputError(
            N_("The file cannot be read as a table: %(error)s"),
            hint=N_("Expected a CSV file with one header line (separator , ; or tab)."),
            where=Where(file=file),
            params={"error": str(exc).splitlines()[0]},
        ) from exc
    # A header the csv module splits differently (rare) leaves columns typed by inference.
    text = [
        f.name for f in table.schema if f.name not in numeric and not pa.types.is_string(f.type)
    ]
    for name in text:
        table = table.set_column(
            table.schema.get_field_index(name), name, table[name].cast(pa.string())
        )
    return table, invalid


def sniff_delimiter(header: str) -> str:
    """Return the delimiter that splits the header line into the most fields."""
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


class NotUtf8(Exception):
    """The parser met bytes that are not UTF-8 in a file taken as UTF-8 without checking."""


def read_csv(
    path: Path,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    multiline: bool = False,
    data: bytes | None = None,
    numeric: tuple[str, ...] = (),
) -> RawTable:
    """Return the CSV file's rows as text columns; lines that are not records go to bad_lines.

    data, when given, is the file's content already read (it is not read again). Columns in
    numeric come back as float64 when all their values are numbers, else as text.
    """
    file = str(path)
    content = _read_bytes(path) if data is None else data
    if encoding is None:
        # Most files are UTF-8: let the parser check that while it reads, instead of decoding
        # the whole file first; it says so if not, and the file is decoded properly.
        try:
            return _read_csv(
                decode(content, file, validate=False), file, delimiter, multiline, numeric
            )
        except NotUtf8:
            pass
    return _read_csv(decode(content, file, encoding), file, delimiter, multiline, numeric)


def _read_csv(
    decoded: tuple[bytes, str],
    file: str,
    delimiter: str | None,
    multiline: bool,
    numeric: tuple[str, ...] = (),
) -> RawTable:
    data, found = decoded
    text_head = data[:65536].decode("utf-8", errors="replace")
    header = re.split(r"\r\n|\r|\n", text_head.lstrip("\r\n"), maxsplit=1)[0]
    if not header.strip():
        raise InputError(
            N_("The file is empty."),
            hint=N_("Check that you exported the data, not an empty sheet."),
            where=Where(file=file),
        )
    delimiter = delimiter or sniff_delimiter(header)
    if not multiline and _simple_lines(data):
        # Fast path (most files): parse on every core; record k is line k + 2.
        table, invalid = _parse(
            data, header, delimiter, multiline, threads=True, file=file, numeric=numeric
        )
        if not invalid:
            rows = np.arange(2, table.num_rows + 2, dtype=np.int64)
            return RawTable(file=file, table=table, rows=rows, encoding=found)
    starts, ends, full_ends = _lines(data)
    lengths = ends - starts
    nonblank = lengths > 0
    bad: list[tuple[int, str]] = []
    if not multiline:
        # A quote left open would swallow the following lines into one value: such a line is
        # garbage, kept in rejects, and cut out before parsing so its neighbours stay intact.
        open_quote = nonblank & _unbalanced_quotes(data, starts, ends)
        if open_quote.any():
            first = int(np.flatnonzero(nonblank)[0])
            if open_quote[first]:
                raise InputError(
                    N_("The header line has an unbalanced quote."),
                    hint=N_("Expected a CSV file with one header line (separator , ; or tab)."),
                    where=Where(file=file, row=first + 1),
                )
            cut = np.flatnonzero(open_quote)
            bad = [
                (int(i) + 1, data[starts[i] : ends[i]].decode("utf-8", errors="replace"))
                for i in cut
            ]
            keep_bytes = np.ones(len(data), dtype=bool)
            for i in cut:
                keep_bytes[starts[i] : full_ends[i]] = False
            data = np.frombuffer(data, dtype=np.uint8)[keep_bytes].tobytes()
            nonblank &= ~open_quote
    lines = np.flatnonzero(nonblank) + 1
    table, invalid = _parse(
        data, header, delimiter, multiline, threads=False, file=file, numeric=numeric
    )
    physical = lines[1:]  # the first non-empty line is the header
    if invalid:
        # on_invalid numbers count non-empty lines (header = 1); map them to physical lines.
        index = np.asarray([n - 1 for n, _ in invalid], dtype=np.int64)
        bad += [(int(lines[i]), t) for i, (_, t) in zip(index, invalid, strict=True)]
        keep = np.ones(len(physical), dtype=bool)
        keep[index - 1] = False
        physical = physical[keep]
    if len(physical) != table.num_rows:
        # A quoted value spanning lines (multiline files): row numbers become record numbers.
        physical = np.arange(2, table.num_rows + 2, dtype=np.int64)
    bad.sort()
    return RawTable(
        file=file, table=table, rows=physical.astype(np.int64), encoding=found, bad_lines=bad
    )


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


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError as exc:
        raise InputError(N_("This is a folder, not a file."), where=Where(file=str(path))) from exc
    except FileNotFoundError as exc:
        raise InputError(N_("File not found."), where=Where(file=str(path))) from exc


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
