"""Report tests: the `browser` marker (Playwright + the Debian Chromium that `make test` installs)."""

from __future__ import annotations

import pytest


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
