"""The `urbansafety survey …` commands, registered with their help in the chosen language."""

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from urbansafety.workspace import open_workspace


def register_survey(app: typer.Typer, _: Callable[[str], str], language: str = "fr") -> None:
    """Add the survey commands to app, with help texts translated by _."""
    out = Console()
    survey = typer.Typer(
        help=_(
            "Citizen surveys on the feeling of safety: questionnaires (XLSForm), collection, analysis."
        ),
        no_args_is_help=True,
    )
    app.add_typer(survey, name="survey")

    @survey.command(
        "new",
        help=_(
            "Copy a ready questionnaire into the workspace (surveys/NAME.xlsx, an XLSForm) for you to "
            "adapt in Excel, LibreOffice or KoboToolbox. Template 'safety': feeling of safety and "
            "well-being, in French and English."
        ),
    )
    def new(
        template: Annotated[str, typer.Option(help=_("Template to copy: safety."))] = "safety",
        name: Annotated[
            str | None, typer.Option(help=_("File name in surveys/ (default: the template's)."))
        ] = None,
        force: Annotated[
            bool, typer.Option("--force", help=_("Replace an existing questionnaire."))
        ] = False,
        workspace: Annotated[
            Path,
            typer.Option(
                "--workspace", "-w", help=_("Workspace folder (default: the current folder).")
            ),
        ] = Path("."),
        lang: Annotated[
            str, typer.Option("--lang", help=_("Language of messages: fr or en."))
        ] = "fr",
        quiet: Annotated[
            bool, typer.Option("--quiet", "-q", help=_("Print nothing but errors (for scripts)."))
        ] = False,
    ) -> None:
        from urbansafety.survey.forms import new_form

        path = new_form(open_workspace(workspace), template, name=name, force=force)
        if not quiet:
            out.print(_("Questionnaire: %(path)s") % {"path": path}, highlight=False)
            out.print(
                _("Edit it (labels in both languages, local places and services), keep the names."),
                highlight=False,
            )

    from urbansafety.cli_survey_analysis import register_survey_analysis
    from urbansafety.cli_survey_io import register_survey_io

    register_survey_io(survey, _, out)
    register_survey_analysis(survey, _, out)
