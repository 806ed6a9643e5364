"""The workspace configuration file (urbansafety.toml): schema, defaults, reading, template."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyproj import CRS
from pyproj.exceptions import CRSError

from urbansafety.config_template import TEMPLATE
from urbansafety.errors import ConfigError, Where
from urbansafety.i18n import LANGUAGES, N_
from urbansafety.survey.settings import SurveySettings, survey_settings

CONFIG_NAME = "urbansafety.toml"
LAYER_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
ENGINES = ("duckdb", "spark")


@dataclass(frozen=True)
class LayerConfig:
    """Options of one territory layer (the layer itself comes from `import territories`)."""

    name: str
    label_fr: str = ""
    label_en: str = ""
    # Incident attribute that gives this layer's code when an incident has no usable location
    # (e.g. the police-district number PDQ for the `pdq` layer).
    attribute: str = ""


@dataclass(frozen=True)
class Theme:
    """A named filter on categories and violation codes (firearms, intimate-partner violence…)."""

    name: str
    label_fr: str = ""
    label_en: str = ""
    categories: tuple[str, ...] = ()
    violation_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class HotspotConfig:
    """Options of the hot-spot analyses ([hotspots] in urbansafety.toml)."""

    cells: str = "grid"  # "grid" (squares of [grid] size_m) or "h3" (hexagons)
    weights: str = "queen"  # "queen", "rook", "distance" or "knn"
    distance_m: float = 0.0  # distance band; 0 = 1.5 × the cell size (the 8 nearest squares)
    k: int = 8
    permutations: int = 999  # Moran's I and Local Moran
    gi_permutations: int = 0  # Gi*: 0 = analytic z-scores and p-values (as ArcGIS)
    seed: int = 12345
    fdr: bool = True
    kde_bandwidth_m: float = 0.0  # 0 = the documented rule
    kde_cell_m: float = 0.0  # 0 = the documented rule
    categories: tuple[str, ...] = ()  # empty = every category


@dataclass(frozen=True)
class NearRepeatConfig:
    """Options of the Knox near-repeat test ([near_repeat] in urbansafety.toml)."""

    categories: tuple[str, ...] = ("break_and_enter",)
    space_bands_m: tuple[float, ...] = (100.0, 200.0, 300.0, 400.0)
    time_bands_days: tuple[float, ...] = (7.0, 14.0, 21.0, 28.0)
    permutations: int = 999
    seed: int = 12345
    metric: str = "euclidean"


HOTSPOT_CELLS = ("grid", "h3")
HOTSPOT_WEIGHTS = ("queen", "rook", "distance", "knn")


@dataclass(frozen=True)
class Config:
    """A workspace's settings, read once and passed down."""

    name: str = "Territoire"
    name_en: str = ""  # the name in English reports, when it differs
    crs: str = "EPSG:32188"
    language: str = "fr"
    first_year: int | None = None
    last_year: int | None = None
    disclosure_threshold: int = 5
    grid_size_m: float = 250.0
    h3_resolution: int = 9
    extent_layers: tuple[str, ...] = ()
    layers: dict[str, LayerConfig] = field(default_factory=dict)
    engine: str = "duckdb"
    spark_master: str = "local[2]"
    themes: dict[str, Theme] = field(default_factory=dict)
    site_radius_m: float = 100.0
    dwellings_key: str = "logements"
    # Crime Severity Index: a weights file (Statistics Canada's, supplied by the user) and the
    # standardisation bases that come with it; empty = the package's example subset, CSI-like.
    csi_weights: str = ""
    csi_base: tuple[float, float, float] | None = None
    map_tiles: bool = False  # OpenStreetMap tiles under the report's maps, when online
    hotspots: HotspotConfig = field(default_factory=HotspotConfig)
    near_repeat: NearRepeatConfig = field(default_factory=NearRepeatConfig)
    survey: SurveySettings = field(default_factory=SurveySettings)

    def territory_label(self, language: str) -> str:
        """Return the territory's name as reports in language show it."""
        return self.name_en if language == "en" and self.name_en else self.name

    def layer(self, name: str) -> LayerConfig:
        """Return the options of a layer (defaults when the file does not mention it)."""
        return self.layers.get(name, LayerConfig(name=name))


def check_layer_name(name: str, where: Where | None = None) -> str:
    """Return name if it can be a layer name (a lowercase identifier), else raise ConfigError."""
    if not LAYER_NAME.match(name):
        raise ConfigError(
            N_("%(name)r is not a valid layer name."),
            hint=N_("Use lowercase letters, digits and _ (e.g. borough, neighbourhood, pdq)."),
            where=where,
            params={"name": name},
        )
    return name


def _get(
    table: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any, where: Where
) -> Any:
    value = table.get(key, default)
    if value is not None and not isinstance(value, kind):
        raise ConfigError(
            N_("Setting %(key)s has the wrong type (%(value)r)."),
            hint=N_("See the comments in urbansafety.toml for the expected values."),
            where=where,
            params={"key": key, "value": value},
        )
    return value


def load_config(path: Path) -> Config:
    """Return the Config read from path; raise ConfigError naming the setting that is wrong."""
    where = Where(file=str(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(
            N_("No urbansafety.toml in this workspace."),
            hint=N_("Run 'urbansafety init' first, or give --workspace."),
            where=where,
        ) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            N_("The configuration file is not valid TOML: %(error)s"),
            hint=N_("Fix the line named in the message; the comments show the expected form."),
            where=where,
            params={"error": str(exc)},
        ) from exc
    return config_from_dict(data, where)


def config_from_dict(data: dict[str, Any], where: Where | None = None) -> Config:
    """Return the Config described by a parsed TOML document."""
    where = where or Where()
    territory = data.get("territory", {})
    years = data.get("years", {})
    disclosure = data.get("disclosure", {})
    grid = data.get("grid", {})
    engine = data.get("engine", {})
    crs = _get(territory, "crs", str, "EPSG:32188", where)
    try:
        parsed = CRS.from_user_input(crs)
    except CRSError as exc:
        raise ConfigError(
            N_("Unknown coordinate reference system %(crs)r."),
            hint=N_("Give an EPSG code such as EPSG:32188 (NAD83 / MTM zone 8, Montréal)."),
            where=where,
            params={"crs": crs},
        ) from exc
    if not parsed.is_projected:
        raise ConfigError(
            N_("The workspace CRS %(crs)r is not projected in metres."),
            hint=N_("Distances and grids need metres: use a projected CRS such as EPSG:32188."),
            where=where,
            params={"crs": crs},
        )
    language = _get(territory, "language", str, "fr", where)
    if language not in LANGUAGES:
        raise ConfigError(
            N_("Unknown language %(value)r."),
            hint=N_("Use 'fr' or 'en'."),
            where=where,
            params={"value": language},
        )
    layers: dict[str, LayerConfig] = {}
    for name, opts in data.get("layers", {}).items():
        check_layer_name(name, where)
        layers[name] = LayerConfig(
            name=name,
            label_fr=_get(opts, "label_fr", str, "", where),
            label_en=_get(opts, "label_en", str, "", where),
            attribute=_get(opts, "attribute", str, "", where),
        )
    themes: dict[str, Theme] = {}
    for name, opts in data.get("themes", {}).items():
        check_layer_name(name, where)
        themes[name] = Theme(
            name=name,
            label_fr=_get(opts, "label_fr", str, name, where),
            label_en=_get(opts, "label_en", str, name, where),
            categories=tuple(str(c) for c in _get(opts, "categories", list, [], where)),
            violation_codes=tuple(str(c) for c in _get(opts, "violation_codes", list, [], where)),
        )
        if not themes[name].categories and not themes[name].violation_codes:
            raise ConfigError(
                N_("Theme %(name)s selects nothing."),
                hint=N_("Give categories = [...] and/or violation_codes = [...]."),
                where=where,
                params={"name": name},
            )
    sites = data.get("sites", {})
    severity = data.get("severity", {})
    bases = [severity.get(k) for k in ("base", "base_violent", "base_nonviolent")]
    if any(b is not None for b in bases) and not all(
        isinstance(b, (int, float)) and b > 0 for b in bases
    ):
        raise ConfigError(
            N_("[severity] needs base, base_violent and base_nonviolent together, each > 0."),
            hint=N_(
                "They come with Statistics Canada's weights; leave all three out for a CSI-like index."
            ),
            where=where,
        )
    threshold = _get(disclosure, "threshold", int, 5, where)
    if threshold < 1:
        raise ConfigError(
            N_("The disclosure threshold must be at least 1 (got %(value)s)."),
            hint=N_("The default, 5, suppresses counts of 1 to 4."),
            where=where,
            params={"value": threshold},
        )
    kind = _get(engine, "kind", str, "duckdb", where)
    if kind not in ENGINES:
        raise ConfigError(
            N_("Unknown engine %(value)r."),
            hint=N_("Use 'duckdb' (default) or 'spark'."),
            where=where,
            params={"value": kind},
        )
    size = float(_get(grid, "size_m", (int, float), 250, where))
    resolution = _get(grid, "h3_resolution", int, 9, where)
    if size <= 0 or not 0 <= resolution <= 15:
        raise ConfigError(
            N_("The grid size must be positive and the H3 resolution between 0 and 15."),
            where=where,
        )
    return Config(
        name=_get(territory, "name", str, "Territoire", where),
        name_en=_get(territory, "name_en", str, "", where),
        crs=crs,
        language=language,
        first_year=_get(years, "first", int, None, where),
        last_year=_get(years, "last", int, None, where),
        disclosure_threshold=threshold,
        grid_size_m=size,
        h3_resolution=resolution,
        extent_layers=tuple(_get(territory, "extent_layers", list, [], where)),
        layers=layers,
        engine=kind,
        spark_master=_get(engine, "spark_master", str, "local[2]", where),
        themes=themes,
        site_radius_m=float(_get(sites, "radius_m", (int, float), 100, where)),
        dwellings_key=_get(sites, "dwellings_attribute", str, "logements", where),
        csi_weights=_get(severity, "weights", str, "", where),
        csi_base=tuple(float(b) for b in bases) if all(b is not None for b in bases) else None,  # type: ignore[arg-type]
        map_tiles=_get(data.get("report", {}), "map_tiles", bool, False, where),
        hotspots=_hotspots(data.get("hotspots", {}), where),
        near_repeat=_near_repeat(data.get("near_repeat", {}), where),
        survey=_survey(data.get("survey", {}), where),
    )


def _survey(table: object, where: Where) -> SurveySettings:
    if not isinstance(table, dict):
        raise ConfigError(
            N_("[survey] must be a table."),
            hint=N_("See docs/survey-analysis.md for the [survey] settings and their defaults."),
            where=where,
        )
    return survey_settings(table, where)


def _hotspots(table: dict[str, Any], where: Where) -> HotspotConfig:
    cells = _get(table, "cells", str, "grid", where)
    weights = _get(table, "weights", str, "queen", where)
    if cells not in HOTSPOT_CELLS or weights not in HOTSPOT_WEIGHTS:
        raise ConfigError(
            N_("[hotspots] cells must be grid or h3, weights queen, rook, distance or knn."),
            hint=N_("See the comments in urbansafety.toml for the expected values."),
            where=where,
        )
    out = HotspotConfig(
        cells=cells,
        weights=weights,
        distance_m=float(_get(table, "distance_m", (int, float), 0, where)),
        k=_get(table, "k", int, 8, where),
        permutations=_get(table, "permutations", int, 999, where),
        gi_permutations=_get(table, "gi_permutations", int, 0, where),
        seed=_get(table, "seed", int, 12345, where),
        fdr=_get(table, "fdr", bool, True, where),
        kde_bandwidth_m=float(_get(table, "kde_bandwidth_m", (int, float), 0, where)),
        kde_cell_m=float(_get(table, "kde_cell_m", (int, float), 0, where)),
        categories=tuple(str(c) for c in _get(table, "categories", list, [], where)),
    )
    if (
        min(out.distance_m, out.gi_permutations, out.kde_bandwidth_m) < 0
        or out.k < 1
        or out.permutations < 1
    ):
        raise ConfigError(
            N_("[hotspots] distances cannot be negative; k and permutations are at least 1."),
            hint=N_("See the comments in urbansafety.toml for the expected values."),
            where=where,
        )
    return out


def _bands(
    table: dict[str, Any], key: str, default: list[float], where: Where
) -> tuple[float, ...]:
    values = _get(table, key, list, default, where)
    bands = tuple(float(v) for v in values if isinstance(v, (int, float)))
    if (
        len(bands) != len(values)
        or not bands
        or any(b <= 0 for b in bands)
        or list(bands) != sorted(set(bands))
    ):
        raise ConfigError(
            N_("[near_repeat] %(key)s must be increasing positive numbers."),
            hint=N_("For example space_bands_m = [100, 200, 300, 400]."),
            where=where,
            params={"key": key},
        )
    return bands


def _near_repeat(table: dict[str, Any], where: Where) -> NearRepeatConfig:
    metric = _get(table, "metric", str, "euclidean", where)
    if metric not in ("euclidean", "manhattan"):
        raise ConfigError(
            N_("[near_repeat] metric must be euclidean or manhattan."),
            hint=N_("Manhattan distances follow a street grid."),
            where=where,
        )
    permutations = _get(table, "permutations", int, 999, where)
    if permutations < 1:
        raise ConfigError(
            N_("[near_repeat] permutations must be at least 1."),
            hint=N_("999 gives p-values down to 0.001."),
            where=where,
        )
    return NearRepeatConfig(
        categories=tuple(
            str(c) for c in _get(table, "categories", list, ["break_and_enter"], where)
        ),
        space_bands_m=_bands(table, "space_bands_m", [100, 200, 300, 400], where),
        time_bands_days=_bands(table, "time_bands_days", [7, 14, 21, 28], where),
        permutations=permutations,
        seed=_get(table, "seed", int, 12345, where),
        metric=metric,
    )


def write_template(
    path: Path,
    *,
    name: str = "Territoire",
    crs: str = "EPSG:32188",
    language: str = "fr",
    name_en: str = "",
) -> None:
    """Write a commented urbansafety.toml at path."""
    text = TEMPLATE.format(
        name=_toml_text(name), name_en=_toml_text(name_en), crs=crs, language=language
    )
    path.write_text(text, encoding="utf-8")


def _toml_text(value: str) -> str:
    """Return value escaped for a TOML basic string (quotes and backslashes)."""
    return value.replace("\\", "\\\\").replace('"', '\\"')
