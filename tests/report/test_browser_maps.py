"""What a reader sees of a map: drawn offline by Leaflet, legend, tooltips, layers, print, no JS."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS
from tests.report.sample import CELL_CLASSES, MAP_WORDS, STATIONS, sample_map_report
from tests.report.test_maps import grid_map, one_map_report
from urbansafety.report.html import render_html

LOCAL = ("file:", "data:", "about:", "blob:")
NBSP = "\u00a0"
FEATURES = len(CELL_CLASSES) + 1 + len(STATIONS)  # cells, the borough's outline, stations
OVERLAY_PATHS = ".map-view .leaflet-overlay-pane svg path"

pytestmark = pytest.mark.browser


def open_offline(browser, path: Path, width: int = 1280, **context):  # type: ignore[no-untyped-def]
    """Return (page, console errors, remote requests) for path opened with http(s) cut off."""
    page = browser.new_context(
        viewport={"width": width, "height": 900}, device_scale_factor=1, **context
    ).new_page()
    errors: list[str] = []
    remote: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def only_local(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            remote.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(path.as_uri())
    return page, errors, remote


def written(tmp_path: Path, name: str, html: str) -> Path:
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    return path


def plain(text: str) -> str:
    return text.replace(NBSP, " ")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_map_draws_offline_with_legend_tooltips_and_layers(
    browser, tmp_path: Path, lang: str
) -> None:  # type: ignore[no-untyped-def]
    words = MAP_WORDS[lang]
    path = written(tmp_path, f"map-{lang}.html", render_html(sample_map_report(lang)))
    page, errors, remote = open_offline(browser, path)
    page.wait_for_selector('body[data-maps="drawn"]', timeout=20_000)
    figure = page.locator("figure.map")
    assert "map-drawn" in (figure.get_attribute("class") or "")
    view = figure.locator(".map-view")
    box = view.bounding_box()
    assert box is not None and box["height"] > 400 and box["width"] > 800
    assert figure.locator(".map-static").is_hidden()
    # One SVG path per feature: 20 cells, the borough, three stations (circles, no markers).
    assert page.locator(OVERLAY_PATHS).count() == FEATURES
    assert page.locator(".leaflet-marker-icon, .map-view img").count() == 0
    # Every legend label, in the report's language.
    legend = plain(figure.locator(".map-legend").inner_text())
    for key in ("hot99", "hot95", "ns", "cold95", "borough", "stations", "station"):
        assert words[key] in legend, key
    # The pointer on a hot-spot cell shows its tooltip.
    figure.scroll_into_view_if_needed()
    page.locator(OVERLAY_PATHS).nth(7).hover()
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert plain(tooltip.inner_text()) == words["tip"].format(cell="C08", label=words["hot99"])
    ARTIFACTS.mkdir(exist_ok=True)
    figure.screenshot(path=str(ARTIFACTS / f"map-{lang}.png"))
    # Hiding a layer in the layer control removes its features and its legend.
    figure.locator(".leaflet-control-layers label", has_text=words["stations"]).click()
    assert page.locator(OVERLAY_PATHS).count() == FEATURES - len(STATIONS)
    assert words["station"] not in plain(figure.locator(".map-legend").inner_text())
    assert errors == []
    assert remote == []
    page.close()


def test_map_answers_the_keyboard(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = written(tmp_path, "map.html", render_html(sample_map_report("fr")))
    page, errors, _remote = open_offline(browser, path)
    page.wait_for_selector('body[data-maps="drawn"]', timeout=20_000)
    view = page.locator(".map-view")
    assert view.get_attribute("tabindex") == "0"
    zoom_in = page.locator(".leaflet-control-zoom-in")
    assert zoom_in.get_attribute("role") == "button" and zoom_in.get_attribute("title")
    cell = page.locator(OVERLAY_PATHS).nth(7)
    before = cell.bounding_box()
    view.focus()
    page.keyboard.press("Equal")  # "+" zooms in by one level: cells twice as wide
    page.wait_for_timeout(800)
    after = cell.bounding_box()
    assert before is not None and after is not None
    assert after["width"] == pytest.approx(2 * before["width"], rel=0.05)
    page.keyboard.press("ArrowLeft")  # the arrows pan
    page.wait_for_timeout(800)
    moved = cell.bounding_box()
    assert moved is not None and moved["x"] > after["x"] + 20
    assert errors == []
    page.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_print_shows_the_static_map(browser, tmp_path: Path, lang: str) -> None:  # type: ignore[no-untyped-def]
    path = written(tmp_path, f"map-{lang}.html", render_html(sample_map_report(lang)))
    page, errors, remote = open_offline(browser, path)
    page.wait_for_selector('body[data-maps="drawn"]', timeout=20_000)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 672, "height": 900})
    figure = page.locator("figure.map")
    assert figure.locator(".map-view").is_hidden()
    svg = figure.locator(".map-static svg")
    assert svg.is_visible()
    box = svg.bounding_box()
    assert box is not None and 600 <= box["width"] <= 672 and box["height"] > 400
    assert svg.locator("path").count() == FEATURES
    ARTIFACTS.mkdir(exist_ok=True)
    figure.screenshot(path=str(ARTIFACTS / f"map-{lang}-print.png"))
    page.pdf(path=str(ARTIFACTS / f"map-{lang}.pdf"), format="Letter", print_background=True)
    assert errors == [] and remote == []
    page.close()


def test_without_javascript_the_static_map_stands_in(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = written(tmp_path, "map.html", render_html(sample_map_report("fr")))
    page, _errors, remote = open_offline(browser, path, java_script_enabled=False)
    figure = page.locator("figure.map")
    assert figure.locator(".map-view").is_hidden()
    assert figure.locator(".map-static svg").is_visible()
    assert figure.locator(".map-static svg path").count() == FEATURES
    assert remote == []
    page.close()


def test_when_the_map_cannot_be_drawn_the_static_map_stands_in(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    html = render_html(sample_map_report("en"))
    broken = html.replace('"geometries":[{"type":"Polygon"', '"geometries":[{"type":"Nonsense"', 1)
    assert broken != html
    page, errors, remote = open_offline(browser, written(tmp_path, "broken.html", broken))
    page.wait_for_selector('body[data-maps="drawn"]', timeout=20_000)
    figure = page.locator("figure.map")
    assert figure.locator(".map-view").is_hidden()
    assert figure.locator(".map-static svg").is_visible()
    assert len(errors) == 1 and remote == []
    page.close()


def test_map_fits_a_phone_screen(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = written(tmp_path, "map.html", render_html(sample_map_report("fr")))
    page, errors, remote = open_offline(browser, path, width=390)
    page.wait_for_selector('body[data-maps="drawn"]', timeout=20_000)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"
    box = page.locator(".map-view").bounding_box()
    assert box is not None and box["width"] <= 390 and box["height"] > 300
    assert page.locator(OVERLAY_PATHS).count() == FEATURES
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("figure.map").screenshot(path=str(ARTIFACTS / "map-phone.png"))
    assert errors == [] and remote == []
    page.close()


def test_tiles_are_asked_for_only_when_online(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = written(tmp_path, "tiles.html", render_html(sample_map_report("fr", tiles=True)))
    # Offline (navigator.onLine is false): no tile is asked for and the map is whole.
    page, errors, remote = open_offline(browser, path, offline=True)
    page.wait_for_selector('body[data-maps="drawn"]', timeout=20_000)
    assert page.locator(OVERLAY_PATHS).count() == FEATURES
    assert page.locator(".leaflet-tile").count() == 0
    assert errors == [] and remote == []
    page.close()
    # Online but cut off: tiles are asked for from OpenStreetMap only; the layers still draw.
    page, errors, remote = open_offline(browser, path)
    page.wait_for_selector('body[data-maps="drawn"]', timeout=20_000)
    page.wait_for_timeout(300)
    assert remote and all(u.startswith("https://tile.openstreetmap.org/") for u in remote)
    assert page.locator(OVERLAY_PATHS).count() == FEATURES
    attribution = page.locator(".leaflet-control-attribution")
    assert "OpenStreetMap" in attribution.inner_text()
    assert (
        attribution.locator("a").get_attribute("href") == "https://www.openstreetmap.org/copyright"
    )
    assert [e for e in errors if "ERR_FAILED" not in e] == []
    page.close()


def test_twenty_thousand_cells_draw_on_a_canvas(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = written(tmp_path, "big.html", render_html(one_map_report(grid_map(142), lang="fr")))
    start = time.perf_counter()
    page, errors, remote = open_offline(browser, path)
    page.wait_for_selector('body[data-maps="drawn"]', timeout=30_000)
    elapsed = time.perf_counter() - start
    assert page.locator(".map-view .leaflet-overlay-pane canvas").count() == 1
    assert page.locator(OVERLAY_PATHS).count() == 0
    assert elapsed < 15, f"the map took {elapsed:.1f} s to draw"
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("figure.map").screenshot(path=str(ARTIFACTS / "map-big.png"))
    assert errors == [] and remote == []
    page.close()
