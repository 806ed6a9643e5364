"""Every user-facing message exists in French and English with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

from urbansafety.i18n import _catalog, translator

ROOT = Path(__file__).resolve().parents[1]

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


def template_messages(folder: Path = SRC / "web" / "templates") -> list[str | tuple[str, str]]:
    """Return the msgids of the Django templates in folder (as `make messages` extracts them)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "fr_messages", ROOT / "scripts" / "fr_messages.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.template_messages(folder))


def test_template_extraction_takes_any_indentation(tmp_path: Path) -> None:
    # A tag then indented markup: Django's templatize keeps the indentation of what it blanks
    # out, which Python's tokenizer once refused ("unindent does not match").
    (tmp_path / "t.html").write_text(
        '{% load i18n %}<table>\n    <tr><th>{% translate "Row" %}</th></tr>\n  </table>\n'
        "<p>{% blocktranslate %}Two\n  lines{% endblocktranslate %}</p>\n",
        encoding="utf-8",
    )
    assert template_messages(tmp_path) == ["Row", "Two\n  lines"]


def test_every_message_in_the_web_templates_has_a_french_translation() -> None:
    from babel.messages.pofile import read_po

    po = SRC / "locale" / "fr" / "LC_MESSAGES" / "urbansafety.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    messages = template_messages()
    assert "Skip to content" in messages
    assert (
        "There is %(counter)s problem to fix",
        "There are %(counter)s problems to fix",
    ) in messages
    missing = []
    for message_id in messages:
        entry = catalog.get(message_id)
        strings = entry.string if entry is not None else ""
        if not strings or (isinstance(strings, tuple) and not all(strings)):
            missing.append(message_id)
    assert missing == []


def test_djangos_compiled_catalog_matches_the_po() -> None:
    import gettext as gnu

    from babel.messages.pofile import read_po

    folder = SRC / "locale" / "fr" / "LC_MESSAGES"
    with (folder / "urbansafety.po").open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    with (folder / "django.mo").open("rb") as fh:
        compiled = gnu.GNUTranslations(fh)
    count = 0
    for message in catalog:
        if not message.id or not message.string:
            continue
        count += 1
        if isinstance(message.id, tuple):
            assert compiled.ngettext(message.id[0], message.id[1], 1) == message.string[0]
            assert compiled.ngettext(message.id[0], message.id[1], 5) == message.string[1]
        else:
            assert compiled.gettext(message.id) == message.string, message.id
    assert count > 150


def test_django_finds_the_french_of_the_web_pages() -> None:
    import gettext as gnu

    with (SRC / "locale" / "fr" / "LC_MESSAGES" / "django.mo").open("rb") as fh:
        compiled = gnu.GNUTranslations(fh)
    assert compiled.gettext("Skip to content") == "Aller au contenu"
    assert compiled.gettext("Please answer this question.") == "Veuillez répondre à cette question."


def test_placeholders_are_the_same_in_both_languages() -> None:
    for msgid, msgstr in _catalog("fr").items():
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid


def test_translator_falls_back_to_english_and_french_by_default() -> None:
    assert translator("en")("bad date") == "bad date"
    assert translator("fr")("bad date") == "date invalide"
    assert translator("xx")("bad date") == "date invalide"
    assert translator("fr")("a message nobody wrote") == "a message nobody wrote"
