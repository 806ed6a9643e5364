"""`urbansafety hotspots`: the command's options, and the report, workbook and cells it writes."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from urbansafety.analysis.portrait import Scope
from urbansafety.config import HotspotConfig
from urbansafety.errors import InputError
from urbansafety.hotspots_analysis import analyse_hotspots
from urbansafety.i18n import N_, translator
from urbansafety.workspace import Workspace


@dataclass(frozen=True)
class Written:
    """The files a hot-spot report wrote."""

    html: Path
    workbook: Path
    cells: Path


def hotspot_scope(
    ws: Workspace,
    *,
    territory: str | None,
    years: str | None,
    theme: str | None,
    categories: list[str],
    lang: str,
) -> tuple[Scope, str]:
    """Return the scope of `urbansafety hotspots` options and the territory's name."""
    from urbansafety.portrait_run import scope_from_options

    scope, name, _ = scope_from_options(
        ws, territory=territory, years=years, theme=theme, categories=categories, lang=lang
    )
    return scope, name


def settings_with(
    ws: Workspace,
    *,
    cells: str | None = None,
    cell: float | None = None,
    weights: str | None = None,
    permutations: int | None = None,
) -> tuple[HotspotConfig, float]:
    """Return the [hotspots] settings with the command-line overrides, and the grid size."""
    from urbansafety.config import HOTSPOT_CELLS, HOTSPOT_WEIGHTS

    s = ws.config.hotspots
    if cells is not None and cells not in HOTSPOT_CELLS:
        raise InputError(
            N_("Unknown kind of cells %(value)r."),
            hint=N_("Use 'grid' (squares) or 'h3' (hexagons)."),
            params={"value": cells},
        )
    if weights is not None and weights not in HOTSPOT_WEIGHTS:
        raise InputError(
            N_("Unknown kind of neighbours %(value)r."),
            hint=N_("Use queen, rook, distance or knn."),
            params={"value": weights},
        )
    if permutations is not None and permutations < 1:
        raise InputError(
            N_("Local Moran's I needs at least 1 permutation (got %(value)s)."),
            hint=N_("999 gives pseudo p-values down to 0.001."),
            params={"value": permutations},
        )
    s = replace(
        s,
        cells=cells or s.cells,
        weights=weights or s.weights,
        permutations=s.permutations if permutations is None else permutations,
    )
    return s, float(cell or ws.config.grid_size_m)


def run_hotspots(
    ws: Workspace,
    scope: Scope,
    territory: str,
    *,
    lang: str,
    out: Path | None,
    settings: HotspotConfig | None = None,
    cell: float | None = None,
    area_layer: str | None = None,
    today: dt.date | None = None,
) -> Written:
    """Compute the hot-spot analyses of the scope and write the HTML report, workbook and cells."""
    from urbansafety.portrait_run import SPVM_SOURCE
    from urbansafety.report.excel import write_workbook
    from urbansafety.report.hotspot_maps import cells_geojson
    from urbansafety.report.hotspot_sections import hotspot_sections
    from urbansafety.report.html import render_html
    from urbansafety.report.model import Report

    _ = translator(lang)
    analysis = analyse_hotspots(
        ws, scope, territory, settings=settings, cell=cell, area_layer=area_layer
    )
    years = analysis.years
    report = Report(
        title=_("Hot spots and spatial analysis"),
        lang=lang,
        generated_at=today or dt.date.today(),
        subtitle=territory,
        territory=territory,
        period=f"{years[0]}–{years[-1]}" if years else "",
        sections=hotspot_sections(analysis, lang, confidentiality=True, tiles=ws.config.map_tiles),
        sources=[SPVM_SOURCE],
    )
    folder = out or ws.reports
    folder.mkdir(parents=True, exist_ok=True)
    stem = "hotspots" + (f"_{scope.layer}_{scope.code}" if scope.layer else "")
    stem = re.sub(r"[^A-Za-z0-9_.-]", "-", stem + (f"_{scope.theme}" if scope.theme else ""))
    html = folder / f"{stem}_{lang}.html"
    html.write_text(render_html(report), encoding="utf-8")
    workbook = folder / f"{stem}_{lang}.xlsx"
    write_workbook(report, workbook)
    cells = folder / f"{stem}_cells.geojson"
    cells.write_text(json.dumps(cells_geojson(analysis)), encoding="utf-8")
    return Written(html, workbook, cells)
