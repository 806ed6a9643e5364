"""Vectorised parsers for text columns: each returns values and the mask of values it rejects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from urbansafety.i18n import N_

NUMBER = r"^\s*[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?\s*$"
TIME = r"^\s*(?P<h>\d{1,2})[:hH](?P<m>\d{2})(?::\d{2}(?:\.\d+)?)?\s*$"
DEFAULT_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")
MOJIBAKE = r"Ã[\x80-\xbf©¨ª«®´¢£¤¥§»¼½¾¹]|Ã |\x{FFFD}|Â[\xa0°«»]"

# Reasons are stable English keys (stored in `rejects`); the CLI translates them for display.
REASON_EMPTY_DATE = N_("empty date")
REASON_BAD_DATE = N_("bad date")
REASON_DATE_RANGE = N_("date out of range")
REASON_BAD_NUMBER = N_("unparseable number")
REASON_BAD_TIME = N_("bad time")
REASON_UNKNOWN_CATEGORY = N_("unknown category")
REASON_EMPTY_CATEGORY = N_("empty category")
REASON_MOJIBAKE = N_("mojibake (wrong text encoding)")
REASON_UNKNOWN_CODE = N_("unknown violation code")
REASON_UNKNOWN_SHIFT = N_("unknown shift")
REASON_WRONG_FIELDS = N_("malformed line (wrong number of fields or open quote)")
REASON_DUPLICATE_KEY = N_("duplicate key")
REASON_EMPTY_KEY = N_("empty key")
REASON_UNKNOWN_VALUE = N_("unknown value")
REASON_UNKNOWN_INCIDENT = N_("unknown incident")
REASON_BAD_AGE = N_("age out of range")


@dataclass
class Rejects:
    """Rejected values collected while parsing: row numbers, column, value and reason."""

    rows: list[np.ndarray] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    values: list[pa.Array] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def add(
        self, rows: np.ndarray, column: str, values: pa.Array, mask: np.ndarray, reason: str
    ) -> None:
        """Record values[mask] (at rows[mask]) as rejected for reason."""
        if not mask.any():
            return
        self.rows.append(rows[mask])
        self.columns.append(column)
        kept = values.filter(pa.array(mask)).cast(pa.string())
        self.values.append(kept.combine_chunks() if isinstance(kept, pa.ChunkedArray) else kept)
        self.reasons.append(reason)

    def add_lines(self, rows: list[int], texts: list[str], reason: str) -> None:
        """Record whole lines (e.g. with the wrong number of fields) as rejected."""
        if rows:
            self.rows.append(np.asarray(rows, dtype=np.int64))
            self.columns.append("")
            self.values.append(pa.array(texts, pa.string()))
            self.reasons.append(reason)

    def extend(self, other: Rejects) -> None:
        """Append the rejects of other."""
        self.rows += other.rows
        self.columns += other.columns
        self.values += other.values
        self.reasons += other.reasons

    def table(self) -> pa.Table:
        """Return the rejects as a table (row, column, value, reason), ordered by row."""
        if not self.rows:
            return pa.table(
                {
                    "row": pa.array([], pa.int64()),
                    "column": pa.array([], pa.string()),
                    "value": pa.array([], pa.string()),
                    "reason": pa.array([], pa.string()),
                }
            )
        rows = np.concatenate(self.rows)
        columns = np.concatenate(
            [np.full(len(r), c, dtype=object) for r, c in zip(self.rows, self.columns, strict=True)]
        )
        reasons = np.concatenate(
            [np.full(len(r), c, dtype=object) for r, c in zip(self.rows, self.reasons, strict=True)]
        )
        values = pa.concat_arrays(self.values)
        order = np.argsort(rows, kind="stable")
        values = pc.utf8_slice_codeunits(values, 0, 500)  # keep the store small on huge garbage
        return pa.table(
            {
                "row": pa.array(rows[order]),
                "column": pa.array(columns[order], pa.string()),
                "value": values.take(pa.array(order)),
                "reason": pa.array(reasons[order], pa.string()),
            }
        )

    def rejected_rows(self) -> np.ndarray:
        """Return the sorted unique row numbers that have at least one reject."""
        if not self.rows:
            return np.array([], dtype=np.int64)
        return np.unique(np.concatenate(self.rows))


def by_value(
    values: pa.Array | pa.ChunkedArray, parse: Callable[[pa.Array], tuple[Any, ...]]
) -> tuple[Any, ...]:
    """Return parse(values), computed once per distinct value.

    Police files repeat a few thousand dates, six categories and intersections a million
    times: parsing the distinct values and spreading the results is many times faster.
    Text results come back as dictionary arrays (one string per distinct value); other
    results are spread to every row.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_dictionary(values.type) and values.null_count == 0:
        encoded = values
    else:
        encoded = pc.dictionary_encode(values, null_encoding="encode")
    indices = encoded.indices
    index = indices.to_numpy(zero_copy_only=False)
    results = parse(encoded.dictionary)
    out: list[Any] = []
    for r in results:
        if isinstance(r, pa.Array) and pa.types.is_string(r.type):
            out.append(pa.DictionaryArray.from_arrays(indices, r))
        elif isinstance(r, pa.Array):
            out.append(r.take(indices))
        else:
            out.append(np.asarray(r)[index])
    return tuple(out)


def text(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Return values as plain text (decoding a dictionary array)."""
    if pa.types.is_dictionary(values.type):
        return values.cast(pa.string())
    return values


def blank(values: pa.Array) -> np.ndarray:
    """Return the mask of null or whitespace-only values."""
    stripped = pc.utf8_trim_whitespace(values)
    return np.asarray(pc.fill_null(pc.equal(stripped, ""), True))


def parse_numbers(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Return (float values with NaN for blanks and bad values, mask of non-blank unparseable values)."""
    empty = blank(values)
    ok = np.asarray(pc.fill_null(pc.match_substring_regex(values, NUMBER), False))
    bad = ~empty & ~ok
    cleaned = pc.replace_substring(pc.utf8_trim_whitespace(values), ",", ".")
    cleaned = pc.if_else(pa.array(ok), cleaned, pa.scalar(None, pa.string()))
    numbers = np.array(pc.cast(cleaned, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
    return numbers, bad


def parse_counts(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Return (whole numbers, NaN where blank or bad; mask of non-blank values that are not whole numbers ≥ 0).

    Thousands separators are read as published tables write them: "2,004,265", "10 246"
    (space or no-break space), never as decimal commas.
    """
    text = pc.utf8_trim_whitespace(values)
    grouped = np.asarray(
        pc.fill_null(
            pc.match_substring_regex(text, r"^\d{1,3}([,\s" + "\u00a0\u202f" + r"]\d{3})+$"), False
        )
    )
    plain = pc.if_else(
        pa.array(grouped), pc.replace_substring_regex(text, "[,\\s\u00a0\u202f]", ""), text
    )
    numbers, bad = parse_numbers(plain)
    numbers = numbers.copy()
    bad |= ~np.isnan(numbers) & ((numbers < 0) | (numbers != np.round(np.nan_to_num(numbers))))
    numbers[bad] = np.nan
    return numbers, bad


def parse_dates(
    values: pa.Array, formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Return (date32 array, minutes since midnight of any time part or NaN, mask of bad dates).

    A value may carry a time after the date ("2016-07-12 00:00:00", as older SPVM extracts
    and Excel exports do). A time of exactly 00:00:00 is read as "no time", the convention
    of date-only exports.
    """
    empty = blank(values)
    found = pc.extract_regex(pc.utf8_trim_whitespace(values), r"^(?P<d>[^ T]+)(?:[ T](?P<t>.+))?$")
    date_text = pc.struct_field(found, [0])
    time_text = pc.struct_field(found, [1])
    result = pa.nulls(len(values), pa.timestamp("s"))
    for fmt in formats:
        parsed = pc.strptime(date_text, format=fmt, unit="s", error_is_null=True)
        # strptime rolls impossible dates over (2019-02-30 -> 2019-03-02): keep round trips only.
        exact = pc.equal(pc.strftime(parsed, format=fmt), date_text)
        parsed = pc.if_else(pc.fill_null(exact, False), parsed, pa.scalar(None, pa.timestamp("s")))
        result = pc.coalesce(result, parsed)
    bad = ~empty & np.asarray(pc.is_null(result))
    minutes, bad_time = parse_times(time_text)
    bad |= bad_time
    midnight = np.asarray(
        pc.fill_null(pc.match_substring_regex(time_text, r"^0?0:00(:00)?$"), False)
    )
    minutes[midnight] = np.nan
    return pc.cast(result, pa.date32()), minutes, bad


def parse_times(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Return (minutes since midnight as float, NaN where blank or bad; mask of non-blank bad times)."""
    empty = blank(values)
    found = pc.extract_regex(values, TIME)
    ok = np.asarray(pc.is_valid(found)) & ~empty
    hours = np.asarray(
        pc.cast(pc.struct_field(found, [0]), pa.float64()).to_numpy(zero_copy_only=False),
        dtype=float,
    )
    mins = np.asarray(
        pc.cast(pc.struct_field(found, [1]), pa.float64()).to_numpy(zero_copy_only=False),
        dtype=float,
    )
    minutes = hours * 60 + mins
    valid = ok & (hours <= 24) & (mins < 60) & (minutes <= 24 * 60)
    bad = ~empty & ~valid
    minutes = np.where(valid, minutes % (24 * 60), np.nan)
    return minutes, bad


def shift_from_minutes(minutes: np.ndarray) -> np.ndarray:
    """Return the SPVM shift of each time: night 00:01–08:00, day 08:01–16:00, evening 16:01–24:00."""
    out = np.full(len(minutes), None, dtype=object)
    known = ~np.isnan(minutes)
    m = np.where(known, minutes, -1)
    out[known & ((m == 0) | (m > 960))] = "evening"
    out[known & (m >= 1) & (m <= 480)] = "night"
    out[known & (m > 480) & (m <= 960)] = "day"
    return out


def normalise_labels(values: pa.Array) -> pa.Array:
    """Return labels trimmed, with runs of spaces folded and case folded, for lookups."""
    text = pc.utf8_normalize(pc.utf8_trim_whitespace(values.cast(pa.string())), "NFC")
    text = pc.replace_substring_regex(text, r"\s+", " ")
    return pc.utf8_lower(text)


def mojibake(values: pa.Array) -> np.ndarray:
    """Return the mask of values that look like text decoded with the wrong encoding."""
    return np.asarray(pc.fill_null(pc.match_substring_regex(values, MOJIBAKE), False))


def map_labels(values: pa.Array, mapping: dict[str, str]) -> tuple[pa.Array, np.ndarray]:
    """Return (mapped values, mask of non-blank values missing from mapping); keys are normalised."""
    keys = {str(normalise_labels(pa.array([k]))[0]): v for k, v in mapping.items()}
    normal = normalise_labels(values)
    index = pc.index_in(normal, value_set=pa.array(list(keys), pa.string()))
    targets = pa.array(list(keys.values()), pa.string())
    mapped = pc.take(targets, index)
    unknown = ~blank(values) & np.asarray(pc.is_null(index))
    return mapped, unknown
