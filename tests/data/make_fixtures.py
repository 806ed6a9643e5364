"""Write the SPVM fixtures from the first features of the City's official GeoJSON.

Run from the repository root: python tests/data/make_fixtures.py. The outputs are committed;
this script says exactly how they were made from the real file (see SOURCE.md).
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
REAL = HERE.parents[2] / "shared" / "data" / "spvm-sample-1000" / "actes-criminels_short.geojson"
HEADER = "CATEGORIE,DATE,QUART,PDQ,X,Y,LONGITUDE,LATITUDE"
N = 60


def rows() -> list[dict]:
    doc = json.loads(REAL.read_text(encoding="utf-8"))
    return [f["properties"] for f in doc["features"][:N]]


def fmt(v: object) -> str:
    return "" if v is None else (repr(v) if isinstance(v, float) else str(v))


def main() -> None:
    props = rows()
    # 2023-style CSV: UTF-8, LF, unknown locations as four empty fields.
    lines = [HEADER] + [",".join(fmt(p[k]) for k in HEADER.split(",")) for p in props]
    (HERE / "spvm_2023_utf8.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # Same content, UTF-8 with BOM and CRLF (as Excel saves it).
    (HERE / "spvm_bom_crlf.csv").write_bytes(
        ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
    )
    # 2021-style extract (interventionscitoyendo.csv): cp1252, CRLF, dates with a time,
    # unknown locations as X=0, Y=0, LONGITUDE=-76.23729, LATITUDE=0 (the MTM-8 origin).
    old = [HEADER]
    for p in props:
        values = dict(p)
        values["DATE"] = p["DATE"] + " 00:00:00"
        if p["X"] is None:
            values.update(X=0, Y=0, LONGITUDE=-76.23729, LATITUDE=0)
        old.append(",".join(fmt(values[k]) for k in HEADER.split(",")))
    (HERE / "spvm_2021_cp1252.csv").write_bytes(("\r\n".join(old) + "\r\n").encode("cp1252"))
    # The GeoJSON release, first N features byte-for-byte in the City's structure.
    doc = json.loads(REAL.read_text(encoding="utf-8"))
    doc["features"] = doc["features"][:N]
    (HERE / "spvm_release.geojson").write_text(json.dumps(doc, ensure_ascii=True), encoding="utf-8")


if __name__ == "__main__":
    main()
