"""XLSForm checks: what pyxform accepts but urbansafety cannot collect, refused with its cell."""

from __future__ import annotations

import re

from pyxform.xls2json_backends import DefinitionData

from urbansafety.errors import InputError, Where
from urbansafety.i18n import N_
from urbansafety.survey.xlsform_conventions import (
    MEDIA_COLUMNS,
    METADATA_TYPES,
    REFUSED_COLUMNS,
    SIMPLE_TYPES,
    TRANSLATED,
    _language,
)

_SELECT = re.compile(
    r"(?P<kind>select[ _]one|select[ _]multiple|select all that apply)"
    r"(?P<file>_from_file|_external| from file)?(?: (?P<list>\S+))?(?P<other> or_other)?\Z"
)
# kind -> (message, hint); English msgids, translated when shown.
MESSAGES: dict[str, tuple[str, str]] = {
    "repeat": (N_("Repeats (%(type)s) are not supported."), N_("Ask a fixed number of questions instead, e.g. about the most recent incident.")),
    "file": (N_("Choices from a file (%(type)s) are not supported."), N_("Put the choices on the choices sheet; for territories use select_one territory_LAYER.")),
    "other": (N_("“or_other” is not supported (%(type)s)."), N_("Add an “other” choice and a text question shown when it is selected.")),
    "geo": (N_("Locations on a map (%(type)s) are not supported."), N_("Ask for the neighbourhood (select_one territory_LAYER) or the postal code instead.")),
    "type": (N_("The question type %(type)s is not supported."), N_("Supported types: select_one, select_multiple, integer, decimal, text, date, note, calculate, begin_group, end_group.")),
    "nested": (N_("Groups inside groups are not supported."), N_("Keep one level of groups: end the outer group first, or merge the two.")),
    "column": (N_("The column %(header)s is not supported."), N_("Empty this cell, or delete the column.")),
    "required": (N_("“required” must be yes or no, not %(value)s."), N_("A question is either always required or never; use relevant to skip it.")),
    "language": (N_("Only French and English are supported, not %(language)s."), N_("Delete the column, or name its language Français (fr) or English (en).")),
    "territory": (N_("A territory list can only be used by select_one."), N_("Use select_one territory_LAYER, or another list name.")),
    "no_survey": (N_("The workbook has no “survey” sheet."), N_("An XLSForm needs the sheets survey, choices and settings.")),
    "pyxform": (N_("This is not a valid XLSForm: %(detail)s"), N_("Correct the cell named here, in Excel or KoboToolbox, and import the form again.")),
}  # fmt: skip


class XLSFormError(InputError):
    """An XLSForm cannot be imported; ``sheet``, ``where.row`` and ``where.column`` say where."""

    code = "US120"

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        file: str,
        sheet: str,
        row: int | None = None,
        column: str | None = None,
        params: dict[str, object] | None = None,
    ) -> None:
        where = Where(file=f"{file} [{sheet}]", row=row, column=column)
        super().__init__(message, hint, where, {"sheet": sheet, **(params or {})})
        self.sheet = sheet


class _Checker:
    """Checks the raw rows of a workbook, which know their row numbers, before pyxform reads it."""

    def __init__(self, file: str, book: DefinitionData) -> None:
        self.file = file
        self.book = book
        self.rows: dict[str, int] = {}  # question or group name -> row
        self.choice_rows: dict[tuple[str, str], int] = {}
        settings = list(book.settings or [])
        self.settings: dict[str, str] = dict(settings[0]) if settings else {}
        self.default = _language(self.settings.get("default_language", "")) or "fr"

    def error(
        self, kind: str, sheet: str, row: int | None, column: str | None, **params: object
    ) -> XLSFormError:
        message, hint = MESSAGES[kind]
        return XLSFormError(
            message, hint, file=self.file, sheet=sheet, row=row, column=column, params=params
        )

    def check_headers(self) -> None:
        if self.book.survey is None:
            raise self.error("no_survey", "survey", None, None)
        headers = {"survey": self.book.survey_header, "choices": self.book.choices_header}
        for sheet, header in headers.items():
            for column in (header or [{}])[0]:
                base, _, lang = column.partition("::")
                translated = base.strip().lower() in (*TRANSLATED, "guidance_hint")
                if lang and translated and _language(lang) is None:
                    raise self.error("language", sheet, 1, column, language=lang)

    def check_survey(self) -> None:
        depth = 0
        for i, cells in enumerate(self.book.survey or [], start=2):
            kind = " ".join(str(cells.get("type", "")).split())
            low = kind.lower()
            if cells.get("name"):
                self.rows.setdefault(cells["name"], i)
            if not kind or low in METADATA_TYPES:
                continue
            if low in ("begin_group", "begin group"):
                depth += 1
                if depth > 1:
                    raise self.error("nested", "survey", i, "type")
            elif low in ("end_group", "end group"):
                depth = max(depth - 1, 0)
            elif not (low in SIMPLE_TYPES or _select_list(kind)):
                raise self.error(_family(kind), "survey", i, "type", type=kind)
            for column, value in cells.items():
                base = column.split("::")[0].strip().lower()
                if column.startswith("$") or not value:
                    continue
                # read_only = no is the default, harmless; any other refused cell is an error.
                harmless = base in ("read_only", "readonly") and _flag(value) is False
                refused = base in REFUSED_COLUMNS and not harmless
                if refused or (base in ("calculation", "calculate") and low != "calculate"):
                    raise self.error("column", "survey", i, column, header=column)
                if base == "required" and _flag(value) is None:
                    raise self.error("required", "survey", i, column, value=value)

    def check_choices(self) -> None:
        for i, cells in enumerate(self.book.choices or [], start=2):
            key = (cells.get("list_name") or cells.get("list name") or "", cells.get("name", ""))
            self.choice_rows.setdefault(key, i)
            for column, value in cells.items():
                if value and column.split("::")[0].strip().lower() in MEDIA_COLUMNS:
                    raise self.error("column", "choices", i, column, header=column)

    def pyxform_error(self, text: str) -> XLSFormError:
        """Return pyxform's message (English only) with its sheet, row and column pulled out."""
        row = re.search(r"\[row : (\d+)\]", text)
        sheet = re.search(r"On the '(\w+)' sheet", text)
        column = re.search(r"the '([^']+)' (?:value|column)", text)
        name = column[1] if column else ("type" if "List name" in text else None)
        detail = re.sub(r"^\[row : \d+\]\s*", "", text).strip()
        where = (sheet[1] if sheet else "survey", int(row[1]) if row else None, name)
        return self.error("pyxform", *where, detail=detail)


def _flag(value: str) -> bool | None:
    low = value.strip().lower()
    if low in ("yes", "true", "true()", "1"):
        return True
    return False if low in ("", "no", "false", "false()", "0") else None


def _select_list(kind: str) -> str | None:
    m = _SELECT.match(kind)
    return m["list"] if m and m["list"] and not m["file"] and not m["other"] else None


def _family(kind: str) -> str:
    low = kind.lower()
    m = _SELECT.match(kind)
    if "repeat" in low:
        return "repeat"
    if m and m["file"]:
        return "file"
    if m and m["other"]:
        return "other"
    geo = low.split()[0] in ("geopoint", "geotrace", "geoshape", "start-geopoint")
    return "geo" if geo else "type"
