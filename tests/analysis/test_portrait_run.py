"""`urbansafety portrait` end to end: the report's numbers, disclosure control, workbook, errors."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from urbansafety.analysis.portrait import Scope, portrait
from urbansafety.engine import open_engine
from urbansafety.errors import InputError
from urbansafety.portrait_run import parse_territory, parse_years, run_portrait
from urbansafety.report.model_table import COUNT
from urbansafety.report.portrait_sections import portrait_sections
from urbansafety.workspace import Workspace


class Sections(HTMLParser):
    """Collect section ids and table cells of a report."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.cells: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.ids += [v for k, v in attrs if k == "id" and v]
        self._in_cell = tag in ("td", "th")

    def handle_data(self, data: str) -> None:
        if self._in_cell and data.strip():
            self.cells.append(data.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._in_cell = False


@pytest.fixture(scope="module")
def borough_fr(demo_ws: Workspace, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("portrait")
    written = run_portrait(
        demo_ws,
        territory="borough:B1",
        years=None,
        compare="all",
        theme=None,
        categories=[],
        lang="fr",
        out=out,
    )
    return written.html, written.workbook


def test_report_has_every_section_and_the_right_numbers(
    demo_ws: Workspace, borough_fr: tuple[Path, Path]
) -> None:
    html, _ = borough_fr
    parser = Sections()
    parser.feed(html.read_text(encoding="utf-8"))
    for section in (
        "summary",
        "evolution",
        "groups",
        "categories",
        "times",
        "comparison",
        "ranking",
        "severity",
        "persons",
        "sites",
    ):
        assert section in parser.ids, section
    assert "confidentiality" in parser.ids
    with duckdb.connect(str(demo_ws.store_path), read_only=True) as con:
        yearly = con.sql(
            "SELECT year, count(*) n FROM incidents WHERE borough = 'B1' GROUP BY 1 ORDER BY 1"
        ).df()
    text = html.read_text(encoding="utf-8")
    for n in yearly["n"]:
        written = f"{n:,}".replace(",", "\u00a0")  # French thousands separator
        assert written in text or str(n) in text
    assert 'lang="fr-CA"' in text and "https://cdn" not in text


def test_no_published_count_is_small(demo_ws: Workspace) -> None:
    threshold = demo_ws.config.disclosure_threshold
    with open_engine(demo_ws) as e:
        p = portrait(
            e.table("incidents"),
            e.table("population"),
            e.table("territories"),
            Scope(layer="neighbourhood", code="Q02"),
            reference=Scope(),
        )
    for lang in ("fr", "en"):
        sections = portrait_sections(
            p, lang, threshold, territory_name="Q02", reference_name="Ville"
        )
        checked = 0
        for section in sections:
            for table in section.tables:
                published = table.published()
                for col, fmt in table.formats.items():
                    if fmt == COUNT and col not in ("population", "rank", "dwellings"):
                        values = pd.to_numeric(published[col], errors="coerce").dropna()
                        assert not ((values >= 1) & (values < threshold)).any(), (table.title, col)
                        checked += 1
        assert checked > 10


def test_workbook_has_every_table(borough_fr: tuple[Path, Path]) -> None:
    _, workbook = borough_fr
    book = openpyxl.load_workbook(workbook)
    assert len(book.sheetnames) >= 10
    values = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert "x" in values  # suppressed cells are written as x, never as their count


def test_theme_and_city_portrait_in_english(demo_ws: Workspace, tmp_path: Path) -> None:
    written = run_portrait(
        demo_ws,
        territory=None,
        years="2019-2023",
        compare=None,
        theme="armes",
        categories=[],
        lang="en",
        out=tmp_path,
    )
    text = written.html.read_text(encoding="utf-8")
    assert "Firearms and other weapons" in text and "2019–2023" in text and 'lang="en-CA"' in text


def test_bad_options_are_clear_errors(demo_ws: Workspace) -> None:
    assert parse_territory("borough:B1") == ("borough", "B1") and parse_territory("all") == (
        None,
        None,
    )
    assert parse_years("2018-2022") == (2018, 2022) and parse_years("2020") == (2020, 2020)
    with pytest.raises(InputError, match="LAYER:CODE"):
        parse_territory("B1")
    with pytest.raises(InputError, match="FIRST-LAST"):
        parse_years("2022-2018")
    with pytest.raises(InputError, match="No territory Z9"):
        run_portrait(
            demo_ws,
            territory="borough:Z9",
            years=None,
            compare=None,
            theme=None,
            categories=[],
            lang="en",
            out=None,
        )
    with pytest.raises(InputError, match="No territory layer"):
        run_portrait(
            demo_ws,
            territory="ward:1",
            years=None,
            compare=None,
            theme=None,
            categories=[],
            lang="en",
            out=None,
        )


def test_cli_portrait(demo_ws: Workspace, tmp_path: Path) -> None:
    from tests.test_cli import run

    result = run(
        "portrait",
        "--workspace",
        str(demo_ws.path),
        "--territory",
        "borough:B2",
        "--out",
        str(tmp_path),
        "--lang",
        "en",
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"Report: .*portrait_borough_B2_en\.html", result.stdout)
    bad = run("portrait", "--workspace", str(demo_ws.path), "--territory", "nope", "--lang", "fr")
    assert bad.returncode == 2 and "COUCHE:CODE" in bad.stderr
