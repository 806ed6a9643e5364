"""What an analyst sees: log in, open a campaign, download its XLSX export (Playwright, Chromium)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

pytest.register_assert_rewrite("tests.web.conftest_analyst")

from tests.web.conftest_analyst import PASSWORD, safety_campaign  # noqa: E402

pytest_plugins = ["tests.web.conftest_analyst"]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Yield a headless Chromium (the Debian package that `make test` installs)."""
    if not CHROMIUM.exists():
        raise AssertionError(f"Chromium is needed for the browser tests: {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.mark.browser
def test_analyst_logs_in_opens_the_campaign_and_downloads_the_xlsx(  # type: ignore[no-untyped-def]
    live_server, analyst, analyst_ws, chromium, tmp_path
) -> None:
    from urbansafety.web.surveys.models import QuotaTarget, Response

    campaign = safety_campaign(analyst_ws, "valbrume-2026")
    QuotaTarget.objects.create(campaign=campaign, neighbourhood="Q00", target=4)
    for i, hood in enumerate(["Q00", "Q00", "Q01"]):
        Response.objects.create(
            campaign=campaign,
            submission_key=uuid.uuid4(),
            language="fr",
            answers={
                "consent": "yes",
                "age_group": "age_25_34",
                "gender": "woman",
                "safe_dark": ["very_unsafe", "fairly_safe", "very_safe"][i],
                "neighbourhood": hood,
            },
            neighbourhood=hood,
        )
    context = chromium.new_context(
        locale="fr-CA", accept_downloads=True, viewport={"width": 1200, "height": 900}
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    page.goto(f"{live_server.url}/analyst/")
    assert "/analyst/login/" in page.url
    page.fill("#id_username", "analyste")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/analyst/")
    page.click("a[href='/analyst/campaigns/valbrume-2026/']")
    page.wait_for_url("**/campaigns/valbrume-2026/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Sécurité 2026"
    assert page.locator("figure.qr svg[role=img]").is_visible()
    assert page.locator("link[rel=stylesheet]").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "analyst_campaign.png"), full_page=True)
    page.check("input[name=kind][value=xlsx]")
    page.check("input[name=values][value=labels]")
    page.check("input[name=lang][value=fr]")
    with page.expect_download() as info:
        page.click("form[action$='/export/'] button[type=submit]")
    download = info.value
    assert download.suggested_filename == "valbrume-2026-labels-fr.xlsx"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    book = openpyxl.load_workbook(target, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    column = rows[0].index("safe_dark")
    assert [r[column] for r in rows[1:]] == [
        "Très en insécurité",
        "Assez en sécurité",
        "Très en sécurité",
    ]
    assert errors == []
    context.close()


@pytest.mark.browser
def test_a_follow_up_account_sees_the_counts_and_nothing_to_export(  # type: ignore[no-untyped-def]
    live_server, viewer, analyst_ws, chromium
) -> None:
    safety_campaign(analyst_ws, "valbrume-2026")
    context = chromium.new_context(locale="fr-CA", viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/analyst/")
    page.fill("#id_username", "suivi")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/analyst/")
    assert page.locator("a[href='/analyst/campaigns/new/']").count() == 0
    page.click("a[href='/analyst/campaigns/valbrume-2026/']")
    page.wait_for_url("**/campaigns/valbrume-2026/")
    assert page.locator("figure.qr svg[role=img]").is_visible()
    assert page.locator("form[action$='/export/']").count() == 0
    assert "demandent un compte d'analyste" in page.locator("main").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "viewer_campaign.png"), full_page=True)
    # Typing an analyst-only address gives the bilingual refusal, with a way back.
    response = page.goto(f"{live_server.url}/analyst/campaigns/valbrume-2026/export/?kind=csv")
    assert response is not None and response.status == 403
    assert page.locator("h1").inner_text() in ("Accès refusé", "Access denied")
    page.screenshot(path=str(ARTIFACTS / "viewer_403.png"), full_page=True)
    page.click("a[href='/analyst/']")
    page.wait_for_url(f"{live_server.url}/analyst/")
    context.close()
