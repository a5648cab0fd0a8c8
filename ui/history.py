"""The History tab and the /history and /run API endpoints (past runs from the run store), plus recipes in the UI.

The API handlers are `run_history` and `run_details` (MCP tool names); their docstrings are written for agents.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import gradio as gr

from agent.events import log_to_messages
from agent.journal import check_run_id
from agent.recipes import RecipeModel, list_recipes, load_recipe, recipe_from_log, save_recipe
from agent.runner import ChainRunner
from tools.errors import InvalidInputError

_COLUMNS = ["run id", "request", "when", "status", "objects", "calls", "seconds"]


def history(runner: ChainRunner, limit: Any = 20) -> list[dict[str, Any]]:
    """The newest runs: run_id, request, status, started_at, scene, stats, recipe."""
    try:
        limit = int(limit)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"limit must be a whole number of runs, 1-500, got {limit!r}.") from exc
    if not 1 <= limit <= 500:
        raise InvalidInputError(f"limit must be a whole number of runs, 1-500, got {limit}.")
    return [{"run_id": r["run_id"], "request": r["request"], "status": r["status"], "started_at": r["started_at"],
             "finished_at": r["finished_at"], "scene": None if r["pruned"] else r["scene"], "recipe": r["recipe"],
             "pruned": r["pruned"], "stats": {"objects": r["objects"], "space_calls": r["space_calls"],
                                              "steps": r["steps"], "seconds": r["seconds"], "cost": r["cost"]}}
            for r in runner.store.recent(limit)]


def details(runner: ChainRunner, run_id: Any) -> tuple[str | None, dict[str, Any]]:
    """(scene file or None, {"run": stored record with its calls, "log": chain log or None}) of one run.

    Raises:
        InvalidInputError: not a run id, or no such run.
    """
    text = check_run_id(run_id)
    record = runner.store.run(text)
    chain = Path(runner.settings.data_dir) / "runs" / text / "chain.json"
    log = json.loads(chain.read_text(encoding="utf-8")) if chain.is_file() else None
    if record is None and log is None:
        raise InvalidInputError(f"No run {text} in the history; /history lists the known runs.")
    scene = (log or {}).get("result", {}).get("scene") or (record or {}).get("scene")
    scene = scene if scene and Path(scene).is_file() else None
    return scene, {"run": record, "log": log}


def history_tab(runner: ChainRunner) -> None:
    """The History tab and the /history and /run endpoints; call inside the app's `gr.Blocks`."""

    def run_history(limit: float = 20) -> list[dict[str, Any]]:
        """List recent Diorama runs, newest first, from the persistent history (survives restarts).

        Args:
            limit: how many runs to list, 1-500, e.g. 20

        Returns:
            JSON list of {run_id, request, status ("running", "ok", "error" or "cancelled"), started_at,
            finished_at, scene (server file or null; null once the run folder was pruned), recipe (name if the run
            replayed a recipe), stats {objects, space_calls, steps, seconds, cost}}
        """
        with _errors():
            return history(runner, limit)

    def run_details(run_id: str) -> tuple[str | None, dict[str, Any]]:
        """Fetch one past run: its scene file, its stored record (every Space call) and its chain log.

        Args:
            run_id: a run_id from run_history, build or start_build, e.g. "20261124-061502-3fa1c2e07b9d41a"

        Returns:
            scene: the .glb file, or null if the run made none or its folder was pruned
            record: JSON {"run": {run_id, request, status, ..., calls: [{tool, space, endpoint, status, attempt,
            duration_s, error, cached, replayed}]}, "log": the chain log or null}
        """
        with _errors():
            return details(runner, run_id)

    def table():
        rows = [[r["run_id"], r["request"], (r["started_at"] or "")[:19].replace("T", " "), r["status"],
                 r["stats"]["objects"], r["stats"]["space_calls"], r["stats"]["seconds"]]
                for r in history(runner, 100)]
        return rows, gr.update(choices=list_recipes(runner.settings.data_dir))

    def select(evt: gr.SelectData):
        run_id = str((evt.row_value or [""])[0])
        with _errors():
            scene, record = details(runner, run_id)
        log = record["log"] or {"request": record["run"]["request"], "events": []}
        return scene, log_to_messages(log), record, run_id

    def save(run_id: str, name: str):
        with _errors():
            _, record = details(runner, run_id)
            if not record["log"]:
                raise InvalidInputError(f"Run {run_id} has no chain log to save as a recipe.")
            recipe = recipe_from_log(record["log"], name, scene_tools=[
                t.name for t in runner.settings.tools if t.capability == "scene_assembly"])
            _, script = save_recipe(recipe, runner.settings.data_dir, spaces=runner.registry.sources())
        gr.Info(f"Saved recipe {recipe.name}; script: {script}")
        return gr.update(choices=list_recipes(runner.settings.data_dir), value=recipe.name)

    def replay(request: str, name: str):
        with _errors():
            model = RecipeModel(load_recipe(runner.settings.data_dir, name), max_objects=runner.settings.max_objects)
            snapshots = runner.run(request, cancel=threading.Event(), model=model)
        log: dict[str, Any] = {}
        for log in snapshots:
            yield log_to_messages(log), log, log.get("run_id", "")

    def show_scene(record: dict[str, Any] | None):
        # non-streaming, like the Build tab: gr.Model3D stays blank when a generator fills it (Gradio 6.31)
        log = (record or {}).get("log", record) or {}
        return (log.get("result") or {}).get("scene")

    with gr.Tab("History", elem_id="history-tab") as tab:
        refresh = gr.Button("Refresh", elem_id="history-refresh", size="sm")
        runs = gr.Dataframe(headers=_COLUMNS, interactive=False, elem_id="history-table", wrap=True)
        with gr.Row(equal_height=False):
            chat = gr.Chatbot(label="Chain log of the selected run", height=420, elem_id="history-log")
            scene = gr.Model3D(label="Scene of the selected run", height=420, elem_id="history-scene")
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
        for trigger in (tab.select, refresh.click):
            trigger(table, None, [runs, recipe], api_visibility="private")
        runs.select(select, None, [scene, chat, record, selected], api_visibility="private")
        keep.click(save, [selected, name], [recipe], api_visibility="private")
        go.click(replay, [request, recipe], [chat, record, selected], api_visibility="private",
                 concurrency_limit=4, concurrency_id="recipe_ui").then(
            show_scene, [record], [scene], api_visibility="private")

        api_limit, api_run = gr.Number(visible=False, value=20), gr.Textbox(visible=False)
        api_list, api_record = gr.JSON(visible=False, label="History"), gr.JSON(visible=False, label="Run")
        api_file = gr.File(visible=False, label="Scene")
        api_limit.submit(run_history, [api_limit], [api_list], api_name="history", concurrency_limit=None,
                         concurrency_id="history_api")
        api_run.submit(run_details, [api_run], [api_file, api_record], api_name="run", concurrency_limit=None,
                       concurrency_id="run_api")


class _errors:
    """DioramaError -> gr.Error with its message (the rest is handled by Gradio's own error path)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> bool:
        from tools.errors import DioramaError

        if isinstance(exc, DioramaError):
            raise gr.Error(str(exc)) from exc
        return False
