"""Letting a respondent in (campaign open, invitation valid), or a bilingual page saying why not."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from urbansafety.web.surveys.models import Campaign, Invitation, token_hash


def message(
    request: HttpRequest, kind: str, status: int, campaign: Campaign | None = None
) -> HttpResponse:
    """Return a bilingual page explaining a refusal (closed, not open, invitation, rate limit)."""
    texts = MESSAGES[kind]
    pages = []
    for lang in ("fr", "en"):
        with translation.override(lang):
            pages.append(
                {
                    "lang": lang,
                    "title": str(texts[0]),
                    "body": str(texts[1]),
                    "campaign": campaign.title(lang) if campaign else "",
                }
            )
    first = request.session.get("lang", "fr") if hasattr(request, "session") else "fr"
    if first == "en":
        pages.reverse()
    context = {"lang": pages[0]["lang"], "pages": pages, "title": pages[0]["title"]}
    with translation.override(pages[0]["lang"]):
        return render(request, "respond/message.html", context, status=status)


MESSAGES = {
    "closed": (
        _("This survey is closed"),
        _("Thank you for your interest: this survey no longer accepts answers."),
    ),
    "not_open": (
        _("This survey is not open yet"),
        _("Come back when the survey opens; the organisation running it will announce the date."),
    ),
    "invitation": (
        _("An invitation is needed"),
        _("This survey is answered by invitation: open the link you received."),
    ),
    "invitation_used": (
        _("This invitation was already used"),
        _("Each invitation link serves for one response only."),
    ),
    "rate": (
        _("Too many requests"),
        _("Please wait a minute, then try again."),
    ),
    "not_found": (
        _("Page not found"),
        _("This link is not valid. A resume link works until the answers are sent."),
    ),
}


def _campaign(request: HttpRequest, slug: str) -> tuple[Campaign | None, HttpResponse | None]:
    campaign = Campaign.objects.defer("form_xlsx").filter(slug=slug).first()
    if campaign is None:
        return None, message(request, "not_found", 404)
    now = timezone.now()
    if campaign.closes_at and now >= campaign.closes_at:
        return None, message(request, "closed", 410, campaign)
    if campaign.opens_at and now < campaign.opens_at:
        return None, message(request, "not_open", 403, campaign)
    return campaign, None


def _invitation(
    request: HttpRequest, campaign: Campaign, token: str
) -> tuple[Invitation | None, HttpResponse | None]:
    """Return the invitation of token (None when not needed), or the refusal page."""
    if not campaign.invitation_only:
        return None, None
    invitation = (
        Invitation.objects.filter(campaign=campaign, token_hash=token_hash(token)).first()
        if token
        else None
    )
    if invitation is None:
        return None, message(request, "invitation", 403, campaign)
    if invitation.used_at is not None:
        return None, message(request, "invitation_used", 403, campaign)
    return invitation, None


def _entry(
    request: HttpRequest, slug: str
) -> tuple[Campaign | None, Invitation | None, str, HttpResponse | None]:
    """Return (campaign, invitation, token, refusal) of a respondent's request to a campaign."""
    campaign, refusal = _campaign(request, slug)
    if refusal is not None or campaign is None:
        return None, None, "", refusal
    token = request.POST.get("t") or request.GET.get("t", "")
    invitation, refusal = _invitation(request, campaign, token)
    return campaign, invitation, token, refusal
