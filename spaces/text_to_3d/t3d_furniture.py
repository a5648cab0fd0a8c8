"""Furniture at real size (metres): desks, chairs, tables, sofas, beds, shelves and cabinets."""

from __future__ import annotations

import math

from t3d_shapes import Entry, Model, beam, cylinder, frustum, slab

OAK = (0.62, 0.45, 0.28)
DARK_WOOD = (0.36, 0.24, 0.15)
FABRIC = (0.35, 0.45, 0.60)
METAL = (0.55, 0.56, 0.58)


def _legs(x: float, z: float, y0: float, y1: float, w: float) -> list:
    """Four square legs at (+-x, +-z), width w, from y0 to y1."""
    return [slab(sx * x - w / 2, sx * x + w / 2, y0, y1, sz * z - w / 2, sz * z + w / 2)
            for sx in (-1, 1) for sz in (-1, 1)]


def desk(m: Model) -> None:
    """Writing desk with a drawer unit, 1.2 x 0.6 m, 0.75 m tall."""
    wood = m.main("wood", OAK, roughness=0.7)
    m.add("top", slab(-0.6, 0.6, 0.72, 0.75, -0.3, 0.3), wood)
    m.add("legs", [slab(-0.58, -0.54, 0, 0.72, -0.28, 0.28), slab(0.18, 0.58, 0, 0.72, -0.28, 0.28)], wood)
    m.add("drawer_fronts", [slab(0.2, 0.56, y, y + 0.2, 0.28, 0.3) for y in (0.06, 0.3, 0.52)],
          m.mat("drawer", DARK_WOOD))


def chair(m: Model) -> None:
    """Wooden dining chair: seat at 0.45 m, back to 0.9 m."""
    wood = m.main("wood", OAK, roughness=0.7)
    m.add("legs", _legs(0.19, 0.19, 0, 0.43, 0.04), wood)
    m.add("seat", slab(-0.22, 0.22, 0.43, 0.47, -0.22, 0.22), wood)
    m.add("back", [slab(-0.22, -0.18, 0.47, 0.9, -0.22, -0.18), slab(0.18, 0.22, 0.47, 0.9, -0.22, -0.18),
                   slab(-0.2, 0.2, 0.72, 0.88, -0.22, -0.19)], wood)


def office_chair(m: Model) -> None:
    """Swivel office chair on a five-star base, 1.0 m."""
    black = m.mat("plastic_black", (0.08, 0.08, 0.09), roughness=0.6)
    m.add("base", [beam((0, 0.08, 0), (0.3 * math.cos(a), 0.05, 0.3 * math.sin(a)), 0.05)
                   for a in [k * 2 * math.pi / 5 for k in range(5)]] + [cylinder(0.03, 0.08, 0.45, 8)], black)
    cloth = m.main("fabric", (0.15, 0.18, 0.25), roughness=0.9)
    m.add("seat", slab(-0.25, 0.25, 0.45, 0.53, -0.24, 0.24), cloth)
    m.add("back", [slab(-0.23, 0.23, 0.6, 1.0, -0.28, -0.22)], cloth)
    m.add("spine", slab(-0.03, 0.03, 0.5, 0.62, -0.27, -0.2), black)


def dining_table(m: Model) -> None:
    """Dining table, 1.6 x 0.9 m, 0.75 m tall."""
    wood = m.main("wood", OAK, roughness=0.7)
    m.add("top", slab(-0.8, 0.8, 0.71, 0.75, -0.45, 0.45), wood)
    m.add("legs", _legs(0.72, 0.38, 0, 0.71, 0.07), wood)


def coffee_table(m: Model) -> None:
    """Low coffee table with a shelf, 1.1 x 0.6 m, 0.45 m tall."""
    wood = m.main("wood", DARK_WOOD, roughness=0.6)
    m.add("top", slab(-0.55, 0.55, 0.41, 0.45, -0.3, 0.3), wood)
    m.add("shelf", slab(-0.5, 0.5, 0.1, 0.12, -0.26, 0.26), wood)
    m.add("legs", _legs(0.5, 0.25, 0, 0.41, 0.05), wood)


def sofa(m: Model) -> None:
    """Three-seat sofa, 2.0 x 0.9 m, 0.85 m tall."""
    cloth = m.main("fabric", FABRIC, roughness=0.95)
    m.add("base", slab(-1.0, 1.0, 0.1, 0.42, -0.45, 0.45), cloth)
    m.add("back", slab(-1.0, 1.0, 0.42, 0.85, -0.45, -0.22), cloth)
    m.add("arms", [slab(-1.0, -0.85, 0.42, 0.62, -0.45, 0.45), slab(0.85, 1.0, 0.42, 0.62, -0.45, 0.45)], cloth)
    m.add("cushions", [slab(x - 0.27, x + 0.27, 0.42, 0.52, -0.2, 0.42) for x in (-0.56, 0, 0.56)],
          m.mat("cushion", (0.80, 0.78, 0.72), roughness=0.95))
    m.add("feet", _legs(0.9, 0.38, 0, 0.1, 0.05), m.mat("wood", DARK_WOOD))


def armchair(m: Model) -> None:
    """Upholstered armchair, 0.9 x 0.85 m, 0.9 m tall."""
    cloth = m.main("fabric", (0.55, 0.25, 0.20), roughness=0.95)
    m.add("base", slab(-0.45, 0.45, 0.1, 0.45, -0.42, 0.42), cloth)
    m.add("back", slab(-0.45, 0.45, 0.45, 0.9, -0.42, -0.22), cloth)
    m.add("arms", [slab(-0.45, -0.32, 0.45, 0.65, -0.42, 0.42), slab(0.32, 0.45, 0.45, 0.65, -0.42, 0.42)], cloth)
    m.add("feet", _legs(0.38, 0.35, 0, 0.1, 0.05), m.mat("wood", DARK_WOOD))


def bed(m: Model) -> None:
    """Double bed with headboard, pillows and duvet: 2.1 x 1.6 m, headboard 1.0 m."""
    wood = m.mat("wood", OAK, roughness=0.7)
    m.add("frame", [slab(-0.8, 0.8, 0.1, 0.3, -1.05, 1.0)] + _legs(0.75, 1.0, 0, 0.1, 0.06), wood)
    m.add("headboard", slab(-0.82, 0.82, 0.1, 1.0, -1.05, -0.98), wood)
    m.add("mattress", slab(-0.78, 0.78, 0.3, 0.5, -0.97, 0.98), m.mat("sheet", (0.95, 0.95, 0.93)))
    m.add("duvet", slab(-0.8, 0.8, 0.5, 0.58, -0.3, 1.0), m.main("duvet", (0.40, 0.55, 0.75), roughness=0.95))
    m.add("pillows", [slab(x - 0.32, x + 0.32, 0.5, 0.62, -0.95, -0.6) for x in (-0.38, 0.38)],
          m.mat("pillow", (0.98, 0.98, 0.96)))


def bookshelf(m: Model) -> None:
    """Bookcase with five shelves of books, 0.9 x 0.3 m, 1.9 m tall."""
    wood = m.main("wood", OAK, roughness=0.7)
    m.add("case", [slab(-0.45, -0.43, 0, 1.9, -0.15, 0.15), slab(0.43, 0.45, 0, 1.9, -0.15, 0.15),
                   slab(-0.45, 0.45, 0, 1.9, -0.15, -0.13)] +
          [slab(-0.43, 0.43, y, y + 0.02, -0.13, 0.15) for y in (0.0, 0.38, 0.76, 1.14, 1.52, 1.88)], wood)
    rng = m.rng
    colours = [(0.6, 0.1, 0.1), (0.1, 0.3, 0.6), (0.2, 0.5, 0.25), (0.85, 0.7, 0.3)]
    for k, c in enumerate(colours):
        books = []
        for y in (0.02, 0.40, 0.78, 1.16, 1.54):
            x = -0.42 + 0.2 * k + rng.uniform(0, 0.02)
            books.append(slab(x, x + 0.17, y, y + 0.24 + 0.06 * rng.random(), -0.1, 0.12))
        m.add(f"books_{k}", books, m.mat(f"book_{k}", c))


def wardrobe(m: Model) -> None:
    """Two-door wardrobe, 1.2 x 0.6 m, 2.0 m tall."""
    wood = m.main("wood", DARK_WOOD, roughness=0.6)
    m.add("body", slab(-0.6, 0.6, 0.05, 2.0, -0.3, 0.3), wood)
    m.add("plinth", slab(-0.57, 0.57, 0, 0.05, -0.27, 0.27), wood)
    m.add("handles", [slab(x - 0.01, x + 0.01, 1.0, 1.2, 0.3, 0.33) for x in (-0.05, 0.05)],
          m.mat("brass", (0.85, 0.68, 0.3), metallic=0.9, roughness=0.3))


def dresser(m: Model) -> None:
    """Chest of four drawers, 1.0 x 0.5 m, 0.9 m tall."""
    wood = m.main("wood", OAK, roughness=0.7)
    m.add("body", [slab(-0.5, 0.5, 0.08, 0.9, -0.25, 0.23)] + _legs(0.45, 0.2, 0, 0.08, 0.05), wood)
    m.add("drawers", [slab(-0.47, 0.47, y, y + 0.17, 0.23, 0.25) for y in (0.11, 0.31, 0.51, 0.71)],
          m.mat("drawer", DARK_WOOD))


def nightstand(m: Model) -> None:
    """Bedside table with one drawer, 0.5 x 0.4 m, 0.55 m tall."""
    wood = m.main("wood", OAK, roughness=0.7)
    m.add("body", [slab(-0.25, 0.25, 0.1, 0.55, -0.2, 0.18)] + _legs(0.21, 0.16, 0, 0.1, 0.04), wood)
    m.add("drawer", slab(-0.22, 0.22, 0.36, 0.52, 0.18, 0.2), m.mat("drawer", DARK_WOOD))


def stool(m: Model) -> None:
    """Round bar stool, 0.65 m."""
    m.add("seat", cylinder(0.18, 0.6, 0.65, 12), m.main("wood", OAK, roughness=0.7))
    m.add("legs", [beam((0.16 * math.cos(a), 0, 0.16 * math.sin(a)), (0.1 * math.cos(a), 0.6, 0.1 * math.sin(a)), 0.03)
                   for a in (0.3, 2.4, 4.5)] + [frustum(0.14, 0.14, 0.25, 0.27, 8)], m.mat("metal", METAL, metallic=0.8))


def bench(m: Model) -> None:
    """Park bench: slatted seat and back on cast-iron ends, 1.8 m long, 0.85 m tall."""
    wood = m.main("wood", (0.55, 0.38, 0.22), roughness=0.8)
    m.add("slats", [slab(-0.9, 0.9, 0.42, 0.45, z - 0.05, z + 0.05) for z in (-0.2, -0.07, 0.06, 0.19)] +
          [slab(-0.9, 0.9, y, y + 0.1, -0.27, -0.24) for y in (0.55, 0.72)], wood)
    iron = m.mat("cast_iron", (0.1, 0.12, 0.12), metallic=0.7, roughness=0.5)
    m.add("ends", [slab(x - 0.03, x + 0.03, 0, 0.42, -0.25, 0.25) for x in (-0.75, 0.75)] +
          [slab(x - 0.03, x + 0.03, 0.42, 0.85, -0.28, -0.22) for x in (-0.75, 0.75)], iron)


ENTRIES: tuple[Entry, ...] = (
    Entry("desk", "Desk", 0.75, ("desk", "writing desk", "office desk", "work desk", "computer desk"), desk),
    Entry("chair", "Chair", 0.9, ("chair", "dining chair", "wooden chair", "kitchen chair"), chair),
    Entry("office_chair", "Office chair", 1.0, ("office chair", "desk chair", "swivel chair", "computer chair"),
          office_chair),
    Entry("dining_table", "Table", 0.75, ("table", "dining table", "kitchen table", "wooden table"), dining_table),
    Entry("coffee_table", "Coffee table", 0.45, ("coffee table", "side table", "low table"), coffee_table),
    Entry("sofa", "Sofa", 0.85, ("sofa", "couch", "settee"), sofa),
    Entry("armchair", "Armchair", 0.9, ("armchair", "arm chair", "easy chair", "recliner"), armchair),
    Entry("bed", "Bed", 1.0, ("bed", "double bed", "single bed"), bed),
    Entry("bookshelf", "Bookshelf", 1.9, ("bookshelf", "bookcase", "book shelf", "shelves", "shelf", "shelving"),
          bookshelf),
    Entry("wardrobe", "Wardrobe", 2.0, ("wardrobe", "closet", "armoire", "cupboard"), wardrobe),
    Entry("dresser", "Chest of drawers", 0.9, ("dresser", "chest of drawers", "drawers", "chest", "cabinet",
                                               "sideboard", "commode"), dresser),
    Entry("nightstand", "Nightstand", 0.55, ("nightstand", "night stand", "bedside table", "night table"),
          nightstand),
    Entry("stool", "Stool", 0.65, ("stool", "bar stool"), stool),
    Entry("bench", "Bench", 0.85, ("bench", "park bench", "garden bench"), bench),
)
