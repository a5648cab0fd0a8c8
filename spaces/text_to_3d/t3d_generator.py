"""Entry point: prompt + seed -> low-poly GLB bytes and a summary dict."""

from __future__ import annotations

from typing import Any

import numpy as np
import trimesh
from trimesh.visual import TextureVisuals

import t3d_keywords as kw
from t3d_catalogue import KEYWORD_OBJECTS
from t3d_landmarks_paris import PARIS
from t3d_landmarks_world import WORLD
from t3d_objects import FALLBACK
from t3d_placeholder import placeholder_height, placeholder_reason
from t3d_shapes import Entry, Model

MAX_PROMPT_CHARS = 500
LANDMARKS: tuple[Entry, ...] = (*PARIS, *WORLD)


class PromptError(ValueError):
    """The prompt cannot be turned into an object (empty or too long)."""


def generate_glb(prompt: str, seed: int = 0) -> tuple[bytes, dict[str, Any]]:
    """Build a low-poly object for ``prompt`` and export it as GLB.

    Landmarks ("Eiffel Tower", "Big Ben") come out at real size; other text is
    matched to a keyword object ("a red lighthouse", "a laptop") scaled by size words.
    Text that matches no builder gets a generic sculpture at a plausible size, and
    says so: info["placeholder"] and the GLB's scenes[0].extras.placeholder hold
    "no builder for '<text>'" (both are None / absent for a real builder).
    The base rests on y = 0 and the footprint is centred on x = z = 0 (+Y up, metres).

    Args:
        prompt: one object, e.g. "Tour Eiffel" or "a tiny blue house".
        seed: varies small details (tree crowns, sail angle), never the kind.

    Returns:
        (GLB bytes, info dict with name, match, kind, height_m, footprint_m,
        triangles, parts, seed, colour, placeholder).

    Raises:
        PromptError: empty, whitespace-only or over-long prompt.
    """
    if not isinstance(prompt, str) or not prompt.strip():
        raise PromptError("Prompt is empty: describe one object, e.g. 'Eiffel Tower' or 'a red lighthouse'.")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise PromptError(f"Prompt is {len(prompt)} characters long; keep it under {MAX_PROMPT_CHARS}, "
                          "e.g. 'Eiffel Tower' or 'a red lighthouse'.")
    seed = int(seed)
    text = kw.normalize(prompt)
    landmark = kw.match_landmark(text, LANDMARKS)
    entry = landmark or kw.match_keyword(text, KEYWORD_OBJECTS) or FALLBACK
    colour = kw.match_colour(text)
    model = Model(entry.kind, np.random.default_rng(abs(seed) % 2**32),
                  colour=colour[1] if colour else None,
                  metal=bool(colour) and colour[0] in kw.METALLIC_COLOURS)
    entry.build(model)
    scale, vertical = (1.0, 1.0) if landmark else kw.match_size(text)
    placeholder = None
    if entry is FALLBACK:
        placeholder = placeholder_reason(_fallback_name(prompt))
        scale *= placeholder_height(text) / _height(model)
    _place(model, scale, vertical)
    scene = _scene(model)
    lo, hi = scene.bounds
    name = entry.name if landmark or entry is not FALLBACK else _fallback_name(prompt)
    info = {
        "name": name,
        "match": "landmark" if landmark else "keyword",
        "kind": entry.kind,
        "height_m": round(float(hi[1] - lo[1]), 2),
        "footprint_m": [round(float(hi[0] - lo[0]), 2), round(float(hi[2] - lo[2]), 2)],
        "triangles": int(sum(len(m.faces) for _, m, _ in model.parts)),
        "parts": [f"{model.kind}/{p}" for p, _, _ in model.parts],
        "seed": seed,
        "colour": colour[0] if colour else None,
        "placeholder": placeholder,
    }
    scene.metadata.update({"generator": "diorama text_to_3d", "name": name, "height_m": info["height_m"]})
    if placeholder:
        scene.metadata["placeholder"] = placeholder
    return scene.export(file_type="glb", include_normals=False), info


def _height(model: Model) -> float:
    """Height of the model's parts as built, metres."""
    return float(np.max([m.bounds[1][1] for _, m, _ in model.parts]) - np.min([m.bounds[0][1] for _, m, _ in model.parts]))


def _fallback_name(prompt: str) -> str:
    words = " ".join(prompt.split())
    return (words[:60] + "...") if len(words) > 60 else words


def _place(model: Model, scale: float, vertical: float) -> None:
    """Scale every part, then put the base on y = 0 and centre the footprint on x = z = 0."""
    lo = np.min([m.bounds[0] for _, m, _ in model.parts], axis=0)
    hi = np.max([m.bounds[1] for _, m, _ in model.parts], axis=0)
    shift = np.array([-(lo[0] + hi[0]) / 2, -lo[1], -(lo[2] + hi[2]) / 2])
    matrix = np.diag([scale, scale * vertical, scale, 1.0]) @ trimesh.transformations.translation_matrix(shift)
    for _, mesh, _ in model.parts:
        mesh.apply_transform(matrix)


def _scene(model: Model) -> trimesh.Scene:
    """One node (and one mesh) per part, named "<kind>/<part>"."""
    scene = trimesh.Scene()
    for part, mesh, mat in model.parts:
        mesh.visual = TextureVisuals(material=mat)
        name = f"{model.kind}/{part}"
        scene.add_geometry(mesh, node_name=name, geom_name=name)
    return scene


__all__ = ["PromptError", "generate_glb", "LANDMARKS", "MAX_PROMPT_CHARS"]
