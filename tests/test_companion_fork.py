"""Bundled Spaces started together share one `import gradio`: the first runner forks the others.

Real companion processes, real gradio_client calls, real GLBs read with trimesh; no clock is asserted.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import trimesh
from gradio_client import Client, handle_file

from tests.conftest import REPO
from tests.test_companion_sharing import registry, runners_of, wait_until
from tools.companion_process import signal_and_wait
from tools.companion_registry import pid_alive, runs_companion
from tools.companions import Fleet, healthy

BOTH = ["text_to_3d", "scene_builder"]


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def forked_pair(pids: dict[str, int]) -> tuple[int, int]:
    """(first, forked): the runner that imported gradio and the companion it forked."""
    a, b = pids["text_to_3d"], pids["scene_builder"]
    assert a != b
    if parent_of(b) == a:
        return a, b
    assert parent_of(a) == b, "neither companion was forked from the other: they were started apart"
    return b, a


def test_two_companions_started_together_are_separate_processes_each_serving_its_own_space(tmp_path):
    fleet = Fleet(tmp_path / "home", idle_s=300, start_timeout_s=600)
    try:
        urls = fleet.ensure(BOTH)
        entries = registry(fleet.home)
        pids = {name: entries[name]["pid"] for name in BOTH}
        first, forked = forked_pair(pids)
        assert all(runs_companion(pid) for pid in pids.values())
        assert sorted(runners_of(fleet.home)) == sorted(pids.values())
        assert sorted(fleet.running()) == sorted(BOTH)
        for name in BOTH:  # each its own log, written by its own Space
            assert Path(entries[name]["log"]).is_file() and entries[name]["url"] == urls[name]
        for pid in pids.values():  # its own process group, in the starter's session (see Fleet._process_group)
            assert os.getpgid(pid) == pid and os.getsid(pid) == os.getsid(0)
            os.kill(pid, signal.SIGHUP)  # the starter's terminal closing does not end a shared companion

        generated, _ = Client(urls["text_to_3d"], verbose=False).predict("a red lighthouse", 0, api_name="/generate")
        assert len(trimesh.load(generated, force="scene").geometry) > 0
        scene, layout = Client(urls["scene_builder"], verbose=False).predict(
            [handle_file(generated)], "lighthouse", "Coast", "", api_name="/assemble")
        assert layout and len(trimesh.load(scene, force="scene").geometry) > 0

        names = {pid: name for name, pid in pids.items()}
        signal_and_wait(first, 5.0)  # the runner that forked the other goes away...
        assert not pid_alive(first) and pid_alive(forked)
        assert healthy(urls[names[forked]])  # ...and the forked one still serves, still registered
        assert sorted(fleet.running()) == [names[forked]]
        assert fleet.url(names[forked]) == urls[names[forked]]
    finally:
        fleet.stop()
    assert runners_of(fleet.home) == []


def test_companions_started_together_exit_with_their_diorama_when_not_shared(tmp_path):
    script = ("import json, sys, time\nfrom tools.companions import Fleet\nfrom tests.test_companion_sharing import "
              "registry\nf = Fleet(start_timeout_s=600)\nf.ensure(%r)\nprint(json.dumps({n: e['pid'] for n, e in "
              "registry(f.home).items()}), flush=True)\ntime.sleep(3600)\n" % BOTH)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    diorama = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               text=True)
    try:
        pids = json.loads(diorama.stdout.readline())
        first, forked = forked_pair(pids)
        assert parent_of(first) == diorama.pid and runs_companion(forked)
    finally:
        diorama.send_signal(signal.SIGKILL)  # no clean-up code runs: only the companions' own watch can end them
        diorama.wait()
    wait_until(lambda: not pid_alive(first) and not pid_alive(forked), "both companions' exit with their Diorama")
