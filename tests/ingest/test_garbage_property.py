"""Property: garbage lines mixed into a valid SPVM file never crash the import, never lose a valid
row, and every garbage line lands in rejects with its line number."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import DATA
from urbansafety.ingest.importer import import_incidents
from urbansafety.workspace import init_workspace

VALID = (DATA / "spvm_2023_utf8.csv").read_text(encoding="utf-8").splitlines()
HEADER, ROWS = VALID[0], VALID[1:25]

# A garbage line: any text on one line (no line break, no NUL byte), not blank.
garbage_line = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="\n\r\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
    ),
    min_size=1,
    max_size=80,
).filter(lambda s: s.strip() != "")
structured_garbage = (
    st.lists(
        st.one_of(
            st.text(max_size=12),
            st.sampled_from(["Méfait", "2018-01-01", "jour", "30.0", "", "0", "-76.23729"]),
        ),
        min_size=8,
        max_size=8,
    )
    .map(
        lambda fields: ",".join(
            f.replace("\n", " ")
            .replace("\r", " ")
            .replace(",", " ")
            .replace('"', "'")
            .replace("\x00", " ")
            for f in fields
        )
    )
    .filter(lambda s: s.strip(", ") != "")
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    garbage=st.lists(st.one_of(garbage_line, structured_garbage), min_size=1, max_size=8),
    positions=st.lists(st.integers(min_value=0, max_value=len(ROWS)), min_size=8, max_size=8),
    crlf=st.booleans(),
)
def test_garbage_lines_never_lose_a_valid_row(
    garbage: list[str], positions: list[int], crlf: bool
) -> None:
    lines = list(ROWS)
    inserted = []
    for text, pos in zip(garbage, positions, strict=False):
        lines.insert(
            pos, "\x00GARBAGE\x00" + text
        )  # marker, removed below, to find the line numbers
    body = [HEADER, *lines]
    for number, line in enumerate(body, start=1):
        if line.startswith("\x00GARBAGE\x00"):
            inserted.append(number)
    text = ("\r\n" if crlf else "\n").join(
        line.removeprefix("\x00GARBAGE\x00") for line in body
    ) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mixed.csv"
        path.write_bytes(text.encode("utf-8"))
        ws = init_workspace(Path(tmp) / "ws")
        report = import_incidents(ws, path)
        with duckdb.connect(str(ws.store_path), read_only=True) as con:
            kept = con.execute("SELECT source_row FROM incidents ORDER BY source_row").fetchall()
            rejected = {r for (r,) in con.execute('SELECT DISTINCT "row" FROM rejects').fetchall()}
    valid_rows = [n for n in range(2, len(body) + 1) if n not in inserted]
    assert [r for (r,) in kept] == valid_rows
    assert rejected == set(inserted)
    assert report.rows_read == len(body) - 1
    assert report.rows_accepted == len(ROWS) and report.rows_rejected == len(inserted)
