"""XLSForm spellings read and written: language columns, types, columns, territory lists."""

from __future__ import annotations

import re

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
_LANG_CODE = re.compile(r"\(\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?\s*\)\s*\Z")
_LANG_NAMES = {"french": "fr", "français": "fr", "francais": "fr", "english": "en", "anglais": "en"}
_LANG_NAMES.update({code: code for code in ("fr", "en")})


def _language(name: str) -> str | None:
    m = _LANG_CODE.search(name)
    code = m[1].lower() if m else _LANG_NAMES.get(name.strip().lower())
    return code if code in LANGUAGE_COLUMNS else None
