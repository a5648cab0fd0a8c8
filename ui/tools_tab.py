"""The Tools tab: each configured tool as the agent sees it (generated description, endpoint, providers,
health), a form to try one by hand, and adding an allowlisted Space as tools (with suggestions)."""

from __future__ import annotations

import contextlib
import json
import logging
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any, Callable, ContextManager

import gradio as gr

from agent.runner import ChainRunner
from agent import runtime_spaces
from tools.errors import DioramaError, InvalidInputError
from tools.discovery import CAPABILITIES, suggest
from tools.space_tool import CallContext

logger = logging.getLogger(__name__)


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


def tools_tab(runner: ChainRunner, admit: Callable[[gr.Request | None], ContextManager[Any]] | None = None) -> None:
    """Render the tab inside the current Blocks context.

    `admit(request)` (the app's per-client limits) guards what spends Space calls: "Try it" and "Add a Space"
    count like builds, so a public Space cannot be drained through this tab.
    """
    admit = admit or (lambda request: contextlib.nullcontext())
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

        def call(name: str, args: str, request: gr.Request = None) -> tuple[str | None, dict[str, Any]]:
            with admit(request):
                return _answer(try_tool, runner, name, args)

        refresh.click(show, None, listing, api_visibility="private", concurrency_id="tools_show")
        run.click(call, [pick, arguments], [model, output], api_visibility="private", concurrency_id="tools_try")
        _space_adder(runner, pick, admit)  # "Add a Space" and "Suggest Spaces" (API /add_space, /suggest_spaces)


def add_space_tools(runner: ChainRunner, space: str, endpoint: str = "", name: str = "") -> dict[str, Any]:
    """Add an allowlisted Space's endpoint(s) as tools of the next runs; returns what was added.

    Raises:
        DioramaError: refused or failed, with a message saying what to do (see `agent.runtime_spaces.add_space`).
    """
    settings = runner.settings
    added = runtime_spaces.add_space(runner.registry, space, endpoint, name=name, allowlist=settings.allowlist,
                                     max_added=settings.max_added_tools,
                                     connect_timeout_s=settings.connect_timeout_s, token=settings.hf_token)
    return {"added": added, "added_so_far": len(runner.registry.added), "limit": settings.max_added_tools,
            "note": _KEPT}


def suggest_spaces_for(runner: ChainRunner, capability: str) -> dict[str, Any]:
    """`tools.discovery.suggest`, with `addable` from this server's allowlist."""
    return suggest(capability, allowed=runner.settings.allowlist.allows)


_KEPT = ("Added tools are kept in memory for this server's life (a restart drops them); LLM-driven runs can call "
         "them from the next run on (the offline planner uses only the configured tools). To keep one, copy it "
         "into diorama.toml's [[tools]].")


def _answer(work, *args: Any) -> Any:
    """Run a handler: Diorama's errors become their message, anything else a logged reference; never a traceback."""
    try:
        return work(*args)
    except DioramaError as exc:
        raise gr.Error(str(exc)) from exc
    except Exception as exc:
        ref = uuid.uuid4().hex[:8]
        logger.exception("Tools tab handler failed (ref %s)", ref)
        raise gr.Error(f"Something went wrong (ref {ref}); the server log has the details.") from exc


def _space_adder(runner: ChainRunner, pick: gr.Dropdown,
                 admit: Callable[[gr.Request | None], ContextManager[Any]]) -> None:
    """The "Add a Space" box, the suggestions, and their API endpoints (inside the Tools tab)."""
    allowlist = runner.settings.allowlist
    with gr.Accordion("Add a Space", open=False, elem_id="add-space-box"):
        gr.Markdown((f"Allowed: {', '.join(f'`{e}`' for e in allowlist.entries)}. " if allowlist.enabled
                     else f"{runtime_spaces.ENABLE_HINT} ") + _KEPT)
        with gr.Row():
            with gr.Column():
                space = gr.Textbox(label="Space (Hub id or URL)", placeholder="you/my-space or https://your-host.example/",
                                   elem_id="add-space-source")
                endpoint = gr.Textbox(label="Endpoint (empty: all named endpoints)", placeholder="/generate",
                                      elem_id="add-space-endpoint")
                name = gr.Textbox(label="Tool name (optional, one endpoint only)", elem_id="add-space-name")
                add = gr.Button("Add a Space", variant="primary", elem_id="add-space")
            with gr.Column():
                added = gr.JSON(label="Added tools", elem_id="add-space-result")
        with gr.Row():
            capability = gr.Dropdown(list(CAPABILITIES), value=CAPABILITIES[0], label="Capability")
            find = gr.Button("Suggest Spaces", elem_id="suggest-spaces")
            chosen = gr.Dropdown([], label="Use a suggestion (addable ones only)", elem_id="suggest-pick")
        suggestions = gr.JSON(label="Suggestions", elem_id="suggestions")

    def add_space(space: str, endpoint: str = "", name: str = "", request: gr.Request = None) -> dict[str, Any]:
        """Add an endpoint of a Gradio Space as a tool the agent can call in the next runs (allowlisted Spaces only).

        Args:
            space: a Hub Space id or a URL on the server's allowlist, e.g. "you/my-space" or "https://your-host.example/"
            endpoint: the api name, e.g. "/generate"; empty for all of the Space's named endpoints
            name: optional tool name for a single endpoint, a Python identifier, e.g. "my_text_to_3d"

        Returns:
            JSON {"added": [{name, space, endpoint, description, inputs, output_type}], "added_so_far", "limit", "note"}
        """
        with admit(request):
            return _answer(add_space_tools, runner, space, endpoint, name)

    def suggest_spaces(capability: str) -> dict[str, Any]:
        """Suggest Spaces for a capability: the shipped catalog, plus a Hub search when the server is online.

        Args:
            capability: one of "text_to_3d", "image_to_3d", "text_to_image", "scene_assembly"

        Returns:
            JSON {"capability", "note", "suggestions": [{space, source, vetted, endpoints, license, likes, notes, addable}]}
        """
        return _answer(suggest_spaces_for, runner, capability)

    def show_suggestions(capability: str):
        result = suggest_spaces(capability)
        addable = [s["space"] for s in result["suggestions"] if s["addable"]]
        return result, gr.update(choices=addable, value=None)

    def use_suggestion(choice: str | None):
        return choice or gr.skip()

    def tool_names():
        return gr.update(choices=[e["name"] for e in runner.registry.describe()])

    add.click(add_space, [space, endpoint, name], [added], api_name="add_space", concurrency_limit=2,
              concurrency_id="add_space").then(tool_names, None, pick, api_visibility="private")
    find.click(show_suggestions, [capability], [suggestions, chosen], api_visibility="private",
               concurrency_id="suggest_ui")
    chosen.change(use_suggestion, [chosen], [space], api_visibility="private")
    api_capability, api_suggestions = gr.Textbox(visible=False), gr.JSON(visible=False, label="Suggestions")
    api_capability.submit(suggest_spaces, [api_capability], [api_suggestions], api_name="suggest_spaces",
                          concurrency_id="suggest_api")
