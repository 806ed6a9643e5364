"""Read a CSV file into text columns, keeping each row's line number and the non-record lines."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from urbansafety.errors import InputError, Where
from urbansafety.i18n import N_
from urbansafety.ingest.rawtable import RawTable
from urbansafety.ingest.textfile import _read_bytes, decode

DELIMITERS = (",", ";", "\t", "|")


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
