"""Population by territory and year, optionally by age group × gender (rate denominators, survey margins)."""

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
from urbansafety.ingest.mapping import POPULATION_FIELDS, Mapping, load_mapping
from urbansafety.ingest.tabular import read_mapped
from urbansafety.workspace import Workspace

REASON_UNKNOWN_TERRITORY = N_("unknown territory")
REASON_BAD_COUNT = N_("population must be a whole number ≥ 0")
REASON_BAD_YEAR = N_("bad year")


def import_population(
    ws: Workspace,
    path: Path,
    *,
    layer: str | None = None,
    mapping_path: Path | None = None,
    strict: bool = False,
) -> records.ImportReport:
    """Import population counts; rows for a (layer, code, year) already stored are replaced."""
    mapping = (
        load_mapping(mapping_path, POPULATION_FIELDS)
        if mapping_path
        else Mapping(source="population")
    )
    cols = {f: mapping.columns.get(f, f) for f in POPULATION_FIELDS}
    sha = records.file_sha256(path)
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    report = records.ImportReport(kind="population", source=mapping.source, file=path.name)
    raw = read_mapped(path, mapping)
    report.encoding = raw.encoding
    names = raw.table.column_names
    needed = [cols["code"], cols["year"], cols["population"]] + ([] if layer else [cols["layer"]])
    missing = [c for c in needed if c not in names]
    if missing:
        raise InputError(
            N_("Missing columns: %(missing)s. Found: %(found)s."),
            hint=N_(
                "Expected layer,code,year,population (optionally age_group,gender), or --layer."
            ),
            where=Where(file=str(path)),
            params={"missing": ", ".join(missing), "found": ", ".join(names)},
        )
    t, rows, n = raw.table, raw.rows, raw.table.num_rows
    rejects = v.Rejects()
    rejects.add_lines(
        [r for r, _ in raw.bad_lines], [x for _, x in raw.bad_lines], v.REASON_WRONG_FIELDS
    )
    layer_col = (
        pa.array([layer] * n, pa.string())
        if layer
        else pc.utf8_trim_whitespace(t.column(cols["layer"]).combine_chunks())
    )
    code = pc.utf8_trim_whitespace(t.column(cols["code"]).combine_chunks())
    year_text = t.column(cols["year"]).combine_chunks()
    year, bad_year = v.parse_numbers(year_text)
    bad_year |= (
        np.isnan(year) | (year != np.round(np.nan_to_num(year))) | (year < 1800) | (year > 2200)
    )
    rejects.add(rows, cols["year"], year_text, bad_year, REASON_BAD_YEAR)
    pop_text = t.column(cols["population"]).combine_chunks()
    pop, bad_pop = v.parse_counts(pop_text)
    bad_pop |= np.isnan(pop)
    rejects.add(rows, cols["population"], pop_text, bad_pop, REASON_BAD_COUNT)
    optional = {
        f: (
            pc.utf8_trim_whitespace(t.column(cols[f]).combine_chunks())
            if cols[f] in names
            else pa.nulls(n, pa.string())
        )
        for f in ("age_group", "gender")
    }
    with store.connect(ws.store_path) as con:
        if records.already_imported(con, "population", mapping.source, sha, append=True):
            report.skipped = True
            return report
        known = con.execute("SELECT layer, code FROM territories").fetchall()
        layers_known = {k[0] for k in known}
        pairs = {f"{a}\x1f{b}" for a, b in known}
        keys = pc.binary_join_element_wise(layer_col, code, "\x1f")
        unknown = np.asarray(
            pc.is_in(layer_col, value_set=pa.array(sorted(layers_known), pa.string())).fill_null(
                False
            )
        ) & ~np.asarray(
            pc.is_in(keys, value_set=pa.array(sorted(pairs), pa.string())).fill_null(False)
        )
        rejects.add(rows, cols["code"], code, unknown | v.blank(code), REASON_UNKNOWN_TERRITORY)
        reject_table = rejects.table()
        report.rows_read = raw.rows_read
        report.rows_rejected, report.rejected_by_reason = records.reason_counts(reject_table)
        if strict:
            records.check_strict(report, reject_table, str(path))
        keep = ~np.isin(rows, rejects.rejected_rows())
        table = pa.table(
            {
                "layer": layer_col,
                "code": code,
                "year": pa.array(np.nan_to_num(year).astype(np.int16)),
                "age_group": optional["age_group"],
                "gender": optional["gender"],
                "population": pa.array(np.nan_to_num(pop).astype(np.int64)),
            }
        ).filter(pa.array(keep))
        report.rows_accepted = table.num_rows
        report.import_id = records.new_import_id("population", sha)
        with store.transaction(con):
            con.register("new_rows", table)
            con.execute(
                "DELETE FROM population p USING (SELECT DISTINCT layer, code, year FROM new_rows) b "
                "WHERE p.layer = b.layer AND p.code = b.code AND p.year = b.year"
            )
            con.unregister("new_rows")
            records.insert_batch(con, "population", table, report.import_id)
            records.record_import(
                con,
                report,
                sha=sha,
                size=path.stat().st_size,
                started=started,
                rejects=reject_table,
            )
    return report
