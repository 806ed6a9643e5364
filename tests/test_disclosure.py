"""Suppression of small counts (1 to threshold-1) and of the cells that would give them back."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from urbansafety import disclosure
from urbansafety.disclosure import (
    ExposedCell,
    SuppressedTable,
    audit,
    explanation,
    suppress_counts,
    suppress_long,
    suppress_rates,
    suppress_series,
    suppress_table,
)
from urbansafety.errors import DataQualityError, InputError
from urbansafety.suppression import small_count_mask


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


# --- Tables with totals: complementary suppression -------------------------------------------


def attack(table: SuppressedTable) -> dict[tuple[object, object], tuple[float, float]]:
    """Return the [min, max] an attacker can give each suppressed cell from what is published.

    Written apart from `audit`: every cell of the published table is a variable, published cells
    are fixed by equality, and each published total line is one more equation.
    """
    grid = table.values.to_numpy(dtype=float, na_value=np.nan)
    n_rows, n_cols = grid.shape
    n = grid.size
    equations, rhs = [], []
    for k, value in enumerate(grid.ravel()):
        if not np.isnan(value):
            row = np.zeros(n)
            row[k] = 1
            equations.append(row)
            rhs.append(value)
    index = np.arange(n).reshape(grid.shape)
    sums = []
    if table.row_total:
        sums += [(index[i, :-1], index[i, -1]) for i in range(n_rows)]
    if table.column_total:
        sums += [(index[:-1, j], index[-1, j]) for j in range(n_cols)]
    for parts, total in sums:
        row = np.zeros(n)
        row[parts] = 1
        row[total] = -1
        equations.append(row)
        rhs.append(0.0)
    found = {}
    for k in np.flatnonzero(np.isnan(grid.ravel())):
        bounds = []
        for sense in (1, -1):
            objective = np.zeros(n)
            objective[k] = sense
            res = linprog(objective, A_eq=np.array(equations), b_eq=rhs, bounds=(0, None))
            bounds.append(np.inf if res.status == 3 else sense * res.fun)
        found[(table.values.index[k // n_cols], table.values.columns[k % n_cols])] = (
            bounds[0],
            bounds[1],
        )
    return found


def grid_of(table: SuppressedTable) -> list[list[object]]:
    return [[None if pd.isna(v) else int(v) for v in row] for row in table.values.to_numpy()]


def test_one_small_cell_gets_the_cheapest_rectangle() -> None:
    counts = pd.DataFrame(
        [[2, 10, 20], [8, 15, 30], [12, 9, 40]], index=["A", "B", "C"], columns=[2021, 2022, 2023]
    )
    table = suppress_table(counts)
    # Rectangles through (A, 2021): 10 + 12 + 9 = 31 is cheaper than 10 + 8 + 15 = 33.
    assert grid_of(table) == [
        [None, None, 20, 32],
        [8, 15, 30, 53],
        [None, None, 40, 61],
        [22, 34, 90, 146],
    ]
    assert (table.primary, table.complementary, table.threshold) == (1, 3, 5)
    assert list(table.values.index) == ["A", "B", "C", "Total"]
    assert list(table.values.columns) == [2021, 2022, 2023, "Total"]
    assert str(table.values.dtypes.iloc[0]) == "Int64"
    assert table.suppressed.sum().sum() == 4
    assert audit(table) == []
    low, high = attack(table)[("A", 2021)]
    assert (low, high) == (0, 12)


def test_a_row_whose_other_cells_are_zeros_hides_its_total() -> None:
    counts = pd.DataFrame([[3, 0, 0], [7, 12, 9], [6, 20, 11]], index=["A", "B", "C"])
    table = suppress_table(counts)
    # The total of row A is 3 too (primary); the zeros stay published; column 0 and the
    # total column are closed by row B, the cheapest chain (7 + 28).
    assert grid_of(table) == [
        [None, 0, 0, None],
        [None, 12, 9, None],
        [6, 20, 11, 37],
        [16, 32, 20, 68],
    ]
    assert (table.primary, table.complementary) == (2, 2)
    assert audit(table) == []


def test_counts_equal_to_the_threshold_are_published() -> None:
    counts = pd.DataFrame([[5, 6], [7, 5]])
    table = suppress_table(counts, threshold=5)
    assert grid_of(table) == [[5, 6, 11], [7, 5, 12], [12, 11, 23]]
    assert (table.primary, table.complementary) == (0, 0)


def test_without_totals_only_small_counts_are_suppressed() -> None:
    table = suppress_table(pd.DataFrame([[2, 10], [8, 15]]), totals=False)
    assert grid_of(table) == [[None, 10], [8, 15]]
    assert (table.primary, table.complementary) == (1, 0)
    assert not (table.row_total or table.column_total)


def test_pinned_values_left_by_the_two_per_line_rule_are_caught() -> None:
    # Found by random search: two suppressed cells in every line, yet the zeros pinned a
    # complementary cell; the audit finds it and one more cell is suppressed.
    counts = pd.DataFrame(
        [[3, 9, 0, 2, 3], [0, 9, 4, 0, 2], [10, 5, 4, 7, 5], [6, 3, 9, 10, 1], [2, 6, 8, 9, 5]]
    )
    table = suppress_table(counts, threshold=3)
    assert audit(table) == []
    assert all(high - low >= 1 for low, high in attack(table).values())


def test_the_audit_reports_a_lone_suppressed_cell_as_exposed() -> None:
    published = pd.DataFrame(
        {"x": [pd.NA, 10, 12], "y": [7, 6, 13], "Total": [9, 16, 25]},
        index=["A", "B", "Total"],
        dtype="Int64",
    )
    unsafe = SuppressedTable(
        values=published,
        suppressed=published.isna(),
        primary=1,
        complementary=0,
        threshold=5,
    )
    assert audit(unsafe) == [ExposedCell(row="A", column="x", low=2.0, high=2.0)]
    assert attack(unsafe) == {("A", "x"): (2.0, 2.0)}


def test_the_audit_accepts_a_rectangle_and_a_suppressed_total() -> None:
    published = pd.DataFrame(
        {"x": [pd.NA, pd.NA, 13], "y": [pd.NA, pd.NA, 13], "Total": [9, 17, 26]},
        index=["A", "B", "Total"],
        dtype="Int64",
    )
    rectangle = SuppressedTable(published, published.isna(), 1, 3, 5)
    assert audit(rectangle) == []
    only_total = published.copy()
    only_total.loc["A", ["y", "Total"]] = pd.NA
    only_total.loc["B", ["x", "y"]] = [10, 7]
    # x + y = total in row A, but column x still gives x = 13 - 10.
    exposed = audit(SuppressedTable(only_total, only_total.isna(), 1, 2, 5))
    assert [(c.row, c.column) for c in exposed] == [("A", "x"), ("A", "y"), ("A", "Total")]


def test_bad_counts_and_a_clashing_total_label_are_errors_for_people() -> None:
    with pytest.raises(DataQualityError, match="whole numbers"):
        suppress_table(pd.DataFrame({"2021": [3, -1]}))
    with pytest.raises(DataQualityError, match=r"2\.5 in 2021"):
        suppress_table(pd.DataFrame({"2021": [3, 2.5]}))
    with pytest.raises(DataQualityError):
        suppress_table(pd.DataFrame({"2021": [3, None]}))
    with pytest.raises(InputError, match="Total is already"):
        suppress_table(pd.DataFrame({"n": [3, 4]}, index=["A", "Total"]))


tables = st.integers(1, 6).flatmap(
    lambda n_cols: st.lists(
        st.lists(
            st.one_of(st.integers(0, 6), st.integers(0, 40)), min_size=n_cols, max_size=n_cols
        ),
        min_size=1,
        max_size=6,
    )
)


@settings(max_examples=150, deadline=None)
@given(tables, st.integers(2, 6))
def test_suppressed_tables_cannot_be_undone(rows: list[list[int]], threshold: int) -> None:
    counts = pd.DataFrame(rows)
    table = suppress_table(counts, threshold)
    shown = table.values.to_numpy(dtype=float, na_value=np.nan)
    shown = shown[~np.isnan(shown)]
    assert not small_count_mask(shown, threshold).any()
    assert audit(table) == []
    assert all(high - low >= 1 - 1e-6 for low, high in attack(table).values())
    full = counts.copy()
    full["Total"] = counts.sum(axis=1)
    full.loc["Total"] = full.sum(axis=0)
    published = ~table.suppressed.to_numpy()
    assert (
        table.values.to_numpy(dtype=float, na_value=0)[published] == full.to_numpy()[published]
    ).all()
    assert table.suppressed.sum().sum() == table.primary + table.complementary
    assert table.primary == small_count_mask(full.to_numpy(), threshold).sum()
    rates = full / 7.0
    hidden = suppress_rates(rates, table)
    assert (hidden.isna().to_numpy() == table.suppressed.to_numpy()).all()
    inner = suppress_rates(rates.iloc[:-1, :-1], table)
    assert (inner.isna().to_numpy() == table.suppressed.iloc[:-1, :-1].to_numpy()).all()


@settings(max_examples=100, deadline=None)
@given(tables, st.integers(2, 6), st.data())
def test_the_audit_agrees_with_an_independent_attack(
    rows: list[list[int]], threshold: int, data: st.DataObject
) -> None:
    # Publishing one suppressed cell again often makes the table unsafe: both must say where.
    table = suppress_table(pd.DataFrame(rows), threshold)
    hidden = list(zip(*np.nonzero(table.suppressed.to_numpy()), strict=True))
    suppressed = table.suppressed.copy()
    if hidden:
        i, j = data.draw(st.sampled_from(hidden))
        suppressed.iat[i, j] = False
    full = pd.DataFrame(rows)
    full[len(full.columns)] = full.sum(axis=1)
    full.loc[len(full)] = full.sum(axis=0)
    values = pd.DataFrame(
        full.to_numpy(), index=table.values.index, columns=table.values.columns, dtype="Int64"
    ).mask(suppressed)
    revealed = SuppressedTable(values, suppressed, table.primary, table.complementary, threshold)
    found = {(c.row, c.column) for c in audit(revealed)}
    assert found == {
        cell for cell, (low, high) in attack(revealed).items() if high - low < 1 - 1e-6
    }


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(st.integers(0, 6), st.integers(0, 40)), min_size=1, max_size=8),
    st.integers(2, 6),
)
def test_suppressed_breakdowns_cannot_be_undone(values: list[int], threshold: int) -> None:
    table = suppress_series(pd.Series(values, name="n"), threshold)
    column = table.values["n"]
    assert not small_count_mask(column.dropna(), threshold).any()
    assert int(column.isna().sum()) != 1
    assert audit(table) == [] and all(h - lo >= 1 for lo, h in attack(table).values())
    if not table.suppressed.loc["Total", "n"]:
        assert column["Total"] == sum(values)


def test_a_breakdown_hides_the_next_smallest_count() -> None:
    table = suppress_series(pd.Series([3, 0, 12, 30, 7], index=list("abcde"), name="n"))
    assert table.values["n"].tolist()[:-1] == [pd.NA, 0, 12, 30, pd.NA]
    assert table.values.loc["Total", "n"] == 52
    assert (table.primary, table.complementary, table.row_total) == (1, 1, False)
    alone = suppress_series(pd.Series([3, 0, 0]), total=True)
    # The total equals the small count, so it is a small count too.
    assert alone.values["count"].isna().tolist() == [True, False, False, True]
    assert suppress_series(pd.Series([3, 0]), total=False).complementary == 0


def test_long_tables_are_suppressed_table_by_table_and_keep_their_labels() -> None:
    frame = pd.DataFrame(
        {
            "category": ["theft"] * 6 + ["assault"] * 5,
            "territory": ["B1", "B1", "B1", "B2", "B2", "B2", "B1", "B1", "B1", "B2", "B2"],
            "name": [
                "Nord",
                "Nord",
                "Nord",
                "Sud",
                "Sud",
                "Sud",
                "Nord",
                "Nord",
                "Nord",
                "Sud",
                "Sud",
            ],
            "year": [2021, 2022, 2023] * 3 + [2021, 2022],
            "n": [2, 10, 20, 8, 15, 30, 12, 9, 40, 7, 6],
        }
    )
    out = suppress_long(frame, "n", "territory", "year", by=["category"])
    assert list(out.columns) == ["category", "territory", "name", "year", "n", "suppressed"]
    assert len(out) == 2 * 3 * 4  # each category: 2 territories + Total, 3 years + Total
    theft = out[out["category"] == "theft"].set_index(["territory", "year"])
    expected = suppress_table(
        frame[frame["category"] == "theft"].pivot(index="territory", columns="year", values="n")
    )
    for (territory, year), row in theft.iterrows():
        assert row["suppressed"] == expected.suppressed.loc[territory, year]
        assert pd.isna(row["n"]) == pd.isna(expected.values.loc[territory, year])
    assert theft.loc[("B2", "Total"), "name"] == "Sud" and pd.isna(
        theft.loc[("Total", 2021), "name"]
    )
    assault = out[out["category"] == "assault"].set_index(["territory", "year"])
    assert assault.loc[("B2", 2023), "n"] == 0  # missing combination: a true zero
    with pytest.raises(InputError, match="category"):
        suppress_long(frame, "n", "territory", "year")
    with pytest.raises(InputError, match="More than one row"):
        suppress_long(pd.concat([frame, frame]), "n", "territory", "year", by=["category"])


def test_explanation_names_the_threshold_and_both_kinds_of_cells() -> None:
    table = suppress_table(pd.DataFrame([[2, 10, 20], [8, 15, 30], [12, 9, 40]]))
    assert explanation(table, "en") == (
        "Counts from 1 to 4 are suppressed (cells suppressed: 1), as are other cells so that"
        " they cannot be recovered from the totals (complementary cells: 3)."
    )
    plain = suppress_table(pd.DataFrame([[2, 10]]), threshold=3, totals=False)
    assert explanation(plain, "en") == "Counts from 1 to 2 are suppressed (cells suppressed: 1)."
    assert explanation(suppress_table(pd.DataFrame([[2]]), threshold=1), "en") == (
        "No count is suppressed."
    )


def test_explanation_in_french() -> None:
    table = suppress_table(pd.DataFrame([[2, 10, 20], [8, 15, 30], [12, 9, 40]]))
    assert explanation(table, "fr") == (
        "Les effectifs de 1 à 4 sont masqués (cellules masquées : 1), ainsi que d'autres cellules"
        " pour qu'on ne puisse pas les retrouver à partir des totaux (cellules complémentaires : 3)."
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.sampled_from(["hot", "cold", "ns", "new"])),
        min_size=1,
        max_size=40,
    )
)
def test_grouped_units_never_give_a_suppressed_count_back(units: list[tuple[int, str]]) -> None:
    counts = np.array([c for c, _ in units])
    groups = np.array([g for _, g in units], dtype=object)
    pub = disclosure.suppress_groups(counts, groups, 5)
    small = (counts >= 1) & (counts < 5)
    assert pub.unit_suppressed[small].all()
    assert disclosure.audit_groups(pub) == []
    # Class totals are the sums of their units, suppressed when small.
    for g, label in enumerate(pub.groups):
        total = counts[groups == label].sum()
        assert pub.group_totals[g] == total
        if 1 <= total < 5:
            assert pub.group_suppressed[g]
    assert pub.total == counts.sum()


def test_a_lone_small_cell_in_a_class_gets_a_partner() -> None:
    pub = disclosure.suppress_groups(
        np.array([3, 20, 30, 40, 50]), np.array(["hot", "hot", "ns", "ns", "ns"]), 5
    )
    # 3 alone in "hot" would be hot total − 20: 20 is suppressed too (or the class total).
    assert pub.unit_suppressed[0]
    assert pub.unit_suppressed[1] or pub.group_suppressed[0]
    assert disclosure.audit_groups(pub) == []
