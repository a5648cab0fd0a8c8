"""The headless run: `python app.py --prompt ... --out scene.glb --log chain.json`."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import TextIO

from agent.config import Settings
from agent.events import progress_line
from agent.runner import ChainRunner
from tools.errors import DioramaError


def run_headless(settings: Settings, prompt: str | None, *, out: Path | None, log_path: Path | None,
                 resume: str | None = None, stream: TextIO = sys.stdout) -> int:
    """Run one request (or resume a run), print a progress line per step and Space call, write the scene and log.

    Returns:
        0 when a scene was written, 1 when the run failed, 2 for a bad request.
    """
    runner = ChainRunner(settings)
    info = runner.model_info()
    print(f"[diorama] model: {info['provider']} ({info['id']})", file=stream, flush=True)
    printed: set[tuple[str | None, str]] = set()
    final: dict = {}
    try:
        snapshots = runner.resume(resume) if resume else runner.run(prompt or "")
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
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_path.write_text(json.dumps(final, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    result = final.get("result", {})
    timings = final.get("timings", {})
    if result.get("scene"):
        target = out or Path(f"{final['run_id']}.glb")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(result["scene"], target)
        if result.get("answer"):
            print(f"[answer] {result['answer']}", file=stream)
        print(f"[cost] {_cost_summary(final.get('cost', {}))}", file=stream)
        print(f"[done] scene: {target}  ({_timing_summary(timings)})", file=stream, flush=True)
        return 0
    reason = " ".join(str(result.get("error") or "no scene was produced").split())
    finished = [e for e in final.get("events", []) if e.get("type") == "space_call" and e.get("status") == "ok"]
    hint = f" Resume with: python app.py --resume {final['run_id']}" if finished else ""
    print(f"diorama: {reason}{hint}", file=sys.stderr)
    return 1


def _timing_summary(timings: dict) -> str:
    keys = ("startup_s", "agent_s", "space_calls_s", "assembly_s", "total_s")
    return ", ".join(f"{k.removesuffix('_s')} {timings.get(k, 0):.2f} s" for k in keys)


def _cost_summary(cost: dict) -> str:
    return (f"{cost.get('space_calls', 0)} Space calls, {cost.get('space_seconds', 0):.1f} Space-seconds, "
            f"{cost.get('llm_tokens', 0)} LLM tokens, ${cost.get('estimated_cost_usd', 0):.4f} estimated")
