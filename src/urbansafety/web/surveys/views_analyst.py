"""Analyst pages (behind login): campaigns, their live counts, invitations, exports and imports.

Past imports stay listed on the campaign's page, each with its rejected values (a page and a
CSV download), so that no refused row is lost once the import's page is closed.

Views stay thin: the work is in ``analyst_*.py`` (counts, QR code, store, import, export) and in
``forms_analyst.py``. Every page is ``never_cache`` (it shows internal figures) and works without
JavaScript; every change is a POST protected by Django's CSRF middleware.

Two kinds of account: a follow-up account (`serve --create-viewer`) sees the campaigns, their
counts, public link and QR code (``analyst_view``); everything else, changes, invitations, the
responses and the rejected values (typed by respondents), needs the permission
``surveys.handle_responses`` of analysts (``analyst_only``: 403 otherwise).
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from urbansafety.errors import UrbanSafetyError
from urbansafety.survey.exports import spreadsheet_safe
from urbansafety.web.surveys import analyst_counts as counts
from urbansafety.web.surveys.analyst_campaign import (
    current_workspace,
    neighbourhoods,
    workspace_forms,
)
from urbansafety.web.surveys.analyst_qr import qr_svg
from urbansafety.web.surveys.forms_analyst import (
    CampaignEditForm,
    CampaignForm,
    ExportForm,
    ImportForm,
    InvitationForm,
    error_text,
)
from urbansafety.web.surveys.models import Campaign, Invitation, ResponseImport, token_hash

MAX_IMPORT_BYTES = 50 * 1024 * 1024
IMPORTS_LISTED = 50  # latest imports on the campaign's page
REJECTS_SHOWN = 1000  # rejected values on the page; the CSV holds them all
INVITATION_PARAMETER = "t"  # /s/<slug>/?t=<token>, read by the respondent pages (views_respond)


def analyst_view(view):  # type: ignore[no-untyped-def]
    """Return view behind login, never cached (internal figures, one-time token files)."""
    return login_required(never_cache(view))


ANALYST_PERMISSION = "surveys.handle_responses"


def analyst_only(view):  # type: ignore[no-untyped-def]
    """Return view behind login and the analysts' permission (403 for a follow-up account)."""
    return analyst_view(permission_required(ANALYST_PERMISSION, raise_exception=True)(view))


def public_url(request: HttpRequest, campaign: Campaign) -> str:
    """Return the campaign's public link, absolute (what the QR code and invitations hold)."""
    return request.build_absolute_uri(reverse("respond-landing", kwargs={"slug": campaign.slug}))


def title(campaign: Campaign) -> str:
    """Return the campaign's title in the page's language."""
    return campaign.title_en if get_language() == "en" and campaign.title_en else campaign.title_fr


@analyst_view
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Return the list of campaigns with their status, responses and last response."""
    now = timezone.now()
    campaigns = Campaign.objects.defer("form_xlsx").annotate(
        n=Count("responses"), last=Max("responses__submitted_at")
    )
    rows = [
        {
            "campaign": campaign,
            "title": title(campaign),
            "status": counts.campaign_status(campaign, now),
            "responses": campaign.n,
            "last_response": campaign.last,
        }
        for campaign in campaigns
    ]
    return render(request, "analyst/campaign_list.html", {"rows": rows})


@analyst_only
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    """Return the new-campaign form; create the campaign when it is valid."""
    ws = current_workspace()
    options = {"workspace_forms": workspace_forms(ws), "areas": neighbourhoods()}
    if request.method == "POST":
        form = CampaignForm(request.POST, request.FILES, **options)
        if form.is_valid():
            with transaction.atomic():
                campaign = form.save(commit=False)
                campaign.created_by = request.user
                campaign.save()
                form.save_quotas(campaign)
            messages.success(request, gettext("Campaign created."))
            return redirect("analyst-campaign", slug=campaign.slug)
    else:
        form = CampaignForm(**options)
    return render(request, "analyst/campaign_form.html", {"form": form, "creating": True})


@analyst_view
@require_GET
def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Return a campaign's page: public link and QR code, live counts, invitations, exports."""
    campaign = get_object_or_404(Campaign, slug=slug)
    link = public_url(request, campaign)
    quotas = counts.quota_rows(campaign, neighbourhoods())
    context = {
        "campaign": campaign,
        "title": title(campaign),
        "status": counts.campaign_status(campaign),
        "counts": counts.campaign_counts(campaign),
        "link": link,
        "qr": qr_svg(link, title=gettext("QR code of the public link")),
        "quotas": quotas,
        "quota_total": sum(r.responses for r in quotas),
        "target_total": sum(r.target or 0 for r in quotas),
        "per_day": counts.responses_per_day(campaign),
        "unsent": campaign.responses.filter(exported_at__isnull=True).count(),
        "imports": campaign.imports.all()[:IMPORTS_LISTED],
        "imports_total": campaign.imports.count(),
        "invitation_form": InvitationForm(),
        "export_form": ExportForm(initial={"lang": get_language() or "fr"}),
    }
    return render(request, "analyst/campaign_detail.html", context)


@analyst_only
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Return the edit form of a campaign (titles, dates, quotas); save it when valid."""
    campaign = get_object_or_404(Campaign, slug=slug)
    if request.method == "POST":
        form = CampaignEditForm(request.POST, instance=campaign, areas=neighbourhoods())
        if form.is_valid():
            with transaction.atomic():
                form.save()
            messages.success(request, gettext("Campaign saved."))
            return redirect("analyst-campaign", slug=campaign.slug)
    else:
        form = CampaignEditForm(instance=campaign, areas=neighbourhoods())
    context = {"form": form, "campaign": campaign, "title": title(campaign), "creating": False}
    return render(request, "analyst/campaign_form.html", context)


@analyst_only
@require_POST
def campaign_close(request: HttpRequest, slug: str) -> HttpResponse:
    """Close the campaign now and return to its page."""
    campaign = get_object_or_404(Campaign, slug=slug)
    campaign.closes_at = timezone.now()
    campaign.save(update_fields=["closes_at"])
    messages.success(request, gettext("The campaign is closed: it no longer accepts responses."))
    return redirect("analyst-campaign", slug=campaign.slug)


@analyst_only
@require_POST
def invitations_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Create single-use invitations and return their links once, as a CSV file."""
    campaign = get_object_or_404(Campaign, slug=slug)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("count", []):
            messages.error(request, error)
        return redirect("analyst-campaign", slug=campaign.slug)
    tokens = [secrets.token_urlsafe(18) for _ in range(form.cleaned_data["count"])]
    Invitation.objects.bulk_create(
        Invitation(campaign=campaign, token_hash=token_hash(t)) for t in tokens
    )
    link = public_url(request, campaign)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["invitation", "link"])
    for number, token in enumerate(tokens, start=1):
        writer.writerow([number, f"{link}?{INVITATION_PARAMETER}={token}"])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{slug}-invitations-{stamp}.csv"'
    return response


@analyst_only
@require_GET
def export(request: HttpRequest, slug: str) -> HttpResponse:
    """Return the campaign's responses as a CSV or XLSX download."""
    from urbansafety.web.surveys.analyst_export import CONTENT_TYPES, export_file

    campaign = get_object_or_404(Campaign, slug=slug)
    form = ExportForm(request.GET)
    if not form.is_valid():
        messages.error(request, gettext("Choose a file type, codes or labels, and a language."))
        return redirect("analyst-campaign", slug=campaign.slug)
    kind = form.cleaned_data["kind"]
    data, name = export_file(
        campaign,
        kind=kind,
        labels=form.cleaned_data["values"] == "labels",
        lang=form.cleaned_data["lang"],
    )
    response = HttpResponse(data, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@analyst_only
@require_POST
def send_to_store(request: HttpRequest, slug: str) -> HttpResponse:
    """Write the campaign's unsent responses to the workspace store; say how many."""
    from urbansafety.web.surveys.analyst_store import send_to_store as send

    campaign = get_object_or_404(Campaign, slug=slug)
    imports = campaign.imports.filter(sent_at__isnull=True).count()
    try:
        inserted, already = send(campaign, current_workspace())
    except UrbanSafetyError as exc:
        messages.error(request, error_text(exc))
        return redirect("analyst-campaign", slug=campaign.slug)
    messages.success(
        request,
        gettext(
            "Sent to the workspace store (survey %(survey)s): %(inserted)s new response(s), "
            "%(already)s already there."
        )
        % {"survey": campaign.survey, "inserted": inserted, "already": already},
    )
    if imports:
        messages.success(
            request,
            gettext(
                "%(n)s imported file(s) recorded in the store, with their rejected rows "
                "(urbansafety rejects lists them)."
            )
            % {"n": imports},
        )
    return redirect("analyst-campaign", slug=campaign.slug)


@analyst_only
@require_http_methods(["GET", "POST"])
def import_responses(request: HttpRequest, slug: str) -> HttpResponse:
    """Return the import form; import the uploaded CSV and show what was accepted and rejected."""
    from urbansafety.web.surveys.analyst_import import import_into_campaign

    campaign = get_object_or_404(Campaign, slug=slug)
    summary = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_IMPORT_BYTES:
                form.add_error("file", gettext("This file is too large (50 MB at most)."))
            else:
                try:
                    summary = import_into_campaign(
                        campaign,
                        upload.read(),
                        upload.name,
                        source=form.cleaned_data["source"],
                        user=request.user,
                    )
                except UrbanSafetyError as exc:
                    form.add_error("file", error_text(exc))
    else:
        form = ImportForm()
    context = {"form": form, "campaign": campaign, "title": title(campaign), "summary": summary}
    if summary is not None:
        reason = _reasons(campaign)
        context["rejects"] = [
            {"row": r.row, "column": r.column, "value": r.value, "reason": reason(r.reason)}
            for r in summary.rejects
        ]
    return render(request, "analyst/import.html", context)


def _campaign_import(slug: str, pk: int) -> tuple[Campaign, ResponseImport]:
    campaign = get_object_or_404(Campaign, slug=slug)
    return campaign, get_object_or_404(ResponseImport, pk=pk, campaign=campaign)


def _reasons(campaign: Campaign) -> Callable[[str], str]:
    """Return the function giving a kept reason in the page's language."""
    from urbansafety.web.surveys.analyst_campaign import campaign_questionnaire
    from urbansafety.web.surveys.analyst_import import reason_translator

    return reason_translator(campaign_questionnaire(campaign), get_language() or "fr")


@analyst_only
@require_GET
def import_rejects(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Return the page of one past import: its counts and its rejected values."""
    campaign, record = _campaign_import(slug, pk)
    total = record.rejects.count()
    reason = _reasons(campaign)
    rejects = [
        {"row": r.row, "column": r.column, "value": r.value, "reason": reason(r.reason)}
        for r in record.rejects.all()[:REJECTS_SHOWN]
    ]
    context = {
        "campaign": campaign,
        "title": title(campaign),
        "record": record,
        "rejects": rejects,
        "total": total,
        "shown": min(total, REJECTS_SHOWN),
        "earlier": campaign.imports.filter(sha256=record.sha256, id__lt=record.id).first(),
    }
    return render(request, "analyst/import_rejects.html", context)


@analyst_only
@require_GET
def import_rejects_csv(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Return every rejected value of one past import as CSV, reasons in the page's language."""
    campaign, record = _campaign_import(slug, pk)
    reason = _reasons(campaign)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "column", "value", "reason"])
    for row, column, value, text in record.rejects.values_list("row", "column", "value", "reason"):
        writer.writerow([row, column, spreadsheet_safe(value), reason(text)])
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv")
    name = f"{campaign.slug}-import-{record.pk}-rejects.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
