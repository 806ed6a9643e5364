"""Boundaries and sites from GeoJSON, Shapefile (zip or folder) or GeoPackage, in any CRS."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from pyogrio.errors import DataSourceError

from urbansafety import store
from urbansafety.config import Config, check_layer_name
from urbansafety.errors import InputError, Where
from urbansafety.i18n import N_
from urbansafety.ingest import records
from urbansafety.ingest import validate as v
from urbansafety.ingest.locate import ISSUE_OUTSIDE, ISSUES, Layer, assign_territories
from urbansafety.workspace import Workspace

WGS84 = "EPSG:4326"
REASON_EMPTY_CODE = N_("empty code")
REASON_NOT_POLYGON = N_("not a polygon")
REASON_NO_GEOMETRY = N_("no geometry")


def read_geo(path: Path, *, crs: str | None = None) -> gpd.GeoDataFrame:
    """Return the features of a vector file; a file without CRS needs crs (GeoJSON is WGS84)."""
    file = str(path)
    if not path.exists():
        raise InputError(N_("File not found."), where=Where(file=file))
    target = f"zip://{path}" if path.suffix.lower() == ".zip" else str(path)
    try:
        frame = gpd.read_file(target)
    except (DataSourceError, ValueError, OSError) as exc:
        raise InputError(
            N_("The file cannot be read as a map layer: %(error)s"),
            hint=N_("Give a GeoJSON, a Shapefile (zip or folder) or a GeoPackage."),
            where=Where(file=file),
            params={"error": str(exc).splitlines()[0] if str(exc) else type(exc).__name__},
        ) from exc
    if frame.empty:
        raise InputError(N_("The file has no features."), where=Where(file=file))
    if frame.crs is None:
        if crs is None and path.suffix.lower() not in {".geojson", ".json"}:
            raise InputError(
                N_("The file does not say which coordinate system it uses."),
                hint=N_("Give it with --crs (e.g. --crs EPSG:32188)."),
                where=Where(file=file),
            )
        frame = frame.set_crs(crs or WGS84)
    elif crs is not None:
        frame = frame.set_crs(crs, allow_override=True)
    return frame


def _field(frame: gpd.GeoDataFrame, name: str | None, file: str, option: str) -> pd.Series | None:
    if name is None:
        return None
    if name not in frame.columns:
        raise InputError(
            N_("No attribute %(name)s. Attributes: %(found)s."),
            hint=N_("Name the right attribute with %(option)s."),
            where=Where(file=file, column=name),
            params={
                "name": name,
                "found": ", ".join(c for c in frame.columns if c != "geometry"),
                "option": option,
            },
        )
    return frame[name]


def _code_text(series: pd.Series) -> pd.Series:
    """Return codes as text, with integral floats written as integers ("12.0" → "12")."""

    def one(v: object) -> str | None:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if v is pd.NA or v is pd.NaT:
            return None
        return str(v).strip() or None

    return pd.Series([one(v) for v in series], index=series.index, dtype=object)


def import_territories(
    ws: Workspace,
    path: Path,
    *,
    layer: str,
    code_field: str,
    name_field: str | None = None,
    parent_field: str | None = None,
    crs: str | None = None,
) -> records.ImportReport:
    """Import one territory layer (replacing it) and assign every stored incident to it."""
    check_layer_name(layer)
    if layer in store.INCIDENT_COLUMNS:
        raise InputError(
            N_("%(name)r is a reserved column name and cannot be a layer name."),
            hint=N_("Choose another name, such as borough or neighbourhood."),
            params={"name": layer},
        )
    sha = records.file_sha256(path)
    report = records.ImportReport(kind="territories", source=layer, file=path.name)
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    frame = read_geo(path, crs=crs)
    file = str(path)
    codes = _code_text(_field(frame, code_field, file, "--code-field"))  # type: ignore[arg-type]
    names = _field(frame, name_field, file, "--name-field")
    parents = _field(frame, parent_field, file, "--parent-field")
    geoms = frame.geometry.to_crs(ws.config.crs).values
    rejects: list[tuple[int, str, str, str]] = []
    valid = np.ones(len(frame), dtype=bool)
    for i, (code, geom) in enumerate(zip(codes, geoms, strict=True)):
        if code is None:
            rejects.append((i + 1, code_field, "", REASON_EMPTY_CODE))
            valid[i] = False
        elif geom is None or geom.is_empty or geom.geom_type not in {"Polygon", "MultiPolygon"}:
            rejects.append(
                (i + 1, "geometry", "" if geom is None else geom.geom_type, REASON_NOT_POLYGON)
            )
            valid[i] = False
    dup = codes[valid].duplicated(keep=False)
    if dup.any():
        raise InputError(
            N_("Codes are not unique in this layer: %(codes)s."),
            hint=N_(
                "Each territory needs its own code; choose another --code-field or merge the polygons."
            ),
            where=Where(file=file, column=code_field),
            params={"codes": ", ".join(sorted(set(codes[valid][dup])))[:200]},
        )
    geoms = shapely.make_valid(np.asarray(geoms[valid]))
    wgs = gpd.GeoSeries(geoms, crs=ws.config.crs).to_crs(WGS84).values
    kept = int(valid.sum())
    table = pa.table(
        {
            "layer": [layer] * kept,
            "code": codes[valid].tolist(),
            "name": pa.nulls(kept, pa.string())
            if names is None
            else pa.array(names[valid].astype(str).tolist()),
            "parent_code": pa.nulls(kept, pa.string())
            if parents is None
            else pa.array(_code_text(parents[valid]).tolist(), pa.string()),
            "geometry": shapely.to_wkb(geoms).tolist(),
            "geometry_wgs84": shapely.to_wkb(np.asarray(wgs)).tolist(),
            "area_km2": (shapely.area(geoms) / 1e6).tolist(),
        }
    )
    reject_table = records.rejects_table(rejects)
    report.rows_read = len(frame)
    report.rows_accepted = table.num_rows
    report.rows_rejected, report.rejected_by_reason = records.reason_counts(reject_table)

    def assign_incidents(con: duckdb.DuckDBPyConnection) -> None:
        if layer not in store.layer_columns(con):
            con.execute(f'ALTER TABLE incidents ADD COLUMN "{layer}" VARCHAR')
        reassign(con, ws.config)

    _replace_layer(ws, report, table, reject_table, path, sha, started, then=assign_incidents)
    return report


def _replace_layer(
    ws: Workspace,
    report: records.ImportReport,
    table: pa.Table,
    reject_table: pa.Table,
    path: Path,
    sha: str,
    started: dt.datetime,
    then: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> None:
    """Replace the layer report.source of the store table report.kind by table, in one transaction."""
    with store.connect(ws.store_path) as con:
        if records.already_imported(con, report.kind, report.source, sha, append=False):
            report.skipped = True
            return
        report.import_id = records.new_import_id(report.kind, sha)
        prev = records.previous_import(con, report.kind, report.source)
        report.replaces = prev[0] if prev else None
        with store.transaction(con):
            con.execute(f"DELETE FROM {report.kind} WHERE layer = ?", [report.source])
            records.insert_batch(con, report.kind, table, report.import_id)
            if then is not None:
                then(con)
            records.record_import(
                con,
                report,
                sha=sha,
                size=path.stat().st_size if path.is_file() else 0,
                started=started,
                rejects=reject_table,
            )


def load_layers(con: duckdb.DuckDBPyConnection, config: Config) -> list[Layer]:
    """Return every stored territory layer, polygons in the workspace CRS, sorted by code."""
    rows = con.execute(
        "SELECT layer, code, geometry FROM territories ORDER BY layer, code"
    ).fetchall()
    layers: dict[str, tuple[list[str], list[bytes]]] = {}
    for layer, code, wkb in rows:
        layers.setdefault(layer, ([], []))
        layers[layer][0].append(code)
        layers[layer][1].append(wkb)
    return [
        Layer(
            name=name,
            codes=np.asarray(codes, dtype=object),
            geometries=shapely.from_wkb(wkbs),
            attribute=config.layer(name).attribute,
        )
        for name, (codes, wkbs) in layers.items()
    ]


def reassign(con: duckdb.DuckDBPyConnection, config: Config) -> None:
    """Recompute every incident's territories and location quality from its stored point."""
    layers = load_layers(con, config)
    frame = con.sql(
        "SELECT incident_id, x, y, lon, lat, district, location_issue FROM incidents"
    ).to_arrow_table()
    if frame.num_rows == 0:
        return
    x = np.asarray(frame.column("x").to_numpy(), dtype=float)
    y = np.asarray(frame.column("y").to_numpy(), dtype=float)
    # Issues other than "outside" (missing, placeholder) stay; "outside" is decided again.
    before = pc.index_in(frame.column("location_issue"), value_set=pa.array(ISSUES[1:]))
    issue = np.asarray(pc.fill_null(before, -1).to_numpy(zero_copy_only=False), dtype=np.int8) + 1
    issue[issue == ISSUES.index(ISSUE_OUTSIDE)] = 0
    located = assign_territories(
        x,
        y,
        np.asarray(frame.column("lon").to_numpy(), dtype=float),
        np.asarray(frame.column("lat").to_numpy(), dtype=float),
        np.isfinite(x) & np.isfinite(y),
        issue,
        layers=layers,
        extent=list(config.extent_layers),
        attributes={"district": frame.column("district").combine_chunks()},
        grid_size=config.grid_size_m,
        h3_resolution=config.h3_resolution,
    )
    update = pa.table(
        {
            "incident_id": frame.column("incident_id"),
            "location_issue": located.issue,
            "grid_cell": located.grid_cell,
            "h3_cell": located.h3_cell,
            **{f"layer_{name}": codes for name, codes in located.layers.items()},
        }
    )
    sets = ["location_issue", "grid_cell", "h3_cell"]
    assignments = [f"{c} = u.{c}" for c in sets] + [
        f'"{n}" = u."layer_{n}"' for n in located.layers
    ]
    con.register("u", update)
    con.execute(
        f"UPDATE incidents SET {', '.join(assignments)} FROM u WHERE incidents.incident_id = u.incident_id"
    )
    con.unregister("u")


def import_sites(
    ws: Workspace,
    path: Path,
    *,
    layer: str,
    id_field: str,
    name_field: str | None = None,
    crs: str | None = None,
) -> records.ImportReport:
    """Import a layer of sites (points; polygons become their centroid), replacing that layer."""
    check_layer_name(layer)
    sha = records.file_sha256(path)
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    report = records.ImportReport(kind="sites", source=layer, file=path.name)
    frame = read_geo(path, crs=crs)
    file = str(path)
    ids = _code_text(_field(frame, id_field, file, "--id-field"))  # type: ignore[arg-type]
    names = _field(frame, name_field, file, "--name-field")
    geoms = frame.geometry.to_crs(ws.config.crs).values
    points = np.asarray(
        [g if g is None or g.geom_type == "Point" else g.centroid for g in geoms], dtype=object
    )
    ok = np.asarray(
        [
            c is not None and p is not None and not p.is_empty
            for c, p in zip(ids, points, strict=True)
        ]
    )
    dup = ids.duplicated(keep="first").to_numpy() & ok
    rejects = [
        (
            i + 1,
            id_field,
            "" if ids[i] is None else str(ids[i]),
            v.REASON_DUPLICATE_KEY
            if dup[i]
            else (v.REASON_EMPTY_KEY if ids[i] is None else REASON_NO_GEOMETRY),
        )
        for i in np.flatnonzero(~ok | dup).tolist()
    ]
    keep = ok & ~dup
    pts = points[keep]
    areas = [
        shapely.to_wkb(g) if g is not None and g.geom_type in ("Polygon", "MultiPolygon") else None
        for g in np.asarray(geoms, dtype=object)[keep]
    ]
    wgs = gpd.GeoSeries(pts, crs=ws.config.crs).to_crs(WGS84)
    extra = frame.drop(columns=[c for c in ("geometry", id_field, name_field) if c]).iloc[
        np.flatnonzero(keep)
    ]
    attrs = [
        json.dumps({k: _jsonable(v) for k, v in row.items()}, ensure_ascii=False)
        for row in extra.to_dict(orient="records")
    ]
    table = pa.table(
        {
            "layer": [layer] * int(keep.sum()),
            "site_id": ids[keep].tolist(),
            "name": pa.nulls(int(keep.sum()), pa.string())
            if names is None
            else names[keep].astype(str).tolist(),
            "x": shapely.get_x(pts),
            "y": shapely.get_y(pts),
            "lon": wgs.x.to_numpy(),
            "lat": wgs.y.to_numpy(),
            "attributes": attrs,
            "area": pa.array(areas, pa.binary()),
        }
    )
    reject_table = records.rejects_table(rejects)
    report.rows_read = len(frame)
    report.rows_accepted = table.num_rows
    report.rows_rejected, report.rejected_by_reason = records.reason_counts(reject_table)
    _replace_layer(ws, report, table, reject_table, path, sha, started)
    return report


def _jsonable(value: object) -> object:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, float) and np.isnan(value):
        return None
    return str(value)
