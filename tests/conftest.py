"""Shared fixtures: paths to test data and to the real public data beside the repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from urbansafety.workspace import Workspace, init_workspace

DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="session")
def shared() -> Path:
    """Return the folder of real public data (shared/data beside the repository)."""
    assert SHARED.is_dir(), f"the real public data folder is missing: {SHARED}"
    return SHARED


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """Return a new empty workspace."""
    return init_workspace(tmp_path / "ws")


def square_layer(
    path: Path,
    *,
    origin: tuple[float, float] = (290_000.0, 5_040_000.0),
    size: float = 1000.0,
    prefix: str = "T",
    crs: str = "EPSG:32188",
) -> Path:
    """Write a GeoJSON of 2 × 2 adjacent squares (shared borders) and return its path."""
    x0, y0 = origin
    features = []
    for i in range(2):
        for j in range(2):
            xa, ya = x0 + i * size, y0 + j * size
            ring = [[xa, ya], [xa + size, ya], [xa + size, ya + size], [xa, ya + size], [xa, ya]]
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "code": f"{prefix}{i}{j}",
                        "name": f"Carré {i}{j}",
                        "parent": f"P{i}",
                    },
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
            )
    doc = {
        "type": "FeatureCollection",
        "crs": {
            "type": "name",
            "properties": {"name": f"urn:ogc:def:crs:{crs.replace(':', '::')}"},
        },
        "features": features,
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path
