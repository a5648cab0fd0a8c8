"""Animals as simple stylised forms at real size (metres), built from one table of proportions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from t3d_shapes import Entry, Model, beam, frustum, sphere


@dataclass(frozen=True)
class Body:
    """Proportions of a four-legged animal, metres; the body is an ellipsoid facing +x.

    Attributes:
        length, depth: body ellipsoid's size along x and y; legs: leg length (ground to body bottom).
        neck: (dx, dy) from the body's front-top to the head; head: head radius.
        rgb, head_rgb: body and head colours (sRGB); ears: ear length; tail: (dx, dy) of the tail.
        extra: "horns", "trunk", "hump", "wool", "antlers", "snout" or "".
    """

    length: float
    depth: float
    legs: float
    neck: tuple[float, float]
    head: float
    rgb: tuple[float, float, float]
    head_rgb: tuple[float, float, float] | None = None
    ears: float = 0.0
    tail: tuple[float, float] = (0.0, 0.0)
    extra: str = ""


BODIES: dict[str, Body] = {
    "cat": Body(0.45, 0.16, 0.12, (0.05, 0.06), 0.06, (0.85, 0.55, 0.25), ears=0.035, tail=(-0.12, 0.12)),
    "dog": Body(0.7, 0.28, 0.33, (0.12, 0.15), 0.1, (0.6, 0.42, 0.25), ears=0.06, tail=(-0.15, 0.15)),
    "horse": Body(1.9, 0.75, 0.8, (0.35, 0.55), 0.2, (0.45, 0.28, 0.15), ears=0.1, tail=(-0.2, -0.5)),
    "cow": Body(2.1, 0.8, 0.7, (0.2, 0.15), 0.23, (0.95, 0.95, 0.93), (0.1, 0.1, 0.1), 0.1, (-0.1, -0.6), "horns"),
    "pig": Body(1.2, 0.55, 0.3, (0.05, 0.0), 0.2, (0.95, 0.65, 0.65), ears=0.08, tail=(-0.1, 0.05), extra="snout"),
    "sheep": Body(1.1, 0.55, 0.4, (0.1, 0.1), 0.14, (0.96, 0.95, 0.9), (0.15, 0.13, 0.12), 0.08, extra="wool"),
    "elephant": Body(3.6, 1.8, 1.5, (0.2, 0.1), 0.6, (0.55, 0.55, 0.58), ears=0.6, tail=(-0.1, -0.8), extra="trunk"),
    "giraffe": Body(2.0, 0.8, 1.8, (0.9, 1.9), 0.25, (0.9, 0.7, 0.3), ears=0.1, tail=(-0.2, -0.6), extra="ossicones"),
    "camel": Body(2.4, 0.8, 1.2, (0.6, 0.4), 0.22, (0.8, 0.65, 0.42), ears=0.06, tail=(-0.15, -0.5), extra="hump"),
    "deer": Body(1.4, 0.5, 0.85, (0.3, 0.45), 0.14, (0.6, 0.4, 0.22), ears=0.08, tail=(-0.08, 0.06),
                 extra="antlers"),
}


def quadruped(m: Model, body: Body) -> None:
    """Ellipsoid body, four legs, neck, head, ears, tail and the body's extra feature."""
    L, D, legs = body.length, body.depth, body.legs
    cy = legs + D / 2
    coat = m.main("coat", body.rgb, roughness=0.9)
    head_mat = m.mat("head", body.head_rgb, roughness=0.9) if body.head_rgb else coat
    body_mesh = sphere(0.5, (0, cy, 0), scale=(L, D, D * 0.8), subdivisions=2 if body.extra == "wool" else 1)
    m.add("body", body_mesh, coat)
    leg_w = max(0.04, D * 0.22)
    m.add("legs", [beam((sx * L * 0.32, 0, sz * D * 0.22), (sx * L * 0.32, cy, sz * D * 0.22), leg_w, leg_w * 0.8)
                   for sx in (-1, 1) for sz in (-1, 1)], head_mat if body.extra == "wool" else coat)
    neck_base = (L * 0.42, cy + D * 0.2, 0.0)
    head_at = (neck_base[0] + body.neck[0] + body.head * 0.5, neck_base[1] + body.neck[1], 0.0)
    if abs(body.neck[0]) + abs(body.neck[1]) > 1e-6:
        m.add("neck", beam(neck_base, head_at, body.head * 1.1, body.head * 0.8), coat)
    m.add("head", sphere(body.head, head_at, scale=(1.4, 1.0, 0.9)), head_mat)
    if body.ears:
        top = head_at[1] + body.head * 0.6
        m.add("ears", [frustum(body.ears * 0.35, 0.0, top, top + body.ears, 4, x=head_at[0] - body.head * 0.3,
                               z=sz * body.head * 0.6) for sz in (-1, 1)], head_mat)
    if body.tail != (0.0, 0.0):
        root = (-L * 0.48, cy + D * 0.15, 0.0)
        m.add("tail", beam(root, (root[0] + body.tail[0], root[1] + body.tail[1], 0), max(0.02, D * 0.08)), coat)
    _extra(m, body, head_at, cy)


def _extra(m: Model, body: Body, head_at: tuple[float, float, float], cy: float) -> None:
    hx, hy, h = head_at[0], head_at[1], body.head
    if body.extra == "horns":
        m.add("horns", [beam((hx - h * 0.3, hy + h * 0.6, sz * h * 0.4), (hx - h * 0.2, hy + h * 1.2, sz * h * 1.1),
                             h * 0.2, h * 0.05) for sz in (-1, 1)], m.mat("horn", (0.9, 0.85, 0.7)))
    elif body.extra == "snout":
        m.add("snout", beam((hx + h * 1.1, hy, 0), (hx + h * 1.6, hy, 0), h * 0.6, sections=8), m.mat("snout", (0.9, 0.5, 0.5)))
    elif body.extra == "trunk":
        m.add("trunk", [beam((hx + h * 1.0, hy, 0), (hx + h * 1.4, hy - h * 1.5, 0), h * 0.45, h * 0.3),
                        beam((hx + h * 1.4, hy - h * 1.5, 0), (hx + h * 1.5, 0.15, 0), h * 0.3, h * 0.2)],
              m.mat("trunk", body.rgb))
        m.add("tusks", [beam((hx + h * 0.9, hy - h * 0.4, sz * h * 0.4), (hx + h * 1.7, hy - h * 0.6, sz * h * 0.5),
                             h * 0.12, h * 0.04) for sz in (-1, 1)], m.mat("ivory", (0.95, 0.93, 0.85)))
    elif body.extra == "hump":
        m.add("hump", sphere(body.depth * 0.4, (0, cy + body.depth * 0.45, 0), scale=(1.3, 1.0, 1.0)),
              m.mat("coat", body.rgb))
    elif body.extra in ("antlers", "ossicones"):
        tall = h * (2.5 if body.extra == "antlers" else 1.0)
        m.add(body.extra, [beam((hx - h * 0.4, hy + h * 0.7, sz * h * 0.3), (hx - h * 0.7, hy + h * 0.7 + tall,
                                                                             sz * h * 0.9), h * 0.12)
                           for sz in (-1, 1)], m.mat(body.extra, (0.45, 0.32, 0.2)))


def bird(m: Model, *, height: float, rgb: tuple[float, float, float], beak_rgb: tuple[float, float, float],
         crest: bool) -> None:
    """Standing bird (chicken, duck): body, head, beak, legs; ``height`` to the top of the head."""
    s = height / 0.45
    coat = m.main("feathers", rgb, roughness=0.9)
    m.add("body", sphere(0.15 * s, (0, 0.25 * s, 0), scale=(1.3, 1.0, 0.9)), coat)
    m.add("head", sphere(0.07 * s, (0.15 * s, 0.38 * s, 0)), coat)
    m.add("beak", beam((0.21 * s, 0.38 * s, 0), (0.29 * s, 0.37 * s, 0), 0.04 * s, 0.01 * s),
          m.mat("beak", beak_rgb))
    m.add("legs", [beam((0.0, 0.0, sz * 0.05 * s), (0.0, 0.14 * s, sz * 0.05 * s), 0.02 * s) for sz in (-1, 1)],
          m.mat("beak", beak_rgb))
    m.add("tail", beam((-0.17 * s, 0.27 * s, 0), (-0.26 * s, 0.36 * s, 0), 0.1 * s, 0.03 * s), coat)
    if crest:
        m.add("comb", beam((0.14 * s, 0.44 * s, 0), (0.16 * s, 0.46 * s, 0), 0.05 * s), m.mat("comb", (0.85, 0.1, 0.1)))


_HEIGHTS = {"cat": 0.37, "dog": 0.8, "horse": 2.1, "cow": 1.7, "pig": 0.9, "sheep": 1.05, "elephant": 3.8,
            "giraffe": 4.7, "camel": 2.4, "deer": 2.1}  # to the top of the head, ears, horns or antlers
_ALIASES = {"cat": ("cat", "kitten", "kitty"), "dog": ("dog", "puppy", "hound", "doggy"),
            "horse": ("horse", "pony", "stallion", "mare"), "cow": ("cow", "cattle", "bull", "calf", "ox"),
            "pig": ("pig", "piglet", "hog", "swine"), "sheep": ("sheep", "lamb", "ram", "ewe"),
            "elephant": ("elephant",), "giraffe": ("giraffe",), "camel": ("camel", "dromedary"),
            "deer": ("deer", "stag", "reindeer", "elk", "moose")}

ENTRIES: tuple[Entry, ...] = tuple(
    Entry(kind, kind.capitalize(), _HEIGHTS[kind], _ALIASES[kind], partial(quadruped, body=body))
    for kind, body in BODIES.items()) + (
    Entry("chicken", "Chicken", 0.45, ("chicken", "hen", "rooster", "cockerel", "chick"),
          partial(bird, height=0.45, rgb=(0.92, 0.85, 0.7), beak_rgb=(0.95, 0.65, 0.1), crest=True)),
    Entry("duck", "Duck", 0.4, ("duck", "duckling", "goose", "swan"),
          partial(bird, height=0.4, rgb=(0.95, 0.95, 0.92), beak_rgb=(0.95, 0.6, 0.1), crest=False)),
)
