"""The LLM path: a scripted fake LLM (the one faked part) drives the real CodeAgent against the real local Spaces."""

from __future__ import annotations

import json
from pathlib import Path

import trimesh

from agent.runner import ChainRunner
from tests.scripted_model import ScriptedLLM

GOOD = """Thought: I will make two objects and assemble them.
<code>
parts = {}
for name in ["red lighthouse", "oak tree"]:
    parts[name] = text_to_3d(prompt=name)["glb"]
scene = assemble_scene(files=list(parts.values()), labels="\\n".join(parts), title="Coast")
final_answer({"scene": scene["scene"], "objects": list(parts), "missing": {}})
</code>"""

MALFORMED = """Thought: Let me start.
<code>
for name in ["red lighthouse" "oak tree"
    text_to_3d(prompt=name
</code>"""

NO_CODE = "Thought: I should build a coast scene. I will now think about what to do next."

RUNAWAY = "Thought: " + "I will consider the lighthouse again. " * 400


def test_scripted_llm_recovers_from_malformed_code(companion_urls, settings):
    llm = ScriptedLLM([MALFORMED, GOOD])
    outcome = ChainRunner(settings, llm=llm).run_to_end("A coast with a red lighthouse and an oak tree")
    assert outcome.error is None, outcome.error
    steps = [e for e in outcome.log["events"] if e["type"] == "agent_step"]
    assert [s["status"] for s in steps] == ["error", "ok"]
    assert "SyntaxError" in steps[0]["error"] or "invalid syntax" in steps[0]["error"].lower()
    # the model saw its own error as an observation before the second reply
    assert any("Error" in t for t in llm.prompts[1])
    assert not [e for e in outcome.log["events"] if e["type"] == "fallback"]  # one bad reply is forgiven
    scene = trimesh.load(outcome.scene, file_type="glb", force="scene")
    roots = set(scene.graph.transforms.children[scene.graph.base_frame])
    assert {"red_lighthouse", "oak_tree"} <= roots
    assert outcome.log["timings"]["llm_input_tokens"] > 0


def test_malformed_code_then_no_code_is_two_strikes_and_the_planner_finishes(companion_urls, settings):
    llm = ScriptedLLM([MALFORMED, NO_CODE, GOOD])
    outcome = ChainRunner(settings, llm=llm).run_to_end("A coast with a red lighthouse and an oak tree")
    assert outcome.error is None, outcome.error
    assert len(llm.prompts) == 2  # the third reply was never asked for
    steps = [e for e in outcome.log["events"] if e["type"] == "agent_step"]
    assert [s["status"] for s in steps[:2]] == ["error", "error"]
    assert steps[1]["error"].startswith("The model scripted-test-llm wrote no runnable code in 2 replies in a row")
    assert outcome.log["result"]["answer"].startswith(
        "The model failed at step 2: no code in its reply; the built-in planner finished the scene.")


def test_a_runaway_model_without_fallback_ends_with_dioramas_own_error(companion_urls, settings):
    settings = settings.with_overrides(max_steps=3, llm_fallback=False)
    llm = ScriptedLLM([RUNAWAY], summary="I could not decide what to build.")
    outcome = ChainRunner(settings, llm=llm).run_to_end("A coast with a red lighthouse")
    assert outcome.scene is None
    assert len(llm.prompts) == 2  # two replies without code end the model's turn
    assert outcome.error == ("The model scripted-test-llm wrote no runnable code in 2 replies in a row (no code in "
                             "its reply); try a stronger model or provider = \"offline\".")
    assert "lighthouse again" not in outcome.error  # the model's text is in the chain log, not in the error
    assert not [e for e in outcome.log["events"] if e["type"] == "space_call"]
    saved = Path(next(e["log_file"] for e in outcome.log["events"] if e["type"] == "saved"))
    assert saved.is_file() and "lighthouse again" in saved.read_text()


def test_the_summary_after_the_last_step_is_dioramas_not_an_llm_call(companion_urls, settings):
    dawdle = "Thought: look first.\n<code>\nprint('thinking')\n</code>"
    settings = settings.with_overrides(max_steps=2, llm_fallback=False)
    llm = ScriptedLLM([dawdle], summary="MODEL SUMMARY")
    outcome = ChainRunner(settings, llm=llm).run_to_end("A coast with a red lighthouse")
    assert outcome.scene is None and len(llm.prompts) == 2
    assert outcome.error == "The model used all its steps without finishing a scene."
    assert "MODEL SUMMARY" not in json.dumps(outcome.log)


def test_openai_compatible_server_path_sends_flat_text_and_bounds_tokens(companion_urls, settings):
    """Diorama's streaming client against the fake model server that, like llama.cpp, rejects list-of-parts
    message content."""
    from tests.stubs.openai_server import ScriptedChatServer

    server = ScriptedChatServer([GOOD])
    try:
        settings = settings.with_overrides(model_provider="openai", llm_base_url=server.base_url,
                                           model_id="local-model", llm_api_key="sk-canary-123456",
                                           max_tokens_per_step=321)
        runner = ChainRunner(settings)
        assert runner.model_info() == {"provider": "openai", "id": f"local-model @ {server.base_url}"}
        outcome = runner.run_to_end("A coast with a red lighthouse and an oak tree")
    finally:
        server.close()
    assert outcome.error is None, outcome.error
    assert len(server.requests) == 1
    request = server.requests[0]
    assert request["model"] == "local-model" and request["max_tokens"] == 321
    assert all(isinstance(m["content"], str) for m in request["messages"])
    assert server.auth_headers == ["Bearer sk-canary-123456"]
    assert "sk-canary-123456" not in json.dumps(outcome.log)
    assert outcome.log["timings"]["llm_input_tokens"] == 100
    assert request["stream"] is True


def test_wall_clock_budget_stops_a_slow_run_cleanly(companion_urls, settings):
    slow = "Thought: wait.\n<code>\nimport time\ntime.sleep(0.6)\nprint('still thinking')\n</code>"
    settings = settings.with_overrides(run_timeout_s=1.0, max_steps=20, llm_fallback=False)
    llm = ScriptedLLM([slow])
    outcome = ChainRunner(settings, llm=llm).run_to_end("A coast with a red lighthouse")
    assert outcome.scene is None
    assert "hit its 1 s time budget" in outcome.error
    assert len(llm.prompts) <= 4  # on a loaded machine the budget may end before the first step
