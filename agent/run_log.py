"""The chain log: one run's structured event list, its JSON schema, and the queries every reader uses.

The same `ChainLog.to_dict()` object is shown in the UI (as chat messages), written by the CLI (`--log`), saved
as `<run folder>/chain.json` and returned by the API (docs/api.md).  Schema:

    {"run_id", "request", "model": {"provider", "id"}, "started_at",
     "events": [event, ...],
     "result": {"scene": path | None, "error": text | None, "answer": text | None},
     "timings": {"startup_s", "agent_s", "space_calls_s", "assembly_s", "total_s", ...},
     "cost": {"space_calls", "space_seconds", "llm_tokens", "estimated_cost_usd", "budget_exceeded"},
     "parent_run_id": id        (an edit only)}

Every event is a JSON object with a "type" (the constants below) and an "at" time; `SpaceCall` and `AgentStep`
spell out the two kinds most readers query.  Events with an "id" are updated in place as they progress
(status "running" -> "ok" / "error").  Readers query a log with `calls()`, `failed()`, `assets()`, `of_type()`,
`first()` and `last()` instead of filtering the list by string keys: a live log (`ChainLog(...)`) or any
chain-log dict (`ChainLog.view(snapshot)`, e.g. a streamed snapshot or a chain.json read back).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import threading
from typing import Any, Iterable, TypedDict

__all__ = ["AGENT_STEP", "EDIT", "FINAL_ANSWER", "RUN_FINISHED", "RUN_STARTED", "SPACE_CALL", "TOOLS_LOADED",
           "AgentStep", "ChainLog", "SpaceCall", "output_values", "utc_now"]

# event types ("type" of an event)
RUN_STARTED = "run_started"      # run_id, request, resumed, replayable_calls
TOOLS_LOADED = "tools_loaded"    # tools [{name, space, endpoint, description}], failed {name: reason}, duration_s
AGENT_STEP = "agent_step"        # see AgentStep
SPACE_CALL = "space_call"        # see SpaceCall
EDIT = "edit"                    # an edit run's parent_run_id, instruction, changes, objects, reused, to_make
FINAL_ANSWER = "final_answer"    # text
RUN_FINISHED = "run_finished"    # status "ok" | "error" | "cancelled", error
# also: "sandbox", "notice", "health_note", "llm_call", "fallback", "saved" (docs/api.md)


class SpaceCall(TypedDict, total=False):
    """A "space_call" event: one attempt at one Space call (or a cache hit / journal replay of one)."""

    type: str
    id: str
    tool: str
    space: str
    endpoint: str
    license: str | None
    inputs: dict[str, Any]
    output: Any           # run-relative file paths ("assets/call-1_x.glb"), a dict of them by label, or JSON
    status: str           # "running" | "ok" | "error"
    attempt: int
    started_at: str
    duration_s: float | None
    error: str | None
    cached: bool
    replayed: bool
    fallback: bool


class AgentStep(TypedDict, total=False):
    """An "agent_step" event: one step of the agent (the code it wrote and what came of it)."""

    type: str
    id: str
    step: int
    thought: str
    code: str
    observation: str | None
    error: str | None
    status: str           # "running" | "ok" | "error"
    duration_s: float | None


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def output_values(event: dict[str, Any]) -> list[Any]:
    """An event's output as a list: a dict output's values, else the output itself."""
    output = event.get("output")
    return list(output.values()) if isinstance(output, dict) else [output]


class ChainLog:
    """A thread-safe, append-or-update list of events with secrets redacted, and its queries.

    Args:
        run_id: the run's id.
        request: the user's request.
        model: {"provider": ..., "id": ...}.
        secrets: strings that must never appear in the log (tokens).

    Queries on a live log return copies (the run's thread keeps updating its events); on a `view` they return
    the viewed dict's own events.
    """

    def __init__(self, run_id: str, request: str, model: dict[str, str], *, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets = [s for s in secrets if s and len(s) >= 4]
        self._data: dict[str, Any] = {
            "run_id": run_id, "request": self._clean(request), "model": dict(model), "started_at": utc_now(),
            "events": [], "result": {"scene": None, "error": None, "answer": None}, "timings": {}, "cost": {},
        }
        self._index: dict[str, int] = {}
        self._live = True

    @classmethod
    def view(cls, data: dict[str, Any] | None) -> ChainLog:
        """Queries over a chain-log dict (a snapshot, a chain.json read back, or None for an empty log); not copied.

        A view is for reading: its queries return the dict's own events, and it does not track ids for `add`.
        """
        log = cls.__new__(cls)
        log._lock = threading.Lock()
        log._secrets = []
        log._data = data if isinstance(data, dict) else {}
        log._index = {}
        log._live = False
        return log

    @property
    def run_id(self) -> str | None:
        return self._data.get("run_id")

    def _clean(self, value: Any) -> Any:
        """A copy of `value` fit for the log: every secret inside strings, lists, tuples and dicts becomes '***'.

        A dict's "path" key with a text value is written "path_": gradio_client (2.x) takes any such JSON
        object for a file and tries to download it, so an API client reading the log would fail on a Space's
        JSON output that has one.
        """
        if isinstance(value, str):
            for secret in self._secrets:
                value = value.replace(secret, "***")
            return value
        if isinstance(value, (list, tuple)):
            return [self._clean(v) for v in value]
        if isinstance(value, dict):
            return {("path_" if k == "path" and isinstance(v, str) else k): self._clean(v)
                    for k, v in value.items()}
        return value

    # ---- writing (the run's thread) ------------------------------------------------------------

    def add(self, event: dict[str, Any]) -> None:
        """Append an event, or update the one with the same "id"."""
        event = self._clean(event)  # a new dict: the caller's event is not kept or changed
        event.setdefault("at", utc_now())
        with self._lock:
            key = event.get("id")
            if key is not None and key in self._index:
                self._data["events"][self._index[key]].update(event)
            else:
                if key is not None:
                    self._index[key] = len(self._data["events"])
                self._data["events"].append(event)

    def annotate(self, key: str, value: Any) -> None:
        """Set a top-level key of the log, e.g. an edit's "parent_run_id"."""
        with self._lock:
            self._data[key] = self._clean(value)

    def set_cost(self, cost: dict[str, Any]) -> None:
        with self._lock:
            self._data["cost"] = dict(cost)

    def finish(self, *, scene: str | None, error: str | None, answer: str | None, timings: dict[str, float]) -> None:
        with self._lock:
            self._data["result"] = {"scene": scene, "error": self._clean(error), "answer": self._clean(answer)}
            self._data["timings"] = dict(timings)

    # ---- queries ---------------------------------------------------------------------------------

    def _select(self, keep) -> list[dict[str, Any]]:
        with self._lock:
            found = [e for e in (self._data.get("events") or []) if isinstance(e, dict) and keep(e)]
            return [copy.deepcopy(e) for e in found] if self._live else found

    def events(self, type_: str | None = None) -> list[dict[str, Any]]:
        """All events, or those of one type, in log order."""
        return self._select(lambda e: type_ is None or e.get("type") == type_)

    def of_type(self, *types: str) -> list[dict[str, Any]]:
        """The events of any of `types` (e.g. `of_type(AGENT_STEP)`), in log order."""
        return self._select(lambda e: e.get("type") in types)

    def calls(self, tool: str | Iterable[str] | None = None, *, status: str | None = None,
              finished: bool = False) -> list[dict[str, Any]]:
        """The Space calls, in log order.

        Args:
            tool: only this tool's calls, or those of any tool in a collection (e.g. the scene tools).
            status: only calls with this status: "running", "ok" or "error".
            finished: only calls that are no longer running.
        """
        tools = None if tool is None else {tool} if isinstance(tool, str) else set(tool)
        return self._select(lambda e: e.get("type") == SPACE_CALL
                            and (tools is None or e.get("tool") in tools)
                            and (status is None or e.get("status") == status)
                            and not (finished and e.get("status") == "running"))

    def failed(self) -> list[dict[str, Any]]:
        """The Space calls that failed (every failed attempt)."""
        return self.calls(status="error")

    def assets(self, scene_tools: Iterable[str]) -> list[dict[str, Any]]:
        """The successful calls that made the run's assets: every tool but the scene tools."""
        scene = set(scene_tools)
        return self._select(lambda e: e.get("type") == SPACE_CALL and e.get("status") == "ok"
                            and e.get("tool") not in scene)

    def first(self, type_: str, **fields: Any) -> dict[str, Any] | None:
        """The first event of `type_` whose `fields` match (e.g. `first(RUN_FINISHED)`), else None."""
        found = self._match(type_, fields)
        return found[0] if found else None

    def last(self, type_: str, **fields: Any) -> dict[str, Any] | None:
        """The last event of `type_` whose `fields` match (e.g. `last(SPACE_CALL, status="ok")`), else None."""
        found = self._match(type_, fields)
        return found[-1] if found else None

    def _match(self, type_: str, fields: dict[str, Any]) -> list[dict[str, Any]]:
        return self._select(lambda e: e.get("type") == type_ and all(e.get(k) == v for k, v in fields.items()))

    # ---- the JSON ------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._data)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=str)
