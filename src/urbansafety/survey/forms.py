"""The questionnaires of a workspace: built-in templates copied into `surveys/` for editing.

A questionnaire is an XLSForm (the KoboToolbox / ODK spreadsheet standard) that the analyst
edits in Excel, LibreOffice or KoboToolbox; the package ships ready ones in `templates/`.
"""

from __future__ import annotations

import shutil
from importlib.resources import as_file, files
from pathlib import Path

from urbansafety.errors import InputError
from urbansafety.i18n import N_
from urbansafety.workspace import Workspace

FOLDER = "surveys"
# Built-in templates: name → file in urbansafety/survey/templates/.
TEMPLATES = {"safety": "safety.xlsx"}


def template_path(name: str) -> Path:
    """Return the path of a built-in template inside the installed package."""
    if name not in TEMPLATES:
        raise InputError(
            N_("No questionnaire template named %(name)s."),
            hint=N_("Templates: %(templates)s."),
            params={"name": name, "templates": ", ".join(sorted(TEMPLATES))},
        )
    resource = files("urbansafety") / "survey" / "templates" / TEMPLATES[name]
    with as_file(resource) as path:
        return Path(path)


def new_form(ws: Workspace, template: str, *, name: str | None = None, force: bool = False) -> Path:
    """Copy a built-in template into the workspace's surveys/ folder and return the new file.

    An existing questionnaire is never overwritten unless `force` is given: it holds the
    analyst's edits.
    """
    source = template_path(template)
    folder = ws.path / FOLDER
    folder.mkdir(exist_ok=True)
    target = folder / f"{name or template}.xlsx"
    if target.exists() and not force:
        raise InputError(
            N_("%(file)s already exists: it may hold your edits."),
            hint=N_("Choose another --name, or add --force to replace it with the template."),
            params={"file": str(target)},
        )
    shutil.copyfile(source, target)
    return target
