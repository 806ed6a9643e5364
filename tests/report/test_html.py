"""The HTML report's structure: sections, tables, charts with their data, numbers, offline."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from tests.report.dom import Node, parse
from tests.report.sample import sample_report
from urbansafety.i18n import translator
from urbansafety.report import labels
from urbansafety.report.charts import line_chart
from urbansafety.report.html import VERSIONS, render_html, render_section
from urbansafety.report.model import Chart, MethodNote, Report, Section
from urbansafety.report.model_table import COUNT, Table

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "urbansafety" / "report" / "templates"
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return {lang: render_html(sample_report(lang)) for lang in ("fr", "en")}


@pytest.fixture(params=["fr", "en"])
def page(request: pytest.FixtureRequest, pages: dict[str, str]) -> tuple[str, str, Node]:
    lang = request.param
    root, doctype = parse(pages[lang])
    assert doctype.lower() == "doctype html"
    return lang, pages[lang], root


def cells(table: Node) -> list[list[str]]:
    return [
        [c.text().strip() for c in tr.children if isinstance(c, Node)]
        for tr in table.find("tbody").find_all("tr")
    ]


def test_document_has_language_title_skip_link_and_landmarks(page: tuple[str, str, Node]) -> None:
    lang, _html, root = page
    html = root.find("html")
    assert html.attrs["lang"] == {"fr": "fr-CA", "en": "en-CA"}[lang]
    assert root.find("title").text().startswith(sample_report(lang).title)
    body = root.find("body")
    first = next(c for c in body.children if isinstance(c, Node))
    assert first.tag == "a" and first.attrs["href"] == "#main" and "skip-link" in first.classes
    assert first.text() == translator(lang)(labels.SKIP_TO_CONTENT)
    assert root.find("main").attrs["id"] == "main"
    assert len(root.find_all("h1")) == 1
    meta = root.find("meta", charset="utf-8")
    assert meta.tag == "meta"


def test_table_of_contents_links_every_section_and_the_sources(page: tuple[str, str, Node]) -> None:
    lang, _html, root = page
    report = sample_report(lang)
    nav = root.find("nav", id="toc")
    assert nav.find("h2").text() == translator(lang)(labels.TABLE_OF_CONTENTS)
    links = [a.attrs["href"] for a in nav.find_all("a")]
    assert links == [f"#{s.id}" for s in report.sections] + ["#sources"]
    for section in report.sections:
        node = root.find("section", id=section.id)
        assert node.find("h2").text() == section.title
        assert node.attrs["aria-labelledby"] == node.find("h2").attrs["id"]


def test_page_needs_no_network(page: tuple[str, str, Node]) -> None:
    _lang, html, root = page
    assert root.find_all("link") == []
    for script in root.find_all("script"):
        assert "src" not in script.attrs
    for host in ("cdn.jsdelivr", "unpkg.com", "cdnjs", "googleapis", "cdn."):
        assert host not in html
    assert "@import" not in html and "url(http" not in html
    scripts = "".join(s.raw() for s in root.find_all("script") if "type" not in s.attrs)
    assert f'"{VERSIONS["vega"]}"' in scripts and f'"{VERSIONS["vega-lite"]}"' in scripts
    assert "vegaEmbed" in scripts and "sourceMappingURL" not in scripts


def test_every_chart_has_its_spec_and_its_data_table(page: tuple[str, str, Node]) -> None:
    lang, _html, root = page
    report = sample_report(lang)
    figures = root.find_all("figure", cls="chart")
    assert len(figures) == len(report.charts) == 4
    for figure, chart in zip(figures, report.charts, strict=True):
        assert figure.find("figcaption").text() == chart.title
        view = figure.find("div", cls="chart-view")
        spec_node = root.find("script", id=view.attrs["data-vega-spec"])
        assert spec_node.attrs["type"] == "application/json"
        spec = json.loads(spec_node.raw())
        assert spec["description"] == chart.alt_text
        assert spec["config"]["locale"]["number"]["decimal"] == ("," if lang == "fr" else ".")
        details = figure.find("details", cls="chart-data")
        assert details.find("summary").text() == translator(lang)(labels.CHART_DATA)
        table = details.find("table")
        assert table.find("caption").text() == chart.table.title
        assert len(cells(table)) == len(chart.table.data)


def test_tables_have_captions_and_scoped_headers(page: tuple[str, str, Node]) -> None:
    _lang, _html, root = page
    tables = root.find_all("table")
    assert len(tables) == 5
    for table in tables:
        caption = table.find("caption")
        assert caption.text().strip()
        region = next(n for n in root.iter() if table in n.children)
        assert region.attrs["role"] == "region"
        assert region.attrs["aria-labelledby"] == caption.attrs["id"]
        assert all(th.attrs.get("scope") == "col" for th in table.find("thead").find_all("th"))
        for tr in table.find("tbody").find_all("tr"):
            first = next(c for c in tr.children if isinstance(c, Node))
            assert first.tag == "th" and first.attrs["scope"] == "row"


def test_numbers_are_written_in_the_report_language(page: tuple[str, str, Node]) -> None:
    lang, _html, root = page
    summary = root.find("div", id="crime-portrait-table-1").find("table")
    rows = cells(summary)
    if lang == "fr":
        assert rows[1][1:] == [f"11{NBSP}987", "115,9", f"+0,8{NBSP}%", f"78,0{NBSP}%"]
        assert rows[0][3] == f"+8,6{NBSP}%"
    else:
        assert rows[1][1:] == ["11,987", "115.9", "+0.8%", "78.0%"]
        assert rows[0][3] == "+8.6%"
    # Years and hours are labels, never grouped like numbers.
    years = cells(root.find("div", id="crime-portrait-chart-1-data").find("table"))
    assert [r[0] for r in years] == ["2019", "2020", "2021", "2022", "2023", "2024"]


def test_suppressed_cells_show_x_a_footnote_and_never_the_value(
    page: tuple[str, str, Node],
) -> None:
    lang, html, root = page
    _ = translator(lang)
    block = root.find("div", id="places-and-times-chart-1-data")
    rows = cells(block.find("table"))
    hidden = [r for r in rows if r[0] == "Île-des-Sœurs"]
    assert hidden == [
        ["Île-des-Sœurs", "x" + _(labels.SUPPRESSED_CELL), "x" + _(labels.SUPPRESSED_CELL)]
    ]
    for td in block.find_all("td", cls="suppressed"):
        assert td.find("span").attrs["aria-hidden"] == "true"
    footnote = block.find("p", cls="footnote-suppressed")
    assert footnote.text().strip() == f"x {_(labels.SUPPRESSED_NOTE)}"
    assert block.find("p", cls="table-note").text()
    # The sample hides 3 incidents and a rate of 1.4: neither is in the page.
    spec = json.loads(root.find("script", id="places-and-times-chart-1-spec").raw())
    (data,) = spec["datasets"].values()
    row = next(r for r in data if r["neighbourhood"] == "Île-des-Sœurs")
    assert row["rate"] is None and row["suppressed_"] is True
    assert 1.4 not in [r["rate"] for r in data]
    assert set(row) == {"neighbourhood", "rate", "suppressed_"}
    # Tables without suppressed cells have no footnote.
    assert (
        root.find("div", id="crime-portrait-table-1").find_all("p", cls="footnote-suppressed") == []
    )
    assert html.count("footnote-suppressed") == 2  # the ranking and the heat map


def test_method_notes_sources_and_generation_date(page: tuple[str, str, Node]) -> None:
    lang, _html, root = page
    _ = translator(lang)
    report = sample_report(lang)
    note = root.find("section", id="crime-portrait-method")
    headings = [h.text() for h in note.find_all("h3") + note.find_all("h4")]
    assert headings == [
        _(labels.METHOD_NOTE),
        _(labels.DEFINITIONS),
        _(labels.FORMULAS),
        _(labels.SOURCES),
        _(labels.REFERENCES),
    ]
    method = report.sections[0].method
    assert method is not None
    assert [p.text() for p in note.find_all("p", cls=None) if "formula" not in p.classes] == [
        p.replace("1 000", f"1{NBSP}000") if lang == "fr" else p for p in method.paragraphs
    ]
    assert note.find("dt").text() in (
        method.definitions[0][0],
        method.definitions[0][0].replace("1 000", f"1{NBSP}000"),
    )
    assert "×" in note.find("p", cls="formula").text()
    assert len(note.find("ol", cls="references").find_all("li")) == 1
    sources = root.find("section", id="sources")
    assert sources.find("a").attrs["href"] == report.sources[0].url
    assert sources.find("cite").text() == report.sources[0].title
    time = root.find("header").find("time")
    assert time.attrs["datetime"] == "2025-03-01"
    assert time.text() == ("1er mars 2025" if lang == "fr" else "March 1, 2025")
    assert root.find("time").find_all("sup") == ([] if lang == "en" else [root.find("sup")])


def test_french_text_keeps_numbers_and_colons_on_one_line() -> None:
    table = Table(
        "Taux pour 1 000 habitants : 2024",
        pd.DataFrame({"a": ["« Centre »"], "n": [12]}),
        formats={"n": COUNT},
    )
    french = render_html(_one_table_report(table, "fr"))
    assert f"Taux pour 1{NBSP}000 habitants{NBSP}: 2024" in french
    assert f"«{NBSP}Centre{NBSP}»" in french
    english = render_html(_one_table_report(table, "en"))
    assert "Taux pour 1 000 habitants : 2024" in english


def test_text_is_escaped_and_specs_cannot_close_their_script() -> None:
    frame = pd.DataFrame({"year": [2023, 2024], "n": [5, 7]})
    table = Table("</script><b>x</b>", frame, labels={"n": "<i>n</i>"}, formats={"n": COUNT})
    chart = line_chart(table, x="year", y="n", lang="en")
    html = render_html(_one_table_report(chart, "en"))
    assert "<b>x</b>" not in html and "<i>n</i>" not in html
    root, _doctype = parse(html)
    spec = json.loads(root.find("script", id="s-chart-1-spec").raw())
    assert spec["encoding"]["y"]["title"] == "<i>n</i>"


def test_section_renders_alone_as_a_fragment() -> None:
    section = sample_report("en").sections[1]
    fragment = render_section(section, "en")
    assert "<html" not in fragment and "<script>" not in fragment
    root, _doctype = parse(fragment)
    assert root.find("section", id="places-and-times")
    assert len(root.find_all("figure", cls="chart")) == 2


def test_every_template_msgid_is_marked_for_the_catalog() -> None:
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""_\(\s*(["'])(.+?)\1\s*\)""", template.read_text()))
    msgids = {m for _quote, m in used}
    assert msgids, "no translated strings found in the templates"
    assert msgids <= labels.MESSAGES, sorted(msgids - labels.MESSAGES)


def test_reports_are_reproducible() -> None:
    assert render_html(sample_report("fr")) == render_html(sample_report("fr"))


def _one_table_report(block: Table | Chart, lang: str) -> Report:
    return Report(
        title="T",
        lang=lang,
        generated_at=date(2025, 1, 2),
        sections=[Section("s", "S", blocks=[block], method=MethodNote("m"))],
    )
