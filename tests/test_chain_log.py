"""The chain log stays readable by gradio_client API clients: no JSON object with a text "path" key."""

from __future__ import annotations

import json
import os

import gradio as gr
from gradio_client import Client

from agent.run_log import ChainLog
from tests.conftest import served


def _log_with_a_path_output() -> ChainLog:
    log = ChainLog("20261124-000000-0123456789abcdef", "a request", {"provider": "offline", "id": "x"},
                   secrets=["hf_canarytoken"])
    log.add({"type": "space_call", "id": "call-1", "output": {"info": {"path": "/srv/out/a.glb", "n": 1},
                                                                "glb": "assets/call-1_a.glb"},
             "inputs": {"prompt": "token hf_canarytoken"}})
    return log


def test_path_keys_are_renamed_and_secrets_redacted():
    event = _log_with_a_path_output().to_dict()["events"][0]
    assert event["output"] == {"info": {"path_": "/srv/out/a.glb", "n": 1}, "glb": "assets/call-1_a.glb"}
    assert event["inputs"] == {"prompt": "token ***"}


def test_an_api_client_reads_such_a_log(tmp_path):
    log = _log_with_a_path_output().to_dict()
    with gr.Blocks() as demo:
        box = gr.Textbox()
        box.submit(lambda _: log, box, gr.JSON(), api_name="log")
    for url in served(demo):
        got = Client(url, verbose=False, download_files=str(tmp_path)).predict("x", api_name="/log")
        assert got["events"][0]["output"]["info"] == {"path_": "/srv/out/a.glb", "n": 1}
        assert not os.listdir(tmp_path)  # nothing was taken for a file to download
        assert json.dumps(got) == json.dumps(log)
