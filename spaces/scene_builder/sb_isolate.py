"""Run one gallery assembly in a child process with a memory limit, so a crash costs a request, not the Space.

trimesh, Pillow and fast-simplification run native code on attacker-supplied data. A segfault there,
a `MemoryError` or a runaway computation ends the child, and the parent turns it into a `ChildFailed`
(a `SceneError`) naming what the child was working on; the Space keeps serving.

The Gradio server never forks (it has threads). It starts one *zygote* with subprocess: a fresh,
single-threaded interpreter that imports trimesh and friends once (and assembles one throw-away box,
`sb_gallery.warm_up`) and then, for each job, forks a
child (a fork of a single-threaded process is safe; multiprocessing's spawn and forkserver would
re-run app.py, gradio import included, in every child). Each job gets its own socket pair: the
server sends the job on it, the child sets `RLIMIT_AS` to the job's memory limit, reports what it
works on with `note()` and answers with its result or refusal and its peak RSS; the zygote, which
reaps the child, adds its exit status. A child starts in milliseconds.

Configuration (env vars of the Space, see README.md):
    SCENE_BUILDER_MEMORY_MB   address-space limit of each assembly child, MiB (default 1536)
    SCENE_BUILDER_TIMEOUT_S   wall-clock limit of each assembly, seconds (default 180)
"""

from __future__ import annotations

import contextlib
import logging
import os
import resource
import select
import signal
import socket
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
_PRELOAD = "sb_gallery"  # imported once by the zygote (trimesh, numpy, Pillow, fast-simplification)
_KILL_GRACE_S = 5.0
_HERE = os.path.dirname(os.path.abspath(__file__))

_conn: Connection | None = None  # set in a child only
_zygote: tuple[subprocess.Popen, socket.socket] | None = None
_zygote_lock = threading.Lock()


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


def start() -> None:
    """Start the zygote now (it imports trimesh once, ~1-2 s), so the first request does not wait for it."""
    _control()


def _control() -> socket.socket:
    """The zygote's control socket, (re)starting the zygote when it is not running."""
    global _zygote
    with _zygote_lock:
        if _zygote is not None and _zygote[0].poll() is None:
            return _zygote[1]
        if _zygote is not None:
            _zygote[1].close()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_HERE, os.environ.get("PYTHONPATH")])),
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}  # single-threaded: safe to fork
        try:
            process = subprocess.Popen([sys.executable, "-c", "import sb_isolate; sb_isolate._zygote_main()",
                                        str(theirs.fileno())], pass_fds=(theirs.fileno(),), env=env, cwd=_HERE,
                                       stdin=subprocess.DEVNULL)
        finally:
            theirs.close()
        _zygote = (process, ours)
        return ours


def _zygote_main() -> None:
    """The zygote: import the heavy modules, then fork one child per job socket received; report exit statuses."""
    control = socket.socket(fileno=int(sys.argv[1]))
    try:  # before the first fork: every child inherits the warmed-up modules
        getattr(__import__(_PRELOAD), "warm_up", lambda: None)()
    except Exception:  # a slower first assembly, not a broken Space
        logging.basicConfig()
        logger.exception("warming up %s failed", _PRELOAD)
    jobs: dict[int, socket.socket] = {}  # child pid -> its job socket
    while True:
        ready, _, _ = select.select([control], [], [], 0.05 if jobs else None)
        if ready:
            try:
                data, fds, _, _ = socket.recv_fds(control, 64, 1)
            except OSError:
                data, fds = b"", []
            if not data:  # the server is gone
                return
            job = socket.socket(fileno=fds[0])
            pid = os.fork()
            if pid == 0:
                control.close()
                for other in jobs.values():  # other children's sockets: theirs alone
                    other.close()
                _child_main(job, int(data))
            jobs[pid] = job
        while jobs:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            job = jobs.pop(pid, None)
            if job is not None:
                with Connection(job.detach()) as conn:
                    try:
                        conn.send(("exit", os.waitstatus_to_exitcode(status)))
                    except OSError:  # the server stopped waiting
                        pass


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _child_main(job: socket.socket, memory_mb: int) -> None:
    """A forked child: limit memory, run the one job read from `job`, send the answer, exit."""
    global _conn
    limit = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash must not write a core dump of user data
    conn = _conn = Connection(job.detach())
    try:
        conn.send(("pid", os.getpid()))
        target, args = conn.recv()
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
    finally:
        os._exit(0)  # never return into the zygote's loop


def run_isolated(target: Callable[..., Any], *args: Any, memory_mb: int = MEMORY_LIMIT_MB,
                 timeout_s: float = TIMEOUT_S) -> tuple[Any, ChildReport]:
    """Call `target(*args)` in a fresh child (forked by the zygote) limited to `memory_mb` of address space.

    Args:
        target: a module-level function of a module the child can import from this folder (it is pickled by
            name), e.g. `sb_gallery.assemble_files`, or a `functools.partial` of one with keyword arguments.
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
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    for attempt in (1, 2):
        control = _control()
        try:
            with _zygote_lock:
                socket.send_fds(control, [str(memory_mb).encode()], [theirs.fileno()])
            break
        except OSError:  # the zygote died since it was checked (killed from outside): start another once
            if attempt == 2:
                raise
            time.sleep(0.1)
    theirs.close()
    conn = Connection(ours.detach())
    pid = 0
    code: int | None = None
    stage: str | None = None
    final: tuple | None = None
    deadline = started + timeout_s
    try:
        while code is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if not conn.poll(min(remaining, 1.0)):
                continue
            try:
                message = conn.recv()
            except EOFError:  # the zygote itself is gone
                break
            kind = message[0]
            if kind == "pid":
                pid = message[1]
                conn.send((target, args))
            elif kind == "note":
                stage = message[1]
            elif kind == "exit":
                code = message[1]
            else:
                final = message
    finally:
        if code is None and pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # timed out: the zygote reaps it
        conn.close()
    elapsed = time.monotonic() - started
    where = stage or "while working"
    if final is None:
        timed_out = elapsed >= timeout_s
        sig = -code if code is not None and code < 0 and not timed_out else None
        outcome = "timed out" if timed_out else "crashed"
        _log(ChildReport(pid, outcome, elapsed, None, stage), code)
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
    report = ChildReport(pid, {"ok": "ok", "refused": "refused", "memory": "out of memory"}.get(kind, "failed"),
                         elapsed, round(peak, 1), stage)
    _log(report, code)
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
