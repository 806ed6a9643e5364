"""The urbansafety command line (Typer): init, import, info, demo."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from urbansafety.errors import UrbanSafetyError
from urbansafety.i18n import LANGUAGES, N_, format_count, format_share, translator
from urbansafety.ingest.records import ImportReport
from urbansafety.workspace import open_workspace

STAGES = (N_("read"), N_("validate"), N_("locate"), N_("write"))
KINDS = (N_("incidents"), N_("persons"), N_("territories"), N_("population"), N_("sites"))


def detect_language(argv: list[str]) -> str:
    """Return the language for messages: --lang, then URBANSAFETY_LANG, the workspace's, LANG."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGUAGES:
            return argv[i + 1]
        if arg.startswith("--lang=") and arg.split("=", 1)[1] in LANGUAGES:
            return arg.split("=", 1)[1]
    env = os.environ.get("URBANSAFETY_LANG", "")
    if env in LANGUAGES:
        return env
    folder = Path(".")
    for i, arg in enumerate(argv):
        if arg == "--workspace" and i + 1 < len(argv):
            folder = Path(argv[i + 1])
        elif arg.startswith("--workspace="):
            folder = Path(arg.split("=", 1)[1])
    try:
        return open_workspace(folder).config.language
    except UrbanSafetyError:
        pass
    return "en" if os.environ.get("LANG", "").startswith("en") else "fr"


def build_app(lang: str = "fr") -> typer.Typer:
    """Return the Typer application with help and messages in lang."""
    _ = translator(lang)
    from urbansafety.cli_commands import register

    app = typer.Typer(
        name="urbansafety",
        help=_(
            "Local safety diagnostic: crime portraits, hot spots, surveys and reports for a territory."
        ),
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
    )
    register(app, _, lang)
    return app


def show_error(err: UrbanSafetyError, gettext: Callable[[str], str], console: Console) -> None:
    """Print an error for people: where, what, and a hint; no traceback."""
    message, hint = err.render(gettext)
    where = str(err.where) if err.where is not None else ""
    label, hint_label = gettext("Error"), gettext("Hint")
    console.print(
        f"[bold red]{label}[/]: {where + ': ' if where else ''}{message}", highlight=False
    )
    if hint:
        console.print(f"[yellow]{hint_label}[/]: {hint}", highlight=False)


def progress_bar(
    console: Console, gettext: Callable[[str], str], quiet: bool
) -> tuple[Callable[[str], None], Callable[[], None]]:
    """Return (advance(stage), stop()) for a rich progress bar over the import stages."""
    if quiet:
        return (lambda stage: None), (lambda: None)
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task(gettext("Import"), total=len(STAGES))
    bar.start()

    def advance(stage: str) -> None:
        done = STAGES.index(stage) if stage in STAGES else 0
        bar.update(task, completed=done, description=gettext("Import") + " — " + gettext(stage))

    def stop() -> None:
        bar.update(task, completed=len(STAGES))
        bar.stop()

    return advance, stop


def print_report(
    report: ImportReport, gettext: Callable[[str], str], console: Console, lang: str = "fr"
) -> None:
    """Print an import's summary: read / accepted / rejected by reason / unknown location."""
    _ = gettext

    def n(value: int) -> str:
        return format_count(value, lang)

    def sign(value: int) -> str:
        return "+" if value >= 0 else "−"

    if report.skipped:
        console.print(
            _("%(file)s: already imported (same content); nothing changed.") % {"file": report.file}
        )
        return
    console.print(
        _(
            "%(file)s → %(kind)s (source %(source)s): %(read)s rows read, %(accepted)s accepted, %(rejected)s rejected."
        )
        % {
            "file": report.file,
            "kind": _(report.kind),
            "source": report.source,
            "read": n(report.rows_read),
            "accepted": n(report.rows_accepted),
            "rejected": n(report.rows_rejected),
        },
        highlight=False,
    )
    for reason, count in report.rejected_by_reason.items():
        console.print(f"  {_('rejected')}: {_(reason)}: {n(count)}", highlight=False)
    if report.kind == "incidents":
        share = report.rows_unlocated / report.rows_accepted if report.rows_accepted else 0.0
        console.print(
            _("Unknown location: %(n)s (%(share)s), kept in every total their attributes allow.")
            % {"n": n(report.rows_unlocated), "share": format_share(share, lang)},
            highlight=False,
        )
        for issue, count in report.unlocated_by_issue.items():
            console.print(f"  {_(issue)}: {n(count)}", highlight=False)
    if report.encoding and report.encoding not in ("utf-8", "xlsx", "parquet"):
        console.print(
            _("Text encoding found: %(encoding)s.") % {"encoding": report.encoding}, highlight=False
        )
    if report.replaces:
        console.print(
            _("This new release replaces the previous import of source %(source)s.")
            % {"source": report.source},
            highlight=False,
        )
        for year, category, before, after in report.changes:
            console.print(
                f"  {year} {category}: {n(before)} → {n(after)} ({sign(after - before)}{n(abs(after - before))})",
                highlight=False,
            )
        if not report.changes:
            console.print("  " + _("No change by year and category."))
    if report.rows_rejected:
        console.print(
            _("Rejected rows are kept in the rejects table: urbansafety info shows them by reason.")
        )


def main(argv: list[str] | None = None) -> None:
    """Run the command line; an UrbanSafetyError prints a clear message and exits with status 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    lang = detect_language(args)
    gettext = translator(lang)
    console = Console(stderr=True)
    app = build_app(lang)
    try:
        # Standalone mode handles usage errors (exit 2) and --help; our errors come through.
        app(args=args, prog_name="urbansafety")
    except UrbanSafetyError as err:
        show_error(err, gettext, console)
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
