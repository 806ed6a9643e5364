"""Live counts of a campaign for its analyst: responses by neighbourhood against quotas, by day.

These counts are internal (small counts are shown): the pages say so, and nothing here is
published; published figures go through :mod:`urbansafety.disclosure`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.utils import timezone

from urbansafety.web.surveys.models import Campaign


@dataclass(frozen=True)
class QuotaRow:
    """One neighbourhood: its responses, its target (None without quota) and the share reached."""

    code: str
    name: str
    responses: int
    target: int | None

    @property
    def share(self) -> float | None:
        """Return responses / target (None without a positive target)."""
        return self.responses / self.target if self.target else None


@dataclass(frozen=True)
class CampaignCounts:
    """A campaign's counts: total, last response, invitations used / unused."""

    responses: int
    last_response: dt.datetime | None
    invitations_used: int
    invitations_unused: int


def campaign_counts(campaign: Campaign) -> CampaignCounts:
    """Return the campaign's response and invitation counts."""
    stats = campaign.responses.aggregate(n=Count("id"), last=Max("submitted_at"))
    used = campaign.invitations.filter(used_at__isnull=False).count()
    total = campaign.invitations.count()
    return CampaignCounts(stats["n"], stats["last"], used, total - used)


def quota_rows(campaign: Campaign, names: list[tuple[str, str]]) -> list[QuotaRow]:
    """Return one row per neighbourhood (layer order), then codes answered but not in the layer.

    ``names`` is the layer's (code, name); a response without a neighbourhood counts under "".
    """
    counts = dict(
        campaign.responses.values_list("neighbourhood").annotate(n=Count("id")).order_by()
    )
    targets = dict(campaign.quotas.values_list("neighbourhood", "target"))
    rows = [QuotaRow(code, name, counts.get(code, 0), targets.get(code)) for code, name in names]
    known = {code for code, _ in names}
    extra = sorted((set(counts) | set(targets)) - known)
    rows += [QuotaRow(code, code, counts.get(code, 0), targets.get(code)) for code in extra]
    return rows


def responses_per_day(campaign: Campaign) -> list[tuple[dt.date, int]]:
    """Return (day, responses) for each day with responses, in the server's time zone."""
    rows = (
        campaign.responses.annotate(
            day=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone())
        )
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    return [(day, n) for day, n in rows]


def campaign_status(campaign: Campaign, now: dt.datetime | None = None) -> str:
    """Return 'scheduled', 'open' or 'closed' for the campaign at now."""
    moment = now or timezone.now()
    if campaign.closes_at and moment >= campaign.closes_at:
        return "closed"  # even if it never opened: "close now" on a scheduled campaign
    if campaign.opens_at and moment < campaign.opens_at:
        return "scheduled"
    return "open"
