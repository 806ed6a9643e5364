"""What a respondent's session remembers per campaign: the draft, its keys, the language."""

from __future__ import annotations

from django.http import HttpRequest

from urbansafety.web.surveys.models import Campaign, Draft

SESSION = "respond"  # session key: {slug: {"draft": pk, "sub": submission key, "inv": pk}}


def _slot(request: HttpRequest, slug: str) -> dict[str, object]:
    return dict(request.session.get(SESSION, {}).get(slug, {}))


def _set_slot(request: HttpRequest, slug: str, **values: object) -> None:
    slots = dict(request.session.get(SESSION, {}))
    slots[slug] = {**slots.get(slug, {}), **values}
    request.session[SESSION] = slots


def _language(request: HttpRequest, campaign: Campaign, draft: Draft | None = None) -> str:
    langs = campaign.language_list() or ["fr"]
    asked = request.GET.get("lang", "")
    if asked in langs:
        request.session["lang"] = asked
        if draft is not None and draft.language != asked:
            draft.language = asked
            draft.save(update_fields=["language"])
        return asked
    if draft is not None and draft.language in langs:
        return draft.language
    remembered = request.session.get("lang", "")
    return remembered if remembered in langs else langs[0]


def _draft(request: HttpRequest, campaign: Campaign) -> Draft | None:
    pk = _slot(request, campaign.slug).get("draft")
    return Draft.objects.filter(pk=pk, campaign=campaign).first() if pk else None
