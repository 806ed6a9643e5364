"""Primary suppression of small counts (1 to threshold-1) in published tables."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from urbansafety.disclosure import small_count_mask, suppress_counts


def test_counts_1_to_4_are_suppressed_and_0_is_shown() -> None:
    frame = pd.DataFrame({"n": [0, 1, 4, 5, 120]})
    out = suppress_counts(frame, ["n"], threshold=5)
    assert out["n"].tolist()[0] == 0 and out["n"].isna().tolist() == [
        False,
        True,
        True,
        False,
        False,
    ]
    assert out["suppressed"].tolist() == [False, True, True, False, False]


@given(
    st.lists(st.integers(min_value=0, max_value=50), max_size=40),
    st.integers(min_value=1, max_value=10),
)
def test_no_published_count_is_small(values: list[int], threshold: int) -> None:
    out = suppress_counts(pd.DataFrame({"n": values}), ["n"], threshold)
    shown = out["n"].dropna()
    assert not small_count_mask(shown, threshold).any()
    assert len(shown) == sum(1 for v in values if v == 0 or v >= threshold)
