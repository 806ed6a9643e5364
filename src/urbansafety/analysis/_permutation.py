"""Conditional permutation for local statistics (Anselin 1995), without an n×perms matrix.

For each unit i, the values of its k_i neighbours are replaced ``permutations`` times by k_i
values drawn without replacement from the other n − 1 units, while the value of i stays put.
Every local statistic of this package (Local Moran, Gi*) is, for a given unit, an increasing or
decreasing affine function of the *weighted neighbour sum* ``S_i = Σ_j w_ij y_j``, so the kernel
only draws and compares those sums.

How the draws are made (and why it is fast and exact)
-----------------------------------------------------
Units are grouped by number of neighbours k and processed in blocks of a few thousand. For each
block one (permutations × k) matrix of positions is drawn from ``0 .. n−2`` (distinct within a
row). For unit i a position p stands for unit ``p`` if ``p != i`` and for unit ``n − 1`` if
``p == i``: this maps ``0 .. n−2`` one-to-one onto the n − 1 other units, so each row is a
uniformly random ordered set of k other units, as the method requires. Then

    S_rand[r, i] = Σ_c w_ic y[pos_rc]  +  w_ic* (y[n−1] − y[i])   (c* = the column where pos = i)

the first term for the whole block is one matrix product; the second is a correction on the few
(r, i) where i itself was drawn. Units of one block share their draws (libpysal/esda shares one
draw for *all* units); each block gets a fresh draw from the seeded generator, so results are
reproducible for a given seed and unit order. Memory is bounded by the block
(permutations × block size floats), never n × permutations.

Pseudo p-value ("directed", esda's default, called ``alternative="directed"`` there)
------------------------------------------------------------------------------------
``p = (min(k_ge, k_le) + 1) / (permutations + 1)`` with ``k_ge`` the number of permuted sums
≥ the observed one and ``k_le`` the number ≤ it: the one-sided pseudo p-value of the tail in
which the observation lies (about half a two-sided p). Without ties ``k_le = permutations −
k_ge`` and this is exactly esda's ``(min(k_ge, permutations − k_ge) + 1) / (permutations + 1)``.
With ties (count data: a zero cell among zeros) esda counts a tie only as "≥", which makes such a
unit look extreme (p = 1/(permutations+1)); here a tie counts in both tails, so it does not.
Sums that differ by less than 1e-12 of their scale are ties (rounding, not data).

References
----------
Anselin, L. (1995). Local indicators of spatial association—LISA. *Geographical Analysis*, 27(2),
93–115.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from urbansafety.errors import InputError
from urbansafety.i18n import N_

# Largest permutations × block-size array held at once (float64: 32 MiB).
BLOCK_ELEMENTS = 1 << 22
TIE_RTOL = 1e-12


@dataclass(frozen=True)
class PermutationCounts:
    """Per-unit counts of permuted neighbour sums at or beyond the observed one.

    Attributes
    ----------
    k_ge, k_le : numpy.ndarray of int64
        Number of permuted sums ≥ (resp. ≤) the observed sum, ties within rounding included in
        both. Islands (no neighbour) get ``permutations`` in both.
    mean, var : numpy.ndarray or None
        Mean and (population) variance of the permuted sums, when asked for.
    """

    k_ge: np.ndarray
    k_le: np.ndarray
    mean: np.ndarray | None
    var: np.ndarray | None


def check_permutations(permutations: int) -> int:
    """Return the number of permutations after checking it is a whole number ≥ 0."""
    whole = isinstance(permutations, int | np.integer) and not isinstance(permutations, bool)
    if not (whole and permutations >= 0):
        raise InputError(
            N_("The number of permutations must be a whole number ≥ 0."),
            hint=N_("Use 999 (the usual choice), 9999 for finer pseudo p-values, or 0 for none."),
        )
    return int(permutations)


def check_alpha(alpha: float) -> float:
    """Return alpha after checking 0 < alpha < 1."""
    if not (isinstance(alpha, int | float | np.floating) and 0 < alpha < 1):
        raise InputError(
            N_("The significance level must be between 0 and 1, not %(alpha)s."),
            hint=N_("Use 0.05 (95%% confidence) or 0.01 (99%%)."),
            params={"alpha": alpha},
        )
    return float(alpha)


def directed_p(k_ge: np.ndarray, k_le: np.ndarray, permutations: int) -> np.ndarray:
    """Return the directed pseudo p-values ``(min(k_ge, k_le) + 1) / (permutations + 1)``."""
    return (np.minimum(k_ge, k_le) + 1.0) / (permutations + 1.0)


def draw_positions(rng: np.random.Generator, rows: int, k: int, m: int) -> np.ndarray:
    """Return a (rows × k) int64 array; each row is k distinct values of 0..m-1 in random order."""
    if k * (k - 1) <= m:
        # With replacement, then redraw the rows that repeat a value (few, since k² ≤ m).
        out = rng.integers(0, m, size=(rows, k), dtype=np.int64)
        while True:
            s = np.sort(out, axis=1)
            bad = np.flatnonzero((s[:, 1:] == s[:, :-1]).any(axis=1))
            if len(bad) == 0:
                return out
            out[bad] = rng.integers(0, m, size=(len(bad), k), dtype=np.int64)
    # Dense neighbourhoods (k² > m, hence m is small): the k smallest of m random keys.
    out = np.empty((rows, k), dtype=np.int64)
    step = max(1, BLOCK_ELEMENTS // m)
    for start in range(0, rows, step):
        keys = rng.random((min(step, rows - start), m))
        pick = np.argpartition(keys, k - 1, axis=1)[:, :k] if k < m else np.argsort(keys, axis=1)
        out[start : start + len(pick)] = rng.permuted(pick, axis=1)
    return out


def conditional_permutation(
    values: np.ndarray,
    matrix: sp.csr_array,
    permutations: int,
    rng: np.random.Generator,
    *,
    moments: bool = False,
) -> PermutationCounts:
    """Return, per unit, how many conditionally permuted neighbour sums reach the observed one.

    Parameters
    ----------
    values : numpy.ndarray
        The n values y (float64, finite).
    matrix : scipy.sparse.csr_array
        n×n weights, zero diagonal, no stored zeros.
    permutations : int
        Number of draws per unit (≥ 1).
    rng : numpy.random.Generator
        Source of randomness (seeded by the caller for reproducibility).
    moments : bool
        Also return the mean and variance of the permuted sums.

    Returns
    -------
    PermutationCounts
    """
    y = np.asarray(values, dtype=np.float64)
    n = len(y)
    indptr, data = matrix.indptr, matrix.data
    card = np.diff(indptr).astype(np.int64)
    observed = matrix @ y
    # Scale of each unit's sum, for telling rounding from real differences.
    tol = TIE_RTOL * np.abs(matrix) @ np.full(n, np.max(np.abs(y)) if n else 0.0)
    k_ge = np.full(n, permutations, dtype=np.int64)
    k_le = np.full(n, permutations, dtype=np.int64)
    mean = np.full(n, np.nan) if moments else None
    var = np.full(n, np.nan) if moments else None
    position = np.full(n, -1, dtype=np.int64)
    last = y[n - 1] if n else 0.0
    block = max(1, BLOCK_ELEMENTS // permutations)
    order = np.argsort(card, kind="stable")
    bounds = np.searchsorted(card[order], np.arange(card.max(initial=0) + 2))
    for k in range(1, len(bounds) - 1):
        group = order[bounds[k] : bounds[k + 1]]
        for start in range(0, len(group), block):
            units = group[start : start + block]
            pos = draw_positions(rng, permutations, k, n - 1)
            w_block = data[indptr[units][:, None] + np.arange(k)]
            sums = y[pos] @ w_block.T
            position[units] = np.arange(len(units))
            hit_r, hit_c = np.nonzero(position[pos] >= 0)
            b = position[pos[hit_r, hit_c]]
            sums[hit_r, b] += w_block[b, hit_c] * (last - y[units[b]])
            position[units] = -1
            obs, t = observed[units], tol[units]
            k_ge[units] = np.count_nonzero(sums >= obs - t, axis=0)
            k_le[units] = np.count_nonzero(sums <= obs + t, axis=0)
            if mean is not None and var is not None:
                mean[units] = sums.mean(axis=0)
                var[units] = sums.var(axis=0)
    return PermutationCounts(k_ge, k_le, mean, var)
