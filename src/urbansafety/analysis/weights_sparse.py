"""Binary CSR neighbour matrices from index pairs, for the spatial weights builders."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def _from_pairs(rows: np.ndarray, cols: np.ndarray, n: int) -> sp.csr_array:
    """Return the binary n×n CSR matrix with a 1 at each (row, col) pair, duplicates merged."""
    keep = rows != cols
    rows, cols = rows[keep], cols[keep]
    key = np.unique(rows.astype(np.int64) * n + cols)
    rows, cols = np.divmod(key, n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return _csr(np.ones(len(cols)), cols, indptr, n)


def _csr(data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, n: int) -> sp.csr_array:
    # 32-bit indices halve the memory of a large lattice; scipy widens them when needed.
    itype = np.int32 if max(n, len(indices)) < 2**31 - 1 else np.int64
    return sp.csr_array(
        (
            data.astype(np.float64, copy=False),
            indices.astype(itype, copy=False),
            indptr.astype(itype, copy=False),
        ),
        shape=(n, n),
    )
