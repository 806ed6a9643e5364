"""The one-page form's blank questions, served from a per-process cache (respond_cache.py)."""

from __future__ import annotations

import io
import re

import openpyxl
from django.test import Client
from django.utils import translation

from tests.web.respondent import ALL, html
from urbansafety.web.surveys import formcache, respond_cache

MASKS = [
    re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")'),
    re.compile(r'(name="submission_key" value=")[^"]+(")'),
]


def masked(text: str) -> str:
    """Return a page without its CSRF token and submission key (fresh on every GET)."""
    for mask in MASKS:
        text, found = mask.subn(r"\1…\2", text)
        assert found == 1
    return text


def test_cached_page_is_the_uncached_page(client: Client, campaign, monkeypatch) -> None:
    for query in ("", "?lang=en", "?lang=fr"):
        monkeypatch.setattr(respond_cache, "ENABLED", False)
        plain = client.get(ALL + query)
        monkeypatch.setattr(respond_cache, "ENABLED", True)
        first, second = client.get(ALL + query), client.get(ALL + query)  # a miss, then a hit
        assert plain.status_code == first.status_code == second.status_code == 200
        assert masked(html(first)) == masked(html(plain)) == masked(html(second))
        assert html(first) != html(second)  # a fresh submission key each time
    assert len(respond_cache._blocks) == 2  # fr and en


def test_answers_errors_and_tokens_are_not_cached(client: Client, campaign) -> None:
    client.get(ALL)
    errors = client.post(ALL, {"a-postal_code": "XYZ", "action": "submit"})
    assert errors.status_code == 200
    assert 'value="XYZ"' in html(errors) and "has-error" in html(errors)
    assert "has-error" not in html(client.get(ALL))  # the blank block is untouched
    switched = client.post(ALL, {"a-comments": "Bonjour", "action": "lang:en"})
    assert ">Bonjour</textarea>" in html(switched)
    assert ">Bonjour</textarea>" not in html(client.get(ALL))


def test_language_and_form_version_have_their_own_block(campaign) -> None:
    form = formcache.campaign_form(campaign)
    territories = formcache.workspace_territories()

    def block(lang: str) -> str:
        with translation.override(lang):
            return respond_cache.blank_questions(
                campaign, formcache.campaign_form(campaign), territories, lang
            )

    fr, en = block("fr"), block("en")
    assert fr != en
    assert block("fr") is fr  # rendered once
    # The form replaced: a new SHA-256, a new questionnaire, a new block.
    book = openpyxl.load_workbook(io.BytesIO(bytes(campaign.form_xlsx)))
    sheet = book["survey"]
    header = [c.value for c in sheet[1]]
    column = header.index(next(h for h in header if str(h).startswith("label") and "fr" in h))
    changed = False
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("name")].value == "comments":
            row[column].value = "Un dernier mot, version deux ?"
            changed = True
    assert changed
    out = io.BytesIO()
    book.save(out)
    old_sha = campaign.form_sha256
    campaign.form_xlsx = out.getvalue()
    campaign.save()
    assert campaign.form_sha256 != old_sha
    assert formcache.campaign_form(campaign) is not form
    new_fr = block("fr")
    assert new_fr != fr and "Un dernier mot, version deux ?" in new_fr
    assert "Un dernier mot, version deux ?" not in fr
    assert block("en") is not en


def test_cache_is_bounded_and_cleared(campaign, monkeypatch) -> None:
    monkeypatch.setattr(respond_cache, "MAX_ENTRIES", 1)
    form = formcache.campaign_form(campaign)
    territories = formcache.workspace_territories()
    for lang in ("fr", "en"):
        with translation.override(lang):
            respond_cache.blank_questions(campaign, form, territories, lang)
    assert list(respond_cache._blocks) == [(campaign.pk, campaign.form_sha256, "en")]
    formcache.clear()
    assert not respond_cache._blocks
