"""Vehicles at real size (metres): steam locomotive, bus, truck, bicycle, tractor, aircraft, carts."""

from __future__ import annotations

import math

from t3d_shapes import Entry, Model, beam, cylinder, dome, frustum, hexa, lathe, slab, sphere

TYRE = (0.05, 0.05, 0.05)
GLASS = (0.10, 0.14, 0.20)
IRON = (0.12, 0.12, 0.13)


def _wheels(m: Model, xs: tuple[float, ...], z: float, diameter: float, width: float, name: str = "wheels",
            rgb: tuple[float, float, float] = TYRE) -> None:
    """Pairs of wheels (axles along z) at each x, their centres at the wheel radius."""
    r = diameter / 2
    m.add(name, [beam((x, r, sz * z - width / 2), (x, r, sz * z + width / 2), diameter, sections=12)
                 for x in xs for sz in (-1, 1)], m.mat(name, rgb, roughness=0.9))


def steam_locomotive(m: Model) -> None:
    """Steam locomotive: boiler, smokestack, dome, cab, six driving wheels; 12 m long, 4.2 m tall."""
    paint = m.main("loco_paint", (0.10, 0.25, 0.15), metallic=0.3, roughness=0.5)
    black = m.mat("iron_black", IRON, metallic=0.6, roughness=0.5)
    m.add("frame", slab(-6.0, 6.0, 0.9, 1.3, -1.2, 1.2), black)
    m.add("boiler", beam((-2.0, 2.3, 0), (5.2, 2.3, 0), 2.0, sections=16), paint)
    m.add("smokebox", beam((5.2, 2.3, 0), (5.8, 2.3, 0), 2.05, sections=16), black)
    m.add("smokestack", [cylinder(0.3, 3.2, 4.0, 10, x=4.9), frustum(0.3, 0.45, 4.0, 4.2, 10, x=4.9)], black)
    m.add("dome", [cylinder(0.35, 3.1, 3.5, 10, x=2.0), dome(0.35, 3.5, sections=10, rings=3, x=2.0)],
          m.mat("brass", (0.85, 0.65, 0.3), metallic=0.9, roughness=0.3))
    m.add("cab", [slab(-4.5, -2.0, 1.3, 3.6, -1.3, 1.3), slab(-4.7, -1.8, 3.6, 3.8, -1.45, 1.45)], paint)
    m.add("cab_windows", [slab(-2.02, -1.98, 2.6, 3.3, z - 0.4, z + 0.4) for z in (-0.75, 0.75)],
          m.mat("glass", GLASS, roughness=0.1))
    m.add("tender", slab(-6.0, -4.6, 1.3, 2.8, -1.2, 1.2), paint)
    _wheels(m, (-1.4, 0.4, 2.2), 1.1, 1.5, 0.15, "driving_wheels", (0.6, 0.1, 0.1))
    _wheels(m, (4.2, -5.4), 1.1, 0.8, 0.15, "small_wheels", IRON)
    m.add("cowcatcher", hexa([(5.8, 0.1, -1.2), (6.5, 0.1, -1.2), (6.5, 0.1, 1.2), (5.8, 0.1, 1.2),
                              (5.8, 1.0, -1.0), (5.9, 1.0, -1.0), (5.9, 1.0, 1.0), (5.8, 1.0, 1.0)]), black)
    m.add("lamp", cylinder(0.2, 3.3, 3.6, 8, x=5.6), m.mat("lamp", (1.0, 0.92, 0.6), roughness=0.1))


def bus(m: Model) -> None:
    """City bus: 12 m long, 2.5 m wide, 3.0 m tall."""
    paint = m.main("bus_paint", (0.90, 0.75, 0.10), roughness=0.5)
    m.add("body", slab(-6.0, 6.0, 0.35, 3.0, -1.25, 1.25), paint)
    m.add("windows", [slab(-5.6, 5.6, 1.6, 2.6, -1.27, 1.27), slab(5.98, 6.02, 1.2, 2.7, -1.1, 1.1)],
          m.mat("glass", GLASS, roughness=0.1))
    _wheels(m, (-3.8, 3.8), 1.0, 1.0, 0.3)


def truck(m: Model) -> None:
    """Box truck: cab and cargo box, 7 m long, 3.2 m tall."""
    paint = m.main("cab_paint", (0.15, 0.35, 0.70), roughness=0.4)
    m.add("cab", [slab(2.0, 3.5, 0.5, 2.6, -1.2, 1.2)], paint)
    m.add("windscreen", slab(3.5, 3.52, 1.6, 2.4, -1.1, 1.1), m.mat("glass", GLASS, roughness=0.1))
    m.add("box", slab(-3.5, 1.9, 0.6, 3.2, -1.25, 1.25), m.mat("box", (0.92, 0.92, 0.9)))
    m.add("chassis", slab(-3.5, 3.5, 0.4, 0.6, -0.9, 0.9), m.mat("chassis", IRON))
    _wheels(m, (-2.4, -1.4, 2.6), 1.0, 1.0, 0.3)


def bicycle(m: Model) -> None:
    """Bicycle: two wheels, diamond frame, saddle and handlebars; 1.75 m long, 1.05 m tall."""
    frame = m.main("frame_paint", (0.8, 0.15, 0.1), metallic=0.5, roughness=0.4)
    r = 0.34
    rims = []
    for x in (-0.55, 0.55):
        for k in range(12):
            a0, a1 = k * math.pi / 6, (k + 1) * math.pi / 6
            rims.append(beam((x + r * math.cos(a0), r + r * math.sin(a0), 0), (x + r * math.cos(a1), r + r * math.sin(a1), 0),
                             0.04))
    m.add("wheels", rims, m.mat("tyre", TYRE))
    crank, seat, head = (0.0, 0.32, 0), (-0.15, 0.85, 0), (0.4, 0.85, 0)
    m.add("frame", [beam((-0.55, r, 0), crank, 0.03), beam(crank, seat, 0.035), beam(seat, head, 0.035),
                    beam(crank, head, 0.04), beam((-0.55, r, 0), seat, 0.025), beam(head, (0.55, r, 0), 0.03)], frame)
    black = m.mat("black", (0.08, 0.08, 0.08))
    m.add("saddle", slab(-0.25, -0.05, 0.87, 0.92, -0.07, 0.07), black)
    m.add("handlebar", [beam(head, (0.38, 1.0, 0), 0.03), beam((0.38, 1.0, -0.28), (0.38, 1.0, 0.28), 0.03)], black)


def motorcycle(m: Model) -> None:
    """Motorcycle: 2.1 m long, 1.15 m tall."""
    paint = m.main("paint", (0.1, 0.1, 0.12), metallic=0.6, roughness=0.3)
    _wheels(m, (-0.72, 0.72), 0.0, 0.64, 0.14)
    m.add("body", [hexa([(-0.5, 0.45, -0.15), (0.5, 0.45, -0.15), (0.5, 0.45, 0.15), (-0.5, 0.45, 0.15),
                         (-0.4, 0.95, -0.16), (0.45, 0.95, -0.16), (0.45, 0.95, 0.16), (-0.4, 0.95, 0.16)])], paint)
    m.add("seat", slab(-0.75, -0.1, 0.9, 0.98, -0.15, 0.15), m.mat("seat", (0.05, 0.05, 0.05)))
    steel = m.mat("chrome", (0.8, 0.8, 0.82), metallic=0.9, roughness=0.2)
    m.add("fork", [beam((0.72, 0.32, 0), (0.55, 1.05, 0), 0.05), beam((0.55, 1.05, -0.35), (0.55, 1.05, 0.35), 0.03),
                   beam((-0.72, 0.32, 0), (-0.2, 0.5, 0), 0.05)], steel)


def tractor(m: Model) -> None:
    """Farm tractor: big rear wheels, bonnet and cab; 3.5 m long, 2.8 m tall."""
    paint = m.main("tractor_paint", (0.85, 0.15, 0.10), roughness=0.5)
    m.add("bonnet", slab(-0.2, 1.8, 0.7, 1.6, -0.5, 0.5), paint)
    m.add("cab", [slab(-1.3, -0.2, 1.0, 1.3, -0.7, 0.7)] +
          [slab(x - 0.05, x + 0.05, 1.3, 2.7, z - 0.05, z + 0.05) for x in (-1.25, -0.25) for z in (-0.65, 0.65)] +
          [slab(-1.35, -0.15, 2.7, 2.8, -0.75, 0.75)], paint)
    m.add("exhaust", cylinder(0.05, 1.6, 2.4, 6, x=1.4, z=0.3), m.mat("exhaust", IRON))
    m.add("rear_wheels", [beam((-0.8, 0.8, sz * 0.75), (-0.8, 0.8, sz * 1.2), 1.6, sections=12) for sz in (-1, 1)],
          m.mat("tyre", TYRE))
    m.add("front_wheels", [beam((1.4, 0.45, sz * 0.55), (1.4, 0.45, sz * 0.85), 0.9, sections=12) for sz in (-1, 1)],
          m.mat("tyre", TYRE))


def airplane(m: Model) -> None:
    """Light propeller aircraft: 8 m long, 11 m wingspan, 2.7 m tall."""
    paint = m.main("paint", (0.93, 0.93, 0.95), roughness=0.4)
    m.add("fuselage", beam((3.0, 1.4, 0), (-4.0, 1.6, 0), 1.3, 0.35, sections=8), paint)
    m.add("wings", [slab(0.2, 1.6, 1.75, 1.85, -5.5, 5.5), slab(-4.0, -3.2, 1.6, 1.68, -1.8, 1.8)], paint)
    m.add("fin", hexa([(-4.0, 1.6, -0.05), (-3.0, 1.6, -0.05), (-3.0, 1.6, 0.05), (-4.0, 1.6, 0.05),
                       (-4.1, 2.7, -0.04), (-3.7, 2.7, -0.04), (-3.7, 2.7, 0.04), (-4.1, 2.7, 0.04)]),
          m.mat("trim", (0.8, 0.1, 0.1)))
    m.add("propeller", [slab(3.05, 3.1, 0.35, 2.45, -0.08, 0.08), cylinder(0.12, 1.3, 1.5, 8, x=3.1)],
          m.mat("prop", IRON))
    m.add("gear", [beam((1.0, 0.8, sz * 0.8), (1.0, 0.2, sz * 0.8), 0.08) for sz in (-1, 1)] +
          [beam((1.0, 0.2, sz * 0.8 - 0.08), (1.0, 0.2, sz * 0.8 + 0.08), 0.4, sections=10) for sz in (-1, 1)],
          m.mat("tyre", TYRE))


def rocket(m: Model) -> None:
    """Space rocket with fins and a nose cone, 30 m."""
    paint = m.main("paint", (0.95, 0.95, 0.95), roughness=0.4)
    m.add("body", [cylinder(1.5, 2.0, 22.0, 16)], paint)
    m.add("nose", lathe([(1.5, 22.0), (1.2, 25.5), (0.6, 28.5), (0.0, 30.0)], 16), m.mat("nose", (0.85, 0.1, 0.1)))
    m.add("fins", [hexa([(1.2 * c, 0.0, 1.2 * s), (3.5 * c, 0.0, 3.5 * s), (3.5 * c + 0.15 * -s, 0.0, 3.5 * s + 0.15 * c),
                         (1.2 * c - 0.15 * s, 0.0, 1.2 * s + 0.15 * c),
                         (1.2 * c, 7.0, 1.2 * s), (1.5 * c, 6.0, 1.5 * s), (1.5 * c - 0.15 * s, 6.0, 1.5 * s + 0.15 * c),
                         (1.2 * c - 0.15 * s, 7.0, 1.2 * s + 0.15 * c)])
                   for a in (0.0, math.pi / 2, math.pi, 3 * math.pi / 2) for c, s in [(math.cos(a), math.sin(a))]],
          m.mat("fins", (0.85, 0.1, 0.1)))
    m.add("nozzle", frustum(0.8, 1.3, 2.0, 0.0, 12), m.mat("nozzle", IRON, metallic=0.8))


def helicopter(m: Model) -> None:
    """Helicopter: cabin, tail boom, rotors and skids; 12 m long, 3.8 m tall."""
    paint = m.main("paint", (0.85, 0.2, 0.1), roughness=0.4)
    m.add("cabin", sphere(1.6, (1.0, 1.9, 0), scale=(1.5, 0.9, 0.8)), paint)
    m.add("tail", [beam((-0.8, 2.1, 0), (-7.0, 2.5, 0), 0.6, 0.25), slab(-7.1, -6.6, 2.3, 3.6, -0.05, 0.05)], paint)
    m.add("windows", sphere(1.0, (2.6, 2.1, 0), scale=(0.8, 0.8, 1.05)), m.mat("glass", GLASS, roughness=0.1))
    steel = m.mat("rotor", IRON)
    m.add("rotor", [cylinder(0.15, 3.3, 3.7, 8, x=0.8), slab(-5.0, 6.6, 3.62, 3.7, -0.15, 0.15),
                    slab(0.65, 0.95, 3.62, 3.7, -5.8, 5.8)], steel)
    m.add("skids", [beam((-1.2, 0.05, sz * 1.0), (3.0, 0.05, sz * 1.0), 0.1) for sz in (-1, 1)] +
          [beam((x, 0.05, sz * 1.0), (x, 1.1, sz * 0.6), 0.08) for x in (-0.4, 2.0) for sz in (-1, 1)], steel)


def hot_air_balloon(m: Model) -> None:
    """Hot-air balloon: envelope, ropes and a wicker basket; 20 m."""
    m.add("envelope", lathe([(0.0, 4.0), (2.0, 5.0), (7.0, 10.0), (8.5, 14.0), (7.5, 18.0), (4.0, 19.7), (0.0, 20.0)], 12),
          m.main("envelope", (0.9, 0.3, 0.1), roughness=0.8))
    m.add("basket", slab(-0.7, 0.7, 0.0, 1.1, -0.7, 0.7), m.mat("wicker", (0.6, 0.45, 0.25)))
    m.add("ropes", [beam((sx * 0.65, 1.1, sz * 0.65), (sx * 1.6, 4.9, sz * 1.6), 0.05) for sx in (-1, 1) for sz in (-1, 1)],
          m.mat("rope", (0.3, 0.25, 0.2)))


def cart(m: Model) -> None:
    """Wooden farm cart with two big wheels and shafts, 3 m long, 1.4 m tall."""
    wood = m.main("wood", (0.5, 0.35, 0.2), roughness=0.9)
    m.add("bed", [slab(-1.0, 1.0, 0.7, 0.8, -0.7, 0.7)] + [slab(-1.0, 1.0, 0.8, 1.2, sz * 0.7 - 0.03, sz * 0.7 + 0.03)
                                                           for sz in (-1, 1)], wood)
    m.add("shafts", [beam((0.9, 0.75, sz * 0.5), (2.0, 0.6, sz * 0.45), 0.08) for sz in (-1, 1)], wood)
    m.add("wheels", [beam((0, 0.7, sz * 0.75), (0, 0.7, sz * 0.85), 1.4, sections=12) for sz in (-1, 1)],
          m.mat("wheel_wood", (0.35, 0.22, 0.12)))
    m.add("hay", slab(-0.9, 0.9, 0.8, 1.4, -0.6, 0.6), m.mat("hay", (0.85, 0.75, 0.35)))


ENTRIES: tuple[Entry, ...] = (
    Entry("steam_locomotive", "Steam locomotive", 4.2, ("locomotive", "steam locomotive", "steam engine", "train",
                                                        "steam train", "engine", "loco"), steam_locomotive),
    Entry("bus", "Bus", 3.0, ("bus", "city bus", "coach", "school bus", "autobus"), bus),
    Entry("truck", "Truck", 3.2, ("truck", "lorry", "van", "delivery truck", "fire truck", "fire engine"), truck),
    Entry("bicycle", "Bicycle", 1.05, ("bicycle", "bike", "cycle", "push bike"), bicycle),
    Entry("motorcycle", "Motorcycle", 1.1, ("motorcycle", "motorbike", "scooter", "moped"), motorcycle),
    Entry("tractor", "Tractor", 2.8, ("tractor", "farm tractor"), tractor),
    Entry("airplane", "Airplane", 2.7, ("airplane", "aeroplane", "plane", "aircraft", "jet", "airliner"), airplane),
    Entry("rocket", "Rocket", 30.0, ("rocket", "spaceship", "space rocket", "spacecraft"), rocket),
    Entry("helicopter", "Helicopter", 3.7, ("helicopter", "chopper"), helicopter),
    Entry("hot_air_balloon", "Hot-air balloon", 20.0, ("hot air balloon", "balloon", "air balloon"), hot_air_balloon),
    Entry("cart", "Cart", 1.4, ("cart", "wagon", "hay cart", "farm cart", "haywain"), cart),
)
