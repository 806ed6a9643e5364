"""The `urbansafety serve` command: the web app (survey collection, analyst pages).

No `from __future__ import annotations` here: Typer reads the annotations (see cli_commands.py).
"""

import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from urbansafety.i18n import N_

LOOPBACK = ("127.0.0.1", "localhost", "::1")
MIN_PASSWORD = 10

# Printed at start, in the CLI's language.
MESSAGES = {
    "database_sqlite": N_("Database: SQLite, %(path)s"),
    "database_url": N_("Database: %(engine)s (DATABASE_URL)"),
    "analyst": N_("Analyst pages: %(url)s"),
    "campaign": N_("Public form of “%(title)s”: %(url)s"),
    "no_campaign": N_("No open campaign yet: create one in the analyst pages."),
    "stop": N_("Press Ctrl+C to stop."),
    "prod": N_("Production server: gunicorn, %(workers)s workers."),
    "rate_off": N_("Rate limit off (URBANSAFETY_RATE_LIMIT=off): for load tests on loopback only."),
    "rate_bad": N_("URBANSAFETY_RATE_LIMIT=%(value)s is not like 20/m, 20/m,200/m or off."),
    "password": N_("Password for %(name)s"),
    "short": N_("The password must have at least %(n)s characters."),
    "created": N_("Analyst account %(name)s created."),
    "updated": N_("Password of analyst account %(name)s changed."),
    "both_accounts": N_(
        "Give --create-analyst or --create-viewer, not both: one account at a time."
    ),
    "viewer_created": N_("Follow-up account %(name)s created (counts only: no export, no change)."),
    "viewer_updated": N_(
        "Follow-up account %(name)s updated: password changed, counts only (no export, no change)."
    ),
}
ANALYST_PERMISSION = ("surveys", "handle_responses")  # app label, codename


def default_workers() -> int:
    """Return gunicorn's advice for the number of workers: 2 × cores + 1."""
    return 2 * (os.cpu_count() or 1) + 1


def allowed_hosts(host: str) -> str:
    """Return the host names to accept for host (the environment's, if it gives them)."""
    if os.environ.get("URBANSAFETY_ALLOWED_HOSTS"):
        return os.environ["URBANSAFETY_ALLOWED_HOSTS"]
    names = ["localhost", "127.0.0.1", "[::1]"]
    if host not in LOOPBACK:
        names += [host, socket.gethostname(), socket.getfqdn()]
    return ",".join(dict.fromkeys(n for n in names if n and n not in ("0.0.0.0", "::")))


def base_url(host: str, port: int) -> str:
    """Return the address to print for host and port."""
    shown = "localhost" if host in ("0.0.0.0", "::", "127.0.0.1") else host
    return f"http://{shown}:{port}"


def register_serve(app: typer.Typer, _: Callable[[str], str]) -> None:
    """Add the serve command to app, with help texts translated by _."""
    console = Console()
    tr = _  # runtime messages: their msgids are the N_() constants above

    @app.command(
        "serve",
        help=_(
            "Start the web app on the workspace: public survey forms and analyst pages. SQLite in "
            "web/db.sqlite3 unless DATABASE_URL is set; migrations are applied at start."
        ),
    )
    def serve(
        workspace: Annotated[
            Path,
            typer.Option(
                "--workspace", "-w", help=_("Workspace folder (default: the current folder).")
            ),
        ] = Path("."),
        port: Annotated[int, typer.Option(help=_("Port to listen on."))] = 8000,
        host: Annotated[
            str,
            typer.Option(help=_("Address to listen on (0.0.0.0: every network interface).")),
        ] = "127.0.0.1",
        prod: Annotated[
            bool,
            typer.Option(
                "--prod",
                help=_("Run the production server (gunicorn, static files by whitenoise)."),
            ),
        ] = False,
        workers: Annotated[
            int | None,
            typer.Option(help=_("Gunicorn workers with --prod (default: 2 × cores + 1).")),
        ] = None,
        create_analyst: Annotated[
            str | None,
            typer.Option(
                "--create-analyst",
                help=_(
                    "Create an analyst account with this name (asks for a password), then stop."
                ),
            ),
        ] = None,
        create_viewer: Annotated[
            str | None,
            typer.Option(
                "--create-viewer",
                help=_(
                    "Create a follow-up account with this name (asks for a password), then stop: "
                    "it sees the campaigns and their counts, not the responses, and changes "
                    "nothing."
                ),
            ),
        ] = None,
        lang: Annotated[
            str, typer.Option("--lang", help=_("Language of messages: fr or en."))
        ] = "fr",
    ) -> None:
        from urbansafety.web import prepare_environment, setup
        from urbansafety.workspace import open_workspace

        if create_analyst and create_viewer:
            console.print(tr(MESSAGES["both_accounts"]))
            raise typer.Exit(2)
        open_workspace(workspace)  # refuses a folder that is not a workspace, with a hint
        os.environ["URBANSAFETY_ALLOWED_HOSTS"] = allowed_hosts(host)
        prepare_environment(workspace)
        setup(workspace)
        if create_analyst:
            _create_analyst(create_analyst, console, tr)
            return
        if create_viewer:
            _create_analyst(create_viewer, console, tr, analyst=False)
            return
        url = base_url(host, port)
        _print_start(console, url, tr)
        if prod:
            count = workers or default_workers()
            console.print(tr(MESSAGES["prod"]) % {"workers": count})
            console.print(tr(MESSAGES["stop"]))
            command = [
                sys.executable, "-m", "gunicorn", "urbansafety.web.wsgi:application",
                "--bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "--workers", str(count),
                # An analyst's export of a large campaign (50,000 responses as XLSX: seconds)
                # must not meet gunicorn's default 30 s limit on a busy machine.
                "--timeout", "120",
                "--error-logfile", "-",
            ]  # fmt: skip
            # No --access-logfile: gunicorn then keeps no access log (no addresses, no links).
            # gunicorn replaces this process, so that Ctrl+C and SIGTERM reach its master.
            sys.stdout.flush()
            os.execve(sys.executable, command, os.environ.copy())
        from django.core.management import call_command

        console.print(tr(MESSAGES["stop"]))
        call_command("runserver", f"{host}:{port}", use_reloader=False, skip_checks=True)


def _print_start(console: Console, url: str, tr: Callable[[str], str]) -> None:
    from django.conf import settings

    from urbansafety.web.surveys.models import Campaign
    from urbansafety.web.surveys.ratelimit import limits

    try:
        if limits() is None:
            console.print(tr(MESSAGES["rate_off"]))
    except ValueError:
        console.print(tr(MESSAGES["rate_bad"]) % {"value": settings.RATE_LIMIT})
        raise typer.Exit(2) from None
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        console.print(tr(MESSAGES["database_sqlite"]) % {"path": db["NAME"]})
    else:
        console.print(tr(MESSAGES["database_url"]) % {"engine": db["ENGINE"].rsplit(".", 1)[-1]})
    console.print(tr(MESSAGES["analyst"]) % {"url": f"{url}/analyst/"})
    lang = "en" if tr(MESSAGES["stop"]) == MESSAGES["stop"] else "fr"  # the CLI's language
    found = False
    for campaign in Campaign.objects.defer("form_xlsx"):
        if campaign.is_open():
            found = True
            title = campaign.title(lang)
            console.print(
                tr(MESSAGES["campaign"])
                % {"title": title, "url": url + campaign.get_absolute_url()}
            )
    if not found:
        console.print(tr(MESSAGES["no_campaign"]))


def _create_analyst(
    name: str, console: Console, tr: Callable[[str], str], analyst: bool = True
) -> None:
    """Create or update the account name: an analyst's, else a follow-up account's."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    password = typer.prompt(
        tr(MESSAGES["password"]) % {"name": name}, hide_input=True, confirmation_prompt=True
    )
    if len(password) < MIN_PASSWORD:
        console.print(tr(MESSAGES["short"]) % {"n": MIN_PASSWORD})
        raise typer.Exit(1)
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(username=name, defaults={"is_staff": True})
    user.set_password(password)
    user.is_staff = True
    user.save()
    app_label, codename = ANALYST_PERMISSION
    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    if analyst:
        user.user_permissions.add(permission)
        key = "created" if created else "updated"
    else:
        user.user_permissions.remove(permission)
        key = "viewer_created" if created else "viewer_updated"
    console.print(tr(MESSAGES[key]) % {"name": name})
