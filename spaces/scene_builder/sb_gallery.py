"""Lay out several GLB objects on plinths in a gallery and write one scene GLB.

Conventions (glTF): +Y up, +Z toward the viewer, metres. The floor's top is y = 0.
Scene graph of the output:

    floor                       large thin box, top at y = 0
    wall/north|south|east|west  low walls around the floor
    plinth/<slug>               one box per object
    placard/<slug>              the label rendered into a texture, on the plinth's front (+z) face
    <slug>                      one node per input, named after its label (unique)
      <slug>/<source node>      the object's parts, each with its source world matrix

    sun, fill, entrance         KHR_lights_punctual lights and the entrance camera (sb_walk)

The layout (what `assemble_files` returns as JSON) is also stored in the scene's
`scenes[0].extras.layout`; an object whose source GLB says it is a stand-in (`scenes[0].extras.placeholder`,
as the bundled text-to-3D Space writes) gets that reason as `placeholder` in its layout entry; and box colliders with the entrance for a walker in `scenes[0].extras.walk`
(see `sb_walk.walk_extras`).
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass

import trimesh
from trimesh.transformations import translation_matrix

from sb_budget import MAX_GALLERY_TEXTURE_PIXELS, MAX_GALLERY_TRIANGLES, cap_textures, fit_triangle_budget
from sb_errors import RequestError, SceneError
from sb_hints import Hints, circle_positions, parse_hints, scaled
from sb_isolate import note
from sb_normalize import MAX_DISPLAY_M, MIN_DISPLAY_M, LoadedObject
from sb_preflight import check_bytes, read_file
from sb_prepared import prepare, reuse
from sb_walk import PLACARD_PREFIX, add_lights_and_camera, placard_mesh, walk_extras, warm_fonts

__all__ = [
    "MAX_FILES", "MIN_WALKWAY_M", "OUTPUT_PREFIX", "Placement", "assemble_cached", "assemble_files", "build_scene",
    "layout_plinths", "parse_labels", "slugify", "walkway_violations", "warm_up",
]

logger = logging.getLogger(__name__)

MAX_FILES = 64
OUTPUT_PREFIX = "scene_builder_"  # fresh output dirs under the system temp dir
MIN_WALKWAY_M = 1.5
WALKWAY_M = 2.0          # gap between plinths and between plinths and walls (>= MIN_WALKWAY_M)
PLINTH_MARGIN_M = 0.25   # plinth top extends this far beyond the object's footprint
MIN_PLINTH_SIDE_M = 0.8
FLOOR_THICKNESS_M = 0.1
WALL_HEIGHT_M = 0.4
WALL_THICKNESS_M = 0.2
_RESERVED = {"floor", "world", "plinth", "wall", "placard", "sun", "fill", "entrance"}
_COLORS = {  # RGBA, linear
    "floor": [0.55, 0.53, 0.50, 1.0],
    "plinth": [0.92, 0.91, 0.88, 1.0],
    "wall": [0.35, 0.36, 0.40, 1.0],
}


@dataclass
class Placement:
    """Where one plinth goes.

    Attributes:
        x, z: centre of the plinth footprint, metres.
        width, depth: plinth size along x and z, metres.
        height: plinth height, metres (its top is where the object stands).
    """

    x: float
    z: float
    width: float
    depth: float
    height: float


def slugify(label: str) -> str:
    """Lower-case ASCII slug for node names: "Sacré-Cœur!" -> "sacre_coeur" ("object" if empty)."""
    folded = label.lower().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    ascii_only = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_only).strip("_")[:48]
    return slug or "object"


def parse_labels(text: str | None, paths: list[str]) -> list[str]:
    """Turn the labels text into one label per file.

    Args:
        text: labels separated by newlines, or a JSON list of strings; empty -> file names.
        paths: the uploaded files, in order.

    Returns:
        One label per path.

    Raises:
        RequestError: the number of labels differs from the number of files.
    """
    text = (text or "").strip()
    if not text:
        return [os.path.splitext(os.path.basename(p))[0].replace("_", " ") for p in paths]
    labels: list[str] | None = None
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, list) and all(isinstance(x, str) for x in parsed):
            labels = [x.strip() for x in parsed]
    if labels is None:
        labels = [line.strip() for line in text.splitlines() if line.strip()]
    if len(labels) != len(paths):
        raise RequestError(f"Got {len(labels)} label(s) for {len(paths)} file(s). Give one label per file, "
                           f"one per line or as a JSON list, in file order; or leave labels empty to use file names.")
    return labels


def _unique_slugs(labels: list[str]) -> list[str]:
    seen: set[str] = set(_RESERVED)
    out = []
    for label in labels:
        base = slugify(label)
        slug, n = base, 2
        while slug in seen:
            slug, n = f"{base}_{n}", n + 1
        seen.add(slug)
        out.append(slug)
    return out


def _plinth_height(display_height: float) -> float:
    """1.0 m under the smallest objects down to 0.6 m under the tallest (keeps small ones near eye level)."""
    t = (display_height - MIN_DISPLAY_M) / (MAX_DISPLAY_M - MIN_DISPLAY_M)
    return round(1.0 - 0.4 * min(max(t, 0.0), 1.0), 3)


def layout_plinths(sizes: list[tuple[float, float]], heights: list[float], *, walkway: float = WALKWAY_M,
                   order: str = "height", mode: str = "grid") -> tuple[list[Placement], tuple[float, float]]:
    """Arrange plinths in rows (or one row, or a circle), with walkways between and around them.

    Args:
        sizes: (width, depth) of each plinth footprint, metres.
        heights: display height of each object, metres (with order "height": tall ones at the back).
        walkway: gap between plinths and between plinths and walls, metres (>= MIN_WALKWAY_M).
        order: "height" (shortest in front, +z) or "given" (input order, the first nearest the entrance).
        mode: "grid" (rows about as wide as deep), "row" (one row) or "circle" (around the centre).

    Returns:
        (one Placement per plinth in input order, (floor width, floor depth) in metres inside the walls).
        The floor is centred on the origin.
    """
    if mode == "circle":
        return _layout_circle(sizes, heights, walkway)
    order = sorted(range(len(sizes)), key=lambda i: heights[i]) if order == "height" else list(range(len(sizes)))
    area = sum((w + walkway) * (d + walkway) for w, d in sizes)
    row_limit = max(max(w for w, _ in sizes), math.sqrt(area) * 1.2) if mode == "grid" else math.inf
    rows: list[list[int]] = [[]]
    width = 0.0
    for i in order:
        w = sizes[i][0]
        if rows[-1] and width + walkway + w > row_limit:
            rows.append([])
            width = 0.0
        width += (walkway if rows[-1] else 0.0) + w
        rows[-1].append(i)
    xs: dict[int, float] = {}
    zs: dict[int, float] = {}
    row_widths = []
    z = 0.0
    for row in rows:  # row 0 in front; later rows go back (-z)
        depth = max(sizes[i][1] for i in row)
        row_width = sum(sizes[i][0] for i in row) + walkway * (len(row) - 1)
        row_widths.append(row_width)
        x = -row_width / 2
        for i in row:
            xs[i] = x + sizes[i][0] / 2
            zs[i] = z - depth / 2
            x += sizes[i][0] + walkway
        z -= depth + walkway
    total_depth = -z - walkway
    floor_w = max(row_widths) + 2 * walkway
    floor_d = total_depth + 2 * walkway
    placements = [
        Placement(x=round(xs[i], 4), z=round(zs[i] + total_depth / 2, 4), width=sizes[i][0], depth=sizes[i][1],
                  height=_plinth_height(heights[i]))
        for i in range(len(sizes))
    ]
    return placements, (round(floor_w, 4), round(floor_d, 4))


def _layout_circle(sizes: list[tuple[float, float]], heights: list[float],
                   walkway: float) -> tuple[list[Placement], tuple[float, float]]:
    """Plinths on a circle around the centre (`sb_hints.circle_positions`), the first nearest the entrance."""
    centres, radius = circle_positions(sizes, walkway)
    reach = radius + max(math.hypot(w, d) for w, d in sizes) / 2 + walkway
    placements = [Placement(x=x, z=z, width=w, depth=d, height=_plinth_height(h))
                  for (x, z), (w, d), h in zip(centres, sizes, heights)]
    return placements, (round(2 * reach, 4), round(2 * reach, 4))


def walkway_violations(placements: list[Placement], floor: tuple[float, float],
                       minimum: float = MIN_WALKWAY_M) -> list[str]:
    """Check that plinth footprints neither overlap nor come closer than `minimum` to each other or the walls.

    Args:
        placements: the plinths.
        floor: (width, depth) of the walled floor, centred on the origin, metres.
        minimum: narrowest allowed walkway, metres.

    Returns:
        A description of each violation; empty when the layout is fine.
    """
    problems = []
    for i, a in enumerate(placements):
        edge = min(floor[0] / 2 - (abs(a.x) + a.width / 2), floor[1] / 2 - (abs(a.z) + a.depth / 2))
        if edge < minimum - 1e-6:
            problems.append(f"plinth {i} is {edge:.2f} m from the wall")
        for j in range(i + 1, len(placements)):
            b = placements[j]
            gx = abs(a.x - b.x) - (a.width + b.width) / 2
            gz = abs(a.z - b.z) - (a.depth + b.depth) / 2
            gap = math.hypot(gx, gz) if gx > 0 and gz > 0 else max(gx, gz)
            if gap < minimum - 1e-6:
                problems.append(f"plinths {i} and {j} are {gap:.2f} m apart")
    return problems


def _box(extents: list[float], centre: list[float], color_key: str) -> trimesh.Trimesh:
    box = trimesh.creation.box(extents=extents)
    box.apply_translation(centre)
    box.visual = trimesh.visual.TextureVisuals(material=trimesh.visual.material.PBRMaterial(
        name=color_key, baseColorFactor=_COLORS[color_key], metallicFactor=0.0, roughnessFactor=0.85))
    return box


def build_scene(objects: list[LoadedObject], labels: list[str], title: str, *,
                hints: Hints | None = None, placeholders: dict[str, str] | None = None) -> tuple[trimesh.Scene, dict]:
    """Place loaded objects on plinths in a walled gallery.

    Args:
        objects: normalised objects, see `sb_normalize.load_object`.
        labels: one label per object.
        title: gallery title, stored in the layout.
        hints: layout mode, spacing, order and per-label scale (`sb_hints`); None: the default layout.
        placeholders: source file name -> why it is a stand-in; its layout entry and placard say so.

    Returns:
        (the scene, the layout dict described in `assemble_files`).

    Raises:
        SceneError: the layout breaks the walkway rule (a bug, reported rather than shipped).
    """
    hints = hints or Hints()
    factors = [hints.scale.get(label, 1.0) for label in labels]
    objects = [scaled(o, f) for o, f in zip(objects, factors)]
    slugs = _unique_slugs(labels)
    sizes = [(max(o.footprint[0] + 2 * PLINTH_MARGIN_M, MIN_PLINTH_SIDE_M),
              max(o.footprint[1] + 2 * PLINTH_MARGIN_M, MIN_PLINTH_SIDE_M)) for o in objects]
    placements, floor = layout_plinths(sizes, [o.display_height for o in objects],
                                       walkway=WALKWAY_M * hints.spacing, order=hints.order, mode=hints.layout)
    problems = walkway_violations(placements, floor)
    if problems:
        raise SceneError("Gallery layout is invalid: " + "; ".join(problems[:5]))

    scene = trimesh.Scene()
    scene.add_geometry(_box([floor[0] + 2 * WALL_THICKNESS_M, FLOOR_THICKNESS_M, floor[1] + 2 * WALL_THICKNESS_M],
                            [0, -FLOOR_THICKNESS_M / 2, 0], "floor"), node_name="floor", geom_name="floor")
    half_w, half_d, t = floor[0] / 2, floor[1] / 2, WALL_THICKNESS_M
    walls = {
        "north": ([floor[0] + 2 * t, WALL_HEIGHT_M, t], [0, WALL_HEIGHT_M / 2, -half_d - t / 2]),
        "south": ([floor[0] + 2 * t, WALL_HEIGHT_M, t], [0, WALL_HEIGHT_M / 2, half_d + t / 2]),
        "west": ([t, WALL_HEIGHT_M, floor[1]], [-half_w - t / 2, WALL_HEIGHT_M / 2, 0]),
        "east": ([t, WALL_HEIGHT_M, floor[1]], [half_w + t / 2, WALL_HEIGHT_M / 2, 0]),
    }
    for side, (extents, centre) in walls.items():
        scene.add_geometry(_box(extents, centre, "wall"), node_name=f"wall/{side}", geom_name=f"wall/{side}")

    entries = []
    base = scene.graph.base_frame
    for index, (obj, label, slug, place, factor) in enumerate(zip(objects, labels, slugs, placements, factors)):
        scene.add_geometry(_box([place.width, place.height, place.depth], [place.x, place.height / 2, place.z],
                                "plinth"), node_name=f"plinth/{slug}", geom_name=f"plinth/{slug}")
        root = translation_matrix([place.x, place.height, place.z]) @ obj.normaliser
        scene.graph.update(frame_from=base, frame_to=slug, matrix=root)
        for gname, mesh in obj.geometry.items():
            scene.geometry[f"{slug}/{gname}"] = mesh
        for part in obj.parts:
            scene.graph.update(frame_from=slug, frame_to=f"{slug}/{part.node}", matrix=part.matrix,
                               geometry=f"{slug}/{part.geometry}")
        entries.append({
            "label": label,
            "node": slug,
            "source_file": obj.file,
            "position_m": [place.x, place.height, place.z],
            "plinth_m": [round(place.width, 4), place.height, round(place.depth, 4)],
            "display_height_m": round(obj.display_height, 4),
            "source_height": round(obj.source_height, 6),
            "scale": float(f"{obj.scale:.6g}"),
            "up_axis_fixed": obj.up_axis_fixed,
            "triangles": obj.triangles,
            "scale_factor": factor,
            "order": index,
        })
    stand_ins = placeholders or {}
    for entry in entries:
        if entry["source_file"] in stand_ins:
            entry["placeholder"] = stand_ins[entry["source_file"]]
    for obj, label, slug, place in zip(objects, labels, slugs, placements):  # after the objects: their meshes first
        note = "placeholder" if obj.file in stand_ins else ""
        scene.add_geometry(placard_mesh(label, x=place.x, z=place.z, width=place.width, depth=place.depth,
                                        height=place.height, note=note),
                           node_name=f"{PLACARD_PREFIX}{slug}", geom_name=f"{PLACARD_PREFIX}{slug}")
    layout = {
        "title": title,
        "objects": entries,
        "floor_m": [floor[0], floor[1]],
        "triangles": sum(o.triangles for o in objects),
        "warnings": [w for o in objects for w in o.warnings],
        "hints": hints.as_dict(),
    }
    scene.metadata["layout"] = layout
    scene.metadata["walk"] = walk_extras(floor, list(walls.values()),
                                         [(p.x, p.z, p.width, p.depth, p.height) for p in placements])
    return scene, layout


def assemble_files(paths: list[str], labels_text: str | None = "", title: str = "Gallery",
                   hints_text: str | None = "", *, out_dir: str | None = None) -> tuple[str, dict]:
    """Check, load, normalise and lay out GLB files; write the gallery GLB (`assemble_cached` without a cache)."""
    path, layout, _ = assemble_cached(paths, labels_text, title, hints_text, out_dir=out_dir)
    return path, layout


def warm_up() -> None:
    """Assemble a one-box gallery of our own making and throw it away.

    The zygote (`sb_isolate`) calls this once before it forks any child, so the one-time work of a first assembly
    (PIL's image plugins and the placard fonts, trimesh's exporter set-up) is done once, not in every child: on the
    idle machine a first warm-up took 20 ms after the imports, a second one 7 ms.
    """
    box = trimesh.creation.box(extents=[1.0, 1.0, 1.0])
    with tempfile.TemporaryDirectory(prefix=OUTPUT_PREFIX) as folder:
        source = os.path.join(folder, "box.glb")
        with open(source, "wb") as fh:
            fh.write(trimesh.Scene(box).export(file_type="glb"))
        assemble_files([source], "Box", "Warm-up", out_dir=folder)
    warm_fonts()


def assemble_cached(paths: list[str], labels_text: str | None = "", title: str = "Gallery",
                    hints_text: str | None = "", *, keys: list[str | None] | None = None,
                    entries: dict[str, bytes] | None = None,
                    out_dir: str | None = None) -> tuple[str, dict, dict[str, bytes]]:
    """Check, load, normalise and lay out GLB files; write the gallery GLB.

    A file whose key has an entry in `entries` is taken from it (`sb_prepared.reuse`); every other file is read,
    preflighted and loaded here, and its new entry returned.

    Args:
        paths: local .glb (or .gltf with embedded data) files, 1 to MAX_FILES.
        labels_text: see `parse_labels`.
        title: gallery title; also names the output file.
        hints_text: placement and scale hints as JSON (`sb_hints`); empty: the default layout.
        keys: `sb_prepared.file_key` of each file, computed by the server; None: no cache.
        entries: cache entries the server holds for some of `keys`.
        out_dir: where to write; default a fresh directory under the system temp dir.

    Returns:
        (path of the written .glb, layout dict with keys "title", "objects" (label, node, source_file,
        position_m, plinth_m, display_height_m, source_height, scale, up_axis_fixed, triangles, and
        placeholder when the source is a stand-in),
        "floor_m", "triangles", "warnings"; new cache entries by key).

    Raises:
        RequestError: no files, too many, or a label count mismatch.
        GLBRejected: one file is unsafe, broken or empty (the first one found).
        SceneError: export failed.
    """
    paths = [p for p in (paths or []) if p]
    if not paths:
        raise RequestError("No files were given. Upload one or more .glb files.")
    if len(paths) > MAX_FILES:
        raise RequestError(f"Got {len(paths)} files; the limit is {MAX_FILES}. Send fewer files per gallery.")
    labels = parse_labels(labels_text, paths)
    hints = parse_hints(hints_text, labels)
    title = (title or "").strip() or "Gallery"

    if keys is not None and len(keys) != len(paths):
        raise ValueError(f"got {len(keys)} cache keys for {len(paths)} files")
    objects = []
    placeholders = []
    fresh: dict[str, bytes] = {}
    triangles = pixels = 0
    for index, path in enumerate(paths):
        name = os.path.basename(path)
        note(f"on '{name}'")
        key = keys[index] if keys is not None else None
        entry = (entries or {}).get(key) if key is not None else None
        if entry is not None:
            prepared = reuse(entry, path)
            work = (prepared.triangles, prepared.texture_pixels)
        else:
            data = read_file(path)
            checked = check_bytes(data, name)
            work = (checked.work.triangles, checked.work.texture_pixels)
        # Totals from the preflight, so the file that would cross a limit is refused before it is loaded.
        triangles += work[0]
        pixels += work[1]
        if triangles > MAX_GALLERY_TRIANGLES:
            raise RequestError(f"The gallery would need {triangles:,} triangles with '{name}'; the limit is "
                               f"{MAX_GALLERY_TRIANGLES:,}. Send fewer or simpler models.")
        if pixels > MAX_GALLERY_TEXTURE_PIXELS:
            raise RequestError(f"The gallery's textures would need {pixels:,} pixels with '{name}'; the limit "
                               f"is {MAX_GALLERY_TEXTURE_PIXELS:,}. Send fewer models or ones with smaller textures.")
        if entry is None:
            prepared, new_entry = prepare(checked, data, key)
            if new_entry is not None:
                fresh[key] = new_entry
        objects.append(prepared.obj)
        placeholders.append(prepared.placeholder)
    fit_triangle_budget(objects)
    note("while downscaling textures")
    cap_textures(objects)
    note("while exporting the gallery")
    stand_ins = {obj.file: reason for obj, reason in zip(objects, placeholders) if reason}
    scene, layout = build_scene(objects, labels, title, hints=hints, placeholders=stand_ins)
    try:
        data = add_lights_and_camera(scene.export(file_type="glb"), scene.metadata["walk"])
    except MemoryError:
        raise
    except Exception as exc:  # trimesh's exporter raises assorted types; report them as one
        logger.exception("GLB export failed")
        raise SceneError(f"Could not export the gallery GLB ({type(exc).__name__}: {exc}). "
                         f"Try again without the last file added.") from exc
    out_dir = out_dir or tempfile.mkdtemp(prefix=OUTPUT_PREFIX)
    path = os.path.join(out_dir, f"{slugify(title) if slugify(title) != 'object' else 'gallery'}.glb")
    with open(path, "wb") as fh:
        fh.write(data)
    reused = sum(1 for k in (keys or []) if k in (entries or {}))
    logger.info("assembled %d object(s) (%d from the prepared cache), %d triangles, %d bytes -> %s", len(objects),
                reused, layout["triangles"], len(data), path)
    return path, layout, fresh
