"""Run one gallery assembly in a child process with a memory limit, so a crash costs a request, not the Space.

trimesh, Pillow and fast-simplification run native code on attacker-supplied data. A segfault there,
a `MemoryError` or a runaway computation ends the child, and the parent turns it into a `ChildFailed`
(a `SceneError`) naming what the child was working on; the Space keeps serving.

Children are fresh interpreters (`subprocess`, never a fork of the Gradio server and its threads;
multiprocessing's spawn and forkserver would re-run app.py, gradio import included, in every child).
One spare child is kept warm: it has imported trimesh and friends and set its `RLIMIT_AS` to
`MEMORY_LIMIT_MB`, and waits for a job on stdin, so a request does not wait for the imports. The
child reports what it works on with `note()` and sends back its result or its refusal with its
peak RSS on a pipe of its own.

Configuration (env vars of the Space, see README.md):
    SCENE_BUILDER_MEMORY_MB   address-space limit of each assembly child, MiB (default 1536)
    SCENE_BUILDER_TIMEOUT_S   wall-clock limit of each assembly, seconds (default 180)
"""

from __future__ import annotations

import logging
import os
import pickle
import resource
import signal
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Callable

from sb_errors import SceneBuilderError, SceneError

__all__ = ["ChildFailed", "ChildReport", "MEMORY_LIMIT_MB", "TIMEOUT_S", "note", "run_isolated", "start"]

logger = logging.getLogger(__name__)


def _env_number(name: str, default: str, kind: type) -> Any:
    raw = os.environ.get(name, default)
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {raw!r}.")
    return value


MEMORY_LIMIT_MB = _env_number("SCENE_BUILDER_MEMORY_MB", "1536", int)
TIMEOUT_S = _env_number("SCENE_BUILDER_TIMEOUT_S", "180", float)
_PRELOAD = "sb_gallery"  # imported by each child before it takes a job (trimesh, numpy, Pillow, fast-simplification)
_KILL_GRACE_S = 5.0
_HERE = os.path.dirname(os.path.abspath(__file__))

_conn: Connection | None = None  # set in a child only
_spares: dict[int, tuple[subprocess.Popen, Connection]] = {}  # memory limit -> a warm child waiting for a job
_spares_lock = threading.Lock()


class ChildFailed(SceneError):
    """The assembly child died (signal), ran out of memory, or ran past its time limit.

    Attributes:
        stage: what the child was working on, e.g. "on 'tower.glb'" (None before the first note).
        signal: the signal that ended it, e.g. 11; None when it did not die from one.
    """

    def __init__(self, message: str, *, stage: str | None = None, signal: int | None = None) -> None:
        self.stage = stage
        self.signal = signal
        super().__init__(message)


@dataclass
class ChildReport:
    """How one child run went (logged, and returned to callers that measure it).

    Attributes:
        pid: the child's process id.
        outcome: "ok", "refused" (a SceneBuilderError), "crashed" (signal), "out of memory",
            "timed out" or "failed" (an unexpected exception).
        elapsed_s: wall-clock seconds from taking the job to the result.
        peak_rss_mb: the child's peak resident memory, MiB; None when it died before reporting.
        stage: the last thing it noted working on.
    """

    pid: int
    outcome: str
    elapsed_s: float
    peak_rss_mb: float | None
    stage: str | None


def note(stage: str) -> None:
    """Tell the parent what the child works on now, so a crash can name it.

    Args:
        stage: completes "The scene builder crashed ...", e.g. "on 'duck.glb'" or "while exporting the gallery".
            Does nothing outside an assembly child.
    """
    if _conn is not None:
        _conn.send(("note", stage))


def start(memory_mb: int = MEMORY_LIMIT_MB) -> None:
    """Start the warm spare child now (its imports take ~2 s), so the first request does not wait for them."""
    with _spares_lock:
        if memory_mb not in _spares:
            _spares[memory_mb] = _launch(memory_mb)


def _launch(memory_mb: int) -> tuple[subprocess.Popen, Connection]:
    read_fd, write_fd = os.pipe()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_HERE, os.environ.get("PYTHONPATH")])),
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}  # one thread: no per-thread arenas in RLIMIT_AS
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", "import sb_isolate; sb_isolate._child_main()", str(memory_mb), str(write_fd)],
            stdin=subprocess.PIPE, pass_fds=(write_fd,), env=env, cwd=_HERE)
    finally:
        os.close(write_fd)
    return process, Connection(read_fd, writable=False)


def _take(memory_mb: int) -> tuple[subprocess.Popen, Connection]:
    """The warm spare child if it is still alive (else a fresh one); a new spare starts warming up behind it."""
    with _spares_lock:
        spare = _spares.pop(memory_mb, None)
        if spare is not None and spare[0].poll() is not None:
            spare[1].close()
            spare = None
        _spares[memory_mb] = _launch(memory_mb)
    return spare or _launch(memory_mb)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _child_main() -> None:
    """Entry point of a child: import the heavy modules, limit memory, then run one job read from stdin."""
    global _conn
    memory_mb, fd = int(sys.argv[1]), int(sys.argv[2])
    __import__(_PRELOAD)
    limit = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash must not write a core dump of user data
    try:
        target, args = pickle.load(sys.stdin.buffer)
    except EOFError:  # the server went away before giving this spare a job
        return
    conn = _conn = Connection(fd, readable=False)
    try:
        message: tuple = ("ok", target(*args))
    except MemoryError:
        message = ("memory",)
    except SceneBuilderError as exc:
        message = ("refused", exc)
    except BaseException as exc:  # reported to the parent, which logs it with a reference
        message = ("failed", f"{type(exc).__name__}: {exc}", traceback.format_exc())
    try:
        conn.send((*message, _peak_rss_mb()))
    except MemoryError:
        conn.send(("memory", _peak_rss_mb()))
    os._exit(0)  # the answer is sent; tearing down trimesh & co. would only delay the parent's wait (~1 s)


def run_isolated(target: Callable[..., Any], *args: Any, memory_mb: int = MEMORY_LIMIT_MB,
                 timeout_s: float = TIMEOUT_S) -> tuple[Any, ChildReport]:
    """Call `target(*args)` in a fresh child process limited to `memory_mb` of address space (one job per child).

    Args:
        target: a module-level function of a module the child can import from this folder (it is pickled by
            name), e.g. `sb_gallery.assemble_files`.
        args: its arguments; they and its result must pickle.
        memory_mb: the child's `RLIMIT_AS`, MiB.
        timeout_s: wall-clock limit; the child is killed when it passes.

    Returns:
        (what `target` returned, how the run went).

    Raises:
        SceneBuilderError: what `target` raised on purpose (a refusal), unchanged.
        ChildFailed: the child crashed, ran out of memory or time.
        RuntimeError: `target` raised something unexpected (the child's traceback is in the message).
    """
    started = time.monotonic()
    job = pickle.dumps((target, args))
    process, receiver = _take(memory_mb)
    try:
        process.stdin.write(job)
        process.stdin.close()
    except BrokenPipeError:  # the spare died while waiting (killed from outside): use a fresh child
        receiver.close()
        process, receiver = _launch(memory_mb)
        process.stdin.write(job)
        process.stdin.close()
    stage: str | None = None
    final: tuple | None = None
    deadline = started + timeout_s
    try:
        while final is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if not receiver.poll(min(remaining, 1.0)):
                if process.poll() is not None and not receiver.poll():
                    break
                continue
            try:
                message = receiver.recv()
            except EOFError:  # the child is gone without a result
                break
            if message[0] == "note":
                stage = message[1]
            else:
                final = message
    finally:
        receiver.close()
        if final is None and process.poll() is None:
            process.kill()
        try:
            process.wait(_KILL_GRACE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    elapsed = time.monotonic() - started
    where = stage or "while working"
    if final is None:
        timed_out = elapsed >= timeout_s
        code = process.returncode
        sig = -code if code is not None and code < 0 and not timed_out else None
        outcome = "timed out" if timed_out else "crashed"
        _log(ChildReport(process.pid, outcome, elapsed, None, stage), code)
        if timed_out:
            raise ChildFailed(f"The scene builder took longer than {timeout_s:g} s {where} and was stopped. "
                              f"Send fewer or lighter models.", stage=stage)
        if sig is not None:
            name = signal.Signals(sig).name if sig in signal.valid_signals() else "unknown"
            raise ChildFailed(f"The scene builder crashed {where} (signal {sig}, {name}). The file is probably "
                              f"malformed in a way the checks did not catch; the Space is still running. Send the "
                              f"other files without it, or re-export that model.", stage=stage, signal=sig)
        raise ChildFailed(f"The scene builder stopped {where} without an answer (exit code {code}). "
                          f"Send fewer or lighter models.", stage=stage)
    kind, *payload, peak = final
    report = ChildReport(process.pid, {"ok": "ok", "refused": "refused", "memory": "out of memory"}.get(kind, "failed"),
                         elapsed, round(peak, 1), stage)
    _log(report, process.returncode)
    if kind == "ok":
        return payload[0], report
    if kind == "refused":
        raise payload[0]
    if kind == "memory":
        raise ChildFailed(f"The scene builder ran out of memory {where} (the limit is {memory_mb:,} MB per "
                          f"assembly). Send fewer or lighter models.", stage=stage)
    raise RuntimeError(f"assembly child failed {where}: {payload[0]}\n{payload[1]}")


def _log(report: ChildReport, exitcode: int | None) -> None:
    peak = "?" if report.peak_rss_mb is None else f"{report.peak_rss_mb:.0f}"
    logger.info("assembly child pid=%d outcome=%s elapsed_s=%.2f peak_rss_mb=%s exit=%s stage=%s", report.pid,
                report.outcome.replace(" ", "_"), report.elapsed_s, peak, exitcode, report.stage or "-")
