"""The `urbansafety survey import` and `survey export` commands (registered by cli_survey.py).

No `from __future__ import annotations` here: Typer reads the annotations, whose help texts
are translated at registration, so they must be evaluated where they are written.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from urbansafety.errors import InputError, Where
from urbansafety.i18n import N_
from urbansafety.workspace import open_workspace

KIND_LABEL = N_("survey_responses")  # the kind print_report names, translated there
FORMATS = (".csv", ".xlsx")


def form_path(workspace: Path, form: Path) -> Path:
    """Return the questionnaire file: as given, else inside the workspace (surveys/safety.xlsx)."""
    if form.exists():
        return form
    inside = workspace / form
    if not form.is_absolute() and inside.exists():
        return inside
    raise InputError(
        N_("No questionnaire at %(path)s."),
        hint=N_(
            "Copy the template into the workspace with 'urbansafety survey new --template "
            "safety', or give the XLSForm with --form."
        ),
        where=Where(file=str(inside if not form.is_absolute() else form)),
        params={"path": str(form)},
    )


def register_survey_io(survey: typer.Typer, _: Callable[[str], str], out: Console) -> None:
    """Add the commands to the survey group, with help texts translated by _."""
    from urbansafety import cli

    WorkspaceOpt = Annotated[
        Path,
        typer.Option(
            "--workspace", "-w", help=_("Workspace folder (default: the current folder).")
        ),
    ]
    FormOpt = Annotated[
        Path,
        typer.Option(
            "--form",
            help=_(
                "The questionnaire (XLSForm) the responses answer, as a file or relative to the "
                "workspace (default: surveys/safety.xlsx)."
            ),
        ),
    ]
    Lang = Annotated[str, typer.Option("--lang", help=_("Language of messages: fr or en."))]
    Quiet = Annotated[
        bool, typer.Option("--quiet", "-q", help=_("Print nothing but errors (for scripts)."))
    ]

    @survey.command(
        "import",
        help=_(
            "Import survey responses from a CSV export of KoboToolbox (values or labels, ; or ,), "
            "LimeSurvey (question codes) or urbansafety. Every row is checked against the "
            "questionnaire as the form would check it; a row with an error is kept in the rejects "
            "table. Importing the same file again changes nothing; only new response ids are added."
        ),
    )
    def import_(
        file: Annotated[Path, typer.Argument(help=_("CSV file of responses."))],
        form: FormOpt = Path("surveys/safety.xlsx"),
        survey_name: Annotated[
            str | None,
            typer.Option(
                "--survey",
                help=_("Name of the survey in the store (default: the form's file name)."),
            ),
        ] = None,
        source: Annotated[
            str,
            typer.Option(help=_("Layout of the file: auto, kobo, limesurvey or urbansafety.")),
        ] = "auto",
        workspace: WorkspaceOpt = Path("."),
        lang: Lang = "fr",
        quiet: Quiet = False,
    ) -> None:
        from urbansafety.survey.responses_import import import_responses
        from urbansafety.survey.xlsform import read_xlsform

        ws = open_workspace(workspace)
        path = form_path(workspace, form)
        questionnaire = read_xlsform(path)
        report = import_responses(
            ws, questionnaire, file, survey=survey_name or path.stem, source=source
        )
        if quiet:
            return
        cli.print_report(report, _, out, lang)
        if report.already_stored:
            out.print(
                _("%(n)s responses were already stored (same response id): not added again.")
                % {"n": report.already_stored},
                highlight=False,
            )
        if report.unknown_columns:
            out.print(
                _("Warning: columns that answer no question of the form (ignored): %(columns)s.")
                % {"columns": ", ".join(report.unknown_columns)},
                highlight=False,
            )

    @survey.command(
        "export",
        help=_(
            "Export a survey's stored responses as CSV (UTF-8 for Excel) or Excel (.xlsx, with a "
            "sheet describing the questions): one row per response, one column per question, "
            "answer codes or, with --labels, the answers' labels."
        ),
    )
    def export(
        survey_name: Annotated[str, typer.Option("--survey", help=_("Name of the survey."))],
        out_file: Annotated[Path, typer.Option("--out", help=_("File to write: .csv or .xlsx."))],
        form: FormOpt = Path("surveys/safety.xlsx"),
        labels: Annotated[
            bool, typer.Option("--labels", help=_("Write the answers' labels instead of codes."))
        ] = False,
        workspace: WorkspaceOpt = Path("."),
        lang: Lang = "fr",
        quiet: Quiet = False,
    ) -> None:
        from urbansafety.survey.exports import export_table, stored_rows, write_csv, write_xlsx
        from urbansafety.survey.territories import workspace_territories
        from urbansafety.survey.xlsform import read_xlsform

        if out_file.suffix.lower() not in FORMATS:
            raise InputError(
                N_("Cannot write %(suffix)s files."),
                hint=N_("Give --out a file name ending in .csv or .xlsx."),
                where=Where(file=str(out_file)),
                params={"suffix": out_file.suffix or out_file.name},
            )
        ws = open_workspace(workspace)
        questionnaire = read_xlsform(form_path(workspace, form))
        rows = stored_rows(ws, survey_name)
        frame = export_table(
            questionnaire, rows, labels=labels, lang=lang, territories=workspace_territories(ws)
        )
        if out_file.suffix.lower() == ".csv":
            write_csv(frame, out_file)
        else:
            write_xlsx(frame, out_file, form=questionnaire, lang=lang)
        if not quiet:
            out.print(
                _("%(n)s responses written to %(path)s") % {"n": len(frame), "path": out_file},
                highlight=False,
            )
