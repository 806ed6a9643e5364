"""Analyst pages: responses sent to the workspace store, CSV imports, CSV / XLSX exports."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
import textwrap
import uuid

import openpyxl
import pandas as pd
import pytest
from django.urls import reverse

pytest.register_assert_rewrite("tests.web.conftest_analyst")

from tests.web.conftest_analyst import safety_campaign  # noqa: E402
from urbansafety.survey.model import Text  # noqa: E402
from urbansafety.survey.responses import load_responses, stored_surveys, survey_title  # noqa: E402
from urbansafety.web.surveys.analyst_import import import_into_campaign  # noqa: E402
from urbansafety.web.surveys.analyst_store import send_to_store  # noqa: E402
from urbansafety.web.surveys.models import Response  # noqa: E402

pytest_plugins = ["tests.web.conftest_analyst"]

SLUG = "safety-2026"
KOBO_HEADER = (
    "start;end;intro/consent;intro/age_group;safety/safe_dark;safety/safe_day;"
    "avoidance/avoid_places;about/gender;about/neighbourhood;_id;_uuid;_submission_time;_index"
)
KOBO_ROWS = [
    "2026-05-02T10:00:00;2026-05-02T10:09:00;yes;age_25_34;very_unsafe;fairly_safe;parks transit;woman;Q00;1;"
    "0b8c1f5e-1111-4a1c-9d2e-000000000001;2026-05-02T14:09:12;1",
    "2026-05-02T11:00:00;2026-05-02T11:07:00;yes;age_45_54;not_a_code;very_safe;;man;Q01;2;"
    "0b8c1f5e-1111-4a1c-9d2e-000000000002;2026-05-02T15:07:40;2",
    "2026-05-03T09:00:00;2026-05-03T09:12:00;yes;age_65_74;fairly_safe;very_safe;none;woman;Q11;3;"
    "0b8c1f5e-1111-4a1c-9d2e-000000000003;2026-05-03T13:12:01;3",
]


def kobo_csv() -> bytes:
    """Return a KoboToolbox CSV export (';', group paths) with one bad row (row 3)."""
    return ("\n".join([KOBO_HEADER, *KOBO_ROWS]) + "\n").encode()


def add_web_responses(campaign, n: int = 3) -> list[Response]:  # type: ignore[no-untyped-def]
    """Create n web responses, each in its own neighbourhood."""
    hoods = ["Q00", "Q01", "Q10", "Q11"]
    return [
        Response.objects.create(
            campaign=campaign,
            submission_key=uuid.uuid4(),
            language="fr",
            answers={
                "consent": "yes",
                "age_group": "age_25_34",
                "safe_dark": "very_unsafe",
                "gender": "woman",
                "neighbourhood": hoods[i % 4],
                "avoid_places": ["parks", "transit"],
            },
            neighbourhood=hoods[i % 4],
        )
        for i in range(n)
    ]


def test_kobo_import_rejects_a_bad_row_and_a_second_import_adds_nothing(
    analyst_db, analyst_ws
) -> None:  # type: ignore[no-untyped-def]
    campaign = safety_campaign(analyst_ws, SLUG)
    summary = import_into_campaign(campaign, kobo_csv(), "kobo.csv")
    assert summary.source == "kobo" and summary.rows_read == 3
    assert (summary.accepted, summary.added, summary.already, summary.rejected_rows) == (2, 2, 0, 1)
    reject = summary.rejects[0]
    assert reject.row == 3 and reject.column == "safety/safe_dark" and reject.value == "not_a_code"
    stored = {r.neighbourhood: r for r in campaign.responses.all()}
    assert set(stored) == {"Q00", "Q11"}
    first = stored["Q00"]
    assert first.source == "kobo" and first.answers["safe_dark"] == "very_unsafe"
    assert first.answers["avoid_places"] == ["parks", "transit"]
    assert first.submitted_at.astimezone(dt.UTC).hour == 14
    again = import_into_campaign(campaign, kobo_csv(), "kobo-again.csv")
    assert (again.accepted, again.added, again.already) == (2, 0, 2)
    assert campaign.responses.count() == 2


def test_import_page_reports_rejects_like_incident_imports(analyst_client, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    campaign = safety_campaign(analyst_ws, SLUG)
    url = reverse("analyst-import", kwargs={"slug": SLUG})
    upload = io.BytesIO(kobo_csv())
    upload.name = "kobo.csv"
    page = analyst_client.post(url, {"file": upload, "source": "auto"}, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200 and campaign.responses.count() == 2
    assert '<th scope="row">Rows read</th><td class="num">3</td>' in html
    assert '<th scope="row">Rows accepted</th><td class="num">2</td>' in html
    assert '<th scope="row">Rows rejected</th><td class="num">1</td>' in html
    assert '<td class="num">3</td><td><code>safety/safe_dark</code></td><td>not_a_code</td>' in html
    broken = io.BytesIO(b"nothing;useful\n1;2\n")
    broken.name = "other.csv"
    refused = analyst_client.post(
        url, {"file": broken, "source": "auto"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 200 and "other.csv" in refused.content.decode()
    assert campaign.responses.count() == 2


def test_send_to_store_is_idempotent_and_readable_back(analyst_db, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    campaign = safety_campaign(analyst_ws, "store-test")
    responses = add_web_responses(campaign, 3)
    import_into_campaign(campaign, kobo_csv(), "kobo.csv")
    assert send_to_store(campaign, analyst_ws) == (5, 0)
    assert send_to_store(campaign, analyst_ws) == (0, 0)
    # The campaign's title goes with its responses: the survey's report is headed by it.
    assert survey_title(analyst_ws, "store_test") == Text(fr="Sécurité 2026", en="Safety 2026")
    assert not campaign.responses.filter(exported_at__isnull=True).exists()
    table = load_responses(analyst_ws, "store_test")
    assert len(table) == 5 and stored_surveys(analyst_ws)["store_test"] == 5
    row = table.set_index("response_id").loc[responses[0].response_id]
    assert row["safe_dark"] == "very_unsafe" and row["avoid_places"] == "parks transit"
    assert sorted(table["source"]) == ["kobo", "kobo", "web", "web", "web"]
    # a response marked unsent again (e.g. lost marks) is found in the store: nothing doubles
    Response.objects.filter(id=responses[0].id).update(exported_at=None)
    assert send_to_store(campaign, analyst_ws) == (0, 1)
    assert len(load_responses(analyst_ws, "store_test")) == 5
    import duckdb

    with duckdb.connect(str(analyst_ws.store_path), read_only=True) as con:
        kinds = con.execute(
            "SELECT source, rows_read, rows_accepted FROM imports WHERE kind = 'survey_web' "
            "AND file = 'web:store-test' ORDER BY finished_at, source"
        ).fetchall()
    assert kinds[:2] == [("kobo", 2, 2), ("web", 3, 3)]


LOCKER = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    print("locked", flush=True)
    sys.stdin.readline()
    """
)


def test_a_locked_store_shows_the_error_and_loses_nothing(analyst_client, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    campaign = safety_campaign(analyst_ws, "locked")
    add_web_responses(campaign, 2)
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(analyst_ws.store_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
        page = analyst_client.post(
            reverse("analyst-send-to-store", kwargs={"slug": "locked"}),
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
        html = page.content.decode()
        assert "The store cannot be opened" in html
        assert "Another urbansafety command may be writing to it" in html
        assert campaign.responses.filter(exported_at__isnull=True).count() == 2
    finally:
        locker.communicate("\n", timeout=30)
    page = analyst_client.post(
        reverse("analyst-send-to-store", kwargs={"slug": "locked"}),
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "2 new response(s), 0 already there." in page.content.decode()
    assert campaign.responses.filter(exported_at__isnull=True).count() == 0


def export(analyst_client, **params: str):  # type: ignore[no-untyped-def]
    """Return the export response for params (kind, values, lang)."""
    return analyst_client.get(reverse("analyst-export", kwargs={"slug": SLUG}), params)


@pytest.mark.parametrize(
    ("values", "lang", "expected"),
    [
        ("codes", "fr", "very_unsafe"),
        ("codes", "en", "very_unsafe"),
        ("labels", "fr", "Très en insécurité"),
        ("labels", "en", "Very unsafe"),
    ],
)
def test_csv_and_xlsx_exports_with_codes_or_labels(
    analyst_client, analyst_ws, values, lang, expected
) -> None:  # type: ignore[no-untyped-def]
    campaign = safety_campaign(analyst_ws, SLUG)
    made = add_web_responses(campaign, 2)
    csv_response = export(analyst_client, kind="csv", values=values, lang=lang)
    assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv")
    assert f'filename="{SLUG}-{values}-{lang}.csv"' in csv_response["Content-Disposition"]
    assert csv_response.content.startswith("\ufeff".encode())  # Excel reads UTF-8 with a BOM
    table = pd.read_csv(
        io.BytesIO(csv_response.content), encoding="utf-8-sig", sep=None, engine="python"
    )
    assert list(table["safe_dark"]) == [expected, expected]
    assert list(table["response_id"]) == [r.response_id for r in made]
    hoods = ["Carré 00", "Carré 01"] if values == "labels" else ["Q00", "Q01"]
    assert list(table["neighbourhood"]) == hoods
    xlsx_response = export(analyst_client, kind="xlsx", values=values, lang=lang)
    assert xlsx_response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx_response.content), read_only=True)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("safe_dark")
    assert [r[column] for r in rows[1:]] == [expected, expected]
    assert len(book.worksheets) >= 2  # the questions and codes, described in lang


def test_a_bad_export_request_goes_back_to_the_campaign(analyst_client, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    safety_campaign(analyst_ws, SLUG)
    response = export(analyst_client, kind="pdf", values="codes", lang="fr")
    assert response.status_code == 302
    assert response["Location"] == reverse("analyst-campaign", kwargs={"slug": SLUG})


def test_800_synthetic_responses_go_through_the_import_and_into_the_store(
    analyst_db, analyst_ws
) -> None:  # type: ignore[no-untyped-def]
    """What `make demo` does: an urbansafety CSV of ~800 responses, imported, then sent."""
    import time

    from tests.survey.campaign import campaign as synthetic
    from urbansafety.survey.exports import export_table, write_csv
    from urbansafety.survey.responses import answers_json
    from urbansafety.web.surveys.analyst_campaign import campaign_questionnaire

    target = safety_campaign(analyst_ws, "demo-2026")
    made = synthetic(["Q00", "Q01", "Q10", "Q11"], n=800, seed=3)
    rows = [
        {"response_id": r.response_id, "submitted_at": r.submitted_at, "language": r.language,
         "source": "demo", "answers": json.loads(answers_json(r.answers))}
        for r in made
    ]  # fmt: skip
    buffer = io.BytesIO()
    write_csv(export_table(campaign_questionnaire(target), rows, labels=False, lang="fr"), buffer)
    started = time.perf_counter()
    summary = import_into_campaign(target, buffer.getvalue(), "demo.csv", origin="demo")
    imported = time.perf_counter() - started
    assert summary.source == "demo" and summary.rows_read == 800
    assert summary.accepted + summary.rejected_rows == 800 and summary.accepted >= 700
    assert target.responses.filter(source="demo").count() == summary.accepted == summary.added
    assert import_into_campaign(target, buffer.getvalue(), "demo.csv").added == 0
    started = time.perf_counter()
    assert send_to_store(target, analyst_ws) == (summary.accepted, 0)
    sent = time.perf_counter() - started
    table = load_responses(analyst_ws, "demo_2026")
    assert len(table) == summary.accepted and set(table["source"]) == {"demo"}
    by_key = {str(r.submission_key): r.answers for r in target.responses.all()}
    first = table.iloc[0]
    assert by_key[first["response_id"]]["safe_dark"] == first["safe_dark"]
    print(f"import of 800 rows: {imported:.2f} s; sent to the store: {sent:.2f} s")
