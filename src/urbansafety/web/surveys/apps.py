"""The surveys application."""

from __future__ import annotations

from django.apps import AppConfig


class SurveysConfig(AppConfig):
    """Survey campaigns and their responses."""

    name = "urbansafety.web.surveys"
    label = "surveys"
    default_auto_field = "django.db.models.BigAutoField"
