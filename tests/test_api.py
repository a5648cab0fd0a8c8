"""Diorama's own API: the app launched on 127.0.0.1 in its own process, called with gradio_client."""

from __future__ import annotations

import pytest
import trimesh
from gradio_client import Client
from gradio_client.exceptions import AppError


def test_build_endpoint_returns_scene_and_chain_log(app_url, tmp_path):
    client = Client(app_url, verbose=False, download_files=str(tmp_path))
    scene_path, log = client.predict("Build a 3D gallery of Paris landmarks", api_name="/build")
    assert log["result"]["error"] is None
    assert log["model"]["provider"] == "offline"
    calls = [e for e in log["events"] if e["type"] == "space_call"]
    assert [c["tool"] for c in calls] == ["text_to_3d"] * 8 + ["assemble_scene"]
    scene = trimesh.load(scene_path, file_type="glb", force="scene")
    assert "eiffel_tower" in scene.graph.transforms.children[scene.graph.base_frame]


def test_build_streams_chain_log_updates(app_url, tmp_path):
    client = Client(app_url, verbose=False, download_files=str(tmp_path))
    job = client.submit("a gallery of a red lighthouse and a windmill", api_name="/build")
    updates = list(job)
    assert len(updates) >= 3
    counts = [len(log["events"]) for _, log in updates]
    assert counts == sorted(counts) and counts[0] < counts[-1]
    assert updates[-1][1]["result"]["scene"] is not None


def test_api_lists_build_and_rejects_empty_requests_clearly(app_url, tmp_path):
    client = Client(app_url, verbose=False, download_files=str(tmp_path))
    api = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert list(api) == ["/build"]
    assert "Build one walkable 3D scene" in api["/build"]["description"]
    with pytest.raises(AppError, match="The request is empty"):
        client.predict("  ", api_name="/build")
    with pytest.raises(AppError, match="the limit is 500"):
        client.predict("x" * 600, api_name="/build")
