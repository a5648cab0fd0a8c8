"""A fallback must take its tool's arguments: one with other names is refused when the tool loads (with a fix
in the message), or used through the `args` mapping the config gives. Real Gradio apps on 127.0.0.1."""

from __future__ import annotations

from typing import Iterator

import gradio as gr
import pytest

from agent.config import Provider, Settings, ToolConfig
from tools.errors import ConfigError
from tools.registry import Registry
from tools.space_tool import CallContext
from tests.conftest import served

SEEN: list[tuple[str, str]] = []


def crash(prompt: str) -> str:
    SEEN.append(("primary", prompt))
    raise RuntimeError("internal failure")  # hidden by Gradio: a fault, so the fallback is tried


def other_names(text: str, steps: float) -> str:
    SEEN.append(("fallback", text))
    return f"made {text} in {int(steps)} steps"


def same_names(prompt: str) -> str:
    return f"echo {prompt}"


def one_other_name(text: str) -> str:
    SEEN.append(("fallback", text))
    return f"made {text}"


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """/generate(prompt) always faults; /render(text, steps), /make(text) and /echo(prompt) work."""
    with gr.Blocks() as demo:
        prompt, text, out = gr.Textbox(label="Prompt"), gr.Textbox(label="Text"), gr.Textbox(label="Result")
        steps = gr.Number(label="Steps")  # required: no default value
        gr.Button("a").click(crash, [prompt], [out], api_name="generate")
        gr.Button("b").click(other_names, [text, steps], [out], api_name="render")
        gr.Button("c").click(same_names, [prompt], [out], api_name="echo")
        gr.Button("d").click(one_other_name, [text], [out], api_name="make")
    yield from served(demo)


def _load(url: str, tmp_path, *fallbacks: Provider):
    registry = Registry((ToolConfig("gen", url, "/generate", fallbacks=fallbacks),), connect_timeout_s=15)
    return registry.load(CallContext(run_dir=tmp_path, emit=lambda e: None, call_timeout_s=30, attempts=1,
                                     backoff_s=0.01))


def test_a_fallback_with_other_argument_names_is_refused_at_load_with_a_fix(app_url, tmp_path):
    loaded = _load(app_url, tmp_path, Provider(app_url, "/render"), Provider(app_url, "/echo"))
    try:
        [reason] = loaded.refused_fallbacks["gen"]
        assert "/render refused" in reason and "'text'" in reason and "'steps'" in reason
        assert "'prompt'" in reason and "args = {" in reason  # what would be lost, and how to map it
        assert [p.endpoint for p in loaded.tools["gen"].providers] == ["/generate", "/echo"]  # the fitting one stays
    finally:
        loaded.close()


def test_a_partly_mapped_fallback_is_still_refused(app_url, tmp_path):
    loaded = _load(app_url, tmp_path, Provider(app_url, "/render", args=(("prompt", "text"),)))
    try:
        [reason] = loaded.refused_fallbacks["gen"]
        assert "needs 'steps'" in reason and "'text'" not in reason.split("needs")[1].split(";")[0]
    finally:
        loaded.close()


def test_a_mapped_fallback_receives_the_arguments_under_its_own_names(app_url, tmp_path):
    SEEN.clear()
    loaded = _load(app_url, tmp_path, Provider(app_url, "/make", args=(("prompt", "text"),)))
    try:
        assert loaded.refused_fallbacks == {}
        assert loaded.tools["gen"](prompt="tree") == "made tree"
        assert SEEN == [("primary", "tree"), ("fallback", "tree")]
    finally:
        loaded.close()


def test_the_config_reads_a_fallback_args_table_and_rejects_a_bad_one(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text('[[tools]]\nname = "gen"\nspace = "local:text_to_3d"\nendpoint = "/generate"\n'
                    'fallbacks = [{space = "owner/other", endpoint = "/make", args = {prompt = "text", seed = ""}}]\n')
    [tool] = [t for t in Settings.load(good, environ={}).tools if t.name == "gen"]
    assert tool.fallbacks[0].args == (("prompt", "text"), ("seed", ""))
    bad = tmp_path / "bad.toml"
    bad.write_text('[[tools]]\nname = "gen"\nspace = "local:text_to_3d"\nendpoint = "/generate"\n'
                   'fallbacks = [{space = "owner/other", args = {prompt = 3}}]\n')
    with pytest.raises(ConfigError, match="maps the first provider's argument names"):
        Settings.load(bad, environ={})
