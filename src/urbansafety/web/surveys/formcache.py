"""Per-process caches: each campaign's parsed questionnaire, and the workspace's territories.

A page or a submission must cost milliseconds: the XLSForm is parsed once per process and
campaign (keyed by the campaign's id and the SHA-256 of its frozen bytes, so a replaced form is
parsed again), and the territories are read from the store once, then again only when the
store file changes.
"""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

from django.conf import settings

from urbansafety.errors import UrbanSafetyError
from urbansafety.store import STORE_NAME
from urbansafety.survey.answers import Territories
from urbansafety.survey.model import Questionnaire
from urbansafety.web.surveys.models import Campaign

READ_ATTEMPTS = 3
_lock = threading.Lock()
_forms: dict[tuple[int, str], Questionnaire] = {}
_territories: dict[str, tuple[float, Territories]] = {}


def campaign_form(campaign: Campaign) -> Questionnaire:
    """Return the campaign's questionnaire, parsed once per process and form version."""
    from urbansafety.survey.xlsform import read_xlsform

    digest = campaign.form_sha256
    data: bytes | None = None
    if not digest:  # a row saved without the model's save(): hash its bytes now
        data = _form_bytes(campaign)
        digest = hashlib.sha256(data).hexdigest()
    key = (campaign.pk, digest)
    form = _forms.get(key)
    if form is None:
        form = read_xlsform(data or _form_bytes(campaign), filename=campaign.form_name or "")
        with _lock:
            _forms[key] = form
    return form


def _form_bytes(campaign: Campaign) -> bytes:
    if "form_xlsx" in campaign.get_deferred_fields():
        return bytes(Campaign.objects.values_list("form_xlsx", flat=True).get(pk=campaign.pk))
    return bytes(campaign.form_xlsx)


def workspace_territories() -> Territories:
    """Return the territories of the app's workspace (layer → [(code, name)]), read once per change.

    A workspace without a store, or a store locked by a writing command, gives the last list
    read (empty at first): neighbourhood questions then offer only the form's own rows.
    """
    from urbansafety.survey.territories import workspace_territories as read
    from urbansafety.workspace import open_workspace

    folder = Path(settings.WORKSPACE)
    store_file = folder / STORE_NAME
    try:
        stamp = store_file.stat().st_mtime
    except OSError:
        stamp = -1.0
    cached = _territories.get(str(folder))
    if cached is not None and cached[0] == stamp:
        return cached[1]
    found = None
    for attempt in range(READ_ATTEMPTS):
        try:
            found = read(open_workspace(folder))
            break
        except UrbanSafetyError:
            # A command may hold the store's write lock for a moment: wait, then fall back.
            if stamp < 0 or attempt + 1 == READ_ATTEMPTS:
                break
            time.sleep(0.1 * (attempt + 1))
    if found is None:  # kept until the store changes: the writer's end changes its time
        found = cached[1] if cached else {}
    with _lock:
        _territories[str(folder)] = (stamp, found)
    return found


def clear() -> None:
    """Forget every cached form and territory list, and the one-page blocks (tests)."""
    from urbansafety.web.surveys import respond_cache

    with _lock:
        _forms.clear()
        _territories.clear()
    respond_cache.clear()
