"""Limits that hold: the client key behind proxies, text that is not plain text, the same admission for every
entry point that spends Space calls, and size caps. Refused requests leave no run folder."""

from __future__ import annotations

import json
import re
import secrets

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from agent.config import Settings
from agent.runner import ChainRunner
from tests.conftest import served
from tests.gradio_request import gradio_request
from tests.test_serving import queue_call
from tools.errors import ConfigError, InvalidInputError
from ui.limits import check_text, client_key


def _request(host: str, forwarded: str | None = None):
    """A real gr.Request from `host`, with an X-Forwarded-For header when `forwarded` is given."""
    return gradio_request(host, {"x-forwarded-for": forwarded} if forwarded else None)


@pytest.mark.parametrize("host, forwarded, trusted, key", [
    ("10.0.0.2", "203.0.113.9", 1, "203.0.113.9"),                 # a Space: its proxy appends the real client
    ("10.0.0.2", "6.6.6.6, 203.0.113.9", 1, "203.0.113.9"),        # a spoofed leftmost hop is ignored
    ("10.0.0.2", "6.6.6.6, 7.7.7.7, 203.0.113.9", 1, "203.0.113.9"),
    ("10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.1", 2, "203.0.113.9"),  # two proxies: the second hop from the right
    ("10.0.0.2", "203.0.113.9", 2, "203.0.113.9"),                 # fewer hops than proxies: all are theirs
    ("10.0.0.2", "6.6.6.6", 0, "10.0.0.2"),                        # no trusted proxy: the header is ignored
    ("8.8.8.8", "6.6.6.6", 1, "8.8.8.8"),                          # a public peer is not our proxy
    ("10.0.0.2", None, 1, "10.0.0.2"),
])
def test_client_key_counts_trusted_proxies_from_the_right(host, forwarded, trusted, key):
    assert client_key(_request(host, forwarded), trusted_proxies=trusted) == key


def test_trusted_proxies_setting_defaults_to_one_on_a_space():
    assert Settings.load(environ={}).trusted_proxies == 0
    assert Settings.load(environ={"SPACE_ID": "you/diorama"}).trusted_proxies == 1
    assert Settings.load(environ={"SPACE_ID": "you/diorama", "DIORAMA_TRUSTED_PROXIES": "2"}).trusted_proxies == 2
    with pytest.raises(ConfigError, match="trusted_proxies must be 0"):
        Settings.load(environ={"DIORAMA_TRUSTED_PROXIES": "-1"})


@pytest.mark.parametrize("text, message", [
    ("a red \ud800 lighthouse", "unpaired surrogate (U+D800)"),
    ("a red\u200b lighthouse", "control character (U+200B)"),        # zero-width space
    ("\u2066Paris\u2069 landmarks", "control character (U+2066)"),   # bidi isolate
    ("Paris\U000e0041\U000e0042", "control character (U+E0041)"),    # tag characters: hidden text for an LLM
    ("soft\u00adhyphen", "control character (U+00AD)"),
    ("a\x7f", "control character (U+007F)"),
])
def test_text_that_is_not_plain_is_refused(text, message):
    with pytest.raises(InvalidInputError, match=re.escape(message)):
        check_text(text)


@pytest.fixture(scope="module")
def strict_app(companion_urls, tmp_path_factory):
    """Diorama in this process with 1 build per minute per client: (url, data folder)."""
    from ui.blocks import build_demo

    settings = Settings.load(environ={}).with_overrides(data_dir=tmp_path_factory.mktemp("limits") / "data",
                                                        builds_per_minute=1, runs_per_client=0)
    runner = ChainRunner(settings)
    for url in served(build_demo(runner)):
        yield url, settings.data_dir


def _run_folders(data) -> list:
    return sorted((data / "runs").iterdir()) if (data / "runs").is_dir() else []


@pytest.mark.parametrize("text", ["a red \ud800 lighthouse", "a\u200bwindmill", "\u202eBuild Paris", "x\x00"])
def test_refused_text_makes_no_run_folder_at_any_entry_point(strict_app, text):
    url, data = strict_app
    before = _run_folders(data)
    browser = secrets.token_hex(16)
    # raw queue calls: gradio_client cannot even encode a lone surrogate, an attacker's own client can
    for event, payload in (("build", [text]), ("start", [text]), ("build_ui", [text, None, browser]),
                           ("replay", [text, None, browser])):
        message = queue_call(url, event, payload)
        assert not message["success"], (event, message)
        error = message["output"]["error"]
        assert "control character" in error or "unpaired surrogate" in error, (event, error)
    assert _run_folders(data) == before


def test_replay_try_it_and_add_a_space_are_admitted_like_builds(strict_app):
    url, data = strict_app
    client = Client(url, verbose=False)
    client.predict("a windmill", api_name="/build")  # the one build of this minute
    with pytest.raises(AppError, match="Too many builds: 1 in the last minute"):
        client.predict("an oak tree", api_name="/build")
    folders = _run_folders(data)
    replay = queue_call(url, "replay", ["an oak tree", None, secrets.token_hex(16)])
    try_it = queue_call(url, "call", ["text_to_3d", '{"prompt": "oak"}', None, secrets.token_hex(16)])
    with pytest.raises(AppError, match="Too many builds"):
        client.predict("example.org", "", "", api_name="/add_space")
    for message in (replay, try_it):
        assert not message["success"] and "Too many builds" in message["output"]["error"], message
    assert _run_folders(data) == folders


def test_try_it_arguments_are_capped():
    from ui.tools_tab import MAX_ARGUMENT_CHARS, try_tool

    with pytest.raises(InvalidInputError, match=f"the limit is {MAX_ARGUMENT_CHARS}"):
        try_tool(None, "text_to_3d", json.dumps({"prompt": "x" * MAX_ARGUMENT_CHARS}))  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="Try it's JSON has a control character"):
        try_tool(None, "text_to_3d", '{"prompt": "a\u202eb"}')  # type: ignore[arg-type]


def test_uploads_are_capped(companion_urls, settings):
    from ui.blocks import MAX_UPLOAD, build_demo, launch_kwargs

    runner = ChainRunner(settings)
    kwargs = launch_kwargs(runner)
    assert kwargs["max_file_size"] == MAX_UPLOAD == "50mb"
    demo = build_demo(runner)
    demo.queue()
    _, url, _ = demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True,
                            **{**kwargs, "max_file_size": "1kb"})  # the same mechanism, a size a test can send
    try:
        big = httpx.post(url + "gradio_api/upload", files=[("files", ("big.glb", b"x" * 4096))], timeout=30)
        small = httpx.post(url + "gradio_api/upload", files=[("files", ("small.glb", b"x" * 100))], timeout=30)
        assert big.status_code == 413 and small.status_code == 200
    finally:
        demo.close()
