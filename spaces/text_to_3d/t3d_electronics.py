"""Electronics and lamps at real size (metres): laptop, monitor, phone, lamps, TV, speakers, clocks."""

from __future__ import annotations

import math

import numpy as np
import trimesh

from t3d_shapes import Entry, Model, beam, cylinder, frustum, hexa, slab, sphere

ALU = (0.78, 0.79, 0.82)
BLACK = (0.06, 0.06, 0.07)
SCREEN = (0.10, 0.18, 0.32)


def laptop(m: Model) -> None:
    """Open laptop, 34 x 24 cm, screen tilted back; 24 cm tall."""
    case = m.main("aluminium", ALU, metallic=0.8, roughness=0.35)
    m.add("base", slab(-0.17, 0.17, 0, 0.018, -0.12, 0.12), case)
    m.add("keyboard", slab(-0.15, 0.15, 0.018, 0.02, -0.1, 0.02), m.mat("keys", BLACK))
    tilt = math.radians(15)
    top = (0.0, 0.018 + 0.22 * math.cos(tilt), -0.12 - 0.22 * math.sin(tilt))
    lid = [(-0.17, 0.018, -0.12), (0.17, 0.018, -0.12), (0.17, 0.018, -0.128), (-0.17, 0.018, -0.128)]
    lid += [(x, top[1], top[2] + dz) for x, _, dz in ((-0.17, 0, 0), (0.17, 0, 0), (0.17, 0, -0.008), (-0.17, 0, -0.008))]
    m.add("lid", hexa(lid), case)
    glow = [(-0.155, 0.03, -0.118), (0.155, 0.03, -0.118), (0.155, 0.03, -0.121), (-0.155, 0.03, -0.121)]
    glow += [(x, top[1] - 0.015, top[2] + 0.006 + dz) for x, _, dz in
             ((-0.155, 0, 0), (0.155, 0, 0), (0.155, 0, -0.003), (-0.155, 0, -0.003))]
    m.add("screen", hexa(glow), m.mat("screen", SCREEN, roughness=0.1))


def monitor(m: Model) -> None:
    """Computer monitor on a stand, 60 cm wide, 45 cm tall."""
    black = m.main("plastic", BLACK, roughness=0.5)
    m.add("stand", [slab(-0.12, 0.12, 0, 0.015, -0.1, 0.1), slab(-0.03, 0.03, 0.015, 0.2, -0.06, -0.03)], black)
    m.add("panel", slab(-0.3, 0.3, 0.1, 0.45, -0.03, 0.0), black)
    m.add("screen", slab(-0.29, 0.29, 0.11, 0.44, 0.0, 0.003), m.mat("screen", SCREEN, roughness=0.1))


def phone(m: Model) -> None:
    """Smartphone lying face up, 15 x 7 cm, under 1 cm thick."""
    m.add("body", slab(-0.036, 0.036, 0, 0.008, -0.075, 0.075), m.main("case", BLACK, roughness=0.3))
    m.add("screen", slab(-0.033, 0.033, 0.008, 0.0085, -0.07, 0.07), m.mat("screen", SCREEN, roughness=0.05))


def desk_lamp(m: Model) -> None:
    """Anglepoise desk lamp: round base, two arms and a conical shade; 45 cm."""
    metal = m.main("lamp_metal", (0.15, 0.35, 0.55), metallic=0.5, roughness=0.4)
    m.add("base", cylinder(0.08, 0, 0.025, 12), metal)
    m.add("arms", [beam((0, 0.02, 0), (0.08, 0.25, 0), 0.015), beam((0.08, 0.25, 0), (-0.08, 0.42, 0), 0.015)], metal)
    shade = frustum(0.02, 0.07, 0.0, 0.1, 12)
    shade.apply_transform(_tilt(math.radians(160), (-0.1, 0.44, 0)))
    m.add("shade", shade, metal)
    m.add("bulb", cylinder(0.025, 0.33, 0.35, 8, x=-0.12), m.mat("bulb", (1.0, 0.95, 0.7), roughness=0.1))


def _tilt(angle: float, at: tuple[float, float, float]) -> np.ndarray:
    """(4, 4) rotation about z by ``angle``, then a move to ``at``."""
    rot = trimesh.transformations.rotation_matrix(angle, [0, 0, 1])
    rot[:3, 3] = at
    return rot


def floor_lamp(m: Model) -> None:
    """Floor lamp with a drum shade, 1.6 m."""
    metal = m.mat("brass", (0.8, 0.65, 0.3), metallic=0.9, roughness=0.3)
    m.add("stand", [cylinder(0.15, 0, 0.03, 12), cylinder(0.012, 0.03, 1.4, 8)], metal)
    m.add("shade", frustum(0.22, 0.15, 1.3, 1.6, 12), m.main("shade", (0.95, 0.9, 0.78), roughness=0.9))


def television(m: Model) -> None:
    """Flat-screen TV on a foot, 1.0 m wide, 65 cm tall."""
    black = m.main("plastic", BLACK, roughness=0.4)
    m.add("foot", [slab(-0.2, 0.2, 0, 0.02, -0.12, 0.12), slab(-0.04, 0.04, 0.02, 0.1, -0.03, 0.0)], black)
    m.add("panel", slab(-0.5, 0.5, 0.07, 0.65, -0.025, 0.0), black)
    m.add("screen", slab(-0.48, 0.48, 0.09, 0.63, 0.0, 0.003), m.mat("screen", SCREEN, roughness=0.05))


def keyboard(m: Model) -> None:
    """Computer keyboard, 44 x 14 cm."""
    m.add("case", slab(-0.22, 0.22, 0, 0.02, -0.07, 0.07), m.main("case", (0.2, 0.2, 0.22)))
    m.add("keys", [slab(-0.2, 0.2, 0.02, 0.03, z - 0.01, z + 0.01) for z in (-0.045, -0.02, 0.005, 0.03, 0.055)],
          m.mat("keys", (0.85, 0.85, 0.85)))


def speaker(m: Model) -> None:
    """Bookshelf speaker with two drivers, 30 cm tall."""
    m.add("cabinet", slab(-0.09, 0.09, 0, 0.3, -0.11, 0.11), m.main("wood", (0.3, 0.2, 0.12)))
    m.add("drivers", [beam((0, y, 0.11), (0, y, 0.12), d, sections=12) for y, d in ((0.2, 0.05), (0.1, 0.12))],
          m.mat("cone", BLACK))


def computer(m: Model) -> None:
    """Desktop computer tower, 45 cm tall."""
    m.add("case", slab(-0.1, 0.1, 0, 0.45, -0.22, 0.22), m.main("case", (0.15, 0.15, 0.17), metallic=0.4))
    m.add("front", [slab(-0.08, 0.08, 0.36, 0.4, 0.22, 0.225), cylinder(0.012, 0.3, 0.31, 8, z=0.2)],
          m.mat("front", (0.4, 0.7, 0.9), roughness=0.2))


def clock(m: Model) -> None:
    """Round alarm clock on little feet, 15 cm."""
    m.add("body", beam((0, 0.075, -0.025), (0, 0.075, 0.025), 0.13, sections=16), m.main("case", (0.8, 0.1, 0.1)))
    m.add("face", beam((0, 0.075, 0.025), (0, 0.075, 0.027), 0.11, sections=16), m.mat("face", (0.97, 0.97, 0.95)))
    m.add("hands", [slab(-0.003, 0.003, 0.075, 0.12, 0.027, 0.03), slab(0.0, 0.035, 0.072, 0.078, 0.027, 0.03)],
          m.mat("hands", BLACK))
    m.add("bells", [cylinder(0.025, 0.13, 0.15, 8, x=x) for x in (-0.04, 0.04)] +
          [beam((x, 0.0, 0), (x * 0.7, 0.02, 0), 0.01) for x in (-0.05, 0.05)], m.mat("steel", ALU, metallic=0.8))


def grandfather_clock(m: Model) -> None:
    """Longcase clock, 2.1 m."""
    wood = m.main("wood", (0.36, 0.2, 0.1), roughness=0.6)
    m.add("case", [slab(-0.25, 0.25, 0, 0.4, -0.14, 0.14), slab(-0.18, 0.18, 0.4, 1.5, -0.11, 0.11),
                   slab(-0.25, 0.25, 1.5, 2.0, -0.14, 0.14), slab(-0.27, 0.27, 2.0, 2.1, -0.16, 0.16)], wood)
    m.add("face", beam((0, 1.75, 0.14), (0, 1.75, 0.15), 0.34, sections=16), m.mat("face", (0.95, 0.92, 0.8)))
    m.add("pendulum", [cylinder(0.05, 0.8, 0.82, 12, z=0.11)], m.mat("brass", (0.85, 0.68, 0.3), metallic=0.9))


def globe(m: Model) -> None:
    """Desk globe on a stand, 40 cm."""
    m.add("stand", [cylinder(0.08, 0, 0.02, 12), beam((0, 0.02, 0), (0, 0.1, 0), 0.02)],
          m.mat("wood", (0.36, 0.24, 0.15)))
    m.add("globe", sphere(0.15, (0, 0.25, 0)), m.main("ocean", (0.15, 0.35, 0.7), roughness=0.5))
    m.add("land", [sphere(0.06, (0.1, 0.28 + dy, dz), scale=(0.6, 1.0, 1.0), subdivisions=0)
                   for dy, dz in ((0.05, 0.0), (-0.05, 0.06))], m.mat("land", (0.3, 0.6, 0.25)))


ENTRIES: tuple[Entry, ...] = (
    Entry("laptop", "Laptop", 0.23, ("laptop", "notebook computer", "laptop computer", "macbook"), laptop),
    Entry("monitor", "Monitor", 0.45, ("monitor", "computer monitor", "screen", "display", "computer screen"),
          monitor),
    Entry("phone", "Phone", 0.0085, ("phone", "smartphone", "mobile phone", "cell phone", "mobile", "iphone",
                                     "telephone"), phone),
    Entry("desk_lamp", "Desk lamp", 0.45, ("lamp", "desk lamp", "table lamp", "reading lamp", "anglepoise"),
          desk_lamp),
    Entry("floor_lamp", "Floor lamp", 1.6, ("floor lamp", "standing lamp", "standard lamp"), floor_lamp),
    Entry("television", "Television", 0.65, ("tv", "television", "tv set", "flat screen tv", "telly"),
          television),
    Entry("keyboard", "Keyboard", 0.03, ("keyboard", "computer keyboard"), keyboard),
    Entry("speaker", "Speaker", 0.3, ("speaker", "loudspeaker", "speakers", "hifi speaker"), speaker),
    Entry("computer", "Computer", 0.45, ("computer", "pc", "desktop computer", "computer tower"), computer),
    Entry("clock", "Clock", 0.15, ("clock", "alarm clock", "desk clock"), clock),
    Entry("grandfather_clock", "Grandfather clock", 2.1, ("grandfather clock", "longcase clock",
                                                          "grandmother clock"), grandfather_clock),
    Entry("globe", "Globe", 0.4, ("globe", "desk globe", "world globe", "terrestrial globe"), globe),
)
