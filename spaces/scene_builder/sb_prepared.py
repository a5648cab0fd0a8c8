"""Prepared objects (checked, loaded, normalised) kept between assemblies, keyed by the content of their file.

A follow-up edit sends the same GLBs again with one of them changed. Preparing a file (preflight, trimesh load,
normalise) is an assembly child's per-object work, so the server keeps what a child prepared and hands it to the
next child that gets the same bytes:

- Key: the SHA-256 of the file's bytes, computed by the server from the uploaded file (never a name, path or
  hash the client chose), plus `FINGERPRINT` (the code of the preflight, glTF-document, normalise and budget
  modules and the trimesh version), so a changed file or changed rules never match an entry.
- Bytes without an entry are prepared by the child exactly as before: preflight first, then loading, all inside
  the isolated child. The child returns the prepared object pickled (taken right after loading, before the
  gallery-wide decimation and texture caps, which each assembly redoes), and only when the SHA-256 of the bytes
  it read equals the server's key (the file did not change between hashing and reading).
- The server never unpickles an entry: it keeps the bytes and passes them to a later assembly child. (A child is
  a crash and memory boundary, not a code-execution one; the server already unpickles children's answers.)
- Bounded: least recently used entries go once the total passes `SCENE_BUILDER_CACHE_MB` (default 128; 0 turns
  the cache off); one entry may use at most a quarter of it.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import struct
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import trimesh

import sb_budget
import sb_gltf_document
import sb_normalize
import sb_preflight
from sb_normalize import LoadedObject, load_object
from sb_preflight import Checked

__all__ = ["CACHE_MB", "FINGERPRINT", "Prepared", "PreparedCache", "file_key", "placeholder_of", "prepare", "reuse"]


def _cache_mb() -> int:
    raw = os.environ.get("SCENE_BUILDER_CACHE_MB", "128")
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise ValueError(f"SCENE_BUILDER_CACHE_MB must be a whole number of MiB (0 turns the cache off), got {raw!r}.")
    return value


CACHE_MB = _cache_mb()
FINGERPRINT = hashlib.sha256(
    b"".join(Path(m.__file__).read_bytes() for m in (sb_preflight, sb_gltf_document, sb_normalize, sb_budget))
    + trimesh.__version__.encode()).hexdigest()[:16]
_CHUNK = 1 << 20


@dataclass
class Prepared:
    """One input file ready to be placed.

    Attributes:
        obj: the loaded, normalised object (`sb_normalize.LoadedObject`), named after this request's file.
        triangles: triangles once instanced, from the preflight (for the gallery's limits).
        texture_pixels: texture pixels, from the preflight.
        placeholder: why the file is a stand-in (`scenes[0].extras.placeholder`), or None.
        reused: True when it came from the cache.
    """

    obj: LoadedObject
    triangles: int
    texture_pixels: int
    placeholder: str | None
    reused: bool = False


def file_key(path: str | os.PathLike[str]) -> str:
    """The cache key of a file: SHA-256 of its bytes (read in 1 MiB chunks) and the rules' `FINGERPRINT`."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return f"{digest.hexdigest()}:{FINGERPRINT}"


def placeholder_of(glb: bytes) -> str | None:
    """The stand-in note a vetted GLB carries in `scenes[0].extras.placeholder` ("no builder for 'x'"), if any."""
    (length,) = struct.unpack_from("<I", glb, 12)
    doc = json.loads(glb[20:20 + length])
    scenes, index = doc.get("scenes") or [], doc.get("scene", 0)
    scene = scenes[index] if isinstance(index, int) and 0 <= index < len(scenes) else {}
    extras = scene.get("extras") if isinstance(scene, dict) else None
    reason = extras.get("placeholder") if isinstance(extras, dict) else None
    return reason[:200] if isinstance(reason, str) and reason.strip() else None


def prepare(checked: Checked, data: bytes, key: str | None = None) -> tuple[Prepared, bytes | None]:
    """Load one checked file (in an assembly child); also pickle it for the cache when `key` matches its bytes.

    Args:
        checked: `sb_preflight.check_bytes` of `data`.
        data: the file's bytes as read (`sb_preflight.read_file`).
        key: the server's `file_key` of the file; None: nothing to cache.

    Returns:
        (the prepared file, its cache entry or None).

    Raises:
        GLBRejected: trimesh cannot read it, it has no triangles, or its vertices are not finite.
    """
    prepared = Prepared(obj=load_object(checked), triangles=checked.work.triangles,
                        texture_pixels=checked.work.texture_pixels, placeholder=placeholder_of(checked.glb))
    entry = None
    if key is not None and key == f"{hashlib.sha256(data).hexdigest()}:{FINGERPRINT}":
        entry = pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL)
    return prepared, entry


def reuse(entry: bytes, path: str) -> Prepared:
    """A cache entry as this request's file: a fresh copy, its file name and warnings renamed to `path`'s name."""
    prepared: Prepared = pickle.loads(entry)
    old, new = prepared.obj.file, os.path.basename(path)
    prepared.obj.file = new
    prepared.obj.warnings = [f"'{new}'{w[len(old) + 2:]}" if w.startswith(f"'{old}'") else w
                             for w in prepared.obj.warnings]
    prepared.reused = True
    return prepared


class PreparedCache:
    """Cache entries by key, least recently used first out; thread-safe (the server runs 3 assemblies at once).

    Args:
        max_bytes: the most bytes all entries may hold together; 0: keep nothing.
    """

    def __init__(self, max_bytes: int = CACHE_MB * 2**20) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def get(self, key: str) -> bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: bytes) -> None:
        """Keep `entry` (not if it alone would take over a quarter of the cache), dropping the oldest to fit."""
        if len(entry) > self.max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            self._bytes -= len(old) if old is not None else 0
            self._entries[key] = entry
            self._bytes += len(entry)
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped)
