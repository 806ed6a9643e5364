"""Importing response exports into the store: bookkeeping, re-imports, failures, the CLI."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from urbansafety import store
from urbansafety.cli import main
from urbansafety.errors import InputError
from urbansafety.ingest import records
from urbansafety.survey.forms import new_form, template_path
from urbansafety.survey.model import Questionnaire, Text
from urbansafety.survey.responses import load_responses, set_title, stored_surveys, survey_title
from urbansafety.survey.responses_import import import_responses
from urbansafety.survey.xlsform import read_xlsform
from urbansafety.workspace import Workspace

DATA = Path(__file__).resolve().parent / "data"
KOBO = DATA / "kobo_safety_values.csv"


@pytest.fixture(scope="module")
def form() -> Questionnaire:
    return read_xlsform(template_path("safety"))


def imports(ws: Workspace) -> list[tuple]:
    with store.connect(ws.store_path, read_only=True) as con:
        return con.execute(
            "SELECT import_id, kind, source, file, sha256, rows_read, rows_accepted, rows_rejected "
            "FROM imports ORDER BY started_at"
        ).fetchall()


def rejects(ws: Workspace) -> list[tuple]:
    with store.connect(ws.store_path, read_only=True) as con:
        return con.execute(
            'SELECT "row", "column", value, reason FROM rejects ORDER BY "row", "column"'
        ).fetchall()


def test_import_writes_responses_imports_and_rejects(
    workspace: Workspace, form: Questionnaire
) -> None:
    report = import_responses(workspace, form, KOBO, survey="safety")
    assert (report.kind, report.source, report.file) == ("survey_responses", "kobo", KOBO.name)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (6, 3, 3)
    assert report.rejected_by_reason == {
        "duplicate response id (same answers as an earlier row)": 1,
        "invalid postal code": 1,
        "number above the maximum": 1,
        "required answer missing": 1,
    }
    frame = load_responses(workspace, "safety")
    assert len(frame) == 3 and set(frame["source"]) == {"kobo"}
    assert frame.loc[frame["consent"] == "yes", "avoid_places"].tolist() == ["parks other", "none"]
    assert stored_surveys(workspace) == {"safety": 3}
    [row] = imports(workspace)
    assert row[1:4] == ("survey_responses", "kobo", KOBO.name)
    assert row[4] == records.file_sha256(KOBO)
    assert row[5:] == (6, 3, 3)
    assert [(r[0], r[1], r[3]) for r in rejects(workspace)] == [
        (5, "about/household_size", "number above the maximum"),
        (5, "about/postal_code", "invalid postal code"),
        (6, "safety/safe_dark", "required answer missing"),
        (7, "_uuid", "duplicate response id (same answers as an earlier row)"),
    ]


def test_reimporting_the_same_file_changes_nothing(
    workspace: Workspace, form: Questionnaire
) -> None:
    import_responses(workspace, form, KOBO, survey="safety")
    again = import_responses(workspace, form, KOBO, survey="safety")
    assert again.skipped
    assert len(imports(workspace)) == 1 and len(rejects(workspace)) == 4
    other = import_responses(workspace, form, KOBO, survey="safety_2026")  # another survey
    assert not other.skipped and other.rows_accepted == 3
    assert stored_surveys(workspace) == {"safety": 3, "safety_2026": 3}


def test_a_file_sharing_ids_adds_only_the_new_responses(
    workspace: Workspace, form: Questionnaire, tmp_path: Path
) -> None:
    import_responses(workspace, form, KOBO, survey="safety")
    rows = list(csv.reader(io.StringIO(KOBO.read_text("utf-8")), delimiter=";"))
    new = list(rows[2])
    new[rows[0].index("_uuid")] = "0f0e0d0c-new0-4000-8000-000000000001"
    bigger = tmp_path / "kobo_later.csv"
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows([*rows, new])
    bigger.write_text(out.getvalue(), encoding="utf-8")
    report = import_responses(workspace, form, bigger, survey="safety")
    assert (report.rows_accepted, report.already_stored) == (1, 3)
    assert len(load_responses(workspace, "safety")) == 4


def test_a_failed_import_loses_nothing(
    workspace: Workspace, form: Questionnaire, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_responses(workspace, form, KOBO, survey="safety")
    before = load_responses(workspace, "safety")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(records, "record_import", broken)
    with pytest.raises(OSError):
        import_responses(workspace, form, DATA / "limesurvey_safety_codes.csv", survey="safety")
    after = load_responses(workspace, "safety")
    assert after.equals(before)
    assert len(imports(workspace)) == 1


def test_bad_names_and_paths_are_errors_for_people(
    workspace: Workspace, form: Questionnaire, tmp_path: Path
) -> None:
    with pytest.raises(InputError):
        import_responses(workspace, form, KOBO, survey="my survey")
    with pytest.raises(InputError):
        import_responses(workspace, form, tmp_path / "missing.csv", survey="safety")
    with pytest.raises(InputError):
        import_responses(workspace, form, tmp_path, survey="safety")


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps printed lines at the terminal's width


def cli(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_import_prints_the_report_and_export_writes_files(
    workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(KOBO, tmp_path / "kobo.csv")
    w = ["--workspace", str(workspace.path), "--lang", "en"]
    assert cli("survey", "import", str(tmp_path / "kobo.csv"), *w) == 2  # no questionnaire yet
    assert "urbansafety survey new" in capsys.readouterr().err
    new_form(workspace, "safety")
    assert cli("survey", "import", str(tmp_path / "kobo.csv"), *w) == 0
    text = capsys.readouterr().out
    assert "kobo.csv → survey_responses (source kobo): 6 rows read, 3 accepted, 3 rejected." in text
    assert "invalid postal code: 1" in text
    assert stored_surveys(workspace) == {"safety": 3}
    assert cli("survey", "import", str(tmp_path / "kobo.csv"), *w) == 0
    assert "already imported" in capsys.readouterr().out
    assert cli("survey", "export", "--survey", "safety", "--out", str(tmp_path / "r.csv"), *w) == 0
    assert (tmp_path / "r.csv").read_bytes().startswith(b"\xef\xbb\xbfresponse_id,")
    out = tmp_path / "r.xlsx"
    assert cli("survey", "export", "--survey", "safety", "--labels", "--out", str(out), *w) == 0
    assert "3 responses written" in capsys.readouterr().out
    assert cli("survey", "export", "--survey", "safety", "--out", str(tmp_path / "r.ods"), *w) == 2
    assert cli("survey", "export", "--survey", "none", "--out", str(tmp_path / "n.csv"), *w) == 2


def test_cli_messages_in_french(
    workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new_form(workspace, "safety")
    w = ["--workspace", str(workspace.path), "--lang", "fr"]
    assert cli("survey", "import", str(DATA / "limesurvey_safety_codes.csv"), *w) == 0
    text = capsys.readouterr().out
    assert (
        "→ réponses au sondage (source limesurvey) : 5 lignes lues, 3 acceptées, 2 rejetées."
        in text
    )
    assert "code postal invalide: 1" in text


def test_neighbourhoods_are_checked_against_the_workspace_layer(
    workspace: Workspace, form: Questionnaire, tmp_path: Path
) -> None:
    from tests.conftest import square_layer
    from urbansafety.ingest.geo import import_territories
    from urbansafety.survey.responses_import import form_territories

    assert form_territories(workspace, form) is None  # no layer: answers left unchecked
    layer = square_layer(tmp_path / "quartiers.geojson", prefix="Q")  # codes Q00, Q01, Q10, Q11
    import_territories(
        workspace, layer, layer="neighbourhood", code_field="code", name_field="name"
    )
    found = form_territories(workspace, form)
    assert found is not None and [c for c, _ in found["neighbourhood"]][:2] == ["Q00", "Q01"]
    report = import_responses(workspace, form, KOBO, survey="safety")
    # Row 4 lives in Q09, not a neighbourhood of this workspace; Q01 and "other" are fine.
    assert (
        report.rows_rejected == 4 and report.rejected_by_reason["answer not among the choices"] == 1
    )
    assert (4, "about/neighbourhood", "Q09", "answer not among the choices") in {
        (r[0], r[1], r[2], r[3]) for r in rejects(workspace)
    }


def test_the_questionnaire_titles_an_imported_survey_unless_it_has_a_title(
    workspace: Workspace, form: Questionnaire
) -> None:
    assert survey_title(workspace, "safety") == Text()  # nothing recorded yet
    import_responses(workspace, form, KOBO, survey="safety")
    assert survey_title(workspace, "safety") == form.title and form.title.get("en")
    with store.connect(workspace.store_path) as con:
        set_title(con, "safety", Text(fr="Sécurité 2026", en="Safety 2026"))  # a web campaign's
    shutil.copy(KOBO, workspace.path / "other.csv")
    import_responses(workspace, form, workspace.path / "other.csv", survey="safety")
    assert survey_title(workspace, "safety").get("en") == "Safety 2026"
