"""The commands of the urbansafety CLI, registered with their help in the chosen language.

No `from __future__ import annotations` here: Typer reads the annotations, whose help texts
are translated at registration, so they must be evaluated where they are written.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from urbansafety.workspace import init_workspace, open_workspace


def register(app: typer.Typer, _: Callable[[str], str], language: str = "fr") -> None:
    """Add every command to app, with help texts translated by _."""
    from urbansafety.info import print_info

    out = Console()
    Workspace = Annotated[
        Path,
        typer.Option(
            "--workspace", "-w", help=_("Workspace folder (default: the current folder).")
        ),
    ]
    Lang = Annotated[str, typer.Option("--lang", help=_("Language of messages: fr or en."))]
    Quiet = Annotated[
        bool, typer.Option("--quiet", "-q", help=_("Print nothing but errors (for scripts)."))
    ]
    # The options that choose what a report covers (portrait, hotspots).
    Territory = Annotated[
        str | None,
        typer.Option(
            help=_("Territory as LAYER:CODE, e.g. borough:B1 (default: the whole territory).")
        ),
    ]
    Years = Annotated[
        str | None, typer.Option(help=_("Period, e.g. 2018-2022 (default: every year)."))
    ]
    Theme = Annotated[str | None, typer.Option(help=_("A theme defined in urbansafety.toml."))]
    Categories = Annotated[
        list[str] | None,
        typer.Option("--category", help=_("Only these categories (repeat the option).")),
    ]
    OutDir = Annotated[
        Path | None, typer.Option("--out", help=_("Folder for the files (default: reports/)."))
    ]

    @app.command(
        "init",
        help=_("Create a workspace: a commented urbansafety.toml, an empty store and reports/."),
    )
    def init(
        folder: Annotated[
            Path, typer.Argument(help=_("Folder to create (default: the current folder)."))
        ] = Path("."),
        name: Annotated[
            str, typer.Option(help=_("Name of the territory, shown in reports."))
        ] = "Territoire",
        name_en: Annotated[
            str,
            typer.Option(help=_("Name of the territory in English reports (default: --name).")),
        ] = "",
        crs: Annotated[
            str,
            typer.Option(
                help=_("Working coordinate system in metres (default EPSG:32188, Montréal).")
            ),
        ] = "EPSG:32188",
        lang: Lang = "fr",
        workspace: Workspace = Path("."),
        quiet: Quiet = False,
    ) -> None:
        target = folder if folder != Path(".") else workspace
        ws = init_workspace(target, name=name, crs=crs, language=lang, name_en=name_en)
        if not quiet:
            out.print(_("Workspace ready: %(path)s") % {"path": ws.path}, highlight=False)
            out.print(
                _("Edit %(config)s, then import your files with 'urbansafety import'.")
                % {"config": ws.path / "urbansafety.toml"},
                highlight=False,
            )

    @app.command(
        "info",
        help=_(
            "Summarise what is stored: tables, row counts, years, layers, last imports, rejects."
        ),
    )
    def info(workspace: Workspace = Path("."), lang: Lang = "fr") -> None:
        print_info(open_workspace(workspace), _, out, language)

    @app.command(
        "portrait",
        help=_(
            "Write the crime portrait of a territory (HTML report and Excel workbook of every table): "
            "counts, rates per 1,000 residents, trend, categories, times, comparison, ranking, persons "
            "involved and sites. Small counts are suppressed."
        ),
    )
    def portrait(
        territory: Territory = None,
        years: Years = None,
        compare: Annotated[
            str | None,
            typer.Option(
                help=_("Reference territory, LAYER:CODE or 'all' for the whole territory.")
            ),
        ] = None,
        theme: Theme = None,
        category: Categories = None,
        site_layer: Annotated[
            str | None, typer.Option(help=_("Layer of sites for the site-based portrait."))
        ] = None,
        hotspots: Annotated[
            bool,
            typer.Option(
                "--hotspots", help=_("Add the hot-spot chapter (maps, Gi*, Moran, near repeat).")
            ),
        ] = False,
        out_dir: OutDir = None,
        workspace: Workspace = Path("."),
        lang: Lang = "fr",
        quiet: Quiet = False,
    ) -> None:
        from urbansafety.portrait_run import run_portrait

        written = run_portrait(
            open_workspace(workspace),
            territory=territory,
            years=years,
            compare=compare,
            theme=theme,
            categories=list(category or []),
            lang=language,
            out=out_dir,
            site_layer=site_layer,
            hotspots=hotspots,
        )
        if not quiet:
            out.print(_("Report: %(path)s") % {"path": written.html}, highlight=False)
            out.print(_("Workbook: %(path)s") % {"path": written.workbook}, highlight=False)

    @app.command(
        "hotspots",
        help=_(
            "Find and map hot spots (HTML report, Excel workbook and the cells as GeoJSON): "
            "Getis-Ord Gi* with False Discovery Rate correction, global and local Moran's I, "
            "kernel density, emerging hot spots over the years, concentration (Lorenz, Gini) "
            "and the Knox near-repeat test. Settings in [hotspots] and [near_repeat] of "
            "urbansafety.toml. Small counts are suppressed."
        ),
    )
    def hotspots(
        territory: Territory = None,
        years: Years = None,
        theme: Theme = None,
        category: Categories = None,
        cells: Annotated[
            str | None, typer.Option(help=_("Cells: grid (squares) or h3 (hexagons)."))
        ] = None,
        cell: Annotated[
            float | None, typer.Option(help=_("Size of the grid's squares in metres."))
        ] = None,
        weights: Annotated[
            str | None, typer.Option(help=_("Neighbours: queen, rook, distance or knn."))
        ] = None,
        permutations: Annotated[
            int | None,
            typer.Option(
                help=_("Permutations for the pseudo p-values of Moran's I (999 by default).")
            ),
        ] = None,
        area_layer: Annotated[
            str | None,
            typer.Option(
                help=_("Territory layer of the rate map (default: the finest with population).")
            ),
        ] = None,
        out_dir: OutDir = None,
        workspace: Workspace = Path("."),
        lang: Lang = "fr",
        quiet: Quiet = False,
    ) -> None:
        from urbansafety.hotspots_run import hotspot_scope, run_hotspots, settings_with

        ws = open_workspace(workspace)
        scope, name = hotspot_scope(
            ws,
            territory=territory,
            years=years,
            theme=theme,
            categories=list(category or []),
            lang=language,
        )
        settings, size = settings_with(
            ws, cells=cells, cell=cell, weights=weights, permutations=permutations
        )
        written = run_hotspots(
            ws,
            scope,
            name,
            lang=language,
            out=out_dir,
            settings=settings,
            cell=size,
            area_layer=area_layer,
        )
        if not quiet:
            out.print(_("Report: %(path)s") % {"path": written.html}, highlight=False)
            out.print(_("Workbook: %(path)s") % {"path": written.workbook}, highlight=False)
            out.print(_("Cells (GeoJSON): %(path)s") % {"path": written.cells}, highlight=False)

    @app.command(
        "rejects",
        help=_(
            "List rejected rows (file, row, column, value, reason) so they can be fixed; "
            "--out writes them all to a CSV file."
        ),
    )
    def rejects(
        file: Annotated[
            str | None, typer.Option(help=_("Only the rejects of this imported file (its name)."))
        ] = None,
        limit: Annotated[int, typer.Option(help=_("How many rows to show."))] = 50,
        out_file: Annotated[
            Path | None, typer.Option("--out", help=_("Write every rejected row to this CSV file."))
        ] = None,
        workspace: Workspace = Path("."),
        lang: Lang = "fr",
    ) -> None:
        from urbansafety.info import list_rejects, print_rejects

        ws = open_workspace(workspace)
        if out_file is not None:
            import csv

            rows = list_rejects(ws, file=file, limit=None)
            with out_file.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(["file", "row", "column", "value", "reason", _("reason")])
                for file_name, row, column, value, reason in rows:
                    writer.writerow([file_name, row, column, value, reason, _(reason)])
            out.print(
                _("%(n)s rejected rows written to %(path)s") % {"n": len(rows), "path": out_file}
            )
            return
        print_rejects(list_rejects(ws, file=file, limit=limit), _, out)

    from urbansafety.cli_import import register_import

    register_import(app, _, out, language)

    @app.command(
        "demo",
        help=_(
            "Build a fictional demo city (files in real formats), import it with the import commands and run "
            "every analysis, writing the results under reports/."
        ),
    )
    def demo(
        workspace: Annotated[
            Path, typer.Option("--workspace", "-w", help=_("Folder of the demo workspace."))
        ] = Path("demo"),
        seed: Annotated[
            int, typer.Option(help=_("Random seed: the same seed gives the same city."))
        ] = 2024,
        incidents: Annotated[
            int, typer.Option(help=_("Number of incidents to generate."))
        ] = 150_000,
        lang: Lang = "fr",
        quiet: Quiet = False,
    ) -> None:
        from urbansafety.demo_run import run_demo

        run_demo(
            workspace,
            seed=seed,
            n_incidents=incidents,
            lang=lang,
            quiet=quiet,
            console=out,
            gettext=_,
        )

    from urbansafety.cli_survey import register_survey

    register_survey(app, _, language)

    from urbansafety.cli_serve import register_serve

    register_serve(app, _)
