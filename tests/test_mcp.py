"""Diorama as an MCP server: the app launched on 127.0.0.1, called with the official `mcp` Python SDK client."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

pytest.importorskip("mcp", reason="needs the mcp package (requirements.txt)")

from mcp import ClientSession  # noqa: E402
from mcp.client.streamable_http import streamablehttp_client  # noqa: E402

AGENT_TOOLS = {"build", "start_build", "build_status", "cancel_build", "resume_build", "edit_scene", "run_history",
               "run_details", "add_space", "suggest_spaces", "try_tool"}


def _with_session(app_url: str, work) -> Any:
    async def main() -> Any:
        async with streamablehttp_client(app_url + "gradio_api/mcp/") as (read, write, _):
            async with ClientSession(read, write) as session:
                await session.initialize()
                return await work(session)

    return asyncio.run(main())


def test_only_the_agent_facing_tools_are_listed_with_agent_descriptions(app_url):
    tools = {t.name: t for t in _with_session(app_url, lambda s: s.list_tools()).tools}
    assert set(tools) == AGENT_TOOLS  # UI handlers (build_ui, show_scene, ...) are private events
    build = tools["build"]
    assert build.description.startswith("Build one walkable 3D scene (GLB) from a request")
    assert "space_call" in build.description
    assert build.inputSchema["required"] == ["request"]
    assert "Paris landmarks" in build.inputSchema["properties"]["request"]["description"]
    assert "Poll build_status" in tools["start_build"].description
    assert '"done"' in tools["build_status"].description


def test_build_is_callable_and_returns_the_scene_url(app_url):
    progress: list[str | None] = []

    async def call(session: ClientSession):
        async def on_progress(done: float, total: float | None, message: str | None) -> None:
            progress.append(message)

        streamed = await session.call_tool("build", {"request": "a gallery of a red lighthouse and a windmill"},
                                           progress_callback=on_progress)
        plain = await session.call_tool("build", {"request": "a red lighthouse and a windmill"})
        return streamed, plain

    streamed, plain = _with_session(app_url, call)
    assert not streamed.isError, streamed.content
    scene, log = (c.text for c in streamed.content)
    assert scene.startswith("http://127.0.0.1:") and scene.endswith("/scene.glb")  # the file, as a URL
    assert "assemble_scene" in log and "'error': None" in log  # the chain log, provenance included
    assert progress  # queue/progress notifications reached the client
    # Without a progress token Gradio 6.31 returns both outputs as one text (the repr of a list); the scene URL is in it.
    assert not plain.isError and "/scene.glb" in plain.content[0].text


def test_a_bad_request_is_a_tool_error_with_the_message(app_url):
    async def call(session: ClientSession):
        return await session.call_tool("build", {"request": "   "})

    result = _with_session(app_url, call)
    assert result.isError and "The request is empty" in result.content[0].text
