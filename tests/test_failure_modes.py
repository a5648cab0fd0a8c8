"""One deterministic test per failure mode, through the fault-injecting Space (p = 1, fixed seed):
the right retry/no-retry behaviour, error class and message, the fallback taken, nothing lost."""

from __future__ import annotations

import pytest
import trimesh
from gradio_client import Client

from agent.config import Provider, ToolConfig
from agent.runner import ChainRunner
from tools.errors import (
    SpaceCallError,
    SpaceOutputError,
    SpaceQuotaError,
    SpaceRejectedError,
    SpaceTimeoutError,
    SpaceUnavailableError,
)
from tools.registry import Registry
from tools.space_tool import CallContext
from tests.conftest import object_roots

ATTEMPTS = 2
# mode -> (error class seen on the faulty Space, phrase in its message, attempts made there)
MODES = {
    "sleeping": (SpaceUnavailableError, "HTTP 503", ATTEMPTS),
    "queue_full": (SpaceUnavailableError, "queue is full", ATTEMPTS),
    "rate_limit": (SpaceUnavailableError, "HTTP 429, the Space is rate-limited", ATTEMPTS),
    "zerogpu_quota": (SpaceQuotaError, "out of GPU quota: You have exceeded your GPU quota", 1),
    "hidden_error": (SpaceCallError, "hid the reason", ATTEMPTS),
    "input_error": (SpaceRejectedError, "rejected the input: Prompt contains unsupported characters", 1),
    "connection_reset": (SpaceUnavailableError, "connection was lost", ATTEMPTS),
    "hang": (SpaceTimeoutError, "timed out after 2 s and the job was cancelled", ATTEMPTS),
    "wrong_shape": (SpaceOutputError, "declared a file for 'GLB' but returned None", ATTEMPTS),
    "html_as_glb": (SpaceOutputError, "is not a GLB: it starts with b'<", ATTEMPTS),
    "empty_file": (SpaceOutputError, "too short for a GLB", ATTEMPTS),
    "truncated_glb": (SpaceOutputError, "is truncated", ATTEMPTS),
}


def _configure(fault_url: str, *, p: float, modes: str, seed: int = 7) -> None:
    Client(fault_url, verbose=False).predict(p, seed, modes, 6.0, api_name="/configure")


def _deadline(mode: str) -> float:
    """Short enough to catch a 6 s hang, long enough that a healthy call on a loaded 2-core machine never trips."""
    return 2.0 if mode == "hang" else 15.0


@pytest.mark.parametrize("mode", sorted(MODES))
def test_each_failure_mode_gets_its_recovery(fault_url, tmp_path, mode):
    error_class, phrase, attempts = MODES[mode]
    _configure(fault_url, p=1.0, modes=mode)
    events: list[dict] = []
    entry = ToolConfig("text_to_3d", fault_url, "/generate", "text_to_3d",
                       fallbacks=(Provider("local:text_to_3d", "/generate"),))
    registry = Registry((entry,), connect_timeout_s=10, breaker_failures=100)
    context = CallContext(run_dir=tmp_path, emit=events.append, call_timeout_s=_deadline(mode), attempts=ATTEMPTS,
                          backoff_s=0.01)
    tool = registry.load(context).tools["text_to_3d"]
    result = tool(prompt="Luxor Obelisk")
    # the fallback made the asset, and it is a real, sound GLB
    scene = trimesh.load(result["glb"], file_type="glb", force="scene")
    assert scene.bounds[1][1] > 20
    done = [e for e in events if e["status"] != "running"]
    faulty = [e for e in done if e["space"] == fault_url]
    assert len(faulty) == attempts, [e["error"] for e in faulty]
    assert all(e["status"] == "error" and phrase in e["error"] for e in faulty), faulty[-1]["error"]
    assert faulty[-1]["error"].endswith(f"on attempt {attempts} of {ATTEMPTS}; trying fallback local:text_to_3d.")
    assert [(e["space"], e["status"], e["fallback"]) for e in done[len(faulty):]] == [
        ("local:text_to_3d", "ok", True)]
    # the error class behind the message, seen without a fallback
    lone = Registry((ToolConfig("solo", fault_url, "/generate"),), connect_timeout_s=10, breaker_failures=100)
    solo = lone.load(CallContext(run_dir=tmp_path, emit=lambda e: None, call_timeout_s=_deadline(mode),
                                 attempts=1)).tools
    with pytest.raises(error_class, match="no fallback left"):
        solo["solo"](prompt="Luxor Obelisk")


def test_paris_through_every_failure_mode_loses_nothing(fault_url, settings):
    _configure(fault_url, p=0.5, modes="all", seed=11)
    text = ToolConfig("text_to_3d", fault_url, "/generate", "text_to_3d",
                      fallbacks=(Provider("local:text_to_3d", "/generate"),))
    scene_tool = ToolConfig("assemble_scene", "local:scene_builder", "/assemble", "scene_assembly")
    settings = settings.with_overrides(tools=(text, scene_tool), call_timeout_s=4.0, backoff_s=0.01,
                                       call_attempts=3, cache_enabled=False)
    outcome = ChainRunner(settings).run_to_end("Build a 3D gallery of Paris landmarks")
    _configure(fault_url, p=0.0, modes="all")
    assert outcome.error is None, outcome.error
    calls = [e for e in outcome.log["events"] if e["type"] == "space_call" and e["tool"] == "text_to_3d"]
    assert any(c["status"] == "error" for c in calls)  # faults really happened
    made = {c["inputs"]["prompt"] for c in calls if c["status"] == "ok"}
    assert len(made) == 8
    assert len(object_roots(outcome.scene)) == 8


def test_a_client_that_lost_its_connection_is_not_pooled(fault_url, tmp_path):
    """A broken connection retires its client: the next try, and the next run, connect a new one."""
    entry = ToolConfig("text_to_3d", fault_url, "/generate", "text_to_3d")
    registry = Registry((entry,), connect_timeout_s=10, breaker_failures=100, download_dir=tmp_path / "downloads")

    def one_run(name: str, p: float):
        _configure(fault_url, p=p, modes="connection_reset")
        loaded = registry.load(CallContext(run_dir=tmp_path / name, emit=lambda e: None, call_timeout_s=15,
                                           attempts=1))
        try:
            try:
                loaded.tools["text_to_3d"](prompt="windmill")
            except SpaceUnavailableError:
                pass
            return loaded.sessions[0].client()
        finally:
            loaded.close()

    healthy = one_run("run1", 0.0)
    assert one_run("run2", 0.0) is healthy  # a healthy client is pooled and reused
    after_reset = one_run("run3", 1.0)  # this run's call loses its connection on the pooled client...
    assert after_reset is not healthy  # ...which is retired: the session connected a new one
    _configure(fault_url, p=0.0, modes="all")
