"""URLs of the surveys app: respondent pages here, analyst pages in urls_analyst.py."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("analyst/", include("urbansafety.web.surveys.urls_analyst")),
]
