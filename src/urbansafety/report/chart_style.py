"""The look every chart of a report shares: Okabe and Ito's palette, fonts, locale and sizing."""

from __future__ import annotations

from typing import Any

from urbansafety.report.formatting import vega_locale

# Okabe-Ito, darkest first so that two-series charts keep a strong contrast.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
BAR_COLOUR = PALETTE[0]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def styled(spec: dict[str, Any], lang: str, description: str) -> dict[str, Any]:
    """Return the spec with the report's locale, fonts, palette and sizing, and its description.

    The spec is changed in place: its config gains the report's settings, keeping any others.
    """
    config = spec.setdefault("config", {})
    config["locale"] = vega_locale(lang)
    config["font"] = FONT
    config["range"] = {"category": list(PALETTE)}
    config["view"] = {"stroke": None, "continuousWidth": 300, "continuousHeight": 300}
    config["axis"] = {"labelFontSize": 12, "titleFontSize": 13, "titleFontWeight": "normal"}
    config["legend"] = {"labelFontSize": 12, "titleFontSize": 13, "labelLimit": 260}
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    spec["description"] = description
    return spec
