"""The respondent's pages: landing, one section per page, save and resume, one-page mode, thanks.

Views are thin: the rules are the questionnaire's (``respond.py``), storing is
``respond_store.py``. Every POST ends in a redirect (or the same page with its errors), so a
refresh never posts twice; a submission is stored once per key whatever happens.
"""

from __future__ import annotations

import secrets
import uuid

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_http_methods

from urbansafety.web.surveys import formcache, ratelimit, respond, respond_cache
from urbansafety.web.surveys.models import Campaign, Draft, Response, token_hash
from urbansafety.web.surveys.respond_refusal import _campaign, _entry, message
from urbansafety.web.surveys.respond_session import _draft, _language, _set_slot, _slot
from urbansafety.web.surveys.respond_store import InvitationUsed, store_response


def _languages(campaign: Campaign) -> list[dict[str, str]]:
    names = {"fr": "Français", "en": "English"}
    return [{"code": c, "name": names.get(c, c)} for c in campaign.language_list()]


def _context(request: HttpRequest, campaign: Campaign, lang: str, **extra: object) -> dict:
    return {
        "campaign": campaign,
        "lang": lang,
        "title": campaign.title(lang),
        "languages": _languages(campaign),
        "other_languages": [x for x in _languages(campaign) if x["code"] != lang],
        "honeypot": respond.HONEYPOT,
        **extra,
    }


@require_http_methods(["GET", "POST"])
def landing(request: HttpRequest, slug: str) -> HttpResponse:
    """Show the survey's title, what to expect and the language choice; POST starts a draft."""
    campaign, invitation, token, refusal = _entry(request, slug)
    if refusal is not None:
        return refusal
    assert campaign is not None
    draft = _draft(request, campaign)
    lang = _language(request, campaign, draft)
    if request.method == "POST":
        if not ratelimit.allow(request, "page"):
            return message(request, "rate", 429, campaign)
        if draft is None or request.POST.get("action") == "restart":
            draft = Draft.objects.create(
                campaign=campaign,
                resume_hash=token_hash(secrets.token_urlsafe(24)),
                invitation=invitation,
                language=lang,
            )
            _set_slot(request, slug, draft=draft.pk, sub=str(draft.submission_key))
        return redirect("respond-page", slug=slug)
    form = formcache.campaign_form(campaign)
    with translation.override(lang):
        context = _context(
            request,
            campaign,
            lang,
            sections=len(form.sections),
            draft=draft,
            token=token,
            form_title=form.title.get(lang),
        )
        return render(request, "respond/landing.html", context)


def _page_context(
    request: HttpRequest,
    campaign: Campaign,
    draft: Draft,
    lang: str,
    index: int,
    *,
    errors: dict[str, str] | None = None,
    added: bool = False,
) -> dict:
    form = formcache.campaign_form(campaign)
    territories = formcache.workspace_territories()
    cleaned = respond.state(form, draft.answers, territories)
    shown = respond.shown_sections(form, cleaned)
    section = respond.section_view(
        form, index, draft.answers, cleaned, territories, lang, errors or {}
    )
    later = [i for i in shown if i > index]
    position = len([i for i in shown if i <= index])
    # Sections ahead are counted until skipped: most depend on answers not given yet.
    ahead = len([s for s in form.sections[index + 1 :] if s.questions])
    last = not later and not respond.required_missing(form.sections[index], cleaned)
    summary = [q for q in section.questions if q.error]
    return _context(
        request,
        campaign,
        lang,
        section=section,
        position=position,
        total=position + ahead,
        last=last,
        first=not [i for i in shown if i < index],
        summary=summary,
        added=added,
        shown=[q.name for q in section.questions],
    )


def _current_index(form, cleaned, page: int) -> int:  # type: ignore[no-untyped-def]
    shown = respond.shown_sections(form, cleaned)
    if not shown:
        return 0
    after = [i for i in shown if i >= page]
    return after[0] if after else shown[-1]


@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, slug: str) -> HttpResponse:
    """Show the current section; POST saves its answers and goes back, on, saves or submits."""
    campaign, refusal = _campaign(request, slug)
    if refusal is not None:
        return refusal
    assert campaign is not None
    draft = _draft(request, campaign)
    if draft is None:
        done = _slot(request, slug).get("sub")
        if done and Response.objects.filter(campaign=campaign, submission_key=done).exists():
            return redirect("respond-thanks", slug=slug)
        return redirect("respond-landing", slug=slug)
    lang = _language(request, campaign, draft)
    form = formcache.campaign_form(campaign)
    territories = formcache.workspace_territories()
    cleaned = respond.state(form, draft.answers, territories)
    index = _current_index(form, cleaned, draft.page)
    if request.method == "GET":
        with translation.override(lang):
            context = _page_context(request, campaign, draft, lang, index)
            return render(request, "respond/page.html", context)
    if not ratelimit.allow(request, "page"):
        return message(request, "rate", 429, campaign)
    section = form.sections[index]
    rendered = set(request.POST.getlist("shown"))
    on_page = [q for q in section.questions if q.name in rendered]
    answers = respond.merge(draft.answers, respond.read_post(form, request.POST, on_page))
    cleaned = respond.state(form, answers, territories)
    respond.keep_fsa(form, answers, cleaned)
    draft.answers = answers
    draft.updated_at = timezone.now()
    action = request.POST.get("action", "next")
    shown = respond.shown_sections(form, cleaned)
    if action.startswith("lang:") and action[5:] in campaign.language_list():
        draft.language = action[5:]
        request.session["lang"] = draft.language
        draft.save()
        return redirect("respond-page", slug=slug)
    if action == "save":
        key = secrets.token_urlsafe(24)
        draft.resume_hash = token_hash(key)
        draft.page = index
        draft.save()
        _set_slot(request, slug, resume=key)
        return redirect("respond-saved", slug=slug)
    if action == "back":
        before = [i for i in shown if i < index]
        draft.page = before[-1] if before else index
        draft.save()
        if not before:
            return redirect("respond-landing", slug=slug)
        return redirect("respond-page", slug=slug)
    # Next (or submit on the last page): this page's questions must be valid, and questions
    # that its answers made appear must be seen before going on.
    now_on_page = respond.section_questions(section, cleaned)
    added = any(q.answered and q.name not in rendered for q in now_on_page)
    # Questions that just appeared are not "errors" yet: the respondent has not seen them.
    errors = respond.error_texts(cleaned, lang, {q.name for q in now_on_page} & rendered)
    if errors or added:
        draft.page = index
        draft.save()
        with translation.override(lang):
            context = _page_context(
                request, campaign, draft, lang, index, errors=errors, added=added and not errors
            )
            return render(request, "respond/page.html", context)
    later = [i for i in shown if i > index]
    if later:
        draft.page = later[0]
        draft.save()
        return redirect("respond-page", slug=slug)
    return _submit(request, campaign, form, draft, cleaned, lang, index)


def _submit(request, campaign, form, draft, cleaned, lang, index):  # type: ignore[no-untyped-def]
    if not ratelimit.allow(request, "submit"):
        draft.save()
        return message(request, "rate", 429, campaign)
    if cleaned.errors:  # an earlier page became invalid (answers changed since): go there
        first = cleaned.errors[0].question
        draft.page = next(
            i for i, s in enumerate(form.sections) if any(q.name == first for q in s.questions)
        )
        draft.save()
        return redirect("respond-page", slug=campaign.slug)
    if request.POST.get(respond.HONEYPOT):
        Draft.objects.filter(pk=draft.pk).delete()  # a bot: thanked, nothing stored
        return redirect("respond-thanks", slug=campaign.slug)
    try:
        store_response(
            campaign,
            form,
            draft.submission_key,
            cleaned.values,
            lang,
            invitation=draft.invitation,
            draft=draft,
        )
    except InvitationUsed:
        return message(request, "invitation_used", 403, campaign)
    _set_slot(request, campaign.slug, draft=None, done=True)
    return redirect("respond-thanks", slug=campaign.slug)


def saved(request: HttpRequest, slug: str) -> HttpResponse:
    """Show the resume link just made (once: only its hash is stored)."""
    campaign, refusal = _campaign(request, slug)
    if refusal is not None:
        return refusal
    assert campaign is not None
    draft = _draft(request, campaign)
    lang = _language(request, campaign, draft)
    key = _slot(request, slug).get("resume")
    link = ""
    if key:
        _set_slot(request, slug, resume=None)
        link = request.build_absolute_uri(reverse("respond-resume", args=[slug, key]))
    with translation.override(lang):
        return render(
            request, "respond/saved.html", _context(request, campaign, lang, link=link, draft=draft)
        )


def resume(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """Find the draft of a resume link and continue it in this browser."""
    campaign, refusal = _campaign(request, slug)
    if refusal is not None:
        return refusal
    assert campaign is not None
    draft = Draft.objects.filter(campaign=campaign, resume_hash=token_hash(key)).first()
    if draft is None:
        return message(request, "not_found", 404, campaign)
    _set_slot(request, slug, draft=draft.pk, sub=str(draft.submission_key))
    request.session["lang"] = draft.language
    return redirect("respond-page", slug=slug)


def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    """Thank the respondent (the answers are stored before this page is shown)."""
    campaign = Campaign.objects.defer("form_xlsx").filter(slug=slug).first()
    if campaign is None:
        return message(request, "not_found", 404)
    lang = _language(request, campaign)
    with translation.override(lang):
        return render(request, "respond/thanks.html", _context(request, campaign, lang))


@require_http_methods(["GET", "POST"])
def one_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The whole questionnaire on one page; skip logic and checks applied when it is sent."""
    campaign, invitation, token, refusal = _entry(request, slug)
    if refusal is not None:
        return refusal
    assert campaign is not None
    lang = _language(request, campaign)
    form = formcache.campaign_form(campaign)
    territories = formcache.workspace_territories()
    answers: dict[str, object] = {}
    errors: dict[str, str] = {}
    key = uuid.uuid4()
    if request.method == "POST":
        try:
            key = uuid.UUID(request.POST.get("submission_key", ""))
        except ValueError:
            key = uuid.uuid4()
        questions = list(form.questions())
        answers = respond.merge({}, respond.read_post(form, request.POST, questions))
        action = request.POST.get("action", "submit")
        cleaned = respond.state(form, answers, territories)
        respond.keep_fsa(form, answers, cleaned)
        if action.startswith("lang:") and action[5:] in campaign.language_list():
            lang = action[5:]
            request.session["lang"] = lang
        else:
            if not ratelimit.allow(request, "submit"):
                return message(request, "rate", 429, campaign)
            errors = respond.error_texts(cleaned, lang, set(cleaned.relevant))
            if not errors:
                if request.POST.get(respond.HONEYPOT):
                    return redirect("respond-thanks", slug=slug)
                try:
                    store_response(campaign, form, key, cleaned.values, lang, invitation=invitation)
                except InvitationUsed:
                    return message(request, "invitation_used", 403, campaign)
                return redirect("respond-thanks", slug=slug)
    with translation.override(lang):
        if request.method == "GET" and not token:
            # A fresh respondent: the same blank questions for everyone, rendered once.
            summary: list[respond.QuestionView] = []
            questions_html = respond_cache.blank_questions(campaign, form, territories, lang)
        else:
            cleaned = respond.state(form, answers, territories)
            sections = respond.all_sections(form, answers, cleaned, territories, lang, errors)
            summary = [q for s in sections for q in s.questions if q.error]
            questions_html = respond_cache.render_questions(sections)
        context = _context(
            request,
            campaign,
            lang,
            questions_html=questions_html,
            summary=summary,
            submission_key=key,
            token=token,
        )
        return render(request, "respond/one_page.html", context)


@require_http_methods(["POST"])
def relevant(request: HttpRequest, slug: str) -> HttpResponse:
    """Return the names of the questions shown for the answers posted (JSON, for survey.js).

    Only an improvement of the one-page form: the server applies the same rules on submit.
    Nothing is stored and nothing is counted against the rate limit (no write, a few ms).
    """
    campaign, refusal = _campaign(request, slug)
    if refusal is not None:
        return refusal
    assert campaign is not None
    form = formcache.campaign_form(campaign)
    posted = respond.read_post(form, request.POST, list(form.questions()))
    cleaned = respond.state(form, respond.merge({}, posted), formcache.workspace_territories())
    return JsonResponse({"relevant": list(cleaned.relevant)})
