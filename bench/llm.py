"""LLM benchmark: Diorama driven by a real model on any OpenAI-compatible server (llama.cpp, Ollama, vLLM).

    python bench/llm.py --url http://127.0.0.1:8717/v1                 # the built-in requests, once each
    python bench/llm.py --url URL --model NAME --repeat 2 --json out.json

Every request goes through the real app (bundled Spaces, the real runner and
worker), with the model writing the code and the built-in planner finishing
any run the model fails. One line per run, then a summary:

- success: a scene whose objects include every requested one (names matched in the GLB's nodes);
- by model: scenes the model made on its own (no planner);
- planner finished: runs the model failed, that the planner completed;
- steps (the model's), tokens in/out (the server's counts), wall time per run, and the slowest run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trimesh  # noqa: E402

from agent.config import Settings  # noqa: E402
from agent.runner import ChainRunner  # noqa: E402
from tools import companions  # noqa: E402

# (request, words that must each appear in some object's node name)
REQUESTS: list[tuple[str, list[str]]] = [
    ("A gallery of a red lighthouse and an oak tree", ["lighthouse", "oak"]),
    ("Build a 3D gallery of a windmill, a castle and a fountain", ["windmill", "castle", "fountain"]),
    ("A palm tree and a boat", ["palm", "boat"]),
    ("Big Ben and the Eiffel Tower side by side", ["big_ben", "eiffel"]),
    ("A small museum of a statue, a column and an obelisk", ["statue", "column", "obelisk"]),
]


def run_one(runner: ChainRunner, request: str, wanted: list[str]) -> dict:
    """Run one request; what the benchmark reports about it."""
    started = time.monotonic()
    outcome = runner.run_to_end(request)
    wall = time.monotonic() - started
    events = outcome.log["events"]
    calls = [e for e in events if e["type"] == "llm_call"]
    fallback = next((e for e in events if e["type"] == "fallback"), None)
    names: list[str] = []
    if outcome.scene is not None:
        scene = trimesh.load(outcome.scene, file_type="glb", force="scene")
        names = [n.lower() for n in scene.graph.transforms.children[scene.graph.base_frame]]
    valid = outcome.scene is not None and all(any(w in n for n in names) for w in wanted)
    return {"request": request, "scene": outcome.scene is not None, "valid": valid, "objects": names,
            "by_model": outcome.scene is not None and fallback is None, "planner_finished": fallback is not None,
            "account": fallback.get("text") if fallback else None, "error": outcome.error,
            "steps": len(calls), "outcomes": [c["outcome"] for c in calls],
            "tokens_in": sum(c["input_tokens"] for c in calls), "tokens_out": sum(c["output_tokens"] for c in calls),
            "wall_s": round(wall, 1), "llm_s": round(sum(c["elapsed_s"] for c in calls), 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="the server's /v1 URL, e.g. http://127.0.0.1:8717/v1")
    parser.add_argument("--model", default="local-model", help="model name sent to the server")
    parser.add_argument("--repeat", type=int, default=1, help="runs per request")
    parser.add_argument("--run-timeout", type=float, default=60.0, help="run budget, seconds")
    parser.add_argument("--call-timeout", type=float, default=20.0, help="limit of one LLM reply, seconds")
    parser.add_argument("--reserve", type=float, default=20.0, help="seconds kept for the planner")
    parser.add_argument("--max-steps", type=int, default=4)
    parser.add_argument("--max-tokens", type=int, default=400, help="max_tokens per step")
    parser.add_argument("--context", type=int, default=8192, help="the server's context size (n_ctx)")
    parser.add_argument("--structured", action="store_true", help="ask for JSON {thought, code} (response_format)")
    parser.add_argument("--system-in-user", action="store_true",
                        help="send the system prompt in the first user turn (llama-cpp-python's gemma format drops "
                             "system messages)")
    parser.add_argument("--no-fallback", action="store_true", help="pure LLM runs: the planner never finishes")
    parser.add_argument("--json", type=Path, help="also write every run's figures here")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="diorama-bench-llm-"))
    settings = Settings.load(environ={}).with_overrides(
        data_dir=data, model_provider="openai", llm_base_url=args.url, model_id=args.model, cache_enabled=False,
        run_timeout_s=args.run_timeout, llm_call_timeout_s=args.call_timeout, llm_fallback_reserve_s=args.reserve,
        max_steps=args.max_steps, max_tokens_per_step=args.max_tokens, llm_context_tokens=args.context,
        llm_structured=args.structured, llm_system_in_user=args.system_in_user, llm_fallback=not args.no_fallback)
    runner = ChainRunner(settings)
    runner.warm_up()
    runs = []
    try:
        for _ in range(args.repeat):
            for request, wanted in REQUESTS:
                result = run_one(runner, request, wanted)
                runs.append(result)
                print(f"{'ok  ' if result['valid'] else 'MISS'} {result['wall_s']:5.1f} s  steps {result['steps']} "
                      f"{result['outcomes']}  tokens {result['tokens_in']}/{result['tokens_out']}  "
                      f"{'model' if result['by_model'] else 'planner' if result['planner_finished'] else 'none'}"
                      f"  {request!r}: {result['account'] or result['error'] or 'made by the model'}", flush=True)
    finally:
        runner.close()
        companions.stop_all()
    n = len(runs)
    summary = {
        "runs": n, "success_rate": round(sum(r["valid"] for r in runs) / n, 3),
        "scenes": sum(r["scene"] for r in runs), "by_model": sum(r["by_model"] for r in runs),
        "planner_finished": sum(r["planner_finished"] for r in runs),
        "steps_mean": round(statistics.mean(r["steps"] for r in runs), 2),
        "tokens_in_mean": round(statistics.mean(r["tokens_in"] for r in runs)),
        "tokens_out_mean": round(statistics.mean(r["tokens_out"] for r in runs)),
        "wall_s_median": round(statistics.median(r["wall_s"] for r in runs), 1),
        "wall_s_max": max(r["wall_s"] for r in runs), "run_timeout_s": args.run_timeout,
    }
    for key, value in summary.items():
        print(f"{key}: {value}")
    if args.json:
        args.json.write_text(json.dumps({"settings": vars(args) | {"json": str(args.json)}, "summary": summary,
                                         "runs": runs}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
