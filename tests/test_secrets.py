"""Token scoping: with canary secrets set, full chains run and no output, file, log or companion sees them.

The HF token may go only to Hub Spaces (tools.spaces.is_hub_id); the LLM key only to the LLM server.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from agent.runner import ChainRunner
from tests.conftest import REPO, running_app
from tools.spaces import SpaceSession, is_hub_id

HF_CANARY = "hf_CANARYtokenScoping0123456789abcd"
LLM_CANARY = "sk-CANARYllmKey0123456789abcdef"
CANARIES = (HF_CANARY, LLM_CANARY)
GOOD = """Thought: I will make two objects and assemble them.
<code>
made = parallel_map(tool='text_to_3d', items=[{'prompt': 'red lighthouse'}, {'prompt': 'oak tree'}])
files = [m['result']['glb'] for m in made if m['ok']]
scene = assemble_scene(files=files, labels='red lighthouse\\noak tree', title='Coast')
final_answer({'scene': scene['scene'], 'objects': ['red lighthouse', 'oak tree'], 'missing': {}})
</code>"""


def _leaks_in_tree(root: Path) -> list[str]:
    """Files under `root` containing a canary (as bytes, so GLBs and SQLite files count too)."""
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path}: {c[:12]}" for c in CANARIES if c.encode() in data]
    return found


def _leaks_in_text(text: str) -> list[str]:
    return [c[:12] for c in CANARIES if c in text]


def test_the_token_goes_only_to_hub_spaces(tmp_path):
    assert is_hub_id("owner/space") and not is_hub_id("http://127.0.0.1:7860/") and not is_hub_id("local:x")
    assert not is_hub_id("https://evil.example/owner/space") and not is_hub_id("http://evil.example/a")
    for source, sent in (("owner/space", True), ("http://127.0.0.1:1/", False), ("https://evil.example/", False),
                         ("https://owner-space.hf.space/", False)):
        session = SpaceSession(source, label=source, download_dir=tmp_path, connect_timeout_s=1, token=HF_CANARY)
        assert session.sends_token is sent, source


@pytest.mark.parametrize("path", ["offline", "openai"])
def test_a_full_chain_leaks_no_secret(companion_urls, settings, caplog, capfd, path):
    from tests.stubs.openai_server import ScriptedChatServer

    caplog.set_level(logging.DEBUG)
    server = ScriptedChatServer([GOOD]) if path == "openai" else None
    try:
        overrides = {"model_provider": "offline"} if server is None else {
            "model_provider": "openai", "llm_base_url": server.base_url, "model_id": "local-model"}
        settings = settings.with_overrides(hf_token=HF_CANARY, llm_api_key=LLM_CANARY, cache_enabled=False,
                                           **overrides)
        outcome = ChainRunner(settings).run_to_end("A gallery of a red lighthouse and an oak tree")
    finally:
        if server is not None:
            server.close()
    assert outcome.error is None, outcome.error
    if server is not None:  # the key reached the LLM server, and only it
        assert server.auth_headers == [f"Bearer {LLM_CANARY}"]
        assert not _leaks_in_text(json.dumps(server.requests))
    assert not _leaks_in_text(json.dumps(outcome.log))
    assert not _leaks_in_tree(settings.data_dir)  # journal.jsonl, chain.json, scene.glb, assets, history
    assert not _leaks_in_text(caplog.text)
    out, err = capfd.readouterr()
    assert not _leaks_in_text(out + err)


def test_a_failing_chain_leaks_no_secret_in_its_errors(companion_urls, settings, caplog):
    """A Hub Space that cannot be reached (offline here): the error is reported, the token is not."""
    from agent.config import ToolConfig

    caplog.set_level(logging.DEBUG)
    tools = tuple(ToolConfig(name=t.name, space="canary-owner/missing-space", endpoint=t.endpoint,
                             capability=t.capability) if t.capability == "text_to_3d" else t for t in settings.tools)
    settings = settings.with_overrides(tools=tools, hf_token=HF_CANARY, llm_api_key=LLM_CANARY,
                                       model_provider="offline", connect_timeout_s=5)
    outcome = ChainRunner(settings).run_to_end("A gallery of a red lighthouse and an oak tree")
    assert outcome.scene is None and outcome.error
    assert not _leaks_in_text(json.dumps(outcome.log) + caplog.text)
    assert not _leaks_in_tree(settings.data_dir)


def _children(pid: int) -> list[int]:
    """Every descendant process of `pid` (from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        kids = [p for p, parent in parents.items() if parent == current]
        found += kids
        frontier += kids
    return found


@pytest.fixture(scope="module")
def canary_app(tmp_path_factory):
    """Diorama as `python app.py` with canary secrets in its environment (offline planner)."""
    data = tmp_path_factory.mktemp("canary-app")
    env = {"LOG_LEVEL": "DEBUG", "HF_TOKEN": HF_CANARY, "DIORAMA_LLM_API_KEY": LLM_CANARY,
           "DIORAMA_MODEL_PROVIDER": "offline"}
    with running_app(data, env) as (url, process):
        yield url, process, data


def test_the_app_and_its_companions_never_see_or_show_the_secrets(canary_app, tmp_path):
    url, process, data = canary_app
    client = Client(url, verbose=False, download_files=str(tmp_path))
    scene, log = client.predict("A gallery of a red lighthouse and an oak tree", api_name="/build")
    assert log["result"]["error"] is None and scene
    report = client.predict(log["run_id"], api_name="/status")[1]
    messages = []
    for payload, endpoint in (("", "/build"), ("20000101-000000-abcdef", "/status"), ("x" * 600, "/start")):
        with pytest.raises(AppError) as info:
            client.predict(payload, api_name=endpoint)
        messages.append(str(info.value))
    assert not _leaks_in_text(json.dumps(log) + json.dumps(report) + " ".join(messages))
    assert not _leaks_in_tree(tmp_path)  # what the client downloaded (the scene)
    assert not _leaks_in_tree(data / "runs") and not [p for p in _leaks_in_tree(data) if not p.startswith(
        str(data / "app.log"))]

    companions = _children(process.pid)
    assert companions, "the app started no companion Space"
    for pid in companions:
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except (FileNotFoundError, ProcessLookupError):
            continue
        assert not [c for c in CANARIES if c.encode() in environ], f"companion process {pid} got a secret"
    assert b"HF_TOKEN=" + HF_CANARY.encode() in Path(f"/proc/{process.pid}/environ").read_bytes()  # the check works
    assert not _leaks_in_text((data / "app.log").read_text(errors="replace"))  # stdout + stderr, DEBUG logging


def test_the_cli_log_and_outputs_carry_no_secret(companion_urls, tmp_path):
    env = {**os.environ, "DIORAMA_DATA_DIR": str(tmp_path / "data"), "HF_TOKEN": HF_CANARY,
           "DIORAMA_LLM_API_KEY": LLM_CANARY, "DIORAMA_MODEL_PROVIDER": "offline", "LOG_LEVEL": "DEBUG"}
    done = subprocess.run([sys.executable, str(REPO / "app.py"), "--prompt", "A gallery of a red lighthouse and "
                           "an oak tree", "--out", str(tmp_path / "scene.glb"), "--log", str(tmp_path / "chain.json")],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "scene.glb").is_file() and (tmp_path / "chain.json").is_file()
    assert not _leaks_in_text(done.stdout + done.stderr)
    assert not _leaks_in_tree(tmp_path)
