"""What the analyst pages read around a campaign: its questionnaire, the workspace, its territories."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from urbansafety.survey.answers import Territories
from urbansafety.survey.model import Questionnaire
from urbansafety.web.surveys import formcache
from urbansafety.web.surveys.models import Campaign
from urbansafety.workspace import Workspace, open_workspace

NEIGHBOURHOOD_LAYER = "neighbourhood"


def current_workspace() -> Workspace:
    """Return the workspace the web app serves (settings.WORKSPACE, read at each call for tests)."""
    return open_workspace(Path(settings.WORKSPACE))


def campaign_questionnaire(campaign: Campaign) -> Questionnaire:
    """Return the questionnaire frozen in the campaign (parsed once per process and version)."""
    return formcache.campaign_form(campaign)


def territories() -> Territories:
    """Return the app's workspace territories (the last list read when the store is locked)."""
    return formcache.workspace_territories()


def neighbourhoods() -> list[tuple[str, str]]:
    """Return (code, name) of the workspace's neighbourhoods, ordered by name (empty if none)."""
    layers = territories()
    found = []
    for code, name in layers.get(NEIGHBOURHOOD_LAYER, []):
        found.append((code, name if isinstance(name, str) else name.get("fr")))
    return found


def neighbourhood_question(form: Questionnaire) -> str | None:
    """Return the name of the form's neighbourhood question (on the neighbourhood layer), if any."""
    for question in form.questions():
        if question.type == "neighbourhood" and question.layer == NEIGHBOURHOOD_LAYER:
            return question.name
    for question in form.questions():
        if question.type == "neighbourhood":
            return question.name
    return None


def workspace_forms(ws: Workspace) -> list[str]:
    """Return the file names of the questionnaires in the workspace's surveys/ folder."""
    folder = ws.path / "surveys"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.glob("*.xlsx") if not p.name.startswith("~$"))
