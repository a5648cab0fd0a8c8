"""Run one request end to end: load the tools, drive the CodeAgent, stream the chain log, keep the scene."""

from __future__ import annotations

import datetime as dt
import logging
import queue
import shutil
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from smolagents import Model
from smolagents.memory import ActionStep, FinalAnswerStep
from smolagents.utils import AgentError, AgentParsingError

from agent.config import Settings
from agent.run import Run, RunPaths, new_run_id, runs_dir
from agent.events import answer_text
from agent.run_log import ChainLog, utc_now
from agent.gazetteer import Subjects
from agent.llm_fallback import GuardedModel, account, failed_step, model_subjects, rescue_reason
from agent.llm_stream import StreamingChatModel
from agent.models import ObservedModel, build_llm, effective_provider, model_info
from agent.broker import InProcessExecutor, WorkerExecutor, WorkerPool
from agent.confine import WorkerLimits
from agent.factory import build_agent
from agent.health import Health
from agent.store import Store
from agent.journal import RunJournal, existing_run, read_journal
from agent.planner import OfflinePlanner
from agent.edit_planner import EditPlanner
from agent.request_text import validate_request
from agent.edit_run import EditSetup, check_instruction, copy_reused, edit_event, prepare_edit, read_edit, \
    task_text, write_edit
from tools.budget import BudgetExceededError
from tools.errors import AgentRunError, DioramaError, RunTimeoutError, \
    SandboxUnavailableError
from tools.cache import ResultCache
from tools.glb import set_asset_extras
from tools.registry import Registry
from tools.space_tool import CallContext

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOutcome:
    """The end of a run: the scene file (or None) and the final chain log."""

    scene: Path | None
    log: dict[str, Any]

    @property
    def error(self) -> str | None:
        return self.log["result"]["error"]


class ChainRunner:
    """Runs requests with one registry (schemas cached across runs) and one settings object.

    Args:
        settings: the configuration.
        llm: a model to use instead of the configured one (tests pass a scripted model).
    """

    def __init__(self, settings: Settings, *, llm: Model | None = None) -> None:
        self.settings = settings
        self.store = Store.in_data_dir(settings.data_dir)  # opened on first use
        self.health = Health(self.store, window=settings.health_window)
        self.registry = Registry(settings.tools, connect_timeout_s=settings.connect_timeout_s,
                                 hf_token=settings.hf_token, breaker_failures=settings.breaker_failures,
                                 breaker_cooldown_s=settings.breaker_cooldown_s,
                                 max_parallel=settings.max_parallel_per_space, health=self.health.score,
                                 download_dir=settings.data_dir / "downloads", card_max_age_s=settings.card_max_age_s)
        self._llm = llm
        self.on_finished: list[Callable[[dict[str, Any]], None]] = [self._remember]  # called with each final chain log
        self.workers = WorkerPool(WorkerLimits(memory_bytes=settings.sandbox_memory_mb << 20,
                                               cpu_s=settings.sandbox_cpu_s))
        self._sandbox_layers: list[str] | None = None
        self.cache = ResultCache(settings.data_dir / "cache", max_bytes=int(settings.cache_max_mb * 1024 * 1024),
                                 max_age_s=settings.cache_max_age_days * 86400) if settings.cache_enabled else None

    def model_info(self) -> dict[str, str]:
        if self._llm is not None:
            return {"provider": "custom", "id": str(getattr(self._llm, "model_id", type(self._llm).__name__))}
        return model_info(self.settings)

    def warm_up(self) -> None:
        """Start the bundled Spaces and a spare worker now so the first request does not wait for them."""
        self.workers.prepare()
        self.registry.sources()

    def sandbox_layers(self) -> list[str]:
        """The boundaries around the agent's code on this host, e.g. ["process", "rlimits", "seccomp"];
        ["in-process"] when no worker can start and the owner allowed running LLM code in the app; [] when
        LLM code is refused. Probed once."""
        if self._sandbox_layers is None:
            try:
                self._sandbox_layers = self.workers.probe()
            except SandboxUnavailableError as exc:
                logger.warning("%s", exc)
                self._sandbox_layers = ["in-process"] if self.settings.sandbox_allow_in_process else []
        return list(self._sandbox_layers)

    def close(self) -> None:
        """Stop the spare worker."""
        self.workers.close()

    def run(self, request: str, *, cancel: threading.Event | None = None,
            model: Model | None = None, headers: dict[str, str] | None = None,
            owner: str | None = None) -> Iterator[dict[str, Any]]:
        """Yield chain-log snapshots as the run progresses; the last one holds the result.

        Args:
            request: what to build.
            cancel: set it to stop the run.
            model: a model for this run only, e.g. `agent.recipes.RecipeModel` (a replayed recipe, no LLM).
            headers: the end user's headers to forward to Hub Spaces, e.g. {"x-ip-token": ...} so a ZeroGPU
                Space bills the user's quota (never sent to URL or bundled Spaces).
            owner: who started the run (`ui.owners`); only they may see, cancel or resume it.

        Raises:
            InvalidInputError: the request is empty or too long (nothing is started).
        """
        request = validate_request(request, self.settings)
        paths = RunPaths(self.settings.data_dir, new_run_id())
        paths.folder.mkdir(parents=True, exist_ok=True)
        RunJournal(paths).start(request)
        run = self._open(paths, request, model=model, cancel=cancel, owner=owner)
        self._remember_start(run, model)
        yield from self._stream(run, model, headers)

    def resume(self, run_id: str, *, cancel: threading.Event | None = None,
               headers: dict[str, str] | None = None, owner: str | None = None) -> Iterator[dict[str, Any]]:
        """Run a failed, cancelled or killed run again in its folder, replaying the Space calls it finished.

        Raises:
            InvalidInputError: no such run.
        """
        paths = existing_run(self.settings.data_dir, run_id)
        record = read_journal(paths)
        edit = read_edit(paths.folder)
        if edit is not None:  # an edit resumes as the same edit of the same parent
            setup = prepare_edit(self.settings, edit[0], edit[1], offline=self._offline())
            run = self._open(paths, record.request, cancel=cancel, memo=record.calls, owner=owner,
                             parent_run_id=setup.parent_run_id)
            self._remember_start(run, None)
            yield from self._edit_stream(run, setup, headers)
            return
        run = self._open(paths, record.request, cancel=cancel, memo=record.calls, owner=owner)
        self._remember_start(run, None)
        yield from self._stream(run, None, headers)

    def edit(self, parent_run_id: str, instruction: str, *, cancel: threading.Event | None = None,
             headers: dict[str, str] | None = None, owner: str | None = None) -> Iterator[dict[str, Any]]:
        """Edit a finished run's scene as a new run: yield chain-log snapshots as `run` does.

        The new run's chain log has "parent_run_id"; objects the edit does not change are reused from the parent
        (copied into the new run folder, no Space call); new, swapped and recoloured ones cost one asset call each.
        With the offline planner the follow-up is read by `agent.edit_grammar`; an LLM gets it with the scene's
        manifest in its task.

        Args:
            parent_run_id: the run whose scene to change (a build or an earlier edit).
            instruction: the follow-up, e.g. "remove the obelisk" or "remplace l'obélisque par la tour Eiffel".
            cancel, headers, owner: as for `run`; the caller checks that `owner` may edit the parent.

        Raises:
            InvalidInputError: the follow-up is empty or too long; NoSceneError (no such run, or no scene);
                EditNotUnderstoodError, UnknownObjectError, EditRefusedError (offline planner). Nothing is started.
        """
        instruction = check_instruction(instruction, self.settings)
        setup = prepare_edit(self.settings, parent_run_id, instruction, offline=self._offline())
        paths = RunPaths(self.settings.data_dir, new_run_id())
        paths.folder.mkdir(parents=True, exist_ok=True)
        write_edit(paths.folder, setup.parent_run_id, instruction)
        RunJournal(paths).start(instruction)
        run = self._open(paths, instruction, cancel=cancel, owner=owner, parent_run_id=setup.parent_run_id)
        self._remember_start(run, None)
        try:
            self.store.set_parent(run.id, setup.parent_run_id)
        except Exception:  # the history must never stop a run
            logger.exception("could not record the parent of run %s", run.id)
        yield from self._edit_stream(run, setup, headers)

    def _offline(self) -> bool:
        """True when the offline planner writes the code (no LLM configured or given)."""
        return self._llm is None and build_llm(self.settings) is None

    def _open(self, paths: RunPaths, request: str, *, model: Model | None = None,
              cancel: threading.Event | None = None, memo: dict[str, Any] | None = None, owner: str | None = None,
              parent_run_id: str | None = None) -> Run:
        """The `Run` of a request (or an edit's follow-up, with its `parent_run_id`): its log, budget, cancel token."""
        info = self.model_info() if model is None else _run_model_info(model)
        if parent_run_id is not None and self._offline():
            info = {"provider": "offline", "id": "offline-edit-planner"}
        log = ChainLog(paths.run_id, request, info,
                       secrets=(self.settings.hf_token or "", self.settings.llm_api_key or ""))
        if parent_run_id is not None:
            log.annotate("parent_run_id", parent_run_id)
        return Run.start(paths, request, log, self.settings.budget_limits(), cancel=cancel, memo=memo, owner=owner,
                         parent_run_id=parent_run_id)

    def _edit_stream(self, run: Run, setup: EditSetup, headers: dict[str, str] | None) -> Iterator[dict[str, Any]]:
        setup = copy_reused(setup, self.settings.data_dir, run.folder)

        def planner(loaded) -> Model | None:
            if setup.plan is None:
                return None  # the configured LLM, with the manifest in its task
            chain, scene = self._chain_specs(loaded)
            return EditPlanner(setup.plan, chain, scene, unavailable=loaded.failed)

        yield from self._stream(run, None, headers, task=task_text(setup), first=[edit_event(setup)],
                                planner=planner)

    def _remember_start(self, run: Run, model: Model | None) -> None:
        info = self.model_info() if model is None else _run_model_info(model)
        try:
            self.store.record_start(run.id, run.request, model=f"{info['provider']}:{info['id']}",
                                    recipe=getattr(model, "recipe_name", None),
                                    **({"owner": run.owner} if run.owner else {}))
        except Exception:  # the history must never stop a run
            logger.exception("could not record the start of run %s in %s", run.id, self.store.path)

    def _remember(self, log: dict[str, Any]) -> None:
        """The default on_finished listener: record the run and its calls, then prune old run folders."""
        self.store.record_run(log, scene_tools=[t.name for t in self.settings.tools
                                                if t.capability == "scene_assembly"])
        self.store.prune(runs_dir(self.settings.data_dir), keep=self.settings.keep_runs)

    def _stream(self, run: Run, model: Model | None = None, headers: dict[str, str] | None = None, *,
                task: str | None = None, first: list[dict[str, Any]] = (),
                planner: Callable[[Any], Model | None] | None = None) -> Iterator[dict[str, Any]]:
        """`task`: what the agent is asked (default: the request); `first`: events logged before the run starts;
        `planner`: makes the run's model from the loaded tools (None from it: the configured one)."""
        for event in first:
            run.log.add(event)
        ticks: queue.Queue[bool] = queue.Queue()  # True: an event arrived; False: the run is over

        def emit(event: dict[str, Any]) -> None:
            run.log.add(event)
            run.log.set_cost(run.budget.snapshot())
            ticks.put(True)

        def work() -> None:
            try:
                self._work(run, emit, model, headers, task=task, planner=planner)
            finally:
                ticks.put(False)  # the end: no waiting on a timeout after the last event

        threading.Thread(target=work, name=f"run-{run.id}", daemon=True).start()
        while True:
            running = ticks.get()
            while running and not ticks.empty():
                running = ticks.get_nowait()
            yield run.log.to_dict()
            if not running:
                return

    def run_to_end(self, request: str, *, resume: bool = False) -> RunOutcome:
        """Run a request (or, with `resume=True`, resume the run whose id it is) and return only its outcome."""
        final: dict[str, Any] = {}
        for final in (self.resume(request) if resume else self.run(request)):
            pass
        scene = final["result"]["scene"]
        return RunOutcome(scene=Path(scene) if scene else None, log=final)

    # ---- the worker thread -----------------------------------------------------------------

    def _work(self, run: Run, emit, model: Model | None = None, headers: dict[str, str] | None = None, *,
              task: str | None = None, planner: Callable[[Any], Model | None] | None = None) -> None:
        started = time.monotonic()
        request, cancel, budget, over_budget = run.request, run.cancel, run.budget, run.over_budget
        journal = RunJournal(run.paths)
        emit({"type": "run_started", "run_id": run.id, "request": request,
              "resumed": bool(run.memo), "replayable_calls": len(run.memo)})
        context = CallContext(run_dir=run.folder, emit=emit, call_timeout_s=self.settings.call_timeout_s,
                              attempts=self.settings.call_attempts, backoff_s=self.settings.backoff_s,
                              cancel=cancel, memo=run.memo, on_success=journal.record_call, cache=self.cache,
                              budget=budget, forward_headers=dict(headers or {}))
        answer: Any = None
        error: str | None = None
        observed: ObservedModel | None = None
        loaded = self.registry.load(context)
        startup_s = time.monotonic() - started
        emit({"type": "tools_loaded", "tools": [{"name": t.name, "space": t.session.label,
                                                 "endpoint": t.spec.endpoint.api_name,
                                                 "description": t.description} for t in loaded.tools.values()],
              "failed": loaded.failed, "duration_s": round(startup_s, 3),
              **({"refused_fallbacks": loaded.refused_fallbacks} if loaded.refused_fallbacks else {})})
        account: str | None = None
        try:
            begun = time.monotonic()  # the run's time budget counts from here, after the tools loaded
            writer = model or (planner(loaded) if planner else None) or self._model_for(loaded, emit)
            own_code = isinstance(writer, OfflinePlanner) or bool(getattr(writer, "recipe_name", None))
            llm_share = self.settings.run_timeout_s - (self._planner_reserve_s() if not own_code else 0.0)
            if isinstance(writer, StreamingChatModel):
                writer = writer.for_run(deadline=lambda: begun + llm_share,
                                        on_call=lambda report: emit({"type": "llm_call", **asdict(report)}))
            observed = ObservedModel(writer, on_reply=lambda *a: self._on_reply(emit, *a),
                                     on_tokens=budget.record_tokens)
            guard = None if own_code else GuardedModel(observed, label=self.model_info()["id"],
                                                       max_steps=self.settings.max_steps)
            failed: DioramaError | None = None
            try:
                answer = self._drive(task or request, loaded, guard or observed, emit, run, begun,
                                     own_code=own_code, time_limit_s=llm_share)
            except DioramaError as exc:
                failed = exc
            if failed is None and over_budget.is_set():  # the agent may have answered with what it had
                failed = BudgetExceededError(f"Stopped: {budget.snapshot()['budget_exceeded']}. Files made so far "
                                             "are kept; raise the budget in the config and resume the run.")
            reason = None
            if (self.settings.llm_fallback and task is None  # an LLM-driven edit is not rebuilt from scratch
                    and not cancel.is_set() and not over_budget.is_set()
                    and self._scene_of(run, answer) is None):
                reason = rescue_reason(guard, failed, time_share_s=llm_share)
            if reason is not None:
                answer, failed, account = self._planner_finishes(run, loaded, emit, begun, guard, reason)
            if failed is not None:  # the account already gives the planner's reason
                error = str(failed) if account is None else account
        except DioramaError as exc:
            error = str(exc)
        except Exception as exc:  # the agent framework or an LLM client failed: report, never crash the app
            ref = uuid.uuid4().hex[:8]
            logger.exception("run %s failed (ref %s)", run.id, ref)
            error = f"The agent failed unexpectedly ({type(exc).__name__}: {str(exc)[:200]}); ref {ref}."
        finally:
            loaded.close()
        if cancel.is_set():  # whatever else went wrong meanwhile (a rescue cut short), the person cancelled it
            error = "The run was cancelled; files made so far are kept in its folder."
        scene = self._finish(run, emit, answer, error, observed, startup_s, started,
                             cancelled=cancel.is_set(), account=account if error is None else None)
        status = "ok" if scene else "cancelled" if cancel.is_set() else "error"
        journal.end(status, run.log.to_dict()["result"]["error"])

    def _model_for(self, loaded, emit=None, *, subjects: Subjects | None = None, planner: bool = False) -> Model:
        if not planner:
            notice = None if self._llm is not None else effective_provider(self.settings)[1]
            if notice and emit is not None:
                emit({"type": "notice", "text": notice})
            llm = self._llm or build_llm(self.settings)
            if llm is not None:
                return llm
        by_capability = {t.capability: loaded.tools.get(t.name) for t in self.settings.tools
                         if loaded.tools.get(t.name) is not None}
        chain = [by_capability.get(c) or loaded.tools.get(c) for c in self.settings.asset_chain]  # capability or name
        scene = by_capability.get("scene_assembly")
        return OfflinePlanner([t.spec if t else None for t in chain], scene.spec if scene else None,
                              max_objects=self.settings.max_objects, unavailable=loaded.failed, subjects=subjects)

    # ---- the planner finishes what a failed model started (agent.llm_fallback) --------------

    def _planner_reserve_s(self) -> float:
        """Seconds of the run kept for the planner when the model fails (none when fallback is off)."""
        if not self.settings.llm_fallback:
            return 0.0
        return min(self.settings.llm_fallback_reserve_s, self.settings.run_timeout_s / 2)

    def _scene_of(self, run: Run, answer: Any) -> Path | None:
        scene_tools = {t.name for t in self.settings.tools if t.capability == "scene_assembly"}
        return _scene_from_answer(answer, run.folder) or _last_scene(run.log.calls(status="ok"), scene_tools,
                                                                     run.folder)

    def _planner_finishes(self, run: Run, loaded, emit, started: float, guard: GuardedModel | None,
                          reason: str) -> tuple[Any, DioramaError | None, str]:
        """Run the offline planner in the time left, reusing the model's finished calls (replayed from the
        journal) and its subjects; returns (answer, error or None, the one-line account)."""
        step = failed_step(guard)
        first = self.settings.tool(self.settings.asset_chain[0])
        subjects = model_subjects(run.log.calls(), first.name if first else "", max_items=self.settings.max_objects)
        run.memo.update(read_journal(run.paths).calls)  # the model's finished calls are replayed, not made again
        emit({"type": "fallback", "id": "fallback", "step": step, "reason": reason, "status": "running",
              "subjects": list(subjects.items) if subjects else None})
        planner = ObservedModel(self._model_for(loaded, subjects=subjects, planner=True),
                                on_reply=lambda n, *rest: self._on_reply(emit, n + step, *rest))
        answer, failed = None, None
        try:
            answer = self._drive(run.request, loaded, planner, emit, run, started,
                                 own_code=True, step_offset=step, time_limit_s=self.settings.run_timeout_s)
        except DioramaError as exc:
            failed = exc
        scene = self._scene_of(run, answer)
        why = str(failed) if failed is not None else answer_text(answer)
        line = account(step, reason, finished=scene is not None, planner_error=None if scene else why)
        emit({"type": "fallback", "id": "fallback", "status": "ok" if scene else "error", "text": line})
        if scene is None and failed is None:
            failed = AgentRunError(why or "The planner finished without a scene.")
        logger.warning("%s", line)
        return answer, failed, line

    def _chain_specs(self, loaded) -> tuple[list[Any], Any]:
        """The asset chain's tool specs (None for an unavailable stage) and the scene tool's spec (or None)."""
        by_capability = {t.capability: loaded.tools.get(t.name) for t in self.settings.tools
                         if loaded.tools.get(t.name) is not None}
        scene = by_capability.get("scene_assembly")
        return ([t.spec if t else None for t in (by_capability.get(c) for c in self.settings.asset_chain)],
                scene.spec if scene else None)

    @staticmethod
    def _on_reply(emit, step: int, thought: str, code: str, summary: bool) -> None:
        if summary:
            return
        emit({"type": "agent_step", "id": f"step-{step}", "step": step, "thought": thought, "code": code,
              "status": "running", "observation": None, "error": None, "duration_s": None})

    def _executor(self, run_dir: Path, own_code: bool, emit) -> WorkerExecutor | InProcessExecutor:
        """A worker process for the run's code; in the app only for Diorama's own code or by the owner's leave."""
        try:
            executor: WorkerExecutor | InProcessExecutor = WorkerExecutor(
                self.workers, run_dir, step_timeout_s=self.settings.sandbox_step_timeout_s)
            layers = executor.layers
        except SandboxUnavailableError as exc:
            if not (own_code or self.settings.sandbox_allow_in_process):
                raise SandboxUnavailableError(
                    f"{exc} Diorama does not run an LLM's code inside the app; allow a worker process on this "
                    "host (see README, Security), or set sandbox.allow_in_process = true at your own risk.") from exc
            logger.warning("%s; running the %s code in the app process", exc,
                           "planner's" if own_code else "LLM's (sandbox.allow_in_process)")
            executor = InProcessExecutor(run_dir)
            layers = executor.layers
        emit({"type": "sandbox", "layers": layers})
        return executor

    def _drive(self, request: str, loaded, model: ObservedModel, emit, run: Run, started: float, *,
               own_code: bool, time_limit_s: float | None = None, step_offset: int = 0) -> Any:
        """Run the agent on `request` (the run's request, or an edit's task) until it answers or is stopped."""
        cancel, budget, over_budget = run.cancel, run.budget, run.over_budget
        executor = self._executor(run.folder, own_code, emit)
        time_limit_s = self.settings.run_timeout_s if time_limit_s is None else max(0.0, time_limit_s)
        agent = build_agent(self.settings, loaded.tools, model, executor=executor)
        note = self.health.note((t.name, [p.space for p in t.providers]) for t in self.settings.tools
                                if t.name in loaded.tools)
        if note:  # in the instructions, not the task: the offline planner reads subjects from the task
            agent.instructions = f"{agent.instructions or ''}\n\n{note}"
            emit({"type": "health_note", "text": note})
        stopped: list[str] = []

        def stop(reason: str) -> None:
            if not stopped:  # the first reason is the one the run ends with
                stopped.append(reason)
            agent.interrupt()

        executor.stop = lambda: bool(agent.interrupt_switch)
        if isinstance(executor, WorkerExecutor):
            executor.on_fatal = lambda error: stop("sandbox")
        deadline_at = started + time_limit_s
        finished = threading.Event()

        def watch_cancel() -> None:
            while not finished.wait(0.1):
                if cancel.is_set() or over_budget.is_set():  # every tick, as below: a cancel may come before
                    stop("cancel" if cancel.is_set() else "spent")  # agent.run() has started and cleared it
                    continue
                if time.monotonic() >= deadline_at:  # every tick: agent.run() clears the switch when it starts
                    if not stopped:
                        stopped.append("budget")
                    agent.interrupt()

        threading.Thread(target=watch_cancel, daemon=True, name="cancel-watch").start()
        seen: set[int] = set()
        answer: Any = None
        try:
            for item in agent.run(request, stream=True):
                if isinstance(item, ActionStep) and item.step_number not in seen:
                    seen.add(item.step_number)
                    number = item.step_number + step_offset
                    error = _step_error(item, model)
                    emit({"type": "agent_step", "id": f"step-{number}", "step": number,
                          "status": "error" if error else "ok", "observation": item.observations,
                          "error": error, "duration_s": round(item.timing.duration or 0.0, 3)})
                elif isinstance(item, FinalAnswerStep):
                    answer = item.output
        except AgentError as exc:
            if not stopped:
                if isinstance(exc.__cause__, DioramaError):  # the model's call failed: Diorama's own message
                    raise exc.__cause__
                raise
            if stopped[0] == "sandbox" and getattr(executor, "fatal", None) is not None:
                raise executor.fatal from exc
            if stopped[0] == "spent":
                raise BudgetExceededError(
                    f"Stopped: {budget.snapshot()['budget_exceeded']}. Files made so far are kept; raise the budget "
                    "in the config and resume the run.") from exc
            if stopped[0] == "budget":
                raise RunTimeoutError(
                    f"The run hit its {self.settings.run_timeout_s:g} s time budget and was stopped; files made so "
                    "far are kept in its folder. Raise model.run_timeout_s or ask for fewer objects.") from exc
            raise AgentRunError("The run was cancelled; files made so far are kept in its folder.") from exc
        finally:
            finished.set()
            executor.cleanup()
        if getattr(executor, "fatal", None) is not None:  # the agent may have answered after; the run still ended
            raise executor.fatal
        return answer

    def _finish(self, run: Run, emit, answer: Any, error: str | None, observed: ObservedModel | None,
                startup_s: float, started: float, *, cancelled: bool = False,
                account: str | None = None) -> Path | None:
        log = run.log
        scene_tools = {t.name for t in self.settings.tools if t.capability == "scene_assembly"}
        scene = self._scene_of(run, answer)
        text = answer_text(answer)
        if account and text:
            text = f"{account} {text}"
        if scene is not None:
            final = run.paths.scene
            shutil.copyfile(scene, final)
            scene = final
            set_asset_extras(final, "diorama", _provenance(log.to_dict()))
        elif error is None:
            error = text or "The agent finished without producing a scene."
        if text:
            emit({"type": "final_answer", "text": text})
        calls = log.calls()
        durations = lambda names, keep: sum(e.get("duration_s") or 0 for e in calls if (e["tool"] in names) == keep)
        timings = {
            "startup_s": round(startup_s, 3),
            "space_wall_s": round(_busy_seconds([e for e in calls if e["tool"] not in scene_tools]), 3),
            "agent_s": round(observed.seconds, 3) if observed else 0.0,
            "space_calls_s": round(durations(scene_tools, False), 3),
            "assembly_s": round(durations(scene_tools, True), 3),
            "total_s": round(time.monotonic() - started, 3),
            "llm_input_tokens": observed.input_tokens if observed else 0,
            "llm_output_tokens": observed.output_tokens if observed else 0,
        }
        emit({"type": "run_finished", "status": "ok" if scene else "cancelled" if cancelled else "error",
              "error": error, "at": utc_now()})
        log.finish(scene=str(scene) if scene else None, error=error, answer=text, timings=timings)
        run.paths.chain.write_text(log.to_json(), encoding="utf-8")
        for listener in self.on_finished:
            try:
                listener(log.to_dict())
            except Exception:  # a listener (history store, metrics) must never break a run
                logger.exception("an on_finished listener failed for run %s", run.id)
        # not "path": gradio_client treats any JSON dict with a "path" key as a file to download
        emit({"type": "saved", "log_file": str(run.paths.chain)})
        return scene


def _step_error(step: ActionStep, model: Model) -> str | None:
    """A step's error for the chain log, in Diorama's words: a failed LLM call, or a reply without code."""
    failure = getattr(model, "failure", None)
    if step.error is None:
        if failure is not None and failure.step == step.step_number:
            return str(failure)
        return None
    if isinstance(step.error, AgentParsingError):
        return ("The reply had no runnable code block (<code> ... </code>); the reply itself is the step's "
                "thought.")
    return str(step.error)


def _run_model_info(model: Model) -> dict[str, str]:
    """The chain log's "model" for a per-run model: a replayed recipe says so."""
    name = getattr(model, "recipe_name", None)
    if name:
        return {"provider": "recipe", "id": f"recipe:{name}"}
    return {"provider": "custom", "id": str(getattr(model, "model_id", type(model).__name__))}


def _busy_seconds(calls: list[dict[str, Any]]) -> float:
    """Wall-clock seconds during which at least one of `calls` was running (overlaps counted once)."""
    spans = sorted((dt.datetime.fromisoformat(c["started_at"]).timestamp(),
                    dt.datetime.fromisoformat(c["started_at"]).timestamp() + (c.get("duration_s") or 0.0))
                   for c in calls if c.get("started_at"))
    total, end = 0.0, float("-inf")
    for start, stop in spans:
        if stop > end:
            total += stop - max(start, end)
            end = stop
    return total


def _provenance(log: dict[str, Any]) -> dict[str, Any]:
    """Which provider made each asset of the run (stored in the scene GLB's asset.extras.diorama)."""
    assets = [{"tool": e["tool"], "space": e["space"], "endpoint": e["endpoint"], "license": e.get("license"),
               "inputs": e["inputs"], "output": e["output"], "replayed": bool(e.get("replayed"))}
              for e in ChainLog.view(log).calls(status="ok")]
    return {"run_id": log["run_id"], "request": log["request"], "model": log["model"], "calls": assets}


def _scene_from_answer(answer: Any, run_dir: Path) -> Path | None:
    candidates = answer.values() if isinstance(answer, dict) else [answer]
    for value in candidates:
        if isinstance(value, str) and value.lower().endswith(".glb"):
            path = Path(value).resolve()
            if path.is_file() and run_dir.resolve() in path.parents:
                return path
    return None


def _last_scene(calls: list[dict[str, Any]], scene_tools: set[str], run_dir: Path) -> Path | None:
    for event in reversed(calls):
        if event["tool"] in scene_tools:
            return _scene_from_answer(_absolute(event.get("output"), run_dir), run_dir)
    return None


def _absolute(value: Any, run_dir: Path) -> Any:
    if isinstance(value, dict):
        return {k: _absolute(v, run_dir) for k, v in value.items()}
    if isinstance(value, str) and value.lower().endswith(".glb"):
        return str(run_dir / value)
    return value
