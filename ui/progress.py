"""Summaries of a chain log for people and programs: the progress counters and the one-line status."""

from __future__ import annotations

from typing import Any, Literal

from agent.run_log import AGENT_STEP, RUN_FINISHED, TOOLS_LOADED, ChainLog

RunState = Literal["running", "done", "failed", "cancelled"]


def progress(log: dict[str, Any]) -> dict[str, Any]:
    """How far a run is: {"space_calls_done", "space_calls_running", "current", "steps"}.

    `current` is "<tool> on <space> <endpoint>" for the Space call in flight (the latest one if several), else None.
    """
    events = ChainLog.view(log)
    calls = events.calls()
    running = [e for e in calls if e.get("status") == "running"]
    steps = {e.get("step") for e in events.of_type(AGENT_STEP)}
    current = running[-1] if running else None
    return {
        "space_calls_done": len(calls) - len(running),
        "space_calls_running": len(running),
        "current": f"{current['tool']} on {current['space']} {current['endpoint']}" if current else None,
        "steps": len(steps),
    }


def state_of(log: dict[str, Any], *, finished: bool, cancelled: bool) -> RunState:
    """The run's state from its log; `finished` says the snapshots ended, `cancelled` that someone asked to stop."""
    result = log.get("result") or {}
    if result.get("scene"):
        return "done"
    ended = ChainLog.view(log).first(RUN_FINISHED)
    if not finished and ended is None:
        return "running"
    if cancelled or (ended or {}).get("status") == "cancelled":
        return "cancelled"
    return "failed"


def status_line(log: dict[str, Any], *, cancelled: bool = False) -> str:
    """One Markdown line for the UI: step, Space calls, what runs now (with queue position/ETA when known)."""
    result = log.get("result") or {}
    counts = progress(log)
    if result.get("scene"):
        total = (log.get("timings") or {}).get("total_s", 0)
        stand_ins = placeholders(log)
        note = (f" · ⚠️ {len(stand_ins)} placeholder(s): " + "; ".join(stand_ins.values())) if stand_ins else ""
        return (f"✅ Done in {total:.1f} s · {counts['steps']} agent step(s) · {counts['space_calls_done']} Space "
                f"call(s){_cost_note(log)}{note} · run `{log.get('run_id')}`")
    if result.get("error"):
        icon = "⏹️" if cancelled else "⚠️"
        return f"{icon} {result['error']} · run `{log.get('run_id')}`"
    parts = [f"⏳ Step {max(counts['steps'], 1)}", f"{counts['space_calls_done']} Space call(s) done"]
    if counts["current"]:
        parts.append(f"now: **{counts['current']}**" + _queue_note(log))
    elif not ChainLog.view(log).of_type(TOOLS_LOADED):
        parts.append("connecting to the Spaces…")
    else:
        parts.append("the agent is planning…")
    return " · ".join(parts) + _cost_note(log)


def placeholders(log: dict[str, Any]) -> dict[str, str]:
    """Calls whose output says it is only a stand-in: the call's id -> the reason ("no builder for 'x'")."""
    found = {}
    for event in ChainLog.view(log).calls(status="ok"):
        output = event.get("output")
        for part in (output.values() if isinstance(output, dict) else []):
            if isinstance(part, dict) and isinstance(part.get("placeholder"), str):
                found[str(event.get("id"))] = part["placeholder"]
    return found


def _cost_note(log: dict[str, Any]) -> str:
    """" · 💰 9 calls, 12.3 Space-s, 0 tokens, $0.0000" from the chain log's live `cost` object."""
    cost = log.get("cost") or {}
    if not cost:
        return ""
    return (f" · 💰 {cost.get('space_calls', 0)} calls, {cost.get('space_seconds', 0):.1f} Space-s, "
            f"{cost.get('llm_tokens', 0)} tokens, ${cost.get('estimated_cost_usd', 0):.4f}")


def _queue_note(log: dict[str, Any]) -> str:
    # A Space call event may carry {"queue": {"rank", "size", "eta_s"}} when the Space reports its queue.
    running = ChainLog.view(log).calls(status="running")
    queue = (running[-1].get("queue") or {}) if running else {}
    notes = []
    if queue.get("rank") is not None:
        notes.append(f"queue position {queue['rank'] + 1}" + (f" of {queue['size']}" if queue.get("size") else ""))
    if queue.get("eta_s") is not None:
        notes.append(f"ETA {queue['eta_s']:.0f} s")
    return f" ({', '.join(notes)})" if notes else ""
