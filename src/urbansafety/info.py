"""What a workspace holds: tables, row counts, years, layers, last imports, rejects by reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table

from urbansafety import store
from urbansafety.i18n import format_count, format_share
from urbansafety.workspace import Workspace


@dataclass
class StoreSummary:
    """Counts that describe a store."""

    rows: dict[str, int] = field(default_factory=dict)
    years: tuple[int, int] | None = None
    unlocated: int = 0
    layers: dict[str, int] = field(default_factory=dict)
    site_layers: dict[str, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    imports: list[tuple[str, str, str, int, int, int, str]] = field(default_factory=list)
    rejects: list[tuple[str, str, int]] = field(default_factory=list)


def summarise(ws: Workspace, last: int = 8) -> StoreSummary:
    """Return the StoreSummary of a workspace's store."""
    s = StoreSummary()
    with store.connect(ws.store_path, read_only=True) as con:
        for name in store.TABLES:
            s.rows[name] = int(con.execute(f"SELECT count(*) FROM {name}").fetchone()[0])  # type: ignore[index]
        lo, hi, unknown = con.execute(
            "SELECT min(year), max(year), count(*) FILTER (location_quality = 'unknown') FROM incidents"
        ).fetchone()  # type: ignore[misc]
        s.years = (int(lo), int(hi)) if lo is not None else None
        s.unlocated = int(unknown or 0)
        s.layers = dict(
            con.execute("SELECT layer, count(*) FROM territories GROUP BY 1 ORDER BY 1").fetchall()
        )
        s.site_layers = dict(
            con.execute("SELECT layer, count(*) FROM sites GROUP BY 1 ORDER BY 1").fetchall()
        )
        s.sources = dict(
            con.execute("SELECT source, count(*) FROM incidents GROUP BY 1 ORDER BY 1").fetchall()
        )
        s.imports = con.execute(
            "SELECT kind, source, file, rows_read, rows_accepted, rows_rejected, "
            "strftime(finished_at, '%Y-%m-%d %H:%M') FROM imports ORDER BY finished_at DESC LIMIT ?",
            [last],
        ).fetchall()
        s.rejects = con.execute(
            "SELECT i.file, r.reason, count(DISTINCT r.row) FROM rejects r JOIN imports i USING (import_id) "
            "GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2"
        ).fetchall()
    return s


def print_info(ws: Workspace, _: Callable[[str], str], console: Console, lang: str = "fr") -> None:
    """Print the summary of a workspace for people."""
    s = summarise(ws)

    def n(value: int) -> str:
        return format_count(value, lang)

    engine = _("engine")
    console.print(
        f"[bold]{ws.config.name}[/] — {ws.path} ({ws.config.crs}, {engine} {ws.config.engine})",
        highlight=False,
    )
    rows = Table(title=_("Tables"))
    rows.add_column(_("table"))
    rows.add_column(_("rows"), justify="right")
    for name, count in s.rows.items():
        rows.add_row(name, n(count))
    console.print(rows)
    if s.years:
        share = s.unlocated / s.rows["incidents"] if s.rows["incidents"] else 0
        console.print(
            _("Incidents from %(first)s to %(last)s; unknown location: %(n)s (%(share)s).")
            % {
                "first": s.years[0],
                "last": s.years[1],
                "n": n(s.unlocated),
                "share": format_share(share, lang),
            },
            highlight=False,
        )
        console.print(
            _("Sources: %(list)s")
            % {"list": ", ".join(f"{k} ({n(v)})" for k, v in s.sources.items())},
            highlight=False,
        )
    if s.layers:
        console.print(
            _("Territory layers: %(list)s")
            % {"list": ", ".join(f"{k} ({v})" for k, v in s.layers.items())},
            highlight=False,
        )
    if s.site_layers:
        console.print(
            _("Site layers: %(list)s")
            % {"list": ", ".join(f"{k} ({v})" for k, v in s.site_layers.items())},
            highlight=False,
        )
    if s.imports:
        t = Table(title=_("Last imports"))
        for col in (
            _("kind"),
            _("source"),
            _("file"),
            _("rows read"),
            _("accepted"),
            _("rejected"),
            _("when"),
        ):
            t.add_column(col)
        for kind, source, file, read, acc, rej, when in s.imports:
            t.add_row(_(kind), source, file, n(read), n(acc), n(rej), when)
        console.print(t)
    if s.rejects:
        t = Table(title=_("Rejected rows by reason"))
        for col in (_("file"), _("reason"), _("rows")):
            t.add_column(col)
        for file, reason, count in s.rejects:
            t.add_row(file, _(reason), n(count))
        console.print(t)
    else:
        console.print(_("No rejected rows."))


def list_rejects(ws: Workspace, *, file: str | None = None, limit: int | None = 50) -> list[tuple]:
    """Return rejected rows (file, row, column, value, reason), latest import first, then by row."""
    sql = (
        'SELECT i.file, r."row", r."column", r.value, r.reason FROM rejects r '
        "JOIN imports i USING (import_id) WHERE ? IS NULL OR i.file = ? "
        'ORDER BY i.finished_at DESC, r."row", r."column"'
    )
    params: list[object] = [file, file]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    with store.connect(ws.store_path, read_only=True) as con:
        return con.execute(sql, params).fetchall()


def print_rejects(rows: list[tuple], _: Callable[[str], str], console: Console) -> None:
    """Print rejected rows as a table with translated reasons."""
    if not rows:
        console.print(_("No rejected rows."))
        return
    t = Table(title=_("Rejected rows"))
    for col in (_("file"), _("row"), _("column"), _("value"), _("reason")):
        t.add_column(col)
    for file, row, column, value, reason in rows:
        t.add_row(file, str(row), column or "", value or "", _(reason))
    console.print(t)
