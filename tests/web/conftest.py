"""Web tests: Django on a small demo workspace (territories only), SQLite or PostgreSQL.

The settings are read from the environment once per process, so it is prepared here, before
pytest-django sets Django up: a throw-away workspace folder, debug settings, rate limits off
(the rate-limit test turns them on). ``DATABASE_URL`` (set by the ``postgres`` test) selects
PostgreSQL; otherwise SQLite.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

WORKSPACE = Path(tempfile.mkdtemp(prefix="urbansafety-web-"))
(WORKSPACE / "web" / "static").mkdir(parents=True)
os.environ["DJANGO_SETTINGS_MODULE"] = "urbansafety.web.settings"
os.environ["URBANSAFETY_WORKSPACE"] = str(WORKSPACE)
os.environ["URBANSAFETY_DEBUG"] = "1"
os.environ["URBANSAFETY_RATE_LIMIT"] = "off"
# The browser tests run Django's live server, whose thread needs the database in the same way.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")


def pytest_configure(config: pytest.Config) -> None:
    import django

    config.addinivalue_line(
        "markers",
        "postgres: runs the web tests again on a throw-away PostgreSQL cluster (needs postgresql)",
    )
    config.addinivalue_line(
        "markers",
        "browser: opens pages in headless Chromium with Playwright; needs /usr/bin/chromium",
    )
    django.setup()
    # Run with test paths, pytest-django may have set Django up before this file, in each xdist
    # worker, with the workspace the controller put in the environment: every worker would then
    # share one workspace (and its DuckDB lock). Point this worker's settings at its own.
    from django.conf import settings

    if Path(settings.WORKSPACE) != WORKSPACE.resolve():
        settings.WORKSPACE = WORKSPACE.resolve()
        settings.STATIC_ROOT = settings.WORKSPACE / "web" / "static"
        for cache in settings.CACHES.values():
            if "LOCATION" in cache and "FileBasedCache" in cache["BACKEND"]:
                cache["LOCATION"] = str(settings.WORKSPACE / "web" / "cache")


@pytest.fixture(scope="session")
def web_workspace() -> Path:
    """The app's workspace: the demo city's territory layers (10 neighbourhoods Q01…Q10)."""
    from django.conf import settings

    from urbansafety.demo_run import DEMO_CONFIG
    from urbansafety.ingest.demo import write_demo_files
    from urbansafety.ingest.geo import import_territories
    from urbansafety.workspace import init_workspace

    folder = Path(settings.WORKSPACE)  # where the settings, read once, expect it
    if (folder / "urbansafety.toml").exists():
        return folder
    files = write_demo_files(folder / "data", seed=5, n_incidents=200)
    ws = init_workspace(folder, extra_config=DEMO_CONFIG)
    import_territories(ws, files.boroughs, layer="borough", code_field="code", name_field="name")
    import_territories(
        ws,
        files.neighbourhoods,
        layer="neighbourhood",
        code_field="code",
        name_field="nom",
        parent_field="arrondissement",
    )
    return folder


@pytest.fixture
def campaign(db, web_workspace: Path):  # type: ignore[no-untyped-def]
    """An open campaign of the built-in questionnaire."""
    from urbansafety.survey.forms import template_path
    from urbansafety.web.surveys import formcache
    from urbansafety.web.surveys.campaigns import create_campaign

    formcache.clear()
    return create_campaign(
        "securite-2026", template_path("safety"), title_fr="Sécurité 2026", title_en="Safety 2026"
    )


@pytest.fixture
def rate_limited(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Turn rate limits on (2 submissions, 5 page posts a minute) with an empty counter cache."""
    from django.core.cache import caches

    settings.RATE_LIMIT = "2/m,5/m"
    caches["ratelimit"].clear()
    yield
    caches["ratelimit"].clear()
