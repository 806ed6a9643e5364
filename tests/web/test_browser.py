"""What a respondent sees on a phone (390 × 844, Chromium), with axe-core on every page.

A respondent completes the template in French: skip logic shows and hides questions, an invalid
answer shows the error summary (which takes the focus), they switch to English midway, save,
resume in a new browser with the link, and submit. Every respondent page (landing, each
section, the error state, one-page mode, thank-you, a closed campaign) goes through axe-core
(WCAG 2.1 A and AA rules): no violation of impact serious or critical is allowed. Screenshots
are saved under tests/artifacts/web/.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
AXE_VERSION = "4.14.1"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "web"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "has_touch": True}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return {passes: result.passes.length, violations: result.violations.map(v => ({id: v.id,
    impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}))};
}"""


@pytest.fixture(scope="module")
def chromium():  # type: ignore[no-untyped-def]
    """Yield a headless Chromium (the Debian package that `make test` installs)."""
    if not CHROMIUM.exists():
        raise AssertionError(f"Chromium is needed for the browser tests: {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_campaign(transactional_db, web_workspace, live_server):  # type: ignore[no-untyped-def]
    """An open campaign of the built-in questionnaire, on the live server."""
    from urbansafety.survey.forms import template_path
    from urbansafety.web.surveys import formcache
    from urbansafety.web.surveys.campaigns import create_campaign

    formcache.clear()
    campaign = create_campaign(
        "securite-2026", template_path("safety"), title_fr="Sécurité 2026", title_en="Safety 2026"
    )
    return campaign, live_server.url + campaign.get_absolute_url()


def new_page(chromium):  # type: ignore[no-untyped-def]
    """Return a page in a new phone-sized context, with axe-core loaded into every document."""
    assert AXE_VERSION in AXE.read_text(encoding="utf-8")[:400]
    context = chromium.new_context(locale="fr-CA", **PHONE)
    # An init script goes in through the DevTools protocol: the pages' CSP does not block it.
    context.add_init_script(path=str(AXE))
    return context.new_page()


def submit(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    """Click a button that submits the page's form, and wait for the page that answers."""
    with page.expect_navigation():
        page.click(selector)


def audit(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Check the page with axe-core and for horizontal scrolling; save a screenshot."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("load")  # a click's navigation may still be under way
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))  # what the phone's screen shows
    page.screenshot(path=str(ARTIFACTS / f"{name}-full.png"), full_page=True)
    result = page.evaluate(RUN_AXE, WCAG)
    assert result["passes"] > 3  # axe ran its rules on this page
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], f"{name}: {serious}"
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{name}: horizontal scroll {width}"


def test_a_respondent_on_a_phone(chromium, live_campaign) -> None:  # type: ignore[no-untyped-def]
    _campaign, url = live_campaign
    page = new_page(chromium)
    page.goto(url)
    assert page.get_attribute("html", "lang") == "fr"
    audit(page, "01-landing")
    submit(page, "button.primary")
    # Intro: the age question is not shown until consent is given, then it appears.
    assert page.locator("input[name='a-age_group']").count() == 0
    audit(page, "02-intro")
    page.check("input[name='a-consent'][value='yes']")
    submit(page, "button.primary")
    assert page.locator("input[name='a-age_group']").count() == 9
    assert page.locator("[role='status']").is_visible()
    page.check("input[name='a-age_group'][value='age_35_44']")
    submit(page, "button.primary")
    # Safety: the required question left empty gives the error summary, which takes the focus.
    assert page.locator("h1").inner_text() == "Votre sentiment de sécurité"
    submit(page, "button.primary")
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    page.wait_for_function("document.activeElement.id === 'error-summary'", timeout=5000)
    assert page.locator("fieldset.has-error").count() == 1
    audit(page, "03-error")
    summary.locator("a").first.click()
    assert page.evaluate("document.activeElement.name") == "a-safe_dark"
    page.check("input[name='a-safe_dark'][value='bit_unsafe']")
    # English midway: the switch is a button of the form, so the choice above is kept.
    submit(page, "button[value='lang:en']")
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("h1").inner_text() == "How safe you feel"
    assert page.is_checked("input[name='a-safe_dark'][value='bit_unsafe']")
    audit(page, "04-safety-en")
    submit(page, "button.primary")
    audit(page, "05-avoidance")
    submit(page, "button.primary")
    # Victimisation: the follow-up question appears for the type chosen only.
    page.check("input[name='a-victim_types'][value='theft']")
    submit(page, "button.primary")
    assert page.locator("input[name='a-reported_theft']").count() == 3
    assert page.locator("input[name='a-reported_assault']").count() == 0
    audit(page, "06-victimisation")
    submit(page, "button.primary")
    assert page.locator(".matrix fieldset").count() == 7
    audit(page, "07-matrix")
    # Save, and resume in another browser with the link.
    submit(page, "button[value='save']")
    link = page.input_value("#resume-link")
    audit(page, "08-saved")
    page.context.close()
    page = new_page(chromium)
    page.goto(link)
    assert page.locator("h1").inner_text() == "Problems in your neighbourhood"
    for name in ("09-matrix", "10-cohesion", "11-trust"):
        if name != "09-matrix":
            audit(page, name)
        submit(page, "button.primary")
    assert page.locator("h1").inner_text() == "About you"
    page.check("input[name='a-gender'][value='woman']")
    page.select_option("select[name='a-neighbourhood']", "Q04")
    page.fill("input[name='a-postal_code']", "XYZ")
    page.fill("input[name='a-household_size']", "1")
    submit(page, "button.primary")
    assert page.locator("#q-postal_code").get_attribute("aria-invalid") == "true"
    assert "Enter a Canadian postal code" in page.locator("#error-summary").inner_text()
    audit(page, "12-about-error")
    page.fill("input[name='a-postal_code']", "H2X 1Y4")
    submit(page, "button.primary")
    assert page.locator("textarea[name='a-comments']").count() == 1
    audit(page, "13-end")
    submit(page, "button.primary")
    assert "/thanks/" in page.url
    audit(page, "14-thanks")
    from urbansafety.web.surveys.models import Response

    stored = Response.objects.get()
    assert stored.answers["safe_dark"] == "bit_unsafe" and stored.answers["postal_code"] == "H2X"
    assert "children_under_18" not in stored.answers  # hidden: a one-person household
    assert stored.language == "en"
    page.context.close()


def test_one_page_mode_and_a_closed_campaign(chromium, live_campaign) -> None:  # type: ignore[no-untyped-def]
    campaign, url = live_campaign
    page = new_page(chromium)
    page.goto(url + "all/")
    # survey.js asks the server which questions apply: before consent, only the first ones.
    page.wait_for_selector("[data-q='age_group']", state="hidden")
    assert page.is_hidden("[data-q='safe_dark']") and page.is_visible("[data-q='consent']")
    audit(page, "20-one-page")
    page.check("input[name='a-consent'][value='yes']")
    page.wait_for_selector("[data-q='age_group']", state="visible")
    page.check("input[name='a-age_group'][value='age_25_34']")
    page.wait_for_selector("[data-q='postal_code']", state="visible")
    assert page.is_hidden("[data-q='reported_theft']")
    page.check("input[name='a-victim_types'][value='theft']")
    page.wait_for_selector("[data-q='reported_theft']", state="visible")
    audit(page, "20-one-page-answering")
    page.fill("input[name='a-postal_code']", "XYZ")
    submit(page, "div.nav button.primary")
    # Required: safe_dark, gender, neighbourhood; invalid: the postal code.
    assert page.locator("#error-summary li").count() == 4
    page.wait_for_function("document.activeElement.id === 'error-summary'", timeout=5000)
    audit(page, "21-one-page-errors")
    campaign.closes_at = timezone.now() - timedelta(hours=1)
    campaign.save()
    response = page.goto(url)
    assert response is not None and response.status == 410
    audit(page, "22-closed")
    page.context.close()
