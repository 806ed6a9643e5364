"""Analyst login and the page shown once django-axes locks a client out."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache


@method_decorator(never_cache, name="dispatch")
class AnalystLoginView(LoginView):
    """The login page (bilingual); a signed-in analyst goes straight to the campaigns."""

    template_name = "analyst/login.html"
    redirect_authenticated_user = True


class AnalystLogoutView(LogoutView):
    """Log out (a POST) and return to the login page, saying so."""

    next_page = "analyst-login"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Log the analyst out and say it on the login page."""
        response = super().post(request, *args, **kwargs)
        messages.info(request, gettext("You are logged out."))
        return response


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """Return the page shown to a client locked out by django-axes (AXES_LOCKOUT_CALLABLE)."""
    hours = getattr(settings, "AXES_COOLOFF_TIME", 1)
    context = {"hours": hours, "limit": getattr(settings, "AXES_FAILURE_LIMIT", 5)}
    return render(request, "analyst/locked_out.html", context, status=429)
