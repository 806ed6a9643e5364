"""URLs: the respondent pages at /s/<slug>/, the analyst pages under /analyst/."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("urbansafety.web.surveys.urls")),
]
