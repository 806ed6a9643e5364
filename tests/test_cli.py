"""The command line as a user runs it: a real process, exit codes, messages in French and English."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import DATA

SCRIPT = [sys.executable, "-m", "urbansafety.cli"]


def run(
    *args: str, cwd: Path | None = None, lang: str | None = None
) -> subprocess.CompletedProcess[str]:
    # As a user runs it: none of the settings the web tests put in this process's environment.
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "LANG" and not k.startswith(("URBANSAFETY_", "DJANGO_", "DATABASE_URL"))
    }
    if lang:
        env["URBANSAFETY_LANG"] = lang
    env["COLUMNS"] = "200"
    return subprocess.run(
        [*SCRIPT, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def test_init_writes_a_commented_config_and_an_empty_store(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "ws"), "--name", "Ville-Marie", "--lang", "en")
    assert result.returncode == 0, result.stderr
    config = (tmp_path / "ws" / "urbansafety.toml").read_text(encoding="utf-8")
    assert config.count("#") > 20 and "EPSG:32188" in config
    parsed = tomllib.loads(config)
    assert parsed["territory"]["name"] == "Ville-Marie" and parsed["disclosure"]["threshold"] == 5
    assert (tmp_path / "ws" / "store.duckdb").exists() and (tmp_path / "ws" / "reports").is_dir()
    info = run("info", "--workspace", str(tmp_path / "ws"), "--lang", "en")
    assert (
        info.returncode == 0 and "incidents" in info.stdout and "No rejected rows." in info.stdout
    )


def test_import_then_info_in_french(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    assert run("init", ws).returncode == 0
    result = run(
        "import", "incidents", str(DATA / "spvm_2021_cp1252.csv"), "--workspace", ws, "--lang", "fr"
    )
    assert result.returncode == 0, result.stderr
    assert "60 lignes lues, 60 acceptées, 0 rejetées" in result.stdout
    assert "Localisation inconnue : 13 (21,7\u00a0%)" in result.stdout and "cp1252" in result.stdout
    again = run("import", "incidents", str(DATA / "spvm_2021_cp1252.csv"), "--workspace", ws)
    assert "déjà importé" in again.stdout
    info = run("info", "--workspace", ws)
    assert "Incidents de 2016 à 2018" in info.stdout


@pytest.mark.parametrize(
    ("args", "fr", "en"),
    [
        (["import", "incidents", "{tmp}/missing.csv"], "Fichier introuvable", "File not found"),
        (
            ["import", "incidents", "{data}/spvm_release.geojson", "--mapping", "{tmp}/nope.toml"],
            "Fichier de correspondance introuvable",
            "Mapping file not found",
        ),
        (["import", "incidents", "{tmp}/binary.csv"], "binaire", "binary"),
        (["import", "incidents", "{tmp}/wrong.csv"], "Colonnes manquantes", "Missing columns"),
        (["import", "incidents", "{tmp}/empty.csv"], "Le fichier est vide", "The file is empty"),
    ],
)
def test_bad_files_get_one_clear_message_and_exit_2(
    tmp_path: Path, args: list[str], fr: str, en: str
) -> None:
    (tmp_path / "binary.csv").write_bytes(b"\x00\x01\x02PK" * 50)
    (tmp_path / "wrong.csv").write_text("date,type\n2020-01-01,vol\n", encoding="utf-8")
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    ws = str(tmp_path / "ws")
    run("init", ws)
    argv = [a.format(tmp=tmp_path, data=DATA) for a in args] + ["--workspace", ws]
    for lang, words in (("fr", fr), ("en", en)):
        result = run(*argv, "--lang", lang)
        assert result.returncode == 2, result
        assert words in result.stderr
        assert "Traceback" not in result.stderr and (
            "Conseil" in result.stderr
            or "Hint" in result.stderr
            or "Erreur" in result.stderr
            or "Error" in result.stderr
        )


def test_strict_exits_2_and_names_row_and_column(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    run("init", ws)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "CATEGORIE,DATE,QUART,PDQ,X,Y,LONGITUDE,LATITUDE\nMéfait,2018-01-01,jour,3.0,,,,\n"
        "Méfait,2018-02-30,jour,3.0,,,,\n",
        encoding="utf-8",
    )
    result = run("import", "incidents", str(bad), "--strict", "--workspace", ws, "--lang", "en")
    assert result.returncode == 2
    assert "row 3, column DATE" in result.stderr and "bad date" in result.stderr


def test_not_a_workspace(tmp_path: Path) -> None:
    result = run("info", "--workspace", str(tmp_path), "--lang", "fr")
    assert result.returncode == 2 and "n'est pas un espace de travail" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["init"],
        ["info"],
        ["import"],
        ["import", "incidents"],
        ["import", "persons"],
        ["import", "territories"],
        ["import", "population"],
        ["import", "sites"],
        ["demo"],
        ["rejects"],
    ],
)
def test_every_command_explains_itself_in_both_languages(command: list[str]) -> None:
    fr = run(*command, "--help", lang="fr")
    en = run(*command, "--help", lang="en")
    assert fr.returncode == en.returncode == 0
    assert fr.stdout != en.stdout
    for text in (fr.stdout, en.stdout):
        assert "--workspace" in text or command in ([], ["import"])


def test_quiet_prints_nothing(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    run("init", ws, "--quiet")
    result = run(
        "import", "incidents", str(DATA / "spvm_2023_utf8.csv"), "--workspace", ws, "--quiet"
    )
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""


def test_rejects_are_listed_and_exported(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    run("init", ws)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "CATEGORIE,DATE,QUART,PDQ,X,Y,LONGITUDE,LATITUDE\nMéfait,2018-01-01,jour,3.0,,,,\n"
        "Cambriolage,2018-02-01,jour,3.0,,,,\nMéfait,2018-02-30,jour,3.0,,,,\n",
        encoding="utf-8",
    )
    run("import", "incidents", str(bad), "--workspace", ws)
    shown = run("rejects", "--workspace", ws, "--lang", "fr")
    assert shown.returncode == 0
    assert (
        "catégorie inconnue" in shown.stdout
        and "Cambriolage" in shown.stdout
        and "date invalide" in shown.stdout
    )
    out = tmp_path / "rejets.csv"
    written = run("rejects", "--workspace", ws, "--out", str(out), "--lang", "en")
    assert written.returncode == 0 and "2 rejected rows written" in written.stdout
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "file,row,column,value,reason,reason"
    assert lines[1:] == [
        "bad.csv,3,CATEGORIE,Cambriolage,unknown category,unknown category",
        "bad.csv,4,DATE,2018-02-30,bad date,bad date",
    ]
