"""Numbers and dates written as in French or English (Québec typography), for tables and charts."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Literal

import numpy as np
from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import get_day_names, get_month_names
from babel.numbers import format_decimal, format_percent

from urbansafety.i18n import LOCALES
from urbansafety.report.model_table import NumberFormat, is_missing

MINUS = "\u2212"
NBSP = "\u00a0"
# Cell symbols of Statistics Canada's tables: "x" suppressed, ".." not available.
SUPPRESSED = "x"
NOT_AVAILABLE = ".."


_SPACE_IN_NUMBER = re.compile(r"(?<=\d) (?=\d{3}(?!\d))")
_SPACE_BEFORE_SIGN = re.compile(r" (?=[:;!?%»$])")
_SPACE_AFTER_GUILLEMET = re.compile(r"(?<=«) ")


def french_spaces(text: str) -> str:
    """Return text with the spaces French keeps on one line made non-breaking.

    The space that groups digits (1 000), the space before : ; ! ? % $ » and after «.
    """
    text = _SPACE_IN_NUMBER.sub(NBSP, text)
    text = _SPACE_BEFORE_SIGN.sub(NBSP, text)
    return _SPACE_AFTER_GUILLEMET.sub(NBSP, text)


def locale_of(lang: str) -> str:
    """Return the Babel locale of a report language (fr_CA or en_CA)."""
    return LOCALES.get(lang, "fr_CA")


def _pattern(fmt: NumberFormat, lang: str) -> str:
    body = "#,##0" + ("." + "0" * fmt.decimals if fmt.decimals else "")
    if fmt.kind == "percent":
        # French puts a non-breaking space before %, English none.
        body += f"{NBSP}%" if lang == "fr" else "%"
    if fmt.signed:
        return f"+{body};-{body}"
    return body


def format_number(value: object, fmt: NumberFormat, lang: str) -> str:
    """Return value written with fmt in lang: 12 345,6 in French, 12,345.6 in English.

    Halves round up (2,5 → 3). Negative numbers take the minus sign (U+2212), as the charts
    do; missing values are "..".
    """
    if is_missing(value):
        return NOT_AVAILABLE
    if isinstance(value, str):
        return value
    # The shortest decimal that reads back as the float (2.345, not 2.34499…), rounded half
    # up as Statistics Canada does; Babel would round half to even (2.5 → 2).
    number = Decimal(repr(float(value)))  # type: ignore[arg-type]
    pattern = _pattern(fmt, lang)
    with localcontext() as context:
        context.rounding = ROUND_HALF_UP
        if fmt.kind == "percent":
            text = format_percent(number, format=pattern, locale=locale_of(lang))
        else:
            text = format_decimal(number, format=pattern, locale=locale_of(lang))
    if text.lstrip("+-").strip("0,.%\u00a0") == "":
        text = text.lstrip("+-")  # -0,0 and +0,0 read as zero
    return text.replace("-", MINUS)


def format_cell(value: object, fmt: NumberFormat | None, lang: str) -> str:
    """Return a table cell's text: numbers with fmt; without fmt, the value as a label.

    A column with no format is a label column: integers stay as they are (2024, 23 h,
    codes), other numbers only take the language's decimal sign, dates are written in full.
    """
    if is_missing(value):
        return NOT_AVAILABLE
    if fmt is not None and not isinstance(value, str):
        return format_number(value, fmt, lang)
    if isinstance(value, datetime | date):
        return format_day(value, lang)
    if isinstance(value, float | np.floating) and not float(value).is_integer():
        text = repr(float(value))
        return text.replace(".", ",") if lang == "fr" else text
    if isinstance(value, float | np.floating):
        return str(int(value))
    return str(value)


def format_day(day: date | datetime, lang: str) -> str:
    """Return a date in full: « 1er mars 2025 » in French, "March 1, 2025" in English."""
    text = babel_format_date(day, format="long", locale=locale_of(lang))
    if lang == "fr" and day.day == 1:
        text = "1er" + text[1:]  # French writes the first of the month as an ordinal
    return text


def d3_format(fmt: NumberFormat, *, trim: bool = False) -> str:
    """Return the d3-format specifier that writes numbers as fmt does (chart labels, tooltips).

    trim drops trailing zeros, for axis ticks (2, 2,5, 3 rather than 2,0, 2,5, 3,0).
    """
    sign = "+" if fmt.signed else ""
    kind = "%" if fmt.kind == "percent" else "f"
    return f"{sign},.{fmt.decimals}{'~' if trim else ''}{kind}"


def vega_locale(lang: str) -> dict[str, object]:
    """Return the Vega number and time locale of lang (config.locale of a Vega-Lite spec)."""
    locale = locale_of(lang)
    symbols = Locale.parse(locale).number_symbols["latn"]
    days = get_day_names("wide", locale=locale)
    short_days = get_day_names("abbreviated", locale=locale)
    months = get_month_names("wide", locale=locale)
    short_months = get_month_names("abbreviated", locale=locale)
    # d3 lists days from Sunday; Babel numbers them from Monday (0) to Sunday (6).
    order = [6, 0, 1, 2, 3, 4, 5]
    number = {
        "decimal": symbols["decimal"],
        "thousands": symbols["group"],
        "grouping": [3],
        "currency": ["", f"{NBSP}$"] if lang == "fr" else ["$", ""],
        "percent": f"{NBSP}%" if lang == "fr" else "%",
        "minus": MINUS,
    }
    time = {
        "dateTime": "%A %e %B %Y à %X" if lang == "fr" else "%A, %B %e, %Y, %X",
        "date": "%Y-%m-%d",
        "time": "%H:%M:%S" if lang == "fr" else "%I:%M:%S %p",
        "periods": ["AM", "PM"] if lang == "en" else ["", ""],
        "days": [str(days[i]) for i in order],
        "shortDays": [str(short_days[i]) for i in order],
        "months": [str(months[i]) for i in range(1, 13)],
        "shortMonths": [str(short_months[i]) for i in range(1, 13)],
    }
    return {"number": number, "time": time}


def day_names(lang: str, width: Literal["abbreviated", "wide"] = "wide") -> list[str]:
    """Return the names of the days from Monday to Sunday in lang, capitalised as labels."""
    names = get_day_names(width, locale=locale_of(lang))
    return [str(names[i])[:1].upper() + str(names[i])[1:] for i in range(7)]
