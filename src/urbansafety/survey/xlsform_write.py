"""XLSForm out: write a Questionnaire as a workbook that KoboToolbox, ODK and Enketo accept.

The conventions are those :func:`~urbansafety.survey.xlsform.read_xlsform` reads (see
``xlsform.py``); ``read_xlsform(write_xlsform(q))`` equals ``q`` for any questionnaire read
from a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from urbansafety.errors import InputError
from urbansafety.i18n import N_
from urbansafety.survey.answers import Territories
from urbansafety.survey.evaluate import format_number
from urbansafety.survey.model import (
    Choice,
    Question,
    Questionnaire,
    Text,
)
from urbansafety.survey.xlsform_conventions import (
    LANGUAGE_COLUMNS,
    POSTAL_CODE_APPEARANCE,
    POSTAL_CODE_NAME,
    TERRITORY_PREFIX,
    TRANSLATED,
)


def join_bounds(q: Question) -> str:
    """Return q's constraint with its bounds written in front: . >= 15 and . <= 120 and (…)."""
    parts = [
        f". {op} {format_number(float(v))}"
        for op, v in ((">=", q.minimum), ("<=", q.maximum))
        if v is not None
    ]
    if q.constraint:
        parts.append(f"({q.constraint})" if parts else q.constraint)
    return " and ".join(parts)


def write_xlsform(
    form: Questionnaire, path: str | PathLike[str], *, territories: Territories | None = None
) -> None:
    """Write form as an XLSForm (.xlsx) that KoboToolbox, ODK and read_xlsform accept.

    With territories, each neighbourhood list gets the layer's territories in front of its
    own rows (a form ready to deploy); without, lists are written as they are (round trip).
    """
    languages = list(LANGUAGE_COLUMNS.values())
    translated = [f"{c}::{lang}" for c in TRANSLATED for lang in languages]
    columns = ["type", "name", *translated, "required", "relevant", "constraint"]
    columns += ["choice_filter", "appearance", "calculation"]
    lists = {name: list(choices) for name, choices in form.choice_lists.items()}
    rows: list[dict[str, str]] = []
    for section in form.sections:
        if section.name:
            cells = {"relevant": section.relevant, "appearance": section.appearance}
            rows.append({"type": "begin_group", "name": section.name, **cells})
            rows[-1].update(_texts(label=section.label))
        for q in section.questions:
            rows.append(_question_cells(q))
            if q.type == "neighbourhood":
                name = q.choices or f"{TERRITORY_PREFIX}{q.layer}"
                lists[name] = _territory_rows(territories, q.layer or "", lists.get(name, []))
                if not lists[name]:
                    raise InputError(
                        N_("The neighbourhood list %(list)s has no rows."),
                        N_("Give the territories of layer %(layer)s, or add an “other” row."),
                        params={"list": name, "layer": q.layer},
                    )
        if section.name:
            rows.append({"type": "end_group"})
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "survey"
    _append(sheet, columns, rows)
    extra = list(dict.fromkeys(k for choices in lists.values() for c in choices for k in c.filter))
    choice_rows = [
        {"list_name": name, "name": c.name, **_texts(label=c.label), **c.filter}
        for name, choices in lists.items()
        for c in choices
    ]
    _append(
        book.create_sheet("choices"), ["list_name", "name", *translated[:2], *extra], choice_rows
    )
    settings = {
        "form_title": form.title.get(form.default_language),
        "form_id": form.id,
        "version": form.version,
        "default_language": LANGUAGE_COLUMNS[form.default_language],
        "form_title_fr": form.title.fr,
        "form_title_en": form.title.en,
    }
    _append(book.create_sheet("settings"), list(settings), [settings])
    book.save(Path(path))


def _texts(**texts: Text) -> dict[str, str]:
    cells = {}
    for column, text in texts.items():
        cells[f"{column}::{LANGUAGE_COLUMNS['fr']}"] = text.fr
        cells[f"{column}::{LANGUAGE_COLUMNS['en']}"] = text.en
    return cells


def _append(sheet: Worksheet, columns: list[str], rows: list[dict[str, str]]) -> None:
    sheet.append(columns)
    for cells in rows:
        sheet.append([cells.get(c) or None for c in columns])


def _question_cells(q: Question) -> dict[str, str]:
    kind, appearance = q.type, q.appearance
    if q.type in ("select_one", "select_multiple"):
        kind = f"{q.type} {q.choices}"
    elif q.type == "neighbourhood":
        kind = f"select_one {q.choices or TERRITORY_PREFIX + (q.layer or '')}"
    elif q.type == "postal_code":
        kind = "text"
        if q.name != POSTAL_CODE_NAME:
            appearance = " ".join([*appearance.split(), POSTAL_CODE_APPEARANCE])
    texts = _texts(
        label=q.label, hint=q.hint, required_message=q.required_message,
        constraint_message=q.constraint_message,
    )  # fmt: skip
    return {
        "type": kind, "name": q.name, **texts, "required": "yes" if q.required else "",
        "relevant": q.relevant, "constraint": join_bounds(q), "choice_filter": q.choice_filter,
        "appearance": appearance, "calculation": q.calculation,
    }  # fmt: skip


def _territory_rows(
    territories: Territories | None, layer: str, own: Sequence[Choice]
) -> list[Choice]:
    rows = [
        Choice(code, name if isinstance(name, Text) else Text(name, name))
        for code, name in (territories or {}).get(layer, ())
    ]
    taken = {c.name for c in rows}
    return rows + [c for c in own if c.name not in taken]
