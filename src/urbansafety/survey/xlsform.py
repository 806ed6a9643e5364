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
from os import PathLike
from pathlib import Path
from typing import Any

from pyxform.errors import PyXFormError
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import get_xlsform

from urbansafety.errors import InputError, Where
from urbansafety.i18n import N_
from urbansafety.survey.model import (
    NUMBER_TYPES,
    Choice,
    Question,
    Questionnaire,
    QuestionnaireError,
    Section,
    Text,
)
from urbansafety.survey.xlsform_bounds import split_bounds
from urbansafety.survey.xlsform_check import XLSFormError, _Checker, _flag
from urbansafety.survey.xlsform_conventions import (
    METADATA_TYPES,
    POSTAL_CODE_APPEARANCE,
    POSTAL_CODE_NAME,
    PYXFORM_TYPES,
    TERRITORY_PREFIX,
    _language,
)


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


class _Reader(_Checker):
    """Checks the raw rows (which know their row numbers), then maps pyxform's JSON to the model."""

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
