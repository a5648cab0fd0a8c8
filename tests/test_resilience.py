"""Failing Spaces: fallbacks, circuit breaker, cancel, and resume after a real process kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path


from agent.config import Provider, ToolConfig
from agent.runner import ChainRunner
from tests.conftest import REPO, object_roots

SCENE = ToolConfig("assemble_scene", "local:scene_builder", "/assemble", "scene_assembly")


def _settings(settings, primary: str, endpoint: str, *, fallback: bool = True, **overrides):
    text = ToolConfig("text_to_3d", primary, endpoint, "text_to_3d",
                      fallbacks=(Provider("local:text_to_3d", "/generate"),) if fallback else ())
    return settings.with_overrides(tools=(text, SCENE), backoff_s=0.01, **overrides)


def _calls(log: dict, tool: str = "text_to_3d") -> list[dict]:
    return [e for e in log["events"] if e["type"] == "space_call" and e["tool"] == tool]


def _roots(path) -> set[str]:
    return set(object_roots(path))


def test_failing_provider_is_retried_then_the_fallback_makes_the_asset(companion_urls, stub_url, settings):
    settings = _settings(settings, stub_url, "/generate_crash", call_attempts=2, breaker_failures=100)
    outcome = ChainRunner(settings).run_to_end("a gallery of a red lighthouse and a windmill")
    assert outcome.error is None, outcome.error
    calls = _calls(outcome.log)
    first = [c for c in calls if c["inputs"]["prompt"] == "red lighthouse"]
    assert [(c["space"], c["attempt"], c["status"]) for c in first] == [
        (stub_url, 1, "error"), (stub_url, 2, "error"), ("local:text_to_3d", 1, "ok")]
    assert first[1]["error"].endswith("on attempt 2 of 2; trying fallback local:text_to_3d.")
    assert first[2]["fallback"] is True
    # the scene records which provider made each asset
    data = Path(outcome.scene).read_bytes()
    doc = json.loads(data[20:20 + int.from_bytes(data[12:16], "little")])
    made = {c["inputs"]["prompt"]: c["space"] for c in doc["asset"]["extras"]["diorama"]["calls"]
            if c["tool"] == "text_to_3d"}
    assert made == {"red lighthouse": "local:text_to_3d", "windmill": "local:text_to_3d"}


def test_circuit_breaker_skips_a_failing_space_without_waiting_on_it(companion_urls, stub_url, settings):
    settings = _settings(settings, stub_url, "/generate_crash", call_attempts=1, breaker_failures=2,
                         breaker_cooldown_s=600, max_parallel_per_space=1)  # one at a time: a clear order
    outcome = ChainRunner(settings).run_to_end("a gallery of a tree, a house, a boat and a car")
    assert outcome.error is None, outcome.error
    primary = [c for c in _calls(outcome.log) if c["space"] == stub_url]
    assert [c["error"].split(": ", 1)[1][:15] for c in primary][:2] == ["failed inside t"] * 2
    skipped = primary[2:]
    assert skipped and all("circuit is open" in c["error"] for c in skipped)
    assert not any(c["fault"] for c in skipped)  # skipped without a call: no Space fault (no clock asserted)


def test_partial_result_beats_no_result(companion_urls, stub_url, settings):
    settings = _settings(settings, stub_url, "/generate_fail_first", fallback=False, call_attempts=1)
    outcome = ChainRunner(settings).run_to_end("a gallery of a flaky tower, a dome and a flaky arch")
    # the planner retries once: transient failures are healed, nothing is lost
    assert outcome.error is None, outcome.error
    assert len(_roots(outcome.scene)) == 3
    settings = _settings(settings, stub_url, "/generate_reject", fallback=False)
    outcome = ChainRunner(settings).run_to_end("a gallery of a tower and a dome")
    assert outcome.scene is None and "No object could be made" in outcome.error


def test_cancel_stops_the_running_space_job_and_keeps_the_journal(companion_urls, stub_url, settings):
    settings = _settings(settings, stub_url, "/generate_slow", fallback=False)
    cancel = threading.Event()
    threading.Timer(1.0, cancel.set).start()
    final = {}
    for final in ChainRunner(settings).run("a gallery of a tower and a dome", cancel=cancel):
        pass
    calls = [e for e in final["events"] if e["type"] == "space_call"]
    # the 5 s jobs were not waited for: none finished, each one started ended as cancelled (no clock asserted)
    assert all(c["status"] == "cancelled" for c in calls), [(c["status"], c.get("error")) for c in calls]
    assert "cancel" in final["result"]["error"]
    journal = (settings.data_dir / "runs" / final["run_id"] / "journal.jsonl").read_text().splitlines()
    assert json.loads(journal[-1])["status"] == "cancelled"


def _write_config(path: Path, primary: str, endpoint: str) -> Path:
    path.write_text(f"""[model]
provider = "offline"
[limits]
call_attempts = 1
[[tools]]
name = "text_to_3d"
capability = "text_to_3d"
space = "{primary}"
endpoint = "{endpoint}"
[[tools]]
name = "assemble_scene"
capability = "scene_assembly"
space = "local:scene_builder"
endpoint = "/assemble"
""")
    return path


def test_resume_after_a_real_kill_repeats_no_finished_call(stub_url, tmp_path):
    config = _write_config(tmp_path / "slow.toml", stub_url, "/generate_delayed")
    env = {**os.environ, "DIORAMA_DATA_DIR": str(tmp_path / "data")}
    base = [sys.executable, str(REPO / "app.py"), "--config", str(config)]
    worker = subprocess.Popen([*base, "--prompt", "Build a 3D gallery of Paris landmarks"], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, process_group=0)
    runs = tmp_path / "data" / "runs"
    deadline = time.monotonic() + 600  # an upper bound for a saturated machine, not a speed check
    journal = None
    while time.monotonic() < deadline:
        journals = list(runs.glob("*/journal.jsonl")) if runs.exists() else []
        if journals and sum('"kind": "call"' in line for line in journals[0].read_text().splitlines()) >= 3:
            journal = journals[0]
            break
        time.sleep(0.05)
    assert journal is not None, "the run never finished 3 calls"
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and its bundled Spaces, mid-run
    worker.wait(timeout=10)
    done_before = [json.loads(line) for line in journal.read_text().splitlines() if '"kind": "call"' in line]
    assert 3 <= len(done_before) < 8
    run_id = journal.parent.name

    out, log = tmp_path / "paris.glb", tmp_path / "chain.json"
    resumed = subprocess.run([*base, "--resume", run_id, "--out", str(out), "--log", str(log)], env=env,
                             cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert resumed.returncode == 0, resumed.stderr
    assert f"[resume] run {run_id}: {len(done_before)} finished call(s)" in resumed.stdout
    calls = _calls(json.loads(log.read_text()))
    replayed = [c["inputs"]["prompt"] for c in calls if c.get("replayed")]
    fresh = [c["inputs"]["prompt"] for c in calls if not c.get("replayed")]
    assert sorted(replayed) == sorted(c["inputs"]["prompt"] for c in done_before)
    assert not set(replayed) & set(fresh)
    assert len(replayed) + len(fresh) == 8
    assert len(_roots(out)) == 8
