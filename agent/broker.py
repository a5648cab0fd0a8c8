"""The app side of the agent's sandbox: worker processes, and the broker that makes their tool calls.

The agent's code never runs in the app. `WorkerExecutor` (a smolagents
`PythonExecutor`) sends each step's code to a worker process (`agent.worker`),
confined by the kernel (`agent.confine`), and answers the worker's tool calls
through `ToolBroker`, which alone holds the real tools (and through them the
Space clients, tokens, cache, budgets and breakers). The broker receives plain
JSON, checks the tool name and every file argument (`tools.file_args`), and
calls the tool; nothing the worker sends is executed or unpickled.

A step that computes too long, allocates too much or crashes costs its worker:
the worker is killed, the run ends with a clear message (`SandboxLimitError`),
files made so far are kept, and the app keeps answering. `WorkerPool` (`agent.worker_pool`) keeps a
worker started ahead, so a run does not wait for Python to import.
"""

from __future__ import annotations

import json
import logging
import signal
import time
from pathlib import Path
from typing import Any, Callable

from smolagents.local_python_executor import CodeOutput, InterpreterError, PythonExecutor

from agent.confine import WorkerLimits  # noqa: F401  (re-exported)
from agent.sandbox import SandboxedExecutor
from agent.worker_pool import READY_TIMEOUT_S, Worker, WorkerPool, exit_story  # noqa: F401  (re-exported)
from tools.errors import DioramaError, InvalidInputError, SandboxLimitError
from tools.file_args import allowed_file

logger = logging.getLogger(__name__)


class ToolBroker:
    """Makes the tool calls a worker asks for, after checking them.

    Args:
        tools: the run's tools by name (smolagents Tools; SpaceTools carry `spec` with their file parameters).
        run_dir: the run folder; file arguments must be files under it.
    """

    def __init__(self, tools: dict[str, Any], run_dir: Path) -> None:
        self.tools = dict(tools)
        self.run_dir = Path(run_dir)

    def call(self, name: Any, args: Any, kwargs: Any) -> Any:
        """Call tool `name`; raises what the tool raises, or InvalidInputError for a call that cannot be made."""
        tool = self.tools.get(name) if isinstance(name, str) else None
        if tool is None or name == "final_answer":
            raise InvalidInputError(f"There is no tool named {str(name)[:60]!r}; available: "
                                    f"{', '.join(n for n in self.tools if n != 'final_answer')}.")
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            raise InvalidInputError(f"{name}: arguments must be values and keyword arguments.")
        if name == "parallel_map":
            args, kwargs = self._fanout_files(args, kwargs)
        elif hasattr(tool, "spec"):
            args, kwargs = self._files(tool, args, kwargs)
        return tool(*args, **kwargs)

    def _files(self, tool: Any, args: list[Any], kwargs: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        """File arguments replaced by their checked real paths."""
        params = tool.spec.endpoint.params
        args = list(args)
        for index, param in enumerate(params):
            if param.kind not in ("file", "files"):
                continue
            if index < len(args):
                args[index] = self._checked(tool.name, param, args[index])
            elif kwargs.get(param.name) is not None:
                kwargs[param.name] = self._checked(tool.name, param, kwargs[param.name])
        return args, kwargs

    def _checked(self, tool: str, param: Any, value: Any) -> Any:
        if value is None:
            return None
        what = f"{tool}: '{param.name}'"
        if isinstance(value, dict) and "image" in value:  # a captioned Gallery item: its file is checked
            return {"image": self._checked(tool, param, value["image"]), "caption": value.get("caption")}
        if isinstance(value, dict):  # a multi-output result passed whole: its single file
            files = [v for v in value.values() if isinstance(v, str)]
            value = files[0] if len(files) == 1 else value
        if isinstance(value, list):
            return [self._checked(tool, param, v) for v in value]
        return allowed_file(value, [self.run_dir], base=self.run_dir, what=what)

    def _fanout_files(self, args: list[Any], kwargs: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        bound = dict(zip(("tool", "items"), args)) | kwargs
        target = self.tools.get(bound.get("tool")) if isinstance(bound.get("tool"), str) else None
        items = bound.get("items")
        if target is not None and hasattr(target, "spec") and isinstance(items, list):
            bound["items"] = [self._files(target, [], dict(item))[1] if isinstance(item, dict) else item
                              for item in items]
        return [], bound


class WorkerExecutor(PythonExecutor):
    """Runs each step's code in a worker process; its tool calls go through a `ToolBroker`.

    Args:
        pool: where workers come from.
        run_dir: the run folder (file arguments must be files under it).
        stop: returns True once the run is cancelled or out of time; the worker is then killed.
        on_fatal: called with the error when a step's code breaks a limit (the run must end).
        step_timeout_s: seconds a step may compute in the worker (time in tool calls not counted).
    """

    def __init__(self, pool: WorkerPool, run_dir: Path, *, stop: Callable[[], bool] = lambda: False,
                 on_fatal: Callable[[SandboxLimitError], None] = lambda error: None,
                 step_timeout_s: float = 60.0) -> None:
        self.state: dict[str, Any] = {}
        self.pool = pool
        self.run_dir = Path(run_dir)
        self.stop = stop
        self.on_fatal = on_fatal
        self.step_timeout_s = step_timeout_s
        self.broker = ToolBroker({}, self.run_dir)
        self.worker: Worker | None = None
        self.fatal: SandboxLimitError | None = None

    @property
    def layers(self) -> list[str]:
        return self._worker().layers

    def _worker(self) -> Worker:
        if self.worker is None:
            self.worker = self.pool.take()
        return self.worker

    def send_tools(self, tools: dict[str, Any]) -> None:
        self.broker = ToolBroker(tools, self.run_dir)
        descriptions = {name: str(getattr(tool, "description", "") or "") for name, tool in tools.items()}
        self._send({"op": "tools", "tools": descriptions})

    def send_variables(self, variables: dict[str, Any]) -> None:
        plain = {k: v for k, v in variables.items() if isinstance(k, str) and _is_plain(v)}
        if plain:
            self._send({"op": "variables", "variables": plain})

    def __call__(self, code_action: str) -> CodeOutput:
        if self.fatal is not None:
            raise InterpreterError(str(self.fatal))
        self._send({"op": "run", "code": code_action})
        worker = self._worker()
        computing = 0.0
        while True:
            started = time.monotonic()
            try:
                message = worker.channel.receive(0.1)
            except EOFError:
                raise self._died() from None
            computing += time.monotonic() - started
            if message is None:
                if self.stop():
                    worker.kill()
                    raise InterpreterError("The run was stopped (cancelled or out of time); this step is abandoned.")
                if computing > self.step_timeout_s:
                    raise self._fail(f"the agent's code computed for more than {self.step_timeout_s:g} s in one "
                                     "step and was stopped")
                continue
            op = message.get("op")
            if op == "call":
                self._answer(message)
            elif op == "done":
                self.state["_print_outputs"] = str(message.get("logs", ""))
                return CodeOutput(output=message.get("output"), logs=str(message.get("logs", "")),
                                  is_final_answer=bool(message.get("final")))
            elif op == "error":
                self.state["_print_outputs"] = str(message.get("logs", ""))
                raise InterpreterError(str(message.get("message", "the code failed"))[:20_000])
            elif op == "fatal":
                self.state["_print_outputs"] = str(message.get("logs", ""))
                raise self._fail(f"the agent's code used more than {self.pool.limits.memory_bytes >> 20} MiB "
                                 "and was stopped")
            else:
                raise self._fail("the agent's worker process broke the protocol and was stopped")

    def _answer(self, message: dict[str, Any]) -> None:
        try:
            value = self.broker.call(message.get("tool"), message.get("args"), message.get("kwargs"))
            reply = {"op": "reply", "ok": True, "value": _jsonable(value)}
        except DioramaError as exc:
            reply = {"op": "reply", "ok": False, "error": {"type": type(exc).__name__, "message": str(exc)}}
        except (TypeError, ValueError) as exc:  # wrong arguments for the tool's Python signature
            reply = {"op": "reply", "ok": False, "error": {"type": type(exc).__name__, "message": str(exc)[:500]}}
        except Exception as exc:  # a bug in a tool: the agent reads a short reason, the log keeps the trace
            logger.exception("tool call %r failed unexpectedly", message.get("tool"))
            reply = {"op": "reply", "ok": False, "error": {"type": "ToolError",
                                                           "message": f"{type(exc).__name__}: {str(exc)[:300]}"}}
        self._send(reply)

    def _send(self, message: dict[str, Any]) -> None:
        if self.fatal is not None:
            return
        try:
            self._worker().channel.send(message)
        except EOFError:
            raise self._died() from None

    def _died(self) -> InterpreterError:
        worker = self.worker
        if worker is not None:
            worker.kill()
        code = worker.process.returncode if worker is not None else None
        if self.stop():
            return InterpreterError("The run was stopped (cancelled or out of time); this step is abandoned.")
        if code in (-signal.SIGXCPU, -signal.SIGKILL):
            return self._fail(f"the agent's code used more than {self.pool.limits.cpu_s} s of CPU and was stopped")
        if code == 3:
            return self._fail(f"the agent's code used more than {self.pool.limits.memory_bytes >> 20} MiB and was "
                              "stopped")
        return self._fail(f"the agent's worker process ended unexpectedly ({exit_story(worker.process)})"
                          if worker is not None else "the agent's worker process is gone")

    def _fail(self, what: str) -> InterpreterError:
        if self.worker is not None:
            self.worker.kill()
        self.fatal = SandboxLimitError(f"Stopped: {what}. Files made so far are kept; resume the run to finish it, "
                                       "or ask for something simpler.")
        self.on_fatal(self.fatal)
        return InterpreterError(str(self.fatal))

    def cleanup(self) -> None:
        if self.worker is not None:
            worker, self.worker = self.worker, None
            self.pool.give_back(worker)


class InProcessExecutor(SandboxedExecutor):
    """The screen alone, in the app process: for code Diorama wrote itself (the offline planner, a saved
    recipe), or LLM code where the owner opted in (`sandbox.allow_in_process`) because no worker can start.

    Tool calls still go through a `ToolBroker`, with their arguments copied to plain JSON first, so an object
    that changes between the check and the use never reaches a tool.
    """

    layers = ["in-process"]

    def __init__(self, run_dir: Path, *, stop: Callable[[], bool] = lambda: False) -> None:
        super().__init__(stop=stop)
        self.run_dir = Path(run_dir)

    def send_tools(self, tools: dict[str, Any]) -> None:
        broker = ToolBroker(tools, self.run_dir)
        stubs: dict[str, Any] = {name: _local_stub(broker, name, tool) for name, tool in tools.items()
                                 if name != "final_answer"}
        if "final_answer" in tools:
            stubs["final_answer"] = tools["final_answer"]
        super().send_tools(stubs)

    def cleanup(self) -> None:
        """Nothing to stop: no process of its own."""


def _local_stub(broker: ToolBroker, name: str, tool: Any) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return broker.call(name, _jsonable(list(args)), _jsonable(kwargs))

    call.description = str(getattr(tool, "description", "") or "")  # type: ignore[attr-defined]
    return call


def _is_plain(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _jsonable(value: Any) -> Any:
    """The tool's result as the worker will see it: JSON types (paths are strings)."""
    return json.loads(json.dumps(value, default=str))


__all__ = ["InProcessExecutor", "ToolBroker", "Worker", "WorkerExecutor", "WorkerPool"]
