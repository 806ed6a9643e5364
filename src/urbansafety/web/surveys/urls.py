"""URLs of the surveys app (respondent and analyst pages)."""

from __future__ import annotations

urlpatterns: list[object] = []
