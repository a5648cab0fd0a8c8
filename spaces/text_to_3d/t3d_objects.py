"""Keyword objects (tower, tree, lighthouse...) and the generic fallback sculpture."""

from __future__ import annotations

import math

import numpy as np
import trimesh

from t3d_shapes import (Entry, Model, arch_wall, beam, box, cylinder, dome, frustum, gable_roof,
                        hexa, lathe, prism, ring, sails, slab, sphere, square_frustum)

STONE = (0.72, 0.70, 0.66)
WOOD = (0.42, 0.28, 0.16)
ROOF = (0.55, 0.20, 0.15)
LEAF = (0.25, 0.50, 0.18)
DARK_GLASS = (0.10, 0.14, 0.20)


def tower(m: Model) -> None:
    """Round stone tower with crenellations and a conical roof, 33 m."""
    stone = m.main("stone", STONE, roughness=0.9)
    m.add("body", [cylinder(4.0, 0, 24, 16), cylinder(4.6, 0, 1.2, 16)], stone)
    m.add("parapet", cylinder(4.7, 24, 26, 16), stone)
    m.add("merlons", [box((1.0, 1.2, 1.0), (4.3 * math.cos(a), 26.6, 4.3 * math.sin(a)))
                      for a in np.linspace(0, 2 * math.pi, 12, endpoint=False)], stone)
    m.add("roof", frustum(4.2, 0, 26, 33, 16), m.mat("roof_slate", (0.30, 0.32, 0.38), roughness=0.7))
    m.add("windows", [box((1.0, 1.8, 0.4), (0, y, 4.0)) for y in (6, 12, 18)] + [box((1.6, 2.6, 0.4), (0, 1.3, 4.0))],
          m.mat("opening_dark", (0.08, 0.07, 0.07)))


def dome_building(m: Model) -> None:
    """Domed rotunda on a drum with a lantern, 18 m."""
    stone = m.mat("stone", (0.88, 0.85, 0.78), roughness=0.85)
    m.add("drum", [cylinder(8.6, 0, 1, 24), cylinder(8.0, 1, 7, 24), cylinder(8.5, 7, 8, 24)], stone)
    m.add("dome", dome(8.0, 8, rise=7.5, sections=24, rings=6), m.main("dome", (0.55, 0.62, 0.65), metallic=0.4, roughness=0.5))
    m.add("lantern", [cylinder(1.2, 15.3, 17, 8), frustum(1.4, 0, 17, 18, 8)], stone)


def pyramid(m: Model) -> None:
    """Square pyramid, 30 m base, 20 m tall."""
    m.add("body", square_frustum(30, 0, 0, 20), m.main("sandstone", (0.85, 0.74, 0.52), roughness=0.9))
    m.add("base", square_frustum(31, 30, 0, 0.5), m.mat("stone", STONE, roughness=0.9))


def arch(m: Model) -> None:
    """Free-standing stone arch with a cornice, 14 m."""
    stone = m.main("stone", (0.85, 0.80, 0.70), roughness=0.85)
    m.add("arch", arch_wall(14, 3, 0, 12, 6, 6), stone)
    m.add("cornice", [box((14.6, 0.8, 3.4), (0, 12.4, 0)), box((13.5, 1.2, 2.8), (0, 13.4, 0))], stone)


def bridge(m: Model) -> None:
    """Three-arch stone bridge, 48 m long, with parapets."""
    stone = m.main("stone", (0.75, 0.70, 0.62), roughness=0.9)
    spans = []
    for x in (-16, 0, 16):
        spans += arch_wall(16, 6, 0, 7.6, 12, 1.0, x=x)
    m.add("arches", spans, stone)
    m.add("deck", box((49, 0.8, 6.6), (0, 8.0, 0)), stone)
    m.add("parapets", [box((49, 1.0, 0.5), (0, 8.9, z)) for z in (-3.05, 3.05)], stone)
    m.add("road", box((48.5, 0.1, 5.4), (0, 8.45, 0)), m.mat("asphalt", (0.25, 0.25, 0.27)))


def windmill(m: Model) -> None:
    """Tapered wooden windmill with a cap and four lattice sails, about 20 m."""
    m.add("base", cylinder(4.2, 0, 1.2, 8, phase=math.pi / 8), m.mat("stone", STONE))
    m.add("body", frustum(3.6, 2.3, 1.2, 12, 8, phase=math.pi / 8), m.main("wood", (0.50, 0.36, 0.24), roughness=0.8))
    m.add("cap", frustum(2.7, 0.2, 12, 15, 8, phase=math.pi / 8), m.mat("roof_thatch", (0.30, 0.24, 0.18)))
    m.add("door", box((1.2, 2.2, 0.5), (0, 2.3, 3.45)), m.mat("opening_dark", (0.08, 0.07, 0.07)))
    angle = math.radians(15 + 30 * m.rng.random())
    m.add("sails", sails(np.array([0.0, 11.5, 2.9]), 8.5, angle), m.mat("sail_white", (0.93, 0.91, 0.86)))


def oak_tree(m: Model) -> None:
    """Broadleaf tree: stout trunk, three branches and a clumpy crown, about 12 m."""
    bark = m.mat("bark", WOOD, roughness=0.95)
    m.add("trunk", [frustum(0.75, 0.45, 0, 5.5, 8)] + [beam((0, 4.5, 0), (2.2 * math.cos(a), 7.0, 2.2 * math.sin(a)), 0.35, 0.2)
                                                  for a in (0.3, 2.4, 4.4)], bark)
    rng = m.rng
    blobs = [sphere(3.2, (0, 8.2, 0), scale=(1.1, 0.9, 1.1))]
    for a in np.linspace(0, 2 * math.pi, 6, endpoint=False) + rng.uniform(0, 1):
        r = 2.6 + rng.uniform(-0.4, 0.4)
        blobs.append(sphere(2.2 + rng.uniform(-0.3, 0.4), (r * math.cos(a), 7.0 + rng.uniform(-0.6, 1.2), r * math.sin(a))))
    blobs.append(sphere(2.3, (rng.uniform(-0.5, 0.5), 10.3, rng.uniform(-0.5, 0.5))))
    m.add("crown", blobs, m.main("leaves", LEAF, roughness=0.9))


def pine_tree(m: Model) -> None:
    """Conifer: thin trunk and four stacked cones, about 16 m."""
    m.add("trunk", frustum(0.45, 0.3, 0, 3.5, 8), m.mat("bark", WOOD, roughness=0.95))
    jitter = m.rng.uniform(-0.3, 0.3, 4)
    cones = [frustum(r + j * 0.5, 0.0, y, y + h, 10, phase=j) for (r, y, h), j in
             zip(((3.6, 2.5, 6.0), (3.0, 5.5, 5.0), (2.4, 8.3, 4.5), (1.7, 11.0, 5.0)), jitter)]
    m.add("foliage", cones, m.main("needles", (0.12, 0.36, 0.18), roughness=0.9))


def palm_tree(m: Model) -> None:
    """Palm: gently curved segmented trunk, drooping fronds, coconuts; about 10 m."""
    bend = 0.8 + 0.6 * m.rng.random()
    pts = [np.array([bend * (t ** 2) * 1.5, 9.0 * t, 0.0]) for t in np.linspace(0, 1, 7)]
    m.add("trunk", [beam(a, b, 0.55 - 0.04 * i, 0.5 - 0.04 * i, sections=8) for i, (a, b) in enumerate(zip(pts[:-1], pts[1:]))],
          m.mat("palm_bark", (0.55, 0.45, 0.32), roughness=0.95))
    top = pts[-1]
    fronds = []
    for k in range(8):
        a = k * math.pi / 4 + m.rng.uniform(-0.15, 0.15)
        d = np.array([math.cos(a), 0.0, math.sin(a)])
        n = np.array([-math.sin(a), 0.0, math.cos(a)])
        mid, tip = top + d * 2.2 + (0, 0.6, 0), top + d * 4.2 + (0, -1.2, 0)
        for p0, p1, w0, w1 in ((top, mid, 0.3, 0.9), (mid, tip, 0.9, 0.1)):
            q = [p0 - n * w0, p1 - n * w1, p1 + n * w1, p0 + n * w0]
            fronds.append(hexa([v - (0, 0.05, 0) for v in q] + [v + (0, 0.05, 0) for v in q]))
    m.add("fronds", fronds, m.main("fronds", (0.22, 0.55, 0.20), roughness=0.85))
    m.add("coconuts", [sphere(0.3, top + (0.5 * math.cos(a), -0.4, 0.5 * math.sin(a)), subdivisions=0)
                       for a in (0.5, 2.6, 4.5)], m.mat("coconut", (0.35, 0.25, 0.12)))


def house(m: Model) -> None:
    """Small house: walls, pitched roof, chimney, door and windows; 8 m."""
    m.add("walls", slab(-5, 5, 0, 4.5, -4, 4), m.main("walls", (0.93, 0.88, 0.78), roughness=0.9))
    m.add("roof", gable_roof(11, 9, 4.5, 3.5, along_z=False), m.mat("roof_tiles", ROOF, roughness=0.8))
    m.add("chimney", slab(2.2, 3.2, 5.5, 8.0, -2.0, -1.0), m.mat("brick", (0.60, 0.30, 0.22)))
    m.add("door", slab(-0.6, 0.6, 0, 2.2, 3.95, 4.1), m.mat("door_wood", WOOD))
    m.add("windows", [slab(x - 0.7, x + 0.7, 1.6, 3.0, 3.95, 4.1) for x in (-3, 3)] +
          [slab(x - 0.7, x + 0.7, 1.6, 3.0, -4.1, -3.95) for x in (-3, 0, 3)], m.mat("window_glass", DARK_GLASS, metallic=0.3, roughness=0.2))


def lighthouse(m: Model) -> None:
    """Striped tapering lighthouse with gallery, lamp room and cap; 25 m."""
    white = m.mat("white_paint", (0.95, 0.95, 0.93), roughness=0.6)
    red = m.main("stripe_paint", (0.80, 0.10, 0.10), roughness=0.6)
    levels = np.linspace(1.0, 19.0, 7)
    radius = lambda y: 3.2 - 1.1 * (y - 1) / 18  # noqa: E731
    bands = [frustum(radius(a), radius(b), a, b, 16) for a, b in zip(levels[:-1], levels[1:])]
    m.add("base", cylinder(4.2, 0, 1.0, 16), m.mat("stone", STONE))
    m.add("tower_white", bands[0::2], white)
    m.add("tower_stripes", bands[1::2], red)
    m.add("gallery", [cylinder(2.9, 19, 19.5, 16), cylinder(2.8, 19.5, 20.5, 16)], m.mat("iron_black", (0.08, 0.08, 0.09), metallic=0.7, roughness=0.5))
    m.add("lamp_room", cylinder(1.5, 19.5, 22.5, 8), m.mat("lamp_glass", (1.0, 0.92, 0.55), metallic=0.0, roughness=0.1))
    m.add("cap", [dome(1.8, 22.5, rise=1.8, sections=8), frustum(0.2, 0.0, 24.2, 25.0, 6)], red)
    m.add("door", slab(-0.6, 0.6, 1.0, 3.0, 2.9, 3.3), m.mat("door_dark", (0.08, 0.07, 0.07)))


def statue(m: Model) -> None:
    """Standing figure with a raised arm on a stone pedestal; 6.5 m."""
    m.add("pedestal", [slab(-1.3, 1.3, 0, 0.4, -1.3, 1.3), slab(-1.0, 1.0, 0.4, 2.4, -1.0, 1.0), slab(-1.2, 1.2, 2.4, 2.7, -1.2, 1.2)],
          m.mat("stone", STONE))
    bronze = m.main("bronze", (0.45, 0.36, 0.22), metallic=0.8, roughness=0.45)
    m.add("figure", [frustum(0.7, 0.35, 2.7, 4.9, 10), frustum(0.35, 0.45, 4.9, 5.5, 10),
                     sphere(0.32, (0, 5.85, 0)), beam((0.4, 5.3, 0), (0.7, 6.5, 0.2), 0.18),
                     beam((-0.4, 5.3, 0), (-0.6, 4.4, 0.25), 0.18)], bronze)


def obelisk(m: Model) -> None:
    """Stone obelisk with a pyramidion on a stepped plinth; 15 m."""
    m.add("plinth", [square_frustum(3.2, 3.2, 0, 0.6), square_frustum(2.5, 2.5, 0.6, 1.4)], m.mat("plinth_stone", STONE))
    stone = m.main("granite", (0.70, 0.62, 0.55), roughness=0.6)
    m.add("shaft", square_frustum(1.6, 1.0, 1.4, 14.0), stone)
    m.add("pyramidion", square_frustum(1.0, 0, 14.0, 15.0), stone)


def castle(m: Model) -> None:
    """Square castle: curtain walls, four round corner towers, a keep and a gate; 22 m."""
    stone = m.main("stone", (0.66, 0.64, 0.60), roughness=0.95)
    roof = m.mat("roof_slate", (0.25, 0.28, 0.40), roughness=0.7)
    walls = [slab(-15, 15, 0, 8, 14, 16), slab(-15, 15, 0, 8, -16, -14), slab(-16, -14, 0, 8, -15, 15), slab(14, 16, 0, 8, -15, 15)]
    merlons = [box((1, 1, 2), (x, 8.5, z)) for x in np.arange(-12, 13, 3) for z in (-15, 15)]
    merlons += [box((2, 1, 1), (x, 8.5, z)) for z in np.arange(-12, 13, 3) for x in (-15, 15)]
    m.add("curtain_walls", walls + merlons, stone)
    m.add("corner_towers", [cylinder(3.2, 0, 13, 12, x=sx * 15, z=sz * 15) for sx in (-1, 1) for sz in (-1, 1)], stone)
    m.add("tower_roofs", [frustum(3.6, 0, 13, 18, 12, x=sx * 15, z=sz * 15) for sx in (-1, 1) for sz in (-1, 1)], roof)
    m.add("keep", slab(-6, 6, 0, 17, -6, 6), stone)
    m.add("keep_roof", square_frustum(13, 0, 17, 22), roof)
    m.add("gate", slab(-2, 2, 0, 5, 15.9, 16.2), m.mat("gate_wood", WOOD))


def church(m: Model) -> None:
    """Village church: nave with a pitched roof and a front bell tower with spire; 28 m."""
    walls = m.main("walls", (0.90, 0.87, 0.80), roughness=0.9)
    roof = m.mat("roof_slate", (0.30, 0.32, 0.36), roughness=0.7)
    m.add("nave", [slab(-5, 5, 0, 8, -12, 8), cylinder(5, 0, 8, 12, z=-12)], walls)
    m.add("roof", [gable_roof(11, 20.5, 8, 5, z=-1.75), frustum(5.4, 0, 8, 12, 12, z=-12)], roof)
    m.add("bell_tower", [slab(-2.5, 2.5, 0, 16, 8, 13)], walls)
    m.add("spire", square_frustum(5.6, 0, 16, 28, z=10.5), roof)
    m.add("openings", [slab(-1, 1, 0, 3, 12.9, 13.2), slab(-0.8, 0.8, 12, 14, 12.9, 13.2)] +
          [slab(sx * 5.05 - 0.1, sx * 5.05 + 0.1, 3, 6, z - 0.6, z + 0.6) for sx in (-1, 1) for z in (-8, -3, 2)],
          m.mat("opening_dark", (0.08, 0.07, 0.07)))


def skyscraper(m: Model) -> None:
    """Glass office tower with two setbacks, floor bands and an antenna; 165 m."""
    glass = m.main("glass_facade", (0.35, 0.50, 0.62), metallic=0.6, roughness=0.15)
    frame = m.mat("steel", (0.75, 0.76, 0.78), metallic=0.8, roughness=0.4)
    m.add("lobby", slab(-17, 17, 0, 6, -17, 17), frame)
    m.add("shaft", [slab(-15, 15, 6, 120, -15, 15), slab(-11, 11, 120, 142, -11, 11), slab(-7, 7, 142, 150, -7, 7)], glass)
    m.add("floor_bands", [slab(-15.2, 15.2, y, y + 0.6, -15.2, 15.2) for y in range(18, 120, 16)] +
          [slab(-11.2, 11.2, y, y + 0.6, -11.2, 11.2) for y in (126, 134)], frame)
    m.add("antenna", [cylinder(0.6, 150, 165, 6), box((4, 2, 4), (0, 151, 0))], frame)


def wheel(m: Model) -> None:
    """Ferris wheel: rim, spokes, cabins, A-frame legs; 44 m."""
    steel = m.main("steel_white", (0.92, 0.92, 0.94), metallic=0.5, roughness=0.4)
    hub_y, r = 23.0, 20.0
    rot = trimesh.transformations.rotation_matrix(math.pi / 2, [1, 0, 0])
    rims = []
    for z in (-1.0, 1.0):
        rim = ring(r, 0.35, sections=32, tube_sections=4)
        rim.apply_transform(rot)
        rim.apply_translation([0, hub_y, z])
        rims.append(rim)
    m.add("rim", rims, steel)
    spokes = [beam((0, hub_y, z), (r * math.cos(a), hub_y + r * math.sin(a), z), 0.18)
              for a in np.linspace(0, 2 * math.pi, 16, endpoint=False) for z in (-1.0, 1.0)]
    m.add("spokes", spokes + [beam((0, hub_y, -1.8), (0, hub_y, 1.8), 1.4, sections=8)], steel)
    cabins = [box((1.8, 2.0, 1.8), (r * math.cos(a), hub_y + r * math.sin(a) - 1.5, 0))
              for a in np.linspace(0, 2 * math.pi, 16, endpoint=False) + m.rng.uniform(0, 0.05)]
    m.add("cabins", cabins, m.mat("cabin_red", (0.85, 0.20, 0.15), roughness=0.5))
    legs = [beam((sx * 10, 0, sz * 5), (0, hub_y, sz * 1.8), 0.8) for sx in (-1, 1) for sz in (-1, 1)]
    m.add("legs", legs, m.mat("steel_grey", (0.55, 0.56, 0.58), metallic=0.7, roughness=0.4))
    m.add("platform", slab(-12, 12, 0, 0.6, -6, 6), m.mat("stone", STONE))


def column(m: Model) -> None:
    """Classical column: plinth, fluted-looking shaft, capital and abacus; 10 m."""
    stone = m.main("marble", (0.93, 0.91, 0.87), roughness=0.5)
    m.add("base", [slab(-0.9, 0.9, 0, 0.3, -0.9, 0.9), frustum(0.75, 0.65, 0.3, 0.6, 16)], stone)
    m.add("shaft", frustum(0.6, 0.52, 0.6, 8.9, 20), stone)
    m.add("capital", [frustum(0.55, 0.8, 8.9, 9.6, 16), slab(-0.9, 0.9, 9.6, 10.0, -0.9, 0.9)], stone)


def boat(m: Model) -> None:
    """Sailboat: pointed hull, deck, mast and two sails; 12 m long, 13 m tall."""
    outline = [(6.0, 0.0), (4.0, 1.5), (0.0, 2.0), (-4.5, 1.8), (-5.5, 1.2), (-5.5, -1.2), (-4.5, -1.8), (0.0, -2.0), (4.0, -1.5)]
    narrow = [(x * 0.8, z * 0.45) for x, z in outline]
    hull = m.main("hull_paint", (0.90, 0.90, 0.92), roughness=0.5)
    m.add("hull", [prism(narrow, 0, 0.7), prism(outline, 0.7, 1.8)], hull)
    m.add("deck", prism([(x * 0.94, z * 0.9) for x, z in outline], 1.8, 1.9), m.mat("teak", (0.60, 0.42, 0.25)))
    m.add("mast", [cylinder(0.12, 1.9, 13.0, 6, x=0.8), beam((0.8, 3.0, 0), (-4.0, 3.0, 0), 0.12)], m.mat("mast_alu", (0.8, 0.8, 0.82), metallic=0.8, roughness=0.3))
    cloth = m.mat("sail_cloth", (0.96, 0.95, 0.92), roughness=0.9)
    main_sail = prism([(0.7, 0.0), (-3.9, 0.0), (0.7, 9.8)], -0.04, 0.04)
    jib = prism([(1.0, 0.0), (5.3, 0.0), (1.0, 8.5)], -0.04, 0.04)
    for s in (main_sail, jib):  # polygons were drawn in (x, y): turn the z extrusion upright
        s.apply_transform(trimesh.transformations.rotation_matrix(-math.pi / 2, [1, 0, 0]))
        s.apply_translation([0, 3.1, 0])
    m.add("sails", [main_sail, jib], cloth)


def car(m: Model) -> None:
    """Compact car: body, glass cabin, four wheels, lights; 4.4 m long."""
    paint = m.main("car_paint", (0.80, 0.10, 0.10), metallic=0.6, roughness=0.3)
    m.add("body", [slab(-2.2, 2.2, 0.35, 1.05, -0.9, 0.9)], paint)
    m.add("cabin", hexa([(-1.5, 1.05, -0.85), (1.0, 1.05, -0.85), (1.0, 1.05, 0.85), (-1.5, 1.05, 0.85),
                         (-1.1, 1.6, -0.75), (0.3, 1.6, -0.75), (0.3, 1.6, 0.75), (-1.1, 1.6, 0.75)]),
          m.mat("car_glass", DARK_GLASS, metallic=0.5, roughness=0.1))
    m.add("roof", slab(-1.1, 0.3, 1.6, 1.66, -0.75, 0.75), paint)
    m.add("wheels", [beam((x, 0.35, z - 0.12 * np.sign(z)), (x, 0.35, z + 0.12 * np.sign(z)), 0.7, sections=12)
                     for x in (-1.4, 1.4) for z in (-0.85, 0.85)], m.mat("tyre", (0.05, 0.05, 0.05), roughness=0.9))
    m.add("lights", [slab(2.18, 2.24, 0.75, 0.9, z - 0.2, z + 0.2) for z in (-0.6, 0.6)], m.mat("headlight", (1.0, 0.97, 0.85), roughness=0.2))


def fountain(m: Model) -> None:
    """Round two-tier fountain with water; 3.5 m."""
    stone = m.main("stone", (0.82, 0.80, 0.75), roughness=0.8)
    m.add("basin", [cylinder(4.0, 0, 0.8, 24), cylinder(0.9, 0.8, 2.2, 12), frustum(0.6, 1.6, 2.2, 2.6, 12),
                    cylinder(0.3, 2.6, 3.5, 8)], stone)
    m.add("water", [cylinder(3.6, 0.8, 0.82, 24), cylinder(1.45, 2.6, 2.62, 12)],
          m.mat("water", (0.35, 0.55, 0.75), roughness=0.05, alpha=0.7))


def street_lamp(m: Model) -> None:
    """Cast-iron street lamp; 4.5 m."""
    iron = m.main("cast_iron", (0.10, 0.12, 0.12), metallic=0.7, roughness=0.5)
    m.add("post", [frustum(0.25, 0.2, 0, 0.6, 8), frustum(0.09, 0.06, 0.6, 3.8, 8), frustum(0.25, 0.1, 3.8, 4.0, 8)], iron)
    m.add("lantern", frustum(0.18, 0.28, 4.0, 4.4, 6), m.mat("lamp_glass", (1.0, 0.92, 0.6), roughness=0.1))
    m.add("cap", frustum(0.32, 0.0, 4.4, 4.6, 6), iron)


def mountain(m: Model) -> None:
    """Rocky peak with a snow cap; 60 m."""
    rng = m.rng
    prof = [(60, 0), (45, 12), (30, 28)]
    rock = lathe([(r * (1 + rng.uniform(-0.08, 0.08)), y) for r, y in prof] + [(16, 44)], 9)
    m.add("rock", rock, m.main("rock", (0.45, 0.42, 0.40), roughness=0.95))
    m.add("snow", lathe([(16.2, 44), (0, 60)], 9), m.mat("snow", (0.95, 0.96, 0.98), roughness=0.6))


def sculpture(m: Model) -> None:
    """Generic fallback: a labelled plinth with an abstract stacked sculpture; 3.2 m."""
    m.add("plinth", slab(-0.6, 0.6, 0, 1.0, -0.6, 0.6), m.mat("plinth_stone", (0.85, 0.84, 0.80)))
    m.add("label_plate", slab(-0.35, 0.35, 0.55, 0.8, 0.6, 0.63), m.mat("brass_label", (0.85, 0.68, 0.30), metallic=0.9, roughness=0.35))
    rng = m.rng
    pieces = []
    y = 1.0
    for size in (0.8, 0.6, 0.45):
        b = box((size, size, size), (0, 0, 0))
        b.apply_transform(trimesh.transformations.rotation_matrix(rng.uniform(0, math.pi / 2), [0, 1, 0]))
        b.apply_translation([0, y + size / 2, 0])
        pieces.append(b)
        y += size
    pieces.append(sphere(0.3, (0, y + 0.3, 0)))
    m.add("sculpture", pieces, m.main("sculpture", (0.30, 0.55, 0.80), metallic=0.6, roughness=0.3))


OBJECTS: tuple[Entry, ...] = (
    Entry("tower", "Tower", 33.0, ("tower", "turret", "keep", "spire", "minaret", "clock tower"), tower),
    Entry("dome", "Dome", 18.0, ("dome", "cupola", "rotunda", "observatory"), dome_building),
    Entry("pyramid", "Pyramid", 20.0, ("pyramid", "ziggurat"), pyramid),
    Entry("arch", "Arch", 14.0, ("arch", "archway", "gateway", "gate", "triumphal arch"), arch),
    Entry("bridge", "Bridge", 9.9, ("bridge", "viaduct", "aqueduct"), bridge),
    Entry("windmill", "Windmill", 20.0, ("windmill", "mill", "wind mill"), windmill),
    Entry("oak_tree", "Oak tree", 12.0, ("tree", "oak", "oak tree", "maple", "maple tree", "elm", "birch",
                                         "beech", "chestnut tree", "forest"), oak_tree),
    Entry("pine_tree", "Pine tree", 16.0, ("pine", "pine tree", "fir", "fir tree", "spruce", "conifer",
                                           "christmas tree", "cedar"), pine_tree),
    Entry("palm_tree", "Palm tree", 10.0, ("palm", "palm tree", "coconut tree", "coconut palm"), palm_tree),
    Entry("house", "House", 8.0, ("house", "home", "cottage", "hut", "cabin", "villa", "bungalow"), house),
    Entry("lighthouse", "Lighthouse", 25.0, ("lighthouse", "light house", "beacon"), lighthouse),
    Entry("statue", "Statue", 6.5, ("statue", "sculpture of", "figure", "monument", "bust"), statue),
    Entry("obelisk", "Obelisk", 15.0, ("obelisk", "needle"), obelisk),
    Entry("castle", "Castle", 22.0, ("castle", "fortress", "fort", "citadel", "palace", "chateau"), castle),
    Entry("church", "Church", 28.0, ("church", "chapel", "cathedral", "basilica", "abbey"), church),
    Entry("skyscraper", "Skyscraper", 165.0, ("skyscraper", "high rise", "highrise", "office building",
                                              "building", "office tower", "tower block"), skyscraper),
    Entry("wheel", "Ferris wheel", 44.0, ("wheel", "ferris wheel", "big wheel", "observation wheel"), wheel),
    Entry("column", "Column", 10.0, ("column", "pillar", "pilaster"), column),
    Entry("boat", "Sailboat", 13.0, ("boat", "ship", "sailboat", "yacht", "sailing boat", "vessel"), boat),
    Entry("car", "Car", 1.66, ("car", "automobile", "taxi", "sedan", "vehicle"), car),
    Entry("fountain", "Fountain", 3.5, ("fountain",), fountain),
    Entry("street_lamp", "Street lamp", 4.6, ("street lamp", "lamppost", "lamp post", "streetlight", "street light", "lantern"), street_lamp),
    Entry("mountain", "Mountain", 60.0, ("mountain", "hill", "peak", "volcano"), mountain),
)

#: Used when nothing in the prompt matches.
FALLBACK = Entry("sculpture", "Sculpture", 3.2, (), sculpture)
