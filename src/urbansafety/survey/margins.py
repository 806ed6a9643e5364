"""Margins for weighting: parsing target margins, encoding answers into cells, empty-cell checks.

A margin maps one column (or a tuple of columns, crossed) to each category's population target.
:func:`_parse_margin` checks it against the sample and codes each respondent's category;
:func:`_check_cells` refuses a category with a target and no respondent, naming the neighbour it
could be merged with; :func:`_cells` groups respondents by their combination of categories.
Used by ``weighting.py`` (raking and post-stratification).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from urbansafety.errors import InputError, UrbanSafetyError
from urbansafety.i18n import N_

MarginKey = str | tuple[str, ...]
Margins = Mapping[MarginKey, Mapping[Any, float] | pd.Series]
_UNKNOWN = -2


@dataclass(frozen=True, eq=False)
class _Margin:
    name: str
    columns: tuple[str, ...]
    labels: list[Any]
    codes: np.ndarray  # category of each respondent; len(labels) = no answer
    targets: np.ndarray
    missing: int


def _fail(cls: type[UrbanSafetyError], message: str, hint: str, **params: Any) -> None:
    raise cls(message, hint=hint, params=params)


def _label(value: Any) -> str:
    return " × ".join(map(str, value)) if isinstance(value, tuple) else str(value)


def _encode(column: pd.Series, labels: list[Any]) -> np.ndarray:
    """Return each answer's index in labels: -1 for no answer, _UNKNOWN for other answers."""
    values = column.array
    if hasattr(values, "__arrow_array__") and all(isinstance(v, str) for v in labels):
        # Arrow-backed text (pandas' default): look answers up in the labels without
        # factorizing them first, which is the slowest step for a million answers.
        data = pa.chunked_array(values.__arrow_array__())
        if pa.types.is_string(data.type) or pa.types.is_large_string(data.type):
            found = pc.index_in(data, value_set=pa.array(labels, type=data.type))
            codes = pc.fill_null(found, _UNKNOWN).to_numpy()
            if found.null_count:
                codes = np.where(pc.is_null(data).to_numpy(), -1, codes)
            return codes.astype(np.int32, copy=False)
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, uniques = column.cat.codes.to_numpy(), list(column.cat.categories)
    else:
        codes, uniques = pd.factorize(column)
    index = {label: i for i, label in enumerate(labels)}
    lut = np.array([index.get(u, _UNKNOWN) for u in uniques] + [-1], dtype=np.int32)
    return lut[codes]


def _parse_margin(frame: pd.DataFrame, key: MarginKey, spec: Any, missing: str) -> _Margin:
    columns = (key,) if isinstance(key, str) else tuple(key)
    name = " × ".join(columns)
    table = spec.to_dict() if isinstance(spec, pd.Series) else dict(spec)
    if not table:
        _fail(InputError, N_("Margin %(margin)s has no categories."), "", margin=name)
    for cell, value in table.items():
        joint = len(columns) == 1 or (isinstance(cell, tuple) and len(cell) == len(columns))
        number = isinstance(value, int | float | np.number) and bool(np.isfinite(value))
        if not (joint and number and value >= 0):
            hint = N_("Give a population count per category (tuples for joint margins).")
            _fail(
                InputError,
                N_("Margin %(margin)s: the target of %(cell)s is not a population count."),
                hint,
                margin=name,
                cell=_label(cell),
            )
    for col in columns:
        if col not in frame.columns:
            hint = N_("Columns are: %(columns)s.")
            columns_list = ", ".join(map(str, frame.columns))
            _fail(
                InputError,
                N_("The survey data has no column %(column)s."),
                hint,
                column=col,
                columns=columns_list,
            )
    labels = list(table)
    if len(columns) == 1:
        codes = _encode(frame[columns[0]], labels)
    else:
        levels = [list(dict.fromkeys(label[j] for label in labels)) for j in range(len(columns))]
        parts = [_encode(frame[c], lv) for c, lv in zip(columns, levels, strict=True)]
        lookup = np.full([len(lv) for lv in levels], _UNKNOWN, dtype=np.int32)
        for i, label in enumerate(labels):
            lookup[tuple(lv.index(v) for lv, v in zip(levels, label, strict=True))] = i
        stacked = np.stack(parts)
        codes = lookup[tuple(np.maximum(stacked, 0))]
        codes[(stacked == _UNKNOWN).any(axis=0)] = _UNKNOWN
        codes[(stacked == -1).any(axis=0)] = -1
    unknown = np.flatnonzero(codes == _UNKNOWN)
    if len(unknown):
        value = _label(tuple(frame[list(columns)].iloc[int(unknown[0])]))
        message = N_("Margin %(margin)s: %(count)s answers are %(value)s, a category it lacks.")
        hint = N_("Add that category to the margin, recode the answers, or mark them missing.")
        _fail(InputError, message, hint, margin=name, count=len(unknown), value=value)
    absent = codes == -1
    n_missing = int(absent.sum())
    if n_missing and missing != "cell":
        hint = N_("Pass missing='cell' to give them a cell of their own, or impute the answers.")
        message = N_("Margin %(margin)s: %(count)s respondents did not answer.")
        _fail(InputError, message, hint, margin=name, count=n_missing)
    codes = np.where(absent, len(labels), codes)
    targets = np.array([float(table[label]) for label in labels])
    return _Margin(name, columns, labels, codes, targets, n_missing)


def _check_cells(margin: _Margin, counts: np.ndarray) -> None:
    """Refuse categories that no respondent can carry, or that the population lacks."""
    k, name, labels = len(margin.labels), margin.name, margin.labels
    for i in np.flatnonzero((counts[:k] == 0) & (margin.targets > 0)):
        near = _neighbour(margin, int(i), counts)
        message = N_("Margin %(margin)s: no respondent is in %(cell)s (population %(target)s).")
        hint = N_("Merge %(cell)s with %(neighbour)s in the margin and the answers, or drop it.")
        if near is None:
            hint = N_("Merge %(cell)s with another category, or drop that margin.")
        _fail(
            InputError,
            message,
            hint,
            margin=name,
            cell=_label(labels[i]),
            target=margin.targets[i],
            neighbour=near,
        )
    for i in np.flatnonzero((counts[:k] > 0) & (margin.targets == 0)):
        message = N_(
            "Margin %(margin)s: %(count)s respondents are in %(cell)s, whose population is 0."
        )
        hint = N_("Check the coding of that category, or leave those respondents out.")
        _fail(InputError, message, hint, margin=name, count=int(counts[i]), cell=_label(labels[i]))


def _neighbour(margin: _Margin, i: int, counts: np.ndarray) -> str | None:
    """Return the adjacent category (along one column) with respondents, the fewest of them."""
    labels = margin.labels
    if len(margin.columns) == 1:
        near = [j for j in (i - 1, i + 1) if 0 <= j < len(labels)]
    else:
        index = {label: j for j, label in enumerate(labels)}
        near = []
        for pos in range(len(margin.columns)):
            values = list(dict.fromkeys(label[pos] for label in labels))
            at = values.index(labels[i][pos])
            for q in (at - 1, at + 1):
                other = (
                    (*labels[i][:pos], values[q], *labels[i][pos + 1 :])
                    if 0 <= q < len(values)
                    else None
                )
                if other in index:
                    near.append(index[other])
    near = [j for j in near if counts[j] > 0]
    return _label(labels[min(near, key=lambda j: counts[j])]) if near else None


def _cells(codes: list[np.ndarray], sizes: list[int]) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Return each respondent's cell (combination of categories) and each cell's categories."""
    span = int(np.prod(sizes, dtype=float))
    if span <= max(4 * len(codes[0]), 1 << 16):
        kind = np.int32 if span < 2**31 else np.int64
        key = codes[0].astype(kind)
        for c, size in zip(codes[1:], sizes[1:], strict=True):
            key = key * size + c
        present = np.flatnonzero(np.bincount(key, minlength=span))
        remap = np.zeros(span, dtype=kind)
        remap[present] = np.arange(len(present), dtype=kind)
        return remap[key], tuple(np.asarray(c) for c in np.unravel_index(present, sizes))
    frame = pd.DataFrame({str(k): c for k, c in enumerate(codes)})
    cells, uniques = pd.factorize(pd.MultiIndex.from_frame(frame))
    return cells, tuple(np.asarray(uniques.get_level_values(k)) for k in range(len(codes)))
