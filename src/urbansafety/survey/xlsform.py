"""XLSForm in and out: read a KoboToolbox / ODK form into a Questionnaire, write one back.

The workbook is read and checked by pyxform (``workbook_to_json``, the first half of what
KoboToolbox runs on upload); what pyxform accepts but urbansafety cannot collect is refused
with an :class:`XLSFormError` naming the sheet, the row (the header is row 1) and the column.

Conventions, all plain XLSForm so the same file works in KoboToolbox, ODK and Enketo:

==================  ========================================================================
Languages           ``label::Français (fr)`` / ``label::English (en)`` (also ``label::fr``,
                    ``label::en``, ``label::French``); a column without language is in
                    ``default_language`` (French when the setting is missing).
Sections            ``begin_group`` … ``end_group`` (one level); questions outside any group
                    form unnamed sections.
Neighbourhood       ``select_one territory_LAYER`` (e.g. ``territory_neighbourhood``): the
                    choices are the territories of that workspace layer; rows of the list in
                    the file (e.g. ``other``) are offered after them.
Postal code         a ``text`` question named ``postal_code``, or any ``text`` question whose
                    ``appearance`` includes ``postal-code``: only the FSA (``H2X``) is kept.
Bounds              a ``constraint`` starting with ``. >= MIN`` and/or ``. <= MAX`` on an
                    ``integer`` or ``decimal`` question gives ``minimum`` / ``maximum``.
Likert, matrix      ``appearance`` ``likert`` on a ``select_one``; a group with ``appearance``
                    ``field-list`` (or ``table-list``) of ``select_one`` on one list.
Title               ``form_title`` in the default language; ``form_title_fr`` /
                    ``form_title_en`` (optional, ignored by other tools) give each language.
Ignored             metadata rows (``start``, ``end``, ``today``, ``deviceid``, ``audit`` …),
                    columns starting with ``$`` (KoboToolbox's ``$kuid``, ``$autoname``) and
                    settings other than those above.
Refused             repeats, ``select_*_from_file``, ``or_other``, geopoint / geotrace /
                    geoshape, media, time / dateTime, range, rank, nested groups, and the
                    columns ``default``, ``read_only``, ``trigger``, ``parameters``,
                    ``repeat_count``, ``image`` / ``audio`` / ``video`` / ``media::*``,
                    ``body::*``, ``bind::*``, ``instance::*``.
==================  ========================================================================

``read_xlsform(write_xlsform(q))`` equals ``q`` for any questionnaire read from a file.
"""

from __future__ import annotations

import io
import re
from os import PathLike
from pathlib import Path
from typing import Any

from pyxform.errors import PyXFormError
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import DefinitionData, get_xlsform

from urbansafety.errors import InputError, Where
from urbansafety.i18n import N_
from urbansafety.survey.expressions import (
    Binary,
    Current,
    ExpressionError,
    Negate,
    Node,
    Number,
    parse,
)
from urbansafety.survey.model import (
    NUMBER_TYPES,
    Choice,
    Question,
    Questionnaire,
    QuestionnaireError,
    Section,
    Text,
)

LANGUAGE_COLUMNS = {"fr": "Français (fr)", "en": "English (en)"}
TERRITORY_PREFIX = "territory_"
POSTAL_CODE_APPEARANCE = "postal-code"
POSTAL_CODE_NAME = "postal_code"
METADATA_TYPES = {
    "start", "end", "today", "deviceid", "username", "phonenumber", "simserial",
    "subscriberid", "email", "audit", "imei",
}  # fmt: skip
SIMPLE_TYPES = {
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "text": "text",
    "string": "text",
    "date": "date",
    "note": "note",
    "calculate": "calculate",
}
REFUSED_COLUMNS = {
    "default", "read_only", "readonly", "trigger", "parameters", "repeat_count", "jr:count",
    "count", "image", "big-image", "audio", "video", "media", "body", "bind", "instance",
}  # fmt: skip
PYXFORM_TYPES = {
    "select one": "select_one",
    "select all that apply": "select_multiple",
    **SIMPLE_TYPES,
}
MEDIA_COLUMNS = ("image", "big-image", "audio", "video", "media")
TRANSLATED = ("label", "hint", "required_message", "constraint_message")
_SELECT = re.compile(
    r"(?P<kind>select[ _]one|select[ _]multiple|select all that apply)"
    r"(?P<file>_from_file|_external| from file)?(?: (?P<list>\S+))?(?P<other> or_other)?\Z"
)
_LANG_CODE = re.compile(r"\(\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?\s*\)\s*\Z")
_LANG_NAMES = {"french": "fr", "français": "fr", "francais": "fr", "english": "en", "anglais": "en"}
_LANG_NAMES.update({code: code for code in ("fr", "en")})
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


def read_xlsform(source: str | PathLike[str] | bytes, *, filename: str = "") -> Questionnaire:
    """Return the questionnaire of an XLSForm (.xlsx or .xls path, or the bytes of an .xlsx)."""
    if isinstance(source, bytes):
        file, data = filename or "form.xlsx", source
    else:
        path = Path(source)
        file = filename or path.name
        if not path.is_file():
            params: dict[str, object] = {"file": str(path)}
            where = Where(file=str(path))
            raise InputError(N_("The file %(file)s does not exist."), where=where, params=params)
        data = path.read_bytes()
    try:
        kind = ".xls" if file.lower().endswith(".xls") else ".xlsx"
        book = get_xlsform(io.BytesIO(data), file_type=kind)
    except PyXFormError as exc:
        raise InputError(
            N_("This file cannot be read as an XLSForm workbook."),
            N_("Give the .xlsx file exported by KoboToolbox or saved from Excel."),
            where=Where(file=file),
        ) from exc
    reader = _Reader(file, book)
    reader.check_headers()
    reader.check_survey()
    reader.check_choices()
    try:
        stem = Path(file).stem
        form = workbook_to_json(book, form_name=stem, fallback_form_name=stem, warnings=[])
    except PyXFormError as exc:
        raise reader.pyxform_error(str(exc)) from exc
    return reader.build(form)


class _Reader:
    """Checks the raw rows (which know their row numbers), then maps pyxform's JSON to the model."""

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

    def text(self, value: Any) -> Text:
        if not value:
            return Text()
        if isinstance(value, str):
            value = {"default": value}
        texts = {"fr": "", "en": ""}
        for lang, text in value.items():
            code = self.default if lang == "default" else _language(lang)
            if code in texts:
                texts[code] = str(text)
        return Text(texts["fr"], texts["en"])

    def build(self, form: dict[str, Any]) -> Questionnaire:
        sections: list[Section] = []
        loose: list[Question] = []  # questions outside any group, since the last group
        for child in form.get("children", []):
            if child.get("type") != "group":
                if (q := self.question(child)) is not None:
                    loose.append(q)
                continue
            if child.get("control", {}).get("bodyless"):
                continue  # the meta group pyxform adds
            if loose:
                sections.append(Section("", questions=tuple(loose)))
                loose = []
            questions = tuple(q for c in child.get("children", []) if (q := self.question(c)))
            relevant = child.get("bind", {}).get("relevant", "")
            appearance = child.get("control", {}).get("appearance", "")
            label = self.text(child.get("label"))
            sections.append(Section(child["name"], label, questions, relevant, appearance))
        if loose:
            sections.append(Section("", questions=tuple(loose)))
        lists = {
            name: tuple(self.choice(c) for c in choices)
            for name, choices in form.get("choices", {}).items()
        }
        title = self.settings.get("form_title", "")
        fr = self.settings.get("form_title_fr") or (title if self.default == "fr" else "")
        en = self.settings.get("form_title_en") or (title if self.default == "en" else "")
        identifier, version = str(form.get("id_string", "")), str(form.get("version", ""))
        try:
            return Questionnaire(
                identifier, version, Text(fr, en), self.default, tuple(sections), lists
            )
        except QuestionnaireError as exc:
            raise self.locate(exc) from exc

    def choice(self, cells: dict[str, Any]) -> Choice:
        # Columns other than name and label (e.g. district) are read by choice filters.
        columns = {
            k: str(v)
            for k, v in cells.items()
            if k not in ("name", "label", "media") and not k.startswith("$")
        }
        return Choice(cells["name"], self.text(cells.get("label")), columns)

    def question(self, child: dict[str, Any]) -> Question | None:
        kind = str(child.get("type", ""))
        if kind in METADATA_TYPES:
            return None
        name, bind = child["name"], child.get("bind", {})
        list_name = child.get("list_name") or child.get("itemset")
        qtype = PYXFORM_TYPES.get(kind, kind)
        layer = None
        if list_name and list_name.startswith(TERRITORY_PREFIX):
            if qtype != "select_one":
                raise self.error("territory", "survey", self.rows.get(name), "type")
            qtype, layer = "neighbourhood", list_name[len(TERRITORY_PREFIX) :]
        tokens = child.get("control", {}).get("appearance", "").split()
        if qtype == "text" and (POSTAL_CODE_APPEARANCE in tokens or name == POSTAL_CODE_NAME):
            qtype = "postal_code"
            tokens = [t for t in tokens if t != POSTAL_CODE_APPEARANCE]
        constraint, low, high = bind.get("constraint", ""), None, None
        if qtype in NUMBER_TYPES and constraint:
            low, high, constraint = split_bounds(constraint)
        return Question(
            name, qtype, self.text(child.get("label")), self.text(child.get("hint")),
            required=bool(_flag(bind.get("required", ""))),
            required_message=self.text(bind.get("jr:requiredMsg")),
            relevant=bind.get("relevant", ""),
            constraint=constraint,
            constraint_message=self.text(bind.get("jr:constraintMsg")),
            choices=list_name, choice_filter=child.get("choice_filter", ""),
            minimum=low, maximum=high, appearance=" ".join(tokens), layer=layer,
            calculation=bind.get("calculate", ""),
        )  # fmt: skip

    def locate(self, exc: QuestionnaireError) -> XLSFormError:
        """Return exc placed in the workbook: the sheet, row and column of its question or choice."""
        sheet, row, column = "survey", self.rows.get(exc.question or ""), exc.field
        if exc.field == "default_language":
            sheet, row, column = "settings", 2, "default_language"
        elif exc.choice_list is not None:
            key = (exc.choice_list, str(exc.params.get("choice", "")))
            sheet, row, column = "choices", self.choice_rows.get(key), exc.field
        params = {k: v for k, v in exc.params.items() if k != "sheet"}
        return XLSFormError(
            exc.template, exc.hint_template, file=self.file, sheet=sheet, row=row, column=column,
            params=params,
        )  # fmt: skip


def _language(name: str) -> str | None:
    m = _LANG_CODE.search(name)
    code = m[1].lower() if m else _LANG_NAMES.get(name.strip().lower())
    return code if code in LANGUAGE_COLUMNS else None


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


def _bound(node: Node) -> float | None:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Negate) and isinstance(node.operand, Number):
        return -node.operand.value
    return None


def split_bounds(constraint: str) -> tuple[float | None, float | None, str]:
    """Return (minimum, maximum, rest) of a constraint that starts with . >= MIN and/or . <= MAX."""
    try:
        node = parse(constraint)
    except ExpressionError:
        return None, None, constraint  # the questionnaire check reports it
    parts: list[Node] = []
    while isinstance(node, Binary) and node.op == "and":
        parts.insert(0, node.right)
        node = node.left
    parts.insert(0, node)
    low = high = None
    while parts:
        part = parts[0]
        if not (
            isinstance(part, Binary) and part.op in (">=", "<=") and isinstance(part.left, Current)
        ):
            break
        value = _bound(part.right)
        if value is None or (low if part.op == ">=" else high) is not None:
            break
        low, high = (value, high) if part.op == ">=" else (low, value)
        parts.pop(0)
    if not parts:
        return low, high, ""
    rest = constraint[parts[0].start : parts[-1].end].strip()
    if len(parts) == 1 and rest.startswith("(") and rest.endswith(")"):
        try:
            if parse(rest[1:-1]) == parts[0]:
                rest = rest[1:-1].strip()  # the parentheses write_xlsform adds
        except ExpressionError:
            pass
    return low, high, rest
