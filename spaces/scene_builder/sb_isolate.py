"""Run one gallery assembly in a child process with a memory limit, so a crash costs a request, not the Space.

trimesh, Pillow and fast-simplification run native code on attacker-supplied data. A segfault there,
a `MemoryError` or a runaway computation ends the child, and the parent turns it into a `ChildFailed`
(a `SceneError`) naming the file the child was working on; the Space keeps serving.

Children come from a fork server (multiprocessing "forkserver"): a single-threaded process started
with exec, never a fork of the Gradio server and its threads, that has imported trimesh and friends
once, so each child starts in milliseconds. Each child sets `RLIMIT_AS` to `MEMORY_LIMIT_MB` before
doing any work, reports the file it is on with `note()`, and sends back its result or its refusal
with its peak RSS.

Configuration (env vars of the Space, see README.md):
    SCENE_BUILDER_MEMORY_MB   address-space limit of each assembly child, MiB (default 1536)
    SCENE_BUILDER_TIMEOUT_S   wall-clock limit of each assembly, seconds (default 180)
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
import time
import traceback
from dataclasses import dataclass
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
_PRELOAD = ["sb_gallery"]  # imported once by the fork server (trimesh, numpy, Pillow, fast-simplification)
_KILL_GRACE_S = 5.0

_conn: multiprocessing.connection.Connection | None = None  # set in a child only
_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(_PRELOAD)


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
        elapsed_s: wall-clock seconds from start to result.
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
    """Start the fork server now (it imports trimesh once, ~2 s), so the first request does not wait."""
    from multiprocessing import forkserver

    forkserver.ensure_running()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _child_main(conn: multiprocessing.connection.Connection, memory_mb: int,
                target: Callable[..., Any], args: tuple) -> None:
    global _conn
    _conn = conn
    limit = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash must not write a core dump of user data
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


def run_isolated(target: Callable[..., Any], *args: Any, memory_mb: int = MEMORY_LIMIT_MB,
                 timeout_s: float = TIMEOUT_S) -> tuple[Any, ChildReport]:
    """Call `target(*args)` in a fresh child process limited to `memory_mb` of address space.

    Args:
        target: a module-level function (it is pickled by name), e.g. `sb_gallery.assemble_files`.
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
    receiver, sender = _context.Pipe(duplex=False)
    process = _context.Process(target=_child_main, args=(sender, memory_mb, target, args), daemon=True,
                               name="scene-assembly")
    process.start()
    sender.close()
    stage: str | None = None
    final: tuple | None = None
    deadline = started + timeout_s
    try:
        while final is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if not receiver.poll(min(remaining, 1.0)):
                if not process.is_alive() and not receiver.poll():
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
        if final is None and process.is_alive():
            process.kill()
        process.join(_KILL_GRACE_S)
    elapsed = time.monotonic() - started
    where = stage or "while working"
    if final is None:
        timed_out = elapsed >= timeout_s
        code = process.exitcode
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
    _log(report, process.exitcode)
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
