"""Write tests/oracles/columbus_esda.json: esda/libpysal reference values for the spatial tests.

Run by hand (not by the tests) with esda and libpysal installed:

    .venv/bin/python tests/oracles/make_columbus_esda.py

Everything is computed with libpysal and esda only (no urbansafety code), so the tests compare
our implementation with an independent one.
"""

from __future__ import annotations

import json
import platform
import warnings
from pathlib import Path

import esda
import geopandas as gpd
import libpysal
import numpy as np
import scipy
from esda import G_Local, Moran, Moran_Local
from libpysal.weights import DistanceBand, Queen, Rook

OUT = Path(__file__).with_name("columbus_esda.json")
SEED = 12345
PERMUTATIONS = 9999


def floats(a: object) -> list[float]:
    return [float(v) for v in np.asarray(a, dtype=float)]


def moran_fields(m: Moran) -> dict[str, float]:
    names = ("I", "EI", "VI_norm", "VI_rand", "z_norm", "z_rand", "p_norm", "p_rand")
    return {k: float(getattr(m, k)) for k in names}


def main() -> None:
    warnings.filterwarnings("ignore")
    df = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    y = df["CRIME"].to_numpy(dtype=float)
    queen = Queen.from_dataframe(df, use_index=False)
    rook = Rook.from_dataframe(df, use_index=False)
    gal = libpysal.io.open(libpysal.examples.get_path("columbus.gal")).read()
    gal_equal = bool((gal.sparse != queen.sparse).nnz == 0)
    # Counted before esda row-standardises the W objects in place.
    queen_links, rook_links = int(queen.sparse.nnz), int(rook.sparse.nnz)

    local = Moran_Local(y, queen, permutations=PERMUTATIONS, seed=SEED, n_jobs=1)
    gi = G_Local(y, queen, transform="B", star=True, permutations=0)
    gi_perm = G_Local(
        y, queen, transform="B", star=True, permutations=PERMUTATIONS, seed=SEED, n_jobs=1
    )

    points = np.array([(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)], dtype=float)
    y6 = np.array([2, 3, 3.2, 5, 8, 7])
    band = DistanceBand(points, threshold=15)
    gi6 = G_Local(y6, band, transform="B", star=True, permutations=0)

    versions = {
        "esda": esda.__version__,
        "libpysal": libpysal.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "python": platform.python_version(),
    }
    source = (
        "Computed by tests/oracles/make_columbus_esda.py with "
        + ", ".join(f"{k} {v}" for k, v in versions.items())
        + ". Data: libpysal.examples.get_path('columbus.shp') (n=49, row order of the file), "
        "variable CRIME. Weights: libpysal.weights.Queen.from_dataframe(df, use_index=False) "
        "(236 links, equal to columbus.gal) and Rook.from_dataframe(df, use_index=False) "
        "(200 links). moran_queen / moran_rook: esda.Moran(CRIME, w, permutations=0) "
        "(transformation='r', two_tailed=True defaults). local_moran_queen: "
        f"esda.Moran_Local(CRIME, queen, permutations={PERMUTATIONS}, seed={SEED}, n_jobs=1) "
        "(transformation='r', keep_simulations=True defaults; p_sim is esda's directed pseudo "
        "p-value, RNG-dependent: compare statistically only). gi_star_queen: "
        "esda.G_Local(CRIME, queen, transform='B', star=True, permutations=0).Zs, and p_sim "
        f"from the same call with permutations={PERMUTATIONS}, seed={SEED}, n_jobs=1. "
        "gi_star_six_points: the 6-point example of pysal/esda "
        "esda/tests/test_getisord.py@11450be, libpysal.weights.DistanceBand(points, "
        "threshold=15) (binary, d <= 15), esda.G_Local(y, w, transform='B', star=True, "
        "permutations=0).Zs."
    )
    oracle = {
        "source": source,
        "versions": versions,
        "n": len(y),
        "queen_links": queen_links,
        "rook_links": rook_links,
        "queen_equals_columbus_gal": gal_equal,
        "moran_queen": moran_fields(Moran(y, queen, permutations=0)),
        "moran_rook": moran_fields(Moran(y, rook, permutations=0)),
        "local_moran_queen": {
            "permutations": PERMUTATIONS,
            "seed": SEED,
            "Is": floats(local.Is),
            "q": [int(v) for v in local.q],
            "p_sim": floats(local.p_sim),
            "EI_sim": floats(local.EI_sim),
            "VI_sim": floats(local.VI_sim),
            "z_sim": floats(local.z_sim),
        },
        "gi_star_queen": {
            "Zs": floats(gi.Zs),
            "p_norm_one_sided": floats(gi.p_norm),
            "permutations": PERMUTATIONS,
            "seed": SEED,
            "p_sim": floats(gi_perm.p_sim),
        },
        "gi_star_six_points": {
            "x": floats(points[:, 0]),
            "y": floats(points[:, 1]),
            "values": floats(y6),
            "threshold": 15.0,
            "Zs": floats(gi6.Zs),
        },
    }
    OUT.write_text(json.dumps(oracle, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
