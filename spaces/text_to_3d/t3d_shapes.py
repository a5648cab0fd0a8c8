"""Low-poly primitives and the Model part collector used by every builder.

Conventions: glTF axes (+Y up), metres. Every primitive returns a closed
``trimesh.Trimesh`` with outward-facing triangles; positions are absolute.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

import numpy as np
import trimesh
from trimesh.visual.material import PBRMaterial

Vec = Sequence[float]


def _mesh(vertices: np.ndarray, faces: np.ndarray) -> trimesh.Trimesh:
    """Wrap arrays in a mesh and make its winding point outward.

    The sign of the enclosed volume (the sum of each face's triple product) says which way the faces wind; it is
    computed here in one numpy expression rather than through `Trimesh.volume` (full mass properties, cached),
    which took a third of a landmark's generation time. Same test, same faces.
    """
    v = np.asarray(vertices, float)
    f = np.asarray(faces, np.int64)
    tri = v[f]
    if np.einsum("ij,ij->", tri[:, 0], np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])) < 0:
        f = np.ascontiguousarray(f[:, ::-1])  # what Trimesh.invert does to the faces
    return trimesh.Trimesh(v, f, process=False)


def box(size: Vec, center: Vec = (0.0, 0.0, 0.0)) -> trimesh.Trimesh:
    """Axis-aligned box of extents ``size`` (x, y, z) centred on ``center``."""
    mesh = trimesh.creation.box(extents=np.asarray(size, float))
    mesh.apply_translation(np.asarray(center, float))
    return mesh


def slab(x0: float, x1: float, y0: float, y1: float, z0: float, z1: float) -> trimesh.Trimesh:
    """Axis-aligned box given by its min/max coordinates."""
    return box((x1 - x0, y1 - y0, z1 - z0), ((x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2))


def lathe(profile: Sequence[tuple[float, float]], sections: int = 16, *,
          center: Vec = (0.0, 0.0, 0.0), closed: bool = False, phase: float = 0.0,
          scale_xz: Vec = (1.0, 1.0)) -> trimesh.Trimesh:
    """Surface of revolution around +Y.

    Args:
        profile: (r, y) points, bottom to top; r == 0 at an end makes a pole,
            r > 0 at an end is capped flat. With ``closed`` the profile is a loop
            (a ring or torus).
        sections: segments around the axis (4 gives a square, rotated by ``phase``).
        center: (x, y, z) offset of the axis base.
        phase: start angle in radians.
        scale_xz: stretch in x and z (ellipses).
    """
    pts = [(float(r), float(y)) for r, y in profile]
    if not closed:
        if pts[0][0] > 0:
            pts.insert(0, (0.0, pts[0][1]))
        if pts[-1][0] > 0:
            pts.append((0.0, pts[-1][1]))
    angles = phase + np.arange(sections) * (2 * math.pi / sections)
    cos, sin = np.cos(angles) * scale_xz[0], np.sin(angles) * scale_xz[1]
    verts: list[np.ndarray] = []
    index: list[int | np.ndarray] = []  # per profile point: pole index or ring indices
    count = 0
    for r, y in pts:
        if r == 0 and not closed:
            verts.append(np.array([[0.0, y, 0.0]]))
            index.append(count)
            count += 1
        else:
            verts.append(np.column_stack([r * cos, np.full(sections, y), r * sin]))
            index.append(np.arange(count, count + sections))
            count += sections
    faces: list[list[int]] = []
    n = len(pts)
    pairs = [(i, (i + 1) % n) for i in range(n)] if closed else [(i, i + 1) for i in range(n - 1)]
    for a, b in pairs:
        ia, ib = index[a], index[b]
        for k in range(sections):
            k1 = (k + 1) % sections
            if isinstance(ia, int):
                faces.append([ia, ib[k1], ib[k]])
            elif isinstance(ib, int):
                faces.append([ia[k], ia[k1], ib])
            else:
                faces.append([ia[k], ia[k1], ib[k1]])
                faces.append([ia[k], ib[k1], ib[k]])
    v = np.vstack(verts) + np.asarray(center, float)
    return _mesh(v, np.array(faces))


def cylinder(radius: float, y0: float, y1: float, sections: int = 16, *,
             x: float = 0.0, z: float = 0.0, phase: float = 0.0) -> trimesh.Trimesh:
    """Upright cylinder from y0 to y1 around (x, z)."""
    return lathe([(radius, y0), (radius, y1)], sections, center=(x, 0, z), phase=phase)


def frustum(r0: float, r1: float, y0: float, y1: float, sections: int = 16, *,
            x: float = 0.0, z: float = 0.0, phase: float = 0.0) -> trimesh.Trimesh:
    """Upright truncated cone (r1 == 0 gives a cone)."""
    return lathe([(r0, y0), (r1, y1)], sections, center=(x, 0, z), phase=phase)


def square_frustum(w0: float, w1: float, y0: float, y1: float, *,
                   x: float = 0.0, z: float = 0.0, d0: float | None = None,
                   d1: float | None = None) -> trimesh.Trimesh:
    """Axis-aligned tapered box: width w0 (depth d0) at y0 to w1 (d1) at y1; w1 == 0 is a pyramid."""
    d0 = w0 if d0 is None else d0
    d1 = w1 if d1 is None else d1
    if w1 <= 0 or d1 <= 0:
        v = np.array([[-w0 / 2, y0, -d0 / 2], [w0 / 2, y0, -d0 / 2], [w0 / 2, y0, d0 / 2],
                      [-w0 / 2, y0, d0 / 2], [0, y1, 0]]) + [x, 0, z]
        f = np.array([[0, 2, 1], [0, 3, 2], [0, 1, 4], [1, 2, 4], [2, 3, 4], [3, 0, 4]])
        return _fix_convex(v, f)
    return hexa([(-w0 / 2, y0, -d0 / 2), (w0 / 2, y0, -d0 / 2), (w0 / 2, y0, d0 / 2), (-w0 / 2, y0, d0 / 2),
                 (-w1 / 2, y1, -d1 / 2), (w1 / 2, y1, -d1 / 2), (w1 / 2, y1, d1 / 2), (-w1 / 2, y1, d1 / 2)],
                offset=(x, 0, z))


_HEXA_FACES = np.array([[0, 2, 1], [0, 3, 2], [4, 5, 6], [4, 6, 7], [0, 1, 5], [0, 5, 4],
                        [1, 2, 6], [1, 6, 5], [2, 3, 7], [2, 7, 6], [3, 0, 4], [3, 4, 7]])


def _fix_convex(v: np.ndarray, faces: np.ndarray) -> trimesh.Trimesh:
    """Orient each face of a convex solid away from its centroid."""
    v = np.asarray(v, float)
    c = v.mean(axis=0)
    faces = faces.copy()
    tri = v[faces]
    normal = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    flip = np.einsum("ij,ij->i", normal, tri.mean(axis=1) - c) < 0
    faces[flip] = faces[flip][:, ::-1]
    return trimesh.Trimesh(v, faces, process=False)


def hexa(corners: Sequence[Vec], offset: Vec = (0.0, 0.0, 0.0)) -> trimesh.Trimesh:
    """Convex six-sided solid from 8 corners: bottom quad 0-3, top quad 4-7 in the same order."""
    return _fix_convex(np.asarray(corners, float) + np.asarray(offset, float), _HEXA_FACES)


def beam(p0: Vec, p1: Vec, w0: float, w1: float | None = None, sections: int = 4) -> trimesh.Trimesh:
    """Prism (tapered from width w0 to w1) running from point p0 to p1."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    length = float(np.linalg.norm(p1 - p0))
    if length <= 1e-9:
        raise ValueError(f"beam needs two distinct points, got {p0.tolist()} twice")
    w1 = w0 if w1 is None else w1
    mesh = lathe([(w0 / 2, 0.0), (w1 / 2, length)], sections, phase=math.pi / sections)
    rotation = _align_y((p1 - p0) / length)  # a proper rotation: the winding stays outward
    return trimesh.Trimesh(mesh.vertices @ rotation[:3, :3].T + p0, mesh.faces, process=False)


def _align_y(direction: np.ndarray) -> np.ndarray:
    """(4, 4) rotation taking +Y onto ``direction`` (a unit vector)."""
    y = np.array([0.0, 1.0, 0.0])
    axis = np.cross(y, direction)
    s, c = np.linalg.norm(axis), float(np.dot(y, direction))
    if s < 1e-9:
        return np.eye(4) if c > 0 else trimesh.transformations.rotation_matrix(math.pi, [1, 0, 0])
    return trimesh.transformations.rotation_matrix(math.atan2(s, c), axis / s)


def sphere(radius: float, center: Vec, *, scale: Vec = (1.0, 1.0, 1.0), subdivisions: int = 1) -> trimesh.Trimesh:
    """Icosphere, optionally stretched into an ellipsoid by ``scale``."""
    mesh = trimesh.creation.icosphere(subdivisions=subdivisions, radius=radius)
    mesh.apply_scale(np.asarray(scale, float))
    mesh.apply_translation(np.asarray(center, float))
    return mesh


def dome(radius: float, y0: float, *, rise: float | None = None, sections: int = 16, rings: int = 5,
         x: float = 0.0, z: float = 0.0, onion: bool = False) -> trimesh.Trimesh:
    """Hemispherical (or raised / onion-shaped) dome standing on y0."""
    rise = radius if rise is None else rise
    if onion:
        shape = [(1.0, 0.0), (1.2, 0.3), (1.05, 0.55), (0.5, 0.8), (0.15, 0.93), (0.0, 1.0)]
        prof = [(radius * a, y0 + rise * b) for a, b in shape]
    else:
        prof = [(radius * math.cos(t), y0 + rise * math.sin(t))
                for t in np.linspace(0, math.pi / 2, rings + 1)]
        prof[-1] = (0.0, y0 + rise)
    return lathe(prof, sections, center=(x, 0, z))


def ring(radius: float, tube: float, *, sections: int = 32, tube_sections: int = 6) -> trimesh.Trimesh:
    """Torus around +Y through the origin (major radius ``radius``)."""
    prof = [(radius + tube * math.cos(a), tube * math.sin(a))
            for a in np.linspace(0, 2 * math.pi, tube_sections, endpoint=False)]
    return lathe(prof, sections, closed=True)


def prism(polygon: Sequence[tuple[float, float]], y0: float, y1: float) -> trimesh.Trimesh:
    """Extrude an (x, z) polygon that is star-shaped around its centroid from y0 to y1."""
    p = np.asarray(polygon, float)
    n = len(p)
    c = p.mean(axis=0)
    v = np.vstack([np.column_stack([p[:, 0], np.full(n, y0), p[:, 1]]),
                   np.column_stack([p[:, 0], np.full(n, y1), p[:, 1]]),
                   [[c[0], y0, c[1]], [c[0], y1, c[1]]]])
    faces = []
    for i in range(n):
        j = (i + 1) % n
        faces += [[i, j, n + j], [i, n + j, n + i], [2 * n, j, i], [2 * n + 1, n + i, n + j]]
    return _mesh(v, np.array(faces))


def gable_roof(width: float, depth: float, y0: float, height: float, *, x: float = 0.0, z: float = 0.0,
               along_z: bool = True) -> trimesh.Trimesh:
    """Triangular prism roof: ridge along z (or x), eaves at y0."""
    w, d = width / 2, depth / 2
    if along_z:
        v = [(-w, y0, -d), (w, y0, -d), (w, y0, d), (-w, y0, d), (0, y0 + height, -d), (0, y0 + height, d)]
    else:
        v = [(-w, y0, -d), (w, y0, -d), (w, y0, d), (-w, y0, d), (-w, y0 + height, 0), (w, y0 + height, 0)]
    if along_z:
        tris = [[0, 2, 1], [0, 3, 2], [0, 1, 4], [3, 5, 2], [1, 2, 5], [1, 5, 4], [0, 4, 5], [0, 5, 3]]
    else:
        tris = [[0, 2, 1], [0, 3, 2], [2, 3, 5], [0, 4, 1], [1, 4, 5], [1, 5, 2], [3, 4, 0], [3, 5, 4]]
    return _fix_convex(np.asarray(v, float) + [x, 0, z], np.array(tris))


def arch_wall(width: float, depth: float, y0: float, y1: float, opening: float, spring: float, *,
              x: float = 0.0, z: float = 0.0, along_x: bool = True, segments: int = 10,
              piers: bool = True) -> list[trimesh.Trimesh]:
    """Wall with a round-headed opening through it (piers + voussoir blocks + top).

    Args:
        width: wall length across the opening (m); depth: thickness (m).
        y0, y1: bottom and top of the wall.
        opening: clear width of the opening; spring: height where the arch starts.
        along_x: the wall runs along x (opening passes through z) if True.
        piers: include the solid parts beside the opening below the spring.
    """
    r = opening / 2
    crown = spring + r
    top = max(y1, crown + 0.05 * opening)
    half = width / 2
    parts = [_wall_box(-half, -r, y0, spring, depth), _wall_box(r, half, y0, spring, depth)] if piers else []
    # voussoirs: quads between the arc and the rectangle [-half, half] x [spring, top]
    corner = math.atan2(top - spring, half)
    angles = sorted(set(np.linspace(0, math.pi, segments + 1).round(9).tolist() + [round(corner, 9), round(math.pi - corner, 9)]))
    for a0, a1 in zip(angles[:-1], angles[1:]):
        pts = []
        for a in (a0, a1):
            ca, sa = math.cos(a), math.sin(a)
            inner = (r * ca, spring + r * sa)
            # ray from the arc centre to the rectangle boundary
            t = min(half / abs(ca) if abs(ca) > 1e-9 else 1e9, (top - spring) / sa if sa > 1e-9 else 1e9)
            outer = (t * ca, spring + t * sa)
            pts.append((inner, outer))
        (i0, o0), (i1, o1) = pts
        quad = [i0, i1, o1, o0]
        parts.append(hexa([(px, py, -depth / 2) for px, py in quad] + [(px, py, depth / 2) for px, py in quad]))
    out = []
    for m in parts:
        if not along_x:
            m.apply_transform(trimesh.transformations.rotation_matrix(math.pi / 2, [0, 1, 0]))
        m.apply_translation([x, 0, z])
        out.append(m)
    return out


def _wall_box(x0: float, x1: float, y0: float, y1: float, depth: float) -> trimesh.Trimesh:
    return slab(x0, x1, y0, y1, -depth / 2, depth / 2)


def rotate_y(mesh: trimesh.Trimesh, angle: float, about: Vec = (0.0, 0.0, 0.0)) -> trimesh.Trimesh:
    """Rotate ``mesh`` in place about a vertical axis through ``about``; returns it."""
    mesh.apply_transform(trimesh.transformations.rotation_matrix(angle, [0, 1, 0], about))
    return mesh


def material(name: str, rgb: Vec, *, metallic: float = 0.0, roughness: float = 0.8,
             alpha: float | None = None) -> PBRMaterial:
    """PBR material from an sRGB colour; ``alpha`` < 1 turns on BLEND and double-sided rendering."""
    rgba = [_linear(float(c)) for c in rgb[:3]] + [1.0 if alpha is None else float(alpha)]
    kwargs = {}
    if alpha is not None and alpha < 1:
        kwargs = {"alphaMode": "BLEND", "doubleSided": True}
    return PBRMaterial(name=name, baseColorFactor=rgba, metallicFactor=metallic,
                       roughnessFactor=roughness, **kwargs)


def _linear(c: float) -> float:
    """sRGB component -> linear (glTF baseColorFactor is linear)."""
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


@dataclass
class Model:
    """Collects named parts (one mesh + one material each) for one object.

    Attributes:
        kind: builder key, used as the node-name prefix ("eiffel_tower").
        rng: seeded generator for small, seed-dependent details.
        colour: optional sRGB (r, g, b) override for the main material.
        metal: the override colour is a metal (gold, silver...).
    """

    kind: str
    rng: np.random.Generator
    colour: tuple[float, float, float] | None = None
    metal: bool = False
    parts: list[tuple[str, trimesh.Trimesh, PBRMaterial]] = field(default_factory=list)
    _materials: dict[str, PBRMaterial] = field(default_factory=dict)

    def mat(self, name: str, rgb: Vec, **kwargs) -> PBRMaterial:
        """Shared material by name (created on first use)."""
        if name not in self._materials:
            self._materials[name] = material(name, rgb, **kwargs)
        return self._materials[name]

    def main(self, name: str, rgb: Vec, **kwargs) -> PBRMaterial:
        """The object's main material: ``rgb`` unless the prompt named a colour."""
        if self.colour is None:
            return self.mat(name, rgb, **kwargs)
        if self.metal:
            kwargs.update(metallic=0.9, roughness=0.35)
        return self.mat(name, self.colour, **kwargs)

    def add(self, part: str, meshes: trimesh.Trimesh | Iterable[trimesh.Trimesh], mat: PBRMaterial) -> None:
        """Add a part; several meshes are merged into one."""
        if isinstance(meshes, trimesh.Trimesh):
            mesh = meshes
        else:
            meshes = list(meshes)
            mesh = meshes[0] if len(meshes) == 1 else trimesh.util.concatenate(meshes)
        names = {p[0] for p in self.parts}
        name, i = part, 2
        while name in names:
            name, i = f"{part}_{i}", i + 1
        self.parts.append((name, mesh, mat))


@dataclass(frozen=True)
class Entry:
    """One buildable subject: a landmark or a keyword object.

    Attributes:
        kind: builder key and node-name prefix ("eiffel_tower", "lighthouse").
        name: display name ("Eiffel Tower").
        height_m: nominal height in metres (landmarks: the real one).
        aliases: phrases that select it, matched on normalised text.
        build: fills a Model with parts.
    """

    kind: str
    name: str
    height_m: float
    aliases: tuple[str, ...]
    build: Callable[[Model], None]


def lattice(levels: Sequence[tuple[float, float]], width: float, *, braces: bool = True,
            center: Vec = (0.0, 0.0, 0.0)) -> list[trimesh.Trimesh]:
    """Square lattice column: 4 corner beams through (y, half_width) levels, X-braced faces.

    Args:
        levels: (y, half_width) pairs, bottom to top.
        width: corner beam width at the bottom; it shrinks with the half width.
        center: (x, y, z) offset.
    """
    corners = [(1, 1), (1, -1), (-1, -1), (-1, 1)]
    base = levels[0][1]
    out = []
    c = np.asarray(center, float)
    for (y0, h0), (y1, h1) in zip(levels[:-1], levels[1:]):
        w0, w1 = max(width * h0 / base, width * 0.3), max(width * h1 / base, width * 0.3)
        p0 = [c + (sx * h0, y0, sz * h0) for sx, sz in corners]
        p1 = [c + (sx * h1, y1, sz * h1) for sx, sz in corners]
        for a, b in zip(p0, p1):
            out.append(beam(a, b, w0, w1))
        if braces:
            for i in range(4):
                j = (i + 1) % 4
                out.append(beam(p0[i], p1[j], w1 * 0.5))
                out.append(beam(p0[j], p1[i], w1 * 0.5))
    return out


def sails(hub: np.ndarray, length: float, angle: float) -> list[trimesh.Trimesh]:
    """Four windmill sails (spar + blade) in the plane z = hub z, facing +z."""
    out = [beam(hub - (0, 0, 0.8), hub + (0, 0, 0.4), 0.9, sections=8)]
    for k in range(4):
        a = angle + k * math.pi / 2
        d = np.array([math.cos(a), math.sin(a), 0.0])
        n = np.array([-math.sin(a), math.cos(a), 0.0])
        tip = hub + d * length
        out.append(beam(hub, tip, 0.35))
        w = length * 0.22
        p = [hub + d * length * 0.2, hub + d * length * 0.2 + n * w, tip + n * w, tip]
        out.append(hexa([q + (0, 0, -0.06) for q in p] + [q + (0, 0, 0.06) for q in p]))
    return out
