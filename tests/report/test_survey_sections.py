"""The survey chapter: its sections, tables and numbers, the publication rules, and what a reader
sees in Chromium (charts with intervals, the neighbourhood map, French typography)."""

from __future__ import annotations

import re
import time
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

from tests.conftest import ARTIFACTS
from tests.survey.campaign import copy_city, shared_city
from urbansafety.report.html import render_html
from urbansafety.report.model import Chart
from urbansafety.report.model_map import Map
from urbansafety.report.model_table import Table
from urbansafety.report.survey_sections import survey_report
from urbansafety.report.survey_tables import NOT_PUBLISHED, indicator_label
from urbansafety.survey.analysis_run import analyse_survey, survey_areas

SECTIONS = ["survey-method", "survey-indicators", "survey-by-gender", "survey-by-age-group",
            "survey-by-neighbourhood", "survey-map", "survey-crosstabs", "survey-compare",
            "survey-definitions"]  # fmt: skip


@pytest.fixture(scope="module")
def city(tmp_path_factory):  # type: ignore[no-untyped-def]
    ws = copy_city(shared_city(tmp_path_factory), tmp_path_factory.mktemp("sections") / "ws")
    areas = survey_areas(ws, "neighbourhood")
    return ws, areas, analyse_survey(ws, "safety", compare="wave1")


@pytest.fixture(scope="module")
def strict(city):  # type: ignore[no-untyped-def]
    """The same survey under high thresholds: many estimates flagged or not published."""
    ws, _areas, _a = city
    return analyse_survey(ws, "safety", min_n=100, floor=60)


def report(city, lang: str, analysis=None):  # type: ignore[no-untyped-def]
    _ws, areas, a = city
    return survey_report(analysis or a, lang, territory="Valbrume", areas=areas)


def test_sections_and_the_overall_table_hold_the_analysis(city) -> None:  # type: ignore[no-untyped-def]
    r = report(city, "en")
    assert [s.id for s in r.sections] == SECTIONS
    a = city[2]
    overall = r.sections[1]
    chart, shares, indices = overall.blocks
    assert isinstance(chart, Chart) and isinstance(shares, Table) and isinstance(indices, Table)
    head = a.overall.set_index("code").loc["unsafe_dark"]
    row = shares.data.set_index("indicator").loc[indicator_label("unsafe_dark", "en")]
    assert row["estimate"] == pytest.approx(head["estimate"])
    assert row["unweighted"] == pytest.approx(head["unweighted"]) and row["n"] == head["n"]
    assert shares.label("estimate") == "Weighted estimate"
    assert shares.label("unweighted") == "Unweighted estimate"
    assert len(shares.data) == 26 and len(indices.data) == 2
    assert "% of residents aged 15 and over feel unsafe" in overall.intro[0]
    method = " ".join(r.sections[0].intro)
    for words in ("800 people aged 15 and over", "raking", "2024", "Kish", "effective sample size",
                  "Margin of error of a 50% proportion", "not a probability sample",
                  "keep the adjustment of the margins they answered", "Weights were not trimmed"):  # fmt: skip
        assert words in method, words
    moe = 1.96 * np.sqrt(0.25 / a.run.weighting.after.n_eff) * 100
    assert f"± {moe:.1f} points" in method
    definitions = r.sections[-1].blocks[0]
    assert len(definitions.data) == 28 and "SDG 16.1.4" in definitions.data["source"].str.cat()


def test_publication_rules_are_applied(city, strict) -> None:  # type: ignore[no-untyped-def]
    r = report(city, "en", strict)
    counts = []
    for table in r.tables:
        if "n" in table.columns:
            counts += list(table.data["n"])
        for col in ("estimate", "ci_low", "ci_high", "deff"):
            if col in table.columns and "flag" in table.columns:
                hidden = table.data["flag"] == NOT_PUBLISHED
                assert (table.data.loc[hidden, col] == NOT_PUBLISHED).all()
                assert table.data.loc[~hidden, col].map(lambda v: isinstance(v, float)).all()
    # No count of 1 to 4 (nor below the floor) is published; small ones read "< 60".
    numbers = [c for c in counts if not isinstance(c, str)]
    assert numbers and min(numbers) >= 60
    assert "< 60" in counts
    by_hood = r.sections[4].blocks[1]
    flags = set(by_hood.data["flag"])
    assert flags == {"E", NOT_PUBLISHED} or flags == {"E", NOT_PUBLISHED, ""}
    assert "E: fewer than 100 respondents" in by_hood.note
    m = next(b for s in r.sections for b in s.blocks if isinstance(b, Map))
    keys = m.layers[0].keys
    assert "hidden" in keys and any(NOT_PUBLISHED in t for t in m.layers[0].tooltips)
    hidden_rows = m.table.data[m.table.data["estimate"] == NOT_PUBLISHED]
    assert len(hidden_rows) == keys.count("hidden")
    crosstab = r.sections[6].blocks[0]
    assert NOT_PUBLISHED in crosstab.data.to_numpy()


def test_map_classes_and_crosstab_tests(city) -> None:  # type: ignore[no-untyped-def]
    r = report(city, "fr")
    m = next(b for s in r.sections for b in s.blocks if isinstance(b, Map))
    layer = m.layers[0]
    assert len(layer.geometries) == 10 and len(layer.legend) == 4
    assert all(re.fullmatch(r"[\d,]+\u00a0% – [\d,]+\u00a0%", e.label) for e in layer.legend)
    texts = [b for b in r.sections[6].blocks if isinstance(b, str)]
    assert len(texts) == 3 and all(
        "Rao–Scott" in t and re.search(r"p [=<] 0,\d{3}", t) for t in texts
    )
    a = city[2]
    p = a.crosstabs["gender"].test.p_value
    shown = "p < 0,001" if p < 0.001 else f"p = {p:.3f}".replace(".", ",")
    assert shown in texts[0]
    table = r.sections[6].blocks[0]
    assert list(table.data["answer"]) == ["Un peu ou très en insécurité",
                                          "En sécurité, ou ne marche jamais seul ou seule le soir"]  # fmt: skip
    published = table.data[["Femme", "Homme"]]
    assert_allclose(published.sum().to_numpy(dtype=float), 1.0)  # column percentages
    # A column is published whole or not at all (a hidden cell is 100 % minus the other).
    for column in table.data.columns[1:]:
        shown = table.data[column].map(lambda v: v != NOT_PUBLISHED)
        assert shown.all() or not shown.any()


def test_chart_specs_are_valid_vega_lite(city) -> None:  # type: ignore[no-untyped-def]
    import altair as alt

    r = report(city, "fr")
    assert len(r.charts) == 4
    for chart in r.charts:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            alt.LayerChart.from_dict(dict(chart.spec), validate=True)
        assert chart.spec["config"]["locale"]["number"]["decimal"] == ","


def test_french_typography_in_the_html(city) -> None:  # type: ignore[no-untyped-def]
    html = render_html(report(city, "fr"))
    assert re.search(r">\d{1,2},\d\u00a0%<", html)
    assert "Déroulement et pondération du sondage" in html and "ODD 16.1.4" in html
    en = render_html(report(city, "en"))
    assert re.search(r">\d{1,2}\.\d%<", en) and "\u00a0%<" not in en


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_report_in_chromium(city, browser, tmp_path, lang: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"survey_{lang}.html"
    path.write_text(render_html(report(city, lang)), encoding="utf-8")
    page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    deadline = time.time() + 20
    while (
        time.time() < deadline and page.locator(".chart-view svg, .chart-view canvas").count() < 4
    ):
        page.wait_for_timeout(200)
    assert errors == []
    assert page.locator(".chart-view svg, .chart-view canvas").count() == 4
    # Points and interval bars are drawn: one per published estimate.
    marks = page.locator("#survey-indicators .chart-view svg path.mark-symbol, "
                         "#survey-indicators .chart-view svg g.mark-symbol path").count()  # fmt: skip
    assert marks >= 26
    paths = page.locator("#survey-map .leaflet-overlay-pane svg path").count()
    assert paths == 10
    legend = page.locator("#survey-map").inner_text()
    assert ("\u00a0%" in legend) == (lang == "fr")
    ARTIFACTS.mkdir(exist_ok=True)
    for section in ("survey-indicators", "survey-by-gender", "survey-map"):
        box = page.locator(f"[id='{section}']").bounding_box()
        assert box is not None
        page.screenshot(
            path=str(ARTIFACTS / f"survey_{section}_{lang}.png"),
            clip={"x": 0, "y": box["y"], "width": 1200, "height": min(box["height"], 1600)},
            full_page=True,
        )
    page.close()


@pytest.mark.browser
def test_suppressed_neighbourhoods_are_grey_on_the_map(city, strict, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "survey_strict_fr.html"
    path.write_text(render_html(report(city, "fr", strict)), encoding="utf-8")
    page = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    page.goto(path.as_uri())
    page.wait_for_selector("#survey-map .leaflet-overlay-pane svg path")
    fills = page.eval_on_selector_all(
        "#survey-map .leaflet-overlay-pane svg path", "ps => ps.map(p => p.getAttribute('fill'))"
    )
    hidden = strict.by["neighbourhood"].query("code == 'unsafe_dark' and suppressed")
    assert fills.count("#bdbdbd") == len(set(hidden["group"]) - {"other"}) > 0
    assert "Non publié (moins de 60 répondants) —" in page.locator("#survey-map").inner_text()
    box = page.locator("[id='survey-map']").bounding_box()
    assert box is not None
    page.screenshot(
        path=str(ARTIFACTS / "survey_map_suppressed_fr.png"),
        clip={"x": 0, "y": box["y"], "width": 1200, "height": min(box["height"], 1200)},
        full_page=True,
    )
    page.close()
