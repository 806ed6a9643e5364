"""URLs of the surveys app: respondent pages here, analyst pages in urls_analyst.py."""

from __future__ import annotations

from django.urls import include, path

from urbansafety.web.surveys import views_respond as views

urlpatterns = [
    path("analyst/", include("urbansafety.web.surveys.urls_analyst")),
    path("s/<slug:slug>/", views.landing, name="respond-landing"),
    path("s/<slug:slug>/page/", views.page, name="respond-page"),
    path("s/<slug:slug>/all/", views.one_page, name="respond-all"),
    path("s/<slug:slug>/relevant/", views.relevant, name="respond-relevant"),
    path("s/<slug:slug>/saved/", views.saved, name="respond-saved"),
    path("s/<slug:slug>/resume/<str:key>/", views.resume, name="respond-resume"),
    path("s/<slug:slug>/thanks/", views.thanks, name="respond-thanks"),
]
