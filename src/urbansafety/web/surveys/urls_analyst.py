"""URLs of the analyst pages (behind login)."""

from __future__ import annotations

from django.urls import path
from django.views.i18n import set_language

from urbansafety.web.surveys import views_analyst as views
from urbansafety.web.surveys.views_analyst_auth import AnalystLoginView, AnalystLogoutView

urlpatterns = [
    path("login/", AnalystLoginView.as_view(), name="analyst-login"),
    path("logout/", AnalystLogoutView.as_view(), name="analyst-logout"),
    path("language/", set_language, name="analyst-language"),
    path("", views.home, name="analyst-home"),
    path("campaigns/new/", views.campaign_new, name="analyst-campaign-new"),
    path("campaigns/<slug:slug>/", views.campaign_detail, name="analyst-campaign"),
    path("campaigns/<slug:slug>/edit/", views.campaign_edit, name="analyst-campaign-edit"),
    path("campaigns/<slug:slug>/close/", views.campaign_close, name="analyst-campaign-close"),
    path(
        "campaigns/<slug:slug>/invitations/",
        views.invitations_create,
        name="analyst-invitations",
    ),
    path("campaigns/<slug:slug>/export/", views.export, name="analyst-export"),
    path("campaigns/<slug:slug>/store/", views.send_to_store, name="analyst-send-to-store"),
    path("campaigns/<slug:slug>/import/", views.import_responses, name="analyst-import"),
    path(
        "campaigns/<slug:slug>/imports/<int:pk>/",
        views.import_rejects,
        name="analyst-import-rejects",
    ),
    path(
        "campaigns/<slug:slug>/imports/<int:pk>/rejects.csv",
        views.import_rejects_csv,
        name="analyst-import-rejects-csv",
    ),
]
