"""Image -> an upright extruded silhouette (GLB), coloured from the image.

Axes follow glTF: +Y up, +Z toward the viewer, metres. The subject stands on
y = 0, centred on x = 0, its front face (the image as seen) at z = +depth/2
facing +Z, its back at z = -depth/2. Each foreground pixel becomes one square
cell; walls close the outline, so the solid is closed and has no inner faces.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import trimesh
from PIL import Image, UnidentifiedImageError

MAX_CELLS = 128          # cells along the longer side of the subject's box; bounds triangles (~100k at most)
BACKGROUND_DISTANCE = 48.0  # RGB distance from the corner colour above which a pixel is foreground


class ImageInputError(ValueError):
    """The image is missing, unreadable or has no subject; the message says what to send instead."""


def load_rgb(path: str | Path | None) -> np.ndarray:
    """The image as an (h, w, 3) uint8 array; transparent pixels become the corner colour's background.

    Raises:
        ImageInputError: no path, no such file, or not a decodable image.
    """
    if not path:
        raise ImageInputError("No image was given; upload a PNG or JPEG with one subject on a plain background.")
    path = Path(path)
    if not path.is_file():
        raise ImageInputError(f"The image file {path.name!r} does not exist; upload it again.")
    try:
        with Image.open(path) as image:
            image.load()
            if image.mode in ("RGBA", "LA", "P"):
                rgba = image.convert("RGBA")
                flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                flat.alpha_composite(rgba)
                return np.asarray(flat.convert("RGB"))
            return np.asarray(image.convert("RGB"))
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ImageInputError(f"{path.name!r} is not a readable image ({type(exc).__name__}); "
                              "upload a PNG, JPEG or WebP.") from exc


def foreground_mask(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(h, w) bool mask of the subject and the background colour (3,) taken from the four corners.

    Raises:
        ImageInputError: nothing differs from the background.
    """
    h, w, _ = rgb.shape
    k = max(1, min(h, w) // 32)
    corners = np.concatenate([rgb[:k, :k], rgb[:k, -k:], rgb[-k:, :k], rgb[-k:, -k:]]).reshape(-1, 3)
    background = np.median(corners, axis=0)
    distance = np.linalg.norm(rgb.astype(np.float32) - background.astype(np.float32), axis=2)
    mask = distance > BACKGROUND_DISTANCE
    if not mask.any():
        raise ImageInputError("The image has no subject: every pixel is close to the corner colour. Send an "
                              "image with one subject on a plain background.")
    return mask, background


def _cells(rgb: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Crop to the subject and shrink so the longer side has at most MAX_CELLS cells."""
    rows, cols = np.nonzero(mask)
    r0, r1, c0, c1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    rgb, mask = rgb[r0:r1, c0:c1], mask[r0:r1, c0:c1]
    h, w = mask.shape
    scale = min(1.0, MAX_CELLS / max(h, w))
    if scale < 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        rgb = np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.BOX))
        mask = np.asarray(Image.fromarray(mask.astype(np.uint8) * 255).resize(size, Image.Resampling.BOX)) >= 128
        if not mask.any():
            raise ImageInputError("The subject is too thin to model at this resolution; send a larger image.")
    return rgb, mask


def _quads_to_mesh(quads: np.ndarray, colours: np.ndarray) -> trimesh.Trimesh:
    """(n, 4, 3) float quads, counter-clockwise seen from outside, metres; (n, 3) uint8 colours."""
    n = len(quads)
    vertices = quads.reshape(-1, 3)
    base = (np.arange(n) * 4)[:, None]
    faces = np.concatenate([base + [0, 1, 2], base + [0, 2, 3]])
    rgba = np.concatenate([np.repeat(colours, 4, axis=0), np.full((n * 4, 1), 255, np.uint8)], axis=1)
    return trimesh.Trimesh(vertices=vertices, faces=faces, vertex_colors=rgba, process=False)


def relief_scene(rgb: np.ndarray, *, depth_m: float, height_m: float, name: str = "relief") -> tuple[trimesh.Scene,
                                                                                                      dict]:
    """Build the extruded silhouette.

    Args:
        rgb: (h, w, 3) uint8 image.
        depth_m: thickness along Z in metres.
        height_m: height of the subject along Y in metres.
        name: root node name; parts are "<name>/front", "<name>/back", "<name>/sides".

    Returns:
        The scene and an info dict (cells, triangles, size_m [x, y, z], background RGB, coverage).
    """
    mask, background = foreground_mask(rgb)
    coverage = float(mask.mean())
    rgb, mask = _cells(rgb, mask)
    rows, cols = mask.shape
    s = height_m / rows
    r, c = np.nonzero(mask)
    x0 = (c - cols / 2) * s
    x1 = x0 + s
    y0 = (rows - 1 - r) * s
    y1 = y0 + s
    zf, zb = depth_m / 2, -depth_m / 2
    colour = rgb[r, c].astype(np.uint8)

    def quad(*corners: tuple[np.ndarray, np.ndarray, float]) -> np.ndarray:
        return np.stack([np.stack([np.broadcast_to(v, x0.shape) for v in corner], axis=1) for corner in corners],
                        axis=1)

    front = quad((x0, y0, zf), (x1, y0, zf), (x1, y1, zf), (x0, y1, zf))
    back = quad((x0, y0, zb), (x0, y1, zb), (x1, y1, zb), (x1, y0, zb))
    padded = np.pad(mask, 1)
    walls, wall_colours = [], []
    neighbours = {  # which neighbour is empty -> the wall's quad, facing away from the cell
        "left": (padded[r + 1, c], quad((x0, y0, zb), (x0, y0, zf), (x0, y1, zf), (x0, y1, zb))),
        "right": (padded[r + 1, c + 2], quad((x1, y0, zb), (x1, y1, zb), (x1, y1, zf), (x1, y0, zf))),
        "top": (padded[r, c + 1], quad((x0, y1, zb), (x0, y1, zf), (x1, y1, zf), (x1, y1, zb))),
        "bottom": (padded[r + 2, c + 1], quad((x0, y0, zb), (x1, y0, zb), (x1, y0, zf), (x0, y0, zf))),
    }
    for filled, quads in neighbours.values():
        open_side = ~filled
        walls.append(quads[open_side])
        wall_colours.append(colour[open_side])
    shade = lambda rgb_, f: (rgb_.astype(np.float32) * f).astype(np.uint8)  # noqa: E731
    parts = {
        "front": _quads_to_mesh(front, colour),
        "back": _quads_to_mesh(back, shade(colour, 0.6)),
        "sides": _quads_to_mesh(np.concatenate(walls), shade(np.concatenate(wall_colours), 0.8)),
    }
    scene = trimesh.Scene()
    scene.graph.update(frame_to=name, frame_from=scene.graph.base_frame)
    for part, mesh in parts.items():
        scene.add_geometry(mesh, node_name=f"{name}/{part}", geom_name=f"{name}_{part}", parent_node_name=name)
    info = {"cells": int(mask.sum()), "triangles": int(sum(len(m.faces) for m in parts.values())),
            "size_m": [round(cols * s, 4), round(height_m, 4), round(depth_m, 4)],
            "background": [int(v) for v in background], "coverage": round(coverage, 4)}
    return scene, info


def image_to_glb(path: str | Path | None, *, depth_m: float = 0.3, height_m: float = 2.0) -> tuple[bytes, dict]:
    """Read an image and return the relief as GLB bytes plus its info dict.

    Raises:
        ImageInputError: bad image, no subject, or sizes out of range.
    """
    if not 0.05 <= depth_m <= 2.0:
        raise ImageInputError(f"depth must be 0.05-2.0 metres, got {depth_m}.")
    if not 0.01 <= height_m <= 1000:
        raise ImageInputError(f"height_m must be 0.01-1000 metres, got {height_m}.")
    rgb = load_rgb(path)
    stem = "".join(ch if ch.isalnum() else "_" for ch in Path(str(path)).stem.lower()).strip("_") or "relief"
    scene, info = relief_scene(rgb, depth_m=depth_m, height_m=height_m, name=stem[:40])
    buffer = io.BytesIO(scene.export(file_type="glb"))
    return buffer.getvalue(), info
