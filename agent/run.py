"""One run: its id, its folder layout (every path a run uses, built once), its chain log, cancel token and budget.

A run's files live in `<data_dir>/runs/<run_id>/`:

    journal.jsonl        the run journal (`agent.journal`): the request and every finished Space call
    edit.json            an edit run only: {"parent_run_id", "instruction"} (`agent.edit_run`)
    assets/              every file a Space call returned, "call-<n>_<name>" (an edit's reused ones "reused-<n>_")
    scene.glb            the run's scene, once it has one
    chain.json           the chain log (`agent.run_log`), written when the run ends
    public/chain.json    the chain log with run-relative paths, for download (`ui.blocks`)
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.run_log import ChainLog
from tools.budget import Budget, Limits
from tools.errors import InvalidInputError

__all__ = ["EDIT_FILE", "JOURNAL", "RUN_ID", "Run", "RunPaths", "check_run_id", "new_run_id", "read_chain",
           "runs_dir"]

RUN_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6,32}$")
JOURNAL = "journal.jsonl"
EDIT_FILE = "edit.json"


def check_run_id(run_id: Any) -> str:
    """The run id stripped, or InvalidInputError: ids name folders, so anything path-like is refused."""
    text = run_id.strip() if isinstance(run_id, str) else ""
    if not RUN_ID.match(text):
        raise InvalidInputError(f"run_id must look like '20261124-061502-3fa1c2e07b9d41a' (the run_id that /start or "
                                f"/build returned), got {str(run_id)[:60]!r}.")
    return text


def new_run_id() -> str:
    """A fresh run id: the local time, then 64 random bits (run files are unguessable)."""
    return time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:16]


def runs_dir(data_dir: Path | str) -> Path:
    """`<data_dir>/runs`, the folder of every run folder (and of the UI's rendered examples)."""
    return Path(data_dir) / "runs"


@dataclass(frozen=True)
class RunPaths:
    """Every path of one run, from the data folder and the run id (nothing is created or checked on disk).

    Use `RunPaths.of(data_dir, run_id)` for an id that came from outside (it is checked first).
    """

    data_dir: Path
    run_id: str

    @classmethod
    def of(cls, data_dir: Path | str, run_id: Any) -> RunPaths:
        """The paths of the run `run_id`, the id checked first.

        Raises:
            InvalidInputError: the id is not a run id (anything path-like is refused).
        """
        return cls(Path(data_dir), check_run_id(run_id))

    @property
    def folder(self) -> Path:
        return runs_dir(self.data_dir) / self.run_id

    @property
    def journal(self) -> Path:
        return self.folder / JOURNAL

    @property
    def edit(self) -> Path:
        return self.folder / EDIT_FILE

    @property
    def assets(self) -> Path:
        return self.folder / "assets"

    @property
    def scene(self) -> Path:
        return self.folder / "scene.glb"

    @property
    def chain(self) -> Path:
        return self.folder / "chain.json"

    @property
    def public_chain(self) -> Path:
        return self.folder / "public" / "chain.json"


def read_chain(paths: RunPaths) -> dict[str, Any] | None:
    """The run's saved chain log (`chain.json`) as a dict, or None if the run never finished."""
    if not paths.chain.is_file():
        return None
    return json.loads(paths.chain.read_text(encoding="utf-8"))


@dataclass
class Run:
    """One run in progress: what it is asked, where its files go, its log, and what can stop it.

    Args:
        paths: the run's folder layout (its id is `paths.run_id`).
        request: what the run was asked (an edit: the follow-up).
        log: the live chain log.
        budget: the run's spending limits and counters (`tools.budget`); `over_budget` is set once one runs out.
        cancel: set it to stop the run.
        memo: finished Space calls to replay instead of repeating (a resumed run), by call key.
        owner: who started the run (`ui.owners`), if known.
        parent_run_id: the run an edit changes; None for a build.
    """

    paths: RunPaths
    request: str
    log: ChainLog
    budget: Budget
    over_budget: threading.Event
    cancel: threading.Event = field(default_factory=threading.Event)
    memo: dict[str, Any] = field(default_factory=dict)
    owner: str | None = None
    parent_run_id: str | None = None

    @classmethod
    def start(cls, paths: RunPaths, request: str, log: ChainLog, limits: Limits, *,
              cancel: threading.Event | None = None, memo: dict[str, Any] | None = None, owner: str | None = None,
              parent_run_id: str | None = None) -> Run:
        """A run with a fresh budget from `limits` whose running out sets `over_budget`."""
        over_budget = threading.Event()
        budget = Budget(limits, on_exceeded=lambda reason: over_budget.set())
        return cls(paths=paths, request=request, log=log, budget=budget, over_budget=over_budget,
                   cancel=cancel if cancel is not None else threading.Event(), memo=dict(memo or {}),
                   owner=owner, parent_run_id=parent_run_id)

    @property
    def id(self) -> str:
        return self.paths.run_id

    @property
    def folder(self) -> Path:
        return self.paths.folder
