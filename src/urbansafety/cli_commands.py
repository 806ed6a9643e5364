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
    from urbansafety import cli
    from urbansafety.info import print_info

    console = Console(stderr=True)
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
    Strict = Annotated[
        bool, typer.Option("--strict", help=_("Fail, importing nothing, if any row is rejected."))
    ]
    Mapping = Annotated[
        Path | None,
        typer.Option(
            "--mapping", "-m", help=_("Mapping file (TOML) naming the columns of your table.")
        ),
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

    imp = typer.Typer(
        help=_("Import a file into the workspace (one transaction: all or nothing)."),
        no_args_is_help=True,
    )
    app.add_typer(imp, name="import")

    def run_import(fn: Callable[..., object], quiet: bool, **kwargs: object) -> None:
        advance, stop = cli.progress_bar(console, _, quiet)
        try:
            report = (
                fn(progress=advance, **kwargs)
                if "progress" in fn.__code__.co_varnames
                else fn(**kwargs)
            )
        finally:
            stop()
        if not quiet:
            cli.print_report(report, _, out, language)  # type: ignore[arg-type]

    @imp.command(
        "incidents",
        help=_(
            "Import police incidents: the SPVM open-data file 'actes criminels' (CSV or GeoJSON) as published, "
            "or any CSV / Excel / Parquet table with --mapping. Rows without a usable location are kept "
            "(location unknown); bad rows go to the rejects table. A new release of a source replaces it."
        ),
    )
    def import_incidents(
        file: Annotated[Path, typer.Argument(help=_("File to import."))],
        mapping: Mapping = None,
        source: Annotated[
            str | None, typer.Option(help=_("Source name (default: spvm, or the mapping's)."))
        ] = None,
        encoding: Annotated[
            str | None, typer.Option(help=_("Text encoding (default: detected; utf-8, cp1252…)."))
        ] = None,
        append: Annotated[
            bool, typer.Option("--append", help=_("Add to the source instead of replacing it."))
        ] = False,
        strict: Strict = False,
        workspace: Workspace = Path("."),
        lang: Lang = "fr",
        quiet: Quiet = False,
    ) -> None:
        from urbansafety.ingest.importer import import_incidents as run

        run_import(
            run,
            quiet,
            ws=open_workspace(workspace),
            path=file,
            mapping_path=mapping,
            source=source,
            encoding=encoding,
            strict=strict,
            append=append,
        )

    @imp.command(
        "persons",
        help=_(
            "Import persons involved (victims, accused) linked to incidents by the source's key."
        ),
    )
    def import_persons(
        file: Annotated[Path, typer.Argument(help=_("File to import."))],
        mapping: Annotated[
            Path,
            typer.Option(
                "--mapping", "-m", help=_("Mapping file (TOML) naming the columns of your table.")
            ),
        ],
        strict: Strict = False,
        workspace: Workspace = Path("."),
        lang: Lang = "fr",
        quiet: Quiet = False,
    ) -> None:
        from urbansafety.ingest.persons import import_persons as run

        run_import(
            run, quiet, ws=open_workspace(workspace), path=file, mapping_path=mapping, strict=strict
        )

    @imp.command(
        "territories",
        help=_(
            "Import a territory layer (boroughs, neighbourhoods, police districts…) from GeoJSON, Shapefile "
            "(zip or folder) or GeoPackage, in any coordinate system; stored incidents are assigned to it."
        ),
    )
    def import_territories(
        file: Annotated[Path, typer.Argument(help=_("File to import."))],
        layer: Annotated[
            str, typer.Option(help=_("Layer name, e.g. borough, neighbourhood, pdq."))
        ],
        code_field: Annotated[
            str, typer.Option(help=_("Attribute holding each territory's code."))
        ] = "code",
        name_field: Annotated[
            str | None, typer.Option(help=_("Attribute holding each territory's name."))
        ] = None,
        parent_field: Annotated[
            str | None, typer.Option(help=_("Attribute holding the parent territory's code."))
        ] = None,
        crs: Annotated[
            str | None, typer.Option(help=_("Coordinate system of a file that does not say it."))
        ] = None,
        workspace: Workspace = Path("."),
        lang: Lang = "fr",
        quiet: Quiet = False,
    ) -> None:
        from urbansafety.ingest.geo import import_territories as run

        run_import(
            run,
            quiet,
            ws=open_workspace(workspace),
            path=file,
            layer=layer,
            code_field=code_field,
            name_field=name_field,
            parent_field=parent_field,
            crs=crs,
        )

    @imp.command(
        "population",
        help=_(
            "Import population by territory and year (columns layer,code,year,population, optionally "
            "age_group and gender)."
        ),
    )
    def import_population(
        file: Annotated[Path, typer.Argument(help=_("File to import."))],
        layer: Annotated[
            str | None,
            typer.Option(help=_("Layer of every row, when the file has no layer column.")),
        ] = None,
        mapping: Mapping = None,
        strict: Strict = False,
        workspace: Workspace = Path("."),
        lang: Lang = "fr",
        quiet: Quiet = False,
    ) -> None:
        from urbansafety.ingest.population import import_population as run

        run_import(
            run,
            quiet,
            ws=open_workspace(workspace),
            path=file,
            layer=layer,
            mapping_path=mapping,
            strict=strict,
        )

    @imp.command(
        "sites",
        help=_(
            "Import sites (e.g. social-housing buildings) as points; polygons become centroids."
        ),
    )
    def import_sites(
        file: Annotated[Path, typer.Argument(help=_("File to import."))],
        layer: Annotated[str, typer.Option(help=_("Name of the site layer, e.g. social_housing."))],
        id_field: Annotated[
            str, typer.Option(help=_("Attribute holding each site's identifier."))
        ] = "site_id",
        name_field: Annotated[
            str | None, typer.Option(help=_("Attribute holding each site's name."))
        ] = None,
        crs: Annotated[
            str | None, typer.Option(help=_("Coordinate system of a file that does not say it."))
        ] = None,
        workspace: Workspace = Path("."),
        lang: Lang = "fr",
        quiet: Quiet = False,
    ) -> None:
        from urbansafety.ingest.geo import import_sites as run

        run_import(
            run,
            quiet,
            ws=open_workspace(workspace),
            path=file,
            layer=layer,
            id_field=id_field,
            name_field=name_field,
            crs=crs,
        )

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
