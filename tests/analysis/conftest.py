"""A small demo workspace shared by the analysis tests (imported once through the CLI commands)."""

from __future__ import annotations

import pytest

from urbansafety.demo_run import DEMO_CONFIG, import_commands
from urbansafety.ingest.demo import write_demo_files
from urbansafety.workspace import Workspace, init_workspace


@pytest.fixture(scope="session")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A demo city of 8,000 incidents, imported through the CLI commands."""
    from urbansafety.cli import build_app

    folder = tmp_path_factory.mktemp("demo")
    files = write_demo_files(folder / "data", seed=7, n_incidents=8_000)
    ws = init_workspace(folder, extra_config=DEMO_CONFIG)
    app = build_app("en")
    for args in import_commands(folder, files):
        app(args=args, standalone_mode=False, prog_name="urbansafety")
    return ws
