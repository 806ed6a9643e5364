"""Reading tables: encodings, line endings, row numbers, delimiters and files that are not tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from urbansafety.errors import InputError
from urbansafety.ingest.csvfile import read_csv, sniff_delimiter
from urbansafety.ingest.readers import read_table
from urbansafety.ingest.textfile import decode

HEADER = "CATEGORIE,DATE\n"


def write(tmp_path: Path, data: bytes, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Méfait,x\n".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "Méfait,x\n".encode(), "utf-8-sig"),
        ("Méfait,x\n".encode("cp1252"), "cp1252"),
        ("Méfait,x\n’\n".encode("cp1252"), "cp1252"),
    ],
)
def test_decode_finds_the_encoding(data: bytes, encoding: str) -> None:
    text, found = decode(data, "f.csv")
    assert found == encoding
    assert text.decode("utf-8").startswith("Méfait")


def test_decode_mixed_file_line_by_line() -> None:
    data = "Méfait,1\n".encode() + "Méfait,2\n".encode("cp1252")
    text, found = decode(data, "f.csv")
    assert found == "utf-8+cp1252"
    assert text.decode("utf-8") == "Méfait,1\nMéfait,2\n"


def test_row_numbers_are_file_lines_with_blank_lines_and_lone_cr(tmp_path: Path) -> None:
    data = b"A,B\r\n1,2\r\n\r\n3,4\rgarbage\n5,6\n\n7,8"
    raw = read_csv(write(tmp_path, data))
    assert raw.table.column("A").to_pylist() == ["1", "3", "5", "7"]
    assert raw.rows.tolist() == [2, 4, 6, 8]
    assert raw.bad_lines == [(5, "garbage")]
    assert raw.rows_read == 5


def test_quoted_fields_and_semicolons(tmp_path: Path) -> None:
    raw = read_csv(write(tmp_path, b'a;b\n"x;y";"2,5"\n'))
    assert raw.table.to_pydict() == {"a": ["x;y"], "b": ["2,5"]}


@pytest.mark.parametrize(
    ("header", "delim"), [("a,b,c", ","), ("a;b;c", ";"), ("a\tb\tc", "\t"), ("abc", ",")]
)
def test_sniff_delimiter(header: str, delim: str) -> None:
    assert sniff_delimiter(header) == delim


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"", "empty.csv", "empty"),
        (b"\n\n", "blank.csv", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.csv", "binary"),
        (b"PK\x03\x04\x00\x00garbage", "fake.xlsx", "Excel"),
        (b"not json at all", "x.geojson", "JSON"),
        (b'{"type": "Feature"}', "y.geojson", "FeatureCollection"),
        (b"garbage", "z.parquet", "Parquet"),
    ],
)
def test_files_that_are_not_tables_get_one_clear_error(
    tmp_path: Path, data: bytes, name: str, words: str
) -> None:
    path = write(tmp_path, data, name)
    with pytest.raises(InputError) as err:
        read_table(path)
    assert words in str(err.value)
    assert err.value.where is not None and err.value.where.file == str(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_table(tmp_path / "nope.csv")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(InputError, match="folder"):
        read_table(tmp_path / "dir.csv")


def test_excel_and_parquet(tmp_path: Path) -> None:
    import pandas as pd

    frame = pd.DataFrame({"code": [1430, 2120], "date": ["2020-01-02", "2021-03-04"]})
    frame.to_excel(tmp_path / "t.xlsx", index=False)
    frame.to_parquet(tmp_path / "t.parquet")
    for name in ("t.xlsx", "t.parquet"):
        raw = read_table(tmp_path / name)
        assert raw.table.column("code").to_pylist() == ["1430", "2120"]
        assert raw.rows.tolist() == [2, 3]


def test_values_are_kept_as_written(tmp_path: Path) -> None:
    raw = read_csv(write(tmp_path, b"code,pdq,x\n0123,30.0,294904.159001211\n"))
    assert raw.table.to_pylist() == [{"code": "0123", "pdq": "30.0", "x": "294904.159001211"}]
