"""Bundled Spaces shared across Diorama processes: real CLI runs, real companion processes, real signals.

No clock is asserted: every wait below ends as soon as its condition holds.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

PARIS = "Build a 3D gallery of Paris landmarks"
ROME = "A gallery of the Colosseum and a red lighthouse"


def runners_of(home: Path) -> list[int]:
    """Pids of the live companion processes whose heartbeat file is in `home` (from /proc)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            parts = cmdline.read_bytes().split(b"\0")
            state = (cmdline.parent / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if b"tools.companion_runner" in parts and any(p.startswith(str(home).encode()) for p in parts) \
                and state != "Z":
            found.append(int(cmdline.parent.name))
    return sorted(found)


def registry(home: Path) -> dict:
    path = home / "companions.json"
    return json.loads(path.read_text())["companions"] if path.is_file() else {}


def cli(data: Path, *args: str, idle_s: str = "300") -> subprocess.Popen:
    env = {**os.environ, "DIORAMA_DATA_DIR": str(data), "DIORAMA_COMPANION_IDLE_S": idle_s}
    return subprocess.Popen([sys.executable, str(REPO / "app.py"), *args], env=env, cwd=data.parent,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=900)
    return process.returncode, out, err


def wait_until(condition, what: str, give_up_s: float = 120.0) -> None:
    """Poll until `condition()` holds; fail naming `what` if it never does (a hang guard, not a timing check)."""
    deadline = time.monotonic() + give_up_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} never happened")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """Two CLI runs started at the same moment on one data folder; yields (data folder, their results)."""
    data = tmp_path_factory.mktemp("shared") / "data"
    data.mkdir()
    first, second = cli(data, "--prompt", PARIS, "--out", str(data.parent / "paris.glb")), \
        cli(data, "--prompt", ROME, "--out", str(data.parent / "rome.glb"))
    results = [finish(first), finish(second)]
    yield data, results
    cli(data, "--stop-companions").communicate(timeout=120)


def test_two_cli_runs_at_once_share_one_set_of_companions(shared):
    data, results = shared
    for code, out, err in results:
        assert code == 0, err[-2000:]
        assert "[done] scene:" in out
    home = data / "companions"
    entries = registry(home)
    assert sorted(entries) == ["scene_builder", "text_to_3d"]
    assert runners_of(home) == sorted(e["pid"] for e in entries.values())  # one set, both runs ended, still up
    started = [line for _, out, _ in results for line in out.splitlines() if line.startswith("[start]")
               and " ready in " in line]
    assert sorted(line.split()[1] for line in started) == ["scene_builder", "text_to_3d"]  # each started once


def test_stop_companions_stops_them_and_a_cached_rerun_starts_none(shared):
    data, _ = shared
    home = data / "companions"
    code, out, _ = finish(cli(data, "--stop-companions"))
    assert code == 0 and "scene_builder" in out and "text_to_3d" in out
    assert runners_of(home) == [] and registry(home) == {}
    code, out, err = finish(cli(data, "--prompt", PARIS, "--out", str(data.parent / "again.glb")))
    assert code == 0, err[-2000:]
    assert "[start]" not in out and "0 Space calls" in out
    assert runners_of(home) == [] and registry(home) == {}
    assert (data.parent / "again.glb").read_bytes()[:4] == b"glTF"


def test_a_warm_run_reuses_the_running_companions(shared):
    data, _ = shared
    home = data / "companions"
    code, out, err = finish(cli(data, "--prompt", "A gallery of a windmill", "--out", str(data.parent / "w.glb")))
    assert code == 0, err[-2000:]
    pids = sorted(e["pid"] for e in registry(home).values())
    code, out, err = finish(cli(data, "--prompt", "A gallery of an oak tree", "--out", str(data.parent / "o.glb")))
    assert code == 0, err[-2000:]
    assert "[start]" not in out  # found running: nothing started, no progress line
    assert sorted(e["pid"] for e in registry(home).values()) == pids == runners_of(home)


@pytest.mark.parametrize("described", [False, True], ids=["fresh-data-folder", "at-the-first-call"])
def test_a_companion_that_does_not_start_in_time_fails_with_one_line_naming_it(tmp_path, shared, described):
    """Fresh: the start fails while the tools are built; described (their APIs kept from earlier runs, an empty
    cache): it fails when the first call is about to be made."""
    data = tmp_path / "data"
    if described:
        data = shared[0]
        finish(cli(data, "--stop-companions"))
        shutil.rmtree(data / "cache", ignore_errors=True)
    else:
        data.mkdir()
    env = {**os.environ, "DIORAMA_DATA_DIR": str(data), "DIORAMA_COMPANION_START_TIMEOUT_S": "0.2",
           "DIORAMA_COMPANION_IDLE_S": "300"}
    done = subprocess.run([sys.executable, str(REPO / "app.py"), "--prompt", PARIS, "--out", str(tmp_path / "x.glb")],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("diorama: Bundled Space '")
    name = lines[0].split("'")[1]
    assert name in ("text_to_3d", "scene_builder")
    assert "did not answer within 0.2 s" in lines[0] and "DIORAMA_COMPANION_START_TIMEOUT_S" in lines[0]
    assert f"logs/{name}-" in lines[0] and "ends with:" in lines[0]
    assert runners_of(data / "companions") == []  # the ones that did not start were stopped
