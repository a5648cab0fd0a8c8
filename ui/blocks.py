"""The Gradio Blocks: the browser UI and the `/build` API endpoint (also an MCP tool)."""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any, Iterator

import gradio as gr

from agent.events import log_to_messages
from agent.runner import ChainRunner
from tools.errors import DioramaError, InvalidInputError

logger = logging.getLogger(__name__)

EXAMPLES = [
    "Build a 3D gallery of Paris landmarks",
    "A gallery of a red lighthouse, an oak tree and a windmill",
    "Build a 3D gallery of London landmarks",
    "Construis une galerie 3D des monuments de Rome",
]
_PROVIDER_NAMES = {"offline": "Offline planner (no LLM)", "hf": "Hugging Face Inference",
                   "openai": "OpenAI-compatible server", "custom": "Custom model"}


def banner(runner: ChainRunner) -> str:
    """One line saying which model drives the agent and which Spaces it chains."""
    info = runner.model_info()
    tools = " → ".join(f"`{t['name']}` ({t['space']} {t['endpoint']})" for t in runner.registry.describe())
    return f"**Agent model:** {_PROVIDER_NAMES.get(info['provider'], info['provider'])} — `{info['id']}`  \n**Tools:** {tools}"


def _stream(runner: ChainRunner, request: str, cancel: threading.Event) -> Iterator[dict[str, Any]]:
    try:
        yield from runner.run(request, cancel=cancel)
    except InvalidInputError as exc:
        raise gr.Error(str(exc)) from exc
    except DioramaError as exc:
        raise gr.Error(str(exc)) from exc
    except Exception as exc:
        ref = uuid.uuid4().hex[:8]
        logger.exception("unexpected failure (ref %s)", ref)
        raise gr.Error(f"Something went wrong (ref {ref}); the server log has the details.") from exc
    finally:
        cancel.set()


def build_demo(runner: ChainRunner) -> gr.Blocks:
    """The app; `runner` does the work, this only wires and renders."""

    def build(request: str) -> Iterator[tuple[Any, dict[str, Any]]]:
        """Build one walkable 3D scene (GLB) from a request by chaining Gradio Spaces.

        An agent reads the request, calls a text-to-3D Space once per object (e.g. each landmark of a city)
        and a scene-assembly Space on all the results, and returns the scene with its chain log.

        Args:
            request: what to build, in plain words, e.g. "Build a 3D gallery of Paris landmarks" or
                "a gallery of a red lighthouse, an oak tree and a windmill" (at most 500 characters).

        Returns:
            The scene as a .glb file (null if the run failed) and the chain log: a JSON object with
            run_id, request, model, events (agent steps and Space calls), result {scene, error, answer}
            and timings.
        """
        cancel = threading.Event()
        log: dict[str, Any] = {}
        for log in _stream(runner, request, cancel):
            yield gr.skip(), log
        yield log["result"]["scene"], log

    def build_ui(request: str):
        cancel = threading.Event()
        log: dict[str, Any] = {}
        for log in _stream(runner, request, cancel):
            yield log_to_messages(log), log, _status(log)

    def show_scene(log: dict[str, Any] | None):
        # A separate, non-streaming event: gr.Model3D stays blank when a generator fills it (Gradio 6.31).
        scene = (log or {}).get("result", {}).get("scene")
        if log and scene is None:
            gr.Warning((log.get("result") or {}).get("error") or "No scene was produced.")
        return scene, scene

    with gr.Blocks(title="Diorama — chain Spaces into a 3D scene", fill_width=True) as demo:
        gr.Markdown("# 🏛️ Diorama\nType one request; an agent chains Gradio Spaces (text → 3D → scene) "
                    "into one walkable 3D gallery.")
        gr.Markdown(banner(runner), elem_id="banner")
        with gr.Row(equal_height=False):
            with gr.Column(scale=2, min_width=320):
                request = gr.Textbox(label="Request", placeholder=EXAMPLES[0], lines=2, max_lines=6,
                                     elem_id="request")
                with gr.Row():
                    go = gr.Button("Build", variant="primary", elem_id="build")
                    stop = gr.Button("Cancel", variant="stop", elem_id="cancel")
                gr.Examples(EXAMPLES, inputs=[request], label="Examples")
                status = gr.Markdown("", elem_id="status")
                chat = gr.Chatbot(label="Chain log", height=520, elem_id="chain-log", group_consecutive_messages=False)
            with gr.Column(scale=3, min_width=320):
                scene = gr.Model3D(label="Scene", height=560, clear_color=(0.93, 0.93, 0.95, 1.0), elem_id="scene")
                download = gr.File(label="Download GLB", elem_id="download")
                with gr.Accordion("Chain log (JSON)", open=False):
                    log_json = gr.JSON(label="Chain log", elem_id="log-json")
        runs = []
        for trigger in (go.click, request.submit):
            run = trigger(build_ui, [request], [chat, log_json, status], api_visibility="private",
                          concurrency_limit=4, concurrency_id="build_ui")
            run.then(show_scene, [log_json], [scene, download], api_visibility="private")
            runs.append(run)
        stop.click(None, cancels=runs)
        api_request = gr.Textbox(visible=False)
        api_scene, api_log = gr.Model3D(visible=False, label="Scene"), gr.JSON(visible=False, label="Chain log")
        api_request.submit(build, [api_request], [api_scene, api_log], api_name="build", concurrency_limit=4,
                           concurrency_id="build_api")
    return demo


def _status(log: dict[str, Any]) -> str:
    calls = [e for e in log.get("events", []) if e.get("type") == "space_call"]
    done = sum(1 for e in calls if e.get("status") != "running")
    result = log.get("result", {})
    if result.get("scene"):
        t = log.get("timings", {})
        return f"✅ Done in {t.get('total_s', 0):.1f} s · {len(calls)} Space calls · run `{log['run_id']}`"
    if result.get("error"):
        return f"⚠️ {result['error']}"
    running = next((e for e in calls if e.get("status") == "running"), None)
    current = f" · now: {running['tool']} on {running['space']}" if running else ""
    return f"⏳ Working · {done} Space call(s) finished{current}"


def launch_kwargs(runner: ChainRunner) -> dict[str, Any]:
    """Arguments for `demo.launch`: serve the run folders; warm up the bundled Spaces meanwhile."""
    threading.Thread(target=_warm_up, args=(runner,), daemon=True, name="warm-up").start()
    return {"allowed_paths": [str(runner.settings.data_dir)], "show_error": False}


def _warm_up(runner: ChainRunner) -> None:
    try:
        runner.warm_up()
    except DioramaError as exc:
        logger.warning("bundled Spaces did not start: %s", exc)
