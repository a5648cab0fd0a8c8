"""Never worse than the planner: each way a model fails, streamed by the fake model server through the real app.

Real companions, real runner, real worker; only the model server is a fake (tests/stubs/openai_server.py).
Budgets are checked in the chain log (each LLM call's limit and outcome), never by timing the test.
"""

from __future__ import annotations

import json

import pytest
import trimesh

from agent.runner import ChainRunner
from tests.stubs.openai_server import Reply, ScriptedChatServer
from tools.companions import free_port

REQUEST = "A gallery of a red lighthouse and an oak tree"
GOOD = """Thought: Two objects, then assemble.
<code>
names = ['red lighthouse', 'oak tree']
made = parallel_map(tool='text_to_3d', items=[{'prompt': n} for n in names])
files = [m['result']['glb'] for m in made if m['ok']]
scene = assemble_scene(files=files, labels='\\n'.join(names), title='Coast')
final_answer({'scene': scene['scene'], 'objects': names, 'missing': {}})
</code>"""
NO_CODE = "Thought: A lighthouse is a tall tower by the sea. </blockquote> I would like to describe it first."
RUNAWAY = Reply("Thought: let me think.", forever="I will consider the lighthouse again.")
HUNG = Reply("Thought: I", hang=True)


@pytest.fixture
def fake_model():
    servers: list[ScriptedChatServer] = []

    def start(*replies: str | Reply) -> ScriptedChatServer:
        servers.append(ScriptedChatServer(list(replies)))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _llm_settings(settings, url: str, **overrides):
    return settings.with_overrides(model_provider="openai", llm_base_url=url, model_id="fake-model",
                                   llm_call_timeout_s=3.0, run_timeout_s=120.0, llm_fallback_reserve_s=40.0,
                                   **overrides)


def _events(outcome, kind: str) -> list[dict]:
    return [e for e in outcome.log["events"] if e["type"] == kind]


def _objects(path) -> set[str]:
    scene = trimesh.load(path, file_type="glb", force="scene")
    return set(scene.graph.transforms.children[scene.graph.base_frame])


def _assert_planner_finished(outcome, settings, *, step: int, reason: str) -> str:
    """The run ended with the planner's scene and the one-line account; returns that line."""
    assert outcome.error is None, outcome.error
    assert {"red_lighthouse", "oak_tree"} <= _objects(outcome.scene)
    line = f"The model failed at step {step}: {reason}; the built-in planner finished the scene."
    fallback = _events(outcome, "fallback")
    assert len(fallback) == 1 and fallback[0]["text"] == line and fallback[0]["status"] == "ok"
    assert outcome.log["result"]["answer"].startswith(line)
    assert "\n" not in line
    timings = outcome.log["timings"]  # the run's own clock, in its log; the budget starts once the tools loaded
    assert timings["total_s"] - timings["startup_s"] < settings.run_timeout_s
    for call in _events(outcome, "llm_call"):  # every LLM call had a limit inside the model's share of the run
        assert call["limit_s"] <= settings.llm_call_timeout_s
    return line


def test_a_good_streamed_reply_makes_the_scene_without_the_planner(companion_urls, settings, fake_model):
    server = fake_model(GOOD)
    settings = _llm_settings(settings, server.base_url)
    outcome = ChainRunner(settings).run_to_end(REQUEST)
    assert outcome.error is None, outcome.error
    assert {"red_lighthouse", "oak_tree"} <= _objects(outcome.scene)
    assert not _events(outcome, "fallback")
    [call] = _events(outcome, "llm_call")
    assert call["outcome"] == "ok" and call["input_tokens"] == 100  # the server's usage chunk was read
    assert server.requests[0]["stream"] is True and server.requests[0]["stop"] == ["Observation:", "Calling tools:",
                                                                                  "</code>"]
    system = server.requests[0]["messages"][0]
    assert system["role"] == "system" and "Examples:" in system["content"] and "pope" not in system["content"]


def test_a_runaway_reply_is_cut_and_the_planner_finishes(companion_urls, settings, fake_model):
    server = fake_model(RUNAWAY)
    settings = _llm_settings(settings, server.base_url)
    outcome = ChainRunner(settings).run_to_end(REQUEST)
    _assert_planner_finished(outcome, settings, step=2, reason="it repeated itself")
    assert [c["outcome"] for c in _events(outcome, "llm_call")] == ["runaway", "runaway"]
    assert server.hang_ups == 2  # the connection was closed each time, so the server stopped writing
    steps = _events(outcome, "agent_step")
    assert [s["status"] for s in steps[:2]] == ["error", "error"]
    assert "repeated itself" in steps[1]["error"] and "lighthouse again" not in steps[1]["error"]


def test_two_replies_without_code_hand_over_to_the_planner(companion_urls, settings, fake_model):
    server = fake_model(NO_CODE)
    settings = _llm_settings(settings, server.base_url)
    outcome = ChainRunner(settings).run_to_end(REQUEST)
    _assert_planner_finished(outcome, settings, step=2, reason="no code in its reply")
    assert len(server.requests) == 2
    assert "</blockquote>" not in json.dumps([outcome.log["result"], _events(outcome, "fallback")])
    steps = _events(outcome, "agent_step")
    assert steps[0]["thought"].startswith("A lighthouse")  # the model's text is in the chain log, as its thought
    assert steps[0]["status"] == "error" and "</blockquote>" not in steps[0]["error"]


def test_a_hung_reply_is_closed_at_its_limit_and_never_retried(companion_urls, settings, fake_model):
    server = fake_model(HUNG)
    settings = _llm_settings(settings, server.base_url)
    outcome = ChainRunner(settings).run_to_end(REQUEST)
    _assert_planner_finished(outcome, settings, step=1, reason="no complete reply within 3 s")
    [call] = _events(outcome, "llm_call")
    assert call["outcome"] == "timeout" and call["limit_s"] == 3.0
    assert len(server.requests) == 1 and server.hang_ups == 1  # closed, not retried
    step = _events(outcome, "agent_step")[0]
    assert step["status"] == "error" and "did not finish a reply within 3 s" in step["error"]


def test_an_unreachable_server_hands_over_to_the_planner(companion_urls, settings):
    settings = _llm_settings(settings, f"http://127.0.0.1:{free_port()}/v1")
    outcome = ChainRunner(settings).run_to_end(REQUEST)
    _assert_planner_finished(outcome, settings, step=1, reason="its server did not answer")
    assert _events(outcome, "llm_call")[0]["outcome"] == "unreachable"


def test_the_planner_keeps_the_models_subjects_and_reuses_its_assets(companion_urls, settings, fake_model):
    made = ("Thought: first the windmill.\n<code>\nw = text_to_3d(prompt='blue windmill')\nprint(w['glb'])\n"
            "</code>")
    server = fake_model(made, NO_CODE)
    settings = _llm_settings(settings, server.base_url)
    outcome = ChainRunner(settings).run_to_end(REQUEST)
    _assert_planner_finished_any = outcome.error is None and outcome.scene is not None
    assert _assert_planner_finished_any, outcome.error
    assert _events(outcome, "fallback")[0]["subjects"] == ["blue windmill"]
    calls = [c for c in _events(outcome, "space_call") if c["tool"] == "text_to_3d"]
    assert [c["inputs"]["prompt"] for c in calls] == ["blue windmill", "blue windmill"]
    assert calls[1].get("replayed") is True  # the model's asset was reused, not made again
    assert "blue_windmill" in _objects(outcome.scene)
    assert outcome.log["result"]["answer"].startswith("The model failed at step 3: no code in its reply;")


def test_out_of_steps_costs_no_summary_call_and_the_planner_finishes(companion_urls, settings, fake_model):
    dawdle = "Thought: let me look.\n<code>\nprint('thinking about lighthouses')\n</code>"
    server = fake_model(dawdle)
    settings = _llm_settings(settings, server.base_url, max_steps=2)
    outcome = ChainRunner(settings).run_to_end(REQUEST)
    _assert_planner_finished(outcome, settings, step=2, reason="it used all 2 steps without a scene")
    assert len(server.requests) == 2  # no third "summary" call outside the budget


def test_with_fallback_off_the_error_is_dioramas_own(companion_urls, settings, fake_model):
    server = fake_model(NO_CODE)
    settings = _llm_settings(settings, server.base_url, llm_fallback=False)
    outcome = ChainRunner(settings).run_to_end(REQUEST)
    assert outcome.scene is None
    assert outcome.error == ("The model fake-model @ " + server.base_url + " wrote no runnable code in 2 replies in "
                             "a row (no code in its reply); try a stronger model or provider = \"offline\".")
    assert not _events(outcome, "fallback") and not _events(outcome, "space_call")


def test_with_fallback_off_an_unreachable_server_is_one_line(companion_urls, settings):
    url = f"http://127.0.0.1:{free_port()}/v1"
    settings = _llm_settings(settings, url, llm_fallback=False)
    outcome = ChainRunner(settings).run_to_end(REQUEST)
    assert outcome.scene is None and "\n" not in outcome.error
    assert outcome.error.startswith(f"The LLM server at {url} did not answer (")
    assert "Traceback" not in json.dumps(outcome.log)


def test_auto_with_a_token_but_no_inference_endpoint_runs_offline_with_a_notice(companion_urls, settings):
    dead = f"http://127.0.0.1:{free_port()}/v1"
    settings = settings.with_overrides(model_provider="auto", hf_token="hf_canary_token_123",
                                       hf_inference_url=dead)
    runner = ChainRunner(settings)
    info = runner.model_info()
    assert info["provider"] == "offline" and f"HF Inference ({dead}) does not answer" in info["id"]
    outcome = runner.run_to_end(REQUEST)
    assert outcome.error is None, outcome.error
    [notice] = _events(outcome, "notice")
    assert notice["text"].startswith("HF_TOKEN is set but HF Inference") and "\n" not in notice["text"]
    assert "hf_canary_token_123" not in json.dumps(outcome.log)


def test_structured_output_falls_back_to_the_json_object_form_and_makes_the_scene(companion_urls, settings):
    code = GOOD.split("<code>\n", 1)[1].split("</code>", 1)[0]
    server = ScriptedChatServer([json.dumps({"thought": "Two objects, then assemble.", "code": code})],
                                json_object_only=True)
    try:
        settings = _llm_settings(settings, server.base_url, llm_structured=True)
        outcome = ChainRunner(settings).run_to_end(REQUEST)
    finally:
        server.close()
    assert outcome.error is None, outcome.error
    assert not _events(outcome, "fallback")
    assert [r["response_format"]["type"] for r in server.requests] == ["json_object"]  # the 422 was not recorded
    assert server.requests[0]["response_format"]["schema"]["required"] == ["thought", "code"]
    assert "stop" not in server.requests[0]
