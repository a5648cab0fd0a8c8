"""Builders for landmarks outside Paris, at real size (metres, +Y up)."""

from __future__ import annotations

import math

import numpy as np
import trimesh

from t3d_shapes import (Entry, Model, beam, cylinder, dome, frustum, gable_roof,
                        hexa, lathe, lattice, prism, ring, slab, sphere, square_frustum)

DARK = (0.10, 0.10, 0.11)


def big_ben(m: Model) -> None:
    """Elizabeth Tower, London: 96 m, clock faces on four sides, pointed iron spire."""
    stone = m.main("anston_limestone", (0.82, 0.72, 0.52), roughness=0.85)
    m.add("shaft", [slab(-6, 6, 0, 52, -6, 6), slab(-6.5, 6.5, 0, 3, -6.5, 6.5)], stone)
    m.add("clock_stage", [slab(-7, 7, 52, 64, -7, 7), slab(-7.4, 7.4, 64, 66, -7.4, 7.4)], stone)
    faces, hands = [], []
    for k in range(4):
        a = k * math.pi / 2
        d = np.array([math.sin(a), 0.0, math.cos(a)])
        c = np.array([0.0, 58.0, 0.0]) + d * 7.0
        faces.append(beam(c - d * 0.1, c + d * 0.25, 7.0, sections=12))
        hands.append(beam(c + d * 0.3, c + d * 0.3 + (0, 2.8, 0), 0.3))
        side = np.cross([0, 1, 0], d)
        hands.append(beam(c + d * 0.32, c + d * 0.32 + side * 2.0 + (0, 0.6, 0), 0.3))
    m.add("clock_faces", faces, m.mat("opal_glass", (0.95, 0.93, 0.85), roughness=0.4))
    m.add("clock_hands", hands, m.mat("iron_black", DARK, metallic=0.6, roughness=0.5))
    m.add("belfry", [slab(-6, 6, 66, 75, -6, 6), slab(-6.6, 6.6, 75, 76, -6.6, 6.6)], stone)
    iron = m.mat("spire_iron", (0.22, 0.26, 0.30), metallic=0.6, roughness=0.5)
    m.add("spire", [square_frustum(12, 8, 76, 84), square_frustum(8, 0.8, 84, 93.5)], iron)
    gold = m.mat("gilding", (0.95, 0.76, 0.32), metallic=1.0, roughness=0.3)
    m.add("finial", [frustum(0.4, 0.1, 93.5, 96, 6)] +
          [frustum(0.7, 0, 76, 80, 6, x=sx * 6, z=sz * 6) for sx in (-1, 1) for sz in (-1, 1)], gold)


def tower_bridge(m: Model) -> None:
    """Tower Bridge, London: two 65 m Gothic towers, high walkways, bascules, side chains."""
    stone = m.main("portland_stone", (0.80, 0.78, 0.72), roughness=0.85)
    blue = m.mat("bridge_blue", (0.35, 0.62, 0.82), metallic=0.5, roughness=0.5)
    roof = m.mat("roof_slate", (0.28, 0.30, 0.34), roughness=0.7)
    towers, roofs = [], []
    for x in (-40, 40):
        towers += [slab(x - 11, x + 11, 0, 8, -14, 14), slab(x - 9, x + 9, 8, 55, -9, 9)]
        for sx in (-1, 1):
            for sz in (-1, 1):
                towers.append(slab(x + sx * 8.5 - 2, x + sx * 8.5 + 2, 8, 58, sz * 8.5 - 2, sz * 8.5 + 2))
                roofs.append(square_frustum(4.4, 0, 58, 65, x=x + sx * 8.5, z=sz * 8.5))
        roofs.append(square_frustum(17, 0, 55, 62, x=x))
    m.add("towers", towers, stone)
    m.add("tower_roofs", roofs, roof)
    m.add("walkways", [slab(-31, 31, 42, 46, z - 2, z + 2) for z in (-5.5, 5.5)], blue)
    m.add("bascules", [slab(-31, -0.2, 8, 10, -8, 8), slab(0.2, 31, 8, 10, -8, 8)], blue)
    m.add("approach_decks", [slab(-120, -51, 8, 10, -8, 8), slab(51, 120, 8, 10, -8, 8)], stone)
    chains = []
    for side in (-1, 1):
        for z in (-8.5, 8.5):
            pts = [(side * (51 + 69 * t), 45 - 35 * (1 - (1 - t) ** 2) + 0.0, z) for t in np.linspace(0, 1, 7)]
            chains += [beam(a, b, 1.2) for a, b in zip(pts[:-1], pts[1:])]
            chains += [beam((p[0], 10, z), p, 0.4) for p in pts[1:-1]]
    m.add("suspension_chains", chains, blue)
    m.add("piers", [slab(x - 12, x + 12, 0, 1.5, -15, 15) for x in (-40, 40)], m.mat("granite", (0.45, 0.45, 0.47)))


def london_eye(m: Model) -> None:
    """London Eye: 120 m wheel, 135 m tall, spokes, 32 capsules, A-frame on one side."""
    white = m.main("steel_white", (0.94, 0.94, 0.96), metallic=0.5, roughness=0.35)
    hub_y, r = 72.0, 58.0
    rot = trimesh.transformations.rotation_matrix(math.pi / 2, [1, 0, 0])
    rim = ring(r, 0.9, sections=48, tube_sections=4)
    rim.apply_transform(rot)
    rim.apply_translation([0, hub_y, 0])
    inner = ring(r - 4, 0.5, sections=48, tube_sections=4)
    inner.apply_transform(rot)
    inner.apply_translation([0, hub_y, 0])
    m.add("rim", [rim, inner], white)
    spokes = [beam((0, hub_y, z), (r * math.cos(a), hub_y + r * math.sin(a), 0), 0.25)
              for a in np.linspace(0, 2 * math.pi, 32, endpoint=False) for z in (-3.0, 3.0)]
    m.add("spokes", spokes + [beam((0, hub_y, -4), (0, hub_y, 4), 3.0, sections=12)], white)
    caps = [sphere(2.0, ((r + 2.2) * math.cos(a), hub_y + (r + 2.2) * math.sin(a), 0), scale=(2.0, 1.1, 1.1))
            for a in np.linspace(0, 2 * math.pi, 32, endpoint=False) + math.pi / 32]
    m.add("capsules", caps, m.mat("capsule_glass", (0.70, 0.85, 0.95), metallic=0.3, roughness=0.1, alpha=0.7))
    m.add("a_frame", [beam((sx * 28, 0, -40), (0, hub_y, -3.5), 2.2) for sx in (-1, 1)], white)
    m.add("platform", slab(-35, 35, 0, 1.0, -45, 12), m.mat("concrete", (0.60, 0.60, 0.58)))
    m.add("boarding_pier", slab(-20, 20, 1.0, 14.0, -6, 6), m.mat("concrete", (0.60, 0.60, 0.58)))


def the_shard(m: Model) -> None:
    """The Shard, London: 310 m glass pyramid of eight splayed shards."""
    glass = m.main("glass_shards", (0.70, 0.80, 0.88), metallic=0.7, roughness=0.12)
    m.add("core", square_frustum(48, 6, 0, 285, d0=40, d1=5), glass)
    shards = []
    for k, top in enumerate((310, 300, 305, 296)):
        a = k * math.pi / 2
        c, s = math.cos(a), math.sin(a)
        def pt(n: float, t: float, y: float) -> tuple[float, float, float]:
            return (c * n - s * t, y, s * n + c * t)
        h0 = 24.5 if k % 2 == 0 else 20.5
        pts = [pt(h0, -18, 0), pt(h0 + 0.8, -18, 0), pt(h0 + 0.8, 10, 0), pt(h0, 10, 0),
               pt(2.0, -2.0, top), pt(2.6, -2.0, top), pt(2.6, 1.5, top), pt(2.0, 1.5, top)]
        shards.append(hexa(pts))
    m.add("shards", shards, glass)
    m.add("spire_frame", [beam((sx * 2, 285, sz * 2), (sx * 0.4, 310, sz * 0.4), 0.6) for sx in (-1, 1) for sz in (-1, 1)],
          m.mat("steel", (0.7, 0.7, 0.72), metallic=0.8, roughness=0.4))


def colosseum(m: Model) -> None:
    """Colosseum, Rome: 189 x 156 m elliptical travertine ring, 48 m, partly ruined outer wall."""
    stone = m.main("travertine", (0.82, 0.74, 0.60), roughness=0.95)
    a_out, b_out, n = 94.5, 78.0, 56
    angles = np.linspace(0, 2 * math.pi, n + 1)

    def ell(t: float, a: float, b: float, y: float) -> tuple[float, float, float]:
        return (a * math.cos(t), y, b * math.sin(t))

    wall, seating, arches = [], [], []
    for i in range(n):
        t0, t1 = angles[i], angles[i + 1]
        ruined = math.pi * 0.15 < (t0 % (2 * math.pi)) < math.pi * 0.75
        top = 37.0 if ruined else 48.0
        wall.append(hexa([ell(t0, a_out - 4, b_out - 4, 0), ell(t1, a_out - 4, b_out - 4, 0),
                          ell(t1, a_out, b_out, 0), ell(t0, a_out, b_out, 0),
                          ell(t0, a_out - 4, b_out - 4, top), ell(t1, a_out - 4, b_out - 4, top),
                          ell(t1, a_out, b_out, top), ell(t0, a_out, b_out, top)]))
        seating.append(hexa([ell(t0, 46, 29, 0), ell(t1, 46, 29, 0), ell(t1, a_out - 4, b_out - 4, 0), ell(t0, a_out - 4, b_out - 4, 0),
                             ell(t0, 46, 29, 5), ell(t1, 46, 29, 5), ell(t1, a_out - 4, b_out - 4, 34), ell(t0, a_out - 4, b_out - 4, 34)]))
        tm = (t0 + t1) / 2
        for y0, y1 in ((2, 9), (12, 20), (23, 31)) + (() if ruined else ((36, 42),)):
            w = 0.32 * (t1 - t0)
            arches.append(hexa([ell(tm - w, a_out - 0.6, b_out - 0.6, y0), ell(tm + w, a_out - 0.6, b_out - 0.6, y0),
                                ell(tm + w, a_out + 0.15, b_out + 0.15, y0), ell(tm - w, a_out + 0.15, b_out + 0.15, y0),
                                ell(tm - w, a_out - 0.6, b_out - 0.6, y1), ell(tm + w, a_out - 0.6, b_out - 0.6, y1),
                                ell(tm + w, a_out + 0.15, b_out + 0.15, y1), ell(tm - w, a_out + 0.15, b_out + 0.15, y1)]))
    m.add("outer_wall", wall, stone)
    m.add("cavea", seating, m.mat("worn_travertine", (0.72, 0.64, 0.52), roughness=0.95))
    m.add("arcades", arches, m.mat("arch_shadow", (0.22, 0.19, 0.16)))
    m.add("arena", lathe([(43, 0), (43, 1.0)], 32, scale_xz=(1.0, 27 / 43)), m.mat("arena_sand", (0.80, 0.68, 0.48)))


def trajans_column(m: Model) -> None:
    """Trajan's Column, Rome: pedestal, spiral-frieze shaft, capital and statue; 38 m."""
    marble = m.main("luna_marble", (0.86, 0.84, 0.78), roughness=0.6)
    m.add("pedestal", [slab(-2.8, 2.8, 0, 5.4, -2.8, 2.8), slab(-3.0, 3.0, 5.4, 6.0, -3.0, 3.0)], marble)
    m.add("shaft", [frustum(1.95, 1.85, 6.0, 7.0, 16), frustum(1.85, 1.65, 7.0, 33.0, 16)], marble)
    frieze = []
    turns, segs = 23, 12
    for i in range(turns * segs):
        t0, t1 = i / (turns * segs), (i + 1) / (turns * segs)
        y0, y1 = 7.5 + 25.0 * t0, 7.5 + 25.0 * t1
        r0, r1 = 1.85 - 0.2 * t0 + 0.06, 1.85 - 0.2 * t1 + 0.06
        a0, a1 = 2 * math.pi * turns * t0, 2 * math.pi * turns * t1
        frieze.append(beam((r0 * math.cos(a0), y0, r0 * math.sin(a0)), (r1 * math.cos(a1), y1, r1 * math.sin(a1)), 0.14))
    m.add("spiral_frieze", frieze, m.mat("frieze_marble", (0.70, 0.67, 0.60), roughness=0.7))
    m.add("capital", [frustum(1.7, 2.1, 33.0, 34.2, 16), slab(-2.2, 2.2, 34.2, 35.0, -2.2, 2.2), cylinder(0.9, 35.0, 35.6, 12)], marble)
    bronze = m.mat("bronze", (0.40, 0.32, 0.20), metallic=0.8, roughness=0.45)
    m.add("statue_st_peter", [frustum(0.6, 0.35, 35.6, 37.3, 8), sphere(0.3, (0, 37.6, 0)),
                              beam((0.3, 37.0, 0), (0.5, 38.0, 0.1), 0.14)], bronze)


def statue_of_liberty(m: Model) -> None:
    """Statue of Liberty, New York: star fort, granite pedestal, copper-green statue; 93 m."""
    star = [(r * math.cos(a), r * math.sin(a)) for i, a in enumerate(np.linspace(0, 2 * math.pi, 22, endpoint=False))
            for r in ((55.0,) if i % 2 == 0 else (36.0,))]
    m.add("star_fort", prism(star, 0, 6.5), m.mat("fort_stone", (0.62, 0.58, 0.52)))
    granite = m.mat("pedestal_granite", (0.72, 0.68, 0.60), roughness=0.85)
    m.add("pedestal", [square_frustum(28, 20, 6.5, 20), slab(-10, 10, 20, 40, -10, 10), slab(-11, 11, 40, 42, -11, 11),
                       slab(-9, 9, 42, 47, -9, 9)], granite)
    copper = m.main("copper_patina", (0.45, 0.68, 0.58), metallic=0.5, roughness=0.6)
    m.add("robe", [frustum(7.5, 5.0, 47, 60, 12), frustum(5.0, 4.2, 60, 70, 12), frustum(4.2, 2.0, 70, 77, 12),
                   frustum(1.5, 1.2, 77, 79, 8)], copper)
    m.add("head", [sphere(2.6, (0, 81.0, 0.3), scale=(1.0, 1.15, 1.0))], copper)
    m.add("crown", [beam((0, 82.5, 0), (7.0 * math.cos(a), 83.5 + 1.2 * math.sin(a) ** 2, 7.0 * math.sin(a)), 0.8, 0.1)
                    for a in np.linspace(-0.2, math.pi + 0.2, 7)] + [cylinder(2.9, 82.0, 83.2, 10)], copper)
    m.add("torch_arm", [beam((3.2, 74.0, 0), (4.2, 86.5, -0.5), 2.0, 1.3), frustum(0.9, 1.6, 86.5, 88.5, 8, x=4.2, z=-0.5)], copper)
    m.add("flame", frustum(1.4, 0.0, 88.5, 93.0, 8, x=4.2, z=-0.5), m.mat("gilded_flame", (0.98, 0.78, 0.30), metallic=1.0, roughness=0.25))
    m.add("tablet", [beam((-4.0, 66.0, 1.0), (-3.6, 74.0, 1.8), 3.0)], copper)


def empire_state_building(m: Model) -> None:
    """Empire State Building, New York: Art Deco setbacks, 381 m roof, mast and antenna to 443 m."""
    stone = m.main("indiana_limestone", (0.78, 0.75, 0.68), roughness=0.8)
    steel = m.mat("steel_mast", (0.75, 0.76, 0.80), metallic=0.8, roughness=0.35)
    m.add("base", slab(-65, 65, 0, 25, -30, 30), stone)
    m.add("tower", [slab(-42, 42, 25, 72, -27, 27), slab(-34, 34, 72, 255, -22, 22), slab(-28, 28, 255, 290, -18, 18),
                    slab(-22, 22, 290, 320, -15, 15), slab(-15, 15, 320, 345, -12, 12)], stone)
    m.add("window_piers", [slab(x - 0.8, x + 0.8, 72, 255, -22.4, 22.4) for x in range(-30, 31, 6)], m.mat("window_band", (0.45, 0.47, 0.50), metallic=0.4, roughness=0.4))
    m.add("mooring_mast", [frustum(8, 6, 345, 373, 8, phase=math.pi / 8), dome(6, 373, rise=6, sections=8)], steel)
    m.add("antenna", [frustum(1.2, 0.3, 378, 443, 6)], steel)


def brooklyn_bridge(m: Model) -> None:
    """Brooklyn Bridge, New York: two 84 m Gothic-arched towers, deck, four main cables, stays."""
    stone = m.main("granite_limestone", (0.72, 0.64, 0.52), roughness=0.9)
    towers = []
    for x in (-243, 243):
        towers.append(slab(x - 20, x + 20, 0, 12, -45, 45))  # caisson pier
        for zc in (-28, 0, 28):
            towers.append(slab(x - 10, x + 10, 12, 68, zc - 7, zc + 7))
        for zc in (-14, 14):  # pointed-arch heads over the two openings
            towers.append(gable_roof(20, 14, 60, 8, x=x, z=zc, along_z=False))
        towers.append(slab(x - 10, x + 10, 68, 84, -35, 35))
    m.add("towers", towers, stone)
    m.add("deck", [slab(-600, 600, 40, 44, -13, 13)], m.mat("deck_steel", (0.45, 0.42, 0.38), metallic=0.5, roughness=0.6))
    cable = m.mat("cable_steel", (0.35, 0.36, 0.38), metallic=0.7, roughness=0.5)
    cables, hangers = [], []
    for z in (-26, -9, 9, 26):
        main = [(x, 44 + 38 * (x / 243) ** 2, z) for x in np.linspace(-243, 243, 17)]
        side = [[(sx * (243 + 357 * t), 82 - 36 * t ** 0.8, z) for t in np.linspace(0, 1, 6)] for sx in (-1, 1)]
        for line in [main] + side:
            cables += [beam(a, b, 0.9) for a, b in zip(line[:-1], line[1:])]
            hangers += [beam((p[0], 44, z), p, 0.15) for p in line[1:-1] if p[1] > 45]
        for sx in (-1, 1):  # diagonal stays fanning from the towers
            hangers += [beam((sx * 243, 80, z), (sx * (243 - d), 44, z), 0.2) for d in (40, 80, 120)]
            hangers += [beam((sx * 243, 80, z), (sx * (243 + d), 44, z), 0.2) for d in (40, 80, 120)]
    m.add("main_cables", cables, cable)
    m.add("suspenders", hangers, cable)


def great_pyramid(m: Model) -> None:
    """Great Pyramid of Giza: 230 m square base, 139 m tall (truncated top)."""
    m.add("body", square_frustum(230.3, 8.0, 0, 138.5), m.main("limestone_blocks", (0.84, 0.72, 0.52), roughness=0.95))
    m.add("steps", [square_frustum(232 - i * 0.1, 230.3, 0, 1.2) for i in range(1)], m.mat("base_stones", (0.74, 0.63, 0.46)))


def great_sphinx(m: Model) -> None:
    """Great Sphinx of Giza: 73 m long, 19 m wide, 20 m tall recumbent lion with a nemes headdress."""
    stone = m.main("limestone", (0.82, 0.68, 0.48), roughness=0.95)
    m.add("body", [hexa([(-33, 0, -9), (8, 0, -9), (8, 0, 9), (-33, 0, 9), (-33, 9, -7), (8, 11, -7.5), (8, 11, 7.5), (-33, 9, 7)]),
                   sphere(7, (-28, 6, 0), scale=(1.2, 0.85, 1.25))], stone)
    m.add("front_paws", [slab(8, 36.5, 0, 3, sz * 6 - 2.6, sz * 6 + 2.6) for sz in (-1, 1)] +
          [slab(5, 12, 0, 9, sz * 6 - 3, sz * 6 + 3) for sz in (-1, 1)], stone)
    m.add("chest_neck", [hexa([(8, 0, -7), (16, 0, -7), (16, 0, 7), (8, 0, 7), (8, 14, -5), (14, 14, -4.5), (14, 14, 4.5), (8, 14, 5)])], stone)
    m.add("head", [slab(11, 17, 13.5, 19, -2.8, 2.8), hexa([(16.5, 15.5, -1), (18.5, 15.5, -1), (18.5, 15.5, 1), (16.5, 15.5, 1),
                                                          (16.5, 17.5, -0.6), (17.4, 17.5, -0.6), (17.4, 17.5, 0.6), (16.5, 17.5, 0.6)])], stone)
    m.add("nemes_headdress", [hexa([(9.5, 12, -6), (15.5, 12, -6), (15.5, 12, 6), (9.5, 12, 6),
                                    (10.5, 19.6, -3.0), (16.0, 19.6, -3.0), (16.0, 19.6, 3.0), (10.5, 19.6, 3.0)]),
                              slab(11, 15.6, 19.6, 20.0, -2.6, 2.6)], m.mat("headdress_stone", (0.74, 0.60, 0.42), roughness=0.95))
    m.add("tail", [beam((-34, 1.0, 7), (-20, 1.0, 9.2), 1.2)], stone)


def tokyo_tower(m: Model) -> None:
    """Tokyo Tower: 333 m Eiffel-style lattice in international orange and white."""
    orange = m.main("international_orange", (0.95, 0.35, 0.12), metallic=0.3, roughness=0.55)
    white = m.mat("white_paint", (0.95, 0.95, 0.93), metallic=0.3, roughness=0.55)
    levels = [(0, 42.0), (40, 30.0), (80, 21.0), (120, 15.0), (150, 12.0), (190, 8.5), (223, 6.5), (250, 5.0)]
    for i, (lo, hi) in enumerate(zip(levels[:-1], levels[1:])):
        m.add(f"lattice_{i + 1}", lattice([lo, hi], 3.0 * lo[1] / 42.0 + 0.8), orange if i % 2 == 0 else white)
    m.add("foot_town", slab(-35, 35, 0, 16, -28, 28), m.mat("foot_town_white", (0.90, 0.90, 0.88), roughness=0.7))
    deck = m.mat("deck_glass", (0.55, 0.65, 0.72), metallic=0.5, roughness=0.2)
    m.add("main_deck", [slab(-16, 16, 145, 157, -16, 16)], deck)
    m.add("top_deck", [slab(-7.5, 7.5, 248, 254, -7.5, 7.5)], deck)
    m.add("antenna", [cylinder(2.0, 254, 290, 8), cylinder(1.2, 290, 310, 8)], orange)
    m.add("antenna_tip", [cylinder(0.8, 310, 333, 8)], white)


def tokyo_skytree(m: Model) -> None:
    """Tokyo Skytree: 634 m; triangular base morphing round, decks at 350 m and 450 m."""
    white = m.main("skytree_white", (0.88, 0.92, 0.96), metallic=0.4, roughness=0.4)
    m.add("tripod_base", frustum(40, 24, 0, 120, 3, phase=math.pi / 2), white)
    m.add("shaft", [frustum(27, 16, 100, 340, 12), cylinder(15.5, 340, 470, 12), frustum(9, 6.5, 470, 495, 12)], white)
    lattice_lines = []
    for k in range(12):
        a = 2 * math.pi * k / 12
        b = a + 2 * math.pi / 12
        lattice_lines.append(beam((27.5 * math.cos(a), 100, 27.5 * math.sin(a)), (16.5 * math.cos(b), 340, 16.5 * math.sin(b)), 0.8))
        lattice_lines.append(beam((27.5 * math.cos(b), 100, 27.5 * math.sin(b)), (16.5 * math.cos(a), 340, 16.5 * math.sin(a)), 0.8))
    m.add("lattice", lattice_lines, m.mat("lattice_steel", (0.78, 0.82, 0.86), metallic=0.6, roughness=0.4))
    deck = m.mat("deck_glass", (0.35, 0.45, 0.58), metallic=0.6, roughness=0.15)
    m.add("tembo_deck", [frustum(22, 26, 340, 350, 16), cylinder(26, 350, 362, 16), frustum(26, 17, 362, 372, 16)], deck)
    m.add("tembo_galleria", [frustum(16, 20, 440, 446, 16), cylinder(20, 446, 452, 16), frustum(20, 16, 452, 458, 16)], deck)
    m.add("gain_tower", [cylinder(4.5, 495, 600, 8), cylinder(2.5, 600, 634, 8)], white)


def sensoji_pagoda(m: Model) -> None:
    """Sensō-ji five-storey pagoda, Tokyo: vermilion storeys, dark tiled roofs, bronze sōrin; 53 m."""
    red = m.main("vermilion", (0.78, 0.16, 0.10), roughness=0.7)
    tile = m.mat("roof_tile", (0.22, 0.24, 0.26), roughness=0.6)
    m.add("podium", slab(-11, 11, 0, 2.5, -11, 11), m.mat("stone", (0.70, 0.68, 0.64)))
    bodies, roofs = [], []
    y = 2.5
    for i in range(5):
        w = 10.0 - i * 0.9
        h = 5.0 if i == 0 else 4.0
        bodies.append(slab(-w / 2, w / 2, y, y + h, -w / 2, w / 2))
        y += h
        eave = w + 8.0
        roofs += [square_frustum(eave, eave - 1.6, y - 0.8, y, ), square_frustum(eave - 1.6, w * 0.6, y, y + 1.6)]
        y += 1.6
    m.add("storeys", bodies, red)
    m.add("roofs", roofs + [square_frustum(5.5, 0.8, y, y + 2.0)], tile)
    y += 2.0
    bronze = m.mat("sorin_bronze", (0.62, 0.48, 0.25), metallic=0.9, roughness=0.4)
    top = 53.3
    rings = [frustum(1.1, 0.9, yy, yy + 0.5, 8) for yy in np.linspace(y + 1.5, top - 5.0, 9)]
    m.add("sorin_spire", [cylinder(0.35, y, top - 1.0, 8), frustum(1.5, 1.5, y, y + 1.0, 8)] + rings +
          [sphere(0.7, (0, top - 2.5, 0)), frustum(0.5, 0.0, top - 1.8, top, 6)], bronze)


def leaning_tower_of_pisa(m: Model) -> None:
    """Leaning Tower of Pisa: 8-tier marble campanile, 56 m high side, tilted about 4 degrees."""
    marble = m.main("carrara_marble", (0.94, 0.92, 0.86), roughness=0.5)
    shaded = m.mat("loggia_shadow", (0.55, 0.53, 0.50), roughness=0.7)
    tiers = [(0, 11.0, 7.7)] + [(11.0 + 6.2 * i, 11.0 + 6.2 * (i + 1), 7.7) for i in range(6)] + [(48.2, 55.0, 5.4)]
    body = [cylinder(r - 0.6, y0, y1, 20) for y0, y1, r in tiers]
    galleries = [cylinder(r + 0.1, y1 - 0.6, y1, 20) for y0, y1, r in tiers[:-1]]
    columns = [cylinder(0.22, y0 + 0.3, y1 - 0.6, 6, x=r * math.cos(a), z=r * math.sin(a))
               for y0, y1, r in tiers[1:-1] for a in np.linspace(0, 2 * math.pi, 20, endpoint=False)]
    bell = [cylinder(5.6, 55.0, 55.8, 20)]
    tilt = trimesh.transformations.rotation_matrix(math.radians(3.97), [0, 0, 1], [7.7, 0, 0])
    for mesh in body + galleries + columns + bell:
        mesh.apply_transform(tilt)
    m.add("drum", body, shaded)
    m.add("galleries", galleries + bell, marble)
    m.add("colonnades", columns, marble)


def taj_mahal(m: Model) -> None:
    """Taj Mahal, Agra: plinth, mausoleum with iwans, onion dome, four minarets; 73 m."""
    marble = m.main("white_marble", (0.96, 0.95, 0.92), roughness=0.45)
    m.add("plinth", slab(-47.5, 47.5, 0, 7, -47.5, 47.5), m.mat("plinth_marble", (0.90, 0.88, 0.84), roughness=0.5))
    corners = [(28.5, 10), (10, 28.5), (-10, 28.5), (-28.5, 10), (-28.5, -10), (-10, -28.5), (10, -28.5), (28.5, -10)]
    m.add("mausoleum", prism(corners, 7, 40), marble)
    m.add("iwans", [slab(-8, 8, 9, 35, 28.4, 28.9), slab(-8, 8, 9, 35, -28.9, -28.4),
                    slab(28.4, 28.9, 9, 35, -8, 8), slab(-28.9, -28.4, 9, 35, -8, 8)], m.mat("iwan_shadow", (0.55, 0.54, 0.52)))
    m.add("drum", cylinder(13.5, 40, 47, 16), marble)
    m.add("onion_dome", dome(14, 47, rise=21, sections=16, onion=True), marble)
    m.add("finial", [frustum(0.8, 0.2, 68, 73, 6)], m.mat("gilding", (0.95, 0.76, 0.32), metallic=1.0, roughness=0.3))
    chhatris = []
    for sx in (-1, 1):
        for sz in (-1, 1):
            chhatris += [cylinder(3.2, 40, 45, 8, x=sx * 17, z=sz * 17), dome(3.5, 45, rise=4, sections=8, x=sx * 17, z=sz * 17, onion=True)]
    m.add("chhatris", chhatris, marble)
    minarets = []
    for sx in (-1, 1):
        for sz in (-1, 1):
            x, z = sx * 42, sz * 42
            minarets += [frustum(2.8, 2.2, 7, 47, 8, x=x, z=z), cylinder(3.4, 20, 21, 8, x=x, z=z), cylinder(3.4, 34, 35, 8, x=x, z=z),
                         cylinder(3.2, 47, 48, 8, x=x, z=z), cylinder(2.3, 48, 51, 8, x=x, z=z), dome(2.6, 51, rise=3, sections=8, x=x, z=z, onion=True)]
    m.add("minarets", minarets, marble)


def sydney_opera_house(m: Model) -> None:
    """Sydney Opera House: granite podium and white shell vaults, 65 m."""
    m.add("podium", slab(-60, 125, 0, 12, -50, 50), m.mat("podium_granite", (0.70, 0.55, 0.45), roughness=0.85))
    tile = m.main("shell_tiles", (0.96, 0.95, 0.90), roughness=0.35)
    shells = []
    for zc, scale in ((-20, 1.0), (22, 0.8)):
        for i, (x, h) in enumerate(((0, 53), (35, 42), (62, 30))):
            hh = h * scale
            shells.append(_shell(x, zc, 40 * scale - i * 6, hh, 12.0))
            shells.append(_shell(x + 16, zc, 30 * scale - i * 5, hh * 0.75, 12.0, back=True))
    shells.append(_shell(100, 0, 18, 22, 12.0))
    m.add("shells", shells, tile)
    m.add("glass_walls", [slab(-22, -6, 12, 35, -32, -8), slab(-16, -4, 12, 28, 12, 32)], m.mat("bronze_glass", (0.35, 0.30, 0.25), metallic=0.5, roughness=0.2))


def _shell(x: float, z: float, length: float, height: float, y0: float, *, back: bool = False) -> trimesh.Trimesh:
    """One sail-like shell: a leaning half-cone slice, peak toward -x (or +x if ``back``)."""
    sgn = 1 if back else -1
    w = length * 0.42
    pts = [(x - sgn * length * 0.3, y0, z - w), (x + sgn * length * 0.3, y0, z - w * 0.8),
           (x + sgn * length * 0.3, y0, z + w * 0.8), (x - sgn * length * 0.3, y0, z + w),
           (x + sgn * length * 0.35, y0 + height, z - w * 0.15), (x + sgn * length * 0.55, y0 + height * 0.8, z - w * 0.1),
           (x + sgn * length * 0.55, y0 + height * 0.8, z + w * 0.1), (x + sgn * length * 0.35, y0 + height, z + w * 0.15)]
    return hexa(pts)


def burj_khalifa(m: Model) -> None:
    """Burj Khalifa, Dubai: Y-plan buttressed tower stepping up in spirals to an 828 m spire."""
    glass = m.main("silver_glass", (0.78, 0.82, 0.86), metallic=0.8, roughness=0.15)
    wings = []
    steps = [(0, 160, 32), (160, 260, 28), (260, 350, 24), (350, 430, 20), (430, 500, 16), (500, 560, 12), (560, 600, 9)]
    for w in range(3):
        a = math.pi / 2 + w * 2 * math.pi / 3
        for i, (y0, y1, length) in enumerate(steps):
            reach = length * (1.0 - 0.25 * ((i + w) % 3 == 0))
            c = np.array([math.cos(a), 0, math.sin(a)]) * reach / 2
            wing = slab(-reach / 2, reach / 2, y0, y1, -6.5, 6.5)
            wing.apply_transform(trimesh.transformations.rotation_matrix(-a, [0, 1, 0]))
            wing.apply_translation(c)
            wings.append(wing)
    m.add("wings", wings, glass)
    m.add("core", [cylinder(11, 0, 600, 6), frustum(11, 6, 600, 640, 6)], glass)
    m.add("spire", [frustum(6, 3, 640, 740, 6), frustum(3, 0.5, 740, 828, 6)], m.mat("steel_spire", (0.82, 0.84, 0.86), metallic=0.9, roughness=0.25))


def space_needle(m: Model) -> None:
    """Space Needle, Seattle: waisted tripod legs, saucer top house at 160 m, spire to 184 m."""
    white = m.main("needle_white", (0.94, 0.94, 0.93), metallic=0.3, roughness=0.5)
    legs = []
    for k in range(3):
        a = k * 2 * math.pi / 3
        for da in (-0.22, 0.22):
            base = np.array([20 * math.cos(a + da), 0, 20 * math.sin(a + da)])
            waist = np.array([4.5 * math.cos(a + da), 110, 4.5 * math.sin(a + da)])
            top = np.array([9 * math.cos(a + da), 150, 9 * math.sin(a + da)])
            legs += [beam(base, waist, 2.4, 1.8), beam(waist, top, 1.8, 1.6)]
    m.add("legs", legs, white)
    m.add("core", cylinder(3.5, 0, 160, 8), white)
    m.add("halo", [lathe([(14, 100), (14.5, 101.5)], 16)], white)
    m.add("top_house", [frustum(9, 22, 150, 158, 16), cylinder(20, 158, 166, 16), frustum(22, 8, 166, 170, 16)],
          m.mat("saucer_grey", (0.60, 0.62, 0.66), metallic=0.6, roughness=0.3))
    m.add("spire", [frustum(4, 1, 170, 172, 8), frustum(0.8, 0.1, 172, 184, 6)], m.mat("astronaut_orange", (0.95, 0.55, 0.15), metallic=0.4))


def brandenburg_gate(m: Model) -> None:
    """Brandenburg Gate, Berlin: twelve Doric columns, entablature, attic and the quadriga; 26 m."""
    stone = m.main("sandstone", (0.86, 0.80, 0.66), roughness=0.85)
    m.add("base", slab(-32.5, 32.5, 0, 1.0, -5.5, 5.5), stone)
    cols = [cylinder(0.9, 1, 14.5, 12, x=x, z=z) for x in (-27.5, -16.5, -5.5, 5.5, 16.5, 27.5) for z in (-4, 4)]
    m.add("columns", cols, stone)
    m.add("side_walls", [slab(x - 1.2, x + 1.2, 1, 14.5, -4, 4) for x in (-27.5, -16.5, -5.5, 5.5, 16.5, 27.5)], stone)
    m.add("entablature", [slab(-32.5, 32.5, 14.5, 18.0, -5.5, 5.5), slab(-33, 33, 18.0, 18.8, -6, 6)], stone)
    m.add("attic", [square_frustum(40, 32, 18.8, 22.0, d0=11, d1=9)], stone)
    copper = m.mat("copper_patina", (0.40, 0.62, 0.52), metallic=0.5, roughness=0.6)
    horses = [slab(-4.0 + i * 2.1 - 0.8, -4.0 + i * 2.1 + 0.8, 22.0, 24.3, -2.0, 2.0) for i in range(4)]
    m.add("quadriga", horses + [slab(-1.5, 1.5, 22.0, 24.0, -3.5, -1.5), cylinder(0.3, 24.0, 26.0, 6, z=-2.5),
                                sphere(0.6, (0, 25.4, -2.5))], copper)


def parthenon(m: Model) -> None:
    """Parthenon, Athens: stylobate, 8 x 17 Doric peristyle, entablature and pediments; 13.7 m."""
    marble = m.main("pentelic_marble", (0.90, 0.86, 0.76), roughness=0.7)
    m.add("stylobate", [slab(-16.5, 16.5, 0, 0.6, -37, 37), slab(-16, 16, 0.6, 1.2, -36.5, 36.5), slab(-15.5, 15.5, 1.2, 1.8, -35.5, 35.5)], marble)
    xs = np.linspace(-14.2, 14.2, 8)
    zs = np.linspace(-34.2, 34.2, 17)
    cols = [frustum(0.95, 0.75, 1.8, 12.2, 10, x=x, z=z) for x in xs for z in (zs[0], zs[-1])]
    cols += [frustum(0.95, 0.75, 1.8, 12.2, 10, x=x, z=z) for x in (xs[0], xs[-1]) for z in zs[1:-1]]
    m.add("peristyle", cols, marble)
    m.add("cella", slab(-10, 10, 1.8, 11.5, -28, 28), m.mat("cella_marble", (0.78, 0.74, 0.65), roughness=0.8))
    m.add("entablature", slab(-15.5, 15.5, 12.2, 13.0, -35.5, 35.5), marble)
    m.add("pediments", [gable_roof(31, 71, 13.0, 0.7, along_z=True)], m.mat("roof_marble", (0.82, 0.78, 0.68)))


def saint_basils_cathedral(m: Model) -> None:
    """Saint Basil's Cathedral, Moscow: brick church with colourful onion domes; 47.5 m."""
    brick = m.main("red_brick", (0.65, 0.22, 0.16), roughness=0.85)
    m.add("base", slab(-24, 24, 0, 8, -24, 24), brick)
    m.add("central_tower", [prism([(9 * math.cos(a), 9 * math.sin(a)) for a in np.linspace(0, 2 * math.pi, 8, endpoint=False)], 8, 26),
                            square_frustum(11, 2.5, 26, 41), cylinder(2.2, 41, 43, 8)], brick)
    m.add("central_dome", dome(2.6, 43, rise=4.5, sections=8, onion=True), m.mat("gold_dome", (0.95, 0.76, 0.32), metallic=1.0, roughness=0.3))
    colours = [("dome_green_stripes", (0.20, 0.55, 0.30)), ("dome_blue_white", (0.25, 0.45, 0.80)),
               ("dome_yellow", (0.95, 0.80, 0.25)), ("dome_red", (0.80, 0.20, 0.18))]
    for k in range(8):
        a = k * math.pi / 4
        r = 15.0 if k % 2 == 0 else 12.0
        x, z = r * math.cos(a), r * math.sin(a)
        top = 24.0 if k % 2 == 0 else 20.0
        m.add(f"chapel_{k + 1}", [cylinder(4.2 if k % 2 == 0 else 3.2, 8, top, 8, x=x, z=z)], brick)
        name, rgb = colours[k % 4]
        rd = 4.6 if k % 2 == 0 else 3.5
        m.add(f"onion_dome_{k + 1}", dome(rd, top, rise=rd * 1.7, sections=12, onion=True, x=x, z=z), m.mat(name, rgb, roughness=0.5))
    m.add("cross", [beam((0, 47.5 - 0.1, 0), (0, 47.5, 0), 0.2)], m.mat("gilding", (0.95, 0.76, 0.32), metallic=1.0, roughness=0.3))


WORLD: tuple[Entry, ...] = (
    Entry("big_ben", "Big Ben (Elizabeth Tower)", 96.0, ("big ben", "elizabeth tower", "clock tower london", "westminster clock tower"), big_ben),
    Entry("tower_bridge", "Tower Bridge", 65.0, ("tower bridge",), tower_bridge),
    Entry("london_eye", "London Eye", 135.0, ("london eye", "millennium wheel"), london_eye),
    Entry("the_shard", "The Shard", 310.0, ("the shard", "shard london bridge", "shard of glass", "shard"), the_shard),
    Entry("colosseum", "Colosseum", 48.0, ("colosseum", "coliseum", "colosseo", "flavian amphitheatre", "flavian amphitheater"), colosseum),
    Entry("trajans_column", "Trajan's Column", 38.0, ("trajans column", "trajan column", "colonna traiana", "column of trajan"), trajans_column),
    Entry("statue_of_liberty", "Statue of Liberty", 93.0, ("statue of liberty", "lady liberty", "liberty enlightening the world", "statue de la liberte"), statue_of_liberty),
    Entry("empire_state_building", "Empire State Building", 443.0, ("empire state building", "empire state"), empire_state_building),
    Entry("brooklyn_bridge", "Brooklyn Bridge", 84.0, ("brooklyn bridge",), brooklyn_bridge),
    Entry("great_pyramid", "Great Pyramid of Giza", 138.5, ("great pyramid", "pyramid of giza", "pyramids of giza", "giza pyramid",
                                                            "pyramid of khufu", "cheops pyramid", "pyramid of cheops", "khufu"), great_pyramid),
    Entry("great_sphinx", "Great Sphinx of Giza", 20.0, ("sphinx", "great sphinx", "sphinx of giza"), great_sphinx),
    Entry("tokyo_tower", "Tokyo Tower", 333.0, ("tokyo tower",), tokyo_tower),
    Entry("tokyo_skytree", "Tokyo Skytree", 634.0, ("tokyo skytree", "skytree", "sky tree"), tokyo_skytree),
    Entry("sensoji_pagoda", "Sensō-ji Five-storey Pagoda", 53.3, ("sensoji", "senso ji", "sensoji pagoda", "senso ji pagoda", "five storey pagoda",
                                                                  "five story pagoda", "five storied pagoda", "pagoda", "asakusa pagoda"), sensoji_pagoda),
    Entry("leaning_tower_of_pisa", "Leaning Tower of Pisa", 56.0, ("leaning tower of pisa", "tower of pisa", "pisa tower", "leaning tower", "torre di pisa"), leaning_tower_of_pisa),
    Entry("taj_mahal", "Taj Mahal", 73.0, ("taj mahal",), taj_mahal),
    Entry("sydney_opera_house", "Sydney Opera House", 65.0, ("sydney opera house", "sydney opera"), sydney_opera_house),
    Entry("burj_khalifa", "Burj Khalifa", 828.0, ("burj khalifa", "burj dubai"), burj_khalifa),
    Entry("space_needle", "Space Needle", 184.0, ("space needle",), space_needle),
    Entry("brandenburg_gate", "Brandenburg Gate", 26.0, ("brandenburg gate", "brandenburger tor"), brandenburg_gate),
    Entry("parthenon", "Parthenon", 13.7, ("parthenon",), parthenon),
    Entry("saint_basils_cathedral", "Saint Basil's Cathedral", 47.5, ("saint basils cathedral", "st basils cathedral", "saint basils", "st basils",
                                                                      "st basil", "saint basil", "cathedral of vasily the blessed"), saint_basils_cathedral),
)
