"""Honest placeholders: what to say, and how big to make the generic shape, when no builder fits a prompt."""

from __future__ import annotations

#: Height (metres) of a placeholder, by words that hint at what the thing is; first table row that matches wins.
_HEIGHT_HINTS: tuple[tuple[float, frozenset[str]], ...] = (
    (12.0, frozenset("""station hall factory shop store museum school hospital library stadium mosque theatre theater
        hotel restaurant cafe bakery warehouse hangar airport harbour harbor pier dam palace mansion""".split())),
    (4.0, frozenset("""machine vehicle carriage tank submarine crane excavator bulldozer digger tram dinosaur dragon
        whale shark hippo rhino tree statue""".split())),
    (1.8, frozenset("""person man woman boy girl child knight robot astronaut soldier pirate wizard king queen
        lion tiger bear zebra wolf kangaroo gorilla panda ostrich""".split())),
    (0.25, frozenset("""toy figurine ornament gadget tool jewel gem ring necklace watch pen pencil brush key coin candle
        shoe hat ball doll camera box jar can cake pie bread sandwich pizza burger cookie banana orange lemon
        vegetable carrot cheese egg spoon fork knife scissors headphones remote mouse calculator stapler notebook
        cupcake donut skull crystal shell teddy rabbit bunny hamster squirrel frog owl parrot penguin fish""".split())),
)
DEFAULT_HEIGHT_M = 1.0  # an unknown thing is shown at roughly table height, never building-sized


def placeholder_height(text: str) -> float:
    """Plausible height in metres for a placeholder of ``text`` (normalised words): "a toy robot" -> 0.25."""
    words = set(text.split()) | {w[:-1] for w in text.split() if w.endswith("s")}
    for height, hints in sorted(_HEIGHT_HINTS, key=lambda row: row[0]):
        if words & hints:
            return height
    return DEFAULT_HEIGHT_M


def placeholder_reason(name: str) -> str:
    """The note carried by a placeholder's output: "no builder for 'steam locomotive'"."""
    return f"no builder for '{name}'"
