"""Every size limit of the scene builder, and keeping a gallery viewable: a triangle budget and a texture cap.

Limits on the *input* (checked by `sb_preflight` from the file's JSON and header bytes, before trimesh
allocates anything; refusals name the file, the work it implies and the limit):

    MAX_FILE_TRIANGLES       triangles one file draws once instanced (every node counts its mesh again),
                             triangle strips and fans converted to triangles
    MAX_FILE_VERTICES        vertices one file holds once instanced
    MAX_FILE_NODES           nodes in one file (each becomes a part of the gallery's scene graph)
    MAX_ACCESSOR_BYTES       bytes all accessors of one file expand to (count x element size; an accessor
                             without data still allocates its zeros; accessors may alias one bufferView)
    MAX_DATALESS_ACCESSOR_BYTES   the part of that which is zeros (accessors without a bufferView)
    MAX_TEXTURE_PIXELS       width x height of one image, read from its PNG/JPEG header
    MAX_FILE_TEXTURE_PIXELS  all images of one file
    MAX_GALLERY_TRIANGLES, MAX_GALLERY_TEXTURE_PIXELS   the same over every file of one request

Limits on the *output*: real text/image-to-3D Spaces return 100k-1M triangle meshes with large
textures. Above `TRIANGLE_BUDGET` every object is decimated by the same ratio
(so relative detail is kept), keeping its texture: each vertex left keeps the
texture coordinates (or colour) of an original vertex merged into it, and UV
seams are kept when that still reaches the target. Textures larger than
`MAX_TEXTURE_PX` are downscaled.

Only the standard library is imported at module level (the preflight imports the limits);
numpy, trimesh and Pillow are imported by the functions that use them.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from sb_isolate import note

if TYPE_CHECKING:
    import numpy as np
    import trimesh

logger = logging.getLogger(__name__)

# Output budget (env vars of the Space, see README.md).
TRIANGLE_BUDGET = int(os.environ.get("SCENE_TRIANGLE_BUDGET", "1000000"))
MAX_TEXTURE_PX = int(os.environ.get("SCENE_MAX_TEXTURE_PX", "2048"))
MIN_FACES = 200  # meshes this small are never decimated

# Input limits: what one request may make the builder allocate (sized for the 1.5 GiB assembly child).
MAX_FILE_TRIANGLES = 2_000_000
MAX_FILE_VERTICES = 3 * MAX_FILE_TRIANGLES  # an unindexed mesh has 3 vertices per triangle
MAX_FILE_NODES = 4_096
MAX_ACCESSOR_BYTES = 192 * 2**20
MAX_DATALESS_ACCESSOR_BYTES = 32 * 2**20
MAX_TEXTURE_PIXELS = 4096 * 4096
MAX_FILE_TEXTURE_PIXELS = 4 * MAX_TEXTURE_PIXELS
MAX_GALLERY_TRIANGLES = 2 * MAX_FILE_TRIANGLES  # measured: 2 x 2M peaks at ~950 MB, 4 x 2M ran out of 1.5 GiB
MAX_GALLERY_TEXTURE_PIXELS = 8 * MAX_TEXTURE_PIXELS
LIGHTER_MODEL_ADVICE = "Ask the Space for a lighter model."


def fit_triangle_budget(objects: list, budget: int = TRIANGLE_BUDGET) -> None:
    """Decimate every object's meshes by one common ratio so the gallery fits `budget` triangles.

    Args:
        objects: `sb_normalize.LoadedObject`s; their geometry is replaced in place and `triangles` updated.
        budget: most triangles for all objects together (plinths and floor are extra, a few hundred).

    Each decimated object gets a warning ("'file': decimated from N to M triangles ...").
    """
    total = sum(o.triangles for o in objects)
    if total <= budget:
        return
    ratio = budget / total
    for obj in objects:
        note(f"while decimating '{obj.file}'")
        before = obj.triangles
        counts = {}
        for key, mesh in obj.geometry.items():
            if len(mesh.faces) > MIN_FACES:
                target = max(MIN_FACES, int(len(mesh.faces) * ratio))
                obj.geometry[key] = _decimate(mesh, target)
            counts[key] = len(obj.geometry[key].faces)
        obj.triangles = sum(counts[p.geometry] for p in obj.parts)
        if obj.triangles < before:
            obj.warnings.append(f"'{obj.file}': decimated from {before:,} to {obj.triangles:,} triangles to keep the "
                                f"gallery under {budget:,}.")


def _decimate(mesh: trimesh.Trimesh, target: int) -> trimesh.Trimesh:
    """Quadric decimation (fast-simplification) to about `target` faces, keeping texture coordinates or colours.

    Each remaining vertex takes the UV (or vertex colour) of an original vertex collapsed into it. Open borders,
    which in a glTF mesh include its UV seams, are kept when that still gets within 10% of `target`; otherwise
    they are decimated too (a little texture smearing along seams beats a scene over budget).
    """
    import fast_simplification
    import numpy as np
    import trimesh

    vertices, faces = np.asarray(mesh.vertices, dtype=np.float64), np.asarray(mesh.faces, dtype=np.int64)
    visual = mesh.visual
    uv = getattr(visual, "uv", None)
    textured = isinstance(visual, trimesh.visual.TextureVisuals) and uv is not None and len(uv) == len(vertices)
    if not textured and visual.kind != "vertex":  # nothing per vertex to carry: one plain decimation
        points, triangles = fast_simplification.simplify(vertices, faces, target_count=target)
        material = trimesh.visual.material.PBRMaterial(
            name=getattr(getattr(visual, "material", None), "name", None) or "decimated",
            baseColorFactor=_main_colour(mesh), metallicFactor=0.0, roughnessFactor=0.8)
        return trimesh.Trimesh(points, triangles, visual=trimesh.visual.TextureVisuals(material=material),
                               process=False)
    points, triangles, mapping = _simplify(vertices, faces, target, preserve_border=True)
    if len(triangles) > target * 1.1:
        points, triangles, mapping = _simplify(vertices, faces, target, preserve_border=False)
    if textured:
        new_visual = trimesh.visual.TextureVisuals(uv=_carry(np.asarray(uv), mapping, len(points)),
                                                   material=visual.material)
    else:
        new_visual = trimesh.visual.ColorVisuals(
            vertex_colors=_carry(np.asarray(visual.vertex_colors), mapping, len(points)))
    return trimesh.Trimesh(points, triangles, visual=new_visual, process=False)


def _simplify(vertices: np.ndarray, faces: np.ndarray, target: int, *,
              preserve_border: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(points, triangles, original vertex -> new vertex, -1 for dropped ones) of one decimation."""
    import fast_simplification

    _, _, collapses = fast_simplification.simplify(vertices, faces, target_count=target, return_collapses=True,
                                                   preserve_border=preserve_border)
    return fast_simplification.replay_simplification(vertices, faces, collapses)


def _carry(values: np.ndarray, mapping: np.ndarray, count: int) -> np.ndarray:
    """Per-vertex `values` of the original mesh moved to the decimated one's `count` vertices via `mapping`."""
    import numpy as np

    carried = np.zeros((count, *values.shape[1:]), dtype=values.dtype)
    kept = mapping >= 0
    carried[mapping[kept]] = values[kept]
    return carried


def _main_colour(mesh: trimesh.Trimesh) -> np.ndarray:
    """RGBA uint8: the material's main colour, or the mean vertex colour."""
    import numpy as np

    material = getattr(mesh.visual, "material", None)
    if material is not None:
        return np.asarray(material.main_color, dtype=np.uint8)
    colours = getattr(mesh.visual, "vertex_colors", None)
    if colours is not None and len(colours):
        return np.asarray(colours, dtype=np.float64).mean(axis=0).astype(np.uint8)
    return np.array([200, 200, 200, 255], dtype=np.uint8)


def cap_textures(objects: list, max_px: int = MAX_TEXTURE_PX) -> None:
    """Downscale textures larger than `max_px` on a side, in place; each object gets a warning."""
    from PIL import Image

    seen: set[int] = set()
    for obj in objects:
        for mesh in obj.geometry.values():
            material = getattr(mesh.visual, "material", None)
            for attr in ("baseColorTexture", "metallicRoughnessTexture", "normalTexture", "emissiveTexture",
                         "occlusionTexture", "image"):
                image = getattr(material, attr, None) if material is not None else None
                if not isinstance(image, Image.Image) or id(image) in seen or max(image.size) <= max_px:
                    continue
                seen.add(id(image))
                scale = max_px / max(image.size)
                size = (max(1, round(image.size[0] * scale)), max(1, round(image.size[1] * scale)))
                setattr(material, attr, image.resize(size, Image.LANCZOS))
                obj.warnings.append(f"'{obj.file}': texture downscaled from {image.size[0]}x{image.size[1]} to "
                                f"{size[0]}x{size[1]} px.")
