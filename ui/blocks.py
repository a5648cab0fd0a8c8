"""The Gradio Blocks: the browser UI and the API endpoints (/build, /start, /status, /cancel, /resume, /edit; also MCP
tools).

The API handlers are the functions named `build`, `start_build`, `build_status`, `cancel_build`, `resume_build` and
`edit_scene`: Gradio's MCP server names its tools after the function and reads the docstring's `Args:`,
so those docstrings are written for agents.  Every UI-only event is `api_visibility="private"`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import gradio as gr

from agent.events import log_to_messages
from agent.request_text import validate_request
from agent.run import RunPaths, read_chain, runs_dir
from agent.run_log import ChainLog, output_values
from agent.runner import ChainRunner
from agent.store import FILE_NAME as STORE_FILE
from tools.errors import DioramaError, InvalidInputError
from ui.history import history_tab
from ui.errors import user_errors
from ui.tools_tab import tools_tab
from ui.jobs import Jobs
from ui.limits import ClientLimits, Ticket, check_text
from ui.owners import Access, Caller, check_access, check_edit_access, identify, oauth_available
from ui.progress import status_line
from ui.startup import example_scenes, wire_startup
from ui.public import public_log, public_text, run_file, scene_file
from ui.versions import add_version, choices, known, label_of, previous
from ui.walk import STATIC_DIR as WALK_STATIC_DIR
from ui.walk import walk_value, walk_view

logger = logging.getLogger(__name__)

EXAMPLES = [
    "Build a 3D gallery of Paris landmarks",
    "A gallery of a red lighthouse, an oak tree and a windmill",
    "Build a 3D gallery of London landmarks",
    "Construis une galerie 3D des monuments de Rome",
]
TITLE = "Diorama — chain Spaces into a 3D scene"
DESCRIPTION = "One request, an agent chaining Gradio Spaces (text → 3D → scene), one walkable 3D gallery."
FAVICON = Path(__file__).with_name("favicon.png")
CANCEL_SETTLE_S = 10.0  # how long Cancel waits for the run to stop before it answers anyway
MAX_UPLOAD = "50mb"  # largest upload Gradio accepts (Try it's file arguments); bigger ones get HTTP 413
MODEL_SUFFIXES = (".glb", ".gltf", ".obj")  # assets the "Latest asset" viewer shows (images are only listed)
_PROVIDER_NAMES = {"offline": "Offline planner (no LLM)", "hf": "Hugging Face Inference",
                   "openai": "OpenAI-compatible server", "custom": "Custom model"}
# Narrow screens: let the chat and viewer shrink, and keep long code and paths from widening the page.
_CSS = """
#banner code { white-space: normal; overflow-wrap: anywhere; }
#chain-log pre, #chain-log code { white-space: pre-wrap; overflow-wrap: anywhere; }
#status { min-height: 1.5em; }
@media (max-width: 640px) { #chain-log { height: 340px !important; } }
"""


def banner(runner: ChainRunner) -> str:
    """Which model drives the agent, which Spaces it chains, and what confines the agent's code."""
    info = runner.model_info()
    tools = " → ".join(f"`{t['name']}` ({t['space']} {t['endpoint']})" for t in runner.registry.describe())
    layers = runner.sandbox_layers()
    sandbox = " + ".join(layers) if layers else "none available: LLM code is refused (see README, Security)"
    if layers == ["in-process"]:
        sandbox += " (no worker process on this host; the owner allowed LLM code in the app)"
    return (f"**Agent model:** {_PROVIDER_NAMES.get(info['provider'], info['provider'])} — `{info['id']}`  \n"
            f"**Tools:** {tools}  \n**Sandbox:** {sandbox}")


def _resume_snapshots(runner: ChainRunner, run_id: str, cancel: threading.Event,
                      owner: str) -> Iterator[dict[str, Any]]:
    if not RunPaths.of(runner.settings.data_dir, run_id).journal.is_file():
        raise InvalidInputError(f"No run has the id {run_id!r} that can be resumed. Use the run_id that /start or "
                                "/build returned; /history lists yours.")
    return runner.resume(run_id, cancel=cancel, owner=owner)


def build_demo(runner: ChainRunner, *, jobs: Jobs | None = None, admin_token: str | None = None) -> gr.Blocks:
    """The app; `runner` does the work, `jobs` keeps background runs; this only wires and renders.

    Args:
        admin_token: a request whose `x-diorama-admin` header equals it sees every run (default: the
            settings' admin_token, from DIORAMA_ADMIN_TOKEN; none: nobody).
    """
    jobs = jobs or Jobs(runner)
    data_dir = Path(runner.settings.data_dir)
    admin_token = admin_token if admin_token is not None else runner.settings.admin_token
    limits = ClientLimits(per_minute=runner.settings.builds_per_minute, concurrent=runner.settings.runs_per_client,
                          trusted_proxies=runner.settings.trusted_proxies)
    errors = lambda: user_errors(data_dir)  # noqa: E731
    public = lambda log: public_log(log, data_dir)  # noqa: E731

    def admit(client: gr.Request | None, request: str | None = None, *, what: str = "The request") -> Ticket:
        """Check the text, then the client's limits (ui/limits.py); a refused request does not count and makes
        no run folder. Builds, resumes, recipe replays, Try it and Add a Space all come through here."""
        with errors():
            if request is not None and what == "The request":
                validate_request(request, runner.settings)  # plain text, not empty, not too long
            elif request is not None:
                check_text(request, what=what)
            return limits.admit(client)

    def caller(client: gr.Request | None, browser: Any = None) -> Caller:
        with errors():
            return identify(client, browser_id=browser, admin_token=admin_token)

    def allowed(run_id: Any, who: Caller) -> str:
        """The run id, checked: its format, and that `who` may open it (ui/owners.py)."""
        with errors():
            return check_access(runner.store, run_id, who)

    def editable(run_id: Any, who: Caller) -> str:
        """The run id, checked: its format, that it exists, and that `who` owns it (only owners edit a scene)."""
        with errors():
            return check_edit_access(runner.store, run_id, who)

    def stream(snapshots: Iterator[dict[str, Any]], cancel: threading.Event) -> Iterator[dict[str, Any]]:
        try:
            with errors():
                yield from jobs.follow(snapshots, cancel)
        finally:
            cancel.set()  # the client went away or cancelled: stop the run too

    def scene_of(log: dict[str, Any]) -> str | None:
        return scene_file(data_dir, log["run_id"]) if log.get("run_id") and (log.get("result") or {}).get(
            "scene") else None

    def build(request: str, client: gr.Request = None) -> Iterator[tuple[Any, dict[str, Any]]]:
        """Build one walkable 3D scene (GLB) from a request by chaining Gradio Spaces; waits until it is done.

        An agent reads the request, calls a text-to-3D Space once per object (e.g. each landmark of a city)
        and a scene-assembly Space on all the results. A run takes seconds to minutes; for long runs use
        start_build and build_status instead.

        Args:
            request: what to build in plain words, at most 500 characters, e.g. "Build a 3D gallery of Paris landmarks"

        Returns:
            scene: the .glb file (a URL over MCP), or null if the run failed
            chain_log: JSON with run_id, request, model, events, result {scene, error, answer} and timings in s
            each space_call event in chain_log.events says which Space and endpoint made which asset
            (file names are relative to the run, e.g. "scene.glb", "assets/call-1_windmill.glb")
        """
        who = caller(client)
        cancel = threading.Event()
        log: dict[str, Any] = {}
        with admit(client, request):
            for log in stream(runner.run(request, cancel=cancel, headers=_user_headers(client), owner=who.key),
                              cancel):
                yield gr.skip(), public(log)
        yield scene_of(log), public(log)

    def start_build(request: str, client: gr.Request = None) -> dict[str, str]:
        """Start building a 3D scene (GLB) from a request in the background and return its run_id at once.

        Poll build_status with the run_id every few seconds until its status is "done" (then it also returns
        the scene file), "failed" or "cancelled". Keep the run_id: it is the key to the run.

        Args:
            request: what to build in plain words, at most 500 characters, e.g. "a gallery of a red lighthouse and a windmill"

        Returns:
            JSON {"run_id": "20261124-061502-3fa1c2e07b9d41a7", "status": "running"}
        """
        who = caller(client)
        ticket = admit(client, request)
        try:
            with errors():
                started = jobs.start(request, owner=who.key)
        except BaseException:
            ticket.release()
            raise
        ticket.hold_until(lambda: jobs.status(started["run_id"])["status"] != "running")
        return started

    def build_status(run_id: str, client: gr.Request = None) -> tuple[str | None, dict[str, Any]]:
        """Report on a run started with start_build (or build): its status, progress and, when done, the scene.

        Args:
            run_id: the run_id that start_build or build returned, e.g. "20261124-061502-3fa1c2e07b9d41a7"

        Returns:
            scene: the .glb file (a URL over MCP) once status is "done", else null
            report: JSON with run_id, status ("running", "done", "failed" or "cancelled"), error (null or why)
            report.progress: {space_calls_done, space_calls_running, current (tool and Space at work, or null), steps}
            report.log: the chain log so far; report.scene: "scene.glb" once done, else null
        """
        run_id = allowed(run_id, caller(client))
        with errors():
            report = jobs.status(run_id)
        return (scene_file(data_dir, run_id) if report["status"] == "done" else None), public(report)

    def cancel_build(run_id: str, client: gr.Request = None) -> dict[str, Any]:
        """Stop a run started with start_build; the files it made so far are kept and it can be resumed.

        Args:
            run_id: the run_id that start_build returned, e.g. "20261124-061502-3fa1c2e07b9d41a7"

        Returns:
            the run's report as build_status returns it; its status becomes "cancelled" within a second or two
        """
        run_id = allowed(run_id, caller(client))
        with errors():
            return public(jobs.cancel(run_id))

    def resume_build(run_id: str, client: gr.Request = None) -> Iterator[tuple[Any, dict[str, Any]]]:
        """Resume a failed or cancelled run: reuse the assets it already made, redo the rest, assemble the scene.

        Args:
            run_id: the run_id of the failed or cancelled run, e.g. "20261124-061502-3fa1c2e07b9d41a7"

        Returns:
            scene: the .glb file (a URL over MCP), or null if the run failed again
            chain_log: the chain log, as build returns it
        """
        who = caller(client)
        run_id = allowed(run_id, who)
        cancel = threading.Event()
        log: dict[str, Any] = {}
        with errors():
            snapshots = _resume_snapshots(runner, run_id, cancel, who.key)
        with admit(client):
            for log in stream(snapshots, cancel):
                yield gr.skip(), public(log)
        yield scene_of(log), public(log)

    def edit_scene(run_id: str, instruction: str, client: gr.Request = None) -> Iterator[tuple[Any, dict[str, Any]]]:
        """Change a scene you built with a follow-up in plain words; the result is a new version (a new run).

        Objects the follow-up does not change are reused, not made again: removing, moving or resizing costs
        only the assembly, a swap one asset call. The new run can be edited again. Follow-ups (English or French):
        add, remove, swap ("replace the obelisk with the Statue of Liberty"), resize ("make the Eiffel Tower twice
        as big", "smaller"), move ("put the Louvre Pyramid at the entrance", "next to the Eiffel Tower"), retitle
        ("call it Paris at night"), layout ("more space between them", "in a circle", "in a row"), recolour
        ("make the lighthouse blue").

        Args:
            run_id: the run_id of your scene that build, resume_build or edit_scene returned, e.g. "20261124-061502-3fa1c2e07b9d41a7"
            instruction: the change in plain words, at most 500 characters, e.g. "remove the obelisk"

        Returns:
            scene: the new version's .glb file (a URL over MCP), or null if the edit failed
            chain_log: the new run's chain log, as build returns it, plus "parent_run_id" (the run edited) and an
            "edit" event listing the changes and which objects were reused
        """
        who = caller(client)
        run_id = editable(run_id, who)
        cancel = threading.Event()
        log: dict[str, Any] = {}
        with admit(client, instruction, what="The follow-up"):
            for log in stream(runner.edit(run_id, instruction, cancel=cancel, headers=_user_headers(client),
                                          owner=who.key), cancel):
                yield gr.skip(), public(log)
        yield scene_of(log), public(log)

    # ---- UI-only handlers (private) ----------------------------------------------------------
    # None takes a path from the client: the run id comes from server-side state (gr.State) or is checked with
    # `allowed`, and every file is built from it (ui/public.py).

    def with_assets(snapshots: Iterator[dict[str, Any]], cancel: threading.Event):
        """UI updates per snapshot; the list of finished assets only when it grew (each arrives as it is made).

        Once the run is cancelled nothing more is sent: the Cancel handler's status line must stay.
        """
        shown: list[str] = []
        walked: str | None = None
        for log in snapshots:
            if cancel.is_set():
                return
            assets = _asset_files(log, data_dir, runner)
            update = assets if assets != shown else gr.skip()
            shown = assets
            seen = public(log)
            # The Walk view opens the scene as soon as the scene Space returns it, before the run is done.
            streamed = _streamed_scene(log, data_dir, runner)
            walk_update = gr.skip()
            if streamed and streamed != walked:
                walked = streamed
                walk_update = walk_value(walk, streamed, log.get("run_id"), log=seen)
            yield log_to_messages(seen), seen, status_line(seen), update, log.get("run_id"), walk_update

    def build_ui(request: str, base: str | None = None, browser: Any = None, client: gr.Request = None):
        """A build, or with a version shown (`base`, server-side state), a follow-up that edits it."""
        who = caller(client, browser)
        cancel = threading.Event()
        if base:
            parent = editable(base, who)
            with admit(client, request, what="The follow-up"):
                yield from with_assets(stream(runner.edit(parent, request, cancel=cancel,
                                                          headers=_user_headers(client), owner=who.key), cancel),
                                       cancel)
            return
        with admit(client, request):
            yield from with_assets(stream(runner.run(request, cancel=cancel, headers=_user_headers(client),
                                                     owner=who.key), cancel), cancel)

    def add_to_versions(run_id: str | None, request: str, versions: list | None, base: str | None,
                        browser: Any = None, client: gr.Request = None):
        """After a run: a run with a scene becomes the newest version and the base of the next follow-up."""
        if not run_id or scene_file(data_dir, allowed(run_id, caller(client, browser))) is None:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        versions = add_version(versions, run_id, request or "")
        return (versions, gr.update(choices=choices(versions), value=run_id, visible=True), run_id,
                gr.update(value="Send follow-up"))

    def show_version(run_id: str | None, versions: list | None, browser: Any = None, client: gr.Request = None):
        """Show one of this page's versions; it becomes the base of the next follow-up."""
        if not known(versions, run_id):
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        run_id = allowed(run_id, caller(client, browser))
        scene = scene_file(data_dir, run_id)
        note = f"Showing {label_of(versions, run_id)} (run `{run_id}`); a follow-up changes this version."
        return scene, scene, _public_chain(data_dir, run_id), run_id, run_id, note

    def undo(base: str | None, versions: list | None, browser: Any = None, client: gr.Request = None):
        back = previous(versions, base)
        if back is None:
            return (gr.skip(),) * 6 + ("Nothing to undo: this is the first version.",)
        scene, download, chain, base, current, note = show_version(back, versions, browser, client)
        return scene, download, chain, base, current, gr.update(value=back), note

    def new_scene():
        return ([], gr.update(choices=[], value=None, visible=False), None, gr.update(value="Build"), "",
                "Starting a new scene: describe it and press Build.")

    def resume_ui(run_id: str, browser: Any = None, client: gr.Request = None):
        who = caller(client, browser)
        run_id = allowed(run_id, who)
        cancel = threading.Event()
        with errors():
            snapshots = _resume_snapshots(runner, run_id, cancel, who.key)
        with admit(client):
            yield from with_assets(stream(snapshots, cancel), cancel)

    def show_scene(run_id: str | None, browser: Any = None, client: gr.Request = None):
        # A separate, non-streaming event: gr.Model3D stays blank when a generator fills it (Gradio 6.31).
        if not run_id:
            return None, None, None, gr.skip()
        run_id = allowed(run_id, caller(client, browser))
        with errors():
            report = jobs.status(run_id)
        scene = scene_file(data_dir, run_id) if report["status"] == "done" else None
        if scene is None:
            gr.Warning(public_text(report["error"] or "No scene was produced.", data_dir))
        return scene, scene, _public_chain(data_dir, run_id), run_id if scene is None else gr.skip()

    def walk_scene(run_id: str | None, browser: Any = None, client: gr.Request = None):
        if not run_id:
            return gr.skip()
        run_id = allowed(run_id, caller(client, browser))
        with errors():
            report = jobs.status(run_id)
        if report["status"] != "done":
            return gr.skip()
        return walk_value(walk, scene_file(data_dir, run_id), run_id, log=public(report["log"] or {}))

    def latest_model(run_id: str | None, shown: str | None, browser: Any = None, client: gr.Request = None):
        # A separate, non-streaming event: gr.Model3D stays blank when a generator fills it (Gradio 6.31). Each file
        # is sent once: read in Gradio 6.31's compiled Model3D, the same file given again before its renderer has
        # loaded cancels the load under way and starts none. A blank viewer was seen once in a loaded
        # browser test and never reproduced on demand, so this is a guard, not a measured fix.
        if not run_id:
            return gr.skip(), gr.skip()
        run_id = allowed(run_id, caller(client, browser))
        with errors():
            log = jobs.status(run_id)["log"]
        models = [f for f in _asset_files(log, data_dir, runner) if Path(f).suffix.lower() in MODEL_SUFFIXES]
        if not models or models[-1] == shown:
            return gr.skip(), gr.skip()
        return models[-1], models[-1]

    def cancel_ui(run_id: str | None, browser: Any = None, client: gr.Request = None):
        if not run_id:
            return "⏹️ Cancelled.", gr.skip()
        run_id = allowed(run_id, caller(client, browser))
        with contextlib.suppress(DioramaError):  # stop the run now, not when Gradio gets round to closing its event
            if jobs.cancel(run_id)["status"] == "done":
                return f"✅ Run `{run_id}` had already finished; its scene is kept.", gr.skip()
            # Answer once the run has stopped: an update the build had already sent then arrives before this line,
            # never after it (a loaded server could otherwise overwrite "Cancelled" with a late "Step 1").
            deadline = time.monotonic() + CANCEL_SETTLE_S
            while jobs.status(run_id)["status"] == "running" and time.monotonic() < deadline:
                time.sleep(0.05)
        return (f"⏹️ Cancelled run `{run_id}`; what it made is kept. Resume it under *Resume a run*.", run_id)

    def new_browser_id(value: Any):
        # The UI's owner identity (ui/owners.py): a random id this browser keeps in its localStorage.
        return gr.skip() if isinstance(value, str) and len(value) >= 32 else secrets.token_hex(16)

    with gr.Blocks(title=TITLE, fill_width=True) as demo:
        # Not a secret (Gradio sends it to the page): what makes a browser's runs its own is the random id inside.
        browser = gr.BrowserState(None, storage_key="diorama-owner", secret="diorama-owner-id")
        current = gr.State(None)  # the run id of this page's latest run: server-side, a client cannot set it
        base = gr.State(None)  # the version shown, which a follow-up edits (None: the next request builds anew)
        versions = gr.State([])  # this page's versions of the scene, oldest first (ui/versions.py)
        latest_shown = gr.State(None)  # the file the "Latest asset" viewer was last sent
        if oauth_available():
            gr.LoginButton()  # on a Space with hf_oauth: runs belong to the signed-in user (ui/owners.py)
        gr.Markdown(f"# 🏛️ Diorama\n{DESCRIPTION}", elem_id="title")
        gr.Markdown(banner(runner), elem_id="banner")
        with gr.Row(equal_height=False):
            with gr.Column(scale=2, min_width=300):
                request = gr.Textbox(label="Request", placeholder=EXAMPLES[0], lines=2, max_lines=6,
                                     elem_id="request")
                with gr.Row():
                    go = gr.Button("Build", variant="primary", elem_id="build", min_width=100)
                    stop = gr.Button("Cancel", variant="stop", elem_id="cancel", min_width=100)
                with gr.Row():
                    undo_button = gr.Button("Undo", elem_id="undo", size="sm", min_width=80)
                    fresh = gr.Button("New scene", elem_id="new-scene", size="sm", min_width=80)
                version_list = gr.Radio(label="Versions (click one to go back to it)", choices=[], visible=False,
                                        elem_id="versions")
                example_set = gr.Examples(EXAMPLES, inputs=[request], label="Examples")
                spaces_line = gr.Markdown("", elem_id="spaces-status")  # "Starting Spaces …" (ui/startup.py)
                status = gr.Markdown("", elem_id="status")
                chat = gr.Chatbot(label="Chain log", height=520, elem_id="chain-log", group_consecutive_messages=False)
            with gr.Column(scale=3, min_width=300):
                with gr.Tabs(elem_id="scene-views"):
                    with gr.Tab("Orbit", id="orbit"):
                        scene = gr.Model3D(label="Scene", height=560, clear_color=(0.93, 0.93, 0.95, 1.0),
                                           elem_id="scene")
                    with gr.Tab("Walk", id="walk", elem_id="walk-tab"):
                        walk = walk_view()  # first person through the same scene (ui/walk.py)
                with gr.Row():
                    download = gr.File(label="Download scene (GLB)", elem_id="download", min_width=160)
                    log_file = gr.File(label="Download chain log (JSON)", elem_id="log-file", min_width=160)
                with gr.Row(equal_height=False):
                    assets = gr.File(label="Assets so far (each appears as its Space returns it)",
                                     file_count="multiple", elem_id="assets", min_width=200,
                                     interactive=False)  # an output only, never an upload
                    latest = gr.Model3D(label="Latest asset", height=260, clear_color=(0.93, 0.93, 0.95, 1.0),
                                        elem_id="latest-asset", min_width=200)
                with gr.Accordion("Chain log (JSON)", open=False):
                    log_json = gr.JSON(label="Chain log", elem_id="log-json")
                with gr.Accordion("Resume a run", open=False, elem_id="resume-box"):
                    gr.Markdown("A failed or cancelled run keeps its assets; resuming redoes only what is missing.")
                    resume_id = gr.Textbox(label="Run id", placeholder="20261124-061502-3fa1c2e07b9d41a7",
                                           elem_id="resume-id")
                    again = gr.Button("Resume", elem_id="resume")
        demo.load(new_browser_id, [browser], [browser], api_visibility="private")
        wire_startup(runner, EXAMPLES, example_set, spaces_line, scene)  # pre-rendered examples, start-up status
        runs = []
        for trigger, handler, inputs, group in ((go.click, build_ui, [request, base], "build_ui"),
                                                (request.submit, build_ui, [request, base], "build_ui"),
                                                (again.click, resume_ui, [resume_id], "resume_ui")):
            run = trigger(handler, [*inputs, browser], [chat, log_json, status, assets, current, walk],
                          api_visibility="private", concurrency_limit=4, concurrency_id=group,
                          show_progress_on=[chat, log_json, status, assets])  # the Walk view stays usable
            shown = run.then(show_scene, [current, browser], [scene, download, log_file, resume_id],
                             api_visibility="private")
            shown.then(walk_scene, [current, browser], [walk], api_visibility="private", show_progress="hidden")
            if handler is build_ui:
                shown.then(add_to_versions, [current, request, versions, base, browser],
                           [versions, version_list, base, go], api_visibility="private", show_progress="hidden")
            runs.append(run)
        version_list.select(show_version, [version_list, versions, browser],
                            [scene, download, log_file, base, current, status], api_visibility="private",
                            concurrency_limit=None).then(walk_scene, [current, browser], [walk],
                                                         api_visibility="private", show_progress="hidden")
        undo_button.click(undo, [base, versions, browser],
                          [scene, download, log_file, base, current, version_list, status], api_visibility="private",
                          concurrency_limit=None).then(walk_scene, [current, browser], [walk],
                                                       api_visibility="private", show_progress="hidden")
        fresh.click(new_scene, None, [versions, version_list, base, go, request, status], api_visibility="private")
        assets.change(latest_model, [current, latest_shown, browser], [latest, latest_shown], api_visibility="private",
                      concurrency_limit=None, trigger_mode="always_last", show_progress="hidden")
        stop.click(cancel_ui, [current, browser], [status, resume_id], cancels=runs, api_visibility="private",
                   concurrency_limit=None)  # never queued behind builds

        # The API: hidden components, one event per endpoint (each its own function: MCP tool names).
        api_request, api_run_id = gr.Textbox(visible=False), gr.Textbox(visible=False)
        api_scene, api_log = gr.Model3D(visible=False, label="Scene"), gr.JSON(visible=False, label="Chain log")
        api_started, api_report = gr.JSON(visible=False, label="Run"), gr.JSON(visible=False, label="Status")
        api_file = gr.File(visible=False, label="Scene")
        api_request.submit(build, [api_request], [api_scene, api_log], api_name="build", concurrency_limit=4,
                           concurrency_id="build_api")
        api_request.submit(start_build, [api_request], [api_started], api_name="start", concurrency_limit=8,
                           concurrency_id="start_api")
        api_run_id.submit(build_status, [api_run_id], [api_file, api_report], api_name="status",
                          concurrency_limit=None, concurrency_id="status_api")
        api_run_id.submit(cancel_build, [api_run_id], [api_report], api_name="cancel", concurrency_limit=None,
                          concurrency_id="cancel_api")
        api_run_id.submit(resume_build, [api_run_id], [api_scene, api_log], api_name="resume", concurrency_limit=4,
                          concurrency_id="resume_api")
        api_instruction = gr.Textbox(visible=False)
        api_instruction.submit(edit_scene, [api_run_id, api_instruction], [api_scene, api_log], api_name="edit",
                               concurrency_limit=4, concurrency_id="edit_api")
        access = Access(caller=caller, allowed=allowed, admit=admit, browser=browser, errors=errors)
        history_tab(runner, access)  # the History tab (own Walk view), /history and /run (ui/history.py)
        tools_tab(runner, access)  # the Tools tab: what the agent sees, health, try a tool (ui/tools_tab.py)
    return demo


def _public_chain(data_dir: Path, run_id: str) -> str | None:
    """The run's chain log for download, with its paths run-relative: `<run folder>/public/chain.json`."""
    paths = RunPaths.of(data_dir, run_id)
    log = read_chain(paths)
    if log is None:
        return None
    target = paths.public_chain
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(public_log(log, data_dir), ensure_ascii=False, indent=2), encoding="utf-8")
    return str(target)


def _asset_files(log: dict[str, Any], data_dir: Path, runner: ChainRunner) -> list[str]:
    """Files the run's asset tools (not the scene tool) have returned so far, as paths in its run folder."""
    scene_tools = {t.name for t in runner.settings.tools if t.capability == "scene_assembly"}
    run_id = log.get("run_id")
    if not run_id:
        return []
    files = []
    for event in ChainLog.view(log).assets(scene_tools):
        files += [f for v in output_values(event) if isinstance(v, str) and v.startswith("assets/")
                  and (f := run_file(data_dir, run_id, v))]
    return files


def _streamed_scene(log: dict[str, Any], data_dir: Path, runner: ChainRunner) -> str | None:
    """The scene file the run's scene tool returned last (in its run folder), or None before it has answered."""
    scene_tools = {t.name for t in runner.settings.tools if t.capability == "scene_assembly"}
    run_id = log.get("run_id")
    calls = ChainLog.view(log).calls(tool=scene_tools, status="ok") if run_id else []
    for value in output_values(calls[-1]) if calls else []:
        if isinstance(value, str) and value.lower().endswith(".glb"):
            return run_file(data_dir, run_id, value)
    return None


def _user_headers(client: gr.Request | None) -> dict[str, str]:
    """The end user's headers Diorama forwards to Hub Spaces: x-ip-token, so ZeroGPU bills the user's quota."""
    token = client.headers.get("x-ip-token") if client is not None and client.headers is not None else None
    return {"x-ip-token": token} if token else {}


def launch_kwargs(runner: ChainRunner) -> dict[str, Any]:
    """Arguments for `demo.launch`: serve the run folders only, cap uploads, look right on a Space card; warm up
    the Spaces meanwhile.

    Only `<data_dir>/runs` (and the Walk view's static JS, `ui/static`) is an allowed path (what runs made: scenes, assets, chain logs, journals); the rest of
    the data folder (the SQLite store, the result cache, downloads, recipes) and the config file are blocked, so
    Gradio serves them neither by URL nor as a handler's output, even if the data folder is under the working
    directory.
    """
    threading.Thread(target=_warm_up, args=(runner,), daemon=True, name="warm-up").start()
    data_dir = Path(runner.settings.data_dir).resolve()
    blocked = [data_dir / name for name in (STORE_FILE, f"{STORE_FILE}-wal", f"{STORE_FILE}-shm", f"{STORE_FILE}-journal",
                                            "cache", "downloads", "recipes")]
    return {"allowed_paths": [str(runs_dir(data_dir)), str(WALK_STATIC_DIR)],  # runs, and the Walk view's JS
            "blocked_paths": [str(p) for p in (*blocked, Path(runner.settings.config_path).resolve())],
            "max_file_size": MAX_UPLOAD, "show_error": False, "favicon_path": str(FAVICON),
            "css": _CSS, "head": f'<meta name="description" content="{DESCRIPTION}">'}


def _warm_up(runner: ChainRunner) -> None:
    try:
        runner.warm_up()
    except DioramaError as exc:
        logger.warning("bundled Spaces did not start: %s", exc)
    if runner.settings.prerender_examples:  # so a click on an example shows its scene at once
        example_scenes(runner, EXAMPLES).render_in_background()
