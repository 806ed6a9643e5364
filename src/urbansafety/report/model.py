"""What a report is made of: tables, charts, maps, paragraphs in sections, with notes and sources.

A chapter (crime portrait, hot spots, survey) builds these objects from its analysis results;
`html.render_html` and `excel.write_workbook` render them. Text fields hold text already in the
report's language; only the renderers' own headings are translated. Tables (with their number
formats) are in `model_table`, maps in `model_map`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from urbansafety.i18n import LANGUAGES
from urbansafety.report.model_map import Map
from urbansafety.report.model_table import Table

_ID = re.compile(r"^[a-z][a-z0-9-]*$")
# Anchors the HTML report uses for itself.
RESERVED_IDS = frozenset({"main", "toc", "sources", "report-title"})


@dataclass(frozen=True, eq=False)
class Chart:
    """A Vega-Lite chart and the table of its data (every chart is published with its table).

    `description` is the text alternative read by screen readers (default: the title).
    """

    title: str
    spec: Mapping[str, Any]
    table: Table
    description: str = ""

    @property
    def alt_text(self) -> str:
        """Return the text alternative of the chart."""
        return self.description or self.title


Block = Table | Chart | Map | str


@dataclass(frozen=True)
class MethodNote:
    """How a section's figures were made: text, definitions, formulas, sources and references.

    `text` may hold several paragraphs separated by a blank line. `definitions` are
    (term, definition) pairs. `references` are full citations.
    """

    text: str = ""
    definitions: Sequence[tuple[str, str]] = ()
    formulas: Sequence[str] = ()
    sources: Sequence[str] = ()
    references: Sequence[str] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "definitions", tuple(tuple(d) for d in self.definitions))
        for name in ("formulas", "sources", "references"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def paragraphs(self) -> list[str]:
        """Return the text split into paragraphs."""
        return [p.strip() for p in re.split(r"\n\s*\n", self.text) if p.strip()]


@dataclass(frozen=True, eq=False)
class Section:
    """A chapter or part of one: a title, intro paragraphs, blocks and a method note.

    `id` is the section's anchor in the HTML report (lower case letters, digits and "-").
    Blocks are tables, charts, maps or paragraphs (str), shown in order.
    """

    id: str
    title: str
    intro: Sequence[str] = ()
    blocks: Sequence[Block] = ()
    method: MethodNote | None = None

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ValueError(f"section id {self.id!r}: use lower case letters, digits and '-'")
        object.__setattr__(self, "intro", tuple(self.intro))
        object.__setattr__(self, "blocks", tuple(self.blocks))
        for block in self.blocks:
            if not isinstance(block, Table | Chart | Map | str):
                raise TypeError(f"section {self.id!r}: a block is a Table, a Chart, a Map or a str")

    @property
    def tables(self) -> list[Table]:
        """Return every table of the section, charts' and maps' tables included, in order."""
        out = []
        for block in self.blocks:
            if isinstance(block, Table):
                out.append(block)
            elif isinstance(block, Chart | Map):
                out.append(block.table)
        return out


@dataclass(frozen=True)
class Source:
    """A data source or document cited by the report."""

    title: str
    publisher: str = ""
    url: str = ""
    note: str = ""


@dataclass(frozen=True, eq=False, kw_only=True)
class Report:
    """A whole report: its title page, sections in order, and the sources it cites.

    `generated_at` is given, not read from the clock, so a report can be rebuilt identically.
    """

    title: str
    lang: str
    generated_at: date | datetime
    subtitle: str = ""
    territory: str = ""
    period: str = ""
    sections: Sequence[Section] = ()
    sources: Sequence[Source] = ()

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            raise ValueError(f"report language must be one of {LANGUAGES}, not {self.lang!r}")
        object.__setattr__(self, "sections", tuple(self.sections))
        object.__setattr__(self, "sources", tuple(self.sources))
        ids = [s.id for s in self.sections]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"section ids must be unique; repeated: {duplicates}")
        reserved = sorted(set(ids) & RESERVED_IDS)
        if reserved:
            raise ValueError(f"section ids {reserved} are reserved by the HTML report")

    @property
    def tables(self) -> list[Table]:
        """Return every table of the report, charts' and maps' tables included, in order."""
        return [t for s in self.sections for t in s.tables]

    @property
    def charts(self) -> list[Chart]:
        """Return every chart of the report in order."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]

    @property
    def maps(self) -> list[Map]:
        """Return every map of the report in order."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Map)]
