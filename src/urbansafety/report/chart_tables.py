"""Tables of charts' data: a table with new data, some of its rows, or spread wide by series."""

from __future__ import annotations

import pandas as pd

from urbansafety.report.model_table import COUNT, NumberFormat, Table


def _replace_data(table: Table, data: pd.DataFrame) -> Table:
    return Table(
        title=table.title,
        data=data,
        labels=table.labels,
        formats=table.formats,
        suppressed=table.suppressed,
        note=table.note,
        row_header=table.row_header,
    )


def _take_rows(table: Table, rows: list[int]) -> Table:
    mask = table.mask().loc[rows] if table.suppressed is not None else None
    return Table(
        title=table.title,
        data=table.data.loc[rows],
        labels=table.labels,
        formats=table.formats,
        suppressed=mask,
        note=table.note,
        row_header=table.row_header,
    )


def _pivot(table: Table, index: str, columns: str, values: str) -> Table:
    """Return the table of a long frame spread wide: one row per index, one column per series."""
    rows = list(dict.fromkeys(table.data[index]))
    series = list(dict.fromkeys(table.data[columns]))
    headers = [str(s) for s in series]
    if index in headers or len(set(headers)) != len(headers):
        raise ValueError(f"table {table.title!r}: cannot spread {columns!r} into unique columns")
    keyed = table.data.set_index([index, columns])
    if not keyed.index.is_unique:
        raise ValueError(f"table {table.title!r}: several rows share one {index!r} × {columns!r}")
    wide = keyed[values].unstack(columns).reindex(index=rows, columns=series)
    hidden = table.mask().set_index(keyed.index)[values].unstack(columns)
    hidden = hidden.reindex(index=rows, columns=series).fillna(False).astype(bool)
    wide.columns = pd.Index(headers)
    hidden.columns = pd.Index(headers)
    data = wide.rename_axis(index=index, columns=None).reset_index()
    mask = hidden.reset_index(drop=True)
    fmt: NumberFormat = table.formats.get(values, COUNT)
    formats = {h: fmt for h in headers}
    if index in table.formats:
        formats[index] = table.formats[index]
    return Table(
        title=table.title,
        data=data,
        labels={index: table.label(index)},
        formats=formats,
        suppressed=mask,
        note=table.note,
        row_header=index,
    )
