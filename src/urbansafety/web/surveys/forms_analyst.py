"""Forms of the analyst pages: campaign (create, edit), invitations, export, import."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from urbansafety.errors import UrbanSafetyError
from urbansafety.survey.model import Questionnaire
from urbansafety.web.surveys.models import Campaign, QuotaTarget

MAX_FORM_BYTES = 5 * 1024 * 1024  # an XLSForm is a few hundred kB; larger is not a form
MAX_INVITATIONS = 5000
SURVEY_NAME = re.compile(r"[^\W\d][\w.\-]{0,59}\Z")
LANGUAGE_CHOICES = [
    ("fr,en", _("French and English (French first)")),
    ("en,fr", _("English and French (English first)")),
    ("fr", _("French only")),
    ("en", _("English only")),
]


def error_text(exc: UrbanSafetyError) -> str:
    """Return an error's message, place and hint in the current language, as one text."""
    message, hint = exc.render(gettext)
    where = exc.where
    parts = []
    if where is not None:
        if where.file:
            parts.append(where.file)
        if where.row is not None:
            parts.append(gettext("row %(row)s") % {"row": where.row})
        if where.column:
            parts.append(gettext("column %(column)s") % {"column": where.column})
    text = f"{', '.join(parts)}: {message}" if parts else message
    return f"{text} {hint}" if hint else text


class DateTimeInput(forms.DateTimeInput):
    """A native date-and-time picker (no JavaScript needed)."""

    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class QuotaFieldsMixin:
    """Adds one optional target field per neighbourhood: quota_<code>."""

    fields: dict[str, forms.Field]

    def add_quota_fields(self, areas: list[tuple[str, str]], current: dict[str, int]) -> None:
        """Add the quota fields of the areas (code, name), filled with the current targets."""
        for code, name in areas:
            self.fields[f"quota_{code}"] = forms.IntegerField(
                label=f"{name} ({code})" if name != code else code,
                required=False,
                min_value=0,
                max_value=1_000_000,
                initial=current.get(code),
            )

    def quota_fields(self) -> list[forms.BoundField]:
        """Return the bound quota fields, in layer order."""
        return [self[name] for name in self.fields if name.startswith("quota_")]  # type: ignore[index]

    def save_quotas(self, campaign: Campaign) -> None:
        """Replace the campaign's quota targets by the ones filled in."""
        data: dict[str, Any] = self.cleaned_data  # type: ignore[attr-defined]
        campaign.quotas.all().delete()
        QuotaTarget.objects.bulk_create(
            QuotaTarget(campaign=campaign, neighbourhood=name[len("quota_") :], target=value)
            for name, value in data.items()
            if name.startswith("quota_") and value
        )


class CampaignForm(QuotaFieldsMixin, forms.ModelForm):
    """Create a campaign: its questionnaire (from the workspace or uploaded), link, dates, quotas."""

    workspace_form = forms.ChoiceField(
        label=_("Questionnaire of the workspace"),
        required=False,
        help_text=_("The XLSForm files in the workspace's surveys/ folder."),
    )
    upload = forms.FileField(
        label=_("Or upload an XLSForm (.xlsx)"),
        required=False,
        help_text=_("Saved from Excel or exported from KoboToolbox."),
    )
    languages = forms.ChoiceField(label=_("Languages"), choices=LANGUAGE_CHOICES)

    class Meta:
        model = Campaign
        fields = [
            "slug", "title_fr", "title_en", "survey", "languages", "opens_at", "closes_at",
            "invitation_only",
        ]  # fmt: skip
        labels = {
            "slug": _("Short name in the public link"),
            "title_fr": _("Title in French"),
            "title_en": _("Title in English"),
            "survey": _("Survey name in the workspace store"),
            "opens_at": _("Opens on"),
            "closes_at": _("Closes on"),
            "invitation_only": _("By invitation only (single-use links)"),
        }
        help_texts = {
            "slug": _("Lower-case letters, digits and hyphens, e.g. safety-2026."),
            "survey": _("Leave empty to use the short name; the analysis reads responses by it."),
            "opens_at": _("Leave empty to open now."),
            "closes_at": _("Leave empty to close by hand."),
        }
        widgets = {"opens_at": DateTimeInput(), "closes_at": DateTimeInput()}

    def __init__(
        self,
        *args: Any,
        workspace_forms: list[str],
        areas: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workspace_form"].choices = [("", "—")] + [(n, n) for n in workspace_forms]
        self.fields["survey"].required = False
        self.add_quota_fields(areas, {})
        self.form_bytes: bytes = b""
        self.form_name = ""
        self.questionnaire: Questionnaire | None = None
        self._folder_forms = set(workspace_forms)

    def clean(self) -> dict[str, Any]:
        """Check the dates and read the questionnaire (an XLSForm error names sheet, row, column)."""
        from urbansafety.survey.xlsform import read_xlsform

        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error(
                "closes_at", gettext("The closing date must come after the opening date.")
            )
        upload, chosen = data.get("upload"), data.get("workspace_form")
        if bool(upload) == bool(chosen):
            self.add_error(
                "upload",
                gettext("Choose a questionnaire of the workspace or upload one (not both)."),
            )
            return data
        if upload:
            if upload.size > MAX_FORM_BYTES:
                self.add_error("upload", gettext("This file is too large for a questionnaire."))
                return data
            self.form_bytes, self.form_name = upload.read(), upload.name
            field = "upload"
        else:
            from urbansafety.web.surveys.analyst_campaign import current_workspace

            if chosen not in self._folder_forms:  # only names listed: no path from the client
                self.add_error("workspace_form", gettext("Unknown questionnaire."))
                return data
            path = current_workspace().path / "surveys" / chosen
            self.form_bytes, self.form_name = path.read_bytes(), chosen
            field = "workspace_form"
        try:
            self.questionnaire = read_xlsform(self.form_bytes, filename=self.form_name)
        except UrbanSafetyError as exc:
            self.add_error(field, error_text(exc))
        return data

    def clean_survey(self) -> str:
        """Return the store's survey name: the one given, else the slug with underscores."""
        survey = (self.cleaned_data.get("survey") or "").strip()
        if not survey:
            survey = re.sub(r"[^a-z0-9_]", "_", str(self.data.get("slug", "")).lower())
        if not SURVEY_NAME.match(survey):
            # the survey commands refuse other names (urbansafety.survey.responses_import)
            raise forms.ValidationError(
                gettext("Start with a letter, then use letters, digits, _, - or . (no spaces).")
            )
        return survey

    def save(self, commit: bool = True) -> Campaign:
        """Save the campaign with its frozen questionnaire and its quotas."""
        campaign: Campaign = super().save(commit=False)
        campaign.form_xlsx = self.form_bytes
        campaign.form_name = self.form_name
        campaign.form_version = (self.questionnaire.version if self.questionnaire else "")[:60]
        if commit:
            campaign.save()
            self.save_quotas(campaign)
        return campaign


class CampaignEditForm(QuotaFieldsMixin, forms.ModelForm):
    """Edit a campaign's titles, dates, invitation flag and quotas (never its questionnaire)."""

    class Meta:
        model = Campaign
        fields = ["title_fr", "title_en", "opens_at", "closes_at", "invitation_only"]
        labels = CampaignForm.Meta.labels
        help_texts = {"closes_at": CampaignForm.Meta.help_texts["closes_at"]}
        widgets = CampaignForm.Meta.widgets

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = dict(self.instance.quotas.values_list("neighbourhood", "target"))
        self.add_quota_fields(areas, current)

    def clean(self) -> dict[str, Any]:
        """Check that the campaign closes after it opens."""
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error(
                "closes_at", gettext("The closing date must come after the opening date.")
            )
        return data

    def save(self, commit: bool = True) -> Campaign:
        """Save the campaign and its quotas."""
        campaign: Campaign = super().save(commit=commit)
        if commit:
            self.save_quotas(campaign)
        return campaign


class InvitationForm(forms.Form):
    """How many single-use invitation links to create."""

    count = forms.IntegerField(
        label=_("Number of invitations"), min_value=1, max_value=MAX_INVITATIONS, initial=50
    )


class ExportForm(forms.Form):
    """Which export: file type, codes or labels, language."""

    kind = forms.ChoiceField(
        label=_("File"),
        choices=[("xlsx", _("Excel (XLSX)")), ("csv", _("CSV (UTF-8)"))],
        widget=forms.RadioSelect,
        initial="xlsx",
    )
    values = forms.ChoiceField(
        label=_("Answers as"),
        choices=[("codes", _("codes (for analysis)")), ("labels", _("labels (for reading)"))],
        widget=forms.RadioSelect,
        initial="codes",
    )
    lang = forms.ChoiceField(
        label=_("Language of the labels"),
        choices=[("fr", "Français"), ("en", "English")],
        widget=forms.RadioSelect,
        initial="fr",
    )


class ImportForm(forms.Form):
    """A CSV export of KoboToolbox, LimeSurvey or urbansafety to add to the campaign."""

    file = forms.FileField(label=_("CSV file"))
    source = forms.ChoiceField(
        label=_("Exported by"),
        choices=[
            ("auto", _("detect from the columns")),
            ("kobo", "KoboToolbox"),
            ("limesurvey", "LimeSurvey"),
            ("urbansafety", "urbansafety"),
        ],
        initial="auto",
    )
