"""Per-process cache of the one-page form's blank questions, rendered once per form and language.

A fresh respondent's GET of ``/s/<slug>/all/`` (no answers, no errors, no invitation token)
shows the same questions to everyone: their HTML is rendered once per process, campaign, form
version (``Campaign.form_sha256``) and language, then only the small outer page (CSRF token,
submission key, language switch) is rendered per request. An entry is used only while it was
rendered from the very questionnaire and territory list that ``formcache`` returns now, so a
replaced form or a changed store renders again. At most ``MAX_ENTRIES`` are kept (oldest out).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from urbansafety.survey.answers import Territories
from urbansafety.survey.model import Questionnaire
from urbansafety.web.surveys import respond
from urbansafety.web.surveys.models import Campaign

TEMPLATE = "respond/_one_page_questions.html"
MAX_ENTRIES = 64
ENABLED = True  # tests turn it off to compare with the uncached page

_lock = threading.Lock()
# (campaign id, form sha256, language) -> (questionnaire, territories, html)
_blocks: OrderedDict[tuple[int, str, str], tuple[Questionnaire, Territories, SafeString]] = (
    OrderedDict()
)


def render_questions(sections: Sequence[respond.SectionView]) -> SafeString:
    """Return the HTML of the one-page form's sections and questions (no cache)."""
    return mark_safe(render_to_string(TEMPLATE, {"sections": sections}))


def blank_questions(
    campaign: Campaign, form: Questionnaire, territories: Territories, lang: str
) -> SafeString:
    """Return the HTML of the unanswered questions, rendered once per form and language.

    Call it with ``lang`` active (``translation.override``), as for ``render_questions``.
    """
    key = (campaign.pk, campaign.form_sha256, lang)
    if ENABLED:
        entry = _blocks.get(key)
        if entry is not None and entry[0] is form and entry[1] is territories:
            return entry[2]
    cleaned = respond.state(form, {}, territories)
    html = render_questions(respond.all_sections(form, {}, cleaned, territories, lang, {}))
    if ENABLED:
        with _lock:
            _blocks[key] = (form, territories, html)
            _blocks.move_to_end(key)
            while len(_blocks) > MAX_ENTRIES:
                _blocks.popitem(last=False)
    return html


def clear() -> None:
    """Forget every cached block (tests; ``formcache.clear``)."""
    with _lock:
        _blocks.clear()
