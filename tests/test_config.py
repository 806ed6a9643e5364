"""The workspace configuration: the template parses to the defaults; bad settings are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from urbansafety.config import TEMPLATE, Config, config_from_dict, load_config, write_template
from urbansafety.errors import ConfigError
from urbansafety.workspace import init_workspace, open_workspace


def test_template_gives_the_defaults(tmp_path: Path) -> None:
    write_template(tmp_path / "urbansafety.toml", name="Anjou")
    config = load_config(tmp_path / "urbansafety.toml")
    assert config == Config(name="Anjou")
    assert "EPSG:32188" in TEMPLATE


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"territory": {"crs": "EPSG:4326"}}, "not projected"),
        ({"territory": {"crs": "nowhere"}}, "Unknown coordinate"),
        ({"territory": {"language": "de"}}, "Unknown language"),
        ({"disclosure": {"threshold": 0}}, "at least 1"),
        ({"disclosure": {"threshold": "5"}}, "wrong type"),
        ({"engine": {"kind": "postgres"}}, "Unknown engine"),
        ({"grid": {"size_m": -1}}, "grid size"),
        ({"layers": {"Bad Name": {}}}, "not a valid layer name"),
        ({"hotspots": {"cells": "hexagons"}}, r"\[hotspots\] cells"),
        ({"hotspots": {"weights": "bishop"}}, r"\[hotspots\] cells"),
        ({"hotspots": {"permutations": 0}}, "at least 1"),
        ({"hotspots": {"distance_m": -5}}, "cannot be negative"),
        ({"hotspots": {"fdr": "yes"}}, "wrong type"),
        ({"near_repeat": {"space_bands_m": [200, 100]}}, "increasing positive"),
        ({"near_repeat": {"time_bands_days": [0, 7]}}, "increasing positive"),
        ({"near_repeat": {"metric": "chebyshev"}}, "euclidean or manhattan"),
        ({"near_repeat": {"permutations": 0}}, "at least 1"),
        ({"report": {"map_tiles": "yes"}}, "wrong type"),
    ],
)
def test_bad_settings_are_named(data: dict, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        config_from_dict(data)


def test_hotspot_settings_are_read() -> None:
    config = config_from_dict(
        {
            "hotspots": {"cells": "h3", "weights": "knn", "k": 6, "gi_permutations": 99},
            "near_repeat": {"space_bands_m": [50, 150], "metric": "manhattan"},
            "report": {"map_tiles": True},
        }
    )
    assert config.hotspots.cells == "h3" and config.hotspots.weights == "knn"
    assert config.hotspots.k == 6 and config.hotspots.gi_permutations == 99
    assert config.near_repeat.space_bands_m == (50.0, 150.0)
    assert config.near_repeat.metric == "manhattan" and config.map_tiles


def test_layer_options_and_broken_toml(tmp_path: Path) -> None:
    config = config_from_dict({"layers": {"pdq": {"attribute": "district", "label_fr": "PDQ"}}})
    assert config.layer("pdq").attribute == "district" and config.layer("borough").attribute == ""
    (tmp_path / "urbansafety.toml").write_text("[territory\nname = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        open_workspace(tmp_path)


def test_init_keeps_an_existing_config(tmp_path: Path) -> None:
    init_workspace(tmp_path, name="Premier")
    init_workspace(tmp_path, name="Second")
    assert open_workspace(tmp_path).config.name == "Premier"


def test_the_territory_has_a_name_for_english_reports(tmp_path: Path) -> None:
    write_template(tmp_path / "urbansafety.toml", name='Ville "Nord"', name_en='North "City"')
    config = load_config(tmp_path / "urbansafety.toml")
    assert config.territory_label("fr") == 'Ville "Nord"'
    assert config.territory_label("en") == 'North "City"'
    # Without a name in English, the English reports show the name.
    assert Config(name="Anjou").territory_label("en") == "Anjou"
