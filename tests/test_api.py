"""Diorama's own API: the app launched on 127.0.0.1 in its own process, called with gradio_client."""

from __future__ import annotations

import json
import threading
import time

import pytest
import trimesh
from gradio_client import Client
from gradio_client.exceptions import AppError

from tools.errors import InvalidInputError
from ui.jobs import BusyError, Jobs


def test_build_endpoint_returns_scene_and_chain_log(app_url, tmp_path):
    client = Client(app_url, verbose=False, download_files=str(tmp_path))
    scene_path, log = client.predict("Build a 3D gallery of Paris landmarks", api_name="/build")
    assert log["result"]["error"] is None
    assert log["model"]["provider"] == "offline"
    calls = [e for e in log["events"] if e["type"] == "space_call"]
    assert [c["tool"] for c in calls] == ["text_to_3d"] * 8 + ["assemble_scene"]
    scene = trimesh.load(scene_path, file_type="glb", force="scene")
    assert "eiffel_tower" in scene.graph.transforms.children[scene.graph.base_frame]


def test_build_streams_chain_log_updates(app_url, tmp_path):
    client = Client(app_url, verbose=False, download_files=str(tmp_path))
    job = client.submit("a gallery of a red lighthouse and a windmill", api_name="/build")
    updates = list(job)
    assert len(updates) >= 3
    counts = [len(log["events"]) for _, log in updates]
    assert counts == sorted(counts) and counts[0] < counts[-1]
    assert updates[-1][1]["result"]["scene"] is not None


def test_api_lists_build_and_rejects_empty_requests_clearly(app_url, tmp_path):
    client = Client(app_url, verbose=False, download_files=str(tmp_path))
    api = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert list(api) == ["/build", "/start", "/status", "/cancel", "/resume", "/edit", "/history", "/run", "/try_tool",
                         "/add_space", "/suggest_spaces"]
    assert "Build one walkable 3D scene" in api["/build"]["description"]
    with pytest.raises(AppError, match="The request is empty"):
        client.predict("  ", api_name="/build")
    with pytest.raises(AppError, match="the limit is 500"):
        client.predict("x" * 600, api_name="/build")


def _wait_until_finished(client: Client, run_id: str, timeout_s: float = 60) -> tuple[str | None, dict]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        scene, report = client.predict(run_id, api_name="/status")
        if report["status"] != "running":
            return scene, report
        time.sleep(0.3)
    raise AssertionError(f"run {run_id} still running after {timeout_s} s: {report['progress']}")


def test_start_returns_at_once_and_status_fetches_the_scene_later(app_url, tmp_path):
    client = Client(app_url, verbose=False, download_files=str(tmp_path))
    run = client.predict("a gallery of a red lighthouse and a windmill", api_name="/start")
    assert run["status"] == "running"  # it answered before the run ended (no clock asserted: load varies)
    scene, report = _wait_until_finished(client, run["run_id"])
    assert report["status"] == "done" and report["error"] is None
    assert report["progress"] == {"space_calls_done": 3, "space_calls_running": 0, "current": None, "steps": 2}
    assert [e["tool"] for e in report["log"]["events"] if e["type"] == "space_call"] == (
        ["text_to_3d"] * 2 + ["assemble_scene"])
    assert open(scene, "rb").read(4) == b"glTF"


def test_a_cancelled_background_run_can_be_resumed(app_url, tmp_path):
    client = Client(app_url, verbose=False, download_files=str(tmp_path))
    # Not a request other tests make: the app caches Space results, and a cached run ends before the cancel lands.
    run = client.predict("Build a 3D gallery of Rome landmarks", api_name="/start")
    client.predict(run["run_id"], api_name="/cancel")
    scene, report = _wait_until_finished(client, run["run_id"])
    assert report["status"] == "cancelled" and scene is None
    scene, log = client.predict(run["run_id"], api_name="/resume")
    assert log["run_id"] == run["run_id"] and log["result"]["error"] is None
    assert open(scene, "rb").read(4) == b"glTF"
    assert client.predict(run["run_id"], api_name="/status")[1]["status"] == "done"


@pytest.mark.parametrize(("run_id", "message"), [
    ("../x", "run_id must look like"),
    ("20261124-061502-3fa1c2e07b9d41a/../../etc", "run_id must look like"),
    ("20000101-000000-abcdef0123456789", "No run has the id"),
    ("20000101-000000-abcdef", "is not yours"),  # a short id opens only for its owner (ui/owners.py)
])
def test_status_refuses_bad_and_unknown_run_ids(app_url, tmp_path, run_id, message):
    client = Client(app_url, verbose=False, download_files=str(tmp_path))
    with pytest.raises(AppError, match=message):
        client.predict(run_id, api_name="/status")


def test_resume_of_an_unknown_run_is_a_clear_error(app_url, tmp_path):
    client = Client(app_url, verbose=False, download_files=str(tmp_path))
    with pytest.raises(AppError, match="No run has the id '20000101-000000-abcdef0123456789'"):
        client.predict("20000101-000000-abcdef0123456789", api_name="/resume")


# ---- the registry itself, in process -----------------------------------------------------------


class _SlowRunner:
    """Fake: a ChainRunner whose runs stay running until released or cancelled, because the job registry's limits
    are about runs in progress and a real run's length is not under the test's control.

    Each run yields one snapshot, then waits.
    """

    def __init__(self, settings) -> None:
        self.settings = settings
        self.release = threading.Event()
        self.count = 0

    def run(self, request, *, cancel, owner=None):
        if not request.strip():
            raise InvalidInputError("The request is empty")
        self.count += 1
        log = {"run_id": f"20261124-000000-{self.count:06x}", "events": [],
               "result": {"scene": None, "error": None, "answer": None}}
        yield log
        while not (self.release.wait(0.05) or cancel.is_set()):
            pass
        yield {**log, "result": {"scene": None, "error": "stopped", "answer": None}}


def _settle(jobs: Jobs, run_id: str) -> str:
    for _ in range(200):
        if (state := jobs.status(run_id)["status"]) != "running":
            return state
        time.sleep(0.02)
    raise AssertionError(f"{run_id} still running")


def test_jobs_refuse_starts_past_the_concurrency_limit_and_forget_the_oldest(settings):
    runner = _SlowRunner(settings)
    jobs = Jobs(runner, max_running=2, keep=3)
    with pytest.raises(InvalidInputError, match="The request is empty"):
        jobs.start(" ")
    first, second = jobs.start("a"), jobs.start("b")
    with pytest.raises(BusyError, match="the limit is 2"):
        jobs.start("c")
    jobs.cancel(first["run_id"])
    assert _settle(jobs, first["run_id"]) == "cancelled"
    assert jobs.last_unfinished() == first["run_id"]
    runner.release.set()
    assert _settle(jobs, second["run_id"]) == "failed"
    for _ in range(3):
        assert _settle(jobs, jobs.start("more")["run_id"]) == "failed"
    with pytest.raises(InvalidInputError, match="No run has the id"):
        jobs.status(first["run_id"])  # forgotten from memory, and it never wrote a chain.json


def test_status_falls_back_to_chain_json_after_a_restart(settings):
    run_dir = settings.data_dir / "runs" / "20261124-061502-3fa1c2e07b9d41a"
    run_dir.mkdir(parents=True)
    (run_dir / "scene.glb").write_bytes(b"glTF")
    log = {"run_id": "20261124-061502-3fa1c2e07b9d41a", "events": [{"type": "space_call", "tool": "text_to_3d",
                                                            "space": "local:text_to_3d", "endpoint": "/generate",
                                                            "status": "ok"}],
           "result": {"scene": str(run_dir / "scene.glb"), "error": None, "answer": "ok"}}
    (run_dir / "chain.json").write_text(json.dumps(log), encoding="utf-8")
    (settings.data_dir / "runs" / "20261124-061503-aaaaaa").mkdir()
    jobs = Jobs(_SlowRunner(settings))
    report = jobs.status("20261124-061502-3fa1c2e07b9d41a")
    assert report["status"] == "done" and report["scene"] == str(run_dir / "scene.glb")
    assert report["progress"]["space_calls_done"] == 1
    interrupted = jobs.status("20261124-061503-aaaaaa")
    assert interrupted["status"] == "failed" and "/resume" in interrupted["error"]
    with pytest.raises(InvalidInputError, match="run_id must look like"):
        jobs.status("../x")
