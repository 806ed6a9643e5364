"""Report objects check what they are given and never let a suppressed value out."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.report.sample import sample_report
from urbansafety.report.model import MethodNote, Report, Section
from urbansafety.report.model_table import COUNT, NumberFormat, Table


def test_suppressed_mask_is_aligned_on_index_labels() -> None:
    frame = pd.DataFrame({"k": ["a", "b", "c"], "n": [1, 20, 30]}, index=[10, 11, 12])
    mask = pd.DataFrame({"n": [False, True, False]}, index=[12, 10, 11])
    table = Table("T", frame, formats={"n": COUNT}, suppressed=mask)
    assert table.mask()["n"].tolist() == [True, False, False]
    assert table.mask()["k"].tolist() == [False, False, False]
    assert table.published()["n"].tolist() == [None, 20, 30]
    assert table.has_suppressed


def test_table_rejects_a_mask_that_does_not_fit() -> None:
    frame = pd.DataFrame({"n": [1, 2]})
    with pytest.raises(ValueError, match="same index"):
        Table("T", frame, suppressed=pd.DataFrame({"n": [True]}))
    with pytest.raises(ValueError, match="unknown columns"):
        Table("T", frame, suppressed=pd.DataFrame({"m": [True, False]}))
    with pytest.raises(ValueError, match="missing values"):
        Table("T", frame, suppressed=pd.DataFrame({"n": [True, None]}))
    with pytest.raises(ValueError, match="unique"):
        Table("T", pd.DataFrame([[1, 2]], columns=["n", "n"]))
    with pytest.raises(ValueError, match="row_header"):
        Table("T", frame, row_header="x")


def test_labels_and_formats_may_be_a_shared_vocabulary() -> None:
    table = Table(
        "T", pd.DataFrame({"n": [1]}), labels={"n": "N", "other": "O"}, formats={"z": COUNT}
    )
    assert table.labels == {"n": "N"} and table.formats == {}
    assert table.label("n") == "N" and table.header_column == "n"


@given(st.lists(st.tuples(st.integers(0, 10_000), st.booleans()), min_size=1, max_size=30))
def test_published_data_never_hold_a_suppressed_value(cells: list[tuple[int, bool]]) -> None:
    values = [v for v, _ in cells]
    hidden = [h for _, h in cells]
    table = Table("T", pd.DataFrame({"n": values}), suppressed=pd.DataFrame({"n": hidden}))
    published = table.published()["n"].tolist()
    for value, hide, shown in zip(values, hidden, published, strict=True):
        assert (shown is None) if hide else (shown == value)


def test_number_format_and_section_and_report_check_their_fields() -> None:
    with pytest.raises(ValueError):
        NumberFormat("money")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        NumberFormat(decimals=9)
    with pytest.raises(ValueError, match="section id"):
        Section("Crime portrait", "x")
    with pytest.raises(TypeError):
        Section("s", "x", blocks=[42])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="language"):
        Report(title="T", lang="de", generated_at=date(2025, 1, 1))
    with pytest.raises(ValueError, match="unique"):
        Report(
            title="T", lang="fr", generated_at=date(2025, 1, 1), sections=[Section("a", "A")] * 2
        )
    with pytest.raises(ValueError, match="reserved"):
        Report(
            title="T", lang="fr", generated_at=date(2025, 1, 1), sections=[Section("sources", "S")]
        )


def test_method_note_splits_paragraphs_and_report_lists_its_tables() -> None:
    assert MethodNote("one\n\n  two \n\n\n").paragraphs == ["one", "two"]
    report = sample_report("fr")
    assert len(report.charts) == 4
    assert len(report.tables) == 5
    assert report.tables[1].title.startswith("Incidents, taux")
    assert all(isinstance(t.data, pd.DataFrame) for t in report.tables)
    assert np.isnan(float("nan"))
