"""Property tests of the responses reader and import: mangled cells, counts, row order."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from urbansafety.ingest.demo_survey import demo_responses
from urbansafety.survey import clean_answers
from urbansafety.survey.forms import template_path
from urbansafety.survey.responses import load_responses
from urbansafety.survey.responses_columns import layout_for
from urbansafety.survey.responses_import import import_responses
from urbansafety.survey.responses_read import read_responses_csv
from urbansafety.survey.xlsform import read_xlsform
from urbansafety.workspace import init_workspace

TERRITORIES = {"neighbourhood": [(f"Q{i:02d}", f"Quartier {i}") for i in range(1, 11)]}
FORM = read_xlsform(template_path("safety"))


def _base() -> list[list[str]]:
    """A clean Kobo export: 40 synthetic responses without the demo's deliberate mistakes."""
    rows = list(csv.reader(io.StringIO(demo_responses(n=60, seed=7).decode()), delimiter=";"))
    good = read_responses_csv(FORM, _write(rows), filename="base.csv", territories=TERRITORIES)
    bad = {r.row for r in good.rejects}
    return [rows[0], *[r for i, r in enumerate(rows[1:], start=2) if i not in bad][:40]]


def _write(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


BASE = _base()
HEADER = BASE[0]
# Cells a respondent's answer or the export's bookkeeping can hold (start, _id… are ignored).
TARGETS = [i for i, h in enumerate(HEADER) if "/" in h or h in ("_uuid", "_submission_time")]
CODES = sorted({c.name for choices in FORM.choice_lists.values() for c in choices})
MANGLED = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40),
    st.just(""),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(CODES),
    st.lists(st.sampled_from(CODES), max_size=3).map(" ".join),
    st.sampled_from(["2025-02-30", "2025-13-01", "31/05/2025", "2025-05-06T25:00:00", "1", "0",
                     "True", "H2X 1Y4", "Z9Z 9Z9", "  ", "N/A", "-1", "1e309"]),
)  # fmt: skip


def _check(result_rows: list[list[str]], row: int, column: str) -> None:
    result = read_responses_csv(
        FORM, _write(result_rows), filename="m.csv", territories=TERRITORIES
    )
    assert result.rows_read == len(result_rows) - 1
    assert len(result.accepted) + result.rows_rejected == result.rows_read
    refused = {r.row for r in result.rejects}
    if column != "_uuid":  # an id made equal to another row's refuses both rows
        assert refused <= {row}  # one cell changed: no other row can be refused
    if row in refused:
        assert any(r.row == row and r.column == column for r in result.rejects)
    for response in result.accepted:
        cleaned = clean_answers(FORM, dict(response.answers), territories=TERRITORIES)
        assert cleaned.errors == ()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(row=st.integers(1, len(BASE) - 1), column=st.sampled_from(TARGETS), value=MANGLED)
def test_a_mangled_cell_is_accepted_clean_or_rejected_by_name(
    row: int, column: int, value: str
) -> None:
    rows = [list(r) for r in BASE]
    rows[row][column] = value
    _check(rows, row + 1, HEADER[column])


@settings(max_examples=30, deadline=None)
@given(order=st.permutations(list(range(1, len(BASE)))))
def test_row_order_does_not_change_what_is_read(order: list[int]) -> None:
    def content(rows: list[list[str]]) -> set[tuple[str, str]]:
        result = read_responses_csv(FORM, _write(rows), filename="o.csv", territories=TERRITORIES)
        return {(r.response_id, repr(sorted(r.answers.items()))) for r in result.accepted}

    shuffled = [BASE[0]] + [BASE[i] for i in order]
    assert content(shuffled) == content(BASE)


DATA = Path(__file__).resolve().parent / "data"


def _fixture_base(name: str, delimiter: str) -> tuple[list[list[str]], list[int], str]:
    """Return (the rows of a fixture export that are accepted, cells to mangle, delimiter)."""
    data = (DATA / name).read_bytes()
    result = read_responses_csv(FORM, data, filename=name, territories=TERRITORIES)
    refused = {r.row for r in result.rejects}
    text = data.decode("cp1252" if result.encoding == "cp1252" else "utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    keep = [rows[0], *[r for i, r in enumerate(rows[1:], start=2) if i not in refused]]
    layout = layout_for(FORM, rows[0], result.source)
    cells = [c.index for c in layout.columns] + [layout.id_column or 0]
    cells += [layout.time_column] if layout.time_column is not None else []
    return keep, sorted(set(cells)), delimiter


def _flags_only() -> tuple[list[list[str]], list[int], str]:
    """The clean Kobo export without the space-separated columns of its multiple choices."""
    multiple = {f"{s.name}/{q.name}" for s in FORM.sections for q in s.questions
                if q.type == "select_multiple"}  # fmt: skip
    keep = [i for i, h in enumerate(HEADER) if h not in multiple]
    rows = [[r[i] for i in keep] for r in BASE]
    return rows, [i for i, h in enumerate(rows[0]) if "/" in h or h == "_uuid"], ";"


FIXTURES = [
    _flags_only(),
    _fixture_base("kobo_safety_labels.csv", ","),
    _fixture_base("kobo_safety_labels_en.csv", ","),
    _fixture_base("limesurvey_safety_codes.csv", ","),
    _fixture_base("limesurvey_safety_answers.csv", ","),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), value=MANGLED)
def test_every_layout_names_the_mangled_cell(data: st.DataObject, value: str) -> None:
    rows, cells, delimiter = data.draw(st.sampled_from(FIXTURES))
    rows = [list(r) for r in rows]
    row = data.draw(st.integers(1, len(rows) - 1))
    column = data.draw(st.sampled_from(cells))
    rows[row][column] = value
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    result = read_responses_csv(
        FORM, out.getvalue().encode("utf-8"), filename="m.csv", territories=TERRITORIES
    )
    assert len(result.accepted) + result.rows_rejected == result.rows_read == len(rows) - 1
    assert {r.row for r in result.rejects} <= {row + 1}
    if result.rejects:
        assert any(r.column == rows[0][column] for r in result.rejects)
    for response in result.accepted:
        assert clean_answers(FORM, dict(response.answers), territories=TERRITORIES).errors == ()


@settings(max_examples=4, deadline=None)
@given(
    order=st.permutations(list(range(1, 13))),
    mangle=st.tuples(st.integers(1, 12), st.sampled_from(TARGETS), MANGLED),
)
def test_row_order_does_not_change_the_stored_set(
    order: list[int], mangle: tuple[int, int, str]
) -> None:
    rows = [list(r) for r in BASE[:13]]
    row, column, value = mangle
    rows[row][column] = value
    stored = []
    for layout in (rows, [rows[0]] + [rows[i] for i in order]):
        with tempfile.TemporaryDirectory() as tmp:
            ws = init_workspace(Path(tmp) / "ws")
            path = Path(tmp) / "export.csv"
            path.write_bytes(_write(layout))
            report = import_responses(ws, FORM, path, survey="s")
            assert report.rows_accepted + report.rows_rejected == report.rows_read == 12
            frame = load_responses(ws, "s") if report.rows_accepted else None
            stored.append(
                set()
                if frame is None
                else {tuple(map(str, r)) for r in frame.drop(columns="submitted_at").to_numpy()}
            )
    assert stored[0] == stored[1]
