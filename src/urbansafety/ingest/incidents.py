"""Validate a raw incident table against its mapping and build canonical incident rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from urbansafety import taxonomy
from urbansafety.errors import InputError, Where
from urbansafety.i18n import N_
from urbansafety.ingest import validate as v
from urbansafety.ingest.mapping import Mapping
from urbansafety.ingest.rawtable import RawTable, require_columns

CANONICAL_SHIFTS = {"day": "day", "evening": "evening", "night": "night"}


@dataclass
class ParsedIncidents:
    """Accepted incident rows (canonical columns, coordinates not yet located) and rejects."""

    table: pa.Table
    rejects: v.Rejects
    rows_read: int


def _column(raw: RawTable, mapping: Mapping, name: str) -> pa.ChunkedArray | None:
    col = mapping.columns.get(name)
    if col is None:
        return None
    return raw.table.column(col)


def _integer_codes(values: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Return codes written as integers ("30.0" → "30") and the mask of non-integer values."""
    text = pc.utf8_trim_whitespace(values)
    ok = np.asarray(pc.fill_null(pc.match_substring_regex(text, r"^\d+(\.0*)?$"), False))
    bad = ~v.blank(values) & ~ok
    codes = pc.replace_substring_regex(text, r"\.0*$", "")
    codes = pc.if_else(pa.array(ok), codes, pa.scalar(None, pa.string()))
    return codes, bad


def parse_incidents(
    raw: RawTable, mapping: Mapping, *, today: dt.date | None = None
) -> ParsedIncidents:
    """Return the canonical incidents of raw (one per accepted row) and every reject with its reason."""
    cols = mapping.columns
    needed = [cols[f] for f in ("date",) if f in cols]
    if "date" not in cols or not ({"category", "violation_code"} & set(cols)):
        raise InputError(
            N_("The mapping must name a date column and a category or violation_code column."),
            where=Where(file=mapping.file or raw.file),
        )
    needed += [c for f, c in cols.items() if f != "date"]
    if mapping.key:
        needed.append(mapping.key)
    require_columns(raw, list(dict.fromkeys(needed)), ", ".join(dict.fromkeys(needed)))
    rows = raw.rows
    n = len(rows)
    rejects = v.Rejects()
    rejects.add_lines(
        [r for r, _ in raw.bad_lines], [t for _, t in raw.bad_lines], v.REASON_WRONG_FIELDS
    )

    # Dates, and the time of day when the file has one.
    date_values = _column(raw, mapping, "date")
    assert date_values is not None
    dates, minutes, bad_date, empty_date = v.by_value(
        date_values, lambda d: (*v.parse_dates(d, mapping.date_formats), v.blank(d))
    )
    rejects.add(rows, cols["date"], date_values, empty_date, v.REASON_EMPTY_DATE)
    rejects.add(rows, cols["date"], date_values, bad_date, v.REASON_BAD_DATE)
    today = today or dt.date.today()
    years = np.asarray(pc.fill_null(pc.year(dates), 0))
    out_of_range = ~np.asarray(pc.is_null(dates)) & (
        (years < 1900)
        | (dates.to_numpy(zero_copy_only=False) > np.datetime64(today + dt.timedelta(days=1)))
    )
    rejects.add(rows, cols["date"], date_values, out_of_range, v.REASON_DATE_RANGE)
    time_values = _column(raw, mapping, "time")
    if time_values is not None:
        minutes, bad_time = v.by_value(time_values, v.parse_times)
        rejects.add(rows, cols["time"], time_values, bad_time, v.REASON_BAD_TIME)

    # Shift: given (jour/soir/nuit…) or derived from the time.
    shift_values = _column(raw, mapping, "shift")
    if shift_values is not None:
        shift_map = {**CANONICAL_SHIFTS, **mapping.shifts}
        shift, unknown_shift = v.by_value(shift_values, lambda a: v.map_labels(a, shift_map))
        rejects.add(rows, cols["shift"], shift_values, unknown_shift, v.REASON_UNKNOWN_SHIFT)
        shift_arr = shift
        if not np.isnan(minutes).all():
            shift_arr = pc.coalesce(shift, pa.array(v.shift_from_minutes(minutes), pa.string()))
    else:
        shift_arr = pa.array(v.shift_from_minutes(minutes), pa.string())

    # Category: from a UCR2 violation code, or from a label through the category maps.
    known = taxonomy.categories()
    category = pa.nulls(n, pa.string())
    source_category = pa.nulls(n, pa.string())
    violation = pa.nulls(n, pa.string())
    code_values = _column(raw, mapping, "violation_code")
    label_values = _column(raw, mapping, "category")
    code_ok = np.zeros(n, dtype=bool)
    if code_values is not None:
        codes, _, empty_code = v.by_value(code_values, lambda a: (*_integer_codes(a), v.blank(a)))
        table = taxonomy.ucr2_violations()
        index = pc.index_in(codes, value_set=pa.array(list(table), pa.string()))
        category = pc.take(pa.array([t.category for t in table.values()], pa.string()), index)
        code_ok = np.asarray(pc.is_valid(index))
        violation = pc.if_else(pa.array(code_ok), codes, pa.scalar(None, pa.string()))
        unknown_code = ~empty_code & ~code_ok
        rejects.add(rows, cols["violation_code"], code_values, unknown_code, v.REASON_UNKNOWN_CODE)
        if label_values is None:
            rejects.add(
                rows,
                cols["violation_code"],
                code_values,
                empty_code,
                v.REASON_EMPTY_CATEGORY,
            )
    if label_values is not None:
        labels = {**{c: c for c in known}, **taxonomy.spvm_categories(), **mapping.categories}
        bad_target = sorted(set(mapping.categories.values()) - set(known))
        if bad_target:
            raise InputError(
                N_("The mapping sends categories to unknown canonical codes: %(codes)s."),
                hint=N_("Canonical categories: %(known)s."),
                where=Where(file=mapping.file),
                params={"codes": ", ".join(bad_target), "known": ", ".join(known)},
            )
        mapped, unknown_label, garbled, empty_label, trimmed = v.by_value(
            label_values,
            lambda a: (
                *v.map_labels(a, labels),
                v.mojibake(a),
                v.blank(a),
                pc.utf8_trim_whitespace(a),
            ),
        )
        need = ~code_ok  # a valid violation code wins over the label
        rejects.add(rows, cols["category"], label_values, need & garbled, v.REASON_MOJIBAKE)
        rejects.add(
            rows,
            cols["category"],
            label_values,
            need & unknown_label & ~garbled,
            v.REASON_UNKNOWN_CATEGORY,
        )
        rejects.add(
            rows,
            cols["category"],
            label_values,
            need & empty_label,
            v.REASON_EMPTY_CATEGORY,
        )
        category = mapped if code_values is None else pc.coalesce(category, mapped)
        source_category = trimmed
    groups = {c: k.group for c, k in known.items()}
    (crime_group,) = v.by_value(
        category,
        lambda a: (
            pc.take(
                pa.array(list(groups.values()), pa.string()),
                pc.index_in(a, value_set=pa.array(list(groups), pa.string())),
            ),
        ),
    )

    # District attribute (e.g. SPVM's PDQ, written "30.0").
    district = pa.nulls(n, pa.string())
    district_values = _column(raw, mapping, "district")
    if district_values is not None:
        district, bad_district = v.by_value(district_values, _integer_codes)
        if mapping.numeric_district:
            rejects.add(rows, cols["district"], district_values, bad_district, v.REASON_BAD_NUMBER)
        else:
            district = pc.coalesce(district, pc.utf8_trim_whitespace(district_values))

    coords: dict[str, np.ndarray] = {}
    for name in ("x", "y", "lon", "lat"):
        values = _column(raw, mapping, name)
        if values is None:
            coords[name] = np.full(n, np.nan)
            continue
        if pa.types.is_floating(values.type):  # read as numbers: every value is one
            coords[name] = np.asarray(values.to_numpy(), dtype=float)
            continue
        coords[name], bad_number = v.by_value(values, v.parse_numbers)
        rejects.add(rows, cols[name], values, bad_number, v.REASON_BAD_NUMBER)

    key = pa.nulls(n, pa.string())
    if mapping.key:
        key_values = raw.table.column(mapping.key).combine_chunks()
        key = pc.utf8_trim_whitespace(key_values)
        rejects.add(rows, mapping.key, key_values, v.blank(key_values), v.REASON_EMPTY_KEY)
        duplicate = _later_duplicates(key) & ~v.blank(key_values)
        rejects.add(rows, mapping.key, key_values, duplicate, v.REASON_DUPLICATE_KEY)

    bad_rows = rejects.rejected_rows()
    occurred_at = _timestamps(dates, minutes)
    table = pa.table(
        {
            "source_row": pa.array(rows, pa.int64()),
            "source_key": key,
            "occurred_on": dates,
            "occurred_at": occurred_at,
            "shift": shift_arr,
            "category": category,
            "crime_group": crime_group,
            "source_category": source_category,
            "violation_code": violation,
            "district": district,
            "x_in": pa.array(coords["x"]),
            "y_in": pa.array(coords["y"]),
            "lon_in": pa.array(coords["lon"]),
            "lat_in": pa.array(coords["lat"]),
        }
    )
    if len(bad_rows):
        table = table.filter(pa.array(~np.isin(rows, bad_rows)))
    return ParsedIncidents(table=table, rejects=rejects, rows_read=raw.rows_read)


def _later_duplicates(values: pa.Array) -> np.ndarray:
    """Return the mask of values equal to an earlier value (the first occurrence is kept)."""
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.unify_dictionaries().combine_chunks()
    index = np.asarray(pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False))
    mask = index >= 0
    first = np.unique(index, return_index=True)[1]
    mask[first] = False
    return mask


def _timestamps(dates: pa.Array, minutes: np.ndarray) -> pa.Array:
    """Return date + time where the time is known, else null."""
    known = ~np.isnan(minutes)
    if not known.any():
        return pa.nulls(len(minutes), pa.timestamp("s"))
    days = dates.cast(pa.timestamp("s")).to_numpy(zero_copy_only=False)
    stamps = days + (np.nan_to_num(minutes).astype(np.int64) * 60).astype("timedelta64[s]")
    return pa.array(stamps, pa.timestamp("s"), mask=~known | np.isnat(days))
