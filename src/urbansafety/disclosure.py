"""Disclosure control: which counts may be published (default: counts of 1 to 4 are suppressed)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def small_count_mask(counts: pd.Series | np.ndarray, threshold: int) -> np.ndarray:
    """Return the mask of counts that must be suppressed: 1 ≤ count < threshold (0 may be shown)."""
    values = np.asarray(counts, dtype=float)
    return (values >= 1) & (values < threshold)


def suppress_counts(frame: pd.DataFrame, columns: list[str], threshold: int) -> pd.DataFrame:
    """Return frame with small counts in columns replaced by missing values and a `suppressed` flag.

    This is primary suppression, enough for a table published without margins. Tables with
    totals need complementary suppression (see the portrait's disclosure rules).
    """
    out = frame.copy()
    flag = np.zeros(len(out), dtype=bool)
    for col in columns:
        mask = small_count_mask(out[col], threshold)
        flag |= mask
        out[col] = out[col].astype("Int64").mask(mask)
    out["suppressed"] = flag
    return out
