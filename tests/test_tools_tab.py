"""The Tools tab's functions: what the agent sees for each configured tool, and trying one by hand."""

from __future__ import annotations

import pytest
import trimesh

from agent.runner import ChainRunner
from tools.errors import InvalidInputError
from ui.tools_tab import describe_tools, try_tool


def test_tools_are_described_from_their_schemas_with_health(companion_urls, settings):
    runner = ChainRunner(settings)
    runner.run_to_end("a windmill")  # gives the Spaces some history
    listing = {t["name"]: t for t in describe_tools(runner)}
    assert set(listing) == {"text_to_3d", "assemble_scene"}
    text = listing["text_to_3d"]
    assert text["space"] == "local:text_to_3d" and text["endpoint"] == "/generate"
    assert "Generate one low-poly 3D object" in text["description"]
    assert text["inputs"]["prompt"]["type"] == "string" and text["unavailable"] is None
    assert text["health"]["local:text_to_3d"]["calls"] >= 1
    assert text["health"]["local:text_to_3d"]["success_rate"] == 1.0


def test_try_a_tool_by_hand(companion_urls, settings):
    runner = ChainRunner(settings)
    glb, report = try_tool(runner, "text_to_3d", '{"prompt": "Luxor Obelisk"}')
    assert trimesh.load(glb, file_type="glb", force="scene").bounds[1][1] > 20
    assert report["result"]["info"]["kind"] == "luxor_obelisk"
    assert [c["status"] for c in report["calls"]] == ["ok"]
    with pytest.raises(InvalidInputError, match="must be a JSON object"):
        try_tool(runner, "text_to_3d", "prompt=windmill")
    with pytest.raises(InvalidInputError, match="no tool named 'nope'"):
        try_tool(runner, "nope", "{}")


def test_try_tool_is_a_public_api_endpoint_with_the_same_checks(app_url):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(app_url, verbose=False)
    glb, report = client.predict("text_to_3d", {"prompt": "Luxor Obelisk"}, api_name="/try_tool")
    assert trimesh.load(glb, file_type="glb", force="scene").bounds[1][1] > 20
    assert report["result"]["info"]["kind"] == "luxor_obelisk" and [c["status"] for c in report["calls"]] == ["ok"]
    assert report["result"]["glb"].startswith("assets/")  # relative to the call's folder, never a server path
    _, as_text = client.predict("text_to_3d", '{"prompt": "windmill"}', api_name="/try_tool")  # the JSON's text
    assert as_text["result"]["info"]["kind"] == "windmill"
    with pytest.raises(AppError, match="'colour'") as unknown:  # checked before any request: named, not retried
        client.predict("text_to_3d", {"prompt": "windmill", "colour": "red"}, api_name="/try_tool")
    assert "Traceback" not in str(unknown.value)
    with pytest.raises(AppError, match="no tool named 'nope'"):
        client.predict("nope", {}, api_name="/try_tool")
    with pytest.raises(AppError, match="must be a JSON object"):
        client.predict("text_to_3d", "prompt=windmill", api_name="/try_tool")
