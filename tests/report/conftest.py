"""Report tests: the `browser` marker (Playwright + the Debian Chromium that `make test` installs)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: opens pages in headless Chromium with Playwright; needs /usr/bin/chromium",
    )
