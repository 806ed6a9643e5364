"""Conversion between :class:`~urbansafety.analysis.weights.Weights` and libpysal ``W``.

For tests and benchmarks that compare with libpysal / esda; libpysal is imported only here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from urbansafety.analysis.weights import Weights
from urbansafety.analysis.weights_sparse import _csr
from urbansafety.errors import InputError
from urbansafety.i18n import N_


def from_libpysal(w: Any) -> Weights:
    """Return a libpysal ``W`` as :class:`Weights` (rows in ``w.id_order``; for tests).

    Binary and row-standardised ``W`` keep their transform; other values are kept as given
    (transform ``"O"``). A ``W`` with self-weights (non-zero diagonal) is refused.
    """
    matrix = sp.csr_array(w.sparse, dtype=np.float64)
    matrix.eliminate_zeros()
    matrix.sum_duplicates()
    matrix.sort_indices()
    if np.any(matrix.diagonal() != 0):
        raise InputError(
            N_("These weights link units to themselves (non-zero diagonal)."),
            hint=N_("Remove the self-weights; Gi* adds each unit itself."),
        )
    libpysal_transform = str(getattr(w, "transform", "O")).upper()
    if libpysal_transform == "R":
        transform = "R"
    elif np.all(matrix.data == 1.0):
        transform = "B"
    else:
        transform = "O"
    n = matrix.shape[0]
    out = _csr(matrix.data, matrix.indices, matrix.indptr, n)
    return Weights(out, "custom", np.asarray(w.id_order), transform)


def to_libpysal(w: Weights) -> Any:
    """Return these weights as a libpysal ``W`` (ids = ``w.ids`` or 0..n-1; for tests)."""
    from libpysal.weights import W

    m = w.matrix
    ids = list(w.ids) if w.ids is not None else list(range(w.n))
    split = m.indptr[1:-1]
    idx = np.array(ids, dtype=object)
    nb = np.split(m.indices, split)
    wt = np.split(m.data, split)
    neighbors = {ids[i]: idx[nb[i]].tolist() for i in range(w.n)}
    weights = {ids[i]: wt[i].tolist() for i in range(w.n)}
    # libpysal keeps these values as its "original" (transform "O"); binary and row
    # transforms applied later by esda start from them, as they would from a Queen W.
    return W(neighbors, weights, id_order=ids, silence_warnings=True)
