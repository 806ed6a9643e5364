"""Campaigns made in code (the demo, scripts): create one from an XLSForm, add responses.

Usable once Django is set up (``urbansafety.web.setup(workspace)`` or ``django.setup()``):

>>> from urbansafety.web.surveys.campaigns import create_campaign    # doctest: +SKIP
>>> c = create_campaign("safety-2026", "surveys/safety.xlsx")          # doctest: +SKIP
>>> c.get_absolute_url()                                               # doctest: +SKIP
'/s/safety-2026/'
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction

if TYPE_CHECKING:
    from urbansafety.ingest.demo_city import DemoCity

from urbansafety.errors import InputError
from urbansafety.i18n import N_
from urbansafety.survey.answers import clean_answers
from urbansafety.web.surveys import formcache
from urbansafety.web.surveys.models import Campaign, Response
from urbansafety.web.surveys.respond_store import neighbourhood_of, plain_answers


def create_campaign(
    slug: str,
    form_path: str | PathLike[str],
    *,
    title_fr: str | None = None,
    title_en: str | None = None,
    survey: str | None = None,
    languages: str = "fr,en",
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    invitation_only: bool = False,
) -> Campaign:
    """Create and return a campaign whose questionnaire is the XLSForm at form_path (frozen).

    The form is read (and so checked) first; titles default to the form's title in each
    language, the survey name (the responses' name in the workspace store) to the slug.
    """
    from urbansafety.survey.xlsform import read_xlsform

    path = Path(form_path)
    data = path.read_bytes()
    form = read_xlsform(data, filename=path.name)
    if Campaign.objects.filter(slug=slug).exists():
        raise InputError(
            N_("A campaign named %(slug)s already exists."),
            hint=N_("Choose another name for the public link."),
            params={"slug": slug},
        )
    return Campaign.objects.create(
        slug=slug,
        title_fr=title_fr or form.title.get("fr"),
        title_en=title_en or form.title.get("en"),
        survey=survey or slug,
        form_name=path.name,
        form_xlsx=data,
        form_version=form.version,
        languages=languages,
        opens_at=opens_at,
        closes_at=closes_at,
        invitation_only=invitation_only,
    )


def add_responses(
    campaign: Campaign,
    answers: Iterable[Mapping[str, object]],
    *,
    language: str = "fr",
    source: str = "demo",
) -> int:
    """Store answers (one mapping per respondent) as responses; return how many were stored.

    Each is cleaned by the campaign's questionnaire first; one with an error is refused with
    an InputError naming the question, and nothing is stored.
    """
    form = formcache.campaign_form(campaign)
    territories = formcache.workspace_territories()
    rows = []
    for number, raw in enumerate(answers, start=1):
        cleaned = clean_answers(form, raw, territories=territories)
        if cleaned.errors:
            error = cleaned.errors[0]
            raise InputError(
                N_("Response %(number)s: %(question)s: %(error)s"),
                params={"number": number, "question": error.question, "error": error.text("en")},
            )
        rows.append(
            Response(
                campaign=campaign,
                submission_key=uuid.uuid4(),
                language=language,
                answers=plain_answers(cleaned.values),
                neighbourhood=neighbourhood_of(form, cleaned.values),
                source=source,
            )
        )
    with transaction.atomic():
        Response.objects.bulk_create(rows, batch_size=500)
    return len(rows)


DEMO_SLUG = "securite-demo"


def seed_demo_campaign(
    workspace: Path,
    *,
    n: int = 800,
    seed: int = 2025,
    city: DemoCity | None = None,
    n_incidents: int = 150_000,
    slug: str = DEMO_SLUG,
) -> Campaign:
    """Return the demo's campaign, created once with n synthetic responses (a KoboToolbox CSV).

    The questionnaire is the workspace's surveys/safety.xlsx (the built-in template when it has
    none); the responses come from ``urbansafety.ingest.demo_survey.demo_responses`` through the
    analysts' CSV import, so their few deliberately wrong rows are refused as real ones would be.
    Run again, it returns the existing campaign unchanged.
    """
    from urbansafety.ingest.demo_survey import demo_responses
    from urbansafety.survey.forms import template_path
    from urbansafety.web.surveys.analyst_import import import_into_campaign

    existing = Campaign.objects.defer("form_xlsx").filter(slug=slug).first()
    if existing is not None:
        return existing
    form_path = workspace / "surveys" / "safety.xlsx"
    campaign = create_campaign(
        slug,
        form_path if form_path.exists() else template_path("safety"),
        title_fr="Sécurité et bien-être (démonstration)",
        title_en="Safety and well-being (demo)",
    )
    data = demo_responses(city, n=n, seed=seed, n_incidents=n_incidents)
    import_into_campaign(campaign, data, "demo-kobo.csv", source="kobo", origin="demo")
    return campaign
