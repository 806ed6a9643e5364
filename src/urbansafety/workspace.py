"""A workspace is one diagnostic: urbansafety.toml, the store and reports/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from urbansafety import store
from urbansafety.config import CONFIG_NAME, Config, load_config, write_template
from urbansafety.errors import ConfigError, Where
from urbansafety.i18n import N_


@dataclass(frozen=True)
class Workspace:
    """An opened workspace: its folder and its configuration."""

    path: Path
    config: Config

    @property
    def store_path(self) -> Path:
        """Return the path of the DuckDB store."""
        return self.path / store.STORE_NAME

    @property
    def reports(self) -> Path:
        """Return the folder where results are written."""
        return self.path / "reports"


def init_workspace(
    path: Path,
    *,
    name: str = "Territoire",
    crs: str = "EPSG:32188",
    language: str = "fr",
    extra_config: str = "",
    name_en: str = "",
) -> Workspace:
    """Create a workspace at path (commented config, empty store, reports/) and return it.

    An existing configuration is kept as it is; the store gains any missing table.
    """
    path.mkdir(parents=True, exist_ok=True)
    config_path = path / CONFIG_NAME
    if not config_path.exists():
        write_template(config_path, name=name, crs=crs, language=language, name_en=name_en)
        if extra_config:
            with config_path.open("a", encoding="utf-8") as fh:
                fh.write("\n" + extra_config)
    (path / "reports").mkdir(exist_ok=True)
    ws = open_workspace(path)
    store.create_store(ws.store_path)
    return ws


def open_workspace(path: Path) -> Workspace:
    """Return the workspace at path; raise ConfigError if it has no urbansafety.toml."""
    if not (path / CONFIG_NAME).exists():
        raise ConfigError(
            N_("This folder is not an urbansafety workspace."),
            hint=N_("Run 'urbansafety init' here, or give --workspace with the right folder."),
            where=Where(file=str(path)),
        )
    return Workspace(path=path, config=load_config(path / CONFIG_NAME))
