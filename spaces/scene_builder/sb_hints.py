"""Placement and scale hints for `/assemble`: what an edit may ask of the gallery layout.

Hints arrive as one JSON object (all keys optional; an empty text means "no hints", the default layout):

    {"layout": "grid" | "row" | "circle",   how plinths are arranged (default "grid")
     "spacing": 1.0,                        walkway multiplier, 1-4 ("more space between them": 1.5)
     "order": "height" | "given",           "height": shortest in front (default); "given": file order,
                                            the first file nearest the entrance (+z)
     "scale": {"Eiffel Tower": 2.0}}        per-label factor on the shown height, 0.1-5

Conventions (glTF): +Y up, +Z toward the viewer (the entrance side), metres.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from trimesh.transformations import scale_matrix

from sb_errors import RequestError

__all__ = ["LAYOUTS", "MAX_SCALE", "MIN_SCALE", "Hints", "circle_positions", "parse_hints", "scaled"]

LAYOUTS = ("grid", "row", "circle")
MIN_SCALE, MAX_SCALE = 0.1, 5.0
MIN_SPACING, MAX_SPACING = 1.0, 4.0
_EXAMPLE = '{"layout": "circle", "spacing": 1.5, "order": "given", "scale": {"Eiffel Tower": 2}}'


@dataclass(frozen=True)
class Hints:
    """Checked hints; the defaults reproduce the layout without hints."""

    layout: str = "grid"
    spacing: float = 1.0
    order: str = "height"
    scale: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"layout": self.layout, "spacing": self.spacing, "order": self.order, "scale": dict(self.scale)}


def parse_hints(text: str | None, labels: list[str]) -> Hints:
    """Read the hints text for a gallery of `labels`.

    Args:
        text: a JSON object (see the module docstring) or empty.
        labels: the gallery's labels, in file order (scale keys must be among them).

    Returns:
        The checked hints.

    Raises:
        RequestError: not JSON, an unknown key or value, a factor out of range, or a label not in the gallery.
    """
    text = (text or "").strip()
    if not text:
        return Hints()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RequestError(f"hints must be a JSON object, e.g. {_EXAMPLE}; got {text[:80]!r} ({exc.msg}).") from exc
    if not isinstance(data, dict):
        raise RequestError(f"hints must be a JSON object, e.g. {_EXAMPLE}; got {type(data).__name__}.")
    unknown = set(data) - {"layout", "spacing", "order", "scale"}
    if unknown:
        raise RequestError(f"hints has unknown key(s) {sorted(unknown)}; valid: layout, spacing, order, scale.")
    layout = data.get("layout", "grid")
    if layout not in LAYOUTS:
        raise RequestError(f"hints.layout must be one of {', '.join(LAYOUTS)}, got {layout!r}.")
    order = data.get("order", "height")
    if order not in ("height", "given"):
        raise RequestError(f"hints.order must be 'height' or 'given', got {order!r}.")
    spacing = _number(data.get("spacing", 1.0), "hints.spacing", MIN_SPACING, MAX_SPACING)
    scales = data.get("scale") or {}
    if not isinstance(scales, dict):
        raise RequestError(f"hints.scale must map labels to factors, e.g. {{\"{labels[0]}\": 2}}, got {scales!r}.")
    missing = [k for k in scales if k not in labels]
    if missing:
        raise RequestError(f"hints.scale names {missing[0]!r}, which is not a label of this gallery; labels: "
                           f"{', '.join(labels)}.")
    checked = {k: _number(v, f"hints.scale[{k!r}]", MIN_SCALE, MAX_SCALE) for k, v in scales.items()}
    return Hints(layout=layout, spacing=spacing, order=order, scale=checked)


def _number(value: Any, what: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RequestError(f"{what} must be a number from {low:g} to {high:g}, got {value!r}.")
    if not low <= value <= high:
        raise RequestError(f"{what} must be from {low:g} to {high:g}, got {value:g}.")
    return float(value)


def scaled(obj: Any, factor: float) -> Any:
    """A `LoadedObject` shown `factor` times as tall (and wide): its normaliser, sizes and scale multiplied.

    The object frame is upright on y = 0 and centred in x/z, so scaling about its origin keeps it standing there.
    """
    if factor == 1.0:
        return obj
    obj.normaliser = scale_matrix(factor) @ np.asarray(obj.normaliser)
    obj.display_height *= factor
    obj.scale *= factor
    obj.footprint = (obj.footprint[0] * factor, obj.footprint[1] * factor)
    return obj


def circle_positions(sizes: list[tuple[float, float]], walkway: float) -> tuple[list[tuple[float, float]], float]:
    """Plinth centres on one circle around the floor's centre, the first nearest the entrance (+z), clockwise
    seen from above.

    Args:
        sizes: (width, depth) of each plinth, metres.
        walkway: least gap between neighbouring plinths, metres.

    Returns:
        ([(x, z) per plinth], radius in metres). Neighbours are at least their diagonal plus `walkway` apart,
        so boxes never come closer than `walkway`.
    """
    n = len(sizes)
    diagonal = max(math.hypot(w, d) for w, d in sizes)
    if n == 1:
        return [(0.0, 0.0)], 0.0
    chord = diagonal + walkway
    radius = max(chord / (2 * math.sin(math.pi / n)), diagonal / 2 + walkway)
    points = [(radius * math.sin(-2 * math.pi * i / n), radius * math.cos(2 * math.pi * i / n)) for i in range(n)]
    return [(round(x, 4), round(z, 4)) for x, z in points], radius
