"""The Tools tab: each configured tool as the agent sees it (generated description, endpoint, providers,
health), a form to try one by hand, and adding an allowlisted Space as tools (with suggestions)."""

from __future__ import annotations

import json
import logging
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable, Sequence

import gradio as gr

from agent.runner import ChainRunner
from agent import runtime_spaces
from agent.run import RUN_ID, runs_dir
from tools.errors import DioramaError, InvalidInputError
from tools.discovery import CAPABILITIES, suggest
from tools.file_args import allowed_file
from tools.space_tool import CallContext
from ui.limits import check_text
from ui.errors import user_errors
from ui.owners import Access
from ui.public import public_value

logger = logging.getLogger(__name__)

MAX_ARGUMENT_CHARS = 4000  # Try it's JSON arguments; files are uploaded, not pasted


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


def try_tool(runner: ChainRunner, name: str, arguments: str, *, uploads: Sequence[str] = (),
             may_open: Callable[[str], Any] | None = None) -> tuple[str | None, dict[str, Any]]:
    """Call one configured tool with JSON keyword arguments, as the agent would; returns (file or None, result).

    A file argument names a file uploaded with this call (by its name, e.g. "photo.png"), or a file of a run the
    caller may open, relative to the runs folder ("<run_id>/assets/call-1_windmill.glb"); nothing else on the
    server. The check (`tools.file_args.allowed_file`) runs on the resolved real path, which is what is sent.

    Args:
        uploads: paths of the files uploaded with this call (Gradio's upload folder).
        may_open: raises unless the caller may open the run with this id (`ui.owners.check_access`);
            None: no run's files may be sent.

    Raises:
        InvalidInputError: arguments too long, not plain text, not a JSON object, an unknown tool, or a file
            argument that is neither an upload nor a file of the caller's runs.
    """
    if not isinstance(arguments, str):
        arguments = "" if arguments is None else str(arguments)
    if len(arguments) > MAX_ARGUMENT_CHARS:
        raise InvalidInputError(f"The arguments are {len(arguments)} characters long; the limit is "
                                f"{MAX_ARGUMENT_CHARS}. Upload files instead of pasting their content.")
    check_text(arguments, what="Try it's JSON")
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
        kwargs = _checked_files(tool, kwargs, uploads, runs_dir(runner.settings.data_dir), may_open)
        result = tool(**kwargs)
    finally:
        loaded.close()
    files = [v for v in (result.values() if isinstance(result, dict) else [result])
             if isinstance(v, str) and v.lower().endswith((".glb", ".gltf"))]
    calls = [e for e in events if e.get("status") != "running"]
    return (files[0] if files else None), {"result": context.relative(result), "calls": calls}


_try_by_hand = try_tool  # `tools_tab` defines an API function named try_tool (its MCP tool's name)


def _checked_files(tool: Any, kwargs: dict[str, Any], uploads: Sequence[str], runs: Path,
                   may_open: Callable[[str], Any] | None) -> dict[str, Any]:
    """`kwargs` with each file argument replaced by the real path `allowed_file` returns (see `try_tool`)."""
    uploads = [str(u) for u in uploads]  # plain str: Gradio hands a str subclass (NamedString), allowed_file wants str
    by_name = {Path(u).name: u for u in uploads}
    checked = dict(kwargs)
    for param in tool.spec.endpoint.params:
        value = kwargs.get(param.name)
        if param.kind not in ("file", "files") or value is None:
            continue
        what = (f"{tool.name}: '{param.name}' (upload the file beside the arguments and give its name, or name a "
                "file of one of your runs as '<run_id>/assets/...')")
        items = value if isinstance(value, (list, tuple)) else [value]
        paths = []
        for item in items:
            item = by_name.get(item, item) if isinstance(item, str) else item
            roots = [Path(u) for u in uploads]
            run_id = _run_of(item, runs)
            if run_id is not None and may_open is not None:
                may_open(run_id)  # NotYoursError for a run the caller may not open
                roots.append(runs / run_id)
            paths.append(allowed_file(item, roots, base=runs, what=what))
        checked[param.name] = paths if param.kind == "files" or isinstance(value, (list, tuple)) else paths[0]
    return checked


def _run_of(value: Any, runs: Path) -> str | None:
    """The run id a file argument names ("<run_id>/..." or an absolute path in that run's folder), or None."""
    if not isinstance(value, str) or not value:
        return None
    path = Path(value)
    if path.is_absolute():
        try:
            path = path.relative_to(runs)
        except ValueError:
            return None
    first = path.parts[0] if path.parts else ""
    return first if RUN_ID.match(first) else None


def tools_tab(runner: ChainRunner, access: Access) -> None:
    """Render the tab inside the current Blocks context.

    `access` (from `ui.blocks.build_demo`) guards what spends Space calls: "Try it" and "Add a Space" go through
    the same admission as builds, so a public Space cannot be drained through this tab; Try it's file arguments
    are the caller's uploads or files of runs they may open.
    """
    names = [t.name for t in runner.settings.tools]
    with gr.Tab("Tools", id="tools-tab"):
        gr.Markdown("The tools the agent can call, generated from each Space's own API (`view_api`); the "
                    "owner's config (`diorama.toml`) decides which Spaces are allowed. Health comes from past calls.")
        refresh = gr.Button("Show tools", elem_id="tools-refresh")
        listing = gr.JSON(label="Registered tools", elem_id="tools-list")
        with gr.Row():
            with gr.Column():
                pick = gr.Dropdown(names, value=names[0] if names else None, label="Tool")
                arguments = gr.Textbox(label="Arguments (JSON)", value='{"prompt": "a red lighthouse"}', lines=3,
                                       max_length=MAX_ARGUMENT_CHARS)
                uploads = gr.File(label="Files for file arguments (give a file's name in the arguments)",
                                  file_count="multiple", type="filepath", elem_id="tools-files")
                run = gr.Button("Try it", variant="primary", elem_id="tools-try")
            with gr.Column():
                model = gr.Model3D(label="Output", height=320)
                output = gr.JSON(label="Result and calls")

        def show() -> list[dict[str, Any]]:
            try:
                return describe_tools(runner)
            except DioramaError as exc:
                raise gr.Error(str(exc)) from exc

        def call(name: str, args: str, files: list[str] | None, browser: Any = None,
                 request: gr.Request = None) -> tuple[str | None, dict[str, Any]]:
            who = access.caller(request, browser)
            with access.admit(request, args, what="Try it's JSON"), access.errors():
                glb, report = _try_by_hand(runner, name, args, uploads=files or [],
                                       may_open=lambda run_id: access.allowed(run_id, who))
            return glb, public_value(report, Path(runner.settings.data_dir))

        def try_tool(tool_name: str, arguments: Any = "{}", request: gr.Request = None) -> tuple[str | None, dict[str, Any]]:
            """Call one of Diorama's tools by hand, as the agent would: arguments checked against the Space's schema
            before any request, then retries, fallbacks and the circuit breaker (rate-limited like /build).

            Args:
                tool_name: a configured tool's name, e.g. "text_to_3d" (the Tools tab lists them)
                arguments: keyword arguments as a JSON object or its text, e.g. {"prompt": "a red lighthouse"}; a file argument names a file of one of your runs, "<run_id>/assets/call-1_x.glb"

            Returns:
                the first GLB the tool returned (or null), and JSON {"result": its output (files relative to the call's folder), "calls": the Space calls made}
            """
            text = arguments if isinstance(arguments, str) else json.dumps(arguments)
            who = access.caller(request, None)
            with access.admit(request, text, what="The arguments"), access.errors():
                glb, report = _try_by_hand(runner, str(tool_name or ""), text,
                                       may_open=lambda run_id: access.allowed(run_id, who))
            return glb, public_value(report, Path(runner.settings.data_dir))

        refresh.click(show, None, listing, api_visibility="private", concurrency_id="tools_show")
        run.click(call, [pick, arguments, uploads, access.browser], [model, output], api_visibility="private",
                  concurrency_id="tools_try")
        api_name_box, api_arguments = gr.Textbox(visible=False), gr.JSON(visible=False, label="Arguments")
        api_file, api_result = gr.File(visible=False, label="GLB"), gr.JSON(visible=False, label="Result")
        api_name_box.submit(try_tool, [api_name_box, api_arguments], [api_file, api_result], api_name="try_tool",
                            concurrency_limit=2, concurrency_id="tools_try")
        _space_adder(runner, pick, access)  # "Add a Space" and "Suggest Spaces" (API /add_space, /suggest_spaces)


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
    """Run a handler; any failure becomes a gr.Error with the shared message (`ui.errors.user_errors`)."""
    with user_errors():
        return work(*args)


def _space_adder(runner: ChainRunner, pick: gr.Dropdown, access: Access) -> None:
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
        with access.admit(request, "\n".join(str(v or "") for v in (space, endpoint, name)),
                          what="The Space, endpoint or tool name"), access.errors():
            return public_value(add_space_tools(runner, space, endpoint, name), Path(runner.settings.data_dir))

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
