"""`urbansafety portrait`: compute the crime portrait, write the HTML report and the Excel workbook."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from urbansafety import store
from urbansafety.analysis.persons import persons_by_age_gender
from urbansafety.analysis.portrait import Scope, portrait, scoped
from urbansafety.analysis.sites import SitePortrait, site_points_table, site_portrait
from urbansafety.engine import open_engine
from urbansafety.errors import ConfigError, InputError
from urbansafety.i18n import N_, translator
from urbansafety.report.model import Report, Source
from urbansafety.report.portrait_sections import portrait_sections
from urbansafety.workspace import Workspace

SPVM_SOURCE = Source(
    "Actes criminels",
    "Service de police de la Ville de Montréal (données ouvertes, CC BY 4.0)",
    "https://donnees.montreal.ca/dataset/actes-criminels",
)


@dataclass(frozen=True)
class Written:
    """The files a portrait wrote."""

    html: Path
    workbook: Path


def parse_territory(text: str | None, where: str = "--territory") -> tuple[str | None, str | None]:
    """Return (layer, code) from "LAYER:CODE" ("all" or None: the whole territory)."""
    if text is None or text.strip().lower() in ("", "all", "tout", "*"):
        return None, None
    if ":" not in text:
        raise InputError(
            N_("%(option)s must be LAYER:CODE, e.g. borough:B1 (got %(value)r)."),
            hint=N_("The layers and codes are listed by 'urbansafety info'."),
            params={"option": where, "value": text},
        )
    layer, code = text.split(":", 1)
    return layer.strip(), code.strip()


def parse_years(text: str | None) -> tuple[int | None, int | None]:
    """Return (first, last) from "2018-2022" or "2022" (None: every year stored)."""
    if not text:
        return None, None
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[-–:]\s*(\d{4}))?\s*", text)
    if not m or (m.group(2) and int(m.group(2)) < int(m.group(1))):
        raise InputError(
            N_("--years must be FIRST-LAST, e.g. 2018-2022 (got %(value)r)."),
            params={"value": text},
        )
    return int(m.group(1)), int(m.group(2) or m.group(1))


def territory_name(ws: Workspace, layer: str | None, code: str | None, lang: str = "fr") -> str:
    """Return the display name of a territory (the workspace's name for the whole territory)."""
    if layer is None:
        return ws.config.territory_label(lang)
    with store.connect(ws.store_path, read_only=True) as con:
        row = con.execute(
            "SELECT name FROM territories WHERE layer = ? AND code = ?", [layer, code]
        ).fetchone()
        layers = {r[0] for r in con.execute("SELECT DISTINCT layer FROM territories").fetchall()}
    if layer not in layers:
        raise InputError(
            N_("No territory layer named %(layer)s."),
            hint=N_("Layers: %(layers)s."),
            params={"layer": layer, "layers": ", ".join(sorted(layers)) or "-"},
        )
    if row is None:
        raise InputError(
            N_("No territory %(code)s in layer %(layer)s."),
            hint=N_("The layers and codes are listed by 'urbansafety info'."),
            params={"code": code, "layer": layer},
        )
    return str(row[0] or code)


def scope_from_options(
    ws: Workspace,
    *,
    territory: str | None,
    years: str | None,
    theme: str | None,
    categories: list[str],
    lang: str,
) -> tuple[Scope, str, str]:
    """Return the scope of the --territory, --years, --theme and --category options.

    Also returns the territory's name and the theme's label in lang ("" without a theme).
    """
    layer, code = parse_territory(territory)
    first, last = parse_years(years or _config_years(ws))
    cats: tuple[str, ...] = tuple(categories)
    codes: tuple[str, ...] = ()
    label = ""
    if theme:
        if theme not in ws.config.themes:
            raise ConfigError(
                N_("No theme named %(theme)s in urbansafety.toml."),
                hint=N_("Themes: %(themes)s."),
                params={"theme": theme, "themes": ", ".join(ws.config.themes) or "-"},
            )
        t = ws.config.themes[theme]
        cats, codes = cats + t.categories, t.violation_codes
        label = t.label_fr if lang == "fr" else t.label_en
    scope = Scope(layer, code, first, last, cats, codes, theme)
    return scope, territory_name(ws, layer, code, lang), label


def run_portrait(
    ws: Workspace,
    *,
    territory: str | None,
    years: str | None,
    compare: str | None,
    theme: str | None,
    categories: list[str],
    lang: str,
    out: Path | None,
    site_layer: str | None = None,
    today: dt.date | None = None,
    hotspots: bool = False,
) -> Written:
    """Compute the portrait for the options of `urbansafety portrait` and write its files.

    With `hotspots`, the hot-spot chapter (maps, Gi*, Moran, density, near repeat) of the same
    territory, period and theme is added before the confidentiality section.
    """
    _ = translator(lang)
    scope, name, theme_label = scope_from_options(
        ws, territory=territory, years=years, theme=theme, categories=categories, lang=lang
    )
    layer, code = scope.layer, scope.code
    reference = None
    ref_name = ""
    if compare is not None:
        rl, rc = parse_territory(compare, "--compare")
        reference = Scope(rl, rc)
        ref_name = territory_name(ws, rl, rc, lang)
    with open_engine(ws) as engine:
        incidents = engine.table("incidents")
        p = portrait(
            incidents,
            engine.table("population"),
            engine.table("territories"),
            scope,
            reference=reference,
        )
        selected = scoped(incidents, scope)
        persons = persons_by_age_gender(engine.table("persons"), selected)
        sp = _sites(
            ws, engine, selected, site_layer, int(p.summary["incidents"]), p.years, layer, code
        )
        codes = _frame_codes(selected)
    csi = _severity(ws, codes, p.yearly, name)
    extra = []
    if hotspots:
        from urbansafety.hotspots_analysis import analyse_hotspots
        from urbansafety.report.hotspot_sections import hotspot_sections

        extra = hotspot_sections(analyse_hotspots(ws, scope, name), lang, tiles=ws.config.map_tiles)
    sections = portrait_sections(
        p,
        lang,
        ws.config.disclosure_threshold,
        territory_name=name,
        reference_name=ref_name,
        persons=persons,
        sites=sp,
        severity=csi,
        extra=extra,
    )
    title = _("Crime portrait") + (f" — {theme_label}" if theme_label else "")
    report = Report(
        title=title,
        lang=lang,
        generated_at=today or dt.date.today(),
        subtitle=name,
        territory=name,
        period=f"{p.years[0]}–{p.years[-1]}",
        sections=sections,
        sources=[SPVM_SOURCE],
    )
    from urbansafety.report.excel import write_workbook
    from urbansafety.report.html import render_html

    folder = out or ws.reports
    folder.mkdir(parents=True, exist_ok=True)
    stem = (
        "portrait"
        + (f"_{layer}_{code}" if layer else "")
        + (f"_{theme}" if theme else "")
        + f"_{lang}"
    )
    stem = re.sub(r"[^A-Za-z0-9_.-]", "-", stem)
    html = folder / f"{stem}.html"
    html.write_text(render_html(report), encoding="utf-8")
    workbook = folder / f"{stem}.xlsx"
    write_workbook(report, workbook)
    return Written(html, workbook)


def _config_years(ws: Workspace) -> str | None:
    c = ws.config
    if c.first_year and c.last_year:
        return f"{c.first_year}-{c.last_year}"
    return None


def _sites(
    ws: Workspace,
    engine: object,
    selected: object,
    site_layer: str | None,
    total: int,
    years: list[int],
    layer: str | None,
    code: str | None,
) -> SitePortrait | None:
    """Return the site-based portrait of the sites inside the territory (None without sites)."""
    import shapely

    sites = engine.table("sites").to_pandas()  # type: ignore[attr-defined]
    if sites.empty:
        return None
    chosen = site_layer or str(sorted(sites["layer"].unique())[0])
    sites = sites[sites["layer"] == chosen]
    if layer is not None:
        with store.connect(ws.store_path, read_only=True) as con:
            row = con.execute(
                "SELECT geometry FROM territories WHERE layer = ? AND code = ?", [layer, code]
            ).fetchone()
        if row is not None:
            polygon = shapely.from_wkb(row[0])
            sites = sites[shapely.covers(polygon, shapely.points(sites["x"], sites["y"]))]
    if sites.empty:
        return None
    points = site_points_table(selected).to_pandas()  # type: ignore[arg-type]
    return site_portrait(
        sites,
        points,
        total,
        radius_m=ws.config.site_radius_m,
        dwellings_key=ws.config.dwellings_key,
        years=years,
    )


def _frame_codes(selected: object) -> pd.DataFrame:
    """Return incidents by year and UCR2 violation code (only those that carry a code)."""
    t = selected.filter(selected.violation_code.notnull())  # type: ignore[attr-defined]
    frame = t.group_by(["year", "violation_code"]).aggregate(incidents=t.count()).to_pandas()
    frame["year"] = frame["year"].astype("int64")
    frame["incidents"] = frame["incidents"].astype("int64")
    return frame


def _severity(
    ws: Workspace, codes: pd.DataFrame, yearly: pd.DataFrame, name: str
) -> pd.DataFrame | None:
    """Return the CSI by year of the territory (None when no incident carries a violation code)."""
    if codes.empty:
        return None
    from urbansafety.analysis.csi_weights import example_weights, load_weights
    from urbansafety.analysis.severity import crime_severity_index

    cfg = ws.config
    weights = load_weights(ws.path / cfg.csi_weights) if cfg.csi_weights else example_weights()
    counts = codes.assign(territory=name)
    population = yearly[["year", "population"]].assign(territory=name)
    if cfg.csi_base is not None:
        base, violent, nonviolent = cfg.csi_base
        return crime_severity_index(
            counts, population, weights, base=base, base_violent=violent, base_nonviolent=nonviolent
        )
    from urbansafety.analysis.severity import weighted_rates

    # CSI-like: 100 = the first year whose weighted rate is known (weights may miss every code).
    rates = weighted_rates(counts, population, weights)
    usable = rates[rates["weighted_rate"] > 0]
    if usable.empty:
        return None
    return crime_severity_index(
        counts, population, weights, base_from=(name, int(usable["year"].min()))
    )
