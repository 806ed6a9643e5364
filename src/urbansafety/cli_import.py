"""The `urbansafety import …` commands, registered with their help in the chosen language."""

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from urbansafety.workspace import open_workspace


def register_import(
    app: typer.Typer, _: Callable[[str], str], out: Console, language: str = "fr"
) -> None:
    """Add the import commands to app, with help texts translated by _."""
    from urbansafety import cli

    console = Console(stderr=True)
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
