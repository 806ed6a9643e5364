"""A published table: its data, column labels, number formats and suppressed cells."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class NumberFormat:
    """How the numbers of a column are written.

    kind "number" writes the value; kind "percent" writes a proportion (0.161) as a percentage
    (16,1 % in French, 16.1% in English). signed adds "+" to positive values (changes).
    """

    kind: Literal["number", "percent"] = "number"
    decimals: int = 0
    signed: bool = False

    def __post_init__(self) -> None:
        if self.kind not in ("number", "percent"):
            raise ValueError(f"unknown number format kind: {self.kind!r}")
        if not 0 <= self.decimals <= 6:
            raise ValueError(f"decimals must be between 0 and 6, not {self.decimals}")


COUNT = NumberFormat()
RATE = NumberFormat(decimals=1)
SHARE = NumberFormat("percent", 1)
CHANGE = NumberFormat("percent", 1, signed=True)


@dataclass(frozen=True, eq=False)
class Table:
    """A published table: data, column labels, number formats and the cells suppressed.

    `labels` and `formats` may name more columns than the table has (a chapter's shared
    vocabulary); a column with no format is a label column (years, names, codes).
    `suppressed` is a boolean frame with the same index as `data` and any of its columns;
    a True cell is shown as "x" with a footnote, and its value never leaves the table
    (see `published`). `row_header` names the column whose cells head the rows (default:
    the first column).
    """

    title: str
    data: pd.DataFrame
    labels: Mapping[str, str] = field(default_factory=dict)
    formats: Mapping[str, NumberFormat] = field(default_factory=dict)
    suppressed: pd.DataFrame | None = None
    note: str = ""
    row_header: str | None = None

    def __post_init__(self) -> None:
        if self.suppressed is not None:
            object.__setattr__(self, "suppressed", self._align(self.suppressed))
        data = self.data.reset_index(drop=True)
        columns = [str(c) for c in data.columns]
        if len(set(columns)) != len(columns):
            raise ValueError(f"table {self.title!r}: column names must be unique")
        data.columns = pd.Index(columns)
        object.__setattr__(self, "data", data)
        # A chapter may share one vocabulary of labels and formats among its tables.
        object.__setattr__(self, "labels", {k: v for k, v in self.labels.items() if k in columns})
        object.__setattr__(self, "formats", {k: v for k, v in self.formats.items() if k in columns})
        if self.row_header is not None and self.row_header not in columns:
            raise ValueError(f"table {self.title!r}: row_header {self.row_header!r} is no column")
        if self.suppressed is not None:
            object.__setattr__(self, "suppressed", self._check_suppressed(self.suppressed))

    def _align(self, mask: pd.DataFrame) -> pd.DataFrame:
        """Return the mask in the order of the data's rows (matched on index labels)."""
        index = self.data.index
        if len(mask) != len(index) or not index.is_unique or set(mask.index) != set(index):
            raise ValueError(
                f"table {self.title!r}: suppressed must have the same index as data "
                f"({len(mask)} rows for {len(index)})"
            )
        return mask.reindex(index)

    def _check_suppressed(self, mask: pd.DataFrame) -> pd.DataFrame:
        mask = mask.reset_index(drop=True)
        mask.columns = pd.Index([str(c) for c in mask.columns])
        unknown = sorted(set(mask.columns) - set(self.data.columns))
        if unknown:
            raise ValueError(f"table {self.title!r}: suppressed names unknown columns {unknown}")
        full = pd.DataFrame(False, index=self.data.index, columns=self.data.columns)
        for col in mask.columns:
            values = mask[col]
            if values.isna().any():
                raise ValueError(f"table {self.title!r}: suppressed[{col!r}] has missing values")
            full[col] = values.astype(bool).to_numpy()
        return full

    @property
    def columns(self) -> list[str]:
        """Return the column names in display order."""
        return list(self.data.columns)

    @property
    def header_column(self) -> str:
        """Return the column whose cells head the rows."""
        return self.row_header if self.row_header is not None else self.columns[0]

    def label(self, column: str) -> str:
        """Return the label of a column (its name when no label was given)."""
        return self.labels.get(column, column)

    def mask(self) -> pd.DataFrame:
        """Return the boolean frame of suppressed cells, one column per data column."""
        if self.suppressed is None:
            return pd.DataFrame(False, index=self.data.index, columns=self.data.columns)
        return self.suppressed

    @property
    def has_suppressed(self) -> bool:
        """Return whether any cell is suppressed."""
        return bool(self.mask().to_numpy().any())

    def published(self) -> pd.DataFrame:
        """Return the data with every suppressed cell replaced by a missing value."""
        out = self.data.copy()
        mask = self.mask()
        for col in out.columns:
            hide = mask[col].to_numpy()
            if hide.any():
                out[col] = out[col].astype(object).where(~hide, None)
        return out


def is_missing(value: object) -> bool:
    """Return whether a cell value is missing (None, NaN, NaT or pd.NA)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and bool(np.isnan(value))
