"""The QR code of a campaign's public link, as inline SVG (drawn here: no network, no image file)."""

from __future__ import annotations

import segno


def qr_svg(url: str, *, title: str) -> str:
    """Return an inline SVG QR code of url, with a <title> for screen readers."""
    code = segno.make(url, error="m", micro=False)
    # Scale 5 gives about 1.8 cm modules on a printed A4 poster; dark on light for scanners.
    svg = code.svg_inline(scale=5, border=4, dark="#000", light="#fff", title=title, svgclass="qr")
    return svg.replace("<svg ", '<svg role="img" ', 1)
