"""Period pieces for eras and regions (metres): amphora, classical temple, torii, stone lantern, pagoda."""

from __future__ import annotations

from functools import partial

from t3d_shapes import Entry, Model, beam, cylinder, frustum, gable_roof, lathe, slab, sphere, square_frustum

MARBLE = (0.93, 0.91, 0.87)
VERMILION = (0.85, 0.22, 0.12)


def amphora(m: Model) -> None:
    """Terracotta amphora with two handles, 60 cm."""
    clay = m.main("terracotta", (0.75, 0.42, 0.25), roughness=0.8)
    m.add("body", lathe([(0.0, 0.0), (0.04, 0.04), (0.16, 0.25), (0.14, 0.4), (0.05, 0.48), (0.045, 0.56),
                         (0.06, 0.6)], 12), clay)
    m.add("handles", [beam((sx * 0.05, 0.54, 0), (sx * 0.13, 0.52, 0), 0.025) for sx in (-1, 1)] +
          [beam((sx * 0.13, 0.53, 0), (sx * 0.12, 0.4, 0), 0.025) for sx in (-1, 1)], clay)


def classical_temple(m: Model) -> None:
    """Greek or Roman temple: stepped base, a ring of columns, pediment roof; 20 x 12 m, 11 m tall."""
    marble = m.main("marble", MARBLE, roughness=0.5)
    m.add("steps", [slab(-10 + s, 10 - s, 0.4 * s, 0.4 * s + 0.4, -6 + s, 6 - s) for s in (0, 0.5, 1.0)], marble)
    xs = [-8.5 + 17 * i / 7 for i in range(8)]
    cols = [cylinder(0.55, 1.2, 8.2, 10, x=x, z=z) for x in xs for z in (-4.5, 4.5)]
    cols += [cylinder(0.55, 1.2, 8.2, 10, x=x, z=z) for x in (-8.5, 8.5) for z in (-1.5, 1.5)]
    m.add("columns", cols, marble)
    m.add("entablature", slab(-9.2, 9.2, 8.2, 9.4, -5.2, 5.2), marble)
    m.add("pediment", gable_roof(18.8, 10.8, 9.4, 2.0, along_z=False), m.mat("roof", (0.75, 0.45, 0.3)))
    m.add("cella", slab(-6, 6, 1.2, 8.2, -3, 3), m.mat("cella", (0.85, 0.82, 0.76)))


def torii(m: Model) -> None:
    """Japanese torii gate: two pillars, a curved-looking top beam and a tie beam; 7 m."""
    red = m.main("vermilion", VERMILION, roughness=0.6)
    m.add("pillars", [frustum(0.4, 0.33, 0, 6.3, 10, x=x) for x in (-2.6, 2.6)], red)
    m.add("tie_beam", slab(-3.3, 3.3, 5.1, 5.6, -0.22, 0.22), red)
    m.add("kasagi", [slab(-4.0, 4.0, 6.3, 6.7, -0.35, 0.35)] +
          [beam((sx * 3.6, 6.5, 0), (sx * 4.3, 7.0, 0), 0.4) for sx in (-1, 1)], m.mat("black", (0.08, 0.07, 0.07)))
    m.add("bases", [cylinder(0.5, 0, 0.4, 10, x=x) for x in (-2.6, 2.6)], m.mat("stone", (0.3, 0.3, 0.3)))


def stone_lantern(m: Model) -> None:
    """Japanese stone lantern (toro): base, post, light box and roof; 2 m."""
    stone = m.main("stone", (0.6, 0.6, 0.58), roughness=0.95)
    m.add("base", [frustum(0.45, 0.4, 0, 0.2, 6), cylinder(0.15, 0.2, 1.0, 8), frustum(0.3, 0.4, 1.0, 1.15, 6)], stone)
    m.add("light_box", slab(-0.25, 0.25, 1.15, 1.5, -0.25, 0.25), stone)
    m.add("window", slab(-0.12, 0.12, 1.22, 1.42, 0.24, 0.27), m.mat("light", (1.0, 0.85, 0.5), roughness=0.2))
    m.add("roof", [frustum(0.6, 0.12, 1.5, 1.8, 6), frustum(0.1, 0.0, 1.8, 2.0, 6)], stone)


def pagoda(m: Model) -> None:
    """Five-storey pagoda with flared roofs and a spire, 25 m."""
    wall = m.mat("walls", VERMILION, roughness=0.7)
    roof = m.main("roof_tiles", (0.25, 0.28, 0.3), roughness=0.7)
    m.add("platform", square_frustum(11, 10, 0, 1.0), m.mat("stone", (0.7, 0.68, 0.64)))
    storeys, roofs = [], []
    y, w = 1.0, 7.0
    for _ in range(5):
        storeys.append(slab(-w / 2, w / 2, y, y + 2.4, -w / 2, w / 2))
        roofs.append(square_frustum(w + 3.0, w * 0.7, y + 2.4, y + 3.3))
        y, w = y + 3.3, w * 0.85
    m.add("storeys", storeys, wall)
    m.add("roofs", roofs, roof)
    m.add("spire", [cylinder(0.25, y, 25.0, 8)] + [cylinder(0.6, y + 1 + k, y + 1.2 + k, 8) for k in range(0, 6, 2)],
          m.mat("bronze", (0.7, 0.55, 0.3), metallic=0.8))


def chariot(m: Model) -> None:
    """Two-wheeled Roman chariot with a pole, 2.5 m long, 1.2 m tall."""
    wood = m.main("wood", (0.55, 0.35, 0.18), roughness=0.8)
    m.add("car", [slab(-0.5, 0.3, 0.5, 0.6, -0.5, 0.5), slab(0.2, 0.3, 0.6, 1.2, -0.5, 0.5)] +
          [slab(-0.5, 0.3, 0.6, 1.0, sz * 0.5 - 0.03, sz * 0.5 + 0.03) for sz in (-1, 1)], wood)
    m.add("pole", beam((0.3, 0.55, 0), (2.0, 0.9, 0), 0.08), wood)
    m.add("wheels", [beam((-0.1, 0.5, sz * 0.6 - 0.04), (-0.1, 0.5, sz * 0.6 + 0.04), 1.0, sections=12)
                     for sz in (-1, 1)], m.mat("bronze", (0.65, 0.45, 0.25), metallic=0.8, roughness=0.4))


def figure(m: Model, *, armour: bool) -> None:
    """Standing person, 1.75 m; with ``armour`` a knight in steel with a shield and a sword."""
    body = m.main("armour" if armour else "clothes", (0.72, 0.73, 0.76) if armour else (0.25, 0.4, 0.65),
                  metallic=0.8 if armour else 0.0, roughness=0.35 if armour else 0.9)
    m.add("legs", [beam((0, 0, sz * 0.1), (0, 0.85, sz * 0.1), 0.14, 0.16) for sz in (-1, 1)], body)
    m.add("torso", [frustum(0.2, 0.24, 0.85, 1.45, 8)], body)
    m.add("arms", [beam((0, 1.42, sz * 0.26), (0.05, 0.85, sz * 0.3), 0.1) for sz in (-1, 1)], body)
    m.add("head", sphere(0.12, (0, 1.6, 0)), body if armour else m.mat("skin", (0.85, 0.65, 0.5)))
    if armour:
        m.add("shield", slab(0.1, 0.14, 0.8, 1.4, -0.55, -0.3), m.mat("shield", (0.7, 0.1, 0.1)))
        m.add("sword", beam((0.1, 0.85, 0.32), (0.6, 1.5, 0.32), 0.04), m.mat("steel", (0.85, 0.85, 0.88), metallic=0.9))


ENTRIES: tuple[Entry, ...] = (
    Entry("amphora", "Amphora", 0.6, ("amphora", "amphorae", "greek vase", "roman vase", "clay pot"), amphora),
    Entry("classical_temple", "Classical temple", 11.4, ("temple", "greek temple", "roman temple", "classical temple",
                                                         "ancient temple", "temple of", "acropolis"), classical_temple),
    Entry("torii", "Torii gate", 7.0, ("torii", "torii gate", "japanese gate", "shinto gate"), torii),
    Entry("stone_lantern", "Stone lantern", 2.0, ("stone lantern", "toro", "japanese lantern", "garden lantern"),
          stone_lantern),
    Entry("pagoda", "Pagoda", 25.0, ("pagoda", "japanese temple", "chinese temple", "buddhist temple", "shrine",
                                     "japanese pagoda"), pagoda),
    Entry("chariot", "Chariot", 1.2, ("chariot", "roman chariot", "war chariot"), chariot),
    Entry("knight", "Knight", 1.75, ("knight", "knight in armour", "knight in armor", "suit of armour",
                                     "suit of armor", "armour", "armor"), partial(figure, armour=True)),
    Entry("person", "Person", 1.75, ("person", "man", "woman", "human", "human figure", "people", "visitor"),
          partial(figure, armour=False)),
)
