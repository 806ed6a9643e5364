"""Delete drafts nobody came back to: saved answers are kept only as long as they may resume."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from urbansafety.web.surveys.models import Draft

DEFAULT_DAYS = 60


class Command(BaseCommand):
    """``python -m django purgedrafts --days 60`` (with the settings of `urbansafety serve`)."""

    help = "Delete drafts not updated for --days days (default 60); print how many."

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare --days."""
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS)

    def handle(self, *args: object, **options: object) -> None:
        """Delete the old drafts."""
        days = int(options["days"])  # type: ignore[call-overload]
        cutoff = timezone.now() - timedelta(days=days)
        deleted, _ = Draft.objects.filter(updated_at__lt=cutoff).delete()
        self.stdout.write(str(deleted))
