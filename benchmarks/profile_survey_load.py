"""Where a one-page submission's server time goes: the same requests as the load benchmark,
in one process through Django's full stack (middleware, CSRF, views, templates, database),
without HTTP, timed per request kind and profiled with cProfile.

Usage (bench_survey_load.py --profile runs it on its workspace and campaign):
    python benchmarks/profile_survey_load.py WORKSPACE SLUG ANSWERS_JSON [--n 300] [--top 30]
The environment must be the server's (DATABASE_URL when PostgreSQL); the campaign must exist.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import sys
import time
import uuid
from pathlib import Path
from typing import Any

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def main() -> None:
    """Time and profile n submissions of each request kind; print the table and the profile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("slug")
    parser.add_argument("answers", type=Path)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("URBANSAFETY_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    os.environ.setdefault("URBANSAFETY_RATE_LIMIT", "off")
    from urbansafety.web import setup

    setup(args.workspace, migrate=False)
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    # The test client keeps the database connection between requests; the server opens one per
    # request when CONN_MAX_AGE is 0 (SQLite's setting): do the same, its cost is the server's.
    per_request = settings.DATABASES["default"]["CONN_MAX_AGE"] == 0

    bodies = json.loads(args.answers.read_text(encoding="utf-8"))
    form, thanks = f"/s/{args.slug}/all/", f"/s/{args.slug}/thanks/"
    client = Client(enforce_csrf_checks=True)
    token = CSRF.search(client.get(form).content.decode())[1]  # type: ignore[index]

    def closing(response: Any) -> Any:
        if per_request:
            connection.close()
        return response

    kinds = {
        "GET form": lambda i: closing(client.get(form)),
        "POST form": lambda i: closing(
            client.post(
                form,
                f"csrfmiddlewaretoken={token}&submission_key={uuid.uuid4()}&action=submit&"
                + bodies[i % len(bodies)],
                content_type="application/x-www-form-urlencoded",
            )
        ),
        "GET thanks": lambda i: closing(client.get(thanks)),
    }
    expected = {"GET form": 200, "POST form": 302, "GET thanks": 200}
    sizes = {}
    for name, call in kinds.items():  # warm-up: caches of forms, territories, templates
        for i in range(20):
            response = call(i)
            assert response.status_code == expected[name], (name, response.status_code)
        sizes[name] = len(response.content)
    print(f"{args.n} requests of each kind, in-process (no HTTP), ms per request:")
    profiles = {}
    for name, call in kinds.items():
        started = time.perf_counter()
        for i in range(args.n):
            call(i)
        plain = 1000 * (time.perf_counter() - started) / args.n
        profile = cProfile.Profile()
        profile.enable()
        for i in range(args.n):
            call(i)
        profile.disable()
        profiles[name] = profile
        print(f"  {name:<12} {plain:7.2f} ms  ({sizes[name]:,} bytes)")
    for name, profile in profiles.items():
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top // 2)
        print(f"\n===== {name}: cumulative, then own time; per call: divide by {args.n} =====")
        text = out.getvalue().replace(str(Path(sys.prefix)), "<venv>")
        print(text.replace(str(Path(__file__).resolve().parent.parent), "."))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
