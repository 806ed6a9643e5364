"""The web app (Django): survey collection for residents, pages for analysts.

``urbansafety serve`` starts it on the workspace given (SQLite in the workspace by default,
PostgreSQL through ``DATABASE_URL``). Settings come from the environment that command sets:
``URBANSAFETY_WORKSPACE``, ``DATABASE_URL``, ``URBANSAFETY_SECRET_KEY``, ``URBANSAFETY_DEBUG``.
:func:`setup` does the same for a script (the demo seeding a campaign, a test).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SETTINGS = "urbansafety.web.settings"
SECRET_FILE = "secret_key"


def secret_key(workspace: Path) -> str:
    """Return the workspace's secret key, created once in web/secret_key (mode 600)."""
    folder = workspace / "web"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    key = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key


def prepare_environment(workspace: Path) -> None:
    """Set the environment the settings read: workspace, secret key, settings module."""
    workspace = workspace.resolve()
    (workspace / "web" / "static").mkdir(parents=True, exist_ok=True)  # whitenoise wants it
    os.environ["URBANSAFETY_WORKSPACE"] = str(workspace)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    if not os.environ.get("URBANSAFETY_SECRET_KEY"):
        os.environ["URBANSAFETY_SECRET_KEY"] = secret_key(workspace)


def setup(workspace: Path, *, migrate: bool = True) -> None:
    """Set Django up on the workspace (once per process) and apply migrations."""
    import django
    from django.core.management import call_command

    prepare_environment(workspace)
    django.setup()
    if migrate:
        call_command("migrate", interactive=False, verbosity=0)
