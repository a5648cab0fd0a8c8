"""GLB container helpers: a quick soundness check of files Spaces return, writing run metadata, and a bounded
OBJ/STL/PLY/OFF to GLB conversion (size caps first, then trimesh in a memory-limited child process)."""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
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
# What a returned mesh may cost to convert.  Measured with trimesh 5.2: a 1M-triangle OBJ (38 MB) peaks at
# 380 MB and 7 s, a 1M-triangle binary STL (48 MB) at 680 MB and 9 s; unbounded, a 46 MB OBJ took 966 MB and 48 s.
MAX_MESH_BYTES = 48 * 2**20
MAX_MESH_ELEMENTS = 1_000_000  # vertices, and triangles (an OBJ/PLY/OFF polygon of k corners counts k - 2)
CONVERT_MEMORY_MB = 1536  # address-space limit of the conversion child
CONVERT_TIMEOUT_S = 120.0
_HEADER_BYTES = 64 * 1024  # PLY/OFF element counts are in the first lines


def mesh_to_glb(path: Path) -> Path:
    """Convert an OBJ/STL/PLY/OFF mesh to a GLB beside it (same name, .glb), so GLB-only Spaces can take it.

    The file's size and element counts are checked first (`MAX_MESH_BYTES`, `MAX_MESH_ELEMENTS`, read from the
    STL/PLY/OFF header or by counting OBJ lines); then trimesh parses it in a child process limited to
    `CONVERT_MEMORY_MB` of memory and `CONVERT_TIMEOUT_S`, so a hostile file cannot crash or starve the app.

    Raises:
        ValueError: the file is too large, not a mesh with triangles (a point cloud or Gaussian-splat .ply, a broken
            file), or made the converter crash, run out of memory or time. The message completes "the file ...".
    """
    kind = path.suffix[1:].upper()
    size = path.stat().st_size
    if size > MAX_MESH_BYTES:
        raise ValueError(f"is {size / 2**20:.1f} MB; the limit is {MAX_MESH_BYTES // 2**20} MB for a {kind} "
                         f"mesh (ask the Space for a lighter model)")
    for what, count in _mesh_counts(path, size).items():
        if count > MAX_MESH_ELEMENTS:
            raise ValueError(f"has {count:,} {what}; the limit is {MAX_MESH_ELEMENTS:,} for a {kind} mesh "
                             f"(ask the Space for a lighter model)")
    target = path.with_suffix(".glb")
    answer = _convert_in_child(path, target)
    if "error" in answer:
        target.unlink(missing_ok=True)
        raise ValueError(answer["error"])
    return target


def _mesh_counts(path: Path, size: int) -> dict[str, int]:
    """Vertices and triangles a mesh file declares or contains, without parsing it; unknown counts are left out."""
    suffix = path.suffix.lower()
    with path.open("rb") as handle:
        head = handle.read(_HEADER_BYTES)
        if suffix == ".stl":
            if size >= 84 and 84 + 50 * struct.unpack_from("<I", head, 80)[0] == size:
                return {"faces": struct.unpack_from("<I", head, 80)[0]}  # binary STL
            handle.seek(0)
            return {"faces": sum(line.lstrip().startswith(b"facet") for line in handle)}
        if suffix == ".obj":
            handle.seek(0)
            vertices = faces = 0
            for line in handle:
                if line.startswith((b"v ", b"v\t")):
                    vertices += 1
                elif line.startswith((b"f ", b"f\t")):
                    faces += max(len(line.split()) - 3, 1)
            return {"vertices": vertices, "faces": faces}
    text = head.decode("latin-1")
    if suffix == ".ply":
        counts = {}
        for line in text.split("\n"):
            words = line.split()
            if words[:1] == ["end_header"]:
                break
            if len(words) == 3 and words[0] == "element" and words[1] in ("vertex", "face") and words[2].isdigit():
                counts["vertices" if words[1] == "vertex" else "faces"] = int(words[2])
        return counts
    if suffix == ".off":
        words = [w for line in text.split("\n") if not line.lstrip().startswith("#") for w in line.split()]
        if words[:1] and words[0].endswith("OFF"):
            words = words[1:]
        if len(words) >= 2 and words[0].isdigit() and words[1].isdigit():
            return {"vertices": int(words[0]), "faces": int(words[1])}
    return {}


def _convert_in_child(path: Path, target: Path) -> dict:
    """Run `_convert` in a fresh interpreter with a memory limit; its answer, or {"error": why it died}."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-c", "from tools.glb import _child_main; _child_main()", str(path), str(target),
               str(CONVERT_MEMORY_MB)]
    try:
        done = subprocess.run(command, capture_output=True, env=env, timeout=CONVERT_TIMEOUT_S,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {"error": f"took more than {CONVERT_TIMEOUT_S:g} s to convert to GLB (ask the Space for a lighter "
                         f"model)"}
    if done.returncode < 0:
        sig = -done.returncode
        name = signal.Signals(sig).name if sig in signal.valid_signals() else "unknown signal"
        return {"error": f"crashed the mesh converter (signal {sig}, {name}); it is probably malformed"}
    try:
        return json.loads(done.stdout.decode("utf-8").strip().splitlines()[-1])
    except (IndexError, ValueError):
        tail = " ".join(done.stderr.decode("utf-8", "replace").split())[-300:]
        return {"error": f"could not be converted (the converter exited with code {done.returncode}: {tail})"}


def _child_main() -> None:
    """Entry point of the conversion child: `<src> <target> <memory MiB>` -> one JSON line on stdout."""
    import resource

    source, target, memory_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
    limit = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        answer = _convert(Path(source), Path(target))
    except MemoryError:
        answer = {"error": f"needs more than {memory_mb:,} MB of memory to convert to GLB (ask the Space for a "
                           f"lighter model)"}
    print(json.dumps(answer), flush=True)


def _convert(path: Path, target: Path) -> dict:
    """Parse `path` with trimesh and write `target`: {"faces": n}, or {"error": what is wrong with the file}."""
    import trimesh

    kind = path.suffix[1:].upper()
    try:
        loaded = trimesh.load(str(path), force="scene")
    except MemoryError:
        raise
    except Exception as exc:  # trimesh raises many types for unreadable files
        return {"error": f"could not be read as a {kind} mesh ({type(exc).__name__})"}
    faces = sum(len(getattr(g, "faces", ())) for g in loaded.geometry.values())
    if not faces:
        return {"error": f"is a {kind} file without triangles (a point cloud or splat?)"}
    loaded.export(str(target), file_type="glb")
    return {"faces": faces}
