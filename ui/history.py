"""The History tab and the /history and /run API endpoints (past runs from the run store), plus recipes in the UI.

The API handlers are `run_history` and `run_details` (MCP tool names); their docstrings are written for agents.
Every list and run is checked against the caller (ui/owners.py); no answer holds a server path (ui/public.py).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import gradio as gr

from agent.events import log_to_messages
from agent.run import RunPaths, check_run_id, read_chain
from agent.recipes import RecipeModel, list_recipes, load_recipe, recipe_from_log, save_recipe
from agent.runner import ChainRunner
from tools.errors import InvalidInputError
from ui.limits import check_text
from ui.owners import Access, Caller
from ui.public import public_log, public_text, public_value, scene_file
from ui.walk import walk_value, walk_view

_COLUMNS = ["run id", "request", "when", "status", "objects", "calls", "seconds"]


def history(runner: ChainRunner, limit: Any = 20, *, caller: Caller) -> list[dict[str, Any]]:
    """The caller's newest runs (every run for an admin): run_id, request, status, started_at, scene, stats, recipe.

    Scenes are named relative to their run ("scene.glb"); nothing in the answer is a server path.
    """
    try:
        limit = int(limit)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"limit must be a whole number of runs, 1-500, got {str(limit)[:40]!r}.") from exc
    if not 1 <= limit <= 500:
        raise InvalidInputError(f"limit must be a whole number of runs, 1-500, got {limit}.")
    data_dir = Path(runner.settings.data_dir)
    rows = runner.store.recent(limit, owner=None if caller.admin else caller.key)
    return [public_value({
        "run_id": r["run_id"], "request": r["request"], "status": r["status"], "started_at": r["started_at"],
        "finished_at": r["finished_at"], "scene": None if r["pruned"] else r["scene"], "recipe": r["recipe"],
        "parent_run_id": r.get("parent"),
        "pruned": r["pruned"], "stats": {"objects": r["objects"], "space_calls": r["space_calls"],
                                         "steps": r["steps"], "seconds": r["seconds"], "cost": r["cost"]}},
        data_dir, run_id=r["run_id"]) for r in rows]


def under_parents(runs: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
    """Runs newest first, each edit right under the run it changed: (run, depth), depth 1 for an edit of a build."""
    ids = {r["run_id"] for r in runs}
    children: dict[str, list[dict[str, Any]]] = {}
    for r in runs:
        if r.get("parent_run_id") in ids:
            children.setdefault(r["parent_run_id"], []).append(r)
    out: list[tuple[dict[str, Any], int]] = []

    def visit(run: dict[str, Any], depth: int) -> None:
        out.append((run, depth))
        for child in reversed(children.get(run["run_id"], [])):  # oldest edit first, under its parent
            visit(child, depth + 1)

    for r in runs:
        if r.get("parent_run_id") not in ids:
            visit(r, 0)
    return out


def details(runner: ChainRunner, run_id: str) -> tuple[str | None, dict[str, Any]]:
    """(scene file or None, {"run": stored record with its calls, "log": chain log or None}) of one run.

    `run_id` must already be checked against the caller (`ui.owners.check_access`). The scene is the run
    folder's own scene.glb; the JSON has no server paths and no owner.

    Raises:
        InvalidInputError: not a run id, or no such run.
    """
    text = check_run_id(run_id)
    data_dir = Path(runner.settings.data_dir)
    record = runner.store.run(text)
    log = read_chain(RunPaths(data_dir, text))
    if record is None and log is None:
        raise InvalidInputError(f"No run {text} in the history; /history lists your runs.")
    if record is not None:
        record = {k: v for k, v in record.items() if k != "owner"}
    return scene_file(data_dir, text), public_value({"run": record, "log": log}, data_dir, run_id=text)


def history_tab(runner: ChainRunner, access: Access) -> None:
    """The History tab and the /history and /run endpoints; call inside the app's `gr.Blocks`.

    `access` (from `ui.blocks.build_demo`) says who calls, which runs they may open, and admits replays like builds.
    """
    data_dir = Path(runner.settings.data_dir)

    def run_history(limit: float = 20, request: gr.Request = None) -> list[dict[str, Any]]:
        """List your recent Diorama runs, newest first, from the persistent history (survives restarts).

        Only runs you started are listed: yours are those of your Hugging Face account when signed in, else of
        your API client (its Gradio session, or the secret you send in the x-diorama-owner header).

        Args:
            limit: how many runs to list, 1-500, e.g. 20

        Returns:
            JSON list of {run_id, request, status ("running", "ok", "error" or "cancelled"), started_at,
            finished_at, parent_run_id (the run an edit changed, else null), scene ("scene.glb" or null; null once the run folder was pruned), recipe (name if the run
            replayed a recipe), stats {objects, space_calls, steps, seconds, cost}}
        """
        who = access.caller(request)
        with access.errors():
            return history(runner, limit, caller=who)

    def run_details(run_id: str, request: gr.Request = None) -> tuple[str | None, dict[str, Any]]:
        """Fetch one past run: its scene file, its stored record (every Space call) and its chain log.

        Args:
            run_id: a run_id from run_history, build or start_build, e.g. "20261124-061502-3fa1c2e07b9d41a7"

        Returns:
            scene: the .glb file, or null if the run made none or its folder was pruned
            record: JSON {"run": {run_id, request, status, ..., calls: [{tool, space, endpoint, status, attempt,
            duration_s, error, cached, replayed}]}, "log": the chain log or null}
        """
        run_id = access.allowed(run_id, access.caller(request))
        with access.errors():
            return details(runner, run_id)

    def table(browser: Any = None, request: gr.Request = None):
        who = access.caller(request, browser)
        with access.errors():
            rows = [[r["run_id"], ("↳ " * depth) + r["request"], (r["started_at"] or "")[:19].replace("T", " "),
                     r["status"], r["stats"]["objects"], r["stats"]["space_calls"], r["stats"]["seconds"]]
                    for r, depth in under_parents(history(runner, 100, caller=who))]
        return rows, gr.update(choices=list_recipes(data_dir))

    def select(evt: gr.SelectData, browser: Any = None, request: gr.Request = None):
        run_id = access.allowed(str((evt.row_value or [""])[0]), access.caller(request, browser))
        with access.errors():
            scene, record = details(runner, run_id)
        log = record["log"] or {"request": record["run"]["request"], "events": []}
        return scene, log_to_messages(log), record, run_id, walk_value(walk, scene, run_id, log=record["log"])

    def save(run_id: str, name: str, browser: Any = None, request: gr.Request = None):
        run_id = access.allowed(run_id, access.caller(request, browser))
        with access.errors():
            check_text(name, what="The recipe name")
            _, record = details(runner, run_id)
            if not record["log"]:
                raise InvalidInputError(f"Run {run_id} has no chain log to save as a recipe.")
            recipe = recipe_from_log(record["log"], name, scene_tools=[
                t.name for t in runner.settings.tools if t.capability == "scene_assembly"])
            _, script = save_recipe(recipe, data_dir, spaces=runner.registry.sources())
        gr.Info(public_text(f"Saved recipe {recipe.name}; script: {script}", data_dir))
        return gr.update(choices=list_recipes(data_dir), value=recipe.name)

    def replay(text: str, name: str, browser: Any = None, request: gr.Request = None):
        who = access.caller(request, browser)
        # the same checks and per-client limits as a build, before any run folder is made
        with access.admit(request, text), access.errors():
            model = RecipeModel(load_recipe(data_dir, name), max_objects=runner.settings.max_objects)
            for log in runner.run(text, cancel=threading.Event(), model=model, owner=who.key):
                seen = public_log(log, data_dir)
                yield log_to_messages(seen), seen, log.get("run_id", ""), log.get("run_id")

    def show_scene(run_id: str | None, browser: Any = None, request: gr.Request = None):
        # non-streaming, like the Build tab: gr.Model3D stays blank when a generator fills it (Gradio 6.31)
        if not run_id:
            return None, gr.skip()
        run_id = access.allowed(run_id, access.caller(request, browser))
        with access.errors():
            scene, record = details(runner, run_id)
        return scene, walk_value(walk, scene, run_id, log=record["log"])

    with gr.Tab("History", elem_id="history-tab") as tab:
        current = gr.State(None)  # the replayed run's id: server-side, a client cannot set it
        refresh = gr.Button("Refresh", elem_id="history-refresh", size="sm")
        runs = gr.Dataframe(headers=_COLUMNS, interactive=False, elem_id="history-table", wrap=True)
        with gr.Row(equal_height=False):
            chat = gr.Chatbot(label="Chain log of the selected run", height=420, elem_id="history-log")
            with gr.Tabs(elem_id="history-views"):
                with gr.Tab("Orbit", id="history-orbit"):
                    scene = gr.Model3D(label="Scene of the selected run", height=420, elem_id="history-scene")
                with gr.Tab("Walk", id="history-walk", elem_id="history-walk-tab"):
                    walk = walk_view("diorama-walk-history")  # first person through the selected run (ui/walk.py)
        record = gr.JSON(label="Record", visible=False)
        selected = gr.Textbox(label="Selected run", interactive=False, elem_id="history-run-id")
        with gr.Accordion("Recipes: replay a chain for new subjects, with no LLM calls", open=False):
            with gr.Row():
                name = gr.Textbox(label="Recipe name", placeholder="city-landmarks", elem_id="recipe-name")
                keep = gr.Button("Save the selected run as a recipe", elem_id="recipe-save")
            with gr.Row():
                recipe = gr.Dropdown(label="Recipe", choices=[], elem_id="recipe-pick")
                request = gr.Textbox(label="Request", placeholder="Build a 3D gallery of Rome landmarks",
                                     elem_id="recipe-request")
                go = gr.Button("Replay (no LLM)", elem_id="recipe-replay")
            gr.Markdown("A plain Build plans afresh; a replay reuses the recipe's chain for the new subjects.")
        browser = access.browser
        for trigger in (tab.select, refresh.click):
            trigger(table, [browser], [runs, recipe], api_visibility="private")
        runs.select(select, [browser], [scene, chat, record, selected, walk], api_visibility="private")
        keep.click(save, [selected, name, browser], [recipe], api_visibility="private")
        go.click(replay, [request, recipe, browser], [chat, record, selected, current], api_visibility="private",
                 concurrency_limit=4, concurrency_id="recipe_ui").then(
            show_scene, [current, browser], [scene, walk], api_visibility="private")

        api_limit, api_run = gr.Number(visible=False, value=20), gr.Textbox(visible=False)
        api_list, api_record = gr.JSON(visible=False, label="History"), gr.JSON(visible=False, label="Run")
        api_file = gr.File(visible=False, label="Scene")
        api_limit.submit(run_history, [api_limit], [api_list], api_name="history", concurrency_limit=None,
                         concurrency_id="history_api")
        api_run.submit(run_details, [api_run], [api_file, api_record], api_name="run", concurrency_limit=None,
                       concurrency_id="run_api")
