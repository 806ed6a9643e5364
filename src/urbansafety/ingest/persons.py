"""Persons involved in incidents (victims, accused, complainants) by age and gender."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from urbansafety import store
from urbansafety.errors import InputError, Where
from urbansafety.i18n import N_
from urbansafety.ingest import records
from urbansafety.ingest import validate as v
from urbansafety.ingest.mapping import DEFAULT_GENDERS, DEFAULT_ROLES, PERSON_FIELDS, load_mapping
from urbansafety.ingest.tabular import read_mapped
from urbansafety.workspace import Workspace

REASON_UNKNOWN_ROLE = N_("unknown role")
REASON_UNKNOWN_GENDER = N_("unknown gender")


def import_persons(
    ws: Workspace, path: Path, *, mapping_path: Path, strict: bool = False
) -> records.ImportReport:
    """Import persons linked to the incidents of the mapping's source (by its declared key)."""
    mapping = load_mapping(mapping_path, PERSON_FIELDS)
    cols = {f: mapping.columns.get(f, f) for f in PERSON_FIELDS}
    sha = records.file_sha256(path)
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    report = records.ImportReport(kind="persons", source=mapping.source, file=path.name)
    raw = read_mapped(path, mapping)
    report.encoding = raw.encoding
    missing = [
        c
        for f, c in cols.items()
        if f in ("incident_key", "role") and c not in raw.table.column_names
    ]
    if missing:
        raise InputError(
            N_("Missing columns: %(missing)s. Found: %(found)s."),
            hint=N_("Name the incident key and role columns in the mapping's [columns]."),
            where=Where(file=str(path)),
            params={"missing": ", ".join(missing), "found": ", ".join(raw.table.column_names)},
        )
    t, rows, n = raw.table, raw.rows, raw.table.num_rows

    def col(field: str) -> pa.Array:
        name = cols[field]
        return (
            t.column(name).combine_chunks() if name in t.column_names else pa.nulls(n, pa.string())
        )

    rejects = v.Rejects()
    rejects.add_lines(
        [r for r, _ in raw.bad_lines], [x for _, x in raw.bad_lines], v.REASON_WRONG_FIELDS
    )
    key = pc.utf8_trim_whitespace(col("incident_key"))
    rejects.add(rows, cols["incident_key"], key, v.blank(key), v.REASON_EMPTY_KEY)
    role, bad_role = v.map_labels(col("role"), {**DEFAULT_ROLES, **mapping.roles})
    rejects.add(
        rows, cols["role"], col("role"), bad_role | v.blank(col("role")), REASON_UNKNOWN_ROLE
    )
    gender, bad_gender = v.map_labels(col("gender"), {**DEFAULT_GENDERS, **mapping.genders})
    rejects.add(rows, cols["gender"], col("gender"), bad_gender, REASON_UNKNOWN_GENDER)
    age, bad_age = v.parse_numbers(col("age"))
    bad_age |= ~np.isnan(age) & ((age < 0) | (age > 120) | (age != np.round(np.nan_to_num(age))))
    rejects.add(rows, cols["age"], col("age"), bad_age, v.REASON_BAD_AGE)
    ids = pc.binary_join_element_wise(pa.scalar(mapping.source), key, ":")
    with store.connect(ws.store_path) as con:
        if records.already_imported(con, "persons", mapping.source, sha, append=False):
            report.skipped = True
            return report
        con.register("ids", pa.table({"incident_id": ids}))
        found = con.sql(
            "SELECT ids.incident_id IN (SELECT incident_id FROM incidents) FROM ids"
        ).to_arrow_table()
        con.unregister("ids")
        unknown = ~np.asarray(
            found.column(0).to_numpy(zero_copy_only=False), dtype=bool
        ) & ~v.blank(key)
        rejects.add(rows, cols["incident_key"], key, unknown, v.REASON_UNKNOWN_INCIDENT)
        reject_table = rejects.table()
        report.rows_read = raw.rows_read
        report.rows_rejected, report.rejected_by_reason = records.reason_counts(reject_table)
        if strict:
            records.check_strict(report, reject_table, str(path))
        keep = pa.array(~np.isin(rows, rejects.rejected_rows()))
        table = pa.table(
            {
                "incident_id": ids,
                "source": pa.array([mapping.source] * n, pa.string()),
                "source_row": pa.array(rows, pa.int64()),
                "role": role,
                "age": pa.array(age, pa.float64(), from_pandas=True).cast(pa.int16()),
                "gender": gender,
            }
        ).filter(keep)
        report.rows_accepted = table.num_rows
        report.import_id = records.new_import_id("persons", sha)
        prev = records.previous_import(con, "persons", mapping.source)
        report.replaces = prev[0] if prev else None
        with store.transaction(con):
            con.execute("DELETE FROM persons WHERE source = ?", [mapping.source])
            records.insert_batch(con, "persons", table, report.import_id)
            records.record_import(
                con,
                report,
                sha=sha,
                size=path.stat().st_size,
                started=started,
                rejects=reject_table,
            )
    return report
