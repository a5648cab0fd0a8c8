"""The chain log: one structured event list per run, and pure functions that render it.

The same `ChainLog.to_dict()` object is shown in the UI (as chat messages),
written by the CLI (`--log`) and returned by the API.  Schema:

    {"run_id", "request", "model": {"provider", "id"}, "started_at",
     "events": [event, ...],
     "result": {"scene": path | None, "error": text | None, "answer": text | None},
     "timings": {"startup_s", "agent_s", "space_calls_s", "assembly_s", "total_s"},
     "cost": {"space_calls", "space_seconds", "llm_tokens", "estimated_cost_usd", "budget_exceeded"}}

Event types: "run_started", "tools_loaded", "agent_step" (thought, code,
observation, error), "space_call" (tool, space, endpoint, inputs, output,
status, attempt, started_at, duration_s, error), "final_answer", "run_finished".
Events with an "id" are updated in place as they progress (running -> ok/error).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import threading
from typing import Any, Iterable


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


class ChainLog:
    """A thread-safe, append-or-update list of events with secrets redacted.

    Args:
        run_id: the run's id.
        request: the user's request.
        model: {"provider": ..., "id": ...}.
        secrets: strings that must never appear in the log (tokens).
    """

    def __init__(self, run_id: str, request: str, model: dict[str, str], *, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets = [s for s in secrets if s and len(s) >= 4]
        self._data: dict[str, Any] = {
            "run_id": run_id, "request": self._clean(request), "model": dict(model), "started_at": utc_now(),
            "events": [], "result": {"scene": None, "error": None, "answer": None}, "timings": {}, "cost": {},
        }
        self._index: dict[str, int] = {}

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

    def events(self, type_: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [copy.deepcopy(e) for e in self._data["events"] if type_ is None or e.get("type") == type_]

    def to_dict(self) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._data)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=str)


# ---- rendering (pure functions) --------------------------------------------------------------

_STATUS_ICON = {"running": "⏳", "ok": "✅", "error": "❌"}


def _short(value: Any, limit: int = 400) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _stand_in(event: dict[str, Any]) -> str | None:
    """Why a Space call's output is only a placeholder ("no builder for 'x'"), from its info dict, else None."""
    output = event.get("output")
    return next((p["placeholder"] for p in (output.values() if isinstance(output, dict) else [])
                 if isinstance(p, dict) and isinstance(p.get("placeholder"), str)), None)


def event_to_message(event: dict[str, Any]) -> dict[str, Any] | None:
    """One chain-log event as a `gr.Chatbot` message dict, or None if not shown."""
    kind = event.get("type")
    pending = "pending" if event.get("status") == "running" else "done"
    if kind == "agent_step":
        body = event.get("thought") or ""
        if event.get("code"):
            body += f"\n```python\n{event['code']}\n```"
        if event.get("observation"):
            body += f"\n**Observation**\n```\n{_short(event['observation'], 1500)}\n```"
        if event.get("error"):
            body += f"\n**Error:** {event['error']}"
        title = f"🧠 Step {event.get('step')}" + (" — error" if event.get("error") else "")
        meta: dict[str, Any] = {"title": title, "status": pending, "id": event.get("id")}
        if event.get("duration_s") is not None:
            meta["duration"] = event["duration_s"]
        return {"role": "assistant", "content": body.strip() or "…", "metadata": meta}
    if kind == "space_call":
        icon = _STATUS_ICON.get(event.get("status", ""), "")
        title = f"{icon} {event['tool']} · {event['space']} {event['endpoint']}"
        if event.get("attempt", 1) > 1:
            title += f" (attempt {event['attempt']})"
        if event.get("replayed"):
            title += " (replayed)"
        if event.get("cached"):
            title += " (cached)"
        if event.get("fallback"):
            title += " (fallback)"
        stand_in = _stand_in(event)
        if stand_in:
            title += f" ⚠️ placeholder: {stand_in}"
        lines = [f"**inputs** `{_short(event.get('inputs'))}`"]
        if event.get("output") is not None:
            lines.append(f"**output** `{_short(event['output'])}`")
        if event.get("error"):
            lines.append(f"**error** {event['error']}")
        meta = {"title": title, "status": pending, "id": event.get("id")}
        if event.get("duration_s") is not None:
            meta["duration"] = event["duration_s"]
        return {"role": "assistant", "content": "\n\n".join(lines), "metadata": meta}
    if kind == "tools_loaded":
        names = ", ".join(f"`{t['name']}` ({t['space']} {t['endpoint']})" for t in event.get("tools", []))
        text = f"Tools: {names or 'none'}"
        for name, reason in (event.get("failed") or {}).items():
            text += f"\n\n⚠️ `{name}` unavailable: {reason}"
        for name, reasons in (event.get("refused_fallbacks") or {}).items():
            text += "".join(f"\n\n⚠️ `{name}`: {reason}" for reason in reasons)
        return {"role": "assistant", "content": text, "metadata": {"title": "🧰 Tools", "status": "done"}}
    if kind == "final_answer":
        return {"role": "assistant", "content": str(event.get("text", ""))}
    if kind == "run_finished" and event.get("error"):
        return {"role": "assistant", "content": f"⚠️ {event['error']}"}
    return None


def log_to_messages(log: dict[str, Any]) -> list[dict[str, Any]]:
    """The whole chain log as chat messages: the request, then one message per shown event."""
    messages = [{"role": "user", "content": log.get("request", "")}]
    for event in log.get("events", []):
        message = event_to_message(event)
        if message is not None:
            messages.append(message)
    return messages


def progress_line(event: dict[str, Any]) -> str | None:
    """A one-line CLI progress report for a finished step or Space call, else None."""
    kind = event.get("type")
    if kind == "space_call" and event.get("status") != "running":
        outcome = "ok" if event["status"] == "ok" else f"FAILED: {event.get('error')}"
        first = next(iter((event.get("inputs") or {}).values()), "")
        shown = f"{len(first)} files" if isinstance(first, list) else _short(first, 60)
        attempt = f" (attempt {event['attempt']})" if event.get("attempt", 1) > 1 else ""
        attempt += " (replayed from the journal)" if event.get("replayed") else ""
        attempt += " (cache hit)" if event.get("cached") else ""
        attempt += f" (placeholder: {_stand_in(event)})" if _stand_in(event) else ""
        return (f"[space] {event['tool']} {event['space']} {event['endpoint']} {shown}{attempt} "
                f"-> {outcome} ({event.get('duration_s') or 0:.2f} s)")
    if kind == "agent_step" and event.get("status") != "running":
        status = f"error: {event['error']}" if event.get("error") else "done"
        return f"[agent] step {event.get('step')} {status} ({event.get('duration_s') or 0:.2f} s)"
    if kind == "tools_loaded":
        return "[tools] " + ", ".join(t["name"] for t in event.get("tools", [])) + (
            "; unavailable: " + ", ".join(event["failed"]) if event.get("failed") else "") + "".join(
            f"; {name}: {reason}" for name, reasons in (event.get("refused_fallbacks") or {}).items()
            for reason in reasons)
    return None
