"""Tableware and kitchen things at real size (metres): mugs, plates, teapots, appliances, pans."""

from __future__ import annotations

from t3d_shapes import Entry, Model, beam, cylinder, frustum, lathe, slab, sphere

CERAMIC = (0.93, 0.92, 0.88)
STEEL = (0.75, 0.76, 0.78)
WHITE_ENAMEL = (0.94, 0.94, 0.92)


def _handle(x: float, y0: float, y1: float, reach: float, w: float) -> list:
    """A square handle on the +x side: out, up, back in."""
    return [beam((x, y0, 0), (x + reach, y0, 0), w), beam((x + reach, y0 - w / 2, 0), (x + reach, y1 + w / 2, 0), w),
            beam((x + reach, y1, 0), (x, y1, 0), w)]


def mug(m: Model) -> None:
    """Coffee mug with a handle, 10 cm tall."""
    ceramic = m.main("ceramic", CERAMIC, roughness=0.4)
    m.add("body", cylinder(0.042, 0, 0.1, 12), ceramic)
    m.add("handle", _handle(0.04, 0.025, 0.08, 0.03, 0.012), ceramic)
    m.add("coffee", cylinder(0.038, 0.1, 0.101, 12), m.mat("coffee", (0.25, 0.14, 0.07), roughness=0.2))


def teacup(m: Model) -> None:
    """Teacup on a saucer, 7 cm tall."""
    ceramic = m.main("porcelain", CERAMIC, roughness=0.3)
    m.add("saucer", lathe([(0.02, 0), (0.07, 0.008), (0.075, 0.015)], 16), ceramic)
    m.add("cup", lathe([(0.025, 0.015), (0.045, 0.04), (0.05, 0.07)], 16), ceramic)
    m.add("handle", _handle(0.045, 0.035, 0.06, 0.02, 0.008), ceramic)
    m.add("tea", cylinder(0.046, 0.066, 0.067, 16), m.mat("tea", (0.55, 0.30, 0.10), roughness=0.2))


def plate(m: Model) -> None:
    """Dinner plate, 26 cm across."""
    m.add("plate", lathe([(0.08, 0), (0.09, 0.012), (0.13, 0.02), (0.13, 0.025)], 20),
          m.main("porcelain", CERAMIC, roughness=0.3))


def bowl(m: Model) -> None:
    """Bowl of fruit, 16 cm across."""
    m.add("bowl", lathe([(0.04, 0), (0.07, 0.03), (0.085, 0.07)], 16), m.main("ceramic", (0.30, 0.45, 0.70)))
    m.add("fruit", [sphere(0.03, (x, 0.075, z), subdivisions=0) for x, z in ((0.03, 0), (-0.025, 0.02), (0, -0.03))],
          m.mat("fruit", (0.85, 0.45, 0.1)))


def teapot(m: Model) -> None:
    """Round teapot with spout, handle and lid, 20 cm."""
    ceramic = m.main("porcelain", CERAMIC, roughness=0.3)
    m.add("body", sphere(0.09, (0, 0.085, 0), scale=(1.0, 0.9, 1.0)), ceramic)
    m.add("spout", beam((-0.07, 0.06, 0), (-0.15, 0.15, 0), 0.03, 0.015), ceramic)
    m.add("handle", _handle(0.08, 0.05, 0.13, 0.05, 0.015), ceramic)
    m.add("lid", [cylinder(0.045, 0.16, 0.175, 12), sphere(0.015, (0, 0.185, 0), subdivisions=0)], ceramic)


def wine_glass(m: Model) -> None:
    """Stemmed wine glass, 20 cm."""
    glass = m.main("glass", (0.85, 0.9, 0.95), roughness=0.05, alpha=0.4)
    m.add("glass", lathe([(0.035, 0), (0.035, 0.004), (0.004, 0.01), (0.004, 0.1), (0.04, 0.13), (0.035, 0.2)], 12),
          glass)
    m.add("wine", lathe([(0.02, 0.11), (0.035, 0.13), (0.036, 0.15)], 12), m.mat("wine", (0.45, 0.05, 0.1)))


def bottle(m: Model) -> None:
    """Wine bottle with a label, 30 cm."""
    m.add("bottle", lathe([(0.037, 0), (0.037, 0.2), (0.015, 0.25), (0.013, 0.3)], 12),
          m.main("bottle_glass", (0.10, 0.30, 0.15), roughness=0.1))
    m.add("label", cylinder(0.038, 0.07, 0.14, 12), m.mat("label", (0.95, 0.92, 0.8)))


def vase(m: Model) -> None:
    """Amphora-shaped flower vase, 35 cm."""
    m.add("vase", lathe([(0.05, 0), (0.11, 0.12), (0.1, 0.22), (0.05, 0.3), (0.07, 0.35)], 12),
          m.main("glaze", (0.20, 0.40, 0.70), roughness=0.3))


def kettle(m: Model) -> None:
    """Stovetop kettle, 25 cm."""
    steel = m.main("steel", STEEL, metallic=0.9, roughness=0.3)
    m.add("body", lathe([(0.1, 0), (0.11, 0.05), (0.09, 0.15), (0.04, 0.18)], 12), steel)
    m.add("spout", beam((-0.08, 0.05, 0), (-0.17, 0.16, 0), 0.03, 0.015), steel)
    m.add("handle", [beam((-0.05, 0.17, 0), (-0.04, 0.25, 0), 0.02), beam((-0.04, 0.25, 0), (0.06, 0.25, 0), 0.025),
                     beam((0.06, 0.25, 0), (0.05, 0.17, 0), 0.02)], m.mat("handle_black", (0.08, 0.08, 0.08)))


def apple(m: Model) -> None:
    """Apple with a stem and a leaf, 8 cm."""
    m.add("apple", lathe([(0.0, 0.0), (0.03, 0.006), (0.042, 0.03), (0.038, 0.06), (0.012, 0.07), (0.0, 0.064)], 12),
          m.main("skin", (0.75, 0.1, 0.1), roughness=0.4))
    m.add("stem", beam((0, 0.064, 0), (0.004, 0.08, 0), 0.004), m.mat("stem", (0.3, 0.2, 0.1)))
    m.add("leaf", sphere(0.012, (0.012, 0.075, 0), scale=(1.0, 0.2, 0.5), subdivisions=0), m.mat("leaf", (0.2, 0.5, 0.15)))


def fridge(m: Model) -> None:
    """Two-door fridge-freezer, 0.7 x 0.7 m, 1.8 m tall."""
    m.add("body", slab(-0.35, 0.35, 0, 1.8, -0.35, 0.33), m.main("enamel", WHITE_ENAMEL, roughness=0.4))
    m.add("doors", [slab(-0.34, 0.34, 0.02, 1.15, 0.33, 0.35), slab(-0.34, 0.34, 1.17, 1.78, 0.33, 0.35)],
          m.mat("door", (0.88, 0.88, 0.87), roughness=0.4))
    m.add("handles", [slab(0.26, 0.29, 0.8, 1.1, 0.35, 0.38), slab(0.26, 0.29, 1.2, 1.4, 0.35, 0.38)],
          m.mat("steel", STEEL, metallic=0.9, roughness=0.3))


def stove(m: Model) -> None:
    """Kitchen range: oven below, four burners on top, 0.6 x 0.6 m, 0.9 m."""
    m.add("body", slab(-0.3, 0.3, 0, 0.9, -0.3, 0.3), m.main("enamel", WHITE_ENAMEL, roughness=0.4))
    m.add("oven_door", slab(-0.26, 0.26, 0.1, 0.62, 0.3, 0.32), m.mat("oven_glass", (0.1, 0.1, 0.12), roughness=0.1))
    m.add("burners", [cylinder(0.07, 0.9, 0.915, 10, x=x, z=z) for x in (-0.14, 0.14) for z in (-0.14, 0.14)],
          m.mat("burner", (0.1, 0.1, 0.1)))
    m.add("knobs", [cylinder(0.02, 0.72, 0.74, 8, x=x, z=0.31) for x in (-0.2, -0.07, 0.07, 0.2)],
          m.mat("knob", (0.2, 0.2, 0.2)))


def sink(m: Model) -> None:
    """Kitchen sink unit with a tap, 0.8 x 0.6 m, counter at 0.9 m."""
    m.add("cabinet", slab(-0.4, 0.4, 0, 0.88, -0.3, 0.3), m.main("cabinet", (0.80, 0.78, 0.72), roughness=0.6))
    steel = m.mat("steel", STEEL, metallic=0.9, roughness=0.3)
    m.add("basin", [slab(-0.4, 0.4, 0.88, 0.9, -0.3, 0.3)], steel)
    m.add("tap", [cylinder(0.015, 0.9, 1.15, 8, z=-0.24), beam((0, 1.13, -0.24), (0, 1.13, -0.08), 0.025)], steel)


def counter(m: Model) -> None:
    """Kitchen counter: base cabinets and a worktop, 1.2 x 0.6 m, 0.9 m."""
    m.add("cabinets", slab(-0.6, 0.6, 0.1, 0.86, -0.3, 0.28), m.main("cabinet", (0.45, 0.55, 0.50), roughness=0.6))
    m.add("plinth", slab(-0.58, 0.58, 0, 0.1, -0.28, 0.24), m.mat("plinth", (0.15, 0.15, 0.15)))
    m.add("worktop", slab(-0.61, 0.61, 0.86, 0.9, -0.31, 0.31), m.mat("worktop", (0.25, 0.22, 0.2), roughness=0.3))
    m.add("handles", [slab(x - 0.08, x + 0.08, 0.75, 0.77, 0.28, 0.3) for x in (-0.3, 0.3)],
          m.mat("steel", STEEL, metallic=0.9, roughness=0.3))


def microwave(m: Model) -> None:
    """Microwave oven, 0.5 x 0.35 m, 0.3 m tall."""
    m.add("body", slab(-0.25, 0.25, 0, 0.3, -0.18, 0.17), m.main("casing", (0.2, 0.2, 0.22), roughness=0.5))
    m.add("window", slab(-0.22, 0.08, 0.04, 0.26, 0.17, 0.18), m.mat("glass", (0.05, 0.06, 0.08), roughness=0.1))
    m.add("panel", slab(0.11, 0.23, 0.04, 0.26, 0.17, 0.18), m.mat("panel", (0.5, 0.5, 0.52)))


def toaster(m: Model) -> None:
    """Two-slot toaster, 18 cm tall."""
    steel = m.main("steel", STEEL, metallic=0.9, roughness=0.3)
    m.add("body", slab(-0.14, 0.14, 0.0, 0.18, -0.08, 0.08), steel)
    m.add("lever", slab(0.14, 0.16, 0.12, 0.14, -0.01, 0.01), m.mat("black", (0.05, 0.05, 0.05)))
    m.add("toast", [slab(-0.09, 0.09, 0.14, 0.21, z - 0.008, z + 0.008) for z in (-0.03, 0.03)],
          m.mat("toast", (0.75, 0.5, 0.25)))


def saucepan(m: Model) -> None:
    """Saucepan with a lid and a long handle, 15 cm tall."""
    steel = m.main("steel", STEEL, metallic=0.9, roughness=0.3)
    m.add("pan", [cylinder(0.09, 0, 0.12, 12), frustum(0.095, 0.02, 0.12, 0.14, 12)], steel)
    m.add("knob", cylinder(0.015, 0.14, 0.155, 8), m.mat("black", (0.05, 0.05, 0.05)))
    m.add("handle", beam((0.09, 0.1, 0), (0.3, 0.12, 0), 0.025), m.mat("black", (0.05, 0.05, 0.05)))


def frying_pan(m: Model) -> None:
    """Frying pan with a handle, 28 cm across, 5 cm tall."""
    m.add("pan", lathe([(0.11, 0), (0.14, 0.045)], 16), m.main("iron", (0.15, 0.15, 0.16), metallic=0.6))
    m.add("handle", beam((0.13, 0.03, 0), (0.35, 0.05, 0), 0.025), m.mat("wood_handle", (0.4, 0.26, 0.14)))


ENTRIES: tuple[Entry, ...] = (
    Entry("mug", "Mug", 0.1, ("mug", "coffee mug", "coffee cup", "tea mug", "cup"), mug),
    Entry("teacup", "Teacup", 0.07, ("teacup", "tea cup", "cup and saucer", "saucer"), teacup),
    Entry("plate", "Plate", 0.025, ("plate", "dinner plate", "dish"), plate),
    Entry("bowl", "Bowl", 0.085, ("bowl", "fruit bowl", "salad bowl"), bowl),
    Entry("teapot", "Teapot", 0.19, ("teapot", "tea pot"), teapot),
    Entry("wine_glass", "Wine glass", 0.2, ("wine glass", "glass", "goblet", "champagne glass"), wine_glass),
    Entry("bottle", "Bottle", 0.3, ("bottle", "wine bottle", "beer bottle"), bottle),
    Entry("vase", "Vase", 0.35, ("vase", "flower vase", "jar", "urn"), vase),
    Entry("kettle", "Kettle", 0.26, ("kettle", "tea kettle"), kettle),
    Entry("apple", "Apple", 0.08, ("apple", "pear", "fruit"), apple),
    Entry("fridge", "Fridge", 1.8, ("fridge", "refrigerator", "freezer", "fridge freezer"), fridge),
    Entry("stove", "Stove", 0.92, ("stove", "oven", "cooker", "kitchen stove", "hob"), stove),
    Entry("sink", "Sink", 1.15, ("sink", "kitchen sink", "washbasin"), sink),
    Entry("counter", "Kitchen counter", 0.9, ("counter", "kitchen counter", "worktop", "countertop",
                                              "kitchen cabinet", "kitchen unit"), counter),
    Entry("microwave", "Microwave", 0.3, ("microwave", "microwave oven"), microwave),
    Entry("toaster", "Toaster", 0.21, ("toaster",), toaster),
    Entry("saucepan", "Saucepan", 0.155, ("saucepan", "pot", "cooking pot", "stockpot", "pan"), saucepan),
    Entry("frying_pan", "Frying pan", 0.05, ("frying pan", "skillet", "wok"), frying_pan),
)
