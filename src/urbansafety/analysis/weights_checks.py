"""Input checks for spatial statistics on :class:`~urbansafety.analysis.weights.Weights`.

:func:`check_values` refuses values that do not fit the weights (length, non-finite, too few
units, constant); :func:`check_no_islands` refuses units without neighbours; :func:`unit_label`
names a unit in these messages (its identifier when there are ids, else its position).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from urbansafety.errors import InputError
from urbansafety.i18n import N_

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from urbansafety.analysis.weights import Weights


def unit_label(ids: ArrayLike | None, position: int) -> object:
    """Return how a message names a unit: its identifier when there are ids, else its position."""
    if ids is not None:
        arr = np.asarray(ids)
        if arr.ndim == 1 and 0 <= position < len(arr):
            value = arr[position]
            return value.item() if isinstance(value, np.generic) else value
    return position


def check_values(values: ArrayLike, w: Weights, *, min_n: int = 4) -> np.ndarray:
    """Return values as float64 after checking them against the weights (for the statistics).

    Raises :class:`~urbansafety.errors.InputError` when the length differs from ``w.n``, a value
    is missing or not finite, there are fewer than ``min_n`` units, or all values are equal.
    """
    try:
        y = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(
            N_("The values are not all numbers."),
            hint=N_("Give one number per unit (a count, a rate), in the order of the weights."),
        ) from exc
    if y.ndim != 1 or len(y) != w.n:
        raise InputError(
            N_("There are %(n_values)s values for %(n)s units in the weights."),
            hint=N_("Give one value per unit, in the order of the weights."),
            params={"n_values": y.size, "n": w.n},
        )
    bad = ~np.isfinite(y)
    if bad.any():
        raise InputError(
            N_("%(count)s values are missing or not finite (first: %(first)s)."),
            hint=N_(
                "Write 0 where a unit has no incident, or drop the units from both the values and the weights."
            ),
            params={
                "count": int(bad.sum()),
                "first": unit_label(w.ids, int(np.flatnonzero(bad)[0])),
            },
        )
    if len(y) < min_n:
        raise InputError(
            N_("At least %(min_n)s units are needed, not %(n)s."),
            hint=N_("Spatial statistics compare units with each other; use a finer subdivision."),
            params={"min_n": min_n, "n": len(y)},
        )
    if np.all(y == y[0]):
        raise InputError(
            N_(
                "All %(n)s values are equal (%(value)s): the variance is 0, so the statistic is undefined."
            ),
            hint=N_(
                "Spatial association needs values that differ between units; check the column and the period chosen."
            ),
            params={"n": len(y), "value": float(y[0])},
        )
    return y


def check_no_islands(w: Weights) -> None:
    """Raise :class:`~urbansafety.errors.InputError` when a unit has no neighbour."""
    islands = w.islands
    if len(islands):
        first = unit_label(w.ids, int(islands[0]))
        raise InputError(
            N_("%(count)s units have no neighbour (first: %(first)s)."),
            hint=N_(
                "Drop these units, or use weights that give every unit a neighbour (a larger distance band, or k nearest neighbours)."
            ),
            params={"count": len(islands), "first": first},
        )
