"""Report tests: the `browser` marker (Playwright + the Debian Chromium that `make test` installs)."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: opens pages in headless Chromium with Playwright; needs /usr/bin/chromium",
    )


@pytest.fixture(scope="session")
def demo_portrait_ws(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A small demo city for the portrait's browser test."""
    from urbansafety.cli import build_app
    from urbansafety.demo_run import DEMO_CONFIG, import_commands
    from urbansafety.ingest.demo import write_demo_files
    from urbansafety.workspace import init_workspace

    folder = tmp_path_factory.mktemp("demo-portrait")
    files = write_demo_files(folder / "data", seed=5, n_incidents=6_000)
    ws = init_workspace(folder, extra_config=DEMO_CONFIG)
    app = build_app("en")
    for args in import_commands(folder, files):
        app(args=args, standalone_mode=False, prog_name="urbansafety")
    return ws


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """Yield a headless Chromium (the Debian package that `make test` installs)."""
    if not CHROMIUM.exists():
        raise AssertionError(
            f"Chromium is needed for the browser tests: {CHROMIUM} (make test installs it)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()
