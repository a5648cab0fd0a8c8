"""GLB container helpers: a quick soundness check of files Spaces return, and writing run metadata."""

from __future__ import annotations

import json
import struct
from pathlib import Path

MAX_GLB_BYTES = 256 * 1024 * 1024


def glb_problem(path: Path, *, max_bytes: int = MAX_GLB_BYTES) -> str | None:
    """Say what is wrong with a GLB file's container, or None if it looks sound.

    Checks the 12-byte header, the declared length against the file size and that
    the first chunk is parseable JSON naming glTF version 2.  It does not parse
    the geometry: the scene Space does that with its own limits.
    """
    size = path.stat().st_size
    if size > max_bytes:
        return f"is {size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB limit"
    if size < 20:
        return f"is only {size} bytes long, too short for a GLB"
    with path.open("rb") as handle:
        header = handle.read(20)
        magic, version, length, chunk_length, chunk_type = struct.unpack("<4sIIII", header)
        if magic != b"glTF":
            return f"is not a GLB: it starts with {header[:4]!r} instead of b'glTF'"
        if version != 2:
            return f"is glTF binary version {version}; only version 2 is supported"
        if length > size:
            return f"is truncated: the header declares {length} bytes but the file has {size}"
        if chunk_type != 0x4E4F534A or chunk_length > size - 20:
            return "has no valid JSON chunk after the header"
        try:
            document = json.loads(handle.read(chunk_length).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return "has a JSON chunk that does not parse"
    if not isinstance(document, dict) or str((document.get("asset") or {}).get("version")) != "2.0":
        return "has no 'asset.version' of '2.0' in its JSON"
    return None


def set_asset_extras(path: Path, key: str, value: dict) -> None:
    """Store `value` under `asset.extras[key]` in a GLB's JSON chunk, in place (binary chunk untouched).

    Raises:
        ValueError: the file is not a sound GLB (see `glb_problem`).
    """
    problem = glb_problem(path)
    if problem:
        raise ValueError(f"{path.name} {problem}")
    data = path.read_bytes()
    json_length = struct.unpack_from("<I", data, 12)[0]
    document = json.loads(data[20:20 + json_length].decode("utf-8"))
    document.setdefault("asset", {}).setdefault("extras", {})[key] = value
    chunk = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    chunk += b" " * (-len(chunk) % 4)
    rest = data[20 + json_length:]
    total = 12 + 8 + len(chunk) + len(rest)
    path.write_bytes(struct.pack("<4sII", b"glTF", 2, total) + struct.pack("<II", len(chunk), 0x4E4F534A)
                     + chunk + rest)


MESH_SUFFIXES = (".obj", ".stl", ".ply", ".off")  # other mesh formats 3D Spaces return (TripoSR: .obj)


def mesh_to_glb(path: Path) -> Path:
    """Convert an OBJ/STL/PLY/OFF mesh to a GLB beside it (same name, .glb), so GLB-only Spaces can take it.

    Raises:
        ValueError: the file is not a mesh with triangles (a point cloud or Gaussian-splat .ply, a broken file).
    """
    import trimesh

    try:
        loaded = trimesh.load(str(path), force="scene")
    except Exception as exc:  # trimesh raises many types for unreadable files
        raise ValueError(f"could not be read as a {path.suffix[1:].upper()} mesh ({type(exc).__name__})") from exc
    faces = sum(len(getattr(g, "faces", ())) for g in loaded.geometry.values())
    if not faces:
        raise ValueError(f"is a {path.suffix[1:].upper()} file without triangles (a point cloud or splat?)")
    target = path.with_suffix(".glb")
    loaded.export(str(target), file_type="glb")
    return target
