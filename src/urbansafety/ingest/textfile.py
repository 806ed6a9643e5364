"""An input file's bytes and their text encoding (UTF-8 with or without BOM, Windows-1252)."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from urbansafety.errors import InputError, Where
from urbansafety.i18n import N_

_UTF8_AS_CP1252 = re.compile(
    "[ÃÂ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u203a\u20ac\u2122]"
)


def decode(
    data: bytes, file: str, encoding: str | None = None, *, validate: bool = True
) -> tuple[bytes, str]:
    """Return (UTF-8 bytes without BOM, name of the encoding found) for a text file's bytes.

    UTF-8 (with or without BOM) is tried first; a file that is not valid UTF-8 is read as
    Windows-1252, the encoding of older SPVM extracts and of Excel's "CSV" on Windows.
    With validate=False the bytes are taken as UTF-8 unchecked (the CSV parser checks them
    and raises NotUtf8 if they are not).
    """
    if b"\x00" in data[:65536]:
        raise InputError(
            N_("This file is binary, not a text table."),
            hint=N_("Give a CSV, Excel (.xlsx), Parquet or GeoJSON file."),
            where=Where(file=file),
        )
    if encoding:
        try:
            return data.decode(encoding).lstrip("\ufeff").encode("utf-8"), encoding
        except (LookupError, UnicodeDecodeError) as exc:
            raise InputError(
                N_("The file cannot be read with encoding %(encoding)s."),
                hint=N_("Leave --encoding out to detect it, or give utf-8, cp1252 or latin-1."),
                where=Where(file=file),
                params={"encoding": encoding},
            ) from exc
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        name = "utf-8-sig"
    else:
        name = "utf-8"
    if not validate:
        return data, name
    try:
        data.decode("utf-8")
        return data, name
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    if "\ufffd" not in text and not _UTF8_AS_CP1252.search(text):
        return text.encode("utf-8"), "cp1252"
    # Mixed file (e.g. extracts of different years pasted together): decode line by line.
    lines = []
    for line in data.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(line.decode("cp1252", errors="replace"))
    return "\n".join(lines).encode("utf-8"), "utf-8+cp1252"


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError as exc:
        raise InputError(N_("This is a folder, not a file."), where=Where(file=str(path))) from exc
    except FileNotFoundError as exc:
        raise InputError(N_("File not found."), where=Where(file=str(path))) from exc
