"""The run journal: what a run asked for and every Space call it finished, written as it happens.

`<run folder>/journal.jsonl`, one JSON object a line:
    {"kind": "run", "run_id", "request", "started_at"}       first line
    {"kind": "call", "key", "tool", "provider", "endpoint", "inputs", "output", "at"}   per finished call
    {"kind": "end", "status": "ok"|"error"|"cancelled", "error", "at"}     when the run ends (absent after a crash)

A crash or a kill loses nothing that finished: each line is flushed and fsync'ed
before the call's result reaches the agent.  Resuming replays recorded calls
instead of repeating them.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.run import RunPaths
from agent.run_log import utc_now
from tools.errors import InvalidInputError
from tools.values import iter_leaves


@dataclass
class RunRecord:
    """A journal read back: the request, finished calls by key, and how the run ended (None if it never did)."""

    run_id: str
    request: str
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    status: str | None = None


class RunJournal:
    """Appends journal lines for one run (`paths.journal`); thread-safe."""

    def __init__(self, paths: RunPaths) -> None:
        self.paths = paths
        self.path = paths.journal
        self._lock = threading.Lock()

    def _append(self, entry: dict[str, Any]) -> None:
        line = json.dumps({**entry, "at": utc_now()}, ensure_ascii=False, default=str)
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def start(self, request: str) -> None:
        self._append({"kind": "run", "run_id": self.paths.run_id, "request": request})

    def record_call(self, key: str, record: dict[str, Any]) -> None:
        self._append({"kind": "call", "key": key, **record})

    def end(self, status: str, error: str | None) -> None:
        self._append({"kind": "end", "status": status, "error": error})


def existing_run(data_dir: Path, run_id: str) -> RunPaths:
    """The paths of an existing run (one that has a journal).

    Raises:
        InvalidInputError: the id is malformed or no such run exists.
    """
    paths = RunPaths.of(data_dir, run_id)
    if not paths.journal.is_file():
        raise InvalidInputError(f"No run {paths.run_id} in {paths.folder.parent}; check the id in the chain log.")
    return paths


def read_journal(paths: RunPaths) -> RunRecord:
    """Read a run's journal, ignoring a torn last line (the process died while writing it)."""
    record: RunRecord | None = None
    for line in paths.journal.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if entry.get("kind") == "run":
            record = RunRecord(run_id=entry["run_id"], request=entry["request"])
        elif record is not None and entry.get("kind") == "call":
            outputs_exist = all((paths.folder / p).is_file() for p in _asset_paths(entry.get("output")))
            if outputs_exist:
                record.calls[entry["key"]] = entry
        elif record is not None and entry.get("kind") == "end":
            record.status = entry.get("status")
    if record is None:
        raise InvalidInputError(f"The journal in {paths.folder} has no start line; the run cannot be resumed.")
    return record


def _asset_paths(value: Any) -> list[str]:
    """The run-folder files ("assets/...") a recorded output names, anywhere inside it."""
    return [leaf for leaf in iter_leaves(value) if isinstance(leaf, str) and leaf.startswith("assets/")]
