"""Analyst pages: login and lockout, CSRF, campaigns, QR code, live counts, invitations."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import uuid
from datetime import timedelta

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytest.register_assert_rewrite("tests.web.conftest_analyst")

from tests.web.conftest_analyst import PASSWORD, safety_campaign  # noqa: E402
from urbansafety.web.surveys.models import Campaign, Invitation, QuotaTarget, Response  # noqa: E402

pytest_plugins = ["tests.web.conftest_analyst"]

SLUG = "safety-2026"


def analyst_urls() -> list[tuple[str, str]]:
    """Return (method, url) of every analyst page that needs a login."""
    slug = {"slug": SLUG}
    return [
        ("get", reverse("analyst-home")),
        ("get", reverse("analyst-campaign-new")),
        ("post", reverse("analyst-campaign-new")),
        ("get", reverse("analyst-campaign", kwargs=slug)),
        ("get", reverse("analyst-campaign-edit", kwargs=slug)),
        ("post", reverse("analyst-campaign-edit", kwargs=slug)),
        ("post", reverse("analyst-campaign-close", kwargs=slug)),
        ("post", reverse("analyst-invitations", kwargs=slug)),
        ("get", reverse("analyst-export", kwargs=slug) + "?kind=csv&values=codes&lang=fr"),
        ("post", reverse("analyst-send-to-store", kwargs=slug)),
        ("get", reverse("analyst-import", kwargs=slug)),
        ("post", reverse("analyst-import", kwargs=slug)),
    ]


def test_anonymous_users_are_sent_to_the_login_page(analyst_db, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    safety_campaign(analyst_ws, SLUG)
    anonymous = Client()
    for method, url in analyst_urls():
        response = getattr(anonymous, method)(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("analyst-login") + "?next="), url
    assert Campaign.objects.get(slug=SLUG).closes_at is None
    assert Invitation.objects.count() == 0


def test_login_page_in_both_languages_and_login_works(analyst) -> None:  # type: ignore[no-untyped-def]
    page = Client().get(reverse("analyst-login"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="en">' in html
    assert '<label for="id_username">User name</label>' in html
    assert 'autocomplete="current-password"' in html
    french = Client().get(reverse("analyst-login"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr">' in french
    assert 'name="csrfmiddlewaretoken"' in french
    c = Client()
    response = c.post(reverse("analyst-login"), {"username": "analyste", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("analyst-home")
    assert c.get(reverse("analyst-home")).status_code == 200
    assert c.get(reverse("analyst-logout")).status_code == 405  # logging out is a POST
    out = c.post(reverse("analyst-logout"), HTTP_ACCEPT_LANGUAGE="en")
    assert out.status_code == 302 and out["Location"] == reverse("analyst-login")
    assert (
        "You are logged out." in c.get(out["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert c.get(reverse("analyst-home")).status_code == 302


def test_language_switch_changes_the_pages_language(analyst_client) -> None:  # type: ignore[no-untyped-def]
    home = reverse("analyst-home")
    response = analyst_client.post(reverse("analyst-language"), {"language": "en", "next": home})
    assert response.status_code == 302 and response["Location"] == home
    html = analyst_client.get(home).content.decode()
    assert '<html lang="en">' in html and "Survey campaigns" in html
    analyst_client.post(reverse("analyst-language"), {"language": "fr", "next": home})
    assert '<html lang="fr">' in analyst_client.get(home).content.decode()


def test_five_failed_logins_lock_the_account_out(analyst) -> None:  # type: ignore[no-untyped-def]
    c = Client()
    url = reverse("analyst-login")
    for _ in range(5):
        failed = c.post(url, {"username": "analyste", "password": "wrong"})
        assert "_auth_user_id" not in c.session
        assert failed.status_code in (200, 429)
    sixth = c.post(url, {"username": "analyste", "password": PASSWORD})
    assert sixth.status_code in (403, 429)
    assert "_auth_user_id" not in c.session
    assert c.get(reverse("analyst-home")).status_code == 302
    # the page of urbansafety (AXES_LOCKOUT_CALLABLE) says why, in the analyst's language
    from django.test import override_settings

    with override_settings(
        AXES_LOCKOUT_CALLABLE="urbansafety.web.surveys.views_analyst_auth.lockout_response"
    ):
        page = c.post(
            url, {"username": "analyste", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert page.status_code == 429 and "_auth_user_id" not in c.session
    assert (
        "Too many failed attempts" in page.content.decode()
        and "for 1 hour." in page.content.decode()
    )
    # another analyst, from the same computer, is not locked out by these attempts
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("autre", password=PASSWORD)
    other = Client()
    assert other.post(url, {"username": "autre", "password": PASSWORD}).status_code == 302


def test_csrf_is_enforced_on_every_change(analyst, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    campaign = safety_campaign(analyst_ws, SLUG)
    c = Client(enforce_csrf_checks=True)
    c.force_login(analyst)
    close = reverse("analyst-campaign-close", kwargs={"slug": SLUG})
    assert c.post(close).status_code == 403
    assert (
        c.post(reverse("analyst-invitations", kwargs={"slug": SLUG}), {"count": 3}).status_code
        == 403
    )
    assert c.post(reverse("analyst-login"), {"username": "x", "password": "y"}).status_code == 403
    campaign.refresh_from_db()
    assert campaign.closes_at is None and Invitation.objects.count() == 0
    page = c.get(reverse("analyst-campaign", kwargs={"slug": SLUG}))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    assert c.post(close, {"csrfmiddlewaretoken": token.group(1)}).status_code == 302
    campaign.refresh_from_db()
    assert campaign.closes_at is not None and not campaign.is_open()


def test_security_headers_and_no_caching(analyst_client, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    safety_campaign(analyst_ws, SLUG)
    response = analyst_client.get(reverse("analyst-campaign", kwargs={"slug": SLUG}))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_create_a_campaign_from_the_workspace_questionnaire(analyst_client, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    form = analyst_client.get(reverse("analyst-campaign-new")).content.decode()
    assert '<option value="safety.xlsx">safety.xlsx</option>' in form
    assert 'name="quota_Q00"' in form and "Carré 00 (Q00)" in form
    response = analyst_client.post(
        reverse("analyst-campaign-new"),
        {
            "workspace_form": "safety.xlsx",
            "slug": "verdun-2026",
            "title_fr": "Sécurité à Verdun",
            "title_en": "Safety in Verdun",
            "languages": "fr,en",
            "opens_at": "2026-05-01T08:00",
            "closes_at": "2026-06-30T23:00",
            "quota_Q00": "120",
            "quota_Q11": "80",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("analyst-campaign", kwargs={"slug": "verdun-2026"})
    campaign = Campaign.objects.get(slug="verdun-2026")
    assert bytes(campaign.form_xlsx) == (analyst_ws.path / "surveys" / "safety.xlsx").read_bytes()
    assert campaign.form_name == "safety.xlsx" and campaign.form_version == "2026112302"
    assert campaign.survey == "verdun_2026" and campaign.language_list() == ["fr", "en"]
    assert campaign.created_by is not None and not campaign.invitation_only
    assert timezone.localtime(campaign.opens_at).hour == 8
    quotas = dict(
        QuotaTarget.objects.filter(campaign=campaign).values_list("neighbourhood", "target")
    )
    assert quotas == {"Q00": 120, "Q11": 80}
    listing = analyst_client.get(reverse("analyst-home")).content.decode()
    assert "verdun-2026" in listing and '<th scope="col">' in listing


def test_an_invalid_xlsform_names_its_sheet_row_and_column(
    analyst_client, analyst_ws, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    book = openpyxl.load_workbook(analyst_ws.path / "surveys" / "safety.xlsx")
    sheet = book["survey"]
    header = [cell.value for cell in sheet[1]]
    type_col = header.index("type") + 1
    row = next(
        r
        for r in range(2, sheet.max_row + 1)
        if sheet.cell(r, header.index("name") + 1).value == "safe_day"
    )
    sheet.cell(row, type_col).value = "geopoint"
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "broken.xlsx"
    response = analyst_client.post(
        reverse("analyst-campaign-new"),
        {"upload": buffer, "slug": "broken", "title_fr": "x", "title_en": "x", "languages": "fr"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert response.status_code == 200 and not Campaign.objects.filter(slug="broken").exists()
    assert "broken.xlsx [survey]" in html
    assert f"row {row}" in html and "column type" in html
    assert "geopoint" in html


def test_create_a_campaign_from_an_uploaded_xlsform(analyst_client, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    data = (analyst_ws.path / "surveys" / "safety.xlsx").read_bytes()
    upload = io.BytesIO(data)
    upload.name = "mon-formulaire.xlsx"
    fields = {
        "slug": "kobo-2026",
        "title_fr": "T",
        "title_en": "T",
        "languages": "en",
        "invitation_only": "on",
    }
    response = analyst_client.post(reverse("analyst-campaign-new"), {"upload": upload, **fields})
    assert response.status_code == 302
    campaign = Campaign.objects.get(slug="kobo-2026")
    assert bytes(campaign.form_xlsx) == data and campaign.form_name == "mon-formulaire.xlsx"
    assert campaign.invitation_only and campaign.language_list() == ["en"]
    assert campaign.quotas.count() == 0
    again = io.BytesIO(data)
    again.name = "x.xlsx"
    duplicate = analyst_client.post(reverse("analyst-campaign-new"), {"upload": again, **fields})
    assert duplicate.status_code == 200 and Campaign.objects.filter(slug="kobo-2026").count() == 1


def test_the_same_questionnaire_cannot_come_from_both_places(analyst_client) -> None:  # type: ignore[no-untyped-def]
    response = analyst_client.post(
        reverse("analyst-campaign-new"),
        {"slug": "none", "title_fr": "x", "title_en": "x", "languages": "fr"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert (
        response.status_code == 200
        and "Choose a questionnaire of the workspace" in response.content.decode()
    )
    digits = analyst_client.post(
        reverse("analyst-campaign-new"),
        {
            "workspace_form": "safety.xlsx",
            "slug": "2026",
            "title_fr": "x",
            "title_en": "x",
            "languages": "fr",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Start with a letter" in digits.content.decode() and not Campaign.objects.exists()
    evil = analyst_client.post(
        reverse("analyst-campaign-new"),
        {
            "workspace_form": "../urbansafety.toml",
            "slug": "evil",
            "title_fr": "x",
            "title_en": "x",
            "languages": "fr",
        },
    )
    assert evil.status_code == 200 and not Campaign.objects.filter(slug="evil").exists()


def add_response(campaign: Campaign, hood: str, day: int = 0, **answers: object) -> Response:
    """Create a submitted response in a neighbourhood (day: days before now)."""
    values = {"consent": "yes", "age_group": "age_25_34", "safe_dark": "very_unsafe",
              "gender": "woman", "neighbourhood": hood, **answers}  # fmt: skip
    return Response.objects.create(
        campaign=campaign,
        submission_key=uuid.uuid4(),
        submitted_at=timezone.now() - timedelta(days=day),
        language="fr",
        answers=values,
        neighbourhood=hood,
    )


def table_rows(html: str, caption: str) -> dict[str, list[str]]:
    """Return {row header text: [cell texts]} of the table with that caption."""
    table = re.split(f"<caption[^>]*>{re.escape(caption)}</caption>", html, maxsplit=1)[1]
    table = table.split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        head = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if head:
            key = re.sub(r"<[^>]+>", "", head.group(1)).split("(")[0].strip()
            rows[key] = [
                re.sub(r"<[^>]+>", "", c).replace("&nbsp;", "\u00a0").strip()
                for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            ]
    return rows


def test_campaign_page_shows_link_qr_code_and_counts_against_quotas(
    analyst_client, analyst_ws
) -> None:  # type: ignore[no-untyped-def]
    campaign = safety_campaign(analyst_ws, SLUG)
    QuotaTarget.objects.create(campaign=campaign, neighbourhood="Q00", target=8)
    QuotaTarget.objects.create(campaign=campaign, neighbourhood="Q01", target=3)
    for _ in range(6):
        add_response(campaign, "Q00", day=0)
    add_response(campaign, "Q00", day=1)
    add_response(campaign, "Q10", day=1)
    add_response(campaign, "other", day=2)
    page = analyst_client.get(
        reverse("analyst-campaign", kwargs={"slug": SLUG}), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "http://testserver/s/safety-2026/" in html
    svg = re.search(
        r"<svg role=\"img\"[^>]*class=\"qr\"><title>QR code of the public link</title>.*?</svg>",
        html,
        re.S,
    )
    assert svg is not None and "<path" in svg.group(0)
    assert "Internal — not for publication." in html
    rows = table_rows(html, "Responses by neighbourhood and quota targets")
    assert rows["Carré 00"] == ["7", "8", "88%"]
    assert rows["Carré 01"] == ["0", "3", "0%"]
    assert rows["Carré 10"] == ["1", "—", "—"]
    assert rows["Carré 11"] == ["0", "—", "—"]
    assert rows["other"] == ["1", "—", "—"]
    assert rows["Total"] == ["9", "11", "82%"]
    per_day = table_rows(html, "Responses per day")
    assert sorted(int(v[0]) for v in per_day.values()) == [1, 2, 6]
    assert "9 responses" in html and "9 responses not sent yet." in html


def test_campaign_page_in_french(analyst_client, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    from urbansafety.i18n import translator

    campaign = safety_campaign(analyst_ws, SLUG)
    QuotaTarget.objects.create(campaign=campaign, neighbourhood="Q00", target=4)
    add_response(campaign, "Q00")
    html = analyst_client.get(
        reverse("analyst-campaign", kwargs={"slug": SLUG}), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert '<html lang="fr">' in html and "<h1>Sécurité 2026</h1>" in html
    french = translator("fr")
    for msgid in (
        "Internal — not for publication.",
        "Responses by neighbourhood and quota targets",
        "Public link",
    ):
        assert french(msgid) != msgid and french(msgid) in html
    caption = french("Responses by neighbourhood and quota targets")
    assert table_rows(html, caption)["Carré 00"] == ["1", "4", "25\u00a0%"]


def test_campaign_list_shows_status_and_counts(analyst_client, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    open_one = safety_campaign(analyst_ws, "open-one", title_en="Open")
    safety_campaign(analyst_ws, "later", title_en="Later", opens_at=now + timedelta(days=3))
    safety_campaign(analyst_ws, "done", title_en="Done", closes_at=now - timedelta(days=1))
    add_response(open_one, "Q00")
    add_response(open_one, "Q01")
    rows = table_rows(
        analyst_client.get(reverse("analyst-home"), HTTP_ACCEPT_LANGUAGE="en").content.decode(),
        "Campaigns, newest first",
    )
    assert {k: v[:2] for k, v in rows.items()} == {
        "Open": ["open", "2"],
        "Later": ["scheduled", "0"],
        "Done": ["closed", "0"],
    }


def test_edit_dates_and_quotas(analyst_client, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    campaign = safety_campaign(analyst_ws, SLUG)
    QuotaTarget.objects.create(campaign=campaign, neighbourhood="Q00", target=8)
    url = reverse("analyst-campaign-edit", kwargs={"slug": SLUG})
    assert 'value="8"' in analyst_client.get(url).content.decode()
    bad = analyst_client.post(
        url,
        {
            "title_fr": "A",
            "title_en": "B",
            "opens_at": "2026-06-01T00:00",
            "closes_at": "2026-05-01T00:00",
        },
    )
    assert bad.status_code == 200
    good = analyst_client.post(
        url, {"title_fr": "A", "title_en": "B", "closes_at": "2026-07-01T12:00", "quota_Q01": "5"}
    )
    assert good.status_code == 302
    campaign.refresh_from_db()
    assert campaign.title_fr == "A" and timezone.localtime(campaign.closes_at).month == 7
    assert dict(campaign.quotas.values_list("neighbourhood", "target")) == {"Q01": 5}


def test_invitations_are_shown_once_and_stored_only_hashed(analyst_client, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    campaign = safety_campaign(analyst_ws, SLUG, invitation_only=True)
    response = analyst_client.post(
        reverse("analyst-invitations", kwargs={"slug": SLUG}), {"count": 7}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 7
    tokens = [re.search(r"[?&]t=([^&]+)$", row["link"]).group(1) for row in rows]  # type: ignore[union-attr]
    assert all(row["link"].startswith("http://testserver/s/safety-2026/") for row in rows)
    assert len(set(tokens)) == 7 and all(len(t) >= 20 for t in tokens)
    stored = set(Invitation.objects.filter(campaign=campaign).values_list("token_hash", flat=True))
    assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    assert not stored & set(tokens)
    # the link opens the survey (the respondent pages accept it); without it, they refuse
    assert Client().get(rows[1]["link"]).status_code == 200
    assert Client().get(reverse("respond-landing", kwargs={"slug": SLUG})).status_code == 403
    Invitation.objects.filter(token_hash=hashlib.sha256(tokens[0].encode()).hexdigest()).update(
        used_at=timezone.now()
    )
    html = analyst_client.get(
        reverse("analyst-campaign", kwargs={"slug": SLUG}), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Used: 1 · not used: 6." in html
    too_many = analyst_client.post(
        reverse("analyst-invitations", kwargs={"slug": SLUG}), {"count": 100_000}
    )
    assert too_many.status_code == 302 and Invitation.objects.count() == 7
