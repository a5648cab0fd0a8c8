"""Space endpoints as tools, through real gradio_client calls to a real local Gradio app (tests/stubs)."""

from __future__ import annotations

from pathlib import Path

import pytest
import trimesh

from agent.config import ToolConfig
from tools.errors import (
    ConfigError,
    InvalidInputError,
    SpaceCallError,
    SpaceOutputError,
    SpaceRejectedError,
    SpaceTimeoutError,
)
from tools.registry import Registry
from tools.space_tool import CallContext


def _load(url: str, tmp_path: Path, names: list[str], *, timeout_s: float = 3.0, attempts: int = 1):
    events: list[dict] = []
    entries = tuple(ToolConfig(name=n, space=url, endpoint=f"/{n}") for n in names)
    registry = Registry(entries, connect_timeout_s=10)
    context = CallContext(run_dir=tmp_path, emit=events.append, call_timeout_s=timeout_s, attempts=attempts,
                          backoff_s=0.05)
    return registry.load(context), events


def test_tool_is_generated_from_the_endpoint_schema(stub_url, tmp_path):
    loaded, _ = _load(stub_url, tmp_path, ["generate_ok"])
    tool = loaded.tools["generate_ok"]
    assert tool.inputs["prompt"]["type"] == "string"
    assert tool.inputs["seed"] == {"type": "integer", "description": tool.inputs["seed"]["description"],
                                   "nullable": True}
    assert "default 0" in tool.inputs["seed"]["description"]
    assert tool.output_type == "object"
    assert "'glb': local path of the GLB file" in tool.description
    assert "Return a 2 m box named after the prompt" in tool.description
    assert "def generate_ok(prompt: string, seed: integer)" in tool.to_code_prompt()


def test_file_output_comes_back_as_a_local_glb_in_the_run_folder(stub_url, tmp_path):
    loaded, events = _load(stub_url, tmp_path, ["generate_ok"])
    result = loaded.tools["generate_ok"](prompt="Tower")
    path = Path(result["glb"])
    assert path.parent == tmp_path / "assets" and path.suffix == ".glb"
    scene = trimesh.load(path, file_type="glb", force="scene")
    assert scene.bounds[1][1] == pytest.approx(2.0)
    assert result["info"] == {"name": "Tower", "seed": 0}
    done = events[-1]
    assert done["type"] == "space_call" and done["status"] == "ok" and done["attempt"] == 1
    assert done["inputs"] == {"prompt": "Tower", "seed": 0}
    assert done["output"]["glb"].startswith("assets/") and done["duration_s"] > 0


@pytest.mark.parametrize(
    ("endpoint", "error", "phrase"),
    [
        ("generate_reject", SpaceRejectedError, "rejected the input: Prompt 'x' is not allowed on this Space"),
        ("generate_crash", SpaceCallError, "hid the reason"),
        ("generate_html", SpaceOutputError, "is not a GLB: it starts with b'<!DO'"),
        ("generate_slow", SpaceTimeoutError, "timed out after 1 s and the job was cancelled"),
    ],
)
def test_space_failures_become_distinct_errors_with_advice(stub_url, tmp_path, endpoint, error, phrase):
    loaded, events = _load(stub_url, tmp_path, [endpoint], timeout_s=1.0)
    with pytest.raises(error, match=phrase) as info:
        loaded.tools[endpoint](prompt="x")
    assert info.value.endpoint == f"/{endpoint}"
    assert str(info.value).startswith(f"{endpoint} ({stub_url} /{endpoint}): ")
    assert str(info.value).endswith("on attempt 1 of 1; no fallback left.") or endpoint == "generate_reject"
    assert events[-1]["status"] == "error" and events[-1]["error"] == str(info.value)


def test_rejected_input_is_not_retried_but_transient_failures_are(stub_url, tmp_path):
    loaded, events = _load(stub_url, tmp_path, ["generate_reject"], attempts=3)
    with pytest.raises(SpaceRejectedError):
        loaded.tools["generate_reject"](prompt="x")
    assert [e["attempt"] for e in events if e["status"] != "running"] == [1]
    loaded, events = _load(stub_url, tmp_path, ["generate_crash"], attempts=2)
    with pytest.raises(SpaceCallError, match="on attempt 2 of 2; no fallback left"):
        loaded.tools["generate_crash"](prompt="x")
    assert [e["attempt"] for e in events if e["status"] != "running"] == [1, 2]
    loaded, events = _load(stub_url, tmp_path, ["generate_slow"], timeout_s=0.5, attempts=2)
    with pytest.raises(SpaceTimeoutError):
        loaded.tools["generate_slow"](prompt="x")
    assert [e["attempt"] for e in events if e["status"] != "running"] == [1, 2]


@pytest.mark.parametrize(
    ("call", "phrase"),
    [
        ({"prompt": "x", "colour": "red"}, "has no argument 'colour'; valid: prompt, seed"),
        ({"seed": 3}, "needs 'prompt'"),
    ],
)
def test_bad_arguments_are_refused_before_any_call(stub_url, tmp_path, call, phrase):
    loaded, events = _load(stub_url, tmp_path, ["generate_ok"])
    with pytest.raises(InvalidInputError, match=phrase):
        loaded.tools["generate_ok"](**call)
    assert events == []


def test_unknown_endpoint_lists_the_available_ones(stub_url, tmp_path):
    entries = (ToolConfig(name="nope", space=stub_url, endpoint="/nope"),)
    registry = Registry(entries, connect_timeout_s=10)
    loaded = registry.load(CallContext(run_dir=tmp_path, emit=lambda e: None, call_timeout_s=5))
    assert "nope" not in loaded.tools
    assert "Endpoint '/nope' not found" in loaded.failed["nope"] and "'/generate_ok'" in loaded.failed["nope"]


def test_unreachable_space_costs_one_clear_error(tmp_path):
    from tools.companions import free_port

    entries = (ToolConfig(name="dead", space=f"http://127.0.0.1:{free_port()}/", endpoint="/generate"),)
    loaded = Registry(entries, connect_timeout_s=5).load(
        CallContext(run_dir=tmp_path, emit=lambda e: None, call_timeout_s=5))
    assert loaded.tools == {}
    assert "Cannot reach Space" in loaded.failed["dead"]


def test_hub_space_in_offline_mode_says_how_to_fix_it(tmp_path):
    entries = (ToolConfig(name="hub", space="someone/some-space", endpoint="/generate"),)
    loaded = Registry(entries, connect_timeout_s=5, hf_token="hf_canary_token_123").load(
        CallContext(run_dir=tmp_path, emit=lambda e: None, call_timeout_s=5))
    assert "HF_HUB_OFFLINE=1" in loaded.failed["hub"]
    assert "hf_canary_token_123" not in loaded.failed["hub"]


def test_token_is_only_given_to_hub_spaces():
    from tools.spaces import SpaceSession

    hub = SpaceSession("owner/space", label="owner/space", download_dir=Path("."), connect_timeout_s=1, token="t")
    url = SpaceSession("http://127.0.0.1:1/", label="x", download_dir=Path("."), connect_timeout_s=1, token="t")
    assert hub.sends_token and not url.sends_token


def test_config_rejects_bad_values_naming_the_variable(tmp_path):
    from agent.config import Settings

    with pytest.raises(ConfigError, match="DIORAMA_CALL_TIMEOUT_S must be a float, got 'soon'"):
        Settings.load(environ={"DIORAMA_CALL_TIMEOUT_S": "soon"})
    with pytest.raises(ConfigError, match="use one of auto, offline, hf, openai"):
        Settings.load(environ={"DIORAMA_MODEL_PROVIDER": "gpt"})
    bad = tmp_path / "bad.toml"
    bad.write_text("[model]\nprovider = 'offline'\n")
    with pytest.raises(ConfigError, match="lists no \\[\\[tools\\]\\]"):
        Settings.load(bad, environ={})
    with pytest.raises(ConfigError, match="does not exist"):
        Settings.load(tmp_path / "missing.toml", environ={})


def test_env_overrides_a_tool_space_and_auto_picks_the_model():
    from agent.config import Settings

    settings = Settings.load(environ={"DIORAMA_SPACE_TEXT_TO_3D": "owner/shap-e"})
    assert settings.tool("text_to_3d").space == "owner/shap-e"
    assert settings.resolved_provider == "offline" and not settings.offline  # a Hub Space needs the Hub
    assert Settings.load(environ={"HF_TOKEN": "x"}).resolved_provider == "hf"
    assert Settings.load(environ={"DIORAMA_LLM_BASE_URL": "http://127.0.0.1:8080/v1"}).resolved_provider == "openai"
    assert Settings.load(environ={}).offline
    assert "secret-x" not in repr(Settings.load(environ={"HF_TOKEN": "secret-x"}))


def test_queue_position_is_reported_live_while_a_call_waits(stub_url, tmp_path):
    from tools.fanout import ParallelMapTool

    loaded, events = _load(stub_url, tmp_path, ["generate_serial"], timeout_s=20)
    results = ParallelMapTool(loaded.tools)(tool="generate_serial", items=[{"prompt": f"q{i}"} for i in range(3)])
    assert [r["ok"] for r in results] == [True, True, True]
    queued = [e for e in events if e.get("queue")]
    assert all(e["queue"]["rank"] >= 0 for e in queued)
    assert len({e["id"] for e in queued}) >= 2  # the calls behind the first one reported their place in line


def test_user_zerogpu_token_goes_to_hub_spaces_only(stub_url, tmp_path, monkeypatch):
    from tools import spaces

    session = spaces.SpaceSession(stub_url, label="stub", download_dir=tmp_path, connect_timeout_s=10)
    headers = {"x-ip-token": "user-ip-token-123"}
    seen = session.call("/echo_headers", ["x"], timeout_s=10, headers=headers)
    assert seen == {"x-ip-token": None}  # a URL Space never gets it
    # Fake: the loopback stub passes for a Hub Space ("owner/space"), because no Hub Space can be reached here
    monkeypatch.setattr(spaces, "is_hub_id", lambda source: True)
    seen = session.call("/echo_headers", ["x"], timeout_s=10, headers=headers)
    assert seen == {"x-ip-token": "user-ip-token-123"}
    seen = session.call("/echo_headers", ["x"], timeout_s=10)
    assert seen == {"x-ip-token": None}  # sent for that call only, not left on the pooled client
