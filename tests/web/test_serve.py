"""`urbansafety serve`: a workspace with no set-up becomes a running app (dev server and gunicorn).

Each run is a separate process with a clean environment: settings are read once per process,
and these tests' own process already has the test database.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from urbansafety.survey.forms import template_path

PASSWORD = "correct horse battery staple"


def clean_env(**extra: str) -> dict[str, str]:
    """Return this environment without the test process's Django settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("URBANSAFETY_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    return {**env, **extra}


def cli(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """Run the urbansafety command in a new process and return what it did."""
    code = "from urbansafety.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(**env),
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A new workspace with a campaign of the built-in questionnaire, made in code."""
    from urbansafety.workspace import init_workspace

    init_workspace(tmp_path / "ws")
    script = (
        "import sys; from pathlib import Path; from urbansafety.web import setup; "
        "setup(Path(sys.argv[1])); "
        "from urbansafety.web.surveys.campaigns import create_campaign; "
        "c = create_campaign('enquete', sys.argv[2], title_fr='Enquête', title_en='Survey'); "
        "print(c.get_absolute_url())"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "ws"), str(template_path("safety"))],
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "/s/enquete/"
    return tmp_path / "ws"


def test_setup_makes_the_database_and_a_private_secret_key(workspace: Path) -> None:
    from urbansafety.web import secret_key

    key_file = workspace / "web" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert secret_key(workspace) == key_file.read_text().strip()  # made once, then kept
    assert len(secret_key(workspace)) > 40
    with sqlite3.connect(workspace / "web" / "db.sqlite3") as con:
        slugs = con.execute("SELECT slug, form_sha256 FROM surveys_campaign").fetchall()
    assert slugs[0][0] == "enquete" and len(slugs[0][1]) == 64


def test_create_analyst_asks_for_the_password_twice(workspace: Path) -> None:
    done = cli(
        "serve", "--lang", "en", "--workspace", str(workspace), "--create-analyst", "alice",
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "alice" in done.stdout
    with sqlite3.connect(workspace / "web" / "db.sqlite3") as con:
        user = con.execute("SELECT username, is_staff, password FROM auth_user").fetchone()
    assert user[0] == "alice" and user[1] == 1
    assert PASSWORD not in user[2] and user[2].startswith("pbkdf2_sha256$")
    short = cli(
        "serve", "--lang", "en", "--workspace", str(workspace), "--create-analyst", "bob",
        stdin="short\nshort\n",
    )  # fmt: skip
    assert short.returncode == 1
    assert "at least 10 characters" in short.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str, deadline: float) -> tuple[int, dict[str, str], str]:
    """GET url, retrying until the server answers or the deadline passes."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                body = response.read().decode()
                return response.status, dict(response.headers), body
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.mark.slow
@pytest.mark.parametrize("prod", [False, True], ids=["runserver", "gunicorn"])
def test_serve_starts_the_app_and_prints_the_links(workspace: Path, prod: bool) -> None:
    port = free_port()
    args = [sys.executable, "-c", "from urbansafety.cli import main; main()", "serve"]
    args += ["--lang", "fr", "--workspace", str(workspace), "--port", str(port)]
    args += ["--prod", "--workers", "2"] if prod else []
    server = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=clean_env()
    )
    try:
        base = f"http://127.0.0.1:{port}"
        status, headers, body = fetch(base + "/s/enquete/", time.monotonic() + 60)
        assert status == 200
        assert "Commencer le sondage" in body
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        status, headers, css = fetch(base + "/static/urbansafety/survey.css", time.monotonic() + 5)
        assert status == 200 and ".error-summary" in css
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert f"http://localhost:{port}/analyst/" in output
    assert f"http://localhost:{port}/s/enquete/" in output
    assert "Formulaire public de « Enquête »" in output
    assert "127.0.0.1 -" not in output and "GET /s/" not in output  # no access log


def test_serve_refuses_a_bad_rate_limit(workspace: Path) -> None:
    done = cli(
        "serve", "--lang", "en", "--workspace", str(workspace), URBANSAFETY_RATE_LIMIT="lots"
    )
    assert done.returncode == 2
    assert "URBANSAFETY_RATE_LIMIT=lots is not like 20/m" in done.stdout
