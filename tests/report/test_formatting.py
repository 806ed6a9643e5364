"""Numbers and dates as Québec writes them in French and in English."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from urbansafety.report.excel import excel_format
from urbansafety.report.formatting import (
    d3_format,
    format_cell,
    format_day,
    format_number,
    french_spaces,
    vega_locale,
)
from urbansafety.report.model_table import CHANGE, COUNT, RATE, SHARE, NumberFormat

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "fmt", "fr", "en"),
    [
        (12345.6, RATE, f"12{NBSP}345,6", "12,345.6"),
        (1234567, COUNT, f"1{NBSP}234{NBSP}567", "1,234,567"),
        (np.int64(980), COUNT, "980", "980"),
        (-1234.5, RATE, f"\u22121{NBSP}234,5", "\u22121,234.5"),
        (0.161, SHARE, f"16,1{NBSP}%", "16.1%"),
        (0.0864, CHANGE, f"+8,6{NBSP}%", "+8.6%"),
        (-0.123, CHANGE, f"\u221212,3{NBSP}%", "\u221212.3%"),
        (-0.0001, CHANGE, f"0,0{NBSP}%", "0.0%"),
        (2.345, NumberFormat(decimals=2), "2,35", "2.35"),
        (2.5, COUNT, "3", "3"),
        (0.1235, SHARE, f"12,4{NBSP}%", "12.4%"),
        (None, COUNT, "..", ".."),
        (float("nan"), RATE, "..", ".."),
        (pd.NA, COUNT, "..", ".."),
    ],
)
def test_numbers_in_french_and_english(value: object, fmt: NumberFormat, fr: str, en: str) -> None:
    assert format_number(value, fmt, "fr") == fr
    assert format_number(value, fmt, "en") == en


def test_label_cells_are_left_as_they_are() -> None:
    assert format_cell(2024, None, "fr") == "2024"
    assert format_cell(np.int64(23), None, "fr") == "23"
    assert format_cell(2024.0, None, "fr") == "2024"
    assert format_cell(1.5, None, "fr") == "1,5"
    assert format_cell("Centre-Sud", None, "fr") == "Centre-Sud"
    assert format_cell("x", COUNT, "fr") == "x"
    assert format_cell(date(2024, 5, 2), None, "en") == "May 2, 2024"


def test_dates_in_full_with_the_french_ordinal_first() -> None:
    assert format_day(date(2025, 3, 1), "fr") == "1er mars 2025"
    assert format_day(datetime(2025, 3, 15, 9, 30), "fr") == "15 mars 2025"
    assert format_day(date(2025, 3, 1), "en") == "March 1, 2025"


def test_chart_formats_match_the_table_formats() -> None:
    assert d3_format(COUNT) == ",.0f"
    assert d3_format(RATE, trim=True) == ",.1~f"
    assert d3_format(SHARE) == ",.1%"
    assert d3_format(CHANGE) == "+,.1%"
    french = vega_locale("fr")["number"]
    assert french == {
        "decimal": ",",
        "thousands": NBSP,
        "grouping": [3],
        "currency": ["", f"{NBSP}$"],
        "percent": f"{NBSP}%",
        "minus": "\u2212",
    }
    assert vega_locale("en")["number"]["thousands"] == ","  # type: ignore[index]


def test_excel_formats() -> None:
    assert excel_format(COUNT) == "#,##0"
    assert excel_format(RATE) == "#,##0.0"
    assert excel_format(SHARE) == "#,##0.0%"
    assert excel_format(CHANGE) == "+#,##0.0%;-#,##0.0%;#,##0.0%"


def test_french_spaces() -> None:
    assert (
        french_spaces("1 000 habitants : « oui » ?")
        == f"1{NBSP}000 habitants{NBSP}: «{NBSP}oui{NBSP}»{NBSP}?"
    )
    assert french_spaces("2019 à 2024") == "2019 à 2024"
