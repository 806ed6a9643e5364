"""Translated labels of the portrait sections, and numbers written in the report's language."""

from __future__ import annotations

from urbansafety import taxonomy
from urbansafety.i18n import N_, translator

TOTAL = N_("Total")


class Labels:
    """Translated labels for categories, groups and the report's fixed words."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._ = translator(lang)

    def category(self, code: str) -> str:
        c = taxonomy.categories().get(code)
        return code if c is None else (c.label_fr if self.lang == "fr" else c.label_en)

    def group(self, code: str) -> str:
        fr, en = taxonomy.groups().get(code, (code, code))
        return fr if self.lang == "fr" else en


def _fmt(value: float, lang: str, decimals: int = 0) -> str:
    from babel.numbers import format_decimal

    from urbansafety.i18n import LOCALES

    fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=fmt, locale=LOCALES[lang])


def _signed_pct(value: float, lang: str, *, sign: bool = True) -> str:
    text = _fmt(abs(value), lang, 1) + ("\u00a0%" if lang == "fr" else "%")
    if not sign:
        return text
    return ("+" if value >= 0 else "−") + text
