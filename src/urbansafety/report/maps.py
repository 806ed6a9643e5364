"""Maps of a report as data: GeoJSON for the interactive HTML map, a static SVG for print.

`map_geojson` writes each layer as a GeoJSON FeatureCollection (RFC 7946: longitude/latitude,
exterior rings counter-clockwise, coordinates rounded to 6 decimals, about 0.1 m).
`map_svg` draws the map in Web Mercator (EPSG:3857, the projection of web maps) fitted to
its bounds, with a legend and a scale bar, for print, PDF and DOCX; it needs no plotting
library. Text on a map (layer names, legend labels, tooltips) comes from the caller in the
report's language; the only number written here is the scale bar's length.

References
----------
Butler, H. et al. (2016). The GeoJSON Format. RFC 7946, IETF.
https://www.rfc-editor.org/rfc/rfc7946
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from urbansafety.report.model_map import Map, MapLayer

DECIMALS = 6
EARTH_RADIUS = 6_378_137.0  # metres, the sphere of Web Mercator
MAX_LATITUDE = 85.051_128_78  # Web Mercator's square world
# Drawing: fills are see-through (outlines and neighbours stay readable), borders thin grey.
FILL_OPACITY = 0.7
BORDER = "#666666"
OUTLINE = "#222222"
UNKEYED = "#8a8a8a"
FRAME_FILL = "#f4f6f8"
FRAME_STROKE = "#c9d0d8"
TEXT = "#1b1f24"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
POINT_RADIUS = 4.0
# Scale bar lengths in metres: whole metres or kilometres, never a decimal or thousands separator.
SCALE_LENGTHS = tuple(m * 10**k for k in range(0, 6) for m in (1, 2, 5))
LEGEND_ROW = 21
LEGEND_FONT = 13


def map_geojson(m: Map) -> dict[str, Any]:
    """Return {"title", "layers"}: each layer a GeoJSON FeatureCollection with its legend.

    A layer's FeatureCollection also holds `name`, `outline`, `visible` and `legend`
    (key, label, color); each feature's properties are `key`, `tooltip` and `color` (None
    when the feature is an outline only).
    """
    return {"title": m.title, "layers": [layer_geojson(layer) for layer in m.layers]}


def layer_geojson(layer: MapLayer) -> dict[str, Any]:
    """Return one layer as a GeoJSON FeatureCollection (see `map_geojson`)."""
    colors = {e.key: e.color for e in layer.legend}
    features = []
    for i, geometry in enumerate(geojson_geometries(layer.geometries)):
        key = layer.key_of(i)
        properties = {"key": key, "tooltip": layer.tooltip_of(i), "color": colors.get(key or "")}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {
        "type": "FeatureCollection",
        "name": layer.name,
        "outline": layer.outline,
        "visible": layer.visible,
        "legend": [{"key": e.key, "label": e.label, "color": e.color} for e in layer.legend],
        "features": features,
    }


def geojson_geometries(geometries: Sequence[BaseGeometry]) -> list[dict[str, Any]]:
    """Return GeoJSON geometry objects, rings oriented as RFC 7946 says, rounded to 6 decimals."""
    if not geometries:
        return []
    array = shapely.orient_polygons(np.asarray(geometries, dtype=object), exterior_cw=False)
    array = shapely.transform(array, lambda xy: np.round(xy, DECIMALS))
    return [_plain(mapping(g)) for g in array]


def _plain(value: Any) -> Any:
    # mapping() gives nested tuples of numpy-free floats; JSON wants lists either way.
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def map_svg(m: Map, width: int = 720, height: int = 480, *, id_prefix: str = "map") -> str:
    """Return the map as a standalone SVG: its visible layers, a scale bar and the legend.

    `width` × `height` is the map's frame in pixels; the legend adds rows below it. Every
    geometry is one <path> (nothing else is a path); paths of a class are grouped under the
    class's colour. `id_prefix` starts the SVG's own element ids (unique on an HTML page).
    """
    if width < 100 or height < 100:
        raise ValueError(f"a map needs at least 100 × 100 pixels, not {width} × {height}")
    project = _Projection(m, width, height)
    clip = f"{id_prefix}-clip"
    legend, legend_height = _legend(m, width, top=height + 8)
    total = height + (legend_height + 16 if legend_height else 0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total}" '
        f'viewBox="0 0 {width} {total}" role="img" aria-label={quoteattr(m.alt_text)} '
        f"font-family={quoteattr(FONT)}>",
        f"<title>{escape(m.title)}</title>",
    ]
    if m.description:
        parts.append(f"<desc>{escape(m.description)}</desc>")
    parts.append(f'<clipPath id="{clip}"><rect width="{width}" height="{height}"/></clipPath>')
    parts.append(
        f'<rect width="{width}" height="{height}" fill="{FRAME_FILL}" stroke="{FRAME_STROKE}"/>'
    )
    parts.append(f'<g clip-path="url(#{clip})">')
    for layer in m.layers:
        if layer.visible:
            parts.extend(_layer_paths(layer, project))
    parts.append("</g>")
    parts.extend(_scale_bar(project, height))
    parts.extend(legend)
    parts.append("</svg>")
    return "\n".join(parts)


class _Projection:
    """Web Mercator fitted (same scale on both axes, centred) to the map's frame."""

    def __init__(self, m: Map, width: int, height: int, pad: float = 12.0) -> None:
        west, south, east, north = m.bounds
        x0, y0 = _mercator(west, south)
        x1, y1 = _mercator(east, north)
        span = max(x1 - x0, y1 - y0)
        if span < 200:  # one point or a tiny area: show about 200 m around it
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            x0, x1, y0, y1 = cx - 100, cx + 100, cy - 100, cy + 100
        self.scale = min((width - 2 * pad) / (x1 - x0), (height - 2 * pad) / (y1 - y0))
        self.left = (width - self.scale * (x1 - x0)) / 2 - self.scale * x0
        self.top = (height - self.scale * (y1 - y0)) / 2 + self.scale * y1
        self.latitude = (south + north) / 2

    def __call__(self, lonlat: np.ndarray) -> np.ndarray:
        x, y = _mercator(lonlat[:, 0], lonlat[:, 1])
        return np.column_stack([self.left + self.scale * x, self.top - self.scale * y])

    def metres_per_pixel(self) -> float:
        """Return ground metres per pixel at the map's middle latitude."""
        return math.cos(math.radians(self.latitude)) / self.scale


def _mercator(lon: Any, lat: Any) -> tuple[Any, Any]:
    lat = np.clip(lat, -MAX_LATITUDE, MAX_LATITUDE)
    x = EARTH_RADIUS * np.radians(lon)
    y = EARTH_RADIUS * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))
    return x, y


def _layer_paths(layer: MapLayer, project: _Projection) -> list[str]:
    if not layer.geometries:
        return []
    pixels = shapely.transform(np.asarray(layer.geometries, dtype=object), project)
    colors = {e.key: e.color for e in layer.legend}
    groups: dict[str | None, list[str]] = {}
    for i, geometry in enumerate(pixels):
        groups.setdefault(layer.key_of(i), []).append(_path_data(geometry))
    # Outline-only features first, then classes in legend order, so colours are not hidden.
    order = [None, *colors]
    out = [f"<g data-layer={quoteattr(layer.name)}>"]
    for key in order:
        if key not in groups:
            continue
        out.append(f"<g {_style(layer, colors.get(key or ''))}>")
        out.extend(f'<path d="{d}"/>' for d in groups[key])
        out.append("</g>")
    out.append("</g>")
    return out


def _style(layer: MapLayer, color: str | None) -> str:
    kind = _kind(layer)
    if kind == "line":
        stroke = color or (OUTLINE if layer.outline else UNKEYED)
        width = 1.5 if layer.outline else 2
        return f'fill="none" stroke="{stroke}" stroke-width="{width}" stroke-linejoin="round"'
    if kind == "point":
        return f'fill="{color or UNKEYED}" fill-opacity="0.9" stroke="#ffffff" stroke-width="1"'
    if color is None:
        return f'fill="none" stroke="{UNKEYED}" stroke-width="0.75"'
    return (
        f'fill="{color}" fill-opacity="{FILL_OPACITY}" fill-rule="evenodd" '
        f'stroke="{BORDER}" stroke-width="0.5" stroke-linejoin="round"'
    )


def _path_data(geometry: BaseGeometry) -> str:
    kind = geometry.geom_type
    if kind == "Polygon":
        rings = [geometry.exterior, *geometry.interiors]  # type: ignore[attr-defined]
        return "".join(_line(np.asarray(r.coords)) + "Z" for r in rings)
    if kind == "LineString":
        return _line(np.asarray(geometry.coords))
    if kind == "Point":
        x, y = geometry.coords[0]
        r = POINT_RADIUS
        return f"M{x - r:.1f} {y:.1f}a{r} {r} 0 1 0 {2 * r} 0a{r} {r} 0 1 0 {-2 * r} 0Z"
    return "".join(_path_data(part) for part in geometry.geoms)  # type: ignore[attr-defined]


def _line(xy: np.ndarray) -> str:
    return "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in xy[:, :2])


def _scale_bar(project: _Projection, height: int) -> list[str]:
    per_pixel = project.metres_per_pixel()
    fitting = [m for m in SCALE_LENGTHS if m / per_pixel <= 160]
    metres = fitting[-1] if fitting else SCALE_LENGTHS[0]
    bar = metres / per_pixel
    text = f"{metres // 1000}\u00a0km" if metres >= 1000 else f"{metres}\u00a0m"
    x, y = 14.0, height - 14.0
    return [
        '<g class="scale-bar">',
        f'<rect x="{x - 6}" y="{y - 22}" width="{bar + 12:.1f}" height="28" rx="3" '
        'fill="#ffffff" fill-opacity="0.85"/>',
        f'<polyline points="{x},{y - 5} {x},{y} {x + bar:.1f},{y} {x + bar:.1f},{y - 5}" '
        f'fill="none" stroke="{TEXT}" stroke-width="1.5"/>',
        f'<text x="{x}" y="{y - 8}" font-size="12" fill="{TEXT}">{text}</text>',
        "</g>",
    ]


def _legend(m: Map, width: int, top: float) -> tuple[list[str], float]:
    """Return the legend's SVG elements under the frame, and its height."""
    groups = [(layer, _legend_items(layer)) for layer in m.layers if layer.visible]
    groups = [(layer, items) for layer, items in groups if items]
    if not groups:
        return [], 0.0
    longest = max(len(label) for _layer, items in groups for label, _c, _o in items)
    column = min(width - 16.0, 30 + 0.6 * LEGEND_FONT * longest)
    columns = max(1, int((width - 16) // column))
    out = ['<g class="legend">']
    y = top
    for layer, items in groups:
        y += 6
        if layer.legend:  # an outline's only entry is its name: no heading above it
            y += 10
            out.append(
                f'<text x="8" y="{y:.0f}" font-size="{LEGEND_FONT}" font-weight="600" '
                f'fill="{TEXT}">{escape(layer.name)}</text>'
            )
            y += 6
        for i, (label, color, kind) in enumerate(items):
            row, col = divmod(i, columns)
            x = 8 + col * column
            cy = y + row * LEGEND_ROW
            if kind == "line":
                swatch = (
                    f'<line x1="{x}" y1="{cy + 7}" x2="{x + 16}" y2="{cy + 7}" '
                    f'stroke="{color}" stroke-width="2"/>'
                )
            elif kind == "point":
                swatch = (
                    f'<circle cx="{x + 8}" cy="{cy + 7}" r="{POINT_RADIUS + 1}" fill="{color}" '
                    f'fill-opacity="0.9" stroke="#ffffff" stroke-width="1"/>'
                )
            else:
                swatch = (
                    f'<rect x="{x}" y="{cy}" width="16" height="14" fill="{color}" '
                    f'fill-opacity="{FILL_OPACITY}" stroke="{BORDER}" stroke-width="0.5"/>'
                )
            out.append(
                f'<g class="legend-entry">{swatch}<text x="{x + 22}" y="{cy + 11}" '
                f'font-size="{LEGEND_FONT}" fill="{TEXT}">{escape(label)}</text></g>'
            )
        y += math.ceil(len(items) / columns) * LEGEND_ROW
    out.append("</g>")
    return out, y - top


def _legend_items(layer: MapLayer) -> list[tuple[str, str, str]]:
    """Return (label, colour, swatch kind: fill, line or point) for each entry of a layer.

    An outline layer with no legend is listed under its own name, as a line.
    """
    if not layer.legend:
        return [(layer.name, OUTLINE, "line")] if layer.outline else []
    return [(e.label, e.color, _kind(layer)) for e in layer.legend]


def _kind(layer: MapLayer) -> str:
    """Return how a layer is drawn: "line" (outlines, lines), "point" or "fill"."""
    types = {g.geom_type for g in layer.geometries}
    if layer.outline or (types and types <= {"LineString", "MultiLineString"}):
        return "line"
    if types and types <= {"Point", "MultiPoint"}:
        return "point"
    return "fill"
