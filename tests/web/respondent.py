"""A respondent driving the pages with Django's test client (no JavaScript, as the contract says)."""

from __future__ import annotations

import re

from django.test import Client

SLUG = "securite-2026"
LANDING = f"/s/{SLUG}/"
PAGE = f"/s/{SLUG}/page/"
ALL = f"/s/{SLUG}/all/"

# A complete, eligible respondent of the built-in template, section by section.
ANSWERS = [
    {"consent": "yes", "age_group": "age_25_34"},
    {"safe_dark": "bit_unsafe", "safe_day": "fairly_safe", "crime_trend": "increased"},
    {"avoid_places": ["parks", "transit"], "behaviours": ["go_with"]},
    {"victim_types": ["theft"], "victim_local": "yes", "reported_theft": "no"},
    {"dis_graffiti": "small_problem", "dis_drugs": "big_problem"},
    {"coh_help": "agree", "life_satisfaction": "7"},
    {"police_confidence": "some", "sat_lighting": "dissatisfied"},
    {
        "gender": "woman",
        "neighbourhood": "Q03",
        "postal_code": "h2x 1y4",
        "household_size": "1",
    },
    {"comments": "Plus d'éclairage dans la ruelle."},
]


def html(response) -> str:  # type: ignore[no-untyped-def]
    """Return a response's page as text."""
    return response.content.decode()


def shown(response) -> list[str]:  # type: ignore[no-untyped-def]
    """Return the names of the questions the page shows (its hidden 'shown' fields)."""
    return re.findall(r'name="shown" value="([^"]+)"', html(response))


def heading(response) -> str:  # type: ignore[no-untyped-def]
    """Return the page's h1."""
    match = re.search(r"<h1>(.*?)</h1>", html(response), re.S)
    return match[1].strip() if match else ""


def post_page(client: Client, answers: dict[str, object], action: str = "next", *, page=None):  # type: ignore[no-untyped-def]
    """Post answers on the current page (as its form would) and return the response."""
    page = page or client.get(PAGE)
    data: dict[str, object] = {"shown": shown(page), "action": action}
    data.update({f"a-{name}": value for name, value in answers.items()})
    return client.post(PAGE, data)


def start(client: Client, query: str = ""):  # type: ignore[no-untyped-def]
    """Open the landing page and start; return the first page."""
    assert client.get(LANDING + query).status_code == 200
    token = query.partition("t=")[2]
    response = client.post(LANDING, {"action": "start", **({"t": token} if token else {})})
    assert response.status_code == 302, html(response)
    return client.get(PAGE)


def complete(client: Client, query: str = ""):  # type: ignore[no-untyped-def]
    """Answer the whole template page by page; return the response to the last post."""
    page = start(client, query)
    response = post_page(client, {"consent": "yes"}, page=page)  # age_group appears
    assert response.status_code == 200
    for answers in ANSWERS:
        response = answer_section(client, answers)
    return response


def answer_section(client: Client, answers: dict[str, object]):  # type: ignore[no-untyped-def]
    """Post a section's answers, again if they made new questions appear; return the redirect."""
    for _ in range(3):
        response = post_page(client, answers)
        if response.status_code != 200:
            break
        assert "error-summary" not in html(response), html(response)
    assert response.status_code == 302, html(response)
    return response
