"""What a first-person walker needs in the gallery GLB: box colliders, an entrance, placards, lights and a camera.

Conventions (glTF): +Y up, +Z toward the viewer, metres; the floor's top is y = 0. The entrance is on the
south side (+Z) and looks north (-Z) at the objects. A yaw is in degrees about +Y, 0 looking toward -Z
(the default view direction of a glTF camera), 90 looking toward -X.

`walk_extras` goes into `scenes[0].extras.walk` (through trimesh's scene metadata); `add_lights_and_camera`
rewrites the exported GLB's JSON chunk to add `KHR_lights_punctual` lights and the entrance camera node,
since trimesh neither writes nor keeps them.
"""

from __future__ import annotations

import functools
import json
import math
import struct
from typing import TYPE_CHECKING

import numpy as np
import trimesh

if TYPE_CHECKING:
    from PIL import Image, ImageDraw

__all__ = ["EYE_HEIGHT_M", "PLACARD_PREFIX", "add_lights_and_camera", "placard_mesh", "walk_extras", "warm_fonts"]

EYE_HEIGHT_M = 1.6
ENTRANCE_INSET_M = 1.0       # how far inside the south wall the walker starts
PLACARD_PREFIX = "placard/"  # node names: placard/<slug>
PLACARD_SIZE_M = (0.8, 0.2)  # width, height (narrower on a narrow plinth)
_PLACARD_PX = (512, 128)
_PLACARD_GAP_M = 0.01        # in front of the plinth's face, so it does not z-fight
_COLLIDER_PAD_M = 0.02       # plinth colliders include their placard
_GLB_MAGIC, _JSON_CHUNK, _BIN_CHUNK = 0x46546C67, 0x4E4F534A, 0x004E4942


def walk_extras(floor: tuple[float, float], walls: list[tuple[list[float], list[float]]],
                plinths: list[tuple[float, float, float, float, float]]) -> dict:
    """Colliders and entrance for a walker, as stored in `scenes[0].extras.walk`.

    Args:
        floor: (width, depth) of the walled floor, centred on the origin, metres.
        walls: (extents [x, y, z], centre [x, y, z]) of each wall box, metres.
        plinths: (x, z, width, depth, height) of each plinth, metres; x, z is the footprint's centre.

    Returns:
        {"eye_height": 1.6, "floor": [minx, minz, maxx, maxz], "colliders": [[minx, miny, minz, maxx, maxy, maxz],
        ...] (walls first, then plinths in object order), "entrance": {"position": [x, 1.6, z], "yaw": 0.0}}.
    """
    half_w, half_d = floor[0] / 2, floor[1] / 2
    colliders = []
    for extents, centre in walls:
        lo = [c - e / 2 for c, e in zip(centre, extents)]
        hi = [c + e / 2 for c, e in zip(centre, extents)]
        colliders.append([lo[0], lo[1], lo[2], hi[0], hi[1], hi[2]])
    for x, z, width, depth, height in plinths:
        colliders.append([x - width / 2 - _COLLIDER_PAD_M, 0.0, z - depth / 2 - _COLLIDER_PAD_M,
                          x + width / 2 + _COLLIDER_PAD_M, height, z + depth / 2 + _COLLIDER_PAD_M])
    return {
        "eye_height": EYE_HEIGHT_M,
        "floor": [round(v, 4) for v in (-half_w, -half_d, half_w, half_d)],
        "colliders": [[round(v, 4) for v in box] for box in colliders],
        "entrance": {"position": [0.0, EYE_HEIGHT_M, round(half_d - min(ENTRANCE_INSET_M, half_d / 2), 4)],
                     "yaw": 0.0},
    }


@functools.lru_cache(maxsize=32)
def _default_font(size_px: int):  # type: ignore[no-untyped-def]
    """Pillow's default font at `size_px` (kept: the zygote loads the common sizes once, before it forks)."""
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size_px)
    except TypeError:  # Pillow < 10.1: one small bitmap font
        return ImageFont.load_default()


def warm_fonts() -> None:
    """Load the placard font at every size `_fitted_font` may pick (a few ms each), e.g. in the zygote before it forks."""
    for size_px in range(72, 19, -4):  # the label's sizes; the note's (40 px down) are among them
        _default_font(size_px)


def _fitted_font(draw: "ImageDraw.ImageDraw", text: str, width: int, start_px: int):  # type: ignore[no-untyped-def]
    """The largest default font of `start_px`, `start_px - 4`, ... (not below 20 px) that fits `text` in `width`
    pixels, and the text's box.

    Text width grows about linearly with the font size, so one measurement at `start_px` gives the candidate;
    a step or two checks it (a placard costs two or three measurements, not one per size).
    """
    @functools.cache
    def measure(size_px: int) -> tuple[int, tuple[int, int, int, int]]:
        box = draw.textbbox((0, 0), text, font=_default_font(size_px))
        return box[2] - box[0], box

    def fits(size_px: int) -> bool:
        return size_px <= 20 or measure(size_px)[0] <= width

    measured, box = measure(start_px)
    if measured <= width:
        return _default_font(start_px), box
    size_px = start_px - 4 * max(1, math.ceil((start_px - start_px * width / measured) / 4))
    while not fits(size_px):
        size_px -= 4
    while size_px + 4 < start_px and fits(size_px + 4):
        size_px += 4
    return _default_font(size_px), measure(size_px)[1]


def _label_image(label: str, size: tuple[int, int], note: str = "") -> "Image.Image":
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, (34, 34, 38))
    draw = ImageDraw.Draw(image)
    text = label if len(label) <= 40 else label[:39] + "…"
    font, (left, top, right, bottom) = _fitted_font(draw, text, size[0] - 24, 72)
    middle = size[1] * (0.38 if note else 0.5)
    draw.text(((size[0] - (right - left)) / 2 - left, middle - (bottom - top) / 2 - top), text,
              font=font, fill=(245, 242, 230))
    if note:  # e.g. "placeholder": an honest second line, smaller and amber
        small, (left, top, right, bottom) = _fitted_font(draw, note, size[0] - 24, 40)
        draw.text(((size[0] - (right - left)) / 2 - left, size[1] * 0.78 - (bottom - top) / 2 - top), note,
                  font=small, fill=(240, 180, 60))
    # trimesh PNG-encodes every texture at each export; a flat placard needs no more than zlib's fastest level
    # (twice as fast as the default, ~9% larger). Pillow takes save options preset on the image (`encoderinfo`).
    image.encoderinfo = {"compress_level": 1}
    return image


def placard_mesh(label: str, *, x: float, z: float, width: float, depth: float, height: float,
                 note: str = "") -> trimesh.Trimesh:
    """A quad with the label rendered into its texture, on the front (+Z) face of a plinth, facing +Z.

    Args:
        label: the object's label (long ones are shortened with an ellipsis).
        note: a second, smaller line under the label (e.g. "placeholder"); empty: none.
        x, z: centre of the plinth footprint, metres.
        width, depth, height: the plinth's size, metres.

    Returns:
        A two-triangle mesh in world coordinates with UVs and a PBR material whose base colour is the label image.
    """
    w = min(PLACARD_SIZE_M[0], width - 0.1)
    h = w * PLACARD_SIZE_M[1] / PLACARD_SIZE_M[0]
    cy = height * 0.62
    fz = z + depth / 2 + _PLACARD_GAP_M
    vertices = np.array([[x - w / 2, cy - h / 2, fz], [x + w / 2, cy - h / 2, fz],
                         [x + w / 2, cy + h / 2, fz], [x - w / 2, cy + h / 2, fz]])
    faces = np.array([[0, 1, 2], [0, 2, 3]])
    uv = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    material = trimesh.visual.material.PBRMaterial(
        name="placard", baseColorTexture=_label_image(label, _PLACARD_PX, note), metallicFactor=0.0, roughnessFactor=0.9)
    return trimesh.Trimesh(vertices=vertices, faces=faces, process=False,
                           visual=trimesh.visual.TextureVisuals(uv=uv, material=material))


def _yaw_quaternion(yaw_deg: float) -> list[float]:
    half = math.radians(yaw_deg) / 2
    return [0.0, round(math.sin(half), 6), 0.0, round(math.cos(half), 6)]  # x, y, z, w about +Y


def add_lights_and_camera(glb: bytes, walk: dict) -> bytes:
    """Add a sun, a fill light (`KHR_lights_punctual`) and the entrance camera node to a GLB written by trimesh.

    Args:
        glb: a binary glTF whose JSON chunk comes first.
        walk: the scene's walk extras (`walk_extras`), for the entrance and the floor size.

    Returns:
        The GLB with three more root nodes: "sun" (directional, from the south-east, 45° high),
        "fill" (a point light over the floor's centre, a quarter of the floor's span high, at least 4 m) and "entrance" (a perspective camera at eye height).
    """
    magic, version, _ = struct.unpack_from("<III", glb, 0)
    json_len, json_type = struct.unpack_from("<II", glb, 12)
    if magic != _GLB_MAGIC or version != 2 or json_type != _JSON_CHUNK:
        raise ValueError("not a GLB 2.0 with its JSON chunk first")
    doc = json.loads(glb[20:20 + json_len])
    rest = glb[20 + json_len:]  # the BIN chunk, header included, untouched

    minx, minz, maxx, maxz = walk["floor"]
    span = max(maxx - minx, maxz - minz)
    centre_y = round(max(4.0, span / 4), 3)
    lights = [
        {"name": "sun", "type": "directional", "color": [1.0, 0.96, 0.9], "intensity": 2.5},
        {"name": "fill", "type": "point", "color": [0.9, 0.93, 1.0], "intensity": round(0.6 * (span / 2) ** 2, 2),
         "range": round(4.0 * span + 10.0, 2)},
    ]
    doc.setdefault("extensions", {})["KHR_lights_punctual"] = {"lights": lights}
    used = doc.setdefault("extensionsUsed", [])
    if "KHR_lights_punctual" not in used:
        used.append("KHR_lights_punctual")
    cameras = doc.setdefault("cameras", [])
    cameras.append({"name": "entrance", "type": "perspective",
                    "perspective": {"yfov": round(math.radians(70), 6), "znear": 0.05, "zfar": round(10 * span + 100, 1)}})
    # The sun looks down 45° toward the north-west: pitch -45° about X, then yaw 45° about Y.
    pitch, yaw = math.radians(-45) / 2, math.radians(45) / 2
    qp = np.array([math.sin(pitch), 0.0, 0.0, math.cos(pitch)])
    qy = np.array([0.0, math.sin(yaw), 0.0, math.cos(yaw)])
    sun_rotation = _quat_mul(qy, qp)
    entrance = walk["entrance"]
    nodes = doc.setdefault("nodes", [])
    new = [
        {"name": "sun", "rotation": [round(float(v), 6) for v in sun_rotation],
         "translation": [0.0, 10.0, 0.0], "extensions": {"KHR_lights_punctual": {"light": 0}}},
        {"name": "fill", "translation": [round((minx + maxx) / 2, 4), centre_y, round((minz + maxz) / 2, 4)],
         "extensions": {"KHR_lights_punctual": {"light": 1}}},
        {"name": "entrance", "camera": len(cameras) - 1, "translation": list(entrance["position"]),
         "rotation": _yaw_quaternion(entrance["yaw"])},
    ]
    first = len(nodes)
    nodes.extend(new)
    doc["scenes"][doc.get("scene", 0)].setdefault("nodes", []).extend(range(first, first + len(new)))

    text = json.dumps(doc, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 4)
    body = struct.pack("<II", len(text), _JSON_CHUNK) + text + rest
    return struct.pack("<III", _GLB_MAGIC, 2, 12 + len(body)) + body


def _quat_mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamilton product of two (x, y, z, w) quaternions: rotation b, then a."""
    ax, ay, az, aw = a
    bx, by, bz, bw = b
    return np.array([aw * bx + ax * bw + ay * bz - az * by, aw * by - ax * bz + ay * bw + az * bx,
                     aw * bz + ax * by - ay * bx + az * bw, aw * bw - ax * bx - ay * by - az * bz])
