"""Full analysis of an 800-response survey campaign: weighting to the census margins, the 28
indicators overall and by gender, age group and neighbourhood, and the Rao-Scott cross-tabs,
without and with the report (HTML and Excel).

Usage: python benchmarks/bench_survey_analysis.py [--responses 800] [--repeat 5]
The demo city (its territories and population) is built in a temporary workspace and the demo's
synthetic Kobo campaign imported (`ingest.demo_survey`; the tests' campaign when that module is
missing). Each stage is timed from the store (responses loaded, weighted, analysed), best of
`repeat`; the first run, which stores the weights, is left out.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def build(folder: Path, responses: int) -> tuple[object, str]:
    """Return a workspace of the demo city with a campaign, and where the campaign comes from."""
    sys.path.insert(0, str(ROOT))
    from tests.survey.campaign import add_campaign, city_workspace

    ws = city_workspace(folder, n_incidents=2000)
    try:
        from urbansafety.ingest.demo_survey import import_demo_survey

        import_demo_survey(ws, folder / "data", n=responses, n_incidents=2000)
        return ws, "ingest.demo_survey (Kobo CSV, imported)"
    except ImportError:
        add_campaign(ws, "safety", responses)
        return ws, "tests/survey/campaign.py"


def best(step: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=800)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from urbansafety.survey.analysis_run import analyse_survey, write_survey_report
    from urbansafety.survey.weight_run import weight_survey

    with tempfile.TemporaryDirectory() as tmp:
        ws, origin = build(Path(tmp) / "ws", args.responses)
        first = analyse_survey(ws, "safety")  # stores the weights
        n = first.run.weighting.after.n
        out = Path(tmp) / "out"

        def with_report(langs: tuple[str, ...]) -> Callable[[], object]:
            return lambda: write_survey_report(
                ws, analyse_survey(ws, "safety"), langs=langs, out=out
            )

        rows = [
            ("weighting (load + rake)", best(lambda: weight_survey(ws, "safety"), args.repeat)),
            ("full analysis, no report", best(lambda: analyse_survey(ws, "safety"), args.repeat)),
            ("full analysis + report (fr)", best(with_report(("fr",)), args.repeat)),
            ("full analysis + report (fr, en)", best(with_report(("fr", "en")), args.repeat)),
        ]
        estimates = len(first.overall) + sum(len(t) for t in first.by.values())
    print(f"Survey analysis: {n} respondents ({origin}), best of {args.repeat}")
    print(f"{estimates} estimates (28 indicators x overall + 3 subgroup variables), 3 cross-tabs")
    for name, seconds in rows:
        print(f"{name:<34} {seconds:>7.2f} s")
    goal = rows[1][1] <= 3 and rows[2][1] <= 3
    print(f"Goal <= 3 s (analysis, and analysis + report): {'met' if goal else 'NOT met'}")
    print(
        f"{platform.machine()}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}"
    )


if __name__ == "__main__":
    main()
