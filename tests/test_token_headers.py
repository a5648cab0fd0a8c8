"""Tokens only where they belong: with HF_TOKEN in the environment, a URL Space never receives it.

gradio_client and huggingface_hub read `token=None` as "use HF_TOKEN or the saved login" and send it as
`x-hf-authorization` to any URL; these tests set the token in the environment (conftest removes it
otherwise) and look at what a real loopback Space, and a bundled companion's process, actually got.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from gradio_client import handle_file

from tests.stubs.ssrf_space import RequestLog, echo_app, recorded, serve
from tools.spaces import SpaceSession, token_for

CANARY = "hf_CANARYheaderScoping0123456789ab"
IP_CANARY = "ip-token-CANARY-42"
SECRET_VARS = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_API_TOKEN", "DIORAMA_LLM_API_KEY", "OPENAI_API_KEY",
               "ACME_SECRET", "DB_PASSWORD", "S3_ACCESS_KEY_ID")


@pytest.mark.parametrize(("source", "hf_token", "expected"), [
    ("owner/space", CANARY, CANARY),
    ("owner/space", None, False),
    ("owner/space", "", False),
    ("http://127.0.0.1:7860/", CANARY, False),
    ("https://owner-space.hf.space/", CANARY, False),
    ("https://evil.example/owner/space", CANARY, False),
    ("local:text_to_3d", CANARY, False),
])
def test_one_function_decides_the_token(source, hf_token, expected):
    """Never None: None would mean "whatever is in the environment" to gradio_client and huggingface_hub."""
    assert token_for(source, hf_token) == expected


def test_a_url_space_never_receives_the_token(monkeypatch, tmp_path):
    """Config, API info, queue, upload and file routes, and the handler itself: no token, no x-ip-token."""
    monkeypatch.setenv("HF_TOKEN", CANARY)
    monkeypatch.setenv("HUGGING_FACE_HUB_TOKEN", CANARY)
    source = tmp_path / "in.glb"
    source.write_bytes(b"glb-bytes" * 10)
    log = RequestLog()
    with serve(recorded(echo_app(log), log)) as url:
        session = SpaceSession(url, label="echo", download_dir=tmp_path / "downloads", connect_timeout_s=20,
                               token=CANARY)  # what Settings.hf_token holds when HF_TOKEN is set
        try:
            assert session.call("/echo", ["hi"], timeout_s=20, headers={"x-ip-token": IP_CANARY}) == "hi"
            copy = session.call("/box", [handle_file(str(source))], timeout_s=20, headers={"x-ip-token": IP_CANARY})
        finally:
            session.close()
    assert Path(copy).read_bytes() == source.read_bytes()
    paths = [path for path, _ in log.items]
    for route in ("/config", "/gradio_api/info", "/gradio_api/upload", "/gradio_api/file=", "handler:/echo"):
        assert any(p.startswith(route) for p in paths), f"no request to {route} was recorded: {paths}"
    for path, headers in log.items:
        assert not {"authorization", "x-hf-authorization", "x-ip-token"} & set(headers), (path, sorted(headers))
        assert not [v for v in headers.values() if CANARY in v or IP_CANARY in v], path


def test_a_bundled_companion_starts_without_secrets(monkeypatch, tmp_path):
    """The companion process's own environment (/proc/<pid>/environ) holds no token or key."""
    from tools.companions import Fleet

    for name in SECRET_VARS:
        monkeypatch.setenv(name, CANARY)
    monkeypatch.setenv("GRADIO_CANARY_SETTING", "kept")
    fleet = Fleet(tmp_path / "companions", idle_s=0)  # a fleet of its own: the session's companions started earlier
    try:
        fleet.ensure(["text_to_3d"])  # returns once it answers, so it runs without the secrets
        # read once it answers: right after exec the kernel may not have set up the new environment yet
        pid = fleet.running()["text_to_3d"].pid
        environ = dict(item.split(b"=", 1) for item in
                       Path(f"/proc/{pid}/environ").read_bytes().split(b"\0") if b"=" in item)
    finally:
        fleet.stop()
    names = {key.decode() for key in environ}
    assert not names & set(SECRET_VARS), sorted(names & set(SECRET_VARS))
    assert not [key for key, value in environ.items() if CANARY.encode() in value]
    assert environ[b"GRADIO_CANARY_SETTING"] == b"kept" and b"PATH" in environ and environ[b"HF_HUB_OFFLINE"] == b"1"
