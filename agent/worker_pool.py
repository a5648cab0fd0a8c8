"""The agent's worker processes, without the broker: started (and kept one ahead) before smolagents is imported.

A `Worker` is one `agent/worker.py` process, started with an empty environment in a
session of its own; it confines itself (`agent.confine`) and says "ready". `WorkerPool`
hands workers out and, once asked to, keeps one started ahead. This module imports only
the standard library, so the command line can start a worker at its first line, while
it imports the rest (`agent.broker` holds the executor and the broker that use them).
"""

from __future__ import annotations

import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from agent.confine import WorkerLimits
from tools.errors import SandboxUnavailableError

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
WORKER_SCRIPT = ROOT / "agent" / "worker.py"
READY_TIMEOUT_S = 120.0  # a loaded 2-core machine imports smolagents in seconds, not minutes
MAX_MESSAGE_BYTES = 8 << 20
_WORKER_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1", "GRADIO_ANALYTICS_ENABLED": "False",
               "PYTHONDONTWRITEBYTECODE": "1"}


class _Channel:
    """JSON lines from and to one worker, read with a deadline."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.buffer = b""

    def send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message, ensure_ascii=True, default=str).encode() + b"\n"
        try:
            self.process.stdin.write(data)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise EOFError("the worker is gone") from exc

    def receive(self, timeout_s: float) -> dict[str, Any] | None:
        """The next message, or None if none came within `timeout_s`. Raises EOFError when the worker is gone."""
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            fd = self.process.stdout.fileno()
            ready, _, _ = select.select([fd], [], [], min(left, 0.1))
            if not ready:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise EOFError("the worker closed its output")
            self.buffer += chunk
            if len(self.buffer) > MAX_MESSAGE_BYTES and b"\n" not in self.buffer:
                raise EOFError("the worker sent an oversized message")
        line, self.buffer = self.buffer.split(b"\n", 1)
        try:
            message = json.loads(line)
        except ValueError as exc:
            raise EOFError("the worker broke the protocol") from exc
        if not isinstance(message, dict):
            raise EOFError("the worker broke the protocol")
        return message


class Worker:
    """One worker process, confined and ready for one run."""

    def __init__(self, limits: WorkerLimits) -> None:
        self.limits = limits
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-E", "-s", str(WORKER_SCRIPT),
                 json.dumps({"memory_bytes": limits.memory_bytes, "cpu_s": limits.cpu_s})],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=dict(_WORKER_ENV),
                cwd="/", close_fds=True, process_group=0)  # killed as a group; the terminal: `confine`
        except OSError as exc:
            raise SandboxUnavailableError(f"No worker process could be started for the agent's code ({exc}).") \
                from exc
        self.channel = _Channel(self.process)
        self.layers: list[str] = []
        self.ready = False

    def wait_ready(self, timeout_s: float = READY_TIMEOUT_S) -> "Worker":
        """Wait for the worker's "ready" (once; later calls return at once). Raises SandboxUnavailableError."""
        if self.ready:
            return self
        try:
            message = self.channel.receive(timeout_s)
        except EOFError as exc:
            raise SandboxUnavailableError(f"The agent's worker process failed to start "
                                          f"({exit_story(self.process)}).") from exc
        if message is None or message.get("op") != "ready":
            self.kill()
            raise SandboxUnavailableError(f"The agent's worker process was not ready within {timeout_s:g} s.")
        self.layers = [str(layer) for layer in message.get("layers", [])][:10]
        self.ready = True
        return self

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            logger.warning("worker %s did not exit after SIGKILL", self.process.pid)
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass


class WorkerPool:
    """Hands out workers; once `prepare()` has been called (a server warming up), keeps one started ahead.

    A spare is started when a run gives its worker back, not while the run goes on, so it does not compete
    with the run for CPU. A pool that is garbage-collected stops its spare.

    Args:
        limits: memory and CPU limits of each worker.
    """

    def __init__(self, limits: WorkerLimits) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._slot: dict[str, Worker | None] = {"spare": None}
        self._keep_spare = False
        weakref.finalize(self, _stop_spare, self._slot)

    def prepare(self) -> None:
        """Start a spare worker now, and keep one ready from now on."""
        self._keep_spare = True
        with self._lock:
            spare = self._slot["spare"]
            if spare is None or not spare.alive():
                try:
                    self._slot["spare"] = Worker(self.limits)
                except SandboxUnavailableError as exc:
                    logger.warning("%s", exc)
                    self._slot["spare"] = None

    def adopt(self, worker: Worker) -> None:
        """Use a worker started earlier (the command line starts one at its first line) as the spare.

        A worker with other limits, or a second one while a spare is kept, is stopped instead.
        """
        with self._lock:
            spare = self._slot["spare"]
            if worker.limits == self.limits and (spare is None or not spare.alive()):
                self._slot["spare"], worker = worker, None
        if worker is not None:
            worker.kill()

    def take(self) -> Worker:
        """A ready worker (the spare if there is one). Raises SandboxUnavailableError."""
        with self._lock:
            worker, self._slot["spare"] = self._slot["spare"], None
        if worker is None or not worker.alive():
            worker = Worker(self.limits)
        return worker.wait_ready()

    def give_back(self, worker: Worker) -> None:
        """End a run's worker (workers are never reused); start the next spare if this pool keeps one."""
        worker.kill()
        if self._keep_spare:
            threading.Thread(target=self.prepare, daemon=True, name="worker-spare").start()

    def probe(self) -> list[str]:
        """The layers a worker gets on this host; the worker is kept as the spare. Raises SandboxUnavailableError."""
        worker = self.take()
        layers = list(worker.layers)
        with self._lock:
            if self._slot["spare"] is None:
                self._slot["spare"], worker = worker, None
        if worker is not None:  # a spare was started meanwhile: this one is not needed
            worker.kill()
        return layers

    def close(self) -> None:
        """Stop the spare; the pool starts no more."""
        self._keep_spare = False
        _stop_spare(self._slot)


def _stop_spare(slot: dict[str, Worker | None]) -> None:
    spare, slot["spare"] = slot["spare"], None
    if spare is not None:
        spare.kill()

def exit_story(process: subprocess.Popen) -> str:
    code = process.poll()
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


__all__ = ["READY_TIMEOUT_S", "Worker", "WorkerPool", "exit_story"]
