"""The worker process that runs the agent's code: confined by the kernel, tools only through the broker.

Started by `agent.worker_pool.WorkerPool` as `python -E -s agent/worker.py '<limits json>'`
with an empty environment. It imports what it needs, confines itself
(`agent.confine`), says `ready` with the layers that took effect, then serves
one run over its standard input and output, one JSON object per line:

    broker -> worker   {"op": "tools", "tools": {name: description}}
                       {"op": "variables", "variables": {...}}
                       {"op": "run", "code": "..."}
                       {"op": "reply", "ok": true, "value": ...} | {"op": "reply", "ok": false, "error": {...}}
    worker -> broker   {"op": "ready", "layers": [...]}
                       {"op": "call", "tool": name, "args": [...], "kwargs": {...}}
                       {"op": "done", "output": ..., "logs": "...", "final": bool}
                       {"op": "error", "message": "...", "logs": "..."}
                       {"op": "fatal", "reason": "memory", "logs": "..."}

Everything the worker sends is data the broker checks; nothing is pickled.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":  # run as a script: the project root, not agent/, is where imports start
    sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "agent"]

from smolagents.local_python_executor import InterpreterError  # noqa: E402

from agent.confine import WorkerLimits, confine, python_folders  # noqa: E402
from agent.sandbox import SandboxedExecutor  # noqa: E402

MAX_MESSAGE_BYTES = 8 << 20
MAX_LOG_CHARS = 50_000


class _Channel:
    """JSON lines over two file descriptors."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.reader = os.fdopen(read_fd, "rb", buffering=1 << 16)
        self.writer = os.fdopen(write_fd, "wb", buffering=0)

    def send(self, message: dict) -> None:
        self.writer.write(json.dumps(message, default=_plain, ensure_ascii=True).encode() + b"\n")

    def receive(self) -> dict:
        line = self.reader.readline(MAX_MESSAGE_BYTES)
        if not line:
            raise EOFError("the broker closed the pipe")
        return json.loads(line)


def _plain(value: object) -> str:
    """What JSON cannot carry is sent as its repr (cut short)."""
    try:
        return repr(value)[:2000]
    except Exception:  # a hostile __repr__
        return f"<{type(value).__name__}>"


class _ToolError(Exception):
    """A tool call the broker refused or that failed; the agent reads '<Kind>: <message>'."""


_ERROR_KINDS: dict[str, type[Exception]] = {}


def _error_kind(name: str) -> type[Exception]:
    name = name if name.isidentifier() and len(name) <= 60 else "ToolError"
    if name not in _ERROR_KINDS:
        _ERROR_KINDS[name] = type(name, (_ToolError,), {})
    return _ERROR_KINDS[name]


class _Worker:
    def __init__(self, channel: _Channel) -> None:
        self.channel = channel
        self.executor = SandboxedExecutor()

    def serve(self) -> None:
        while True:
            try:
                message = self.channel.receive()
            except EOFError:
                return
            op = message.get("op")
            if op == "tools":
                self.executor.send_tools(self._stubs(message["tools"]))
            elif op == "variables":
                self.executor.send_variables(message["variables"])
            elif op == "run":
                self._run(message["code"])

    def _stubs(self, tools: dict[str, str]) -> dict:
        stubs = {name: self._stub(name) for name in tools if name != "final_answer"}
        for name, stub in stubs.items():
            stub.description = tools[name]
        if "final_answer" in tools:
            stubs["final_answer"] = _final_answer
            _final_answer.description = tools["final_answer"]
        return stubs

    def _stub(self, name: str):
        channel = self.channel

        def call(*args, **kwargs):
            channel.send({"op": "call", "tool": name, "args": list(args), "kwargs": kwargs})
            reply = channel.receive()
            if reply.get("op") != "reply":
                raise _ToolError(f"{name}: the broker answered out of turn.")
            if reply.get("ok"):
                return reply.get("value")
            error = reply.get("error") or {}
            raise _error_kind(str(error.get("type", "ToolError")))(str(error.get("message", "the call failed")))

        return call

    def _run(self, code: str) -> None:
        try:
            output = self.executor(code)
        except InterpreterError as exc:
            logs = self._logs()
            if _caused_by_memory(exc):
                self.channel.send({"op": "fatal", "reason": "memory", "logs": logs})
                os._exit(3)
            self.channel.send({"op": "error", "message": str(exc)[:20_000], "logs": logs})
            return
        except MemoryError:
            self.channel.send({"op": "fatal", "reason": "memory", "logs": ""})
            os._exit(3)
        except Exception as exc:  # smolagents itself failed on this code: the agent reads why
            self.channel.send({"op": "error", "message": f"{type(exc).__name__}: {exc}"[:20_000],
                               "logs": self._logs()})
            return
        self.channel.send({"op": "done", "output": output.output, "logs": output.logs[:MAX_LOG_CHARS],
                           "final": bool(output.is_final_answer)})

    def _logs(self) -> str:
        return str(self.executor.state.get("_print_outputs", ""))[:MAX_LOG_CHARS]


def _caused_by_memory(exc: BaseException) -> bool:
    """True if a MemoryError is anywhere in the chain of errors that `exc` wraps."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, MemoryError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _final_answer(answer=None, **kwargs):
    """The run's answer; smolagents wraps this to end the run."""
    return answer if not kwargs else {"answer": answer, **kwargs}


def main(argv: list[str]) -> int:
    limits = WorkerLimits(**json.loads(argv[1])) if len(argv) > 1 else WorkerLimits()
    protocol_out = os.dup(1)
    os.dup2(2, 1)  # stray prints go to stderr, never into the protocol
    channel = _Channel(0, protocol_out)
    layers = confine(limits, python_folders() + [ROOT / "agent", ROOT / "tools"])
    channel.send({"op": "ready", "layers": layers, "pid": os.getpid()})
    _Worker(channel).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
