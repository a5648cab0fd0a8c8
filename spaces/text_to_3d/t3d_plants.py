"""Plants at real size (metres): bonsai, pot plants, cacti, flowers, bushes, mushrooms."""

from __future__ import annotations

import math

from t3d_shapes import Entry, Model, beam, frustum, lathe, sphere

LEAF = (0.22, 0.50, 0.18)
BARK = (0.40, 0.27, 0.16)
TERRACOTTA = (0.75, 0.40, 0.25)


def bonsai(m: Model) -> None:
    """Bonsai in a shallow glazed tray: twisted trunk and flat foliage pads; 45 cm."""
    m.add("tray", frustum(0.16, 0.18, 0.0, 0.06, 4, phase=math.pi / 4), m.mat("glaze", (0.25, 0.30, 0.45), roughness=0.3))
    m.add("soil", frustum(0.15, 0.15, 0.06, 0.065, 4, phase=math.pi / 4), m.mat("moss", (0.3, 0.4, 0.15)))
    pts = [(0.0, 0.06, 0.0), (0.05, 0.15, 0.0), (-0.03, 0.25, 0.02), (0.04, 0.33, -0.01)]
    m.add("trunk", [beam(a, b, 0.05 - 0.01 * i, 0.04 - 0.01 * i, sections=6) for i, (a, b) in enumerate(zip(pts, pts[1:]))]
          + [beam((0.05, 0.15, 0), (0.16, 0.22, 0.03), 0.02), beam((-0.03, 0.25, 0.02), (-0.14, 0.3, -0.02), 0.015)],
          m.mat("bark", BARK, roughness=0.95))
    rng = m.rng
    pads = [sphere(0.09 + 0.02 * rng.random(), (x, y, z), scale=(1.0, 0.45, 0.8))
            for x, y, z in ((0.17, 0.25, 0.03), (-0.15, 0.32, -0.02), (0.03, 0.4, 0.0))]
    m.add("foliage", pads, m.main("leaves", (0.18, 0.42, 0.15), roughness=0.9))


def potted_plant(m: Model) -> None:
    """Houseplant in a terracotta pot, 60 cm."""
    m.add("pot", frustum(0.1, 0.13, 0.0, 0.2, 10), m.mat("terracotta", TERRACOTTA))
    rng = m.rng
    leaves = [beam((0, 0.18, 0), (0.25 * math.cos(a), 0.4 + 0.2 * rng.random(), 0.25 * math.sin(a)), 0.08, 0.02)
              for a in [k * 2 * math.pi / 7 + rng.uniform(0, 0.3) for k in range(7)]]
    m.add("leaves", leaves + [sphere(0.1, (0, 0.45, 0), subdivisions=0)], m.main("leaves", LEAF, roughness=0.8))


def cactus(m: Model) -> None:
    """Small potted cactus with two arms, 35 cm."""
    m.add("pot", frustum(0.06, 0.075, 0.0, 0.1, 10), m.mat("terracotta", TERRACOTTA))
    green = m.main("cactus", (0.25, 0.55, 0.3), roughness=0.8)
    m.add("stem", lathe([(0.04, 0.09), (0.045, 0.25), (0.0, 0.35)], 8), green)
    m.add("arms", [beam((0.03, 0.18, 0), (0.09, 0.2, 0), 0.035), beam((0.09, 0.19, 0), (0.09, 0.28, 0), 0.035)], green)


def saguaro(m: Model) -> None:
    """Desert saguaro cactus with two arms, 4 m."""
    green = m.main("cactus", (0.30, 0.55, 0.30), roughness=0.8)
    m.add("stem", lathe([(0.3, 0.0), (0.3, 3.7), (0.0, 4.0)], 10), green)
    m.add("arms", [beam((0, 1.5, 0), (0.9, 1.6, 0), 0.4), beam((0.9, 1.4, 0), (0.9, 2.9, 0), 0.38),
                   beam((0, 2.0, 0), (-0.8, 2.1, 0), 0.35), beam((-0.8, 1.9, 0), (-0.8, 3.1, 0), 0.33)], green)


def flower(m: Model) -> None:
    """Tulip: stem, two leaves and a cup of petals; 45 cm."""
    green = m.mat("stem", (0.25, 0.55, 0.2))
    m.add("stem", [beam((0, 0, 0), (0, 0.4, 0), 0.01), beam((0, 0, 0), (0.08, 0.2, 0), 0.03, 0.005),
                   beam((0, 0, 0), (-0.06, 0.18, 0.03), 0.03, 0.005)], green)
    m.add("bloom", lathe([(0.0, 0.38), (0.035, 0.4), (0.04, 0.43), (0.03, 0.46)], 6),
          m.main("petals", (0.85, 0.15, 0.2), roughness=0.6))


def sunflower(m: Model) -> None:
    """Sunflower: tall stem, leaves, yellow petals round a brown disc; 1.8 m."""
    m.add("stem", [beam((0, 0, 0), (0, 1.6, 0), 0.04), beam((0, 0.7, 0), (0.25, 0.9, 0), 0.12, 0.02),
                   beam((0, 1.0, 0), (-0.22, 1.15, 0), 0.1, 0.02)], m.mat("stem", (0.25, 0.55, 0.2)))
    m.add("petals", beam((0, 1.6, 0), (0, 1.6, 0.03), 0.4, sections=14), m.main("petals", (0.98, 0.8, 0.1)))
    m.add("disc", beam((0, 1.6, 0.03), (0, 1.6, 0.05), 0.2, sections=12), m.mat("disc", (0.35, 0.2, 0.08)))


def bush(m: Model) -> None:
    """Round garden shrub, 1.2 m."""
    rng = m.rng
    m.add("foliage", [sphere(0.55, (0, 0.55, 0), scale=(1.2, 1.0, 1.1))] +
          [sphere(0.35, (0.5 * math.cos(a), 0.4 + 0.1 * rng.random(), 0.5 * math.sin(a)), subdivisions=0)
           for a in (0.4, 2.5, 4.4)], m.main("leaves", (0.2, 0.45, 0.18), roughness=0.9))


def mushroom(m: Model) -> None:
    """Toadstool: red cap with white spots, 15 cm."""
    m.add("stalk", frustum(0.025, 0.018, 0.0, 0.1, 8), m.mat("stalk", (0.95, 0.93, 0.85)))
    m.add("cap", lathe([(0.07, 0.09), (0.065, 0.12), (0.03, 0.145), (0.0, 0.15)], 10),
          m.main("cap", (0.85, 0.1, 0.08), roughness=0.5))
    m.add("spots", [sphere(0.01, (0.04 * math.cos(a), 0.13, 0.04 * math.sin(a)), subdivisions=0) for a in (0, 2.1, 4.2)],
          m.mat("spots", (0.98, 0.98, 0.95)))


ENTRIES: tuple[Entry, ...] = (
    Entry("bonsai", "Bonsai tree", 0.45, ("bonsai", "bonsai tree", "bonsais"), bonsai),
    Entry("potted_plant", "Potted plant", 0.6, ("plant", "potted plant", "house plant", "houseplant", "pot plant",
                                                "flower pot", "plant pot", "fern", "monstera"), potted_plant),
    Entry("cactus", "Cactus", 0.35, ("cactus", "cacti", "succulent"), cactus),
    Entry("saguaro", "Saguaro cactus", 4.0, ("saguaro", "saguaro cactus", "desert cactus", "giant cactus"), saguaro),
    Entry("flower", "Flower", 0.46, ("flower", "tulip", "rose", "flowers", "daisy", "lily"), flower),
    Entry("sunflower", "Sunflower", 1.8, ("sunflower",), sunflower),
    Entry("bush", "Bush", 1.2, ("bush", "shrub", "hedge", "topiary"), bush),
    Entry("mushroom", "Mushroom", 0.15, ("mushroom", "toadstool", "fungus"), mushroom),
)
