"""CSI weights: the weights by violation code that the Crime Severity Index applies, and their file.

The full table of weights by UCR2 violation code is not published openly, so this module ships
no weights: the user loads a weights file with :func:`load_weights`. The package holds
``taxonomy/csi_weights_example.csv`` (:func:`example_weights`), an *example subset* of the 2009
"Table 1 Examples of weights", which cannot give an official CSI (see ``taxonomy/SOURCES.md``).

Weights file (CSV, UTF-8 or Windows-1252, ``,`` or ``;`` separated; row 1 = header)
----------------------------------------------------------------------------------
``violation_code``  4-digit UCR2 code, e.g. ``1610`` (one row per code)
``weight``          number ≥ 0 (``583``; decimal comma allowed in a ``;`` file)
``violent``         ``true`` or ``false``: counted in the violent CSI or the non-violent CSI
``source``          where the weights come from; the same text on every row
``weights_year``    year of the set of weights, e.g. ``2021``; the same on every row
``label``           optional: the violation's name
``complete``        optional, ``true`` or ``false`` (default): ``true`` only for a full set of
                    official weights; the same on every row

The metadata are columns repeated on every row (not a comment line) so the file opens, sorts and
saves in a spreadsheet without losing them.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import as_file, files
from pathlib import Path
from types import MappingProxyType

from urbansafety.errors import InputError, Where
from urbansafety.i18n import N_

EXAMPLE_FILE = "csi_weights_example.csv"
REQUIRED = ("violation_code", "weight", "violent", "source", "weights_year")
CODE = re.compile(r"^\d{4}$")
BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class CsiWeights:
    """Weights by 4-digit violation code, violent flags and where they come from."""

    weights: Mapping[str, float]
    violent: Mapping[str, bool]
    source: str
    year: int
    complete: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if set(self.weights) != set(self.violent):
            raise ValueError("weights and violent must have the same violation codes")
        for code, weight in self.weights.items():
            if not CODE.match(code) or not math.isfinite(weight) or weight < 0:
                raise ValueError(f"bad weight {weight!r} for code {code!r}")
        for name in ("weights", "violent", "labels"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))


def _bad(message: str, hint: str, where: Where, **params: object) -> InputError:
    return InputError(message, hint=hint, where=where, params=params)


def _text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError) as exc:
        raise InputError(N_("File not found."), where=Where(file=str(path))) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page.
        return data.decode("cp1252", errors="replace")


def _same(rows: list[tuple[int, str]], column: str, file: str) -> str:
    first = rows[0][1]
    for row, value in rows:
        if value != first:
            raise _bad(
                N_("%(column)s must be the same on every row: %(value)r differs from %(first)r."),
                N_("One weights file holds one set of weights; put other sets in other files."),
                Where(file, row, column),
                column=column,
                value=value,
                first=first,
            )
    return first


def _boolean(value: str, column: str, where: Where) -> bool:
    key = value.strip().lower()
    if key not in BOOLEANS:
        raise _bad(
            N_("%(column)s must be true or false, not %(value)r."),
            N_("Write true or false."),
            where,
            column=column,
            value=value,
        )
    return BOOLEANS[key]


def load_weights(path: str | Path) -> CsiWeights:
    """Return the weights read from a weights CSV file (format in the module docstring).

    Raises
    ------
    InputError
        File missing or empty; a required column missing; a code not 4 digits or repeated; a
        weight not a number ≥ 0; ``violent`` or ``complete`` not true/false; ``source`` or
        ``weights_year`` empty, not a year or not the same on every row. ``where`` names the
        file, row (1 = header) and column.
    """
    path = Path(path)
    file = str(path)
    text = _text(path)
    header_line = text.split("\n", 1)[0]
    semicolon = ";" in header_line and "," not in header_line
    reader = csv.reader(io.StringIO(text), delimiter=";" if semicolon else ",")
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(
            N_("Missing columns: %(missing)s. Found: %(found)s."),
            hint=N_("A weights file has the columns %(required)s, and optionally label, complete."),
            where=Where(file=file, row=1),
            params={
                "missing": ", ".join(missing),
                "found": ", ".join(header),
                "required": ", ".join(REQUIRED),
            },
        )
    col = {name: header.index(name) for name in (*REQUIRED, "label", "complete") if name in header}
    weights: dict[str, float] = {}
    violent: dict[str, bool] = {}
    labels: dict[str, str] = {}
    first_row: dict[str, int] = {}
    meta: dict[str, list[tuple[int, str]]] = {"source": [], "weights_year": [], "complete": []}
    for row, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        cells = {name: (record[i].strip() if i < len(record) else "") for name, i in col.items()}
        code = cells["violation_code"]
        if not CODE.match(code):
            raise _bad(
                N_("Violation code %(value)r is not 4 digits."),
                N_("UCR2 violation codes have 4 digits, such as 1610."),
                Where(file, row, "violation_code"),
                value=code,
            )
        if code in first_row:
            raise _bad(
                N_("Violation code %(code)s appears twice (first on row %(first_row)s)."),
                N_("Keep one row per violation code."),
                Where(file, row, "violation_code"),
                code=code,
                first_row=first_row[code],
            )
        raw = cells["weight"]
        try:
            weight = float(raw.replace(",", ".") if semicolon else raw)
        except ValueError:
            weight = math.nan
        if not math.isfinite(weight) or weight < 0:
            raise _bad(
                N_("Weight %(value)r is not a number ≥ 0."),
                N_(
                    "Write the weight as a plain number, such as 583, without a thousands separator."
                ),
                Where(file, row, "weight"),
                value=raw,
            )
        violent[code] = _boolean(cells["violent"], "violent", Where(file, row, "violent"))
        weights[code], first_row[code] = weight, row
        if cells.get("label"):
            labels[code] = cells["label"]
        for name in meta:
            if name in cells:
                meta[name].append((row, cells[name]))
    if not weights:
        raise _bad(
            N_("The weights file has no rows."),
            N_("Add one row per violation code under the header."),
            Where(file),
        )
    source = _same(meta["source"], "source", file)
    if not source:
        raise _bad(
            N_("%(column)s is empty."),
            N_("Say where the weights come from, such as the file Statistics Canada sent."),
            Where(file, meta["source"][0][0], "source"),
            column="source",
        )
    year = _same(meta["weights_year"], "weights_year", file)
    if not re.match(r"^\d{4}$", year):
        raise _bad(
            N_("weights_year %(value)r is not a year."),
            N_("Write the year of the set of weights, such as 2021."),
            Where(file, meta["weights_year"][0][0], "weights_year"),
            value=year,
        )
    complete = False
    if meta["complete"]:
        flag = _same(meta["complete"], "complete", file)
        complete = _boolean(flag, "complete", Where(file, meta["complete"][0][0], "complete"))
    return CsiWeights(weights, violent, source, int(year), complete, labels)


def example_weights() -> CsiWeights:
    """Return the shipped example subset of the 2009 Table 1 weights (``complete`` is False)."""
    with as_file(files("urbansafety.taxonomy") / EXAMPLE_FILE) as path:
        return load_weights(path)
