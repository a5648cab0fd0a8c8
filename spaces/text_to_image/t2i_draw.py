"""Prompt -> a flat illustration (PNG): one subject's silhouette on a plain background.

The subject is found from keywords and well-known landmark names; colour words
recolour it. The background is one flat colour reaching every edge, so another
tool can cut the subject out by its difference from the corner colour.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata

from PIL import Image, ImageDraw

import t2i_shapes

MIN_SIDE, MAX_SIDE = 64, 1024
MAX_PROMPT_CHARS = 500

# Checked in order: multi-word landmark names first, then single keywords.
_SUBJECTS: tuple[tuple[str, str], ...] = (
    ("eiffel", "tower"), ("tour eiffel", "tower"), ("tokyo tower", "tower"), ("big ben", "tower"),
    ("pisa", "tower"), ("louvre", "pyramid"), ("giza", "pyramid"), ("arc de triomphe", "arch"),
    ("brandenburg", "arch"), ("taj mahal", "dome"), ("pantheon", "dome"), ("sacre coeur", "dome"),
    ("capitol", "dome"), ("notre dame", "church"), ("empire state", "skyscraper"), ("burj", "skyscraper"),
    ("shard", "skyscraper"), ("golden gate", "bridge"), ("tower bridge", "bridge"), ("luxor", "obelisk"),
    ("lighthouse", "lighthouse"), ("windmill", "windmill"), ("mill", "windmill"), ("skyscraper", "skyscraper"),
    ("pyramid", "pyramid"), ("obelisk", "obelisk"), ("pine", "pine"), ("fir", "pine"), ("palm", "palm"),
    ("tree", "tree"), ("oak", "tree"), ("house", "house"), ("cottage", "house"), ("home", "house"),
    ("castle", "castle"), ("fort", "castle"), ("church", "church"), ("chapel", "church"),
    ("cathedral", "church"), ("mosque", "dome"), ("dome", "dome"), ("arch", "arch"), ("gate", "arch"),
    ("bridge", "bridge"), ("tower", "tower"), ("building", "skyscraper"),
)
_COLOURS = {
    "red": (200, 40, 40), "orange": (235, 130, 30), "yellow": (235, 200, 40), "gold": (212, 175, 55),
    "golden": (212, 175, 55), "green": (50, 140, 60), "blue": (40, 80, 200), "navy": (25, 40, 110),
    "purple": (120, 60, 160), "pink": (230, 120, 170), "brown": (120, 80, 45), "black": (30, 30, 30),
    "white": (245, 245, 240), "grey": (130, 130, 135), "gray": (130, 130, 135), "silver": (190, 190, 200),
    "bronze": (150, 100, 50), "teal": (30, 140, 140),
}
_DEFAULT_MAIN = {"tree": (50, 140, 60), "pine": (30, 100, 50), "palm": (60, 150, 60), "pyramid": (215, 185, 120),
                 "tower": (110, 85, 60), "house": (205, 170, 120), "lighthouse": (235, 235, 230),
                 "windmill": (200, 180, 150), "dome": (225, 220, 205), "arch": (220, 205, 170),
                 "castle": (150, 145, 140), "church": (190, 180, 165), "skyscraper": (90, 110, 140),
                 "bridge": (180, 60, 40), "obelisk": (200, 170, 120), "monument": (160, 160, 170)}
_ACCENT = {"lighthouse": (200, 40, 40), "house": (170, 60, 40), "castle": (60, 80, 150), "church": (80, 80, 90)}
_BACKGROUNDS = ((236, 242, 248), (244, 238, 226), (232, 244, 234), (246, 236, 240))
_DARK_BACKGROUND = (44, 52, 64)


class PromptError(ValueError):
    """The prompt or size cannot be drawn; the message says why and what is accepted."""


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " " + re.sub(r"[^a-z0-9]+", " ", text).strip() + " "


def subject_of(prompt: str) -> tuple[str, tuple[int, int, int] | None]:
    """The shape name and the colour word's RGB (None when the prompt names no colour)."""
    folded = _fold(prompt)
    shape = next((s for key, s in _SUBJECTS if re.search(rf" {key}s? ", folded)), "monument")
    colour = next((rgb for word, rgb in _COLOURS.items() if f" {word} " in folded), None)
    return shape, colour


def _shade(rgb: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    if factor >= 1:
        return tuple(int(c + (255 - c) * (factor - 1)) for c in rgb)  # type: ignore[return-value]
    return tuple(int(c * factor) for c in rgb)  # type: ignore[return-value]


def _luma(rgb: tuple[int, int, int]) -> float:
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


def draw_png(prompt: str, seed: int = 0, width: int = 512, height: int = 512) -> tuple[bytes, dict]:
    """Draw the prompt's subject; the same (prompt, seed, size) gives the same bytes.

    Args:
        prompt: one subject in plain words, e.g. "a red lighthouse" (1-500 characters).
        seed: varies the background tint and the subject's proportions slightly.
        width, height: image size in pixels, 64-1024.

    Returns:
        PNG bytes and an info dict: subject (shape name), colour (RGB list or None),
        background (RGB list), size [width, height].

    Raises:
        PromptError: empty or over-long prompt, or a size out of range.
    """
    prompt = (prompt or "").strip()
    if not prompt:
        raise PromptError("The prompt is empty; describe one subject, e.g. 'a red lighthouse'.")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise PromptError(f"The prompt has {len(prompt)} characters; the limit is {MAX_PROMPT_CHARS}.")
    for name, value in (("width", width), ("height", height)):
        if not MIN_SIDE <= value <= MAX_SIDE:
            raise PromptError(f"{name} must be {MIN_SIDE}-{MAX_SIDE} pixels, got {value}.")
    shape, colour = subject_of(prompt)
    digest = hashlib.sha256(f"{prompt}\0{seed}".encode()).digest()
    main = colour or _DEFAULT_MAIN[shape]
    background = _BACKGROUNDS[digest[0] % len(_BACKGROUNDS)]
    if _luma(main) > 200:
        background = _DARK_BACKGROUND
    accent = _ACCENT.get(shape) or (_shade(main, 0.7) if _luma(main) > 90 else _shade(main, 1.5))
    if sum(abs(a - b) for a, b in zip(accent, main)) < 90:  # e.g. a red lighthouse: keep its stripes visible
        accent = (245, 245, 240) if _luma(main) < 180 else _shade(main, 0.6)
    dark = _shade(main, 0.35) if _luma(main) > 60 else (20, 20, 24)
    fills = {"main": main, "accent": accent, "dark": dark}
    stretch = 0.9 + 0.2 * digest[1] / 255  # seed-dependent width, ±10 %

    parts = t2i_shapes.SHAPES[shape]()
    xs = [x * stretch for _, poly in parts for x, _ in poly]
    half_w = max(abs(min(xs)), abs(max(xs)))
    margin = 0.08
    unit = min(height * (1 - 2 * margin), width * (1 - 2 * margin) / (2 * half_w))
    base_x, base_y = width / 2, height * (1 - margin)

    image = Image.new("RGB", (width, height), background)
    pen = ImageDraw.Draw(image)
    for role, poly in parts:
        pen.polygon([(base_x + x * stretch * unit, base_y - y * unit) for x, y in poly], fill=fills[role])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    info = {"subject": shape, "colour": list(colour) if colour else None, "background": list(background),
            "size": [width, height], "seed": seed}
    return buffer.getvalue(), info
