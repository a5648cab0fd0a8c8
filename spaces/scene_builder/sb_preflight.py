"""Strict safety checks on the raw bytes of a GLB / glTF file, before any 3D library sees them.

Only the standard library is used, so nothing here can fetch a URI, decode an
image or allocate more than the file already occupies.  `check_file` either
raises `GLBRejected` (naming the file, the problem and the fix) or returns a
`Checked` holding a *clean* GLB rebuilt from the vetted parts:

- one JSON chunk and one BIN chunk (every buffer merged into it, data: URIs decoded),
- no animations or skins (the gallery shows static meshes),
- images with external URIs replaced by an unused placeholder, their textures unlinked.

What is refused: files over `MAX_FILE_BYTES`; bad magic, version or lengths in
the 12-byte header; chunk headers that run past the end, a first chunk that is
not JSON, duplicate JSON/BIN chunks; JSON that is not UTF-8 or does not parse;
buffers with a non-`data:` URI (paths, `file://`, `http(s)://`, traversal; the
URI is never opened); buffers, bufferViews and accessors that claim more bytes
than exist (the "1 TiB buffer" and "500M-vertex accessor" bombs); index values
past the vertex count; references (mesh, accessor, bufferView, material, node,
texture, image, sampler, camera, scene) outside their arrays; node cycles,
nodes with two parents and hierarchies deeper than `MAX_NODE_DEPTH`;
geometry-compression extensions (Draco, meshopt), listed in extensionsUsed or only present
on a primitive or bufferView; files without any mesh; and files whose implied work exceeds a
limit of `sb_budget` (accessor totals, instanced triangles and vertices with strips and fans
converted, node count, texture pixels from PNG/JPEG headers), checked before any loader runs.
Index values are checked against the POSITION count, sparse replacements included.
Unaligned chunk lengths and trailing bytes are tolerated (real files have them).
The container (header, chunks, JSON) is checked here; the document's references
and sizes in `sb_gltf_document`.
"""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass, field

from sb_errors import GLBRejected
from sb_gltf_document import MAX_NODE_DEPTH, Work, check_document

__all__ = ["Checked", "MAX_FILE_BYTES", "MAX_NODE_DEPTH", "check_bytes", "check_file", "read_file"]

MAX_FILE_BYTES = 64 * 1024 * 1024

_GLB_MAGIC = b"glTF"
_CHUNK_JSON = 0x4E4F534A
_CHUNK_BIN = 0x004E4942
_GLB_ADVICE = "Send a binary glTF 2.0 (.glb) file."


@dataclass
class Checked:
    """A file that passed the checks.

    Attributes:
        name: the file's base name.
        glb: a clean GLB (JSON + one BIN chunk) rebuilt from the vetted parts, for the loader.
        generator: the `asset.generator` string, "" when absent.
        warnings: non-fatal notes, each starting with the file name.
        work: what loading it costs (triangles once instanced, texture pixels...), see `sb_gltf_document.Work`.
    """

    name: str
    glb: bytes
    generator: str = ""
    warnings: list[str] = field(default_factory=list)
    work: Work = field(default_factory=Work)


def check_file(path: str | os.PathLike[str]) -> Checked:
    """Read a file (refusing oversize ones before reading) and check it.

    Args:
        path: path of a .glb or .gltf file (the content decides which).

    Returns:
        The vetted file, see `Checked`.

    Raises:
        GLBRejected: the file is unsafe, broken or has no geometry.
    """
    return check_bytes(read_file(path), os.path.basename(os.fspath(path)))


def read_file(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a file, refusing one over `MAX_FILE_BYTES` before reading it.

    Raises:
        GLBRejected: the file is too large or cannot be read.
    """
    name = os.path.basename(os.fspath(path))
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise GLBRejected(name, f"is {size / 2**20:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB",
                              "Send a smaller or decimated model.")
        with open(path, "rb") as fh:
            return fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise GLBRejected(name, f"could not be read ({exc.strerror or exc})", "Upload the file again.") from exc


def check_bytes(data: bytes, name: str) -> Checked:
    """Check the bytes of one GLB or glTF-JSON file.

    Args:
        data: the whole file.
        name: its base name, used in messages.

    Returns:
        The vetted file, see `Checked`.

    Raises:
        GLBRejected: the file is unsafe, broken or has no geometry.
    """
    if len(data) > MAX_FILE_BYTES:
        raise GLBRejected(name, f"is {len(data) / 2**20:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB",
                          "Send a smaller or decimated model.")
    warnings: list[str] = []
    if data[:4] == _GLB_MAGIC:
        doc, bin_chunk = _parse_glb(data, name, warnings)
    elif data.lstrip(b" \t\r\n")[:1] == b"{":
        doc, bin_chunk = _parse_json(data, name, "file"), None
    else:
        raise GLBRejected(name, _describe_non_glb(data), _GLB_ADVICE)
    blob, work = check_document(doc, bin_chunk, name, warnings)
    return Checked(name=name, glb=_build_glb(doc, blob), generator=str(doc["asset"].get("generator", ""))[:200],
                   warnings=warnings, work=work)


def _describe_non_glb(data: bytes) -> str:
    if not data:
        return "is empty (0 bytes)"
    if len(data) < 4:
        return f"is not a GLB file: it has only {len(data)} bytes, a GLB header needs 12"
    head = "".join(chr(b) if 32 <= b < 127 else f"\\x{b:02x}" for b in data[:4])
    kind = ""
    text = data[:64].lstrip().lower()
    if text.startswith((b"<!doctype", b"<html", b"<?xml", b"<")):
        kind = " (it looks like an HTML/XML page)"
    elif text.startswith((b"v ", b"o ", b"# ", b"mtllib", b"vn ")):
        kind = " (it looks like a Wavefront OBJ text file)"
    elif text.startswith(b"solid"):
        kind = " (it looks like an ASCII STL file)"
    return f"is not a GLB file: it starts with '{head}' instead of the 'glTF' magic{kind}"


def _parse_glb(data: bytes, name: str, warnings: list[str]) -> tuple[dict, bytes | None]:
    if len(data) < 12:
        raise GLBRejected(name, f"is truncated: it has {len(data)} bytes, a GLB header needs 12", _GLB_ADVICE)
    _, version, length = struct.unpack_from("<4sII", data, 0)
    if version != 2:
        raise GLBRejected(name, f"is glTF container version {version}; only version 2 is supported", _GLB_ADVICE)
    if length > len(data):
        raise GLBRejected(name, f"is truncated or its header is wrong: the header says {length:,} bytes "
                                f"but the file has {len(data):,}", _GLB_ADVICE)
    if length < 20:
        raise GLBRejected(name, f"declares a total length of {length} bytes, too small to hold a JSON chunk",
                          _GLB_ADVICE)
    if length < len(data):
        warnings.append(f"'{name}': ignored {len(data) - length:,} bytes after the end of the GLB.")
    chunks: list[tuple[int, bytes]] = []
    offset = 12
    while offset < length:
        if offset + 8 > length:
            raise GLBRejected(name, f"is truncated inside a chunk header at byte {offset:,}", _GLB_ADVICE)
        clen, ctype = struct.unpack_from("<II", data, offset)
        start = offset + 8
        if start + clen > length:
            raise GLBRejected(name, f"has a chunk at byte {offset:,} that claims {clen:,} bytes but only "
                                    f"{length - start:,} remain in the file", _GLB_ADVICE)
        chunks.append((ctype, data[start:start + clen]))
        # Chunks should be 4-byte aligned; real files (old trimesh) are not, and the lengths are still exact.
        offset = start + clen
    if not chunks or chunks[0][0] != _CHUNK_JSON:
        first = f"0x{chunks[0][0]:08x}" if chunks else "none"
        raise GLBRejected(name, f"does not start with a JSON chunk (first chunk type: {first})", _GLB_ADVICE)
    types = [t for t, _ in chunks]
    if types.count(_CHUNK_JSON) > 1:
        raise GLBRejected(name, f"has {types.count(_CHUNK_JSON)} JSON chunks; a GLB has exactly one", _GLB_ADVICE)
    if types.count(_CHUNK_BIN) > 1:
        raise GLBRejected(name, f"has {types.count(_CHUNK_BIN)} BIN chunks; a GLB has at most one", _GLB_ADVICE)
    if _CHUNK_BIN in types and types.index(_CHUNK_BIN) != 1:
        raise GLBRejected(name, "has its BIN chunk in the wrong place; it must directly follow the JSON chunk",
                          _GLB_ADVICE)
    unknown = [t for t in types if t not in (_CHUNK_JSON, _CHUNK_BIN)]
    if unknown:
        warnings.append(f"'{name}': ignored {len(unknown)} chunk(s) of unknown type.")
    if not chunks[0][1]:
        raise GLBRejected(name, "has an empty JSON chunk", _GLB_ADVICE)
    bin_chunk = chunks[1][1] if len(chunks) > 1 and chunks[1][0] == _CHUNK_BIN else None
    return _parse_json(chunks[0][1], name, "JSON chunk"), bin_chunk


def _parse_json(raw: bytes, name: str, where: str) -> dict:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GLBRejected(name, f"has a {where} that is not UTF-8 text (bad byte at offset {exc.start:,})",
                          _GLB_ADVICE) from exc
    if text.startswith("\ufeff"):
        raise GLBRejected(name, f"has a {where} starting with a byte-order mark, which glTF forbids",
                          "Save the JSON as UTF-8 without BOM.")
    text = text.rstrip(" \t\r\n\x00")  # GLB JSON is padded with spaces; some writers pad with NULs
    try:
        doc = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise GLBRejected(name, f"has a {where} that is not valid JSON ({exc.msg} at line {exc.lineno}, "
                                f"column {exc.colno})", _GLB_ADVICE) from exc
    except ValueError as exc:  # NaN / Infinity literals, which JSON (and glTF) do not allow
        raise GLBRejected(name, f"has a {where} that is not valid JSON ({exc})", _GLB_ADVICE) from exc
    except RecursionError as exc:
        raise GLBRejected(name, f"has a {where} nested too deeply to parse", _GLB_ADVICE) from exc
    if not isinstance(doc, dict):
        raise GLBRejected(name, f"has a {where} that is not a JSON object", _GLB_ADVICE)
    return doc


def _refuse_constant(token: str) -> float:
    raise ValueError(f"the non-standard number '{token}'")


def _build_glb(doc: dict, blob: bytes) -> bytes:
    if not blob:
        doc.pop("buffers", None)
    text = json.dumps(doc, separators=(",", ":"), allow_nan=False).encode("utf-8")
    text += b" " * (-len(text) % 4)
    out = [struct.pack("<II", len(text), _CHUNK_JSON), text]
    if blob:
        body = blob + b"\0" * (-len(blob) % 4)
        out += [struct.pack("<II", len(body), _CHUNK_BIN), body]
    payload = b"".join(out)
    return struct.pack("<4sII", _GLB_MAGIC, 2, 12 + len(payload)) + payload
