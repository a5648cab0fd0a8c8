"""Load one vetted GLB with trimesh and work out how to stand it upright, in metres, on y = 0.

Conventions (glTF): +Y is up, +Z points toward the viewer, units are metres.
Sources arrive in unknown units and sometimes Z-up; this module decides:

- `z_up_to_y_up`: whether the content is Z-up, and the rotation that fixes it;
- `display_height`: how tall (metres) an object of a given source height is shown;
- `load_object`: the loaded parts (geometry key, node name, (4, 4) world matrix) plus the
  (4, 4) "normaliser" that maps the source world frame to the object frame: upright,
  scaled, footprint centred on x = z = 0 and resting on y = 0.
"""

from __future__ import annotations

import io
import logging
import math
from dataclasses import dataclass, field

import numpy as np
import trimesh
from trimesh.transformations import rotation_matrix, scale_matrix, translation_matrix

from sb_errors import GLBRejected
from sb_preflight import Checked

__all__ = ["LoadedObject", "Part", "display_height", "load_object", "z_up_to_y_up"]

logger = logging.getLogger(__name__)

# display_height(): a Hill curve between these bounds, in metres.
MIN_DISPLAY_M = 0.5
MAX_DISPLAY_M = 8.0
_HILL_HALF_M = 30.0   # source height shown at the midpoint of the range
_HILL_POWER = 0.8     # < 1 compresses: 330 m -> 7.0 m, 23 m -> 3.9 m, 2 m -> 1.3 m, 0.15 m -> 0.6 m
# A flat object is sized as if it were a quarter of its footprint tall, so a 0.4 m plate
# seen edge-on (4 mm tall) does not become a 50 m wide plate.
FLAT_ASPECT = 4.0
# Largest scaled footprint side; wider objects are shrunk further (their height order may then change).
MAX_FOOTPRINT_M = 8.0

# Z-up detection thresholds, see z_up_to_y_up().
_SLAB_RATIO = 0.25
_POLE_RATIO = 3.0
_CAD_UNITS = 10.0
Z_UP_TO_Y_UP = rotation_matrix(-math.pi / 2, [1, 0, 0])  # (x, y, z) -> (x, z, -y)


@dataclass
class Part:
    """One geometry node of a source file.

    Attributes:
        node: the source node name (unique within the file).
        geometry: key into `LoadedObject.geometry`.
        matrix: (4, 4) float world transform of the node in the source file.
    """

    node: str
    geometry: str
    matrix: np.ndarray


@dataclass
class LoadedObject:
    """A source file ready to be placed.

    Attributes:
        file: the file's base name.
        geometry: geometry key -> trimesh.Trimesh (shared between instancing parts).
        parts: the geometry nodes, see `Part`.
        normaliser: (4, 4) float, source world -> object frame (upright, metres, on y = 0, centred in x/z).
        source_height: height in source units after the up-axis fix.
        display_height: height in metres after scaling.
        scale: metres per source unit.
        footprint: (width along x, depth along z) in metres after scaling.
        up_axis_fixed: True when the content was rotated from Z-up to Y-up.
        triangles: triangles drawn (instanced meshes count once per instance).
        warnings: non-fatal notes, each starting with the file name.
    """

    file: str
    geometry: dict[str, trimesh.Trimesh]
    parts: list[Part]
    normaliser: np.ndarray
    source_height: float
    display_height: float
    scale: float
    footprint: tuple[float, float]
    up_axis_fixed: bool
    triangles: int
    warnings: list[str] = field(default_factory=list)


def display_height(source_height: float) -> float:
    """Height in metres at which an object of `source_height` source units is shown.

    Strictly increasing (taller sources stay taller) and compressive, bounded to
    (MIN_DISPLAY_M, MAX_DISPLAY_M): d(h) = lo + (hi - lo) * h^p / (h^p + h0^p).
    Roughly life size around 1 m; a 330 m tower (7.0 m) stays taller than a 23 m
    obelisk (3.9 m) and both fit the gallery.

    Args:
        source_height: height in source units (assumed metres), > 0.

    Returns:
        Display height in metres.
    """
    h = max(float(source_height), 1e-9) ** _HILL_POWER
    return MIN_DISPLAY_M + (MAX_DISPLAY_M - MIN_DISPLAY_M) * h / (h + _HILL_HALF_M ** _HILL_POWER)


def z_up_to_y_up(extents: np.ndarray, part_matrices: list[np.ndarray]) -> tuple[np.ndarray, bool]:
    """Decide whether content is Z-up and return the rotation from Z-up to glTF's Y-up.

    glTF is Y-up, but files converted naively from CAD/STL/3D-print data keep
    their Z-up axis (e.g. trimesh_pins.glb: a 254 x 254 x 25.4 mm plate lying in XY).
    Shape alone is ambiguous (a Y-up fox is 155 long along Z and 79 tall; a Y-up
    painting is thin along Z), so the rule needs three things at once:

    1. No authored fix: no geometry node's world rotation already takes its local +Z
       to within ~25 degrees of world +-Y (files like simple_pole or the 3-storey
       building rotate Z-up content in their root node; we trust that).
    2. CAD-like units: the largest extent is over 10 units. Metre-scale glTF from
       modern exporters and our own generator is reliably Y-up; millimetre or
       centimetre data is where unrotated Z-up files come from.
    3. Z is the odd axis out: a slab lying in XY (Z extent <= 1/4 of both X and Y)
       or a pole along Z (Z extent >= 3x both X and Y).

    Then the content is rotated -90 degrees about X, mapping (x, y, z) to (x, z, -y), so +Z becomes +Y.

    Args:
        extents: (3,) float world-space size of the content in source units.
        part_matrices: (4, 4) float world transforms of the geometry nodes.

    Returns:
        ((4, 4) float rotation to apply, True) for Z-up content, else (identity, False).
    """
    for m in part_matrices:
        z_axis = m[:3, 2]
        norm = float(np.linalg.norm(z_axis))
        if norm > 0 and abs(z_axis[1]) / norm > math.cos(math.radians(25)):
            return np.eye(4), False
    ex, ey, ez = (float(v) for v in extents)
    if max(ex, ey, ez) <= _CAD_UNITS:
        return np.eye(4), False
    slab = ez <= _SLAB_RATIO * min(ex, ey)
    pole = ez >= _POLE_RATIO * max(ex, ey)
    if slab or pole:
        return Z_UP_TO_Y_UP.copy(), True
    return np.eye(4), False


def load_object(checked: Checked) -> LoadedObject:
    """Load a vetted file and compute how to place it.

    Args:
        checked: the output of `sb_preflight.check_file`.

    Returns:
        The parts and the normaliser, see `LoadedObject`.

    Raises:
        GLBRejected: trimesh cannot read it, it has no triangles, or its vertices are not finite.
    """
    name = checked.name
    warnings = list(checked.warnings)
    try:
        scene = trimesh.load(io.BytesIO(checked.glb), file_type="glb", force="scene")
    except MemoryError:
        raise  # not this file's fault alone: the assembly child reports it as out of memory
    except Exception as exc:  # any loader failure on a vetted file is still this file's problem
        logger.debug("trimesh failed on %s", name, exc_info=True)
        raise GLBRejected(name, f"could not be read as a glTF scene ({type(exc).__name__}: {exc})") from exc

    geometry: dict[str, trimesh.Trimesh] = {}
    parts: list[Part] = []
    dropped = 0
    triangles = 0
    lo = np.full(3, np.inf)
    hi = np.full(3, -np.inf)
    for node in scene.graph.nodes_geometry:
        matrix, gname = scene.graph[node]
        mesh = scene.geometry.get(gname)
        if not isinstance(mesh, trimesh.Trimesh) or len(mesh.faces) == 0:
            dropped += 1
            continue
        matrix = np.asarray(matrix, dtype=np.float64)
        if not (np.isfinite(mesh.vertices).all() and np.isfinite(matrix).all()):
            raise GLBRejected(name, f"has vertex positions or transforms that are NaN or infinite (mesh '{gname}')",
                              "Fix or re-export the model and send it again.")
        if gname not in geometry:
            geometry[gname] = _exportable(mesh, name, gname, warnings)
        parts.append(Part(node=str(node), geometry=gname, matrix=matrix))
        world = mesh.vertices @ matrix[:3, :3].T + matrix[:3, 3]
        lo = np.minimum(lo, world.min(axis=0))
        hi = np.maximum(hi, world.max(axis=0))
        triangles += len(mesh.faces)
    if dropped:
        warnings.append(f"'{name}': dropped {dropped} part(s) without triangles (points or lines).")
    if not parts:
        raise GLBRejected(name, "contains no mesh with triangles", "Send a GLB with at least one triangle mesh.")
    extents = hi - lo
    if float(extents.max()) <= 0:
        raise GLBRejected(name, "has all its vertices at one point (zero size)",
                          "Send a model with real geometry (is it compressed?).")

    up_fix, fixed = z_up_to_y_up(extents, [p.matrix for p in parts])
    if fixed:
        corners = trimesh.bounds.corners(np.array([lo, hi]))
        corners = corners @ up_fix[:3, :3].T
        lo, hi = corners.min(axis=0), corners.max(axis=0)
        warnings.append(f"'{name}': looked Z-up ({extents[0]:.3g} x {extents[1]:.3g} x {extents[2]:.3g} units, "
                        f"no up-axis fix), rotated to Y-up.")
    size = hi - lo
    source_height = float(size[1])
    # Flat things are sized by their footprint, see FLAT_ASPECT.
    effective = max(source_height, float(max(size[0], size[2])) / FLAT_ASPECT)
    scale = display_height(effective) / effective
    if max(size[0], size[2]) * scale > MAX_FOOTPRINT_M:
        scale = MAX_FOOTPRINT_M / float(max(size[0], size[2]))
        warnings.append(f"'{name}': shrunk so its footprint fits a {MAX_FOOTPRINT_M:g} m plinth; it is shown "
                        f"shorter than its height alone would give.")
    centre = np.array([(lo[0] + hi[0]) / 2, lo[1], (lo[2] + hi[2]) / 2])
    normaliser = scale_matrix(scale) @ translation_matrix(-centre) @ up_fix
    return LoadedObject(
        file=name, geometry=geometry, parts=parts, normaliser=normaliser,
        source_height=source_height, display_height=source_height * scale, scale=scale,
        footprint=(float(size[0] * scale), float(size[2] * scale)), up_axis_fixed=fixed,
        triangles=triangles, warnings=warnings,
    )


def _exportable(mesh: trimesh.Trimesh, name: str, gname: str, warnings: list[str]) -> trimesh.Trimesh:
    """Make a loaded mesh safe for GLB export; fixes in place and returns it.

    trimesh keeps a TextureVisuals' COLOR_0 as `vertex_attributes["color"]` with the
    source's shape and dtype, but exports it as uint8 VEC4: an RGB float attribute
    (webxr_magicleap-two) fails with "cannot reshape array of size N into shape (4)".
    Colours are converted to (n, 4) uint8; unusable ones are dropped with a warning.
    """
    mesh.metadata.pop("gltf_extensions", None)  # e.g. a Draco block: would be re-exported as-is
    attrs = getattr(mesh.visual, "vertex_attributes", None)
    if attrs is not None and "color" in attrs:
        colors = np.asarray(attrs["color"])
        fixed = None
        if colors.ndim == 2 and colors.shape[0] == len(mesh.vertices) and colors.shape[1] in (3, 4):
            if colors.dtype.kind == "f":
                colors = np.round(np.clip(np.nan_to_num(colors), 0.0, 1.0) * 255)
            elif colors.dtype == np.uint16:
                colors = colors // 257
            colors = colors.astype(np.uint8)
            if colors.shape[1] == 3:
                colors = np.hstack([colors, np.full((len(colors), 1), 255, np.uint8)])
            fixed = colors
        if fixed is None:
            del attrs["color"]
            warnings.append(f"'{name}': dropped unusable vertex colours of mesh '{gname}'.")
        else:
            attrs["color"] = fixed
    return mesh
