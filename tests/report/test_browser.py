"""What a reader sees: the HTML report opened offline in headless Chromium draws every chart."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS
from tests.report.sample import sample_report
from urbansafety.report.html import render_html

LOCAL = ("file:", "data:", "about:", "blob:")

pytestmark = pytest.mark.browser


def open_offline(browser, path: Path, width: int):  # type: ignore[no-untyped-def]
    """Return (page, console errors, non-local requests) for path opened with the network cut."""
    page = browser.new_page(viewport={"width": width, "height": 900}, device_scale_factor=1)
    errors: list[str] = []
    remote: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda req: None if req.url.startswith(LOCAL) else remote.append(req.url))

    def only_local(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            remote.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(path.as_uri())
    page.wait_for_selector('body[data-charts="drawn"]', timeout=20_000)
    return page, errors, remote


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_chart_draws_offline_without_errors(browser, tmp_path: Path, lang: str) -> None:  # type: ignore[no-untyped-def]
    report = sample_report(lang)
    path = tmp_path / f"report-{lang}.html"
    path.write_text(render_html(report), encoding="utf-8")
    page, errors, remote = open_offline(browser, path, 1280)

    views = page.locator(".chart-view")
    assert views.count() == len(report.charts) == 4
    for i in range(views.count()):
        view = views.nth(i)
        assert view.locator("svg").count() == 1, f"chart {i + 1} did not draw"
        assert view.locator("svg path, svg rect").count() > 0
        box, frame = view.locator("svg").bounding_box(), view.bounding_box()
        assert box is not None and frame is not None
        assert box["width"] > 200 and box["width"] <= frame["width"] + 1
    assert page.locator(".chart-error").count() == 0
    assert errors == []
    assert remote == []
    assert page.evaluate("document.documentElement.lang") == {"fr": "fr-CA", "en": "en-CA"}[lang]
    # French axes write 12 000 with a non-breaking space, English 12,000.
    ticks = page.locator("#crime-portrait-chart-1 svg").text_content() or ""
    assert ("12\u00a0000" in ticks) if lang == "fr" else ("12,000" in ticks)

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report-{lang}.png"), full_page=True)
    page.locator("details.chart-data").first.evaluate("d => d.open = true")
    page.locator("#places-and-times").screenshot(path=str(ARTIFACTS / f"report-{lang}-places.png"))
    page.emulate_media(media="print")
    page.pdf(path=str(ARTIFACTS / f"report-{lang}.pdf"), format="Letter", print_background=True)
    # What the print style sheet does, on one long page the width of Letter paper's text.
    page.set_viewport_size({"width": 672, "height": 900})
    page.screenshot(path=str(ARTIFACTS / f"report-{lang}-print.png"), full_page=True)
    page.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_report_fits_a_phone_screen(browser, tmp_path: Path, lang: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"report-{lang}.html"
    path.write_text(render_html(sample_report(lang)), encoding="utf-8")
    page, errors, remote = open_offline(browser, path, 390)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"
    assert errors == [] and remote == []
    for svg in page.locator(".chart-view svg").all():
        box = svg.bounding_box()
        assert box is not None and box["width"] <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report-{lang}-phone.png"), full_page=True)
    page.close()


def test_skip_link_takes_keyboard_focus_first(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "report.html"
    path.write_text(render_html(sample_report("fr")), encoding="utf-8")
    page, _errors, _remote = open_offline(browser, path, 1280)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0  # type: ignore[index]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.close()


def test_the_network_guard_sees_a_remote_request(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The offline tests above are only worth something if a remote request would be caught.
    html = render_html(sample_report("en")).replace(
        "</main>", '<img src="https://cdn.example.org/pixel.png" alt=""></main>'
    )
    path = tmp_path / "leaky.html"
    path.write_text(html, encoding="utf-8")
    page, _errors, remote = open_offline(browser, path, 800)
    assert "https://cdn.example.org/pixel.png" in remote
    page.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_demo_portrait_draws_offline(browser, demo_portrait_ws, tmp_path: Path, lang: str) -> None:  # type: ignore[no-untyped-def]
    """The real crime portrait of a demo borough: every chart drew, nothing fetched, no error."""
    from urbansafety.portrait_run import run_portrait

    written = run_portrait(
        demo_portrait_ws,
        territory="borough:B1",
        years=None,
        compare="all",
        theme=None,
        categories=[],
        lang=lang,
        out=tmp_path,
    )
    page, errors, remote = open_offline(browser, written.html, 1280)
    charts = page.query_selector_all(".chart")
    assert len(charts) >= 5
    for chart in charts:
        assert chart.query_selector("svg") is not None
    assert errors == [] and remote == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"portrait-demo-{lang}.png"), full_page=True)
    page.close()
