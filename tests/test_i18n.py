"""Every user-facing message exists in French and English with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

from urbansafety.i18n import _catalog, translator

SRC = Path(__file__).resolve().parents[1] / "src" / "urbansafety"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdr]")


def code_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(SRC),
        keywords={"N_": None, "_": None, "gettext": None},
        method_map=[("**.py", "python")],
    ):
        if isinstance(message, str) and message:
            found.add(message)
    return found


def test_every_message_in_the_code_has_a_french_translation() -> None:
    french = _catalog("fr")
    messages = code_messages()
    assert len(messages) > 150
    missing = sorted(m for m in messages if not french.get(m))
    assert missing == []


def test_placeholders_are_the_same_in_both_languages() -> None:
    for msgid, msgstr in _catalog("fr").items():
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid


def test_translator_falls_back_to_english_and_french_by_default() -> None:
    assert translator("en")("bad date") == "bad date"
    assert translator("fr")("bad date") == "date invalide"
    assert translator("xx")("bad date") == "date invalide"
    assert translator("fr")("a message nobody wrote") == "a message nobody wrote"
