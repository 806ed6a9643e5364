"""Roles: a follow-up account sees the campaigns and their counts; the rest needs an analyst.

Every analyst URL is checked: a view added later without ``analyst_only`` fails here unless it is
put in the read-only allow-list on purpose.
"""

from __future__ import annotations

import importlib
import sqlite3
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

pytest.register_assert_rewrite("tests.web.conftest_analyst")

from tests.web.conftest_analyst import safety_campaign  # noqa: E402
from tests.web.test_serve import PASSWORD, cli, workspace  # noqa: E402, F401
from urbansafety.web.surveys import urls_analyst  # noqa: E402
from urbansafety.web.surveys.models import (  # noqa: E402
    Campaign,
    ImportReject,
    Invitation,
    Response,
    ResponseImport,
)

pytest_plugins = ["tests.web.conftest_analyst"]

SLUG = "safety-2026"
SECRET = "my neighbour's name"  # a value typed by a respondent, refused at import
NOTE_EN = (
    "Your account follows the collection; exports, imports and changes need an analyst account."
)
# What a follow-up account may open: the login pages and the campaigns with their counts.
READ_ONLY = {
    "analyst-login",
    "analyst-logout",
    "analyst-language",
    "analyst-home",
    "analyst-campaign",
}


def client_of(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def campaign_with_data(ws) -> tuple[Campaign, ResponseImport]:  # type: ignore[no-untyped-def]
    """Return a campaign with one response and one import that refused one value."""
    campaign = safety_campaign(ws, SLUG)
    Response.objects.create(
        campaign=campaign,
        submission_key=uuid.uuid4(),
        language="fr",
        answers={"consent": "yes", "neighbourhood": "Q00", "comments": "free text"},
        neighbourhood="Q00",
    )
    record = ResponseImport.objects.create(
        campaign=campaign, file_name="kobo-may.csv", sha256="0" * 64, source="kobo", rows_read=2
    )
    ImportReject.objects.create(
        response_import=record, row=2, column="neighbourhood", value=SECRET, reason="Unknown"
    )
    return campaign, record


def analyst_patterns() -> list[URLPattern]:
    patterns = [p for p in urls_analyst.urlpatterns if isinstance(p, URLPattern)]
    assert len(patterns) == len(urls_analyst.urlpatterns)  # no include() left unchecked
    return patterns


def url_of(pattern: URLPattern, record: ResponseImport) -> str:
    """Return the path of pattern for the campaign SLUG and the import record."""
    values = {"slug": SLUG, "pk": record.pk}
    kwargs = {name: values[name] for name in pattern.pattern.converters}
    return reverse(pattern.name, kwargs=kwargs)


def analyst_only_urls(record: ResponseImport) -> list[tuple[str, str]]:
    """Return (name, path) of every analyst URL outside the read-only allow-list."""
    return [(p.name, url_of(p, record)) for p in analyst_patterns() if p.name not in READ_ONLY]


def test_the_allow_list_names_real_urls() -> None:
    assert {p.name for p in analyst_patterns()} >= READ_ONLY


def test_a_viewer_sees_the_campaigns_and_their_counts(viewer, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    campaign, record = campaign_with_data(analyst_ws)
    c = client_of(viewer)
    home = c.get(reverse("analyst-home"), HTTP_ACCEPT_LANGUAGE="en")
    html = home.content.decode()
    assert home.status_code == 200 and "Safety 2026" in html
    assert reverse("analyst-campaign-new") not in html and NOTE_EN in html
    page = c.get(reverse("analyst-campaign", kwargs={"slug": SLUG}), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "1 response" in html and "Responses per day" in html and "<svg" in html
    assert campaign.get_absolute_url() in html  # the public link
    assert "kobo-may.csv" in html and NOTE_EN in html
    for name, path in analyst_only_urls(record):
        assert f'"{path}' not in html, name  # no form, link nor button to an analyst-only page
    assert 'name="kind"' not in html and 'name="count"' not in html
    french = c.get(reverse("analyst-campaign", kwargs={"slug": SLUG}), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Votre compte suit la collecte" in french.content.decode()


def test_a_viewer_gets_403_on_every_analyst_only_url(viewer, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    campaign, record = campaign_with_data(analyst_ws)
    c = client_of(viewer)
    checked = []
    for name, path in analyst_only_urls(record):
        for method in ("get", "post"):
            response = getattr(c, method)(path)
            assert response.status_code == 403, (name, method, response.status_code)
            assert SECRET not in response.content.decode()
        checked.append(name)
    assert {"analyst-export", "analyst-import-rejects-csv", "analyst-campaign-close"} <= set(
        checked
    )
    for name in READ_ONLY - {"analyst-logout", "analyst-language"}:
        path = url_of(next(p for p in analyst_patterns() if p.name == name), record)
        assert c.get(path).status_code in (200, 302), name  # login: 302 to the campaigns
    campaign.refresh_from_db()
    assert campaign.closes_at is None and Invitation.objects.count() == 0
    assert Campaign.objects.count() == 1 and ResponseImport.objects.count() == 1
    assert not Response.objects.filter(exported_at__isnull=False).exists()


def test_an_analyst_still_opens_every_page(analyst, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    _campaign, record = campaign_with_data(analyst_ws)
    c = client_of(analyst)
    page = c.get(reverse("analyst-campaign", kwargs={"slug": SLUG}), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert reverse("analyst-export", kwargs={"slug": SLUG}) in html and NOTE_EN not in html
    assert reverse("analyst-import-rejects", kwargs={"slug": SLUG, "pk": record.pk}) in html
    assert reverse("analyst-campaign-new") in c.get(reverse("analyst-home")).content.decode()
    export = reverse("analyst-export", kwargs={"slug": SLUG}) + "?kind=csv&values=codes&lang=fr"
    expected = {
        ("get", reverse("analyst-campaign-new")): 200,
        ("get", reverse("analyst-campaign-edit", kwargs={"slug": SLUG})): 200,
        ("get", export): 200,
        ("get", reverse("analyst-import", kwargs={"slug": SLUG})): 200,
        ("get", reverse("analyst-import-rejects", kwargs={"slug": SLUG, "pk": record.pk})): 200,
        ("get", reverse("analyst-import-rejects-csv", kwargs={"slug": SLUG, "pk": record.pk})): 200,
        ("post", reverse("analyst-invitations", kwargs={"slug": SLUG})): 302,  # no count: back
        ("post", reverse("analyst-campaign-close", kwargs={"slug": SLUG})): 302,
    }
    for (method, path), status in expected.items():
        assert getattr(c, method)(path).status_code == status, (method, path)
    # every analyst-only URL answers the analyst (405: the other method), never 403
    for name, path in analyst_only_urls(record):
        if name == "analyst-send-to-store":
            continue  # writes to the workspace store: tested in test_analyst_data.py
        for method in ("get", "post"):
            assert getattr(c, method)(path).status_code in (200, 302, 405), (name, method)


def test_the_403_page_is_bilingual(viewer, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    safety_campaign(analyst_ws, SLUG)
    c = client_of(viewer)
    for lang in ("fr", "en"):
        page = c.get(
            reverse("analyst-export", kwargs={"slug": SLUG}) + "?kind=csv&values=codes&lang=fr",
            HTTP_ACCEPT_LANGUAGE=lang,
        )
        html = page.content.decode()
        assert page.status_code == 403
        assert "Accès refusé / Access denied" in html
        assert "demandent un compte d'analyste" in html
        assert "exports, imports and changes need an analyst account" in html
        assert f'href="{reverse("analyst-home")}"' in html


def test_the_migration_gives_the_permission_to_existing_users(
    analyst_db, django_user_model
) -> None:  # type: ignore[no-untyped-def]
    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.db import connection

    migration = importlib.import_module(
        "urbansafety.web.surveys.migrations.0004_campaign_handle_responses"
    )
    Permission.objects.filter(codename="handle_responses").delete()  # as before the migration
    before = django_user_model.objects.create_user("marie", password=PASSWORD)
    schema_editor = SimpleNamespace(connection=connection)
    migration.grant_to_existing_users(apps, schema_editor)
    migration.grant_to_existing_users(apps, schema_editor)  # run twice: no error, one permission
    assert Permission.objects.filter(codename="handle_responses").count() == 1
    user = django_user_model.objects.get(pk=before.pk)  # fresh: no permission cache
    assert user.has_perm("surveys.handle_responses")


def permissions(ws: Path) -> dict[str, bool]:
    """Return {user name: has the analysts' permission} from the workspace's database."""
    with sqlite3.connect(ws / "web" / "db.sqlite3") as con:
        rows = con.execute(
            "SELECT u.username, EXISTS (SELECT 1 FROM auth_user_user_permissions up "
            "JOIN auth_permission p ON p.id = up.permission_id "
            "WHERE up.user_id = u.id AND p.codename = 'handle_responses') FROM auth_user u"
        ).fetchall()
    return {name: bool(has) for name, has in rows}


def test_serve_creates_analysts_and_follow_up_accounts(workspace: Path) -> None:  # noqa: F811
    def serve(option: str, name: str, lang: str = "en"):  # type: ignore[no-untyped-def]
        done = cli(
            "serve", "--lang", lang, "--workspace", str(workspace), option, name,
            stdin=f"{PASSWORD}\n{PASSWORD}\n",
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    assert "Follow-up account carole created" in serve("--create-viewer", "carole")
    assert "Analyst account alice created" in serve("--create-analyst", "alice")
    assert permissions(workspace) == {"carole": False, "alice": True}
    assert "Compte de suivi alice mis à jour" in serve("--create-viewer", "alice", "fr")
    assert "carole" in serve("--create-analyst", "carole")
    assert permissions(workspace) == {"carole": True, "alice": False}
    assert "--create-viewer" in cli("serve", "--help").stdout
    both = cli(
        "serve", "--lang", "en", "--workspace", str(workspace),
        "--create-analyst", "dan", "--create-viewer", "dan",
    )  # fmt: skip
    assert both.returncode == 2 and "not both" in both.stdout
    assert permissions(workspace) == {"carole": True, "alice": False}  # nothing created
