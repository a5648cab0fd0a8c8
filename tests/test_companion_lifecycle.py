"""A bundled Space's life: restarted when its code changes, exits when idle, one clear error when it cannot start.

Real companion processes started by a `Fleet` in this process; no clock is asserted.
"""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest
from gradio_client import Client

from tests.test_companion_sharing import registry, runners_of, wait_until
from tools.companion_registry import pid_alive
from tools.companions import SPACES_DIR, Fleet
from tools.errors import CompanionStartError, SpaceUnavailableError


@pytest.fixture
def spaces(tmp_path) -> Path:
    """A spaces folder with a copy of text_to_3d and two Spaces that cannot start."""
    folder = tmp_path / "spaces"
    shutil.copytree(SPACES_DIR / "text_to_3d", folder / "text_to_3d", ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "sleepy").mkdir()
    (folder / "sleepy" / "app.py").write_text(
        "import time\nprint('loading a very large model', flush=True)\ntime.sleep(3600)\n")
    (folder / "broken").mkdir()
    (folder / "broken" / "app.py").write_text("print('starting', flush=True)\nraise SystemExit('no GPU here')\n")
    return folder


@pytest.fixture
def fleet(tmp_path, spaces):
    fleet = Fleet(tmp_path / "home", spaces_dir=spaces, idle_s=300, start_timeout_s=600)
    yield fleet
    fleet.stop()


def test_a_companion_whose_code_changed_is_restarted(fleet, spaces):
    url = fleet.url("text_to_3d")
    old = registry(fleet.home)["text_to_3d"]
    assert fleet.url("text_to_3d") == url  # unchanged code: the same process
    with (spaces / "text_to_3d" / "app.py").open("a") as handle:
        handle.write("\n# a change\n")
    new_url = fleet.url("text_to_3d")
    new = registry(fleet.home)["text_to_3d"]
    assert new["pid"] != old["pid"] and new["identity"] != old["identity"] and new_url != url
    assert not pid_alive(old["pid"])
    assert runners_of(fleet.home) == [new["pid"]]


def test_another_fleet_on_the_same_folder_reuses_the_running_companion(fleet, spaces):
    fleet.url("text_to_3d")
    pid = registry(fleet.home)["text_to_3d"]["pid"]
    other = Fleet(fleet.home, spaces_dir=spaces, idle_s=300)
    other_home_alias = Fleet(Path(str(fleet.home) + "/../home"), spaces_dir=spaces, idle_s=300)  # same folder
    assert other.url("text_to_3d") == other_home_alias.url("text_to_3d") == fleet.url("text_to_3d")
    assert registry(fleet.home)["text_to_3d"]["pid"] == pid and runners_of(fleet.home) == [pid]


def test_an_idle_companion_exits_on_its_own(tmp_path, spaces):
    fleet = Fleet(tmp_path / "idle", spaces_dir=spaces, idle_s=1.0, start_timeout_s=600)
    fleet.url("text_to_3d")
    pid = registry(fleet.home)["text_to_3d"]["pid"]
    wait_until(lambda: not pid_alive(pid), "the idle companion's exit")
    assert fleet.running() == {} and runners_of(fleet.home) == []


def test_a_shared_companion_has_its_own_process_group_in_the_starters_session(fleet):
    url = fleet.url("text_to_3d")
    pid = registry(fleet.home)["text_to_3d"]["pid"]
    assert os.getpgid(pid) == pid and os.getsid(pid) == os.getsid(0)  # see Fleet._process_group
    os.kill(pid, signal.SIGHUP)  # the starter's terminal closing does not end it
    generated, _ = Client(url, verbose=False).predict("a red lighthouse", 0, api_name="/generate")
    assert Path(generated).is_file() and pid_alive(pid)


def test_stop_ends_the_processes(fleet):
    fleet.url("text_to_3d")
    pid = registry(fleet.home)["text_to_3d"]["pid"]
    assert fleet.stop() == ["text_to_3d"]
    assert not pid_alive(pid) and runners_of(fleet.home) == [] and fleet.running() == {}


@pytest.mark.parametrize("name, phrases", [
    ("sleepy", ["Bundled Space 'sleepy' did not answer within 1 s", "DIORAMA_COMPANION_START_TIMEOUT_S",
                "loading a very large model"]),
    ("broken", ["Bundled Space 'broken' exited during start-up (code 1)", "no GPU here"]),
])
def test_a_companion_that_cannot_start_names_itself_and_its_log_tail(tmp_path, spaces, name, phrases):
    fleet = Fleet(tmp_path / "bad", spaces_dir=spaces, idle_s=300, start_timeout_s=1)
    with pytest.raises(CompanionStartError) as info:
        fleet.url(name)
    message = str(info.value)
    assert all(p in message for p in phrases), message
    assert str(fleet.home / "logs" / name) in message and "\n" not in message
    assert info.value.space == f"local:{name}" and info.value.retryable is False
    assert runners_of(fleet.home) == [] and fleet.running() == {}  # stopped and forgotten


def test_an_unknown_companion_lists_the_bundled_ones(fleet):
    with pytest.raises(SpaceUnavailableError, match="No bundled Space named 'nope'; bundled: .*text_to_3d"):
        fleet.url("nope")
