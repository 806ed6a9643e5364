"""French and English messages: English msgids, a French Babel catalog."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib.resources import files

from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

LANGUAGES = ("fr", "en")
DOMAIN = "urbansafety"


def N_(message: str) -> str:
    """Return message unchanged; marks it for extraction into the catalogs."""
    return message


@lru_cache(maxsize=4)
def _catalog(lang: str) -> dict[str, str]:
    if lang == "en":
        return {}
    po = files("urbansafety") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


def translator(lang: str) -> Callable[[str], str]:
    """Return a gettext function for lang ('fr' or 'en'); unknown msgids fall back to English."""
    if lang not in LANGUAGES:
        lang = "fr"
    table = _catalog(lang)

    def gettext(message: str) -> str:
        return table.get(message, message)

    return gettext


LOCALES = {"fr": "fr_CA", "en": "en_CA"}


def format_count(value: int, lang: str) -> str:
    """Return a count written as in lang: 120 000 in French, 120,000 in English."""
    return format_decimal(value, locale=LOCALES.get(lang, "fr_CA"))


def format_share(value: float, lang: str) -> str:
    """Return a proportion as a percentage with one decimal: 16,1 % in French, 16.1% in English."""
    return format_percent(
        value,
        format="#,##0.0\u00a0%" if lang == "fr" else "#,##0.0%",
        locale=LOCALES.get(lang, "fr_CA"),
    )
