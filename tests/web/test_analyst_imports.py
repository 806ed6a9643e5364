"""Web imports keep their rejects: in the web database, on the pages, in the workspace store."""

from __future__ import annotations

import csv
import hashlib
import io
import subprocess
import sys
import textwrap

import duckdb
import pytest
from django.test import Client
from django.urls import reverse

pytest.register_assert_rewrite("tests.web.conftest_analyst")

from tests.web.conftest_analyst import safety_campaign  # noqa: E402
from urbansafety.info import list_rejects, summarise  # noqa: E402
from urbansafety.web.surveys.analyst_import import import_into_campaign  # noqa: E402
from urbansafety.web.surveys.analyst_store import send_to_store, store_import_id  # noqa: E402
from urbansafety.web.surveys.models import (  # noqa: E402
    REJECT_VALUE_MAX,
    ImportReject,
    ResponseImport,
    clip,
)

pytest_plugins = ["tests.web.conftest_analyst"]

HEADER = (
    "start;end;intro/consent;intro/age_group;safety/safe_dark;safety/safe_day;"
    "avoidance/avoid_places;about/gender;about/neighbourhood;_id;_uuid;_submission_time;_index"
)
ROWS = [
    "2026-05-02T10:00:00;2026-05-02T10:09:00;yes;age_25_34;very_unsafe;fairly_safe;parks transit;"
    "woman;Q00;1;0b8c1f5e-2222-4a1c-9d2e-000000000001;2026-05-02T14:09:12;1",
    "2026-05-02T11:00:00;2026-05-02T11:07:00;yes;age_45_54;not_a_code;very_safe;;man;Q01;2;"
    "0b8c1f5e-2222-4a1c-9d2e-000000000002;2026-05-02T15:07:40;2",
    "2026-05-03T09:00:00;2026-05-03T09:12:00;yes;age_65_74;fairly_safe;very_safe;none;woman;Q99;3;"
    ";2026-05-03T13:12:01;3",
    "2026-05-03T10:00:00;2026-05-03T10:12:00;yes;age_35_44;fairly_safe;very_safe;none;man;Q10;4;"
    "0b8c1f5e-2222-4a1c-9d2e-000000000004;2026-05-03T14:12:01;4",
]
# (row, column, value, reason, short reason) refused in ROWS: row 3 one value, row 4 two.
EXPECTED = [
    (3, "safety/safe_dark", "not_a_code", "Choose one of the proposed answers.",
     "answer not among the choices"),
    (4, "_uuid", "", "missing response id", "missing response id"),
    (4, "about/neighbourhood", "Q99", "Choose one of the proposed answers.",
     "answer not among the choices"),
]  # fmt: skip


def kobo_csv() -> bytes:
    """Return a KoboToolbox export (';', group paths): 4 rows, rows 3 and 4 refused."""
    return ("\n".join([HEADER, *ROWS]) + "\n").encode()


def stored_rejects(import_id: str) -> list[tuple]:
    """Return the store's rejects of one import, by row and column."""
    from django.conf import settings

    with duckdb.connect(str(settings.WORKSPACE / "store.duckdb"), read_only=True) as con:
        return con.execute(
            'SELECT "row", "column", value, reason FROM rejects WHERE import_id = ? '
            'ORDER BY "row", "column"',
            [import_id],
        ).fetchall()


def stored_import(import_id: str) -> tuple | None:
    """Return the store's imports row of one import (kind … rows_rejected, times)."""
    from django.conf import settings

    with duckdb.connect(str(settings.WORKSPACE / "store.duckdb"), read_only=True) as con:
        return con.execute(
            "SELECT kind, source, file, sha256, size_bytes, rows_read, rows_accepted, "
            "rows_rejected, started_at, finished_at FROM imports WHERE import_id = ?",
            [import_id],
        ).fetchone()


def test_an_import_and_its_rejects_are_recorded_with_the_responses(analyst, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    campaign = safety_campaign(analyst_ws, "kept")
    data = kobo_csv()
    summary = import_into_campaign(campaign, data, "kobo-may.csv", user=analyst)
    assert (summary.rows_read, summary.accepted, summary.added, summary.rejected_rows) == (
        4,
        2,
        2,
        2,
    )
    record = ResponseImport.objects.get(pk=summary.import_id)
    assert record.campaign == campaign and record.created_by == analyst
    assert (record.file_name, record.source, record.origin) == ("kobo-may.csv", "kobo", "")
    assert record.sha256 == hashlib.sha256(data).hexdigest() and record.size_bytes == len(data)
    assert (record.rows_read, record.accepted, record.added, record.already) == (4, 2, 2, 0)
    assert record.rejected_rows == 2 and record.sent_at is None
    assert record.started_at <= record.created_at
    kept = list(record.rejects.values_list("row", "column", "value", "reason", "kind"))
    assert kept == EXPECTED
    assert summary.previous is None
    # The same bytes again: recorded too, nothing added, the earlier import named.
    again = import_into_campaign(campaign, data, "kobo-may-again.csv", origin="demo")
    assert (again.added, again.already, again.rejected_rows) == (0, 2, 2)
    assert again.previous is not None and again.previous.pk == record.pk
    repeat = ResponseImport.objects.get(pk=again.import_id)
    assert (repeat.added, repeat.already, repeat.origin, repeat.sha256) == (
        0, 2, "demo", record.sha256,
    )  # fmt: skip
    assert list(campaign.imports.order_by("id")) == [record, repeat]
    assert campaign.responses.count() == 2 and ImportReject.objects.count() == 6


def test_a_file_that_cannot_be_read_records_nothing(analyst_db, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    from urbansafety.errors import InputError

    campaign = safety_campaign(analyst_ws, "broken")
    with pytest.raises(InputError):
        import_into_campaign(campaign, b"nothing;useful\n1;2\n", "other.csv")
    assert not ResponseImport.objects.exists() and not campaign.responses.exists()


def test_long_values_are_cut_to_the_column_size() -> None:
    assert clip("x" * 600, REJECT_VALUE_MAX) == "x" * (REJECT_VALUE_MAX - 1) + "…"
    assert clip("short", REJECT_VALUE_MAX) == "short"
    assert ImportReject._meta.get_field("value").max_length == REJECT_VALUE_MAX


def upload(client: Client, slug: str, name: str = "kobo-may.csv", **headers: str):  # type: ignore[no-untyped-def]
    """Post kobo_csv() to the campaign's import page; return the response."""
    file = io.BytesIO(kobo_csv())
    file.name = name
    url = reverse("analyst-import", kwargs={"slug": slug})
    return client.post(url, {"file": file, "source": "auto"}, **headers)


def test_past_imports_are_listed_with_their_rejects_and_a_csv(analyst_client, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    safety_campaign(analyst_ws, "listed")
    page = upload(analyst_client, "listed", HTTP_ACCEPT_LANGUAGE="en")
    record = ResponseImport.objects.get()
    rejects_url = reverse("analyst-import-rejects", kwargs={"slug": "listed", "pk": record.pk})
    csv_url = reverse("analyst-import-rejects-csv", kwargs={"slug": "listed", "pk": record.pk})
    html = page.content.decode()
    assert f'href="{rejects_url}"' in html and f'href="{csv_url}"' in html
    campaign_page = analyst_client.get(
        reverse("analyst-campaign", kwargs={"slug": "listed"}), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Imported files" in campaign_page
    assert f'<a href="{rejects_url}">kobo-may.csv</a>' in campaign_page
    assert "<td>KoboToolbox</td>" in campaign_page
    assert '<td class="num">4</td>\n        <td class="num">2</td>' in campaign_page
    assert '<td class="num">2</td>\n        <td>not yet</td>' in campaign_page
    assert "<td>not yet</td>" in campaign_page
    # the import's page, in English then in French
    english = analyst_client.get(rejects_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        '<td class="num">3</td><td><code>safety/safe_dark</code></td><td>not_a_code</td>'
        "<td>Choose one of the proposed answers.</td>" in english
    )
    assert '<td class="num">4</td><td><code>about/neighbourhood</code></td><td>Q99</td>' in english
    assert '<td class="num">4</td><td><code>_uuid</code></td><td></td>' in english
    assert '<th scope="row">Rows rejected</th><td class="num">2</td>' in english
    french = analyst_client.get(rejects_url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Choisissez l&#x27;une des réponses proposées." in french
    assert "Valeurs rejetées" in french and "identifiant de réponse manquant" in french
    # the CSV: every reject, reasons in the page's language
    download = analyst_client.get(csv_url, HTTP_ACCEPT_LANGUAGE="en")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert f'filename="listed-import-{record.pk}-rejects.csv"' in download["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == ["row", "column", "value", "reason"]
    assert rows[1:] == [[str(r), c, v, reason] for r, c, v, reason, _ in EXPECTED]
    french_csv = analyst_client.get(csv_url, HTTP_ACCEPT_LANGUAGE="fr").content.decode("utf-8-sig")
    assert "identifiant de réponse manquant" in french_csv


def test_the_forms_own_messages_are_shown_in_the_pages_language(analyst_client, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    campaign = safety_campaign(analyst_ws, "own-messages")
    row = ROWS[0].replace(";very_unsafe;", ";;").replace("-000000000001;", "-000000000009;")
    data = ("\n".join([HEADER, row]) + "\n").encode()
    summary = import_into_campaign(campaign, data, "kobo-empty.csv")
    reject = ImportReject.objects.get(response_import_id=summary.import_id)
    assert (reject.row, reject.column, reject.kind) == (
        2, "safety/safe_dark", "required answer missing",
    )  # fmt: skip
    assert reject.reason.startswith("Please choose an answer.")
    url = reverse(
        "analyst-import-rejects", kwargs={"slug": "own-messages", "pk": summary.import_id}
    )
    french = analyst_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Veuillez choisir une réponse. Vous pouvez choisir « Je préfère ne pas répondre »." in (
        french
    )
    english = analyst_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Please choose an answer. You can choose &quot;I prefer not to answer&quot;." in english


def test_an_import_of_another_campaign_or_without_login_is_not_shown(
    analyst_client, analyst_ws
) -> None:  # type: ignore[no-untyped-def]
    campaign = safety_campaign(analyst_ws, "mine")
    safety_campaign(analyst_ws, "other")
    record = ResponseImport.objects.get(
        pk=import_into_campaign(campaign, kobo_csv(), "kobo.csv").import_id
    )
    for name in ("analyst-import-rejects", "analyst-import-rejects-csv"):
        wrong = reverse(name, kwargs={"slug": "other", "pk": record.pk})
        assert analyst_client.get(wrong).status_code == 404
        right = reverse(name, kwargs={"slug": "mine", "pk": record.pk})
        anonymous = Client().get(right)
        assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_rejects_go_to_the_store_once_with_an_imports_row(analyst_db, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    campaign = safety_campaign(analyst_ws, "to-store")
    data = kobo_csv()
    first = ResponseImport.objects.get(
        pk=import_into_campaign(campaign, data, "kobo-store.csv").import_id
    )
    assert send_to_store(campaign, analyst_ws) == (2, 0)
    first.refresh_from_db()
    assert first.sent_at is not None
    import_id = store_import_id(first)
    row = stored_import(import_id)
    assert row is not None
    assert row[:8] == (
        "survey_import", "kobo", "kobo-store.csv", first.sha256, len(data), 4, 2, 2,
    )  # fmt: skip
    assert row[9] >= row[8]
    expected = [(r, c, v, kind) for r, c, v, _, kind in EXPECTED]
    assert stored_rejects(import_id) == expected
    # A second send adds nothing; a repeat import is sent once, under its own id.
    assert send_to_store(campaign, analyst_ws) == (0, 0)
    assert stored_rejects(import_id) == expected
    repeat = ResponseImport.objects.get(
        pk=import_into_campaign(campaign, data, "kobo-store.csv").import_id
    )
    assert send_to_store(campaign, analyst_ws) == (0, 0)  # no response, but the import is sent
    repeat.refresh_from_db()
    assert repeat.sent_at is not None and stored_rejects(store_import_id(repeat)) == expected
    assert send_to_store(campaign, analyst_ws) == (0, 0)
    # an import whose marks were lost after the store committed is not written twice
    ResponseImport.objects.filter(pk=first.pk).update(sent_at=None)
    assert send_to_store(campaign, analyst_ws) == (0, 0)
    assert stored_rejects(import_id) == expected
    # what `urbansafety rejects` and `urbansafety info` read
    listed = list_rejects(analyst_ws, file="kobo-store.csv", limit=None)
    assert sorted(listed) == sorted([("kobo-store.csv", r, c, v, k) for r, c, v, k in expected] * 2)
    info = summarise(analyst_ws, last=100)
    assert ("kobo-store.csv", "answer not among the choices", 2) in info.rejects
    assert any(i[0] == "survey_import" and i[2] == "kobo-store.csv" for i in info.imports)


LOCKER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1])
    print("locked", flush=True)
    sys.stdin.readline()
    """
)


def test_a_locked_store_loses_no_reject(analyst_client, analyst_ws) -> None:  # type: ignore[no-untyped-def]
    campaign = safety_campaign(analyst_ws, "locked-rejects")
    upload(analyst_client, "locked-rejects", name="kobo-locked.csv", HTTP_ACCEPT_LANGUAGE="en")
    record = ResponseImport.objects.get(campaign=campaign)
    send_url = reverse("analyst-send-to-store", kwargs={"slug": "locked-rejects"})
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(analyst_ws.store_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
        page = analyst_client.post(send_url, follow=True, HTTP_ACCEPT_LANGUAGE="en")
        assert "The store cannot be opened" in page.content.decode()
        record.refresh_from_db()
        assert record.sent_at is None and record.rejects.count() == 3
        assert campaign.responses.filter(exported_at__isnull=True).count() == 2
    finally:
        locker.communicate("\n", timeout=30)
    assert stored_import(store_import_id(record)) is None
    page = analyst_client.post(send_url, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    sent = page.content.decode()
    assert "2 new response(s), 0 already there." in sent
    assert "1 imported file(s) recorded in the store, with their rejected rows" in sent
    record.refresh_from_db()
    assert record.sent_at is not None
    assert stored_rejects(store_import_id(record)) == [
        (r, c, v, kind) for r, c, v, _, kind in EXPECTED
    ]
    rejects_page = analyst_client.get(
        reverse("analyst-import-rejects", kwargs={"slug": "locked-rejects", "pk": record.pk}),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "Rejects written to the workspace store on" in rejects_page
