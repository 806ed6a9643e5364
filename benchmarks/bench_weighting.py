"""Raking 1,000,000 respondents on 3 margins (age group, gender, neighbourhood), side by side
with weightipy (RIM weighting; samplics' SampleWeight.rake when weightipy is not installed),
in the same run, on the same data.

Usage: python benchmarks/bench_weighting.py [--rows 1000000] [--repeat 5]
Each side runs in its own process, on the same generated file, once with text columns
(pandas' default string dtype) and once with categorical columns; the best of `repeat` runs
is kept. Both sides rake to convergence by their own default rule (ours: every margin
within 1e-10 relative; weightipy: convcrit 0.01) and their weights are compared.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

SETUP = """
import json, sys, time, warnings
import numpy as np, pandas as pd
frame = pd.read_parquet(sys.argv[1])
if sys.argv[2] == "categorical":
    frame = frame.astype("category")
targets = json.loads(open(sys.argv[3]).read())
repeat = int(sys.argv[4])
"""

OURS = (
    SETUP
    + """
from urbansafety.survey.weighting import rake
best = float("inf")
for _ in range(repeat):
    t = time.perf_counter()
    result = rake(frame, targets)
    best = min(best, time.perf_counter() - t)
w = result.weights.to_numpy()
print(json.dumps({"seconds": best, "sweeps": result.report.iterations, "weights": (w / w.mean())[:1000].tolist()}))
"""
)

WEIGHTIPY = (
    SETUP
    + """
import weightipy as wp
shares = {k: {c: 100 * v / sum(t.values()) for c, v in t.items()} for k, t in targets.items()}
best = float("inf")
for _ in range(repeat):
    t = time.perf_counter()
    out = wp.weight_dataframe(frame, wp.scheme_from_dict(shares), weight_column="w")
    best = min(best, time.perf_counter() - t)
w = out["w"].to_numpy()
print(json.dumps({"seconds": best, "weights": (w / w.mean())[:1000].tolist()}))
"""
)

SAMPLICS = (
    SETUP
    + """
warnings.simplefilter("ignore")
from samplics.weighting import SampleWeight
best = float("inf")
for _ in range(repeat):
    t = time.perf_counter()
    w = SampleWeight().rake(samp_weight=np.ones(len(frame)), control=targets,
                            margins={k: frame[k].to_numpy() for k in targets})
    best = min(best, time.perf_counter() - t)
print(json.dumps({"seconds": best, "weights": (w / w.mean())[:1000].tolist()}))
"""
)


def make_sample(rows: int, seed: int = 6) -> tuple[pd.DataFrame, dict[str, dict[str, float]]]:
    """Return respondents whose neighbourhood, age and gender are related, and census-like margins."""
    rng = np.random.default_rng(seed)
    hoods = [f"Q{i:02d}" for i in range(30)]
    hood = rng.integers(0, 30, rows)
    # Older respondents answer more, and more so in some neighbourhoods: raking has work to do.
    p_old = 0.25 + 0.25 * (hood / 29)
    u = rng.random(rows)
    age = np.where(u < p_old, 2, np.where(u < p_old + 0.45, 1, 0))
    gender = (rng.random(rows) < 0.42 + 0.04 * (age == 2)).astype(int)
    frame = pd.DataFrame(
        {
            "age": np.array(["18-34", "35-64", "65+"])[age],
            "gender": np.array(["F", "M"])[gender],
            "neighbourhood": np.array(hoods)[hood],
        }
    )
    population = 1_800_000
    sizes = rng.uniform(0.6, 1.4, 30)
    targets = {
        "age": {"18-34": 0.3 * population, "35-64": 0.48 * population, "65+": 0.22 * population},
        "gender": {"F": 0.51 * population, "M": 0.49 * population},
        "neighbourhood": dict(zip(hoods, (sizes / sizes.sum() * population).tolist(), strict=True)),
    }
    return frame, targets


def run(code: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    try:
        import weightipy  # noqa: F401

        peer, peer_code = "weightipy", WEIGHTIPY
    except ImportError:
        peer, peer_code = "samplics", SAMPLICS
    frame, targets = make_sample(args.rows)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        data, margins = Path(tmp) / "sample.parquet", Path(tmp) / "targets.json"
        frame.to_parquet(data)
        margins.write_text(json.dumps(targets))
        for kind in ("text", "categorical"):
            common = (str(data), kind, str(margins), str(args.repeat))
            ours, theirs = run(OURS, *common), run(peer_code, *common)
            gap = np.max(np.abs(np.array(ours["weights"]) / np.array(theirs["weights"]) - 1))
            rows.append((kind, ours["seconds"], theirs["seconds"], ours["sweeps"], gap))
    print(
        f"Raking {args.rows:,} respondents on 3 margins (3 x 2 x 30 categories), best of {args.repeat}"
    )
    print(
        f"{'columns':<12} {'urbansafety':>12} {peer:>12} {'ratio':>7} {'sweeps':>7} {'max weight gap':>15}"
    )
    for kind, ours_s, peer_s, sweeps, gap in rows:
        print(
            f"{kind:<12} {ours_s:>11.3f}s {peer_s:>11.3f}s {peer_s / ours_s:>6.1f}x {sweeps:>7} {gap:>15.1e}"
        )
    print(
        f"{platform.machine()}, Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}"
    )


if __name__ == "__main__":
    main()
