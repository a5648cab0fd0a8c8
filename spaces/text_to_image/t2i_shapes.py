"""Flat silhouettes of known subjects, as polygons in subject units.

Coordinates: x to the right, y up, the subject's base centred on (0, 0) and its
height exactly 1.0 (width varies by shape). Each shape is a list of
`(role, polygon)` drawn in order; role is "main" (the subject's colour),
"accent" (a lighter or contrasting part) or "dark" (windows, doors, openings).
"""

from __future__ import annotations

import math

Polygon = list[tuple[float, float]]
Part = tuple[str, Polygon]


def _rect(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def _ellipse(cx: float, cy: float, rx: float, ry: float, *, start: float = 0.0, end: float = 360.0,
             n: int = 40) -> Polygon:
    """Points on an ellipse arc (degrees, counter-clockwise from +x); a half dome is start=0, end=180."""
    return [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
            for a in (start + (end - start) * i / n for i in range(n + 1))]


def tower() -> list[Part]:
    """A lattice tower (Eiffel-like): flared legs, two platforms, spire."""
    return [
        ("main", [(-0.30, 0.0), (-0.12, 0.0), (-0.05, 0.30), (0.05, 0.30), (0.12, 0.0), (0.30, 0.0),
                  (0.10, 0.35), (0.05, 0.70), (0.02, 0.92), (0.0, 1.0), (-0.02, 0.92), (-0.05, 0.70),
                  (-0.10, 0.35)]),
        ("dark", _ellipse(0.0, 0.0, 0.12, 0.22, start=0, end=180)),
        ("accent", _rect(-0.16, 0.30, 0.16, 0.34)),
        ("accent", _rect(-0.09, 0.62, 0.09, 0.65)),
    ]


def pyramid() -> list[Part]:
    return [("main", [(-0.75, 0.0), (0.75, 0.0), (0.0, 1.0)]),
            ("accent", [(0.0, 1.0), (0.75, 0.0), (0.25, 0.0)])]


def obelisk() -> list[Part]:
    return [("main", [(-0.08, 0.0), (0.08, 0.0), (0.06, 0.9), (0.0, 1.0), (-0.06, 0.9)]),
            ("accent", _rect(-0.14, 0.0, 0.14, 0.05))]


def tree() -> list[Part]:
    """A round-crowned deciduous tree: trunk and a cloud of three blobs."""
    return [("dark", _rect(-0.06, 0.0, 0.06, 0.40)),
            ("main", _ellipse(0.0, 0.68, 0.36, 0.32)),
            ("main", _ellipse(-0.22, 0.55, 0.22, 0.18)),
            ("main", _ellipse(0.22, 0.55, 0.22, 0.18))]


def pine() -> list[Part]:
    return [("dark", _rect(-0.05, 0.0, 0.05, 0.18)),
            ("main", [(-0.36, 0.15), (0.36, 0.15), (0.0, 0.60)]),
            ("main", [(-0.28, 0.40), (0.28, 0.40), (0.0, 0.82)]),
            ("main", [(-0.20, 0.62), (0.20, 0.62), (0.0, 1.0)])]


def palm() -> list[Part]:
    trunk = [(-0.04, 0.0), (0.04, 0.0), (0.10, 0.80), (0.04, 0.80)]
    leaves = [("main", [(0.07, 0.80), (x, y), (x * 0.9 + 0.02, y - 0.08)])
              for x, y in ((-0.35, 0.70), (0.45, 0.72), (-0.25, 0.98), (0.35, 1.0), (0.05, 0.99))]
    return [("dark", trunk), *leaves]


def house() -> list[Part]:
    return [("main", _rect(-0.40, 0.0, 0.40, 0.55)),
            ("accent", [(-0.50, 0.52), (0.50, 0.52), (0.0, 1.0)]),
            ("dark", _rect(-0.08, 0.0, 0.08, 0.30)),
            ("dark", _rect(-0.30, 0.28, -0.16, 0.42)),
            ("dark", _rect(0.16, 0.28, 0.30, 0.42))]


def lighthouse() -> list[Part]:
    return [("main", [(-0.16, 0.0), (0.16, 0.0), (0.10, 0.72), (-0.10, 0.72)]),
            ("accent", [(-0.145, 0.18), (0.145, 0.18), (0.135, 0.30), (-0.135, 0.30)]),
            ("accent", [(-0.125, 0.46), (0.125, 0.46), (0.115, 0.58), (-0.115, 0.58)]),
            ("dark", _rect(-0.09, 0.72, 0.09, 0.86)),
            ("main", [(-0.12, 0.86), (0.12, 0.86), (0.0, 1.0)])]


def windmill() -> list[Part]:
    hub_x, hub_y = 0.0, 0.62
    parts: list[Part] = [("main", [(-0.18, 0.0), (0.18, 0.0), (0.11, 0.62), (-0.11, 0.62)]),
                         ("main", [(-0.14, 0.60), (0.14, 0.60), (0.0, 0.72)]),
                         ("dark", _rect(-0.05, 0.0, 0.05, 0.16))]
    for angle in (45, 135, 225, 315):
        a, w = math.radians(angle), math.radians(8)
        tip = 0.38
        parts.append(("accent", [(hub_x, hub_y),
                                 (hub_x + tip * math.cos(a - w), hub_y + tip * math.sin(a - w)),
                                 (hub_x + tip * math.cos(a + w), hub_y + tip * math.sin(a + w))]))
    return parts


def dome() -> list[Part]:
    return [("main", _rect(-0.45, 0.0, 0.45, 0.40)),
            ("main", _ellipse(0.0, 0.40, 0.32, 0.45, start=0, end=180)),
            ("accent", _rect(-0.02, 0.84, 0.02, 1.0)),
            ("dark", _ellipse(0.0, 0.0, 0.10, 0.24, start=0, end=180)),
            ("dark", _rect(-0.35, 0.14, -0.25, 0.30)),
            ("dark", _rect(0.25, 0.14, 0.35, 0.30))]


def arch() -> list[Part]:
    return [("main", _rect(-0.50, 0.0, 0.50, 1.0)),
            ("dark", _rect(-0.20, 0.0, 0.20, 0.45)),
            ("dark", _ellipse(0.0, 0.45, 0.20, 0.20, start=0, end=180)),
            ("accent", _rect(-0.54, 0.80, 0.54, 0.86))]


def castle() -> list[Part]:
    parts: list[Part] = [("main", _rect(-0.60, 0.0, 0.60, 0.55)),
                         ("main", _rect(-0.70, 0.0, -0.45, 0.85)),
                         ("main", _rect(0.45, 0.0, 0.70, 0.85)),
                         ("dark", _rect(-0.12, 0.0, 0.12, 0.30)),
                         ("dark", _ellipse(0.0, 0.30, 0.12, 0.10, start=0, end=180))]
    for x in (-0.30, -0.10, 0.10, 0.30):  # battlements
        parts.append(("main", _rect(x - 0.06, 0.55, x + 0.06, 0.63)))
    for cx in (-0.575, 0.575):
        parts.append(("accent", [(cx - 0.15, 0.85), (cx + 0.15, 0.85), (cx, 1.0)]))
    return parts


def church() -> list[Part]:
    return [("main", _rect(-0.45, 0.0, 0.20, 0.45)),
            ("accent", [(-0.50, 0.44), (0.20, 0.44), (-0.15, 0.62)]),
            ("main", _rect(0.15, 0.0, 0.40, 0.70)),
            ("accent", [(0.12, 0.70), (0.43, 0.70), (0.275, 1.0)]),
            ("dark", _rect(-0.18, 0.0, -0.06, 0.22)),
            ("dark", _rect(0.23, 0.45, 0.32, 0.58))]


def skyscraper() -> list[Part]:
    parts: list[Part] = [("main", _rect(-0.18, 0.0, 0.18, 0.80)),
                         ("main", _rect(-0.12, 0.80, 0.12, 0.90)),
                         ("accent", _rect(-0.015, 0.90, 0.015, 1.0))]
    for row in range(8):
        y = 0.06 + row * 0.09
        parts.append(("dark", _rect(-0.13, y, -0.03, y + 0.05)))
        parts.append(("dark", _rect(0.03, y, 0.13, y + 0.05)))
    return parts


def bridge() -> list[Part]:
    return [("main", _rect(-1.2, 0.30, 1.2, 0.40)),
            ("main", _rect(-0.65, 0.0, -0.55, 1.0)),
            ("main", _rect(0.55, 0.0, 0.65, 1.0)),
            ("accent", [(-0.60, 0.98), (-1.2, 0.40), (-1.17, 0.40), (-0.60, 0.93)]),
            ("accent", [(-0.60, 0.98), (0.0, 0.40), (-0.03, 0.40), (-0.60, 0.93)]),
            ("accent", [(0.60, 0.98), (0.0, 0.40), (0.03, 0.40), (0.60, 0.93)]),
            ("accent", [(0.60, 0.98), (1.2, 0.40), (1.17, 0.40), (0.60, 0.93)])]


def monument() -> list[Part]:
    """The fallback: a plinth and a stepped sculpture."""
    return [("accent", _rect(-0.35, 0.0, 0.35, 0.15)),
            ("main", _rect(-0.22, 0.15, 0.22, 0.55)),
            ("main", _ellipse(0.0, 0.75, 0.18, 0.25))]


SHAPES = {"tower": tower, "pyramid": pyramid, "obelisk": obelisk, "tree": tree, "pine": pine, "palm": palm,
          "house": house, "lighthouse": lighthouse, "windmill": windmill, "dome": dome, "arch": arch,
          "castle": castle, "church": church, "skyscraper": skyscraper, "bridge": bridge, "monument": monument}
