"""The LLM path's pure parts: runaway detection, fitting the context, message flattening, settings, the prompt."""

from __future__ import annotations

import pytest

from agent.config import Settings
from agent.llm_fallback import account, model_subjects, runnable_code
from agent.llm_prompt import estimate_tokens, fit_messages
from agent.llm_stream import RUNAWAY_NOTE, find_runaway, to_openai_messages
from smolagents import ChatMessage, MessageRole
from tools.errors import ConfigError, ModelContextError


@pytest.mark.parametrize("text, runaway", [
    ("Thought: go.\n<code>\nx = 1\nprint(x)\n</code>", False),
    ("a\nb\na\nb\n", False),
    ("print(1)\nprint(1)\nprint(1)\n", False),  # three in a row is still allowed
    ("intro\nprint(1)\nprint(1)\nprint(1)\nprint(1)\n", True),
    ("I will consider the lighthouse again. " * 6, True),  # one long line repeating a phrase
    ("abc" * 100, True),
    ("print('x')\n" + "=" * 120 + "\n", False),  # a ruler line is not a runaway
    ("    \n    \n    \n    \n    \n", False),  # blank lines are not a runaway
])
def test_find_runaway(text, runaway):
    assert (find_runaway(text) is not None) == runaway


def test_find_runaway_cuts_after_the_first_copy():
    text = "Thought: ok\n" + "same line\n" * 5
    cut = find_runaway(text)
    assert text[:cut] == "Thought: ok\nsame line\n"


def test_tool_call_echoes_are_dropped_and_roles_alternate():
    messages = [ChatMessage(role=MessageRole.SYSTEM, content=[{"type": "text", "text": "rules"}]),
                ChatMessage(role=MessageRole.USER, content=[{"type": "text", "text": "New task:\nboat"}]),
                ChatMessage(role=MessageRole.ASSISTANT, content="Thought: go\n<code>\nx=1\n</code>"),
                ChatMessage(role=MessageRole.TOOL_CALL, content=[{"type": "text", "text": "Calling tools: x=1"}]),
                ChatMessage(role=MessageRole.TOOL_RESPONSE, content=[{"type": "text", "text": "Observation: ok"}]),
                ChatMessage(role=MessageRole.TOOL_RESPONSE, content=[{"type": "text", "text": "Error: no"}])]
    assert to_openai_messages(messages) == [
        {"role": "system", "content": "rules"}, {"role": "user", "content": "New task:\nboat"},
        {"role": "assistant", "content": "Thought: go\n<code>\nx=1\n</code>"},
        {"role": "user", "content": "Observation: ok\n\nError: no"}]


def _conversation(steps: int, observation: str = "Observation: ok") -> list[dict]:
    messages = [{"role": "system", "content": "s" * 3000}, {"role": "user", "content": "New task:\nboat"}]
    for n in range(steps):
        messages += [{"role": "assistant", "content": f"step {n} " + "c" * 900},
                     {"role": "user", "content": observation}]
    return messages


def test_fit_messages_drops_the_oldest_steps_and_keeps_the_prompt_and_task():
    messages = _conversation(12)
    fitted = fit_messages(messages, context_tokens=2048, reply_tokens=500)
    assert fitted[:2] == messages[:2]
    assert fitted[-1] == messages[-1] and fitted[-2] == messages[-2]
    assert len(fitted) < len(messages) and fitted[2]["role"] == "assistant"
    assert sum(estimate_tokens(m["content"]) for m in fitted) <= 2048 - 500


def test_fit_messages_shortens_long_observations():
    fitted = fit_messages(_conversation(1, "Observation: " + "x" * 20000), context_tokens=8192, reply_tokens=500)
    assert len(fitted[-1]["content"]) < 2000 and "[...cut...]" in fitted[-1]["content"]


def test_a_conversation_that_cannot_fit_is_a_context_error():
    with pytest.raises(ModelContextError, match=r"outgrew the model's 1,024-token context") as info:
        fit_messages(_conversation(2), context_tokens=1024, reply_tokens=400)
    assert info.value.reason == "the conversation outgrew its 1,024-token context"


@pytest.mark.parametrize("text, code", [
    ("Thought: go\n<code>\nx = 1\n</code>", "x = 1"),
    ("Thought: go\n<code>\nx = 1\n", "x = 1"),  # the server stopped at </code>
    ("Thought: go\n```python\nx = 1\n```", "x = 1"),
    ("Thought: I think the lighthouse is nice.", None),
    ("Thought: go\n<code>\nfor x in\n</code>", None),
    (f"Thought: go\n<code>\nx = 1\n{RUNAWAY_NOTE}", None),
])
def test_runnable_code(text, code):
    assert runnable_code(text) == code


def test_account_is_one_line():
    assert account(2, "no code in its reply", finished=True) == (
        "The model failed at step 2: no code in its reply; the built-in planner finished the scene.")
    line = account(1, "its server did not answer", finished=False, planner_error="No object\ncould be made.")
    assert "\n" not in line and line.endswith("could not finish it either (No object could be made.).")


def test_model_subjects_are_the_first_tools_prompts_in_order():
    calls = [{"tool": "text_to_3d", "inputs": {"prompt": "boat", "seed": 0}},
             {"tool": "assemble_scene", "inputs": {"files": [], "labels": "x"}},
             {"tool": "text_to_3d", "inputs": {"prompt": "oak tree"}},
             {"tool": "text_to_3d", "inputs": {"prompt": "boat"}}]
    assert model_subjects(calls, "text_to_3d", max_items=12).items == ("boat", "oak tree")
    assert model_subjects(calls[1:2], "text_to_3d", max_items=12) is None


def test_llm_settings_come_from_the_environment():
    settings = Settings.load(environ={"DIORAMA_LLM_CALL_TIMEOUT_S": "12.5", "DIORAMA_LLM_CONTEXT_TOKENS": "4096",
                                      "DIORAMA_LLM_FALLBACK": "false", "DIORAMA_LLM_STRUCTURED": "1",
                                      "DIORAMA_LLM_SYSTEM_IN_USER": "yes", "DIORAMA_LLM_FALLBACK_RESERVE_S": "15",
                                      "DIORAMA_HF_INFERENCE_URL": "http://127.0.0.1:9/v1"})
    assert (settings.llm_call_timeout_s, settings.llm_context_tokens, settings.llm_fallback, settings.llm_structured,
            settings.llm_system_in_user, settings.llm_fallback_reserve_s, settings.hf_inference_url) == (
        12.5, 4096, False, True, True, 15.0, "http://127.0.0.1:9/v1")
    assert Settings.load(environ={}).llm_fallback is True


@pytest.mark.parametrize("env, phrase", [
    ({"DIORAMA_LLM_FALLBACK": "maybe"}, "DIORAMA_LLM_FALLBACK must be true or false"),
    ({"DIORAMA_LLM_CONTEXT_TOKENS": "1000"}, "must be at least 512 and more than max_tokens_per_step"),
    ({"DIORAMA_LLM_CALL_TIMEOUT_S": "0"}, "model.call_timeout_s must be a positive number"),
])
def test_bad_llm_settings_fail_at_startup(env, phrase):
    with pytest.raises(ConfigError, match=phrase):
        Settings.load(environ=env)


def _spec(name: str, params: list[tuple[str, str, bool]], outputs: list[tuple[str, str]], description: str):
    from tools.schema import EndpointSchema, Output, Param, ToolSpec

    endpoint = EndpointSchema("/run", tuple(Param(n, n, "Textbox", "str", k, required=r, default=None if r else "x")
                                            for n, k, r in params),
                              tuple(Output(key, key, "File", kind) for key, kind in outputs))
    return ToolSpec(name, description, {}, "object", endpoint)


def test_the_prompt_is_compact_and_its_examples_run_the_whole_chain():
    import ast
    import re

    from agent.llm_prompt import system_prompt

    image = _spec("text_to_image", [("prompt", "text", True)], [("image", "file")], "Draw a picture. More text.")
    mesh = _spec("image_to_3d", [("image", "file", True)], [("glb", "file"), ("info", "json")], "Lift to 3D. More.")
    scene = _spec("assemble_scene", [("files", "files", True), ("labels", "text", True), ("title", "text", False)],
                  [("scene", "file"), ("layout", "json")], "Arrange models in a gallery. Long details here.")
    prompt = system_prompt([image, mesh], scene, max_objects=6, imports=["math"], notes="Prefer local:x.")
    assert "- text_to_image(prompt) -> a file path: Draw a picture." in prompt
    assert "- assemble_scene(files, labels, title='x') -> {'scene': path, 'layout': ...}" in prompt
    assert "More text" not in prompt and prompt.endswith("Prefer local:x.")
    codes = re.findall(r"<code>\n(.*?)\n</code>", prompt, re.S)
    assert len(codes) == 2
    for code in codes:
        ast.parse(code)
        assert code.count("parallel_map(") == 2 and "assemble_scene(" in code and "final_answer(" in code
    assert estimate_tokens(prompt) < 900  # smolagents' generic prompt was ~3,200 tokens
