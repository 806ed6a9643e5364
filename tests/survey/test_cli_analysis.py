"""`urbansafety survey weight` and `survey analyse` end to end in a workspace of the demo city."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.survey.campaign import copy_city, shared_city
from urbansafety import store
from urbansafety.cli import main
from urbansafety.survey.analysis_run import run_survey_analysis


@pytest.fixture
def ws(tmp_path_factory, tmp_path):  # type: ignore[no-untyped-def]
    return copy_city(shared_city(tmp_path_factory), tmp_path / "ws")


def run(args: list[str]) -> int:
    try:
        main(args)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def test_weight_prints_the_report_and_stores_the_weights(ws, capsys) -> None:  # type: ignore[no-untyped-def]
    w = ["--workspace", str(ws.path)]
    assert (
        run(["survey", "weight", "--survey", "safety", "--trim", "0.3,3", "--lang", "en", *w]) == 0
    )
    out = capsys.readouterr().out
    for words in ("Convergence:", "iterations", "Trimming: weights bounded to 0.30–3.00",
                  "Missing answers (age_group", "Kish design effect", "effective sample size",
                  "median", "ratio max/min", "survey_weights"):  # fmt: skip
        assert words in " ".join(out.split()), words
    with store.connect(ws.store_path) as con:
        rows = con.execute(
            "SELECT count(*), count(DISTINCT run_id), min(weight) > 0 FROM survey_weights "
            "WHERE survey = 'safety'"
        ).fetchone()
    assert rows == (800, 1, True)
    csv = pd.read_csv(ws.reports / "survey_safety_weights.csv")
    assert len(csv) == 800 and {"response_id", "weight"} <= set(csv.columns)
    sheets = pd.read_excel(ws.reports / "survey_safety_weights.xlsx", sheet_name=None)
    assert set(sheets) == {"weights", "diagnostics", "margins"}
    # Weighting again replaces the survey's weights; French messages.
    assert run(["survey", "weight", "--survey", "safety", "--lang", "fr", *w]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Écrêtage : aucun." in out and "Effet de plan de Kish" in out
    with store.connect(ws.store_path) as con:
        (n,) = con.execute("SELECT count(*) FROM survey_weights").fetchone()
    assert n == 800


def test_analyse_writes_the_report_in_french_and_english(ws, capsys) -> None:  # type: ignore[no-untyped-def]
    w = ["--workspace", str(ws.path)]
    assert run(["survey", "analyse", "--survey", "safety", "--compare", "wave1", *w]) == 0
    out = capsys.readouterr().out
    assert "Feeling unsafe after dark (SDG 16.1.4):" in " ".join(out.split()) or (
        "Sentiment d'insécurité le soir (ODD 16.1.4) :" in " ".join(out.split())
    )
    flat = "".join(out.split())
    for lang in ("fr", "en"):
        assert f"survey_safety_{lang}.html" in flat and f"survey_safety_{lang}.xlsx" in flat
        assert (ws.reports / f"survey_safety_{lang}.xlsx").exists()
    fr = (ws.reports / "survey_safety_fr.html").read_text(encoding="utf-8")
    en = (ws.reports / "survey_safety_en.html").read_text(encoding="utf-8")
    assert 'lang="fr-CA"' in fr and "ODD 16.1.4" in fr and "Évolution depuis wave1" in fr
    assert 'lang="en-CA"' in en and "SDG 16.1.4" in en and "Change since wave1" in en
    assert "\u00a0%" in fr and "Rao–Scott" in en
    with store.connect(ws.store_path) as con:
        (n,) = con.execute("SELECT count(*) FROM survey_weights WHERE survey = 'safety'").fetchone()
    assert n == 800  # analyse weighted the survey first, and stored the weights
    sheets = pd.read_excel(ws.reports / "survey_safety_en.xlsx", sheet_name=None)
    assert len(sheets) >= 10


def test_run_survey_analysis_for_the_demo(ws) -> None:  # type: ignore[no-untyped-def]
    written = run_survey_analysis(ws, "safety", langs=("en",), by=("gender",))
    assert [p.name for p in written] == ["survey_safety_en.html", "survey_safety_en.xlsx"]
    assert all(p.stat().st_size > 10_000 for p in written)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["survey", "weight", "--survey", "safety", "--trim", "0.3"], "--trim must be numbers"),
        (["survey", "weight", "--survey", "safety", "--trim", "3,5"], "0 <= low < 1 < high"),
        (["survey", "weight", "--survey", "safety", "--trim", "0.3,3", "--cap", "5"], "not both"),
        (
            ["survey", "weight", "--survey", "safety", "--margins", "age"],
            "Unknown weighting margin",
        ),
        (
            ["survey", "weight", "--survey", "safety", "--method", "calibrate"],
            "Unknown weighting method",
        ),
        (["survey", "weight", "--survey", "safety", "--year", "1990"], "no year 1990"),
        (["survey", "weight", "--survey", "safety", "--layer", "pdq"], "layer pdq"),
        (["survey", "weight", "--survey", "nothing"], "No responses stored"),
        (["survey", "analyse", "--survey", "safety", "--lang", "de"], "Unknown report language"),
        (["survey", "analyse", "--survey", "safety", "--floor", "3"], "below the disclosure"),
        (["survey", "analyse", "--survey", "safety", "--by", "shoe_size"], "no question shoe_size"),
    ],
)
def test_bad_options_exit_2_with_a_readable_message(ws, capsys, monkeypatch, args, words) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("URBANSAFETY_LANG", "en")
    assert run([*args, "--workspace", str(ws.path)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert words in err and "Traceback" not in err


def test_errors_are_in_the_workspace_language(ws, capsys) -> None:  # type: ignore[no-untyped-def]
    args = ["survey", "weight", "--survey", "safety", "--trim", "0.3", "--workspace", str(ws.path)]
    assert run(args) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "Erreur" in err and "--trim doit contenir des nombres" in err


def test_weight_with_the_form_and_a_cap(ws, capsys) -> None:  # type: ignore[no-untyped-def]
    from urbansafety.survey.forms import template_path

    args = ["survey", "weight", "--survey", "safety", "--form", str(template_path("safety")),
            "--cap", "4", "--margins", "age_group*gender,neighbourhood", "--lang", "en",
            "--workspace", str(ws.path)]  # fmt: skip
    assert run(args) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Trimming: weights bounded to 0.00–4.00 times the mean" in out
    assert "margins: age_group*gender, neighbourhood" in out
    w = pd.read_csv(ws.reports / "survey_safety_weights.csv")["weight"]
    assert w.max() <= 4 * w.mean() * (1 + 1e-6)
