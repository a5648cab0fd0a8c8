"""The machine-wide record of running companion Spaces: one JSON file and its file lock in a folder.

Every Diorama process on the machine that uses the same folder (the data folder's
`companions/`) finds the companions already running there instead of starting its
own. The file maps a companion's name to its URL, port, pid, code identity, log and
idle period; entries whose process is gone are dropped on the next read. Starting one
companion is serialised by a per-name lock, so two processes that need it at the same
moment start it once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator, Mapping

from filelock import FileLock

__all__ = ["Entry", "CompanionRegistry", "code_identity", "pid_alive", "runs_companion"]

_RUNNER = Path(__file__).resolve().parent / "companion_runner.py"
_IDENTITY_ENV = ("FAULT_", "SCENE_")  # the settings the bundled Spaces read from their environment


@dataclass(frozen=True)
class Entry:
    """One running companion as recorded in the registry file."""

    name: str
    url: str
    port: int
    pid: int
    identity: str  # `code_identity` of the code it runs
    log: str
    idle_s: float
    started_at: float


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def runs_companion(pid: int) -> bool:
    """True when `pid` is alive and runs `tools.companion_runner` (a reused pid is never taken for one)."""
    if not pid_alive(pid):
        return False
    try:
        return b"tools.companion_runner" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc here: trust the pid


def code_identity(folder: Path, environ: Mapping[str, str]) -> str:
    """A hash of a companion's code (every file of its folder, and the runner) and the settings it reads.

    Args:
        folder: the companion's folder, e.g. spaces/text_to_3d.
        environ: the environment it is started with; only FAULT_* and SCENE_* variables count.

    Returns:
        16 hex digits; a companion whose identity changed is restarted.
    """
    sha = hashlib.sha256()
    files = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                   and p.suffix not in (".pyc", ".log"))
    for path in [*files, _RUNNER]:
        sha.update(str(path.relative_to(folder) if path.is_relative_to(folder) else path.name).encode())
        sha.update(path.read_bytes())
    settings = sorted((k, v) for k, v in environ.items() if k.startswith(_IDENTITY_ENV))
    sha.update(json.dumps(settings).encode())
    return sha.hexdigest()[:16]


class CompanionRegistry:
    """The registry file (`companions.json`) in `home`, guarded by `companions.json.lock`.

    Args:
        home: the folder shared by the processes that share companions (created on first use).
    """

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.path = self.home / "companions.json"

    def _lock(self) -> FileLock:
        self.home.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.path) + ".lock")

    @contextlib.contextmanager
    def starting(self, name: str, timeout_s: float) -> Iterator[None]:
        """Hold the start lock of one companion (other processes wait here while it starts).

        Raises:
            TimeoutError: another process held it for `timeout_s` seconds.
        """
        self.home.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.home / f"start-{name}.lock"), timeout=timeout_s):
            yield

    def entries(self) -> dict[str, Entry]:
        """The companions whose process is alive, by name (dead ones are removed from the file)."""
        with self._lock():
            found = self._read()
            alive = {n: e for n, e in found.items() if runs_companion(e.pid)}
            if len(alive) != len(found):
                self._write(alive)
            return alive

    def put(self, entry: Entry) -> None:
        """Record a started companion (replacing an older entry of that name)."""
        with self._lock():
            found = self._read()
            found[entry.name] = entry
            self._write(found)

    def remove(self, name: str, pid: int | None = None) -> None:
        """Forget a companion (only if it still has `pid`, when given)."""
        with self._lock():
            found = self._read()
            if name in found and (pid is None or found[name].pid == pid):
                del found[name]
                self._write(found)

    def heartbeat(self, name: str) -> Path:
        """The file whose modification time says when the companion was last used."""
        return self.home / f"{name}.used"

    def touch(self, name: str) -> None:
        """Mark a companion used now (it exits after its idle period without a touch)."""
        path = self.heartbeat(name)
        try:
            os.utime(path)
        except FileNotFoundError:
            self.home.mkdir(parents=True, exist_ok=True)
            path.touch()

    def _read(self) -> dict[str, Entry]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return {name: Entry(**fields) for name, fields in raw.get("companions", {}).items()}
        except (OSError, ValueError, TypeError):
            return {}  # missing, or written by another version: start afresh

    def _write(self, entries: dict[str, Entry]) -> None:
        text = json.dumps({"updated_at": time.time(), "companions": {n: asdict(e) for n, e in entries.items()}},
                          indent=2)
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, self.path)
