"""Background runs for call-now / fetch-later clients: a small, bounded, thread-safe registry of runs.

`Jobs.start` returns a run id at once and keeps the run going in a thread of the app process;
`Jobs.status` reports on it.  Runs streamed by the UI or `/build` are recorded too (`Jobs.follow`),
so `/status` knows every run of this process.  For runs from before a restart, `status` falls back to
the run's `<data_dir>/runs/<run_id>/chain.json`.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from agent.runner import ChainRunner
from agent.run import RunPaths, check_run_id, read_chain
from tools.errors import DioramaError, InvalidInputError, user_message
from ui.progress import RunState, progress, state_of

logger = logging.getLogger(__name__)

class BusyError(DioramaError, RuntimeError):
    """Too many background runs at once; try again when one finishes."""


@dataclass
class _Job:
    run_id: str
    cancel: threading.Event
    log: dict[str, Any]
    finished: bool = False
    error: str | None = None


class Jobs:
    """The runs of this process, newest last.

    Args:
        runner: runs the requests.
        max_running: most background runs (`start`) going at once; one more is refused with BusyError.
        keep: most runs remembered in memory; the oldest finished ones are forgotten first
            (their chain.json on disk still answers `status`).
    """

    def __init__(self, runner: ChainRunner, *, max_running: int = 4, keep: int = 100) -> None:
        self._runner = runner
        self._max_running = max_running
        self._keep = keep
        self._jobs: OrderedDict[str, _Job] = OrderedDict()
        self._background: set[str] = set()  # ids of the runs `start` began (the ones `max_running` counts)
        self._starting = 0
        self._lock = threading.Lock()

    def start(self, request: str, *, owner: str | None = None) -> dict[str, str]:
        """Start a run in a background thread and return {"run_id", "status"} as soon as it has an id.

        Args:
            request: what to build.
            owner: who starts it (`ui.owners.Caller.key`), recorded with the run.

        Raises:
            InvalidInputError: the request is empty or too long.
            BusyError: `max_running` background runs are already going.
        """
        with self._lock:
            running = self._starting + sum(1 for k in self._background if not self._jobs[k].finished)
            if running >= self._max_running:
                raise BusyError(f"{running} background runs are already going (the limit is {self._max_running}). "
                                "Wait for one to finish (poll /status) and start again.")
            self._starting += 1
        try:
            cancel = threading.Event()
            snapshots = self._runner.run(request, cancel=cancel, owner=owner)
            first = next(snapshots)  # validates the request (InvalidInputError) and yields the run id
            job = self._record(first, cancel)
            with self._lock:
                self._background.add(job.run_id)
        finally:
            with self._lock:
                self._starting -= 1
        threading.Thread(target=self._drain, args=(job, snapshots), daemon=True,
                         name=f"job-{job.run_id}").start()
        return {"run_id": job.run_id, "status": "running"}

    def follow(self, snapshots: Iterator[dict[str, Any]], cancel: threading.Event) -> Iterator[dict[str, Any]]:
        """Pass a run's snapshots through, recording them so `status` can answer for this run too."""
        job: _Job | None = None
        try:
            for log in snapshots:
                if job is None:
                    job = self._record(log, cancel)
                else:
                    job.log = log
                yield log
        except DioramaError as exc:
            if job is not None:
                job.error = str(exc)
            raise
        finally:
            if job is not None:
                job.finished = True

    def cancel(self, run_id: str) -> dict[str, Any]:
        """Ask a running run to stop; returns its status (InvalidInputError for an unknown run)."""
        run_id = check_run_id(run_id)
        job = self._jobs.get(run_id)
        if job is not None:
            job.cancel.set()
        return self.status(run_id)

    def status(self, run_id: str) -> dict[str, Any]:
        """{"run_id", "status", "progress", "log", "scene", "error"} of a run of this process or, failing that,
        of a finished run read from its chain.json.

        Raises:
            InvalidInputError: `run_id` is not a run id, or no run has it.
        """
        run_id = check_run_id(run_id)
        job = self._jobs.get(run_id)
        if job is not None:
            log, finished = job.log, job.finished
            state = state_of(log, finished=finished, cancelled=job.cancel.is_set())
            error = (log.get("result") or {}).get("error") or job.error
            if state == "failed" and error is None:
                error = "The run ended without a scene."
            return _report(run_id, state, log, error)
        return self._status_from_disk(run_id)

    def last_unfinished(self) -> str | None:
        """The id of the newest failed or cancelled run of this process, if any (to offer a resume)."""
        for run_id in reversed(list(self._jobs)):
            if self.status(run_id)["status"] in ("failed", "cancelled"):
                return run_id
        return None

    # ---- internals ---------------------------------------------------------------------------

    def _record(self, log: dict[str, Any], cancel: threading.Event) -> _Job:
        job = _Job(run_id=log["run_id"], cancel=cancel, log=log)
        with self._lock:
            self._jobs[job.run_id] = job
            self._jobs.move_to_end(job.run_id)
            for old in [k for k, j in self._jobs.items() if j.finished][: max(0, len(self._jobs) - self._keep)]:
                del self._jobs[old]
                self._background.discard(old)
        return job

    def _drain(self, job: _Job, snapshots: Iterator[dict[str, Any]]) -> None:
        try:
            for log in snapshots:
                job.log = log
        except Exception as exc:  # a background thread has nobody to raise to: reported in /status
            job.error = user_message(exc, where=f"background run {job.run_id}")
        finally:
            job.finished = True

    def _status_from_disk(self, run_id: str) -> dict[str, Any]:
        paths = RunPaths(Path(self._runner.settings.data_dir), run_id)
        log = read_chain(paths)
        if log is not None:
            state = state_of(log, finished=True, cancelled=False)
            return _report(run_id, state, log, (log.get("result") or {}).get("error"))
        if paths.folder.is_dir():
            return _report(run_id, "failed", {"run_id": run_id, "events": []},
                           "The run stopped before it finished (the server restarted?); try /resume with this "
                           "run_id.")
        raise InvalidInputError(f"No run has the id {run_id!r}. Use the run_id that /start or /build returned; "
                                "runs are kept in the server's data folder.")


def _report(run_id: str, state: RunState, log: dict[str, Any], error: str | None) -> dict[str, Any]:
    scene = (log.get("result") or {}).get("scene") if state == "done" else None
    return {"run_id": run_id, "status": state, "progress": progress(log), "log": log, "scene": scene,
            "error": error}
