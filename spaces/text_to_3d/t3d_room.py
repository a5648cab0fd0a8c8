"""Things for rooms and exhibits at real size (metres): books, a painting on an easel, rug, piano, guitar, tent."""

from __future__ import annotations

from t3d_shapes import Entry, Model, beam, cylinder, frustum, gable_roof, hexa, lathe, slab, sphere

WOOD = (0.45, 0.30, 0.18)


def books(m: Model) -> None:
    """A stack of four books, 15 cm."""
    colours = [(0.6, 0.12, 0.1), (0.12, 0.3, 0.55), (0.2, 0.45, 0.25), (0.8, 0.65, 0.3)]
    y = 0.0
    for k, rgb in enumerate(colours):
        h = 0.03 + 0.01 * (k % 2)
        book = slab(-0.11 + 0.01 * k, 0.11, y, y + h, -0.08, 0.08 - 0.01 * k)
        m.add(f"book_{k}", book, m.main(f"cover_{k}", rgb) if k == 0 else m.mat(f"cover_{k}", rgb))
        y += h


def painting(m: Model) -> None:
    """Framed painting on a wooden easel, 1.7 m."""
    wood = m.mat("wood", WOOD)
    m.add("easel", [beam((-0.35, 0, 0.1), (0, 1.7, 0), 0.04), beam((0.35, 0, 0.1), (0, 1.7, 0), 0.04),
                    beam((0, 0, -0.5), (0, 1.6, -0.02), 0.04), slab(-0.45, 0.45, 0.65, 0.7, 0.05, 0.15)], wood)
    m.add("frame", slab(-0.42, 0.42, 0.7, 1.35, 0.02, 0.07), m.mat("gilt", (0.85, 0.68, 0.3), metallic=0.9))
    m.add("canvas", slab(-0.36, 0.36, 0.76, 1.29, 0.07, 0.075), m.main("canvas", (0.35, 0.55, 0.75)))
    m.add("sun", slab(0.1, 0.22, 1.1, 1.22, 0.075, 0.08), m.mat("paint_sun", (0.95, 0.8, 0.2)))


def rug(m: Model) -> None:
    """Rectangular rug with a border, 2.0 x 1.4 m."""
    m.add("rug", slab(-1.0, 1.0, 0, 0.01, -0.7, 0.7), m.main("wool", (0.6, 0.15, 0.15), roughness=1.0))
    m.add("border", [slab(-0.85, 0.85, 0.01, 0.012, -0.58, -0.52), slab(-0.85, 0.85, 0.01, 0.012, 0.52, 0.58)],
          m.mat("border", (0.9, 0.8, 0.5)))


def piano(m: Model) -> None:
    """Upright piano with keys and a stool, 1.3 m tall, 1.5 m wide."""
    wood = m.main("lacquer", (0.06, 0.05, 0.05), roughness=0.2)
    m.add("case", [slab(-0.75, 0.75, 0, 1.3, -0.3, 0.0), slab(-0.75, 0.75, 0.7, 0.75, 0.0, 0.3),
                   slab(-0.75, -0.7, 0, 0.75, 0.0, 0.3), slab(0.7, 0.75, 0, 0.75, 0.0, 0.3)], wood)
    m.add("keys", slab(-0.68, 0.68, 0.75, 0.78, 0.05, 0.22), m.mat("ivory", (0.96, 0.95, 0.9)))
    m.add("stool", [slab(-0.3, 0.3, 0.45, 0.5, 0.5, 0.85)] +
          [slab(x - 0.02, x + 0.02, 0, 0.45, z - 0.02, z + 0.02) for x in (-0.27, 0.27) for z in (0.53, 0.82)], wood)


def guitar(m: Model) -> None:
    """Acoustic guitar standing upright, 1.0 m."""
    body = m.main("spruce", (0.85, 0.6, 0.3), roughness=0.5)
    m.add("body", [sphere(0.19, (0, 0.2, 0), scale=(1.0, 1.05, 0.28)), sphere(0.15, (0, 0.47, 0), scale=(1.0, 1.0, 0.28))],
          body)
    m.add("hole", beam((0, 0.42, 0.045), (0, 0.42, 0.05), 0.08, sections=10), m.mat("hole", (0.05, 0.04, 0.03)))
    m.add("neck", [slab(-0.025, 0.025, 0.55, 0.9, -0.02, 0.02), slab(-0.04, 0.04, 0.9, 1.0, -0.02, 0.02)],
          m.mat("neck", (0.35, 0.2, 0.1)))


def tent(m: Model) -> None:
    """Two-person ridge tent, 2.2 x 1.6 m, 1.2 m tall."""
    m.add("tent", gable_roof(1.6, 2.2, 0.0, 1.2, along_z=True), m.main("nylon", (0.95, 0.5, 0.1), roughness=0.7))
    m.add("door", hexa([(-0.4, 0, 1.1), (0.4, 0, 1.1), (0.4, 0, 1.12), (-0.4, 0, 1.12),
                        (-0.02, 0.9, 1.1), (0.02, 0.9, 1.1), (0.02, 0.9, 1.12), (-0.02, 0.9, 1.12)]),
          m.mat("door", (0.2, 0.15, 0.1)))


def trophy(m: Model) -> None:
    """Trophy cup on a base, 35 cm."""
    m.add("base", slab(-0.07, 0.07, 0, 0.06, -0.07, 0.07), m.mat("base", (0.1, 0.1, 0.1)))
    m.add("cup", [lathe([(0.04, 0.06), (0.01, 0.1), (0.01, 0.18), (0.09, 0.24), (0.1, 0.35)], 12)] +
          [beam((sx * 0.09, 0.32, 0), (sx * 0.14, 0.26, 0), 0.015) for sx in (-1, 1)],
          m.main("gold", (0.95, 0.75, 0.3), metallic=0.9, roughness=0.3))


def umbrella(m: Model) -> None:
    """Beach umbrella (parasol) on a pole, 2.3 m."""
    m.add("pole", cylinder(0.025, 0, 2.25, 6), m.mat("pole", (0.9, 0.9, 0.9)))
    m.add("canopy", frustum(1.0, 0.05, 1.95, 2.3, 8), m.main("canvas", (0.2, 0.5, 0.85), roughness=0.8))


ENTRIES: tuple[Entry, ...] = (
    Entry("books", "Books", 0.14, ("book", "books", "stack of books", "pile of books", "novel"), books),
    Entry("painting", "Painting", 1.7, ("painting", "picture", "canvas", "easel", "artwork", "portrait"), painting),
    Entry("rug", "Rug", 0.012, ("rug", "carpet", "mat", "doormat"), rug),
    Entry("piano", "Piano", 1.3, ("piano", "upright piano", "keyboard instrument"), piano),
    Entry("guitar", "Guitar", 1.0, ("guitar", "acoustic guitar", "electric guitar"), guitar),
    Entry("tent", "Tent", 1.2, ("tent", "camping tent"), tent),
    Entry("trophy", "Trophy", 0.35, ("trophy", "cup trophy", "award"), trophy),
    Entry("umbrella", "Parasol", 2.3, ("umbrella", "parasol", "beach umbrella", "sun umbrella"), umbrella),
)
