"""Playground and farm things at real size (metres): slide, swings, seesaw, barn, silo, hay, fences."""

from __future__ import annotations

import math

from t3d_shapes import Entry, Model, beam, cylinder, dome, frustum, gable_roof, hexa, slab, sphere

STEEL = (0.35, 0.55, 0.75)
RED = (0.85, 0.15, 0.1)
WOOD = (0.55, 0.38, 0.22)


def slide(m: Model) -> None:
    """Playground slide: ladder, platform and chute; 2.2 m tall, 3.5 m long."""
    frame = m.mat("frame", STEEL, metallic=0.6, roughness=0.4)
    m.add("ladder", [beam((-1.4, 0, z), (-1.2, 1.5, z), 0.05) for z in (-0.25, 0.25)] +
          [beam((-1.4 + 0.2 * y / 1.5, y, -0.25), (-1.4 + 0.2 * y / 1.5, y, 0.25), 0.03) for y in (0.3, 0.6, 0.9, 1.2)],
          frame)
    m.add("platform", [slab(-1.2, -0.7, 1.45, 1.5, -0.3, 0.3)] +
          [beam((x, 0, z), (x, 2.2, z), 0.05) for x in (-1.2, -0.7) for z in (-0.3, 0.3)], frame)
    m.add("chute", hexa([(-0.7, 1.5, -0.25), (-0.7, 1.5, 0.25), (-0.7, 1.45, 0.25), (-0.7, 1.45, -0.25),
                         (1.8, 0.3, -0.25), (1.8, 0.3, 0.25), (1.8, 0.25, 0.25), (1.8, 0.25, -0.25)]),
          m.main("chute", (0.95, 0.75, 0.1), roughness=0.4))
    m.add("rails", [beam((-0.7, 1.7, z), (1.8, 0.5, z), 0.04) for z in (-0.27, 0.27)], frame)


def swing_set(m: Model) -> None:
    """Swing set: A-frame ends, top bar, two seats on chains; 2.3 m tall."""
    frame = m.main("frame", STEEL, metallic=0.6, roughness=0.4)
    m.add("frame", [beam((x, 0, sz * 0.8), (x, 2.3, 0), 0.07) for x in (-1.5, 1.5) for sz in (-1, 1)] +
          [beam((-1.55, 2.3, 0), (1.55, 2.3, 0), 0.08)], frame)
    m.add("chains", [beam((x + dx, 2.27, 0), (x + dx, 0.5, 0), 0.015) for x in (-0.7, 0.7) for dx in (-0.2, 0.2)],
          m.mat("chain", (0.6, 0.6, 0.62), metallic=0.8))
    m.add("seats", [slab(x - 0.23, x + 0.23, 0.45, 0.5, -0.1, 0.1) for x in (-0.7, 0.7)], m.mat("seat", RED))


def seesaw(m: Model) -> None:
    """Seesaw: a plank on a pivot with handles, 3.6 m long, 1.0 m tall."""
    m.add("pivot", [slab(-0.15, 0.15, 0, 0.45, -0.2, 0.2)], m.mat("pivot", STEEL, metallic=0.6))
    tilt = math.radians(10)
    ends = [(-1.8 * math.cos(tilt), 0.5 - 1.8 * math.sin(tilt)), (1.8 * math.cos(tilt), 0.5 + 1.8 * math.sin(tilt))]
    m.add("plank", beam((ends[0][0], ends[0][1], 0), (ends[1][0], ends[1][1], 0), 0.25, sections=4),
          m.main("plank", RED, roughness=0.6))
    m.add("handles", [beam((x * 0.85, y * 0.85 + 0.08, 0), (x * 0.85, y * 0.85 + 0.4, 0), 0.04)
                      for x, y in ends], m.mat("handle", (0.1, 0.1, 0.1)))


def sandbox(m: Model) -> None:
    """Sandpit: a wooden frame of sand, 2 x 2 m, 0.3 m tall."""
    wood = m.main("wood", WOOD, roughness=0.9)
    m.add("frame", [slab(-1, 1, 0, 0.3, -1, -0.9), slab(-1, 1, 0, 0.3, 0.9, 1), slab(-1, -0.9, 0, 0.3, -0.9, 0.9),
                    slab(0.9, 1, 0, 0.3, -0.9, 0.9)], wood)
    m.add("sand", slab(-0.9, 0.9, 0, 0.2, -0.9, 0.9), m.mat("sand", (0.9, 0.8, 0.55)))
    m.add("bucket", frustum(0.08, 0.1, 0.2, 0.36, 8, x=0.4, z=0.3), m.mat("bucket", (0.2, 0.4, 0.9)))


def roundabout(m: Model) -> None:
    """Playground roundabout (merry-go-round): disc with handrails, 2 m across, 1 m tall."""
    m.add("disc", cylinder(1.0, 0.15, 0.25, 16), m.main("disc", (0.2, 0.6, 0.3), roughness=0.6))
    m.add("axle", cylinder(0.1, 0, 0.15, 8), m.mat("axle", (0.2, 0.2, 0.2)))
    m.add("rails", [beam((0, 1.0, 0), (0.85 * math.cos(a), 0.25, 0.85 * math.sin(a)), 0.04) for a in
                    [k * math.pi / 2 for k in range(4)]] + [cylinder(0.06, 0.25, 1.0, 8)],
          m.mat("rail", (0.9, 0.8, 0.1), metallic=0.5))


def climbing_frame(m: Model) -> None:
    """Climbing frame (jungle gym): a cube of bars, 2 m."""
    frame = m.main("bars", STEEL, metallic=0.6, roughness=0.4)
    bars = [beam((x, 0, z), (x, 2.0, z), 0.05) for x in (-1, 0, 1) for z in (-1, 0, 1)]
    bars += [beam((-1, y, z), (1, y, z), 0.04) for y in (0.7, 1.35, 2.0) for z in (-1, 0, 1)]
    bars += [beam((x, y, -1), (x, y, 1), 0.04) for y in (0.7, 1.35, 2.0) for x in (-1, 0, 1)]
    m.add("bars", bars, frame)


def barn(m: Model) -> None:
    """Red barn with a gable roof and big doors, 8 m."""
    m.add("walls", slab(-6, 6, 0, 5, -4, 4), m.main("barn_red", (0.65, 0.12, 0.1), roughness=0.9))
    m.add("roof", gable_roof(12.6, 8.8, 5, 3, along_z=True), m.mat("roof", (0.3, 0.3, 0.32)))
    m.add("doors", [slab(-1.8, 1.8, 0, 3.8, 4.0, 4.1)], m.mat("doors", (0.95, 0.93, 0.88)))
    m.add("loft", slab(-0.8, 0.8, 4.6, 6.0, 4.0, 4.1), m.mat("opening", (0.1, 0.08, 0.07)))


def silo(m: Model) -> None:
    """Grain silo with a domed top, 12 m."""
    m.add("silo", cylinder(2.2, 0, 10, 16), m.main("silo", (0.8, 0.82, 0.85), metallic=0.5, roughness=0.4))
    m.add("dome", dome(2.3, 10, rise=2.0, sections=16, rings=4), m.mat("dome", (0.6, 0.62, 0.65), metallic=0.6))
    m.add("ladder", [beam((2.25, 0.5, z), (2.25, 10, z), 0.05) for z in (-0.2, 0.2)], m.mat("ladder", (0.3, 0.3, 0.3)))


def hay_bale(m: Model) -> None:
    """Round hay bale lying on its side, 1.5 m across."""
    m.add("bale", beam((0, 0.75, -0.6), (0, 0.75, 0.6), 1.5, sections=14), m.main("hay", (0.88, 0.76, 0.38), roughness=1.0))


def fence(m: Model) -> None:
    """Wooden fence section: posts and three rails, 3 m long, 1.2 m tall."""
    wood = m.main("wood", (0.6, 0.45, 0.3), roughness=0.9)
    m.add("posts", [slab(x - 0.06, x + 0.06, 0, 1.2, -0.06, 0.06) for x in (-1.5, 0, 1.5)], wood)
    m.add("rails", [slab(-1.55, 1.55, y, y + 0.1, 0.06, 0.09) for y in (0.3, 0.65, 1.0)], wood)


def scarecrow(m: Model) -> None:
    """Scarecrow on a pole: straw body, outstretched arms, hat; 1.9 m."""
    m.add("pole", [beam((0, 0, 0), (0, 1.6, 0), 0.06), beam((-0.8, 1.3, 0), (0.8, 1.3, 0), 0.05)],
          m.mat("pole", WOOD))
    m.add("shirt", [slab(-0.25, 0.25, 0.8, 1.4, -0.12, 0.12), slab(-0.75, 0.75, 1.22, 1.38, -0.08, 0.08)],
          m.main("shirt", (0.3, 0.45, 0.7), roughness=0.95))
    m.add("head", sphere(0.14, (0, 1.55, 0)), m.mat("sack", (0.85, 0.75, 0.5)))
    m.add("hat", [cylinder(0.25, 1.64, 1.67, 10), frustum(0.13, 0.1, 1.67, 1.9, 10)], m.mat("hat", (0.35, 0.25, 0.15)))


def well(m: Model) -> None:
    """Stone well with a little roof and a bucket, 2.5 m."""
    m.add("wall", cylinder(0.8, 0, 0.8, 12), m.main("stone", (0.65, 0.63, 0.6), roughness=0.95))
    wood = m.mat("wood", WOOD)
    m.add("posts", [beam((x, 0.8, 0), (x, 2.0, 0), 0.1) for x in (-0.7, 0.7)] + [beam((-0.8, 1.5, 0), (0.8, 1.5, 0), 0.08)],
          wood)
    m.add("roof", gable_roof(1.9, 1.3, 1.95, 0.55, along_z=False), m.mat("roof", (0.55, 0.2, 0.15)))
    m.add("bucket", frustum(0.12, 0.15, 0.9, 1.15, 8), m.mat("bucket", (0.4, 0.3, 0.2)))


def trough(m: Model) -> None:
    """Water trough, 2 m long, 0.6 m tall."""
    m.add("trough", [slab(-1, 1, 0, 0.1, -0.3, 0.3), slab(-1, 1, 0.1, 0.6, -0.3, -0.25), slab(-1, 1, 0.1, 0.6, 0.25, 0.3),
                     slab(-1, -0.95, 0.1, 0.6, -0.25, 0.25), slab(0.95, 1, 0.1, 0.6, -0.25, 0.25)],
          m.main("trough", (0.5, 0.52, 0.55), metallic=0.5))
    m.add("water", slab(-0.95, 0.95, 0.1, 0.5, -0.25, 0.25), m.mat("water", (0.35, 0.55, 0.75), roughness=0.05))


ENTRIES: tuple[Entry, ...] = (
    Entry("slide", "Slide", 2.2, ("slide", "playground slide", "slides", "water slide"), slide),
    Entry("swing_set", "Swing set", 2.3, ("swing", "swings", "swing set", "swingset"), swing_set),
    Entry("seesaw", "Seesaw", 1.0, ("seesaw", "see saw", "teeter totter"), seesaw),
    Entry("sandbox", "Sandbox", 0.36, ("sandbox", "sandpit", "sand pit", "sand box"), sandbox),
    Entry("roundabout", "Roundabout", 1.0, ("roundabout", "merry go round", "carousel", "merrygoround"), roundabout),
    Entry("climbing_frame", "Climbing frame", 2.0, ("climbing frame", "jungle gym", "monkey bars", "climber"),
          climbing_frame),
    Entry("barn", "Barn", 8.0, ("barn", "red barn", "stable", "shed"), barn),
    Entry("silo", "Silo", 12.0, ("silo", "grain silo"), silo),
    Entry("hay_bale", "Hay bale", 1.5, ("hay bale", "haystack", "hay", "straw bale", "bale"), hay_bale),
    Entry("fence", "Fence", 1.2, ("fence", "fencing", "picket fence", "paddock"), fence),
    Entry("scarecrow", "Scarecrow", 1.9, ("scarecrow",), scarecrow),
    Entry("well", "Well", 2.5, ("well", "wishing well", "water well"), well),
    Entry("trough", "Trough", 0.6, ("trough", "water trough", "feeding trough"), trough),
)
