"""Import semantics: one transaction, no-op re-import, new releases, append, --strict, kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pytest

from tests.conftest import DATA
from urbansafety.errors import DataQualityError
from urbansafety.ingest.importer import import_incidents
from urbansafety.workspace import Workspace

HEADER = "CATEGORIE,DATE,QUART,PDQ,X,Y,LONGITUDE,LATITUDE"
LABELS = [
    "Introduction",
    "Méfait",
    "Vol dans / sur véhicule à moteur",
    "Vol de véhicule à moteur",
    "Vols qualifiés",
]


def spvm_lines(n: int, seed: int = 1, year0: int = 2018) -> list[str]:
    rng = np.random.default_rng(seed)
    cats = rng.integers(0, len(LABELS), n)
    days = rng.integers(0, 365 * 3, n)
    dates = (np.datetime64(f"{year0}-01-01") + days).astype(str)
    shifts = np.array(["jour", "soir", "nuit"])[rng.integers(0, 3, n)]
    x = 290_000 + rng.integers(0, 40, n) * 120.0
    y = 5_040_000 + rng.integers(0, 40, n) * 120.0
    return [
        f"{LABELS[c]},{d},{s},{p}.0,{xx},{yy},,"
        for c, d, s, p, xx, yy in zip(
            cats, dates, shifts, rng.integers(1, 50, n), x, y, strict=True
        )
    ]


def write_spvm(path: Path, lines: list[str]) -> Path:
    path.write_text(HEADER + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def count(ws: Workspace, sql: str = "SELECT count(*) FROM incidents") -> int:
    with duckdb.connect(str(ws.store_path), read_only=True) as con:
        return int(con.execute(sql).fetchone()[0])  # type: ignore[index]


def test_same_file_twice_adds_nothing(workspace: Workspace) -> None:
    first = import_incidents(workspace, DATA / "spvm_2023_utf8.csv")
    again = import_incidents(workspace, DATA / "spvm_2023_utf8.csv")
    assert not first.skipped and again.skipped
    assert count(workspace) == 60
    assert count(workspace, "SELECT count(*) FROM imports") == 1


def test_identical_rows_are_all_kept(workspace: Workspace, tmp_path: Path) -> None:
    line = "Méfait,2018-01-02,jour,30.0,294904.159001211,5047548.92099452,-73.626778,45.56778"
    report = import_incidents(workspace, write_spvm(tmp_path / "d.csv", [line, line, line]))
    assert report.rows_accepted == 3 and count(workspace) == 3


def test_new_release_replaces_the_source_and_reports_changes(
    workspace: Workspace, tmp_path: Path
) -> None:
    lines = spvm_lines(500)
    import_incidents(workspace, write_spvm(tmp_path / "v1.csv", lines))
    newer = lines[:-20] + spvm_lines(35, seed=9, year0=2021)
    report = import_incidents(workspace, write_spvm(tmp_path / "v2.csv", newer))
    assert report.replaces is not None
    assert count(workspace) == 515
    net = sum(after - before for _, _, before, after in report.changes)
    assert net == 15
    changed_years = {year for year, *_ in report.changes}
    assert changed_years <= {2018, 2019, 2020, 2021, 2022, 2023}
    # Going back to the first release is again a replacement, not a no-op.
    back = import_incidents(workspace, tmp_path / "v1.csv")
    assert not back.skipped and count(workspace) == 500


def test_append_adds_a_second_file_of_the_same_source(workspace: Workspace, tmp_path: Path) -> None:
    import_incidents(workspace, write_spvm(tmp_path / "a.csv", spvm_lines(50, seed=1)))
    import_incidents(workspace, write_spvm(tmp_path / "b.csv", spvm_lines(70, seed=2)), append=True)
    assert count(workspace) == 120
    assert import_incidents(workspace, tmp_path / "b.csv", append=True).skipped


def test_strict_fails_and_stores_nothing(workspace: Workspace, tmp_path: Path) -> None:
    import_incidents(workspace, DATA / "spvm_2023_utf8.csv")
    path = write_spvm(tmp_path / "bad.csv", [*spvm_lines(10), "Méfait,2018-02-30,jour,30.0,,,,"])
    with pytest.raises(DataQualityError) as err:
        import_incidents(workspace, path, strict=True, source="other")
    assert (
        err.value.where is not None
        and err.value.where.row == 12
        and err.value.where.column == "DATE"
    )
    assert count(workspace) == 60
    assert count(workspace, "SELECT count(*) FROM imports") == 1


KILL_SCRIPT = """
import sys
from pathlib import Path
from urbansafety.workspace import open_workspace
from urbansafety.ingest.importer import import_incidents
import_incidents(open_workspace(Path(sys.argv[1])), Path(sys.argv[2]), source="big")
print("done", flush=True)
"""


@pytest.mark.slow
def test_import_killed_half_way_leaves_the_store_as_before(
    workspace: Workspace, tmp_path: Path
) -> None:
    import_incidents(workspace, DATA / "spvm_2023_utf8.csv")
    big = write_spvm(tmp_path / "big.csv", spvm_lines(400_000, seed=3))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    outcomes = []
    for delay in (0.5, 1.0, 1.6, 2.4, 3.5):
        proc = subprocess.Popen(
            [sys.executable, "-c", KILL_SCRIPT, str(workspace.path), str(big)],
            stdout=subprocess.PIPE,
            env=env,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        n = count(workspace)
        imports = count(workspace, "SELECT count(*) FROM imports")
        assert (n, imports) in {(60, 1), (400_060, 2)}, (delay, n, imports)
        assert count(workspace, "SELECT count(*) FROM incidents WHERE source = 'spvm'") == 60
        outcomes.append(n)
        if n == 400_060:
            break
    assert 60 in outcomes  # at least one kill landed before the commit
