"""Builders for the eight Paris landmarks, at real size (metres, +Y up)."""

from __future__ import annotations

import math

import numpy as np

from t3d_shapes import (Entry, Model, arch_wall, beam, box, cylinder, dome, frustum, gable_roof,
                        hexa, lattice, sails, slab, square_frustum)

STONE = (0.86, 0.81, 0.70)
LEAD = (0.42, 0.46, 0.52)
DARK = (0.12, 0.11, 0.11)


def eiffel_tower(m: Model) -> None:
    """330 m: four splayed lattice legs, two platforms, tapering top, antenna."""
    iron = m.main("puddle_iron_brown", (0.45, 0.34, 0.25), metallic=0.4, roughness=0.6)
    deck = m.mat("platform_brown", (0.36, 0.27, 0.20), metallic=0.3, roughness=0.7)
    # leg centre (x = z) and half width at ground, first and second platform
    path = [(0.0, 49.0, 12.0), (57.6, 29.0, 7.5), (115.7, 12.5, 4.5)]
    for name, (sx, sz) in {"leg_ne": (1, -1), "leg_nw": (-1, -1), "leg_se": (1, 1), "leg_sw": (-1, 1)}.items():
        meshes = []
        for (y0, c0, h0), (y1, c1, h1) in zip(path[:-1], path[1:]):
            corners0 = [(sx * c0 + a * h0, y0, sz * c0 + b * h0) for a, b in ((1, 1), (1, -1), (-1, -1), (-1, 1))]
            corners1 = [(sx * c1 + a * h1, y1, sz * c1 + b * h1) for a, b in ((1, 1), (1, -1), (-1, -1), (-1, 1))]
            for i in range(4):
                j = (i + 1) % 4
                meshes.append(beam(corners0[i], corners1[i], 2.4, 1.8))
                meshes.append(beam(corners0[i], corners1[j], 0.9))
                meshes.append(beam(corners0[j], corners1[i], 0.9))
        m.add(name, meshes, iron)
    arches = []
    for side in range(4):
        pts = []
        for t in np.linspace(0, math.pi, 9):
            u = -math.cos(t) * 37.0
            pts.append((u, 22.0 + 28.0 * math.sin(t)))
        for (u0, y0), (u1, y1) in zip(pts[:-1], pts[1:]):
            a, b = np.array([u0, y0, 38.0]), np.array([u1, y1, 38.0])
            if side % 2:
                a, b = a[[2, 1, 0]], b[[2, 1, 0]]
            if side >= 2:
                a, b = a * (-1, 1, -1), b * (-1, 1, -1)
            arches.append(beam(a, b, 1.6))
    m.add("arches", arches, iron)
    ring = [slab(-36, 36, 54.0, 58.5, 24, 36), slab(-36, 36, 54.0, 58.5, -36, -24),
            slab(-36, -24, 54.0, 58.5, -24, 24), slab(24, 36, 54.0, 58.5, -24, 24)]
    m.add("platform_1", ring, deck)
    m.add("platform_2", box((26, 3.5, 26), (0, 115.7, 0)), deck)
    upper = [(115.7, 10.5), (150.0, 8.0), (190.0, 6.2), (235.0, 4.8), (276.0, 3.6)]
    m.add("upper_tower", lattice(upper, 1.8), iron)
    m.add("top_platform", [box((10, 3, 10), (0, 277.5, 0)), square_frustum(7, 4, 279, 286)], deck)
    m.add("spire", [frustum(1.6, 1.0, 286, 300, 8), frustum(1.0, 0.25, 300, 330, 8)],
          m.mat("antenna_grey", (0.55, 0.55, 0.55), metallic=0.6, roughness=0.5))


def louvre_pyramid(m: Model) -> None:
    """21.6 m glass pyramid on a 35.4 m square base, steel frame."""
    base, h = 35.4, 21.6
    glass = m.main("glass", (0.62, 0.78, 0.90), metallic=0.1, roughness=0.05, alpha=0.35)
    steel = m.mat("steel_frame", (0.62, 0.64, 0.68), metallic=0.9, roughness=0.35)
    m.add("glass", square_frustum(base, 0, 0, h), glass)
    half, apex = base / 2, np.array([0.0, h, 0.0])
    corners = [np.array([sx * half, 0.0, sz * half]) for sx, sz in ((1, 1), (1, -1), (-1, -1), (-1, 1))]
    frame = []
    out = 0.12  # keep bars just outside the glass
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        frame.append(beam(a * 1.004, apex + (0, 0.05, 0), 0.45, 0.2))
        for t in np.linspace(0.15, 0.85, 5):
            foot = a + (b - a) * t
            normal = (foot * (1, 0, 1)) / np.linalg.norm(foot * (1, 0, 1))
            frame.append(beam(foot + normal * out, apex + normal * out * 0.1, 0.16, 0.1))
        for k in range(7):
            f = k / 7
            y = h * f
            pa = a * (1 - f) + (0, y, 0)
            pb = b * (1 - f) + (0, y, 0)
            n = (pa + pb) * (1, 0, 1)
            n = n / np.linalg.norm(n) * out
            frame.append(beam(pa + n + (0, 0.08, 0), pb + n + (0, 0.08, 0), 0.22 if k == 0 else 0.12))
    m.add("frame", frame, steel)


def arc_de_triomphe(m: Model) -> None:
    """50 m tall, 45 m wide, 22 m deep; main arch through z, side arches through x."""
    stone = m.main("limestone", (0.87, 0.83, 0.73), roughness=0.85)
    relief = m.mat("relief_stone", (0.74, 0.70, 0.60), roughness=0.9)
    piers = []
    for sx in (-1, 1):
        piers += arch_wall(22.0, 15.2, 0.0, 21.9, 8.4, 14.5, x=sx * 14.9, along_x=False)
    m.add("piers", piers, stone)
    m.add("main_arch", arch_wall(45.0, 22.0, 21.9, 36.5, 14.6, 21.9, piers=False, segments=12), stone)
    m.add("cornice", box((46.5, 2.0, 23.5), (0, 37.5, 0)), stone)
    m.add("attic", [box((44.5, 9.0, 21.5), (0, 43.0, 0)), box((45.5, 1.5, 22.5), (0, 48.25, 0)),
                    box((45.0, 0.5, 22.0), (0, 49.75, 0))], stone)
    reliefs = []
    for sx in (-1, 1):
        for sz in (-1, 1):
            reliefs.append(box((7.0, 11.0, 0.8), (sx * 15.0, 10.0, sz * 11.2)))
            reliefs.append(box((11.0, 3.0, 0.6), (sx * 15.0, 28.5, sz * 11.2)))
    m.add("reliefs", reliefs, relief)


def notre_dame(m: Model) -> None:
    """Two 69 m west towers, nave and transept with lead roofs, 96 m crossing spire."""
    stone = m.main("limestone", (0.80, 0.75, 0.64), roughness=0.9)
    lead = m.mat("lead_roof", LEAD, metallic=0.5, roughness=0.6)
    m.add("facade", [slab(-20.5, 20.5, 0, 43, 50, 60), slab(-5.5, 5.5, 43, 46, 51, 59)], stone)
    m.add("tower_north", [slab(-20.5, -5.5, 43, 67.5, 50, 60), slab(-21, -5, 67.5, 69, 49.5, 60.5)], stone)
    m.add("tower_south", [slab(5.5, 20.5, 43, 67.5, 50, 60), slab(5, 21, 67.5, 69, 49.5, 60.5)], stone)
    m.add("rose_window", beam((0, 30, 60), (0, 30, 60.5), 9.6, sections=16),
          m.mat("stained_glass", (0.22, 0.28, 0.55), metallic=0.2, roughness=0.3))
    portals = [slab(x - 3.5, x + 3.5, 0, 11, 59.7, 60.4) for x in (-13, 0, 13)]
    portals += [gable_roof(7, 0.7, 11, 4, x=x, z=60.05, along_z=False) for x in (-13, 0, 13)]
    m.add("portals", portals, m.mat("portal_shadow", DARK))
    m.add("nave", [slab(-6.5, 6.5, 0, 33, -60, 50), slab(-20, -6.5, 0, 20, -56, 50), slab(6.5, 20, 0, 20, -56, 50),
                   cylinder(6.5, 0, 33, 12, z=-60), cylinder(13.5, 0, 20, 12, z=-56)], stone)
    m.add("transept", slab(-24, 24, 0, 33, -6, 8), stone)
    m.add("roofs", [gable_roof(13.5, 110, 33, 10, z=-5), gable_roof(48.5, 14, 33, 10, z=1, along_z=False),
                    frustum(6.8, 0.5, 33, 43, 12, z=-60), frustum(13.8, 7.0, 20, 25, 12, z=-56),
                    gable_roof(14, 106, 20, 4, x=-13.3, z=-3), gable_roof(14, 106, 20, 4, x=13.3, z=-3)], lead)
    buttresses = []
    for sx in (-1, 1):
        for z in np.linspace(-48, 42, 7):
            buttresses.append(box((2.0, 22.0, 2.0), (sx * 21.0, 11.0, z)))
            buttresses.append(beam((sx * 21.0, 21.0, z), (sx * 7.0, 29.0, z), 1.2))
    m.add("flying_buttresses", buttresses, stone)
    m.add("spire", [frustum(3.5, 3.0, 42, 55, 8, z=1), frustum(3.0, 0.0, 55, 96, 8, z=1)], lead)


def sacre_coeur(m: Model) -> None:
    """White Romano-Byzantine basilica: 83 m main dome, four small domes, campanile."""
    white = m.main("travertine_white", (0.95, 0.94, 0.90), roughness=0.7)
    m.add("nave", [slab(-17, 17, 0, 30, -38, 28), cylinder(14, 0, 30, 16, z=-38)], white)
    m.add("portico", [slab(-15, 15, 0, 20, 28, 36), gable_roof(30, 8, 20, 4, z=32, along_z=False)], white)
    m.add("portal_arches", [slab(x - 2.5, x + 2.5, 0, 11, 35.8, 36.3) for x in (-8, 0, 8)], m.mat("portal_shadow", DARK))
    m.add("main_drum", [cylinder(10.5, 30, 36, 16, z=-6), cylinder(9, 36, 50, 16, z=-6)], white)
    m.add("main_dome", dome(9.8, 50, rise=19, sections=16, z=-6), white)
    m.add("lantern", [cylinder(2.6, 69, 76, 8, z=-6), dome(2.9, 76, rise=3.5, sections=8, z=-6),
                      frustum(0.5, 0.1, 79.5, 83, 6, z=-6)], white)
    small = []
    for x, z, y in ((-13, 15, 30), (13, 15, 30), (-13, -26, 30), (13, -26, 30), (-11, 32, 20), (11, 32, 20)):
        small += [cylinder(3.6, y, y + 6, 12, x=x, z=z), dome(3.8, y + 6, rise=5.5, sections=12, x=x, z=z),
                  cylinder(0.9, y + 11.5, y + 14, 6, x=x, z=z), frustum(0.9, 0, y + 14, y + 16, 6, x=x, z=z)]
    m.add("small_domes", small, white)
    m.add("campanile", [slab(-5, 5, 0, 58, -62, -52), cylinder(4.2, 58, 64, 12, z=-57),
                        dome(4.4, 64, rise=7, sections=12, z=-57), frustum(0.6, 0, 71, 76, 6, z=-57)], white)


def pantheon(m: Model) -> None:
    """Paris Panthéon: Greek-cross body, columned portico with pediment, drum, dome; 83 m."""
    stone = m.main("limestone", (0.88, 0.84, 0.74), roughness=0.85)
    m.add("body", [slab(-20, 20, 0, 28, -55, 30), slab(-42, 42, 0, 28, -22, 8), slab(-21, 21, 27, 29, -56, 31)], stone)
    cols = [cylinder(1.0, 1.5, 19, 10, x=x, z=z) for x in np.linspace(-18, 18, 6) for z in (43.0, 38.0)]
    cols += [cylinder(1.0, 1.5, 19, 10, x=x, z=33.0) for x in (-18, 18)]
    m.add("portico_columns", cols, stone)
    m.add("portico", [slab(-21, 21, 0, 1.5, 30, 45), slab(-21, 21, 19, 22, 30, 45),
                      gable_roof(42, 15, 22, 7.5, z=37.5, along_z=True)], stone)
    m.add("dome_base", slab(-17, 17, 28, 34, -24, 10), stone)
    drum_cols = [cylinder(0.8, 34, 49, 8, x=15 * math.cos(a), z=-7 + 15 * math.sin(a))
                 for a in np.linspace(0, 2 * math.pi, 24, endpoint=False)]
    m.add("drum_colonnade", drum_cols, stone)
    m.add("drum", [cylinder(16, 33.5, 34.5, 24, z=-7), cylinder(12.5, 34, 55, 24, z=-7),
                   cylinder(16, 49, 51, 24, z=-7), cylinder(13.2, 51, 55, 24, z=-7)], stone)
    m.add("dome", dome(13.2, 55, rise=15, sections=24, rings=6, z=-7),
          m.mat("dome_lead", (0.60, 0.62, 0.64), metallic=0.4, roughness=0.55))
    m.add("lantern", [cylinder(2.8, 70, 76.5, 8, z=-7), dome(3.0, 76.5, rise=3, sections=8, z=-7),
                      frustum(0.4, 0.1, 79.5, 83, 6, z=-7)], stone)


def luxor_obelisk(m: Model) -> None:
    """22.8 m pink granite obelisk, 2.5 m square base, gilded pyramidion."""
    granite = m.main("pink_granite", (0.78, 0.56, 0.50), roughness=0.6)
    m.add("shaft", square_frustum(2.5, 1.6, 0, 21.3), granite)
    m.add("pyramidion", square_frustum(1.6, 0, 21.3, 22.83),
          m.mat("gilding", (0.95, 0.76, 0.32), metallic=1.0, roughness=0.3))
    glyphs = []
    for k in range(4):  # one incised column of hieroglyphs per face, following the taper
        a = k * math.pi / 2
        c, s = math.cos(a), math.sin(a)
        corners = []
        for y in (1.0, 20.5):
            w = 1.25 - 0.45 * y / 21.3  # half width of the shaft at y
            for n, t in ((w - 0.03, -0.25), (w + 0.02, -0.25), (w + 0.02, 0.25), (w - 0.03, 0.25)):
                corners.append((c * n - s * t, y, s * n + c * t))
        glyphs.append(hexa(corners))
    m.add("hieroglyphs", glyphs, m.mat("incised_granite", (0.55, 0.36, 0.32), roughness=0.8))


def moulin_rouge(m: Model) -> None:
    """Red cabaret building with its red windmill (body, cap, four sails) on the roof."""
    red = m.main("moulin_red", (0.75, 0.08, 0.08), roughness=0.6)
    dark = m.mat("roof_dark", (0.15, 0.10, 0.10), roughness=0.8)
    m.add("building", [slab(-18, 18, 0, 10, -8, 8), slab(-18.5, 18.5, 10, 10.6, -8.5, 8.5)], red)
    m.add("doors", [slab(x - 2, x + 2, 0, 4, 7.9, 8.2) for x in (-12, 0, 12)], dark)
    m.add("sign", slab(-6, 14, 6, 8.5, 8.0, 8.6),
          m.mat("sign_yellow", (0.98, 0.82, 0.25), roughness=0.4))
    m.add("windmill_body", [frustum(3.4, 2.7, 10.6, 19, 8, x=-10, z=1), frustum(3.0, 2.9, 10.6, 11.4, 8, x=-10, z=1)], red)
    m.add("windmill_cap", frustum(3.2, 0.0, 19, 22.5, 8, x=-10, z=1), dark)
    hub = np.array([-10.0, 18.0, 4.7])
    m.add("sails", sails(hub, 8.0, math.radians(20)), m.mat("sail_white", (0.92, 0.90, 0.86), roughness=0.7))


PARIS: tuple[Entry, ...] = (
    Entry("eiffel_tower", "Eiffel Tower", 330.0, ("eiffel tower", "tour eiffel", "eiffel"), eiffel_tower),
    Entry("louvre_pyramid", "Louvre Pyramid", 21.6,
          ("louvre pyramid", "pyramide du louvre", "louvre", "pyramid of the louvre"), louvre_pyramid),
    Entry("arc_de_triomphe", "Arc de Triomphe", 50.0,
          ("arc de triomphe", "arc de triomphe de letoile", "arch of triumph", "triumphal arch", "arc de triumph"),
          arc_de_triomphe),
    Entry("notre_dame", "Notre-Dame de Paris", 96.0,
          ("notre dame", "notre dame de paris", "notre dame cathedral", "notredame"), notre_dame),
    Entry("sacre_coeur", "Sacré-Cœur", 83.0,
          ("sacre coeur", "sacre coeur basilica", "basilique du sacre coeur", "sacred heart basilica",
           "sacre cur", "sacre caeur", "sacrecoeur"), sacre_coeur),
    Entry("pantheon", "Panthéon", 83.0, ("pantheon", "pantheon paris", "pantheon de paris"), pantheon),
    Entry("luxor_obelisk", "Luxor Obelisk", 22.83,
          ("luxor obelisk", "obelisque de louxor", "obelisk of luxor", "concorde obelisk",
           "obelisque de la concorde", "louxor obelisk", "obelisque"), luxor_obelisk),
    Entry("moulin_rouge", "Moulin Rouge", 26.0, ("moulin rouge",), moulin_rouge),
)
