"""Pure functions that render the chain log: chat messages for the UI, progress lines for the CLI.

The chain log itself (its schema, the thread-safe `ChainLog` and its queries) lives in `agent.run_log`.
"""

from __future__ import annotations

import json
from typing import Any


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


def answer_text(answer: Any) -> str | None:
    """The agent's final answer as the sentence a person reads: the objects, what is missing, each placeholder."""
    if answer is None:
        return None
    if isinstance(answer, dict) and "objects" in answer:
        objects = list(answer.get("objects") or [])
        text = f"Scene ready with {len(objects)} object(s): {', '.join(map(str, objects))}."
        missing = answer.get("missing") or {}
        if missing:
            text += " Missing: " + "; ".join(f"{k} ({str(v)[:160]})" for k, v in missing.items()) + "."
        notes = answer.get("notes") or []  # e.g. "no builder for 'x': shown as a placeholder; ..."
        if notes:
            text += " Note: " + "; ".join(str(n)[:200] for n in notes) + "."
        return text
    if isinstance(answer, (dict, list)):
        return json.dumps(answer, default=str)[:2000]
    return str(answer)[:2000]
