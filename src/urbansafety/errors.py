"""Errors meant for people: a message, a hint and where the problem is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Where:
    """A place in an input: file, and optionally row (1 = header line) and column."""

    file: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)


class UrbanSafetyError(Exception):
    """Base class of every error shown to a user (the CLI prints it and exits 2)."""

    code = "US000"

    def __init__(
        self,
        message: str,
        hint: str = "",
        where: Where | None = None,
        params: dict[str, object] | None = None,
    ) -> None:
        # message and hint are English templates with %(name)s placeholders; they are
        # translated when shown (see render), so the error itself carries no language.
        self.template = message
        self.hint_template = hint
        self.params = dict(params or {})
        self.where = where
        self.message = message % self.params if self.params else message
        self.hint = hint % self.params if (hint and self.params) else hint
        super().__init__(self.message)

    def __str__(self) -> str:
        text = self.message
        if self.where is not None and str(self.where):
            text = f"{self.where}: {text}"
        return text

    def render(self, gettext: Callable[[str], str]) -> tuple[str, str]:
        """Return (message, hint) translated with gettext and filled in."""
        message = gettext(self.template) % self.params if self.params else gettext(self.template)
        hint = ""
        if self.hint_template:
            hint = gettext(self.hint_template)
            hint = hint % self.params if self.params else hint
        return message, hint


class InputError(UrbanSafetyError):
    """An input file cannot be read as what it should be."""

    code = "US100"


class ConfigError(UrbanSafetyError):
    """The workspace configuration or a mapping file is wrong."""

    code = "US200"


class DataQualityError(UrbanSafetyError):
    """The data can be read but fails a rule (e.g. --strict with rejected rows)."""

    code = "US300"
