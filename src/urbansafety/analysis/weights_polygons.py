"""Polygon contiguity links: polygons sharing a vertex (queen) or an edge (rook), as libpysal."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
import shapely

from urbansafety.analysis.weights_sparse import _from_pairs


def polygon_links(geoms: np.ndarray, kind: str, n: int) -> sp.csr_array:
    """Return the binary n×n matrix of queen or rook links between checked polygons."""
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    owner = part_owner[ring_part][ring_of].astype(np.int64)
    if kind == "queen":
        matrix = _group_pairs([coords[:, 0], coords[:, 1]], owner, n)
    else:
        same_ring = ring_of[1:] == ring_of[:-1]
        p, q = coords[:-1][same_ring], coords[1:][same_ring]
        own = owner[:-1][same_ring]
        # Order each edge's two ends so that A→B and B→A are the same edge.
        swap = (q[:, 0] < p[:, 0]) | ((q[:, 0] == p[:, 0]) & (q[:, 1] < p[:, 1]))
        a = np.where(swap[:, None], q, p)
        b = np.where(swap[:, None], p, q)
        proper = (a[:, 0] != b[:, 0]) | (a[:, 1] != b[:, 1])
        keys = [a[proper, 0], a[proper, 1], b[proper, 0], b[proper, 1]]
        matrix = _group_pairs(keys, own[proper], n)
    return matrix


def _group_pairs(sort_keys: Sequence[np.ndarray], owner: np.ndarray, n: int) -> sp.csr_array:
    """Return the binary links between owners that share an identical key (all pairs per key)."""
    order = np.lexsort((owner, *reversed(sort_keys)))
    keys = [k[order] for k in sort_keys]
    own = owner[order]
    m = len(own)
    same = np.ones(max(m - 1, 0), dtype=bool)
    for k in keys:
        # Numeric comparison, so -0.0 and 0.0 are the same coordinate (as in libpysal's tuples).
        same &= k[1:] == k[:-1]
    # Drop repeats of the same (key, owner): a ring's closing vertex, or a vertex shared by two
    # rings of one multipolygon.
    dup = np.zeros(m, dtype=bool)
    dup[1:] = same & (own[1:] == own[:-1])
    keep = ~dup
    own = own[keep]
    starts = np.ones(m, dtype=bool)
    starts[1:] = ~same
    group = np.cumsum(starts)[keep]
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    d = 1
    while d < len(own):
        hit = group[d:] == group[:-d]
        if not hit.any():
            break
        a, b = own[:-d][hit], own[d:][hit]
        rows += [a, b]
        cols += [b, a]
        d += 1
    if not rows:
        return _from_pairs(np.zeros(0, np.int64), np.zeros(0, np.int64), n)
    return _from_pairs(np.concatenate(rows), np.concatenate(cols), n)
