"""Downloads only from the Space that answered: a Space cannot make Diorama fetch another host's URL.

Each server runs on its own loopback port, so each is its own origin; the "other host" is a bystander
server that records every request, and must never be asked anything.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gradio_client import handle_file

from tests.stubs.ssrf_space import (
    RequestLog,
    bystander,
    echo_app,
    fake_config,
    hostile_app,
    recorded,
    serve,
)
from tools import space_origin
from tools.errors import SpaceOutputError, SpaceUnavailableError
from tools.space_origin import origin_of
from tools.spaces import SpaceSession


@pytest.fixture(scope="module")
def other() -> tuple[str, RequestLog]:
    """The bystander: another origin, recording whether anyone asked it anything."""
    log = RequestLog()
    with serve(bystander(log)) as url:
        yield url, log


@pytest.fixture(scope="module")
def hostile(other) -> str:
    other_url, _ = other
    with serve(recorded(hostile_app(other_url), RequestLog(), redirect_to=other_url + "internal.glb")) as url:
        yield url


def _session(url: str, folder: Path) -> SpaceSession:
    return SpaceSession(url, label="hostile", download_dir=folder, connect_timeout_s=20)


def _host(url: str) -> str:
    return url.split("://", 1)[1].strip("/")


@pytest.mark.parametrize("endpoint", ["/leak_stream", "/leak_plain", "/bounce"])
def test_a_file_on_another_host_is_refused_and_never_fetched(hostile, other, tmp_path, endpoint):
    """A FileData-shaped JSON naming another host (as a stream, as a plain file's url), or a file route
    redirecting there: the call fails with a clear error and the other host is never contacted."""
    other_url, other_log = other
    before = len(other_log.items)
    session = _session(hostile, tmp_path)
    try:
        with pytest.raises(SpaceOutputError, match=re.escape(
                f"returned a file at another host ({_host(other_url)}); Diorama only downloads files from the "
                "Space that made them")) as caught:
            session.call(endpoint, ["x"], timeout_s=20)
    finally:
        session.close()
    assert caught.value.space == "hostile" and caught.value.endpoint == endpoint
    assert other_log.items[before:] == []
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # nothing half-downloaded is left


def test_a_space_s_own_file_output_still_downloads(tmp_path):
    """The ordinary path: a file uploaded, then the Space's own file output fetched into <dir>/<sha256>/<name>."""
    source = tmp_path / "in.glb"
    source.write_bytes(b"glTF-not-really" * 100)
    with serve(recorded(echo_app(RequestLog()), RequestLog())) as url:
        session = SpaceSession(url, label="echo", download_dir=tmp_path / "downloads", connect_timeout_s=20)
        try:
            path = Path(session.call("/box", [handle_file(str(source))], timeout_s=20))
        finally:
            session.close()
    assert path.read_bytes() == source.read_bytes()
    assert path.name == "box.glb" and path.parent.parent == (tmp_path / "downloads").resolve()


def test_a_file_bigger_than_the_cap_is_refused(tmp_path, monkeypatch):
    source = tmp_path / "in.glb"
    source.write_bytes(b"x" * 5000)
    monkeypatch.setattr(space_origin, "MAX_DOWNLOAD_BYTES", 1000)
    with serve(recorded(echo_app(RequestLog()), RequestLog())) as url:
        session = SpaceSession(url, label="echo", download_dir=tmp_path / "downloads", connect_timeout_s=20)
        try:
            with pytest.raises(SpaceOutputError, match=r"returned a file larger than .*1,000 bytes"):
                session.call("/box", [handle_file(str(source))], timeout_s=20)
        finally:
            session.close()
    assert not [p for p in (tmp_path / "downloads").rglob("*") if p.is_file()]


@pytest.mark.parametrize("key", ["api_prefix", "root"])
def test_a_config_pointing_at_another_origin_is_refused(other, tmp_path, key):
    """A Space whose /config says its API (or its root) lives elsewhere: no connection, nothing sent there."""
    other_url, other_log = other
    before = len(other_log.items)
    fields = {"api_prefix": other_url + "gradio_api"} if key == "api_prefix" else {"root": other_url.rstrip("/")}
    with serve(fake_config(**fields)) as url:
        session = SpaceSession(url, label="redirector", download_dir=tmp_path, connect_timeout_s=20)
        with pytest.raises(SpaceUnavailableError, match=re.escape(
                f"was refused: its config's '{key}' points at {_host(other_url)}, another host than the Space")):
            session.client()
    assert other_log.items[before:] == []


def test_same_origin_is_scheme_host_and_port():
    assert origin_of("http://127.0.0.1:7860/a/b") == origin_of("HTTP://127.0.0.1:7860/")
    assert origin_of("https://owner-x.hf.space/") == origin_of("https://OWNER-x.hf.space:443/file=a")
    assert origin_of("http://127.0.0.1:7860/") != origin_of("http://127.0.0.1:7861/")
    assert origin_of("http://host.example/") != origin_of("https://host.example/")
    assert origin_of("http://[::1]:80/") == origin_of("http://[0:0:0:0:0:0:0:1]/")
    for bad in ("file:///etc/passwd", "http://user@127.0.0.1/", "//evil.example/x", "gopher://x/"):
        with pytest.raises(ValueError):
            origin_of(bad)

