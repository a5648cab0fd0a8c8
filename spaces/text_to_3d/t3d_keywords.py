"""Prompt parsing: normalisation, landmark/keyword matching, colour and size words."""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

from t3d_shapes import Entry

#: Colour words -> sRGB (0-1). Materials convert to linear themselves.
COLOURS: dict[str, tuple[float, float, float]] = {
    "red": (0.80, 0.10, 0.10), "crimson": (0.70, 0.08, 0.15), "scarlet": (0.85, 0.15, 0.10),
    "maroon": (0.45, 0.08, 0.10), "blue": (0.15, 0.35, 0.80), "navy": (0.10, 0.15, 0.40),
    "cyan": (0.20, 0.75, 0.85), "turquoise": (0.25, 0.80, 0.75), "teal": (0.10, 0.50, 0.50),
    "green": (0.20, 0.60, 0.25), "lime": (0.55, 0.85, 0.20), "white": (0.93, 0.93, 0.91),
    "black": (0.06, 0.06, 0.07), "gold": (0.95, 0.75, 0.30), "golden": (0.95, 0.75, 0.30),
    "silver": (0.78, 0.79, 0.82), "bronze": (0.65, 0.45, 0.25), "copper": (0.75, 0.45, 0.30),
    "yellow": (0.95, 0.85, 0.20), "orange": (0.95, 0.50, 0.12), "pink": (0.95, 0.55, 0.70),
    "purple": (0.50, 0.25, 0.65), "violet": (0.55, 0.35, 0.80), "brown": (0.45, 0.30, 0.18),
    "beige": (0.85, 0.78, 0.62), "grey": (0.50, 0.50, 0.52), "gray": (0.50, 0.50, 0.52),
}
#: Metallic colour words also get a metallic, smoother finish.
METALLIC_COLOURS = {"gold", "golden", "silver", "bronze", "copper"}

#: Size words -> (uniform scale, extra vertical scale).
SIZES: dict[str, tuple[float, float]] = {
    "tiny": (0.3, 1.0), "miniature": (0.3, 1.0), "mini": (0.4, 1.0), "small": (0.6, 1.0),
    "little": (0.6, 1.0), "large": (1.6, 1.0), "big": (1.6, 1.0), "huge": (2.5, 1.0),
    "giant": (2.5, 1.0), "enormous": (2.5, 1.0), "massive": (2.5, 1.0), "gigantic": (2.5, 1.0),
    "tall": (1.0, 1.5), "towering": (1.0, 1.5), "short": (1.0, 0.7), "low": (1.0, 0.7),
}

# Words that usually end the head noun phrase ("a tower *with* a dome").
_PREPOSITIONS = {"with", "of", "on", "in", "near", "at", "by", "under", "beside", "behind",
                 "next", "from", "for", "over", "above", "below", "and", "inside", "made"}


def normalize(text: str) -> str:
    """Lower-case ASCII words separated by single spaces ("Sacré-Cœur" -> "sacre coeur")."""
    text = text.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['’`´]", "", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _find(text: str, phrase: str) -> int:
    """Word-boundary position of ``phrase`` (or its plural) in normalised ``text``, else -1."""
    padded = f" {text} "
    for form in (phrase, phrase + "s", phrase + "es"):
        pos = padded.find(f" {form} ")
        if pos >= 0:
            return pos
    return -1


def match_landmark(text: str, landmarks: Sequence[Entry]) -> Entry | None:
    """The landmark whose longest alias occurs in ``text`` (normalised), if any."""
    best: tuple[int, Entry] | None = None
    for entry in landmarks:
        for alias in entry.aliases:
            if _find(text, alias) >= 0 and (best is None or len(alias) > best[0]):
                best = (len(alias), entry)
    return best[1] if best else None


def match_keyword(text: str, objects: Sequence[Entry]) -> Entry | None:
    """The keyword object named by the head noun of ``text`` (normalised), if any.

    The last keyword before the first preposition wins ("church tower" -> tower,
    "tower with a dome" -> tower); a longer alias beats a shorter one at the same place.
    """
    words = text.split()
    cut = next((i for i, w in enumerate(words) if w in _PREPOSITIONS and i > 0), len(words))
    head = " ".join(words[:cut])
    for part in (head, text):
        hits = []
        for entry in objects:
            for alias in entry.aliases:
                pos = _find(part, alias)
                if pos >= 0:
                    hits.append((pos + len(alias), len(alias), entry))
        if hits:
            return max(hits, key=lambda h: (h[0], h[1]))[2]
    return None


def match_colour(text: str) -> tuple[str, tuple[float, float, float]] | None:
    """First colour word in ``text`` (normalised) with its sRGB value."""
    for word in text.split():
        if word in COLOURS:
            return word, COLOURS[word]
    return None


def match_size(text: str) -> tuple[float, float]:
    """(uniform scale, vertical scale) from size words in ``text``; (1, 1) if none."""
    scale, vertical = 1.0, 1.0
    for word in text.split():
        if word in SIZES:
            s, v = SIZES[word]
            scale, vertical = (s if s != 1.0 else scale), (v if v != 1.0 else vertical)
    return scale, vertical
