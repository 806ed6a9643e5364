"""The workspace's territories as answer lists for neighbourhood questions."""

from __future__ import annotations

from urbansafety import store
from urbansafety.survey.answers import Territories
from urbansafety.survey.model import Text
from urbansafety.workspace import Workspace


def workspace_territories(ws: Workspace) -> Territories:
    """Return layer → [(code, name)] for every territory layer stored, ordered by name.

    The store keeps one name per territory (its official name), shown in both languages.
    """
    with store.connect(ws.store_path, read_only=True) as con:
        rows = con.execute(
            "SELECT layer, code, coalesce(name, code) FROM territories ORDER BY layer, 3, code"
        ).fetchall()
    found: dict[str, list[tuple[str, str | Text]]] = {}
    for layer, code, name in rows:
        found.setdefault(str(layer), []).append((str(code), Text(str(name), str(name))))
    return found
