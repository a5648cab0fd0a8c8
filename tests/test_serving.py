"""What the app serves: no event, private or public, serves a path a client sends; only run folders are allowed
paths; no answer holds the data folder's absolute path. Against `python app.py` on 127.0.0.1, attacked the way
the report did: private events called by fn_index through /gradio_api/queue/join, files asked for by URL."""

from __future__ import annotations

import json
import os
import secrets
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from tests.conftest import REPO, running_app


# ---- calling private events the way an attacker does (also used by test_ownership.py, test_limits.py) ----------

def fn_index(url: str, name: str) -> int:
    """The fn_index of the event whose function is `name` (Gradio's config lists private events too)."""
    config = httpx.get(url + "config", timeout=10).json()
    return next(d["id"] for d in config["dependencies"] if d.get("api_name") == name)


def queue_call(url: str, name: str, data: list[Any], *, session_hash: str | None = None,
               event_data: Any = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """POST /gradio_api/queue/join for event `name` and read its stream to the end: the process_completed
    message ({"success": bool, "output": {"data": [...]} or {"error": ...}})."""
    session_hash = session_hash or uuid.uuid4().hex
    with httpx.Client(timeout=180, headers=headers) as http:
        body = json.dumps({"data": data, "fn_index": fn_index(url, name), "session_hash": session_hash,
                           "event_data": event_data, "trigger_id": None})  # ASCII: lone surrogates go as \ud800
        joined = http.post(url + "gradio_api/queue/join", content=body, headers={"content-type": "application/json"})
        joined.raise_for_status()
        with http.stream("GET", url + "gradio_api/queue/data", params={"session_hash": session_hash}) as events:
            for line in events.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        return message
    raise AssertionError(f"{name} never completed")


def files_in(value: Any) -> list[dict[str, Any]]:
    """Every file (a dict with a "path") in an event's output."""
    if isinstance(value, dict):
        return ([value] if "path" in value else []) + [f for v in value.values() for f in files_in(v)]
    if isinstance(value, list):
        return [f for v in value for f in files_in(v)]
    return []


# ---- the app ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """(url, data folder, one finished run's id) of a Diorama of this module's own."""
    data = tmp_path_factory.mktemp("serving")
    with running_app(data) as (url, _):
        client = Client(url, verbose=False, download_files=str(data.parent / "serving-downloads"))
        _, log = client.predict("a gallery of a windmill", api_name="/build")
        assert log["result"]["error"] is None, log["result"]
        yield url, data, log["run_id"]


def _forged(data: Path, run_id: str) -> list[str]:
    return [str(REPO / "diorama.toml"), str(data / "diorama.sqlite3"), "/etc/passwd",
            str(data / "runs" / run_id / "scene.glb"), str(data / "runs" / run_id / "journal.jsonl")]


@pytest.mark.parametrize("event", ["show_scene", "latest_model", "show_scene_3", "cancel_ui"])
def test_private_viewer_events_serve_no_path_a_client_sends(app, event):
    url, data, run_id = app
    for path in _forged(data, run_id):
        # the old shape (a chain log naming the scene), a bare path, and a run id all come back with no file
        for forged in ({"run_id": run_id, "result": {"scene": path}}, path, run_id):
            message = queue_call(url, event, [forged, secrets.token_hex(16)])
            assert files_in(message.get("output")) == [], (event, forged, message)


@pytest.mark.parametrize("event, data_at", [("resume_ui", 0), ("select", None)])
def test_events_taking_a_run_id_refuse_a_path(app, event, data_at):
    url, data, run_id = app
    for path in _forged(data, run_id):
        payload = [path, secrets.token_hex(16)] if data_at == 0 else [secrets.token_hex(16)]
        event_data = None if data_at == 0 else {"index": [0, 0], "value": path, "row_value": [path]}
        message = queue_call(url, event, payload, event_data=event_data)
        assert not message["success"] and "run_id must look like" in message["output"]["error"], message
        assert files_in(message.get("output")) == []


def test_file_route_serves_run_folders_only(app):
    url, data, run_id = app
    for path in (data / "diorama.sqlite3", data / "diorama.sqlite3-wal", REPO / "diorama.toml", Path("/etc/passwd"),
                 data / "app.log", *list((data / "cache").rglob("*"))[:3]):
        answer = httpx.get(f"{url}gradio_api/file={path}", timeout=10)
        assert answer.status_code in (403, 404), (path, answer.status_code)
    # what a run made is served to whoever holds its full id (the capability model, ui/owners.py)
    scene = httpx.get(f"{url}gradio_api/file={data / 'runs' / run_id / 'scene.glb'}", timeout=10)
    assert scene.status_code == 200 and scene.content[:4] == b"glTF"


def test_no_answer_holds_the_data_folder_path(app, tmp_path):
    url, data, run_id = app
    needles = {str(data), os.path.realpath(data)}
    client = Client(url, verbose=False, download_files=str(tmp_path))
    answers: list[Any] = []
    scene, log = client.predict("a gallery of a windmill", api_name="/build")
    answers += [log, client.predict(log["run_id"], api_name="/status")[1], client.predict(5, api_name="/history"),
                client.predict(log["run_id"], api_name="/run")[1], client.predict(log["run_id"], api_name="/cancel")]
    assert Path(scene).read_bytes()[:4] == b"glTF"  # the file output still is the real scene
    assert log["result"]["scene"] == "scene.glb" and answers[2][0]["scene"] == "scene.glb"
    assert any(e.get("log_file") == "chain.json" for e in log["events"])
    with pytest.raises(AppError) as unknown:
        client.predict("20000101-000000-abcdef0123456789", api_name="/resume")
    answers.append(str(unknown.value))
    text = json.dumps(answers)
    assert not any(n in text for n in needles), [n for n in needles if n in text]


def test_the_ui_shows_its_own_run_by_id_and_its_log_download_has_no_server_path(app):
    url, data, _ = app
    session, browser = uuid.uuid4().hex, secrets.token_hex(16)
    built = queue_call(url, "build_ui", ["a gallery of a windmill", None, browser], session_hash=session)  # None: no version shown
    assert built["success"], built
    shown = queue_call(url, "show_scene", [None, browser], session_hash=session)  # the run id is server state
    scene, download, log_file, _ = shown["output"]["data"]
    assert scene and download and scene["orig_name"] == "scene.glb"
    assert httpx.get(url + "gradio_api/file=" + scene["path"], timeout=10).content[:4] == b"glTF"
    chain = httpx.get(url + "gradio_api/file=" + log_file["path"], timeout=10)
    assert chain.json()["result"]["scene"] == "scene.glb"
    assert str(data) not in chain.text and os.path.realpath(data) not in chain.text
    # another session sees nothing of it through the same event
    other = queue_call(url, "show_scene", [None, secrets.token_hex(16)])
    assert files_in(other.get("output")) == []


@pytest.mark.parametrize("argument", ["/etc/passwd", str(REPO / "diorama.toml"), "diorama.sqlite3",
                                      "../diorama.sqlite3", "20000101-000000-abcdef/../../diorama.sqlite3"])
def test_try_it_refuses_server_files_as_file_arguments(app, argument):
    url, data, _ = app
    arguments = json.dumps({"files": [argument], "labels": "x", "title": "x"})
    message = queue_call(url, "call", ["assemble_scene", arguments, None, secrets.token_hex(16)])
    assert not message["success"], message
    error = message["output"]["error"]
    assert "assemble_scene: 'files'" in error or "is not yours" in error, message
    assert str(data) not in error


def test_try_it_takes_an_uploaded_file_by_name(app, tmp_path):
    url, _, run_id = app
    client = Client(url, verbose=False, download_files=str(tmp_path))
    scene, _ = client.predict(run_id, api_name="/status")
    with open(scene, "rb") as handle:
        uploaded = httpx.post(url + "gradio_api/upload", files=[("files", ("mine.glb", handle))], timeout=30).json()
    upload = {"path": uploaded[0], "orig_name": "mine.glb", "meta": {"_type": "gradio.FileData"}}
    arguments = json.dumps({"files": ["mine.glb"], "labels": "mine", "title": "Mine"})
    message = queue_call(url, "call", ["assemble_scene", arguments, [upload], secrets.token_hex(16)])
    assert message["success"], message["output"]["error"][-300:]
    glb, report = message["output"]["data"]
    assert glb and report["calls"][0]["status"] == "ok"
