"""Grid contiguity links: rook or queen neighbours among cells given by column and row numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from urbansafety.analysis.weights_checks import unit_label
from urbansafety.analysis.weights_sparse import _csr
from urbansafety.errors import InputError
from urbansafety.i18n import N_

if TYPE_CHECKING:
    import scipy.sparse as sp
    from numpy.typing import ArrayLike

# A dense lookup table for grid cells is used while its size stays within this many cells per
# input cell (plus a fixed allowance); a very sparse subset of a huge grid falls back to sorting.
_DENSE_FACTOR = 8
_DENSE_ALLOWANCE = 4_000_000

_ROOK_OFFSETS = ((1, 0), (-1, 0), (0, 1), (0, -1))
_QUEEN_OFFSETS = (*_ROOK_OFFSETS, (1, 1), (1, -1), (-1, 1), (-1, -1))


def grid_links(cx: np.ndarray, cy: np.ndarray, kind: str, ids: ArrayLike | None) -> sp.csr_array:
    """Return the binary n×n matrix of rook or queen links between grid cells (int64 cx, cy)."""
    n = len(cx)
    if n == 0:
        return _csr(np.zeros(0), np.zeros(0), np.zeros(1), 0)
    # Pad the bounding box by one cell on each side so that key + offset never wraps a row.
    x = cx - cx.min() + 1
    y = cy - cy.min() + 1
    width = int(x.max()) + 2
    height = int(y.max()) + 2
    key = y * width + x
    offsets = _QUEEN_OFFSETS if kind == "queen" else _ROOK_OFFSETS
    itype = np.int32 if n < 2**31 // 8 else np.int64
    # One row per offset (contiguous writes), transposed once for the per-cell sort.
    neighbour: np.ndarray = np.empty((len(offsets), n), dtype=itype)
    if width * height <= _DENSE_FACTOR * n + _DENSE_ALLOWANCE:
        table: np.ndarray = np.full(width * height, -1, dtype=itype)
        table[key] = np.arange(n, dtype=itype)
        if np.count_nonzero(table >= 0) != n:
            _duplicate_cells(key, ids)
        for c, (dx, dy) in enumerate(offsets):
            np.take(table, key + (dy * width + dx), out=neighbour[c])
    else:
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        if np.any(sorted_key[1:] == sorted_key[:-1]):
            _duplicate_cells(key, ids)
        for c, (dx, dy) in enumerate(offsets):
            target = key + (dy * width + dx)
            pos = np.minimum(np.searchsorted(sorted_key, target), n - 1)
            neighbour[c] = np.where(sorted_key[pos] == target, order[pos], -1)
    per_cell = neighbour.T.copy()
    per_cell.sort(axis=1)
    valid = per_cell >= 0
    indptr = np.zeros(n + 1, dtype=itype)
    np.cumsum(valid.sum(axis=1, dtype=itype), out=indptr[1:])
    indices = per_cell[valid]
    return _csr(np.ones(len(indices)), indices, indptr, n)


def _duplicate_cells(key: np.ndarray, ids: ArrayLike | None) -> None:
    uniq, counts = np.unique(key, return_counts=True)
    first = int(np.flatnonzero(np.isin(key, uniq[counts > 1]))[0])
    raise InputError(
        N_("The same grid cell appears more than once (first: %(first)s)."),
        hint=N_("Aggregate the values by cell first: one row per cell."),
        params={"first": unit_label(ids, first)},
    )
