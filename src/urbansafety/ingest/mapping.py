"""Mapping files (TOML): which column of a user's table holds which canonical field."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from urbansafety.errors import ConfigError, Where
from urbansafety.i18n import N_

INCIDENT_FIELDS = (
    "date",
    "time",
    "shift",
    "category",
    "violation_code",
    "x",
    "y",
    "lon",
    "lat",
    "district",
)
PERSON_FIELDS = ("incident_key", "role", "age", "gender")
POPULATION_FIELDS = ("layer", "code", "year", "age_group", "gender", "population")


@dataclass(frozen=True)
class Mapping:
    """How to read one source's table: columns, value maps, formats."""

    source: str
    key: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    shifts: dict[str, str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    genders: dict[str, str] = field(default_factory=dict)
    crs: str = "EPSG:4326"
    date_formats: tuple[str, ...] = ("%Y-%m-%d", "%Y/%m/%d")
    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    layer: str | None = None
    file: str | None = None
    # The district attribute must be a whole number (SPVM's PDQ, written "30.0").
    numeric_district: bool = False


SPVM = Mapping(
    source="spvm",
    columns={
        "category": "CATEGORIE",
        "date": "DATE",
        "shift": "QUART",
        "district": "PDQ",
        "x": "X",
        "y": "Y",
        "lon": "LONGITUDE",
        "lat": "LATITUDE",
    },
    shifts={"jour": "day", "soir": "evening", "nuit": "night"},
    crs="EPSG:32188",
    date_formats=("%Y-%m-%d",),
    numeric_district=True,
)
SPVM_COLUMNS = ["CATEGORIE", "DATE", "QUART", "PDQ", "X", "Y", "LONGITUDE", "LATITUDE"]
DEFAULT_GENDERS = {
    "f": "F",
    "femme": "F",
    "female": "F",
    "woman": "F",
    "w": "F",
    "m": "M",
    "h": "M",
    "homme": "M",
    "male": "M",
    "man": "M",
    "x": "X",
    "autre": "X",
    "other": "X",
    "non binaire": "X",
    "non-binary": "X",
}
DEFAULT_ROLES = {
    "victim": "victim",
    "victime": "victim",
    "accused": "accused",
    "accusé": "accused",
    "accusée": "accused",
    "auteur": "accused",
    "suspect": "accused",
    "complainant": "complainant",
    "plaignant": "complainant",
    "plaignante": "complainant",
}


def _table(data: dict[str, Any], key: str, where: Where) -> dict[str, str]:
    value = data.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ConfigError(
            N_("[%(key)s] must be a table of text values."),
            hint=N_('Write it as [%(key)s] followed by lines such as "source value" = "target".'),
            where=where,
            params={"key": key},
        )
    return {str(k): v for k, v in value.items()}


def load_mapping(path: Path, allowed: tuple[str, ...] = INCIDENT_FIELDS) -> Mapping:
    """Return the Mapping read from a TOML file; raise ConfigError naming what is wrong."""
    where = Where(file=str(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise ConfigError(N_("Mapping file not found."), where=where) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            N_("The mapping file is not valid TOML: %(error)s"),
            where=where,
            params={"error": str(exc)},
        ) from exc
    columns = _table(data, "columns", where)
    unknown = sorted(set(columns) - set(allowed))
    if unknown:
        raise ConfigError(
            N_("Unknown field(s) in [columns]: %(fields)s."),
            hint=N_("Allowed fields: %(allowed)s."),
            where=where,
            params={"fields": ", ".join(unknown), "allowed": ", ".join(allowed)},
        )
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        raise ConfigError(
            N_("The mapping file must name its source."),
            hint=N_('Add a line such as source = "police-2024" at the top.'),
            where=where,
        )
    read = data.get("read", {})
    formats = data.get("formats", {})
    coords = data.get("coordinates", {})
    date_format = formats.get("date")
    return Mapping(
        source=source.strip(),
        key=data.get("key"),
        columns=columns,
        categories=_table(data, "categories", where),
        shifts=_table(data, "shifts", where),
        roles=_table(data, "roles", where),
        genders=_table(data, "genders", where),
        crs=str(coords.get("crs", "EPSG:4326")),
        date_formats=(date_format,) if isinstance(date_format, str) else Mapping.date_formats,
        delimiter=read.get("delimiter"),
        encoding=read.get("encoding"),
        sheet=read.get("sheet"),
        layer=data.get("layer"),
        file=str(path),
    )
