"""A synthetic campaign of the safety template for the analysis tests and the benchmark.

Answers are drawn from the template's choice lists with a few known relations (women and
older respondents feel less safe after dark; some neighbourhoods are less safe) and the
biases of an open web survey (women and 45+ over-represented, two neighbourhoods
over-sampled), so that weighting has work to do.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from urbansafety.survey.forms import template_path
from urbansafety.survey.responses import StoredResponse, write_responses
from urbansafety.survey.xlsform import read_xlsform
from urbansafety.workspace import Workspace

AGES = ["age_15_24", "age_25_34", "age_35_44", "age_45_54", "age_55_64", "age_65_74",
        "age_75_plus", "refused"]  # fmt: skip
AGE_P = [0.08, 0.10, 0.12, 0.17, 0.19, 0.18, 0.13, 0.03]
_SKIP = {"intro_note", "consent", "age_group", "gender", "neighbourhood", "safe_dark", "avoid_other",
         "comments", "postal_code", "household_size", "victim_types", "avoid_places", "behaviours"}  # fmt: skip


def campaign(
    hoods: list[str], n: int = 800, seed: int = 11, *, start: dt.date = dt.date(2026, 5, 1)
) -> list[StoredResponse]:
    """Return n responses of the safety template for a city with these neighbourhood codes."""
    rng = np.random.default_rng(seed)
    form = read_xlsform(template_path("safety"))
    lists = form.choice_lists
    questions = [q for q in form.questions() if q.type != "note" and q.name not in _SKIP]
    # Two neighbourhoods answered 2-3 times more; danger rises with the neighbourhood's rank.
    size = np.ones(len(hoods))
    size[: min(2, len(hoods))] = [3.0, 2.0][: min(2, len(hoods))]
    hood_p = np.append(size / size.sum() * 0.96, 0.04)
    danger = np.linspace(-0.6, 0.6, len(hoods))
    out = []
    for i in range(n):
        age = str(rng.choice(AGES, p=AGE_P))
        gender = str(rng.choice(["woman", "man", "another", "refused"], p=[0.62, 0.34, 0.02, 0.02]))
        h = int(rng.choice(len(hoods) + 1, p=hood_p))
        hood = hoods[h] if h < len(hoods) else "other"
        risk = (0.7 if gender == "woman" else 0.0) + (0.4 if age in AGES[5:7] else 0.0)
        risk += danger[h] if h < len(hoods) else 0.0
        p_unsafe = 1 / (1 + np.exp(-(risk - 1.0)))
        u = rng.random()
        if u < 0.04:
            dark = str(rng.choice(["dk", "refused"]))
        elif u < 0.12:
            dark = "never_alone"
        elif rng.random() < p_unsafe:
            dark = "bit_unsafe" if rng.random() < 0.65 else "very_unsafe"
        else:
            dark = "fairly_safe" if rng.random() < 0.6 else "very_safe"
        answers: dict[str, object] = {
            "consent": "yes",
            "age_group": age,
            "gender": gender,
            "neighbourhood": hood,
            "safe_dark": dark,
        }
        victims = [t for t in ("break_in", "theft", "vandalism", "assault", "harassment",
                               "sexual", "fraud") if rng.random() < 0.08 + 0.05 * p_unsafe]  # fmt: skip
        answers["victim_types"] = tuple(victims) or (
            ("refused",) if rng.random() < 0.03 else ("none",)
        )
        for t in victims:
            answers[f"reported_{t}"] = str(rng.choice(["yes", "no", "dk"], p=[0.35, 0.55, 0.1]))
        places = [
            p
            for p in ("parks", "transit", "streets", "parking")
            if rng.random() < 0.1 + 0.3 * p_unsafe
        ]
        answers["avoid_places"] = tuple(places) or ("none",)
        for q in questions:
            if q.name.startswith("reported_") or q.choices is None or rng.random() < 0.05:
                continue
            codes = [c.name for c in lists[q.choices]]
            answers[q.name] = str(rng.choice(codes))
        when = dt.datetime.combine(start, dt.time(9)) + dt.timedelta(
            minutes=int(rng.integers(0, 60 * 24 * 40))
        )
        out.append(StoredResponse(f"r{i:05d}", answers, when, "fr" if rng.random() < 0.8 else "en"))
    return out


def city_workspace(folder: Path, n_incidents: int = 2000) -> Workspace:
    """Return a workspace with the demo city's territories and population (incidents too)."""
    from urbansafety.cli import build_app
    from urbansafety.demo_run import DEMO_CONFIG, import_commands
    from urbansafety.ingest.demo import write_demo_files
    from urbansafety.workspace import init_workspace

    files = write_demo_files(folder / "data", seed=5, n_incidents=n_incidents)
    ws = init_workspace(folder, extra_config=DEMO_CONFIG)
    app = build_app("en")
    for args in import_commands(folder, files):
        app(args=args, standalone_mode=False, prog_name="urbansafety")
    return ws


def add_campaign(ws: Workspace, survey: str = "safety", n: int = 800, seed: int = 11) -> int:
    """Store a synthetic campaign in the workspace; return the number of responses stored."""
    from urbansafety import store

    with store.connect(ws.store_path) as con:
        hoods = [c for (c,) in con.execute(
            "SELECT code FROM territories WHERE layer = 'neighbourhood' ORDER BY code"
        ).fetchall()]  # fmt: skip
    with store.connect(ws.store_path) as con, store.transaction(con):
        inserted, _ = write_responses(
            con, survey, campaign(hoods, n, seed), source="synthetic", import_id=f"test-{survey}"
        )
    return inserted


_CITY: dict[str, Path] = {}


def shared_city(factory: object, *, surveys: dict[str, tuple[int, int]] | None = None) -> Path:
    """Return the folder of a city workspace with campaigns, built once per test process.

    factory is pytest's tmp_path_factory; surveys maps a survey name to (responses, seed).
    Copy the folder before changing its store (see `copy_city`).
    """
    surveys = surveys or {"safety": (800, 11), "wave1": (500, 3)}
    key = repr(sorted(surveys.items()))
    if key not in _CITY:
        folder = factory.mktemp("survey-city")  # type: ignore[attr-defined]
        ws = city_workspace(folder)
        for name, (n, seed) in surveys.items():
            add_campaign(ws, name, n, seed)
        _CITY[key] = folder
    return _CITY[key]


def copy_city(source: Path, target: Path) -> Workspace:
    """Return a copy of a city workspace (store, configuration, reports/) at target."""
    import shutil

    from urbansafety.workspace import open_workspace

    shutil.copytree(source, target, ignore=shutil.ignore_patterns("data"))
    return open_workspace(target)
