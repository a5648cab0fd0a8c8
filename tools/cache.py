"""A content-addressed result cache for Space calls, on disk, shared across runs and users.

Key: the Space, the endpoint, the normalised inputs and the SHA-256 of every
input file (so a re-uploaded identical file hits).  Entry: a folder with the
output files and `entry.json` (the output with file names relative to the
folder).  Bounded by total size and age; least recently used entries go first.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any, Callable

from tools.values import map_leaves

logger = logging.getLogger(__name__)


def holds_nothing(folder: Path) -> bool:
    """True when a cache in `folder` can answer no call at all (no entry, or no folder): every call will be made."""
    return not any(Path(folder).glob("*/*"))


def file_digest(path: str | Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


class ResultCache:
    """Look up and store Space call results.

    An in-memory index (entry folder -> last use, size) keeps the total without walking the folder on every
    write; it is rebuilt from disk at first use and every `rescan_s`, which also picks up entries written by
    other processes sharing the folder (the CLI and the server). Files are copied outside the lock.

    Args:
        folder: where entries live (created on first store).
        max_bytes: total size above which old entries are evicted.
        max_age_s: entries older than this are ignored and evicted.
        rescan_s: how often the index is rebuilt from disk.
    """

    def __init__(self, folder: Path, *, max_bytes: int = 512 * 1024 * 1024, max_age_s: float = 7 * 86400,
                 rescan_s: float = 600.0) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self.max_age_s = max_age_s
        self.rescan_s = rescan_s
        self.scans = 0  # how many times the folder was walked (for tests and the curious)
        self._lock = threading.Lock()
        self._index: dict[Path, tuple[float, int]] | None = None
        self._total = 0
        self._scanned_at = float("-inf")

    def key(self, space: str, endpoint: str, inputs: dict[str, Any], files: list[str]) -> str:
        """The cache key of a call; `files` are the local paths among the inputs (hashed by content)."""
        normal = {k: _normalise(v) for k, v in inputs.items()}
        digests = {str(i): file_digest(p) for i, p in enumerate(files)}
        text = json.dumps({"space": space, "endpoint": endpoint, "inputs": normal, "files": digests},
                          sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, key: str, target_dir: Path, prefix: str | Callable[[], str]) -> Any | None:
        """The cached output with its files copied into `target_dir` (names start with `prefix`), or None.

        `prefix` may be a function, called only on a hit (e.g. to claim the next call id).
        """
        entry = self.folder / key[:2] / key
        meta = entry / "entry.json"
        with self._lock:
            if not meta.is_file() or time.time() - meta.stat().st_mtime > self.max_age_s:
                return None
            try:
                output = json.loads(meta.read_text(encoding="utf-8"))["output"]
                start = prefix() if callable(prefix) else prefix
                result = _map_files(output, lambda name: str(_copy(entry / name, target_dir / f"{start}{name}")),
                                    keep_marker=False)
            except (OSError, KeyError, json.JSONDecodeError) as exc:
                logger.warning("cache entry %s unreadable (%s); ignoring it", key[:12], exc)
                return None
            os.utime(meta)  # most recently used
            if self._index is not None and entry in self._index:
                self._index[entry] = (time.time(), self._index[entry][1])
            return result

    def put(self, key: str, output: Any) -> None:
        """Store an output whose files are marked `{"__file__": absolute path}`; never raises (a cache is optional)."""
        entry = self.folder / key[:2] / key
        tmp = entry.with_name(entry.name + f".tmp{os.getpid()}-{threading.get_ident()}")
        try:
            tmp.mkdir(parents=True, exist_ok=True)
            relative = _map_files(output, lambda path: _copy(Path(path), tmp / Path(path).name).name,
                                  keep_marker=True)
            (tmp / "entry.json").write_text(json.dumps({"output": relative}, ensure_ascii=False), "utf-8")
            size = _folder_size(tmp)
            with self._lock:
                if entry.exists():
                    shutil.rmtree(entry)
                    self._forget(entry)
                tmp.rename(entry)
                if self._index is not None:
                    self._index[entry] = (time.time(), size)
                    self._total += size
            self.evict()
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            logger.warning("could not cache a result (%s); continuing without it", exc)

    def evict(self) -> None:
        """Drop expired entries, then the least recently used until the cache fits `max_bytes`."""
        with self._lock:
            if self._index is None or time.monotonic() - self._scanned_at > self.rescan_s:
                self._scan()
            now = time.time()
            for entry, (used, _) in sorted(self._index.items(), key=lambda item: item[1][0]):
                if now - used <= self.max_age_s and self._total <= self.max_bytes:
                    break  # oldest first: every later entry is newer
                shutil.rmtree(entry, ignore_errors=True)
                self._forget(entry)

    def _scan(self) -> None:
        """Rebuild the index from the folder (the only walk over every entry)."""
        self.scans += 1
        self._index, self._total = {}, 0
        for meta in self.folder.glob("*/*/entry.json"):
            try:
                size = _folder_size(meta.parent)
                self._index[meta.parent] = (meta.stat().st_mtime, size)
            except OSError:
                continue  # removed by another process meanwhile
            self._total += size
        self._scanned_at = time.monotonic()

    def _forget(self, entry: Path) -> None:
        if self._index is not None and entry in self._index:
            self._total -= self._index.pop(entry)[1]


def _folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.iterdir() if f.is_file())


def _normalise(value: Any) -> Any:
    """`value` with runs of whitespace collapsed in every string and whole floats as ints (same key, same call)."""
    return map_leaves(value, _normalise_leaf)


def _normalise_leaf(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def mark_files(value: Any) -> Any:
    """Wrap every string that names an existing file as `{"__file__": path}` (what `put` expects)."""
    return map_leaves(value, lambda leaf: {"__file__": leaf} if isinstance(leaf, str) and os.path.isfile(leaf)
                      else leaf)


def _map_files(value: Any, fn, *, keep_marker: bool) -> Any:
    """Replace each `{"__file__": x}` with fn(x), still wrapped when `keep_marker`."""

    def one(leaf: Any) -> Any:
        if not _is_marker(leaf):
            return leaf
        mapped = fn(leaf["__file__"])
        return {"__file__": mapped} if keep_marker else mapped

    return map_leaves(value, one, is_leaf=_is_marker)


def _is_marker(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"__file__"}
