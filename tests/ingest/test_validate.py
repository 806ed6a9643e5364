"""Vectorised parsers: dates, numbers, times, shifts, label maps, mojibake."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numpy.testing import assert_array_equal

from urbansafety.ingest import validate as v


def test_dates_strict_with_optional_time() -> None:
    values = pa.array(
        [
            "2018-09-13",
            "2016-07-12 00:00:00",
            "2019-01-02 13:45",
            "bad",
            "",
            None,
            "2019-02-30",
            "2019-01-01 25:00",
        ]
    )
    dates, minutes, bad = v.parse_dates(values, ("%Y-%m-%d",))
    assert [str(d) if d else None for d in dates.to_pylist()] == [
        "2018-09-13",
        "2016-07-12",
        "2019-01-02",
        None,
        None,
        None,
        None,
        "2019-01-01",
    ]
    assert_array_equal(bad, [False, False, False, True, False, False, True, True])
    assert np.isnan(minutes[1]) and minutes[2] == 13 * 60 + 45


def test_numbers_accept_decimal_comma_and_reject_text() -> None:
    numbers, bad = v.parse_numbers(
        pa.array(["30.0", " 12 ", "45,5", "abc", "", None, "1e3", "-73.6", "1.2.3"])
    )
    assert_array_equal(bad, [False, False, False, True, False, False, False, False, True])
    assert numbers[0] == 30 and numbers[2] == 45.5 and numbers[6] == 1000 and numbers[7] == -73.6
    assert np.isnan(numbers[[3, 4, 5, 8]]).all()


def test_shifts_follow_the_spvm_definition() -> None:
    minutes, bad = v.parse_times(
        pa.array(
            ["00:00", "00:01", "08:00", "08:01", "16:00", "16:01", "23:59", "24:00", "7h30", "x"]
        )
    )
    assert bad.tolist() == [False] * 9 + [True]
    shifts = v.shift_from_minutes(minutes)
    assert shifts.tolist() == [
        "evening",
        "night",
        "night",
        "day",
        "day",
        "evening",
        "evening",
        "evening",
        "night",
        None,
    ]


def test_labels_are_matched_loosely_but_mojibake_is_caught() -> None:
    mapping = {"Méfait": "mischief", "Vol dans / sur véhicule à moteur": "theft_from_vehicle"}
    values = pa.array(
        ["Méfait", " MÉFAIT ", "Vol  dans / sur véhicule à moteur", "MÃ©fait", "M\ufffdfait", ""]
    )
    mapped, unknown = v.map_labels(values, mapping)
    assert mapped.to_pylist() == ["mischief", "mischief", "theft_from_vehicle", None, None, None]
    assert unknown.tolist() == [False, False, False, True, True, False]
    assert v.mojibake(values).tolist() == [False, False, False, True, True, False]


def test_rejects_table_orders_rows_and_counts_each_row_once() -> None:
    r = v.Rejects()
    rows = np.array([2, 3, 4])
    vals = pa.array(["a", "b", "c"])
    r.add(rows, "DATE", vals, np.array([False, True, True]), v.REASON_BAD_DATE)
    r.add(rows, "X", vals, np.array([False, True, False]), v.REASON_BAD_NUMBER)
    r.add_lines([5], ["garbage"], v.REASON_WRONG_FIELDS)
    table = r.table()
    assert table.column("row").to_pylist() == [3, 3, 4, 5]
    assert r.rejected_rows().tolist() == [3, 4, 5]
