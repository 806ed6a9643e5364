"""Any table through a mapping file: UCR2-keyed tables, category maps, Excel, Parquet, persons, population."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from urbansafety.errors import ConfigError, InputError
from urbansafety.ingest.importer import import_incidents
from urbansafety.ingest.mapping import load_mapping
from urbansafety.ingest.persons import import_persons
from urbansafety.ingest.population import import_population
from urbansafety.workspace import Workspace

UCR_MAPPING = """\
# Correspondance des colonnes — table du ministère
source = "msp"
key = "no_evenement"

[read]
delimiter = ";"

[columns]
date = "date_evenement"
time = "heure"
violation_code = "code_infraction"
x = "x_mtm"
y = "y_mtm"
district = "pdq"

[coordinates]
crs = "EPSG:32188"
"""

UCR_ROWS = [
    "no_evenement;date_evenement;heure;code_infraction;x_mtm;y_mtm;pdq",
    "2019-000001;2019-03-02;22:15;1430;294904,2;5047548,9;30",  # assault level 1, decimal commas
    "2019-000002;2019-03-02;03:40;1625;;;30",  # criminal harassment, no location
    "2019-000003;2019-03-03;12:00;2120;294904.2;5047548.9;30",  # break and enter
    "2019-000004;2019-03-03;;9999;;;30",  # unknown code
    "2019-000001;2019-03-04;10:00;1430;;;30",  # duplicate key
    "2019-000006;2019-03-05;25:61;1430;;;30",  # bad time
    ";2019-03-05;10:00;1430;;;30",  # empty key
]


def query(ws: Workspace, sql: str) -> list[tuple]:
    with duckdb.connect(str(ws.store_path), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture
def ucr_files(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "infractions.csv"
    data.write_bytes(("\ufeff" + "\r\n".join(UCR_ROWS) + "\r\n").encode("utf-8"))
    mapping = tmp_path / "infractions.mapping.toml"
    mapping.write_text(UCR_MAPPING, encoding="utf-8")
    return data, mapping


def test_ucr2_table_through_a_mapping(workspace: Workspace, ucr_files: tuple[Path, Path]) -> None:
    data, mapping = ucr_files
    report = import_incidents(workspace, data, mapping_path=mapping)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (7, 3, 4)
    assert report.rejected_by_reason == {
        "unknown violation code": 1,
        "duplicate key": 1,
        "bad time": 1,
        "empty key": 1,
    }
    got = query(
        workspace,
        "SELECT incident_id, violation_code, category, crime_group, shift, "
        "strftime(occurred_at, '%H:%M'), location_quality FROM incidents ORDER BY incident_id",
    )
    assert got == [
        ("msp:2019-000001", "1430", "assault", "person", "evening", "22:15", "located"),
        ("msp:2019-000002", "1625", "criminal_harassment", "person", "night", "03:40", "unknown"),
        ("msp:2019-000003", "2120", "break_and_enter", "property", "day", "12:00", "located"),
    ]


def test_persons_link_to_incidents_by_the_declared_key(
    workspace: Workspace, ucr_files: tuple[Path, Path], tmp_path: Path
) -> None:
    data, mapping = ucr_files
    import_incidents(workspace, data, mapping_path=mapping)
    persons = tmp_path / "personnes.csv"
    persons.write_text(
        "no_evenement,role,age,genre\n2019-000001,victime,34,F\n2019-000001,accusé,19,M\n"
        "2019-000002,victime,,X\n2019-999999,victime,20,F\n2019-000003,témoin,40,F\n"
        "2019-000003,victime,140,F\n2019-000003,victime,40,Z\n",
        encoding="utf-8",
    )
    pmap = tmp_path / "p.toml"
    pmap.write_text(
        'source = "msp"\n[columns]\nincident_key = "no_evenement"\nrole = "role"\nage = "age"\n'
        'gender = "genre"\n',
        encoding="utf-8",
    )
    report = import_persons(workspace, persons, mapping_path=pmap)
    assert (report.rows_accepted, report.rows_rejected) == (3, 4)
    assert report.rejected_by_reason == {
        "unknown incident": 1,
        "unknown role": 1,
        "age out of range": 1,
        "unknown gender": 1,
    }
    got = query(workspace, "SELECT incident_id, role, age, gender FROM persons ORDER BY source_row")
    assert got == [
        ("msp:2019-000001", "victim", 34, "F"),
        ("msp:2019-000001", "accused", 19, "M"),
        ("msp:2019-000002", "victim", None, "X"),
    ]


def test_category_labels_through_a_category_map_from_excel_and_parquet(
    workspace: Workspace, tmp_path: Path
) -> None:
    frame = pd.DataFrame(
        {
            "Date": pd.to_datetime(["2020-05-01", "2020-05-02", "2020-05-03"]),
            "Type": ["Vol simple", "Voies de fait", "Inconnu"],
            "Lat": [45.5, 45.51, None],
            "Lon": [-73.6, -73.61, None],
        }
    )
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        'source = "ville"\n[columns]\ndate = "Date"\ncategory = "Type"\nlat = "Lat"\nlon = "Lon"\n'
        '[categories]\n"Vol simple" = "theft_under"\n"Voies de fait" = "assault"\n',
        encoding="utf-8",
    )
    frame.to_excel(tmp_path / "t.xlsx", index=False)
    report = import_incidents(workspace, tmp_path / "t.xlsx", mapping_path=mapping)
    assert (report.rows_accepted, report.rejected_by_reason) == (2, {"unknown category": 1})
    frame.to_parquet(tmp_path / "t.parquet")
    again = import_incidents(workspace, tmp_path / "t.parquet", mapping_path=mapping)
    assert again.rows_accepted == 2 and again.replaces is not None
    got = query(
        workspace,
        "SELECT category, crime_group, round(x), location_quality FROM incidents ORDER BY 1",
    )
    assert [g[:2] for g in got] == [("assault", "person"), ("theft_under", "property")]
    assert all(g[3] == "located" and 280_000 < g[2] < 300_000 for g in got)


def test_mapping_errors_name_the_problem(tmp_path: Path, workspace: Workspace) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('source = "x"\n[columns]\ndate = "d"\nwhen = "w"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="Unknown field"):
        load_mapping(bad)
    bad.write_text('[columns]\ndate = "d"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="source"):
        load_mapping(bad)
    bad.write_text('source = "x"\n[columns\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="TOML"):
        load_mapping(bad)
    bad.write_text(
        'source = "x"\n[columns]\ndate = "d"\ncategory = "c"\n[categories]\n"A" = "burglary"\n',
        encoding="utf-8",
    )
    data = tmp_path / "d.csv"
    data.write_text("d,c\n2020-01-01,A\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown canonical"):
        import_incidents(workspace, data, mapping_path=bad)
    data.write_text("date,type\n2020-01-01,A\n", encoding="utf-8")
    with pytest.raises(InputError, match="Missing columns: d, c"):
        import_incidents(workspace, data, mapping_path=bad)


def test_population_by_age_and_gender(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "population.csv"
    path.write_text(
        "layer,code,year,age_group,gender,population\nborough,B1,2021,0-14,F,1200\n"
        "borough,B1,2021,0-14,M,1250\nborough,B1,2021,15-24,F,-3\nborough,B1,20x1,15-24,M,800\n"
        "borough,B1,2021,15-24,M,810.5\n",
        encoding="utf-8",
    )
    report = import_population(workspace, path)
    assert (report.rows_accepted, report.rows_rejected) == (2, 3)
    # A corrected file replaces the rows of the same territory and year.
    path.write_text(
        "layer,code,year,population\nborough,B1,2021,5000\nborough,B2,2021,7000\n", encoding="utf-8"
    )
    import_population(workspace, path)
    assert query(
        workspace, "SELECT code, sum(population) FROM population GROUP BY 1 ORDER BY 1"
    ) == [("B1", 5000), ("B2", 7000)]


def test_real_census_population_table(workspace: Workspace, shared: Path, tmp_path: Path) -> None:
    """Census 2021 (wide, one column per territory) reshaped to the long layout and imported."""
    wide = pd.read_csv(
        shared / "montreal-population" / "census2021_population_by_territory.csv",
        encoding="utf-8-sig",
    )
    row = wide[wide.iloc[:, 0].str.startswith("Population totale en 2021")].iloc[0, 1:]
    long = pd.DataFrame({"territoire": row.index, "an": 2021, "pop": row.to_numpy()})
    long = long[~long.territoire.isin(["AGGLOMÉRATION DE MONTRÉAL", "Ville de Montréal"])]
    path = tmp_path / "pop.csv"
    long.to_csv(path, index=False, encoding="utf-8")
    mapping = tmp_path / "pop.toml"
    mapping.write_text(
        'source = "census2021"\n[columns]\ncode = "territoire"\nyear = "an"\npopulation = "pop"\n',
        encoding="utf-8",
    )
    report = import_population(workspace, path, layer="municipality", mapping_path=mapping)
    # Thousands separators ("135,336") are not decimal commas: such rows are rejected, never misread.
    assert report.rows_rejected == 0, report.rejected_by_reason
    assert report.rows_accepted == 33  # 19 boroughs + 14 related cities (L'Île-Dorval has none)
    # The published agglomeration total (2,004,265) also counts L'Île-Dorval, which has no column.
    expected = long["pop"].astype(str).str.replace(",", "").astype(int).sum()
    assert (
        query(workspace, "SELECT sum(population) FROM population")[0][0]
        == expected
        == 2_004_265 - 30
    )
    boroughs = query(
        workspace, "SELECT sum(population) FROM population WHERE code LIKE 'Arrondissement%'"
    )[0][0]
    assert boroughs == 1_762_949
