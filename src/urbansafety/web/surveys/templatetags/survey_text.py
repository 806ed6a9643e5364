"""Template filters for questionnaire texts: the little Markdown that XLSForm labels use."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_BULLET = re.compile(r"^\s*(?:[•*\-])\s+")


def _inline(text: str) -> str:
    return _ITALIC.sub(r"<em>\1</em>", _BOLD.sub(r"<strong>\1</strong>", escape(text)))


@register.filter
def note_html(text: str) -> SafeString:
    """Return a note's text as HTML: paragraphs, bullet lists, **bold** and *italic* (escaped)."""
    blocks: list[str] = []
    for block in re.split(r"\n\s*\n", str(text).strip()):
        lines = [line for line in block.splitlines() if line.strip()]
        if lines and all(_BULLET.match(line) for line in lines):
            items = "".join(f"<li>{_inline(_BULLET.sub('', line))}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif lines:
            blocks.append("<p>" + "<br>".join(_inline(line) for line in lines) + "</p>")
    return mark_safe("".join(blocks))


@register.filter
def inline_text(text: str) -> SafeString:
    """Return a label as HTML with **bold** and *italic* (escaped)."""
    return mark_safe(_inline(str(text)))
