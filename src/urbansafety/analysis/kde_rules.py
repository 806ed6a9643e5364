"""Kernel density inputs and default rules: checked coordinates and weights, bandwidth, cell size.

The defaults are the crime-mapping conventions documented in each function: ArcGIS Pro's
spatial variant of Silverman's rule for the bandwidth, Chainey's shorter side / 150 for the cell.
"""

from __future__ import annotations

import math

import numpy as np

from urbansafety.errors import InputError
from urbansafety.i18n import N_

_NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
Extent = tuple[float, float, float, float]


def input_error(message: str, hint: str, **params: object) -> InputError:
    return InputError(message, hint=hint, params=params)


def coordinates(
    x: np.ndarray, y: np.ndarray, weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xa = np.asarray(x, dtype=float).ravel()
    ya = np.asarray(y, dtype=float).ravel()
    if xa.shape != ya.shape:
        raise input_error(
            N_("x has %(nx)s values but y has %(ny)s."),
            N_("Give one x and one y per incident."),
            nx=xa.size,
            ny=ya.size,
        )
    if xa.size == 0:
        raise input_error(
            N_("There are no incidents to map."),
            N_("Choose a period, area or category with at least one incident."),
        )
    bad = ~(np.isfinite(xa) & np.isfinite(ya))
    if bad.any():
        raise input_error(
            N_("%(n)s incident(s) have a missing or infinite coordinate."),
            N_("Leave out incidents that could not be located before mapping them."),
            n=int(bad.sum()),
        )
    if weights is None:
        wa = np.ones_like(xa)
    else:
        wa = np.asarray(weights, dtype=float).ravel()
        if wa.shape != xa.shape:
            raise input_error(
                N_("There are %(nw)s weights for %(n)s incidents."),
                N_("Give one weight per incident, or none."),
                nw=wa.size,
                n=xa.size,
            )
        badw = ~np.isfinite(wa) | (wa < 0)
        if badw.any():
            raise input_error(
                N_("%(n)s weight(s) are negative or missing."),
                N_("Weights are numbers ≥ 0, such as severity weights."),
                n=int(badw.sum()),
            )
    return xa, ya, wa


def distinct(
    x: np.ndarray, y: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the distinct locations and the total weight at each."""
    order = np.lexsort((y, x))
    xo, yo = x[order], y[order]
    first = np.ones(len(xo), dtype=bool)
    first[1:] = (xo[1:] != xo[:-1]) | (yo[1:] != yo[:-1])
    starts = np.flatnonzero(first)
    return xo[starts], yo[starts], np.add.reduceat(w[order], starts)


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Return the median of values repeated weights times (the mean of the two middle ones)."""
    order = np.argsort(values, kind="stable")
    v, cum = values[order], np.cumsum(weights[order])
    half = cum[-1] / 2.0
    lo = v[np.searchsorted(cum, half, side="left")]
    hi = v[min(np.searchsorted(cum, half, side="right"), len(v) - 1)]
    return float((lo + hi) / 2.0)


def default_bandwidth(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Return the default kernel radius in metres (ArcGIS's spatial variant of Silverman's rule).

    ``h = 0.9 · min(SD, √(1/ln 2) · Dm) · n^(−1/5)``, where SD is the standard distance of the
    incidents around their mean centre, Dm the median distance to that centre and n the
    number of incidents; with weights, the centre, SD and Dm are weighted and n is the total
    weight. The min() keeps a few outlying incidents from inflating the radius.

    Raises
    ------
    InputError
        When the incidents all share one location (the rule gives 0: pass a bandwidth).

    References
    ----------
    Silverman, B. W. (1986). *Density Estimation for Statistics and Data Analysis*, eq. 3.31.
    Esri. How Kernel Density works, "Default search radius (bandwidth) algorithm" (ArcGIS
    10.2.1 and later; same rule in ArcGIS Pro).
    """
    xa, ya, wa = coordinates(x, y, weights)
    xs, ys, ms = distinct(xa, ya, wa)
    n = float(ms.sum())
    if n <= 0:
        raise input_error(
            N_("The incidents' weights add up to 0."),
            N_("Give at least one incident a weight above 0."),
        )
    mx, my = float(np.dot(ms, xs) / n), float(np.dot(ms, ys) / n)
    d = np.hypot(xs - mx, ys - my)
    sd = math.sqrt(float(np.dot(ms, d * d)) / n)
    dm = _weighted_median(d, ms)
    h = 0.9 * min(sd, math.sqrt(1.0 / math.log(2.0)) * dm) * n ** (-0.2)
    if not h > 0:
        raise input_error(
            N_("The default bandwidth is 0: the incidents share one location."),
            N_("Give a bandwidth in metres (for example 400)."),
        )
    return h


def _nice(value: float) -> float:
    """Return the number among 1, 2, 2.5, 5 × 10^k closest to value on a log scale."""
    k = math.floor(math.log10(value))
    base = 10.0**k
    best = min(_NICE_STEPS, key=lambda s: abs(math.log(value / (s * base))))
    return best * base


def check_extent(extent: Extent) -> Extent:
    try:
        xmin, ymin, xmax, ymax = (float(v) for v in extent)
    except (TypeError, ValueError) as exc:
        raise input_error(
            N_("The extent must be four numbers: xmin, ymin, xmax, ymax."),
            N_("Give the study area's bounding rectangle in metres."),
        ) from exc
    if not all(math.isfinite(v) for v in (xmin, ymin, xmax, ymax)) or xmax < xmin or ymax < ymin:
        raise input_error(
            N_("The extent (%(extent)s) is not a rectangle."),
            N_("Give xmin, ymin, xmax, ymax in metres, with xmin ≤ xmax and ymin ≤ ymax."),
            extent=", ".join(str(v) for v in extent),
        )
    return xmin, ymin, xmax, ymax


def default_cell(extent: Extent) -> float:
    """Return the default cell size in metres: the study area's shorter side / 150, rounded.

    The study area is the bounding rectangle ``(xmin, ymin, xmax, ymax)``; its shorter side
    (the longer one when the rectangle is flat) is divided by 150 and rounded to the closest
    of 1, 2, 2.5 or 5 × 10^k metres on a log scale (10 km → 66.7 m → 50 m; 7 km → 46.7 m →
    50 m; 3 km → 20 m). Cell size matters little for hot spot maps; the bandwidth does.

    References
    ----------
    Chainey, S. (2005). Methods and techniques for understanding crime hot spots. In Eck,
    J. E. et al., *Mapping Crime: Understanding Hot Spots*, National Institute of Justice.
    Chainey, S. (2013). Examining the influence of cell size and bandwidth size on kernel
    density estimation crime hotspot maps. *Geomatica*, 67(1).
    """
    xmin, ymin, xmax, ymax = check_extent(extent)
    w, h = xmax - xmin, ymax - ymin
    side = min(w, h) if min(w, h) > 0 else max(w, h)
    if not side > 0:
        raise input_error(
            N_("The extent has no area and no length."),
            N_("Give a cell size in metres, or an extent that is a real rectangle."),
        )
    return _nice(side / 150.0)
