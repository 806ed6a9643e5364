"""URLs of the analyst pages (behind login)."""

from __future__ import annotations

urlpatterns: list[object] = []
