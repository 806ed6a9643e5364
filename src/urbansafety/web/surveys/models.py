"""Campaigns, invitations, quotas, drafts and responses.

A campaign freezes its questionnaire (the XLSForm's bytes) when it is created: the form that a
respondent fills never changes under them, and an export can always be read against it. No model
stores an IP address or a user agent; invitation tokens and resume keys are stored hashed.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


def token_hash(token: str) -> str:
    """Return the SHA-256 of a token (invitations and resume links are stored only hashed)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Campaign(models.Model):
    """A questionnaire open to the public for a period, with its public link."""

    slug = models.SlugField(unique=True, max_length=60)  # the public link: /s/<slug>/
    title_fr = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    survey = models.CharField(max_length=60)  # the name responses get in the workspace store
    form_name = models.CharField(max_length=200)  # the XLSForm's file name, for people
    form_xlsx = models.BinaryField()  # the questionnaire, frozen at creation
    # SHA-256 of form_xlsx, set on save: the parsed form is cached by it (see formcache.py).
    form_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    form_version = models.CharField(max_length=60, blank=True)
    languages = models.CharField(max_length=20, default="fr,en")  # the first is the default
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    invitation_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-created_at"]
        # Analysts have it (`serve --create-analyst`); follow-up accounts (`--create-viewer`) do
        # not: they see the campaigns and their counts, never the responses nor any change.
        permissions = [("handle_responses", "Can manage campaigns and handle their responses")]

    def __str__(self) -> str:
        return self.slug

    def save(self, *args: object, **kwargs: object) -> None:
        """Save, recording the hash of the frozen questionnaire."""
        if self.form_xlsx is not None and "form_xlsx" not in self.get_deferred_fields():
            self.form_sha256 = hashlib.sha256(bytes(self.form_xlsx)).hexdigest()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "form_xlsx" in update_fields:
                kwargs["update_fields"] = {*update_fields, "form_sha256"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        """Return the path of the public form's landing page."""
        from django.urls import reverse

        return reverse("respond-landing", args=[self.slug])

    def title(self, lang: str) -> str:
        """Return the title in lang, else in the other language."""
        first, second = (
            (self.title_en, self.title_fr) if lang == "en" else (self.title_fr, self.title_en)
        )
        return first or second

    def language_list(self) -> list[str]:
        """Return the campaign's languages, the default first."""
        return [code for code in self.languages.split(",") if code]

    def is_open(self, now: object = None) -> bool:
        """Return whether the campaign accepts responses now."""
        moment = now or timezone.now()
        if self.opens_at and moment < self.opens_at:
            return False
        return not (self.closes_at and moment >= self.closes_at)


class Invitation(models.Model):
    """A single-use invitation: only the token's hash is kept."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)


class QuotaTarget(models.Model):
    """How many responses the analyst wants from one neighbourhood (a code of the layer)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="quotas")
    neighbourhood = models.CharField(max_length=60)
    target = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "neighbourhood"], name="one_quota_per_area")
        ]


class Draft(models.Model):
    """Answers so far, kept for save and resume; found by the hash of the key in the link."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="drafts")
    resume_hash = models.CharField(max_length=64, unique=True)
    submission_key = models.UUIDField(default=uuid.uuid4)  # becomes the response's idempotency key
    invitation = models.ForeignKey(Invitation, null=True, blank=True, on_delete=models.SET_NULL)
    answers = models.JSONField(default=dict)
    language = models.CharField(max_length=5, default="fr")
    page = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)


class Response(models.Model):
    """A submitted response: cleaned answers as JSON, stored once per submission key."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    submission_key = models.UUIDField()  # idempotency: a resubmission finds the stored response
    submitted_at = models.DateTimeField(default=timezone.now)
    language = models.CharField(max_length=5)
    answers = models.JSONField()
    neighbourhood = models.CharField(max_length=60, blank=True, db_index=True)
    source = models.CharField(max_length=20, default="web")  # web, kobo, limesurvey, demo
    exported_at = models.DateTimeField(null=True, blank=True)  # sent to the workspace store

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "submission_key"], name="one_response_per_key"
            )
        ]

    @property
    def response_id(self) -> str:
        """Return the id the response has in the workspace store."""
        return str(self.submission_key)


# Longest value kept of a refused cell; the reader already shortens cells, this guards the column.
REJECT_VALUE_MAX = 500


def clip(text: str, limit: int) -> str:
    """Return text cut to limit characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ResponseImport(models.Model):
    """One CSV file imported into a campaign: what it held, what was added, when, by whom.

    Every upload is recorded, a repeat of the same file too (it adds no response; its
    ``sha256`` shows it is the same file). Its refused rows are kept in ``ImportReject`` and,
    once the campaign is sent to the workspace store (``sent_at``), in the store's rejects.
    """

    SOURCES = [
        ("kobo", "KoboToolbox"),
        ("limesurvey", "LimeSurvey"),
        ("urbansafety", "urbansafety"),
    ]

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="imports")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)  # of the file's bytes
    size_bytes = models.PositiveBigIntegerField(default=0)
    source = models.CharField(max_length=20, choices=SOURCES)  # the file's layout
    origin = models.CharField(max_length=20, blank=True)  # Response.source instead (e.g. demo)
    rows_read = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    already = models.PositiveIntegerField(default=0)
    rejected_rows = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)  # when the import was committed
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(null=True, blank=True)  # written to the workspace store

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.file_name}"


class ImportReject(models.Model):
    """One refused value of an import: row of the file (header = 1), column, value, reason.

    ``reason`` is the English message (a msgid when it has no parameters); ``kind`` the short
    English msgid shared by every row refused for the same reason, what the store keeps.
    """

    response_import = models.ForeignKey(
        ResponseImport, on_delete=models.CASCADE, related_name="rejects"
    )
    row = models.PositiveIntegerField()
    column = models.CharField(max_length=255, blank=True)
    value = models.CharField(max_length=REJECT_VALUE_MAX, blank=True)
    reason = models.TextField()
    kind = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["row", "id"]
