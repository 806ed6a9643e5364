"""`urbansafety demo` end to end, as a user runs it: files, imports, results, reproducibility."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

from tests.test_cli import run


def test_demo_builds_imports_and_analyses(tmp_path: Path) -> None:
    ws = tmp_path / "demo"
    result = run(
        "demo", "--workspace", str(ws), "--incidents", "12000", "--seed", "11", "--lang", "en"
    )
    assert result.returncode == 0, result.stderr
    assert "Demo ready" in result.stdout and "12,000" not in result.stderr
    for name in (
        "actes-criminels.csv",
        "infractions-uc2.csv",
        "quartiers.gpkg",
        "pdq.zip",
        "population.csv",
        "personnes.csv",
        "logements-sociaux.geojson",
    ):
        assert (ws / "data" / name).exists(), name
    with duckdb.connect(str(ws / "store.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM incidents").fetchone()[0] == 12_000
        crime = "SELECT count(*) FROM imports WHERE kind NOT LIKE 'survey%'"
        assert con.execute(crime).fetchone()[0] == 8
        assert con.execute("SELECT count(DISTINCT layer) FROM territories").fetchone()[0] == 3
        assert con.execute("SELECT count(*) FROM persons").fetchone()[0] > 0
    table = pd.read_csv(ws / "reports" / "incidents_by_borough_year_category.csv")
    shown = table["incidents"].dropna()
    assert not ((shown >= 1) & (shown <= 4)).any()  # published counts of 1-4 are suppressed
    # The city's portrait carries the hot-spot chapter; the hot-spot report stands alone too.
    portrait = (ws / "reports" / "portrait_en.html").read_text(encoding="utf-8")
    for sid in ("hotspots", "hotspots-density", "hotspots-lisa", "near-repeat"):
        assert f'id="{sid}"' in portrait, sid
    assert portrait.index('id="hotspots"') < portrait.index('id="confidentiality"')
    assert "hotspots_en.html" in "".join(result.stdout.split())
    for name in ("hotspots_fr.html", "hotspots_en.xlsx", "hotspots_cells.geojson"):
        assert (ws / "reports" / name).exists(), name
    # The survey: a web campaign seeded through the CSV import, stored, weighted and analysed.
    with duckdb.connect(str(ws / "store.duckdb"), read_only=True) as con:
        stored = con.execute("SELECT count(*) FROM survey_responses").fetchone()[0]
        rejected = con.execute(
            'SELECT count(DISTINCT "row") FROM rejects r JOIN imports i USING (import_id) '
            "WHERE i.kind LIKE 'survey%'"
        ).fetchone()[0]
        weights = con.execute("SELECT count(*) FROM survey_weights").fetchone()[0]
    assert 780 <= stored < 800 and rejected > 0 and 0 < weights <= stored
    assert (ws / "surveys" / "safety.xlsx").exists() and (ws / "web" / "db.sqlite3").exists()
    survey = (ws / "reports" / "survey_securite-demo_en.html").read_text(encoding="utf-8")
    assert "SDG" in survey and "16.1.4" in survey
    # The territory's name is in the report's language (urbansafety.toml's name and name_en).
    assert "Demo city (fictional)" in survey and "Demo city (fictional)" in portrait
    survey_fr = (ws / "reports" / "survey_securite-demo_fr.html").read_text(encoding="utf-8")
    assert "Ville de démonstration (fictive)" in survey_fr
    assert "Demo city" not in survey_fr
    # The campaign's title heads the report, in the report's language.
    assert re.search(r"<h1[^>]*>\s*Safety and well-being \(demo\)\s*</h1>", survey)
    assert re.search(r"<h1[^>]*>\s*Sécurité et bien-être \(démonstration\)\s*</h1>", survey_fr)
    assert (ws / "reports" / "survey_securite-demo_fr.xlsx").exists()
    assert "/s/securite-demo/" in result.stdout
    first = (ws / "reports" / "incidents_by_pdq_year_category.csv").read_text()
    cells_before = (ws / "reports" / "hotspots_cells.geojson").read_text(encoding="utf-8")
    again = run("demo", "--workspace", str(ws), "--incidents", "12000", "--seed", "11", "--quiet")
    assert again.returncode == 0 and again.stdout == ""
    assert (ws / "reports" / "incidents_by_pdq_year_category.csv").read_text() == first
    # Same seed, same hot spots: every random result is seeded.
    cells = (ws / "reports" / "hotspots_cells.geojson").read_text(encoding="utf-8")
    assert cells == cells_before
