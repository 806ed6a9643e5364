"""The demo: a fictional city written as real files, imported with the CLI, then analysed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from urbansafety import store
from urbansafety.analysis.counts import incident_counts
from urbansafety.disclosure import suppress_counts
from urbansafety.engine import open_engine
from urbansafety.i18n import N_, translator
from urbansafety.ingest.demo import DemoFiles, write_demo_files
from urbansafety.ingest.geo import load_layers
from urbansafety.workspace import Workspace, init_workspace

DEMO_NAME = N_("Demo city (fictional)")

DEMO_CONFIG = """\
# Couches de la ville démo / demo city layers
[layers.borough]
label_fr = "Arrondissement"
label_en = "Borough"

[layers.neighbourhood]
label_fr = "Quartier"
label_en = "Neighbourhood"

[themes.armes]
label_fr = "Armes à feu et autres armes"
label_en = "Firearms and other weapons"
categories = ["weapons"]
violation_codes = ["1450", "1455", "1457"]

[layers.pdq]
label_fr = "Poste de quartier"
label_en = "Police district"
# Les incidents sans localisation comptent dans leur PDQ / unlocated incidents count in their PDQ
attribute = "district"
"""


def import_commands(ws: Path, files: DemoFiles, *, quiet: bool = True) -> list[list[str]]:
    """Return the CLI commands (argument lists) that import the demo files, in order."""
    f = files
    w = ["--workspace", str(ws), *(["--quiet"] if quiet else [])]
    return [
        [
            "import",
            "territories",
            str(f.boroughs),
            "--layer",
            "borough",
            "--code-field",
            "code",
            "--name-field",
            "name",
            *w,
        ],
        [
            "import",
            "territories",
            str(f.neighbourhoods),
            "--layer",
            "neighbourhood",
            "--code-field",
            "code",
            "--name-field",
            "nom",
            "--parent-field",
            "arrondissement",
            *w,
        ],
        [
            "import",
            "territories",
            str(f.police_districts),
            "--layer",
            "pdq",
            "--code-field",
            "PDQ",
            "--name-field",
            "NOM",
            *w,
        ],
        ["import", "population", str(f.population), *w],
        ["import", "incidents", str(f.spvm_incidents), *w],
        ["import", "incidents", str(f.ucr_incidents), "--mapping", str(f.ucr_mapping), *w],
        ["import", "persons", str(f.persons), "--mapping", str(f.persons_mapping), *w],
        [
            "import",
            "sites",
            str(f.sites),
            "--layer",
            "social_housing",
            "--id-field",
            "site_id",
            "--name-field",
            "nom",
            *w,
        ],
    ]


def run_analyses(ws: Workspace) -> list[Path]:
    """Run every analysis that exists and write its published tables under reports/; return the files."""
    with store.connect(ws.store_path, read_only=True) as con:
        layers = [layer.name for layer in load_layers(con, ws.config)]
    ws.reports.mkdir(exist_ok=True)
    written = []
    with open_engine(ws) as engine:
        incidents = engine.table("incidents")
        for layer in layers:
            counts = incident_counts(incidents, layer)
            published = suppress_counts(
                counts, ["incidents", "unlocated"], ws.config.disclosure_threshold
            )
            path = ws.reports / f"incidents_by_{layer}_year_category.csv"
            published.to_csv(path, index=False)
            written.append(path)
    # The crime portrait of the city and of its first borough, in French and in English.
    from urbansafety.portrait_run import run_portrait

    targets: list[tuple[str | None, str | None]] = [(None, None)]
    if "borough" in layers:
        targets.append(("borough:B1", "all"))
    for lang in ("fr", "en"):
        for territory, compare in targets:
            result = run_portrait(
                ws,
                territory=territory,
                years=None,
                compare=compare,
                theme=None,
                categories=[],
                lang=lang,
                out=None,
                hotspots=territory is None,
            )
            written += [result.html, result.workbook]
    # The hot-spot report of the whole city (also a chapter of the city's portrait above).
    from urbansafety.hotspots_run import hotspot_scope, run_hotspots

    for lang in ("fr", "en"):
        scope, name = hotspot_scope(
            ws, territory=None, years=None, theme=None, categories=[], lang=lang
        )
        spots = run_hotspots(ws, scope, name, lang=lang, out=None)
        written += [spots.html, spots.workbook]
    written.append(spots.cells)
    return written


@dataclass(frozen=True)
class DemoSurvey:
    """The demo's survey campaign: its public link, responses stored, report files."""

    slug: str
    survey: str
    responses: int
    files: list[Path]


def run_survey(ws: Workspace, *, n_incidents: int, n_responses: int = 800) -> DemoSurvey:
    """Seed the demo's web campaign (synthetic KoboToolbox export), store, weight and analyse it.

    The responses take the analysts' path: the questionnaire copied into surveys/, a campaign in
    the web app's database, the CSV import (with its rejects), then "send to the workspace store".
    """
    from urbansafety.survey.analysis_run import run_survey_analysis
    from urbansafety.survey.forms import new_form
    from urbansafety.web import setup

    new_form(ws, "safety", force=True)
    setup(ws.path)
    from urbansafety.web.surveys.analyst_store import send_to_store
    from urbansafety.web.surveys.campaigns import seed_demo_campaign

    campaign = seed_demo_campaign(ws.path, n=n_responses, n_incidents=n_incidents)
    send_to_store(campaign, ws)
    files = run_survey_analysis(ws, campaign.survey, langs=("fr", "en"))
    stored = campaign.responses.count()
    return DemoSurvey(campaign.slug, campaign.survey, stored, files)


def run_demo(
    folder: Path,
    *,
    seed: int,
    n_incidents: int,
    lang: str,
    quiet: bool,
    console: Console,
    gettext: Callable[[str], str],
) -> Workspace:
    """Build, import and analyse the demo city in folder; return its workspace."""
    from urbansafety.cli import build_app

    _ = gettext
    if (folder / "store.duckdb").exists():
        # A demo is rebuilt from scratch so that a new seed or size gives a coherent store.
        shutil.rmtree(folder)
    files = write_demo_files(folder / "data", seed=seed, n_incidents=n_incidents)
    ws = init_workspace(
        folder,
        name=translator("fr")(DEMO_NAME),
        name_en=DEMO_NAME,
        language=lang,
        extra_config=DEMO_CONFIG,
    )
    app = build_app(lang)
    for args in import_commands(folder, files, quiet=quiet):
        if not quiet:
            console.print("\n$ urbansafety " + " ".join(args), highlight=False, soft_wrap=True)
        app(args=args, standalone_mode=False, prog_name="urbansafety")
    written = run_analyses(ws)
    survey = run_survey(ws, n_incidents=n_incidents)
    written += survey.files
    summary = ws.reports / "demo.json"
    summary.write_text(
        json.dumps(
            {
                "seed": seed,
                "incidents": n_incidents,
                "survey": {"campaign": survey.slug, "responses": survey.responses},
                "files": [p.name for p in written],
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    if not quiet:
        console.print()
        console.print(_("Demo ready in %(path)s.") % {"path": folder}, highlight=False)
        console.print(
            _("Input files (real formats): %(path)s") % {"path": folder / "data"}, highlight=False
        )
        console.print(_("Results: %(path)s") % {"path": ws.reports}, highlight=False)
        for path in written:
            console.print(f"  {path}", highlight=False)
        console.print(
            _("See what is stored: urbansafety info --workspace %(path)s") % {"path": folder},
            highlight=False,
        )
        report = ws.reports / f"portrait_{lang}.html"
        console.print(
            _("Open the crime portrait in a web browser (it works offline): %(path)s")
            % {"path": report.resolve().as_uri()},
            highlight=False,
        )
        spots = ws.reports / f"hotspots_{lang}.html"
        console.print(
            _("Open the hot-spot maps (Gi*, density, clusters, near repeat): %(path)s")
            % {"path": spots.resolve().as_uri()},
            highlight=False,
        )
        survey_report = ws.reports / f"survey_{survey.survey}_{lang}.html"
        console.print(
            _("Open the survey analysis (%(n)s responses, weighted): %(path)s")
            % {"n": survey.responses, "path": survey_report.resolve().as_uri()},
            highlight=False,
        )
        console.print(
            _(
                "Start the web app: urbansafety serve --workspace %(path)s, then open the form at %(url)s"
            )
            % {"path": folder, "url": f"http://127.0.0.1:8000/s/{survey.slug}/"},
            highlight=False,
        )
        console.print(
            _(
                "Analyst pages: %(url)s (create an account with urbansafety serve --create-analyst NAME)"
            )
            % {"url": "http://127.0.0.1:8000/analyst/"},
            highlight=False,
        )
    return ws
