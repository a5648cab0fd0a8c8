"""The Tools tab: each configured tool as the agent sees it (generated description, endpoint, providers,
health), and a form to try one by hand."""

from __future__ import annotations

import json
import tempfile
import threading
from pathlib import Path
from typing import Any

import gradio as gr

from agent.runner import ChainRunner
from tools.errors import DioramaError, InvalidInputError
from tools.space_tool import CallContext


def describe_tools(runner: ChainRunner) -> list[dict[str, Any]]:
    """One entry per configured tool: name, capability, providers, the generated description and inputs
    (or why the Space cannot be read now), and each provider's health from past calls."""
    entries = []
    folder = Path(tempfile.mkdtemp(prefix="diorama-tools-"))
    loaded = runner.registry.load(CallContext(run_dir=folder, emit=lambda event: None, call_timeout_s=30))
    try:
        for entry in runner.registry.describe():
            tool = loaded.tools.get(entry["name"])
            providers = [f"{entry['space']} {entry['endpoint']}", *entry["fallbacks"]]
            entries.append({
                **entry,
                "description": tool.description if tool else None,
                "inputs": tool.inputs if tool else None,
                "output_type": tool.output_type if tool else None,
                "unavailable": loaded.failed.get(entry["name"]),
                "health": {p.split(" ")[0]: _health(runner, p.split(" ")[0]) for p in providers},
            })
    finally:
        loaded.close()
    return entries


def _health(runner: ChainRunner, space: str) -> dict[str, Any]:
    try:
        health = runner.health.of(space)
    except Exception as exc:  # the history store is optional for this view
        return {"error": f"health unavailable ({type(exc).__name__})"}
    return {"calls": health.calls, "success_rate": health.success_rate, "p50_s": health.p50_s,
            "p95_s": health.p95_s, "last_error": health.last_error, "failing_now": health.failing_now}


def try_tool(runner: ChainRunner, name: str, arguments: str) -> tuple[str | None, dict[str, Any]]:
    """Call one configured tool with JSON keyword arguments, as the agent would; returns (file or None, result)."""
    try:
        kwargs = json.loads(arguments or "{}")
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"Arguments must be a JSON object, e.g. {{\"prompt\": \"windmill\"}}: {exc}.") \
            from exc
    if not isinstance(kwargs, dict):
        raise InvalidInputError("Arguments must be a JSON object of keyword arguments, e.g. {\"prompt\": \"windmill\"}.")
    folder = Path(tempfile.mkdtemp(prefix="diorama-try-"))
    events: list[dict[str, Any]] = []
    context = CallContext(run_dir=folder, emit=events.append, call_timeout_s=runner.settings.call_timeout_s,
                          attempts=runner.settings.call_attempts, backoff_s=runner.settings.backoff_s,
                          cancel=threading.Event())
    loaded = runner.registry.load(context)
    try:
        tool = loaded.tools.get(name)
        if tool is None:
            reason = loaded.failed.get(name) or f"no tool named {name!r}; configured: {', '.join(loaded.tools)}"
            raise InvalidInputError(f"Cannot try {name}: {reason}")
        result = tool(**kwargs)
    finally:
        loaded.close()
    files = [v for v in (result.values() if isinstance(result, dict) else [result])
             if isinstance(v, str) and v.lower().endswith((".glb", ".gltf"))]
    calls = [e for e in events if e.get("status") != "running"]
    return (files[0] if files else None), {"result": context.relative(result), "calls": calls}


def tools_tab(runner: ChainRunner) -> None:
    """Render the tab inside the current Blocks context."""
    names = [t.name for t in runner.settings.tools]
    with gr.Tab("Tools", id="tools-tab"):
        gr.Markdown("The tools the agent can call, generated from each Space's own API (`view_api`); the "
                    "owner's config (`diorama.toml`) decides which Spaces are allowed. Health comes from past calls.")
        refresh = gr.Button("Show tools", elem_id="tools-refresh")
        listing = gr.JSON(label="Registered tools", elem_id="tools-list")
        with gr.Row():
            with gr.Column():
                pick = gr.Dropdown(names, value=names[0] if names else None, label="Tool")
                arguments = gr.Textbox(label="Arguments (JSON)", value='{"prompt": "a red lighthouse"}', lines=3)
                run = gr.Button("Try it", variant="primary", elem_id="tools-try")
            with gr.Column():
                model = gr.Model3D(label="Output", height=320)
                output = gr.JSON(label="Result and calls")

        def show() -> list[dict[str, Any]]:
            try:
                return describe_tools(runner)
            except DioramaError as exc:
                raise gr.Error(str(exc)) from exc

        def call(name: str, args: str) -> tuple[str | None, dict[str, Any]]:
            try:
                return try_tool(runner, name, args)
            except DioramaError as exc:
                raise gr.Error(str(exc)) from exc

        refresh.click(show, None, listing, api_visibility="private", concurrency_id="tools_show")
        run.click(call, [pick, arguments], [model, output], api_visibility="private", concurrency_id="tools_try")
