"""The respondent's pages with JavaScript off: skip logic, errors, languages, save and resume."""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.web.respondent import (
    ALL,
    ANSWERS,
    LANDING,
    PAGE,
    answer_section,
    complete,
    heading,
    html,
    post_page,
    shown,
    start,
)
from urbansafety.web.surveys.models import Draft, Invitation, Response, token_hash

pytestmark = pytest.mark.django_db


def test_the_whole_template_page_by_page_in_french(client: Client, campaign) -> None:
    landing = client.get(LANDING)
    assert '<html lang="fr">' in html(landing)
    assert "Commencer le sondage" in html(landing)
    page = start(client)
    assert heading(page) == "Bienvenue"
    assert "Section 1 sur 9" in html(page)
    assert '<progress value="1" max="9"' in html(page)
    # Skip logic on the server: the age question appears only once consent is given.
    assert shown(page) == ["intro_note", "consent"]
    page = post_page(client, {"consent": "yes"}, page=page)
    assert page.status_code == 200
    assert "age_group" in shown(page)
    assert 'role="status"' in html(page)
    response = post_page(client, {"consent": "yes", "age_group": "age_25_34"}, page=page)
    assert response.status_code == 302
    page = client.get(PAGE)
    assert heading(page) == "Votre sentiment de sécurité"
    assert "Section 2 sur 9" in html(page)
    for answers in ANSWERS[1:3]:
        answer_section(client, answers)
    # Victimisation: the follow-up questions appear for the type chosen only.
    page = post_page(client, {"victim_types": ["theft"]})
    assert page.status_code == 200
    assert "reported_theft" in shown(page) and "reported_assault" not in shown(page)
    answer_section(client, ANSWERS[3])
    page = client.get(PAGE)
    assert heading(page) == "Problèmes dans votre quartier"
    assert 'class="section matrix"' in html(page)
    assert html(page).count("<fieldset") == 7  # one fieldset and legend per row of the matrix
    for answers in ANSWERS[4:7]:
        answer_section(client, answers)
    page = client.get(PAGE)
    assert heading(page) == "À propos de vous"
    assert '<select id="q-neighbourhood" name="a-neighbourhood"' in html(page)
    assert html(page).count('<option value="Q') == 10  # the workspace's neighbourhoods
    assert 'inputmode="numeric"' in html(page)
    assert "Entre 1 et 20." in html(page)
    answer_section(client, ANSWERS[7])
    page = client.get(PAGE)
    assert "Soumettre mes réponses" in html(page)
    assert 'name="website"' in html(page)  # the honeypot, on the page that submits
    response = post_page(client, ANSWERS[8])
    assert response.status_code == 302 and response["Location"] == f"/s/{campaign.slug}/thanks/"
    stored = Response.objects.get()
    assert stored.language == "fr"
    assert stored.neighbourhood == "Q03"
    assert stored.answers["postal_code"] == "H2X"  # only the FSA is kept
    assert stored.answers["avoid_places"] == ["parks", "transit"]
    assert stored.answers["household_size"] == 1
    assert "children_under_18" not in stored.answers  # skipped: a one-person household
    assert stored.submission_key is not None
    assert Draft.objects.count() == 0
    thanks = client.get(response["Location"])
    assert "Merci" in html(thanks)


def test_errors_are_listed_at_the_top_and_next_to_each_field(client: Client, campaign) -> None:
    complete_until_about(client)
    page = post_page(client, {"postal_code": "XYZ", "household_size": "30"})
    assert page.status_code == 200
    text = html(page)
    summary = re.search(r'<div class="error-summary".*?</div>', text, re.S)
    assert summary is not None
    assert 'role="alert"' in summary[0] and 'tabindex="-1"' in summary[0]
    # Required questions left empty, an invalid postal code, a number out of bounds.
    for field in ("q-gender-0", "q-neighbourhood", "q-postal_code", "q-household_size"):
        assert f'href="#{field}"' in summary[0]
        assert f'id="{field}"' in text
    assert "Entrez un code postal canadien, p. ex. H2X 1Y4." in text
    assert "Entrez un nombre de 1 à 20." in text  # the form's own message, in French
    assert "Veuillez choisir votre quartier ou « Autre / je ne sais pas »." in text
    field = re.search(r'<input id="q-postal_code"[^>]*>', text)
    assert field is not None
    assert 'aria-invalid="true"' in field[0]
    assert 'aria-describedby="q-postal_code-hint q-postal_code-error"' in field[0]
    assert 'id="q-postal_code-error"' in text
    assert 'value="XYZ"' in field[0]  # what was typed is shown again
    assert heading(page) == "À propos de vous"  # still on the same page


def complete_until_about(client: Client) -> None:
    """Answer the sections before 'About you'."""
    start(client)
    for answers in ANSWERS[:7]:
        answer_section(client, answers)


def test_switching_to_english_midway_keeps_the_answers(client: Client, campaign) -> None:
    start(client)
    answer_section(client, ANSWERS[0])
    page = client.get(PAGE)
    # The switch is a submit button of the page's form: what was just chosen is kept.
    response = post_page(client, {"safe_dark": "very_unsafe"}, action="lang:en", page=page)
    assert response.status_code == 302
    page = client.get(PAGE)
    assert '<html lang="en">' in html(page)
    assert heading(page) == "How safe you feel"
    assert "Section 2 of 9" in html(page)
    assert re.search(r'value="very_unsafe" checked', html(page))
    response = post_page(client, {}, action="back", page=page)
    page = client.get(PAGE)
    assert re.search(r'value="age_25_34" checked', html(page))
    assert "How old are you?" in html(page)
    # Links switch too (?lang=), and the draft remembers the language.
    page = client.get(PAGE + "?lang=fr")
    assert "Quel âge avez-vous?" in html(page)
    assert Draft.objects.get().language == "fr"


def test_save_then_resume_in_another_browser_then_submit(client: Client, campaign) -> None:
    start(client)
    answer_section(client, ANSWERS[0])
    response = post_page(client, {"safe_dark": "fairly_safe"}, action="save")
    assert response.status_code == 302 and response["Location"].endswith("/saved/")
    saved = client.get(response["Location"])
    link = re.search(r'id="resume-link" type="text" readonly value="([^"]+)"', html(saved))
    assert link is not None
    key = link[1].rstrip("/").rsplit("/", 1)[1]
    draft = Draft.objects.get()
    assert draft.resume_hash == token_hash(key)  # only the hash is stored
    assert key not in str(Draft.objects.values().get())
    assert "n'est affiché qu'une fois" in html(client.get(response["Location"]))  # shown once
    other = Client()
    resumed = other.get(link[1].replace("http://testserver", ""))
    assert resumed.status_code == 302
    page = other.get(PAGE)
    assert heading(page) == "Votre sentiment de sécurité"
    assert re.search(r'value="fairly_safe" checked', html(page))
    for answers in ANSWERS[1:]:
        response = answer_section(other, answers)
    assert response["Location"].endswith("/thanks/")
    assert Response.objects.get().answers["safe_dark"] == "bit_unsafe"
    assert other.get(f"/s/{campaign.slug}/resume/{key}/").status_code == 404  # used up


def test_a_double_submit_stores_one_response(client: Client, campaign) -> None:
    start(client)
    for answers in ANSWERS[:8]:
        answer_section(client, answers)
    last = client.get(PAGE)
    first = post_page(client, ANSWERS[8], page=last)
    again = post_page(client, ANSWERS[8], page=last)  # the second click, or a resubmission
    assert first["Location"] == again["Location"] == f"/s/{campaign.slug}/thanks/"
    assert client.get(f"/s/{campaign.slug}/thanks/").status_code == 200  # a refresh: a GET
    assert Response.objects.count() == 1


def test_one_page_mode_is_one_get_and_one_post(client: Client, campaign) -> None:
    page = client.get(ALL)
    text = html(page)
    key = re.search(r'name="submission_key" value="([^"]+)"', text)
    assert key is not None
    assert 'name="a-household_size"' in text and 'name="a-comments"' in text
    data = {f"a-{k}": v for section in ANSWERS for k, v in section.items()}
    data |= {"submission_key": key[1], "action": "submit"}
    data["a-postal_code"] = "XYZ"
    errors = client.post(ALL, data)
    assert errors.status_code == 200
    assert 'href="#q-postal_code"' in html(errors)
    assert key[1] in html(errors)  # the same idempotency key
    data["a-postal_code"] = "H2X1Y4"
    data["a-household_size"] = "3"
    assert client.post(ALL, data).status_code == 302
    assert client.post(ALL, data).status_code == 302  # resubmitted: still one response
    stored = Response.objects.get()
    assert str(stored.submission_key) == key[1]
    assert stored.answers["postal_code"] == "H2X"
    assert "children_under_18" not in stored.answers or stored.answers["household_size"] == 3


def test_one_page_skip_logic_drops_answers_to_hidden_questions(client: Client, campaign) -> None:
    key = re.search(r'name="submission_key" value="([^"]+)"', html(client.get(ALL)))
    assert key is not None
    data = {"a-consent": "no", "a-safe_dark": "very_safe", "submission_key": key[1]}
    assert client.post(ALL, data).status_code == 302
    assert Response.objects.get().answers == {"consent": "no"}


def test_a_closed_campaign_refuses_politely_in_both_languages(client: Client, campaign) -> None:
    campaign.closes_at = timezone.now() - timedelta(days=1)
    campaign.save()
    for url in (LANDING, PAGE, ALL):
        response = client.get(url)
        assert response.status_code == 410
        assert "Ce sondage est terminé" in html(response)
        assert "This survey is closed" in html(response)
        assert "Traceback" not in html(response)
    campaign.closes_at = None
    campaign.opens_at = timezone.now() + timedelta(days=1)
    campaign.save()
    response = client.get(LANDING)
    assert response.status_code == 403
    assert "This survey is not open yet" in html(response)


def test_an_invitation_serves_once(client: Client, campaign) -> None:
    campaign.invitation_only = True
    campaign.save()
    Invitation.objects.create(campaign=campaign, token_hash=token_hash("tok-123"))
    assert client.get(LANDING).status_code == 403
    assert client.get(LANDING + "?t=wrong").status_code == 403
    response = complete(client, "?t=tok-123")
    assert response["Location"].endswith("/thanks/")
    invitation = Invitation.objects.get()
    assert invitation.used_at is not None
    assert Response.objects.count() == 1
    again = Client().get(LANDING + "?t=tok-123")
    assert again.status_code == 403
    assert "This invitation was already used" in html(again)


def test_a_filled_honeypot_is_thanked_and_not_stored(client: Client, campaign) -> None:
    start(client)
    for answers in ANSWERS[:8]:
        answer_section(client, answers)
    page = client.get(PAGE)
    data = {"shown": shown(page), "action": "next", "website": "http://spam.example"}
    response = client.post(PAGE, data)
    assert response.status_code == 302 and response["Location"].endswith("/thanks/")
    assert Response.objects.count() == 0
    key = re.search(r'name="submission_key" value="([^"]+)"', html(client.get(ALL)))
    assert key is not None
    data = {"a-consent": "no", "submission_key": key[1], "website": "x"}
    assert client.post(ALL, data)["Location"].endswith("/thanks/")
    assert Response.objects.count() == 0


def test_rate_limits_answer_429_in_both_languages(client: Client, campaign, rate_limited) -> None:
    statuses = [client.post(LANDING, {"action": "start"}).status_code for _ in range(7)]
    assert statuses[:5] == [302] * 5
    assert statuses[5:] == [429, 429]
    refused = client.post(LANDING, {"action": "start"})
    assert "Trop de requêtes" in html(refused) and "Too many requests" in html(refused)
    # Submissions have their own, smaller limit.
    key = re.search(r'name="submission_key" value="([^"]+)"', html(client.get(ALL)))
    assert key is not None
    codes = [
        client.post(ALL, {"a-consent": "no", "submission_key": str(n) + key[1][1:]}).status_code
        for n in range(3)
    ]
    assert codes == [302, 302, 429]


def test_no_address_or_user_agent_is_stored_anywhere(campaign) -> None:
    from django.apps import apps

    client = Client(REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="Agent-Secret/9.9")
    start(client)
    answer_section(client, ANSWERS[0])
    post_page(client, {"safe_dark": "very_safe"}, action="save")
    complete(Client(REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="Agent-Secret/9.9"))
    rows = 0
    for model in apps.get_models():
        for row in model.objects.all().values():
            rows += 1
            text = str(row)
            assert "203.0.113" not in text and "Agent-Secret" not in text, model
    assert rows > 3


def test_security_headers(client: Client, campaign) -> None:
    response = client.get(LANDING)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in html(response) and " style=" not in html(response)
    assert 'name="csrfmiddlewaretoken"' in html(response)
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(LANDING, {"action": "start"}).status_code == 403


def test_unknown_campaign_and_bad_resume_link_are_404(client: Client, campaign) -> None:
    assert client.get("/s/nope/").status_code == 404
    response = client.get(f"/s/{campaign.slug}/resume/not-a-key/")
    assert response.status_code == 404
    assert "Page not found" in html(response) and "Page introuvable" in html(response)


def test_the_database_is_the_one_asked_for() -> None:
    from django.db import connection

    # The postgres test runs these tests again with DATABASE_URL and says what it expects.
    assert connection.vendor == os.environ.get("URBANSAFETY_EXPECT_DB", "sqlite")


def test_errors_are_in_the_respondents_language(client: Client, campaign) -> None:
    start(client)
    answer_section(client, ANSWERS[0])
    page = client.get(PAGE + "?lang=en")
    errors = post_page(client, {"safe_dark": ""}, page=page)
    assert errors.status_code == 200
    assert '<html lang="en">' in html(errors)
    assert "There is 1 problem to fix" in html(errors)
    assert "Please choose an answer" in html(errors)
    assert "Veuillez" not in html(errors)


def test_purgedrafts_deletes_only_old_drafts(client: Client, campaign) -> None:
    from io import StringIO

    from django.core.management import call_command

    start(client)
    start(Client())
    Draft.objects.filter(pk=Draft.objects.first().pk).update(
        updated_at=timezone.now() - timedelta(days=61)
    )
    out = StringIO()
    call_command("purgedrafts", "--days", "60", stdout=out)
    assert out.getvalue().strip() == "1"
    assert Draft.objects.count() == 1


def test_the_relevance_endpoint_applies_the_forms_rules(client: Client, campaign) -> None:
    url = f"/s/{campaign.slug}/relevant/"
    first = client.post(url, {"a-consent": "yes"}).json()["relevant"]
    assert "age_group" in first and "safe_dark" not in first
    later = client.post(url, {"a-consent": "yes", "a-age_group": "age_15_24"}).json()["relevant"]
    assert "safe_dark" in later and "reported_theft" not in later
    assert client.get(url).status_code == 405
    assert Response.objects.count() == 0 and Draft.objects.count() == 0


def test_the_demo_campaign_is_seeded_once(web_workspace) -> None:
    from urbansafety.web.surveys.campaigns import DEMO_SLUG, seed_demo_campaign

    campaign = seed_demo_campaign(web_workspace, n=120, seed=3, n_incidents=2_000)
    assert campaign.slug == DEMO_SLUG and campaign.get_absolute_url() == f"/s/{DEMO_SLUG}/"
    stored = Response.objects.filter(campaign=campaign)
    # A few rows of the synthetic export are wrong on purpose and refused by the import.
    assert 100 <= stored.count() < 120
    assert set(stored.values_list("source", flat=True)) == {"demo"}
    assert stored.exclude(neighbourhood="").filter(neighbourhood__startswith="Q").exists()
    assert seed_demo_campaign(web_workspace, n=120, seed=3).pk == campaign.pk
    assert Response.objects.count() == stored.count()


def test_the_rate_limit_key_is_a_salted_hash_and_trusts_a_proxy_only_when_told(settings) -> None:
    from django.test import RequestFactory

    from urbansafety.web.surveys.ratelimit import client_hash, limits

    factory = RequestFactory()
    a = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9")
    b = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.8")
    assert client_hash(a) == client_hash(b)  # no proxy: the forwarded header is not trusted
    assert "10.0.0.1" not in client_hash(a) and len(client_hash(a)) == 32
    settings.BEHIND_PROXY = True
    assert client_hash(a) != client_hash(b)
    assert limits("20/m") == {"submit": (20, 60), "page": (200, 60)}
    assert limits("5/m,50/h") == {"submit": (5, 60), "page": (50, 3600)}
    assert limits("off") is None
    with pytest.raises(ValueError, match="URBANSAFETY_RATE_LIMIT"):
        limits("lots")
