"""The same web tests on PostgreSQL: a throw-away cluster, then pytest again with DATABASE_URL.

Django's settings are read once per process, so the PostgreSQL run is a second pytest process
over tests/web (browser tests aside) with ``DATABASE_URL`` set. It fails, never skips, when
PostgreSQL is missing: ``make test`` installs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.web.pgcluster import Cluster

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
@pytest.mark.slow
def test_the_web_tests_pass_on_postgresql() -> None:
    url = os.environ.get("URBANSAFETY_TEST_DATABASE_URL")
    cluster = None if url else Cluster()
    try:
        if cluster is not None:
            url = cluster.start()
        assert url is not None
        # A fresh environment: this process's workspace and settings are not the child's.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("URBANSAFETY_", "DJANGO_"))}
        env |= {"DATABASE_URL": url, "URBANSAFETY_EXPECT_DB": "postgresql"}
        result = subprocess.run(
            [
                sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                "-m", "not browser and not postgres", "tests/web",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )  # fmt: skip
    finally:
        if cluster is not None:
            cluster.stop()
    log = ROOT / "tests" / "artifacts" / "web-postgres.log"
    log.parent.mkdir(exist_ok=True)
    log.write_text(result.stdout + result.stderr, encoding="utf-8")
    tail = (result.stdout + result.stderr)[-6000:]
    assert result.returncode == 0, tail
    assert " passed" in tail and "error" not in tail.splitlines()[-1], tail
