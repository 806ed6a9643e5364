"""The `urbansafety serve` command: the web app (survey collection, analyst pages)."""

from collections.abc import Callable

import typer


def register_serve(app: typer.Typer, _: Callable[[str], str]) -> None:
    """Add the serve command to app, with help texts translated by _."""
