"""Fixtures of the analyst-page tests, on top of tests/web/conftest.py and pytest-django.

Loaded by the analyst test modules with ``pytest_plugins``. The analyst tests use their own
workspace (4 square neighbourhoods Q00…Q11 named "Carré 00"…, the safety questionnaire in
surveys/), so that writing to its store never disturbs the other web tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import square_layer
from urbansafety.workspace import Workspace, init_workspace

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def analyst_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Return a workspace with 4 neighbourhoods (Q00…Q11, "Carré 00"…) and surveys/safety.xlsx."""
    from urbansafety.cli import build_app
    from urbansafety.survey.forms import new_form

    folder = tmp_path_factory.mktemp("analyst-ws")
    ws = init_workspace(folder / "ws")
    layer = square_layer(folder / "hoods.geojson", prefix="Q")
    build_app("en")(
        args=[
            "import", "territories", str(layer), "--layer", "neighbourhood",
            "--code-field", "code", "--name-field", "name", "--workspace", str(ws.path), "--quiet",
        ],
        standalone_mode=False,
        prog_name="urbansafety",
    )  # fmt: skip
    new_form(ws, "safety")
    return ws


@pytest.fixture
def analyst_db(db: None, settings: Any, analyst_ws: Workspace) -> Iterator[None]:
    """Give the test the database (rolled back after it) and the analyst workspace."""
    from django.core.cache import cache

    from urbansafety.web.surveys import formcache

    settings.WORKSPACE = analyst_ws.path
    formcache.clear()
    yield
    cache.clear()
    formcache.clear()


@pytest.fixture
def analyst(analyst_db: None, django_user_model: Any) -> Any:
    """Return an analyst account (password PASSWORD), with the analysts' permission."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("analyste", password=PASSWORD)
    user.user_permissions.add(Permission.objects.get(codename="handle_responses"))
    return user


@pytest.fixture
def viewer(analyst_db: None, django_user_model: Any) -> Any:
    """Return a follow-up account (password PASSWORD): no permission, counts only."""
    return django_user_model.objects.create_user("suivi", password=PASSWORD)


@pytest.fixture
def analyst_client(analyst: Any) -> Any:
    """Return a test client logged in as the analyst."""
    from django.test import Client

    c = Client()
    c.force_login(analyst)
    return c


def safety_campaign(ws: Workspace, slug: str = "safety-2026", **fields: object) -> Any:
    """Create and return a campaign of the workspace's safety questionnaire."""
    from urbansafety.web.surveys.models import Campaign

    data = (Path(ws.path) / "surveys" / "safety.xlsx").read_bytes()
    values = {
        "slug": slug, "title_fr": "Sécurité 2026", "title_en": "Safety 2026",
        "survey": slug.replace("-", "_"), "form_name": "safety.xlsx", "form_xlsx": data,
        "form_version": "2026112301", **fields,
    }  # fmt: skip
    return Campaign.objects.create(**values)
