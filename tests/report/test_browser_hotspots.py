"""What an analyst sees: the hot-spot report of the demo city, opened offline in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS
from tests.report.test_browser_maps import open_offline
from urbansafety.hotspots_run import hotspot_scope, run_hotspots
from urbansafety.workspace import Workspace

pytestmark = pytest.mark.browser
PATHS = ".map-view .leaflet-overlay-pane path"
CANVAS = ".map-view .leaflet-overlay-pane canvas"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_hotspot_map_draws_offline(
    browser,
    demo_portrait_ws: Workspace,
    tmp_path: Path,
    lang: str,
) -> None:  # type: ignore[no-untyped-def]
    scope, name = hotspot_scope(
        demo_portrait_ws, territory=None, years=None, theme=None, categories=[], lang=lang
    )
    written = run_hotspots(demo_portrait_ws, scope, name, lang=lang, out=tmp_path)
    page, errors, remote = open_offline(browser, written.html)
    page.wait_for_selector('body[data-maps="drawn"]', timeout=30_000)
    page.wait_for_selector('body[data-charts="drawn"]', timeout=30_000)
    figures = page.locator("figure.map")
    # Gi*, density, Local Moran, emerging hot spots, rates by territory.
    assert figures.count() == 5
    for i in range(figures.count()):
        figure = figures.nth(i)
        assert "map-drawn" in (figure.get_attribute("class") or "")
        box = figure.locator(".map-view").bounding_box()
        assert box is not None and box["height"] > 300
        drawn = figure.locator(PATHS).count() + figure.locator(CANVAS).count()
        assert drawn > 0
        assert figure.locator(".map-legend").inner_text().strip()
    hot = "Point chaud" if lang == "fr" else "Hot spot"
    assert hot in page.locator("#hotspots .map-legend").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#hotspots figure.map").screenshot(path=str(ARTIFACTS / f"hotspots-{lang}.png"))
    page.locator("#near-repeat").screenshot(path=str(ARTIFACTS / f"near-repeat-{lang}.png"))
    # In print, each map is the static SVG.
    page.emulate_media(media="print")
    assert page.locator("figure.map .map-static svg").count() == 5
    assert page.locator("figure.map .map-static").first.is_visible()
    assert errors == []
    assert remote == []
    page.close()
