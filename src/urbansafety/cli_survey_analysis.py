"""The `urbansafety survey …` commands for survey_analysis (registered by cli_survey.py)."""

from collections.abc import Callable

import typer
from rich.console import Console


def register_survey_analysis(survey: typer.Typer, _: Callable[[str], str], out: Console) -> None:
    """Add the commands to the survey group, with help texts translated by _."""
