"""A throw-away PostgreSQL cluster for the tests: initdb in a temporary folder, loopback only.

PostgreSQL refuses to run as root: under root the commands run as the ``postgres`` user (which
Debian's package creates) through ``runuser``. Trust authentication is safe here: the server
listens on 127.0.0.1 only, on a free port, and is deleted when the tests end.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

INSTALL_HINT = (
    "PostgreSQL is needed for the postgres tests: install Debian's package `postgresql` "
    "(`make test` does it as root), or set URBANSAFETY_TEST_DATABASE_URL to a server where the "
    "user may create databases."
)


def find_bindir() -> Path:
    """Return the folder of initdb and pg_ctl; raise AssertionError with a hint if none."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if versions:  # Debian's layout: every server program in one folder
        return versions[-1].parent
    found = shutil.which("initdb")
    if found and (Path(found).parent / "createdb").exists():
        return Path(found).parent
    raise AssertionError(INSTALL_HINT)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """A PostgreSQL server in a temporary folder; ``url`` is its DATABASE_URL."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.folder = Path(tempfile.mkdtemp(prefix="urbansafety-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/urbansafety"

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise AssertionError(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )

    def start(self) -> str:
        """Create and start the cluster and its database; return the DATABASE_URL."""
        if self.as_root:
            shutil.chown(self.folder, user="postgres", group="postgres")
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C", "--no-sync",
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        log = self.folder / "server.log"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(log), "-w", "start")
        self._run(
            "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "urbansafety"
        )
        return self.url

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
