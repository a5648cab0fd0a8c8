"""`python app.py --describe SPACE_ID_OR_URL` as a user runs it: a JSON list of tools, or one line and exit 1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import REPO, served
from tests.zoo import ZOO
from tools.companions import free_port


def _describe(target: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "app.py"), "--describe", target], cwd=REPO,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def choices_url() -> str:
    yield from served(ZOO["choices"]())


@pytest.fixture(scope="module")
def plain_http_url(tmp_path_factory) -> str:
    """`python -m http.server` on loopback: answers HTTP, is not a Gradio app."""
    port = free_port()
    folder = tmp_path_factory.mktemp("plain-http")
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"], cwd=folder,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


def test_describe_prints_the_tools_as_json(choices_url):
    done = _describe(choices_url)
    assert done.returncode == 0, done.stderr
    tools = json.loads(done.stdout)
    assert [t["name"] for t in tools] == ["zoo_choices_configure"]
    tool = tools[0]
    assert tool["endpoint"] == "/configure" and tool["output_type"] == "any"  # JSON may be any value
    assert tool["outputs"] == [{"key": "config", "label": "Config", "component": "Json", "kind": "json"}]
    assert tool["description"].startswith('Describe a configured object as JSON. In the app: the "Run" button. '
                                          "Runs on the Gradio Space")
    assert tool["inputs"]["size"]["type"] == "number" and tool["inputs"]["size"]["default"] == 1.0
    assert tool["inputs"]["shape"]["choices"] == ["cube", "sphere", "cone"]
    assert all(t["name"].isidentifier() for t in tools)


@pytest.mark.parametrize(
    ("target", "phrase"),
    [
        ("dead", "Cannot reach Space http://127.0.0.1:"),
        ("plain", "answers HTTP 200 but is not a Gradio app"),
        ("someone/some-space", "is a Hub Space but HF_HUB_OFFLINE=1"),
    ],
)
def test_describe_explains_in_one_line_why_it_cannot(plain_http_url, target, phrase):
    url = {"dead": f"http://127.0.0.1:{free_port()}/", "plain": plain_http_url}.get(target, target)
    done = _describe(url, HF_HUB_OFFLINE="1")
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("diorama --describe: ") and phrase in lines[0], done.stderr


def test_catalog_parses_and_every_entry_is_complete():
    import tomllib

    catalog = tomllib.loads((REPO / "catalog.toml").read_text(encoding="utf-8"))
    assert set(catalog) == {"text_to_3d", "image_to_3d", "text_to_image", "scene_assembly"}
    required = {"space", "endpoints", "outputs", "latency", "license", "notes", "verified"}
    for capability, entries in catalog.items():
        assert entries, capability
        for entry in entries:
            assert required <= set(entry), (capability, entry.get("space"))
            assert entry["endpoints"] and all(e.startswith("/") for e in entry["endpoints"])
            if entry["space"].startswith("local:"):  # bundled: the endpoint really exists
                app = REPO / "spaces" / entry["space"].removeprefix("local:") / "app.py"
                assert entry["verified"] and app.is_file()
                assert all(f'api_name="{e[1:]}"' in app.read_text() for e in entry["endpoints"])
            else:
                assert entry["verified"] is False and "/" in entry["space"]
    assert "EU" in next(e for e in catalog["image_to_3d"] if e["space"] == "tencent/Hunyuan3D-2")["license"]


def _call(target: str, endpoint: str, args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "app.py"), "--call", target, endpoint, "--args", args],
                          cwd=REPO, env=dict(os.environ), capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def strict_url() -> str:
    yield from served(ZOO["strict"]())


@pytest.fixture(scope="module")
def trellis_url() -> str:
    yield from served(ZOO["trellis"]())


def _placed(url: str) -> int:
    from gradio_client import Client

    return Client(url, verbose=False).predict(api_name="/counts").get("place", 0)


def test_call_prints_the_result_as_json(strict_url):
    done = _call(strict_url, "/place", '{"name": "vase", "copies": 2, "size": 4, "colour": "green", '
                                       '"tags": ["new"], "hollow": false}')
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == "2 x vase 4 green new solid"


@pytest.mark.parametrize(("args", "phrase"), [
    ('{"name": "vase", "copies": 2.5, "size": 4, "colour": "red", "tags": [], "hollow": false}',
     "'copies' must be a whole number between 1 and 5, got 2.5"),
    ('{"name": "vase", "copies": 1, "size": 4, "colour": "red", "tags": [], "hollow": false, "shape": 1}',
     "has no argument 'shape'"),
    ('["vase"]', "--args must be a JSON object"),
    ("{name: vase}", "--args is not valid JSON"),
])
def test_call_with_bad_arguments_exits_2_and_sends_nothing(strict_url, args, phrase):
    before = _placed(strict_url)
    done = _call(strict_url, "/place", args)
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("diorama --call: ") and phrase in lines[0], done.stderr
    assert _placed(strict_url) == before


def test_call_rejected_by_the_space_exits_1(trellis_url, tmp_path):
    from PIL import Image

    plain = tmp_path / "plain.png"
    Image.new("RGB", (32, 32), (9, 9, 9)).save(plain)
    done = _call(trellis_url, "/preprocess_image", json.dumps({"image": str(plain)}))
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "there is no subject to reconstruct" in lines[0], done.stderr


@pytest.mark.parametrize(("source", "title", "name"), [
    ("http://127.0.0.1:7963/", "Gradio", "local_7963_lambda"),
    ("http://localhost:7860", "", "local_7860_lambda"),
    ("https://shapes.example.org/", "Gradio", "shapes_lambda"),
    ("http://10.0.0.5:8000/", None, "app_8000_lambda"),
    ("http://127.0.0.1:7963/", "Mesh Maker", "mesh_maker_lambda"),
])
def test_url_spaces_get_readable_tool_names(source, title, name):
    from tools.describe import space_name
    from tools.schema import tool_name

    assert tool_name(space_name(source, title), "/lambda") == name


def _greet(name: str) -> str:
    return f"hello {name}"


def _part(name: str) -> str:
    return f"bye {name}"


@pytest.fixture(scope="module")
def tabbed_url() -> str:
    """Two tabs whose endpoints have no docstrings and the same labels: only the UI tells them apart."""
    import gradio as gr

    with gr.Blocks() as demo:
        with gr.Tab("Greeting"):
            name, out = gr.Textbox(label="Name"), gr.Textbox(label="Answer")
            gr.Button("Hello").click(lambda n: _greet(n), name, out)
        with gr.Tab("Farewell"):
            name2, out2 = gr.Textbox(label="Name"), gr.Textbox(label="Answer")
            gr.Button("Bye").click(lambda n: _part(n), name2, out2)
    yield from served(demo)


def test_endpoints_alike_are_told_apart_by_their_button_and_tab(tabbed_url):
    from tools.describe import describe

    described = {tool["endpoint"]: tool["description"] for tool in describe(tabbed_url)}
    assert 'the "Hello" button in the "Greeting" tab' in described["/lambda"]
    assert 'the "Bye" button in the "Farewell" tab' in described["/lambda_1"]
    assert described["/lambda"] != described["/lambda_1"]
