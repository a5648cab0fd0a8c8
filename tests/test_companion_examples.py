"""The UI's start-up: examples rendered ahead and kept, and the "Starting Spaces" line while a Space starts."""

from __future__ import annotations

import threading

from agent.runner import ChainRunner
from tests.test_companion_sharing import wait_until
from tools.companions import Fleet, starting_now
from tools.errors import CompanionStartError
from ui.startup import ExampleScenes, spaces_status

EXAMPLE = "A gallery of a red lighthouse and an oak tree"

def test_examples_are_rendered_ahead_kept_and_not_in_the_users_history(companion_urls, settings):
    runner = ChainRunner(settings)
    scenes = ExampleScenes(runner, [EXAMPLE])
    assert scenes.scene(EXAMPLE) is None and not scenes.ready
    scenes.render_in_background().join(timeout=600)
    path = scenes.scene(EXAMPLE)
    assert path and path.startswith(str(settings.data_dir / "runs" / "examples")) and open(path, "rb").read(4) == b"glTF"
    assert runner.store.recent(10) == []  # rendered by a runner of their own: not a user's run
    again = ExampleScenes(ChainRunner(settings), [EXAMPLE])  # a restart: the kept scene is shown at once
    assert again.scene(EXAMPLE) == path and again.ready
    text, timer = spaces_status(again)
    assert text == "" and timer.active is False

def test_the_status_line_says_which_space_is_starting(tmp_path, settings):
    spaces = tmp_path / "spaces"
    (spaces / "sleepy").mkdir(parents=True)
    (spaces / "sleepy" / "app.py").write_text("import time\ntime.sleep(3600)\n")
    fleet = Fleet(tmp_path / "home", spaces_dir=spaces, idle_s=300, start_timeout_s=600)
    failed: list[BaseException] = []

    def start() -> None:
        try:
            fleet.url("sleepy")
        except CompanionStartError as exc:
            failed.append(exc)

    thread = threading.Thread(target=start, daemon=True)
    thread.start()
    try:
        wait_until(lambda: "sleepy" in starting_now(), "the start of 'sleepy'")
        text, timer = spaces_status(ExampleScenes(ChainRunner(settings), []))
        assert text == "⏳ Starting Spaces: sleepy …" and timer.active is True
    finally:
        fleet.stop()  # the waiting start sees its process gone and fails with its one line
        thread.join(timeout=120)
    assert failed and "'sleepy' exited during start-up" in str(failed[0])
    assert "sleepy" not in starting_now()
