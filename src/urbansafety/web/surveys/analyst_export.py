"""A campaign's responses as a CSV or XLSX file, with codes or labels, in French or English."""

from __future__ import annotations

import io
from typing import Any

from urbansafety.web.surveys.analyst_campaign import campaign_questionnaire, territories
from urbansafety.web.surveys.models import Campaign

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def response_rows(campaign: Campaign) -> list[dict[str, Any]]:
    """Return the campaign's responses as the row dicts that survey.exports reads."""
    return [
        {
            "response_id": r.response_id,
            "submitted_at": r.submitted_at,
            "language": r.language,
            "source": r.source,
            "answers": r.answers,
        }
        for r in campaign.responses.order_by("submitted_at", "id")
    ]


def export_file(campaign: Campaign, *, kind: str, labels: bool, lang: str) -> tuple[bytes, str]:
    """Return (the file's bytes, its file name) for kind 'csv' or 'xlsx'."""
    from urbansafety.survey.exports import export_table, write_csv, write_xlsx

    form = campaign_questionnaire(campaign)
    rows = response_rows(campaign)
    frame = export_table(form, rows, labels=labels, lang=lang, territories=territories() or None)
    buffer = io.BytesIO()
    if kind == "xlsx":
        write_xlsx(frame, buffer, form=form, lang=lang)
    else:
        write_csv(frame, buffer)
    name = f"{campaign.slug}-{'labels' if labels else 'codes'}-{lang}.{kind}"
    return buffer.getvalue(), name
