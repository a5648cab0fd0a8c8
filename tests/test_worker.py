"""The worker process and its pool: where no worker can start, an LLM's code is refused (unless the owner opts
in); the planner's own code still runs; spares are kept only by a server and stopped with their pool."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent import worker_pool
from agent.broker import WorkerPool
from agent.confine import WorkerLimits
from agent.runner import ChainRunner
from tests.scripted_model import ScriptedLLM
from tests.test_agent_llm_path import GOOD

REQUEST = "A coast with a red lighthouse and an oak tree"


def _no_worker(monkeypatch, tmp_path: Path) -> None:
    """Worker processes die at once, as on a host that forbids them (a real process that exits, not a mock)."""
    missing = tmp_path / "no-such-worker.py"
    monkeypatch.setattr(worker_pool, "WORKER_SCRIPT", missing)


def test_an_llms_code_is_refused_when_no_worker_can_start(companion_urls, settings, monkeypatch, tmp_path):
    _no_worker(monkeypatch, tmp_path)
    llm = ScriptedLLM([GOOD])

    outcome = ChainRunner(settings, llm=llm).run_to_end(REQUEST)

    assert outcome.scene is None
    assert "failed to start" in outcome.error and "does not run an LLM's code inside the app" in outcome.error
    assert "sandbox.allow_in_process" in outcome.error
    assert not [e for e in outcome.log["events"] if e["type"] == "space_call"]  # nothing ran


def test_the_owner_may_allow_an_llms_code_in_the_app(companion_urls, settings, monkeypatch, tmp_path):
    _no_worker(monkeypatch, tmp_path)
    settings = settings.with_overrides(sandbox_allow_in_process=True)

    outcome = ChainRunner(settings, llm=ScriptedLLM([GOOD])).run_to_end(REQUEST)

    assert outcome.error is None, outcome.error
    assert next(e for e in outcome.log["events"] if e["type"] == "sandbox")["layers"] == ["in-process"]


def test_the_planners_own_code_runs_in_the_app_when_no_worker_can_start(companion_urls, settings, monkeypatch,
                                                                         tmp_path):
    _no_worker(monkeypatch, tmp_path)

    outcome = ChainRunner(settings).run_to_end(REQUEST)

    assert outcome.error is None, outcome.error
    assert next(e for e in outcome.log["events"] if e["type"] == "sandbox")["layers"] == ["in-process"]


def test_a_run_gets_a_confined_worker(companion_urls, settings):
    outcome = ChainRunner(settings, llm=ScriptedLLM([GOOD])).run_to_end(REQUEST)

    assert outcome.error is None, outcome.error
    layers = next(e for e in outcome.log["events"] if e["type"] == "sandbox")["layers"]
    assert layers[:2] == ["process", "rlimits"]
    if sys.platform == "linux" and Path("/sys/kernel/security/lsm").exists() and \
            "landlock" in Path("/sys/kernel/security/lsm").read_text():
        assert "landlock" in layers


def _workers() -> set[int]:
    """Worker processes started by this process (other test processes may run at the same time)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
                if f"\nPPid:\t{os.getpid()}\n" in status and b"agent/worker.py" in (entry / "cmdline").read_bytes():
                    found.add(int(entry.name))
            except OSError:
                continue
    return found


def test_a_pool_keeps_a_spare_only_once_prepared_and_stops_it_when_collected(tmp_path):
    before = _workers()
    pool = WorkerPool(WorkerLimits())
    pool.give_back(pool.take())  # a pool nobody prepared (a CLI run, a test) keeps no spare
    assert not _workers() - before

    pool.prepare()
    spare = _workers() - before
    assert len(spare) == 1
    del pool
    gc.collect()
    assert not (_workers() & spare)


class _SpecTool:
    """Fake: a Space tool reduced to what the broker reads (its spec's file parameters), because the test pins the
    arguments the broker hands a tool, which a real tool (and its Space) does not expose; records its calls."""

    def __init__(self, params) -> None:
        from types import SimpleNamespace

        self.name = "gallery_tool"
        self.spec = SimpleNamespace(endpoint=SimpleNamespace(params=params))
        self.calls: list[dict] = []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        return "ok"


def test_the_broker_checks_the_files_of_captioned_gallery_items(tmp_path):
    import pytest

    from agent.broker import ToolBroker
    from tools.errors import InvalidInputError
    from tools.schema import Param

    made = tmp_path / "assets" / "a.png"
    made.parent.mkdir()
    made.write_bytes(b"png")
    tool = _SpecTool([Param(name="images", label="Images", component="gallery", python_type="list", kind="files",
                            required=True)])
    broker = ToolBroker({"gallery_tool": tool}, tmp_path)

    broker.call("gallery_tool", [], {"images": ["assets/a.png", {"image": "assets/a.png", "caption": "red"}]})
    assert tool.calls[-1]["images"] == [str(made), {"image": str(made), "caption": "red"}]
    with pytest.raises(InvalidInputError, match="must be a file this run made"):
        broker.call("gallery_tool", [], {"images": [{"image": "/etc/passwd", "caption": "x"}]})
    assert len(tool.calls) == 1  # the refused call never reached the tool


_IN_A_TERMINAL = """
import json, os, sys
from agent.confine import WorkerLimits
from agent.worker_pool import Worker

def stat(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return {"session": int(fields[3]), "tty": int(fields[4])}

# Imports done in the suite's session; only now become a session leader and take the terminal, as a shell's child
# would have it (a new session's scheduling group can starve on a saturated machine, so it does little here).
os.setsid()
terminal = os.open(sys.argv[1], os.O_RDWR)  # a session leader without a terminal opening one acquires it
for fd in (0, 1, 2):
    os.dup2(terminal, fd)
worker = Worker(WorkerLimits()).wait_ready()
print(json.dumps({"diorama": stat(os.getpid()), "worker": stat(worker.process.pid)}), flush=True)
worker.kill()
"""
TERMINAL_DEADLINE_S = 600  # an upper bound for a saturated machine, not a speed check


def _kill_session(session: int) -> None:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):  # gone meanwhile
                if os.getsid(int(entry.name)) == session:
                    os.kill(int(entry.name), signal.SIGKILL)


@pytest.mark.timeout(TERMINAL_DEADLINE_S + 120)
def test_a_worker_started_from_a_terminal_cannot_reach_it():
    """Diorama in a real pseudo-terminal starts a worker: the worker has no controlling terminal (nothing to type
    into with TIOCSTI) yet stays in Diorama's session."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    master, slave = pty.openpty()
    name = os.ttyname(slave)
    os.close(slave)  # the child opens it by name, so that it becomes its controlling terminal
    child = subprocess.Popen([sys.executable, "-c", _IN_A_TERMINAL, name], env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    output = b""
    deadline = time.monotonic() + TERMINAL_DEADLINE_S
    try:
        while time.monotonic() < deadline:
            if not select.select([master], [], [], 1.0)[0]:
                continue
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: no process has the terminal open (yet, or any more)
                chunk = b""
            if chunk:
                output += chunk
            elif child.poll() is not None:
                break
            else:
                time.sleep(0.1)
        else:
            raise AssertionError(f"the terminal was still open after {TERMINAL_DEADLINE_S} s; it printed {output!r}")
        assert child.wait(timeout=60) == 0, output
    finally:
        os.close(master)
        _kill_session(child.pid)  # nothing of the test's own session outlives it (the child led its session)
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=10)
    line = [ln for ln in output.decode(errors="replace").splitlines() if ln.startswith("{")][-1]
    seen = json.loads(line)
    assert seen["diorama"]["tty"] != 0  # the test really ran in a terminal
    assert seen["worker"]["tty"] == 0
    assert seen["worker"]["session"] == seen["diorama"]["session"]
