"""`urbansafety survey new`: the built-in questionnaire copied into the workspace, never over edits."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from tests.test_cli import run
from urbansafety.survey.forms import template_path


def test_survey_new_copies_the_template_and_keeps_edits(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert run("init", str(ws), "--quiet").returncode == 0
    first = run("survey", "new", "--workspace", str(ws), "--lang", "en")
    assert first.returncode == 0, first.stderr
    form = ws / "surveys" / "safety.xlsx"
    assert form.read_bytes() == template_path("safety").read_bytes()
    assert "surveys" in first.stdout
    book = openpyxl.load_workbook(form)
    assert {"survey", "choices", "settings"} <= set(book.sheetnames)
    # An edited questionnaire is never overwritten by accident.
    form.write_bytes(b"edited")
    again = run("survey", "new", "--workspace", str(ws), "--lang", "fr")
    assert again.returncode == 2
    assert "--force" in again.stderr and form.read_bytes() == b"edited"
    assert run("survey", "new", "--workspace", str(ws), "--force", "-q").returncode == 0
    assert form.read_bytes() == template_path("safety").read_bytes()
    other = run("survey", "new", "--workspace", str(ws), "--name", "quartier-nord", "-q")
    assert other.returncode == 0 and (ws / "surveys" / "quartier-nord.xlsx").exists()


def test_unknown_template_is_named(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    run("init", str(ws), "--quiet")
    result = run("survey", "new", "--workspace", str(ws), "--template", "nope", "--lang", "en")
    assert result.returncode == 2
    assert "nope" in result.stderr and "safety" in result.stderr
