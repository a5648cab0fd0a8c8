"""The headless run: `python app.py --prompt ... --out scene.glb --log chain.json`; also --history and recipes."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from agent.config import Settings
from agent.confine import WorkerLimits
from agent.events import progress_line
from agent.journal import existing_run
from agent.run import read_chain
from agent.run_log import ChainLog
from agent.store import Store
from agent.worker_pool import Worker
from tools import companions
from tools.cache import holds_nothing
from tools.errors import DioramaError, InvalidInputError, SandboxUnavailableError

if TYPE_CHECKING:  # imported when a run starts (smolagents and the clients take about a second)
    from agent.runner import ChainRunner


def run_headless(settings: Settings, prompt: str | None, *, out: Path | None, log_path: Path | None,
                 resume: str | None = None, recipe: str | None = None, save_recipe: str | None = None,
                 stream: TextIO = sys.stdout, edit: tuple[str, str] | None = None) -> int:
    """Run one request (or resume a run, or edit one), print a progress line per step and Space call, write the scene
    and log.

    Args:
        edit: (run id, follow-up): change that run's scene as a new run, e.g. ("2026...", "remove the obelisk").
        recipe: replay this saved recipe for the request's subjects (no LLM) instead of planning.
        save_recipe: after a successful run, save it as a recipe under this name.

    Returns:
        0 when a scene was written, 1 when the run failed, 2 for a bad request.
    """
    progress = _start_printer(stream)
    companions.add_observer(progress)
    earlier = len(companions.start_failures())
    try:
        worker = head_start(settings)
        from agent.runner import ChainRunner

        runner = ChainRunner(settings)
        if worker is not None:
            runner.workers.adopt(worker)
        code = _run_headless(runner, settings, prompt, out=out, log_path=log_path, resume=resume, recipe=recipe,
                             save_recipe=save_recipe, stream=stream, edit=edit)
        failed_start = companions.start_failures()[earlier:]
        if code == 1 and failed_start:  # the one line that says what did not start, not the run's restatement
            print(f"diorama: {' '.join(str(failed_start[0]).split())}", file=sys.stderr)
        return code
    finally:
        companions.remove_observer(progress)


def head_start(settings: Settings) -> Worker | None:
    """What every headless run needs, started before the rest of Diorama is imported: the worker process for the
    agent's code, and, when the result cache holds nothing (so every call will be made), the bundled Spaces the
    configured tools use. Both overlap the second of imports and planning that follows instead of waiting for it.

    Returns:
        The started worker, for `WorkerPool.adopt`; None when none could start (the run says why when it needs one).
    """
    bundled = list(dict.fromkeys(p.local_name for t in settings.tools for p in t.providers if p.local_name))
    if bundled and (not settings.cache_enabled or holds_nothing(settings.data_dir / "cache")):
        companions.default_fleet().prestart(bundled)
    try:
        return Worker(WorkerLimits(memory_bytes=settings.sandbox_memory_mb << 20, cpu_s=settings.sandbox_cpu_s))
    except SandboxUnavailableError:
        return None


def _run_headless(runner: ChainRunner, settings: Settings, prompt: str | None, *, out: Path | None,
                  log_path: Path | None, resume: str | None, recipe: str | None, save_recipe: str | None,
                  stream: TextIO, edit: tuple[str, str] | None = None) -> int:
    from agent.recipes import RecipeModel, check_name, load_recipe

    failures_before = len(companions.start_failures())
    model = None
    try:
        if recipe:
            model = RecipeModel(load_recipe(settings.data_dir, recipe), max_objects=settings.max_objects)
        if save_recipe:
            check_name(save_recipe)
    except DioramaError as exc:
        print(f"diorama: {exc}", file=sys.stderr)
        return 2
    info = runner.model_info()
    if model is not None:
        print(f"[recipe] replayed recipe {recipe}: 0 LLM calls", file=stream, flush=True)
    else:
        print(f"[diorama] model: {info['provider']} ({info['id']})", file=stream, flush=True)
    printed: set[tuple[str | None, str]] = set()
    final: dict = {}
    try:
        snapshots = runner.edit(*edit) if edit else runner.resume(resume) if resume else \
            runner.run(prompt or "", model=model)
        for final in snapshots:
            if final["events"] and final["events"][0].get("resumed") and (resume, "resumed") not in printed:
                printed.add((resume, "resumed"))
                print(f"[resume] run {resume}: {final['events'][0]['replayable_calls']} finished call(s) "
                      "will be replayed, not repeated", file=stream, flush=True)
            for event in sorted(final["events"], key=lambda e: e.get("at", "")):  # in the order they finished
                line = progress_line(event)
                key = (str(event.get("id") or event.get("type")), line or "")
                if line and key not in printed:
                    printed.add(key)
                    print(line, file=stream, flush=True)
    except DioramaError as exc:
        print(f"diorama: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("diorama: interrupted; files made so far are kept in the run folder.", file=sys.stderr)
        return 130
    result = final.get("result", {})
    timings = final.get("timings", {})
    try:
        if log_path is not None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log_path.write_text(json.dumps(final, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        target = out or Path(f"{final.get('run_id')}.glb")
        if result.get("scene"):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(result["scene"], target)
    except OSError as exc:  # the run is done and kept: only the copy out of its folder failed
        kept = Path(result["scene"]).parent if result.get("scene") else "its run folder"
        print(f"diorama: could not write {exc.filename or 'an output file'} ({exc.strerror or exc}); the run "
              f"{final.get('run_id')} and its chain log are kept in {kept}. Pick another --out/--log path.",
              file=sys.stderr)
        return 1
    if result.get("scene"):
        if result.get("answer"):
            print(f"[answer] {result['answer']}", file=stream)
        print(f"[cost] {_cost_summary(final.get('cost', {}))}", file=stream)
        print(f"[done] scene: {target}  ({_timing_summary(timings)})", file=stream, flush=True)
        if save_recipe:
            return _save(runner, final, save_recipe, stream)
        return 0
    if len(companions.start_failures()) > failures_before:
        return 1  # run_headless prints the one line naming the Space that did not start
    reason = " ".join(str(result.get("error") or "no scene was produced").split())
    finished = ChainLog.view(final).calls(status="ok")
    hint = f" Resume with: python app.py --resume {final['run_id']}" if finished else ""
    print(f"diorama: {reason}{hint}", file=sys.stderr)
    return 1


def stop_companions(settings: Settings, *, stream: TextIO = sys.stdout) -> int:
    """`--stop-companions`: stop the bundled Spaces shared through this data folder now; exit 0."""
    stopped = companions.Fleet(settings.companions_dir).stop()
    print(f"[spaces] stopped {', '.join(stopped) if stopped else 'nothing (no bundled Space was running)'}",
          file=stream, flush=True)
    return 0


def _start_printer(stream: TextIO):
    """An observer of `tools.companions` starts that prints "[start] starting text_to_3d … 12 s" lines."""
    shown: dict[str, float] = {}

    def show(progress: companions.StartProgress) -> None:
        if progress.state == "ready":
            line = f"[start] {progress.name} ready in {progress.elapsed_s:.1f} s"
        elif progress.state == "failed":
            line = f"[start] {progress.name} did not start ({progress.elapsed_s:.0f} s)"
        elif progress.name not in shown:
            line = f"[start] starting {progress.name} …"
        elif progress.elapsed_s - shown[progress.name] >= 5:
            line = f"[start] starting {progress.name} … {progress.elapsed_s:.0f} s"
        else:
            return
        shown[progress.name] = progress.elapsed_s
        print(line, file=stream, flush=True)

    return show


def print_history(settings: Settings, limit: int, *, stream: TextIO = sys.stdout) -> int:
    """Print the newest runs, one JSON object a line (run_id, request, status, started_at, scene, stats); exit 0."""
    for run in Store.in_data_dir(settings.data_dir).recent(limit):
        print(json.dumps({"run_id": run["run_id"], "request": run["request"], "status": run["status"],
                          "started_at": run["started_at"], "scene": run["scene"], "objects": run["objects"],
                          "space_calls": run["space_calls"], "seconds": run["seconds"], "pruned": run["pruned"],
                          "recipe": run["recipe"]}, ensure_ascii=False), file=stream)
    return 0


def save_recipe_from_run(settings: Settings, name: str, run_id: str, *, stream: TextIO = sys.stdout) -> int:
    """`--save-recipe NAME --from-run RUN_ID`: save a past run (its folder's chain.json) as a recipe."""
    try:
        log = read_chain(existing_run(settings.data_dir, run_id))
        if log is None:
            raise InvalidInputError(f"Run {run_id} has no chain.json (it never finished); save a finished run.")
        from agent.runner import ChainRunner

        return _save(ChainRunner(settings), log, name, stream)
    except DioramaError as exc:
        print(f"diorama: {exc}", file=sys.stderr)
        return 2


def _save(runner: ChainRunner, log: dict, name: str, stream: TextIO) -> int:
    from agent.recipes import recipe_from_log, save_recipe

    try:
        recipe = recipe_from_log(log, name, scene_tools=[t.name for t in runner.settings.tools
                                                         if t.capability == "scene_assembly"])
        json_path, script = save_recipe(recipe, runner.settings.data_dir, spaces=runner.registry.sources())
    except DioramaError as exc:
        print(f"diorama: {exc}", file=sys.stderr)
        return 2
    print(f"[recipe] saved {name}: {json_path} and {script} (replay: python app.py --prompt \"...\" "
          f"--recipe {name})", file=stream, flush=True)
    return 0


def _timing_summary(timings: dict) -> str:
    keys = ("startup_s", "agent_s", "space_calls_s", "assembly_s", "total_s")
    return ", ".join(f"{k.removesuffix('_s')} {timings.get(k, 0):.2f} s" for k in keys)


def _cost_summary(cost: dict) -> str:
    return (f"{cost.get('space_calls', 0)} Space calls, {cost.get('space_seconds', 0):.1f} Space-seconds, "
            f"{cost.get('llm_tokens', 0)} LLM tokens, ${cost.get('estimated_cost_usd', 0):.4f} estimated")


def call_endpoint(settings: Settings, source: str, endpoint: str, args_text: str, *,
                  stream: TextIO = sys.stdout) -> int:
    """`--call SPACE_OR_URL ENDPOINT --args JSON`: call one endpoint as a Diorama tool and print its result as JSON.

    The arguments go through the same checks as the agent's (`tools.validate`), so a bad one is refused before
    any request. File outputs are copied into a new folder and printed as its local paths; relative input paths
    are taken from the current directory.

    Returns:
        0 with the result on `stream`; 1 when the Space cannot be reached, does not have the endpoint or rejects
        the input (one line on stderr); 2 when the arguments do not fit the schema (one line naming the
        argument; nothing was sent).
    """
    import tempfile

    from agent.config import ToolConfig
    from tools.registry import Registry
    from tools.space_tool import CallContext

    try:
        arguments = json.loads(args_text or "{}")
    except json.JSONDecodeError as exc:
        print(f"diorama --call: --args is not valid JSON ({exc.msg} at character {exc.pos}); give an object such as "
              "'{\"prompt\": \"a red box\"}'.", file=sys.stderr)
        return 2
    if not isinstance(arguments, dict):
        print(f"diorama --call: --args must be a JSON object of argument names to values, got "
              f"{type(arguments).__name__}.", file=sys.stderr)
        return 2
    for key, value in arguments.items():  # a relative path names a file of the current directory
        if isinstance(value, str) and value and not Path(value).is_absolute() and Path(value).is_file():
            arguments[key] = str(Path(value).resolve())
    run_dir = Path(tempfile.mkdtemp(prefix="diorama-call-"))
    registry = Registry((ToolConfig(name="call", space=source, endpoint=endpoint),),
                        connect_timeout_s=settings.connect_timeout_s, hf_token=settings.hf_token)
    loaded = registry.load(CallContext(run_dir=run_dir, emit=lambda event: None,
                                       call_timeout_s=settings.call_timeout_s, attempts=1))
    try:
        if "call" not in loaded.tools:
            print(f"diorama --call: {' '.join(loaded.failed.get('call', 'the tool could not be built').split())}",
                  file=sys.stderr)
            return 1
        try:
            result = loaded.tools["call"](**arguments)
        except InvalidInputError as exc:
            print(f"diorama --call: {' '.join(str(exc).split())}", file=sys.stderr)
            return 2
        except DioramaError as exc:
            print(f"diorama --call: {' '.join(str(exc).split())}", file=sys.stderr)
            return 1
    finally:
        loaded.close()
    json.dump(result, stream, indent=2, ensure_ascii=False, default=str)
    stream.write("\n")
    return 0
