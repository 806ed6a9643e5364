"""Locust scenario for the survey load benchmark: respondents sending the one-page form.

Started by ``bench_survey_load.py`` (it prepares the server, the answers and this environment):

- ``URBANSAFETY_LOAD_SLUG``: the campaign's slug (public link ``/s/<slug>/all/``);
- ``URBANSAFETY_LOAD_ANSWERS``: a JSON list of answer sets, each already URL-encoded
  (``a-<question>=<code>&…``), so that locust spends its share of the two cores on HTTP only;
- ``URBANSAFETY_LOAD_MODE``: ``page`` (each submission GETs the form, for a fresh CSRF token and
  idempotency key, then POSTs) or ``reuse`` (one GET per simulated user, then POSTs each with a
  fresh key made here: the server accepts any UUID as the key);
- ``URBANSAFETY_LOAD_DOUBLE``: the share of submissions posted twice at once (a double click);
- ``URBANSAFETY_LOAD_LEDGER``: where to write, when the test stops, the keys acknowledged (the
  thank-you page reached), their times, the POST latencies and the errors.

A submission is acknowledged only when its POST redirects to the thank-you page and that page
answers with its "answers recorded" text.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
import uuid
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, constant, events, task

SLUG = os.environ.get("URBANSAFETY_LOAD_SLUG", "charge")
FORM = f"/s/{SLUG}/all/"
THANKS = f"/s/{SLUG}/thanks/"
MODE = os.environ.get("URBANSAFETY_LOAD_MODE", "page")
DOUBLE = float(os.environ.get("URBANSAFETY_LOAD_DOUBLE", "0.03"))
# The thank-you page in either language (the campaign's default language is French).
RECORDED = ("Vos réponses ont été enregistrées".encode(), b"Your answers have been recorded")
_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_KEY = re.compile(rb'name="submission_key" value="([0-9a-f-]{36})"')
HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


def _answers() -> list[str]:
    path = os.environ.get("URBANSAFETY_LOAD_ANSWERS")
    # Run alone (no answer file), every respondent declines at consent: short but valid.
    return json.loads(Path(path).read_text(encoding="utf-8")) if path else ["a-consent=no"]


ANSWERS = _answers()
# What the benchmark checks afterwards: kept in this (single) locust process.
LEDGER: dict[str, Any] = {
    "acknowledged": {},  # key → time the thank-you page was reached
    "double_clicks": 0,  # submissions posted twice at once
    "double_both_thanked": 0,  # … whose two POSTs both reached the thank-you redirect
    "post_ms": [],  # latency of each POST (to its redirect), ms
    "get_ms": [],
    "thanks_ms": [],
    "errors": [],  # the first errors, described
    "error_count": 0,
    "started": None,
    "stopped": None,
}


def _why(body: bytes | None) -> str:
    """Return the error messages of a page sent back (its error summary), or its start."""
    text = (body or b"").decode(errors="replace")
    found = re.findall(r'<p class="error"[^>]*>(.*?)</p>', text, re.S)
    found = [re.sub(r"<[^>]+>", "", f).strip() for f in found[:5]]
    return " | ".join(found) if found else text[:300]


def _error(what: str) -> None:
    LEDGER["error_count"] += 1
    if len(LEDGER["errors"]) < 20:
        LEDGER["errors"].append(what)


class Respondent(FastHttpUser):
    """A respondent who opens the one-page form and sends complete answers, without pause."""

    wait_time = constant(0)
    # Connections per simulated user: two for a double click, nothing more is needed.
    concurrency = 2

    csrf: str = ""

    def on_start(self) -> None:
        """Open the form once (reuse mode needs its CSRF token; page mode warms the cookie)."""
        # Redirects are never followed (the POST's must be seen): set once on the connection
        # pool, because locust's per-request allow_redirects=False swaps this attribute of the
        # shared pool around each request, which races between a double click's two greenlets.
        self.client.client.redirect_response_codes = frozenset()  # type: ignore[misc]
        self._open_form()

    def _open_form(self) -> str:
        """GET the form; keep its CSRF token and return its idempotency key ('' on error)."""
        started = time.perf_counter()
        with self.client.get(FORM, name="GET form", catch_response=True) as response:
            body = response.content or b""
            csrf, key = _CSRF.search(body), _KEY.search(body)
            if response.status_code != 200 or csrf is None or key is None:
                response.failure(f"form: status {response.status_code}")
                _error(f"GET form: {response.status_code} {body[:200]!r}")
                return ""
            LEDGER["get_ms"].append(1000 * (time.perf_counter() - started))
            self.csrf = csrf[1].decode()
            return key[1].decode()

    @task
    def submit(self) -> None:
        """Send one complete answer set (sometimes twice at once), then open the thank-you page."""
        key = self._open_form() if MODE == "page" else str(uuid.uuid4())
        if not key:
            return
        body = (
            f"csrfmiddlewaretoken={self.csrf}&submission_key={key}&action=submit&"
            + random.choice(ANSWERS)
        )
        if random.random() < DOUBLE:
            LEDGER["double_clicks"] += 1
            twins = [gevent.spawn(self._post, body) for _ in range(2)]
            gevent.joinall(twins)
            thanked = [t.value for t in twins]
            if all(thanked):
                LEDGER["double_both_thanked"] += 1
            if any(thanked):
                self._thanks(key)
        elif self._post(body):
            self._thanks(key)

    def _post(self, body: str) -> bool:
        """POST the form; return True when it redirects to the thank-you page."""
        started = time.perf_counter()
        with self.client.post(
            FORM,
            data=body,
            headers=HEADERS,
            name="POST form",
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != 302 or not location.endswith(THANKS):
                response.failure(f"POST: status {response.status_code}, to {location!r}")
                _error(f"POST: {response.status_code} {location!r} {_why(response.content)}")
                return False
            LEDGER["post_ms"].append(1000 * (time.perf_counter() - started))
            return True

    def _thanks(self, key: str) -> None:
        started = time.perf_counter()
        with self.client.get(THANKS, name="GET thanks", catch_response=True) as response:
            body = response.content or b""
            if response.status_code != 200 or not any(text in body for text in RECORDED):
                response.failure(f"thanks: status {response.status_code}")
                _error(f"GET thanks: {response.status_code} {body[:200]!r}")
                return
        LEDGER["thanks_ms"].append(1000 * (time.perf_counter() - started))
        LEDGER["acknowledged"][key] = time.time()


@events.test_start.add_listener
def _started(**_: object) -> None:
    LEDGER["started"] = time.time()


@events.test_stop.add_listener
def _stopped(**_: object) -> None:
    LEDGER["stopped"] = time.time()
    path = os.environ.get("URBANSAFETY_LOAD_LEDGER")
    if path:
        Path(path).write_text(json.dumps(LEDGER), encoding="utf-8")
