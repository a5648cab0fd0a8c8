"""Sandbox benchmark: what the worker process costs per run and per tool call.

    python bench/sandbox.py           # ~1 minute on a 2-core machine

Measured side by side in one run, against real local Spaces:

1. Worker start: spawn to "ready" (imports plus confinement), median of 5 cold
   starts, and the layers this host gives.
2. Per-call overhead: a trivial local Gradio endpoint called by a bare
   `gradio_client` predict, and by the agent's code in a worker (the code calls the
   tool stub; the request crosses the pipe; the broker checks it and calls the
   Space tool), median of 40 calls each, interleaved. Target <= 1.10x.
3. The Paris run (offline planner, cache off, bundled Spaces): the same run with
   the code in a worker and with the code in the app process (the old in-process
   screen), 3 runs each, interleaved; `paris_worker_overhead` = (worker - in
   process) / worker. Target <= 5% of wall time.

The last lines read `NAME: VALUE (target OP TARGET) ok|MISS`.
"""

from __future__ import annotations

import argparse
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

from gradio_client import Client  # noqa: E402

from agent.broker import InProcessExecutor, Worker, WorkerExecutor, WorkerPool  # noqa: E402
from agent.config import Settings, ToolConfig  # noqa: E402
from agent.confine import WorkerLimits  # noqa: E402
from agent.runner import ChainRunner  # noqa: E402
from bench.speed import echo_space  # noqa: E402
from tools import companions  # noqa: E402
from tools.registry import Registry  # noqa: E402
from tools.spaces import tls_context  # noqa: E402
from tools.space_tool import CallContext  # noqa: E402

PARIS = "Build a 3D gallery of Paris landmarks"


def _line(name: str, value: float, unit: str, op: str, target: float) -> str:
    ok = value <= target if op == "<=" else value >= target
    return f"{name}: {value:.3f}{unit} (target {op} {target:g}{unit}) {'ok' if ok else 'MISS'}"


def _worker_start() -> tuple[float, list[str]]:
    times, layers = [], []
    for _ in range(5):
        started = time.monotonic()
        worker = Worker(WorkerLimits()).wait_ready()
        times.append(time.monotonic() - started)
        layers = worker.layers
        worker.kill()
    return statistics.median(times), layers


def _per_call(folder: Path) -> tuple[float, float]:
    demo, url = echo_space()
    # the TLS context Diorama's clients share (tools.spaces.tls_context): only Diorama's own layers differ
    bare_client = Client(url, verbose=False, ssl_verify=tls_context())
    registry = Registry((ToolConfig("echo", url, "/echo"),), connect_timeout_s=10)
    tool = registry.load(CallContext(run_dir=folder, emit=lambda e: None, call_timeout_s=10)).tools["echo"]
    pool = WorkerPool(WorkerLimits())
    executor = WorkerExecutor(pool, folder)
    executor.send_tools({"echo": tool})
    executor("echo(text='warm')")
    bare, ours = [], []
    for index in range(40):
        started = time.monotonic()
        bare_client.predict(f"x{index}", api_name="/echo")
        bare.append(time.monotonic() - started)
        started = time.monotonic()
        executor(f"r = echo(text='y{index}')")
        ours.append(time.monotonic() - started)
    executor.cleanup()
    pool.close()
    demo.close()
    return statistics.median(bare), statistics.median(ours)


def _paris(work: Path) -> tuple[float, float]:
    settings = Settings.load(environ={}).with_overrides(cache_enabled=False, data_dir=work / "paris")
    worker_runner = ChainRunner(settings)
    inprocess_runner = ChainRunner(settings)

    def in_process(run_dir: Path, own_code: bool, emit) -> InProcessExecutor:  # the old way, for comparison
        emit({"type": "sandbox", "layers": ["in-process"]})
        return InProcessExecutor(run_dir)

    inprocess_runner._executor = in_process  # type: ignore[method-assign]
    worker_runner.warm_up()
    for runner in (worker_runner, inprocess_runner):  # warm: pooled connections, cached schemas, a spare worker
        runner.run_to_end(PARIS)
    walls: dict[str, list[float]] = {"worker": [], "in-process": []}
    for _ in range(3):
        for name, runner in (("worker", worker_runner), ("in-process", inprocess_runner)):
            time.sleep(1.0)  # let the spare worker finish starting: a server has idle time between runs
            started = time.monotonic()
            outcome = runner.run_to_end(PARIS)
            walls[name].append(time.monotonic() - started)
            if outcome.error:
                raise SystemExit(f"bench run failed: {outcome.error}")
    worker_runner.close()
    return statistics.median(walls["worker"]), statistics.median(walls["in-process"])


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    work = Path(tempfile.mkdtemp(prefix="diorama-bench-sandbox-"))
    companions.ensure_started(["text_to_3d", "scene_builder"])

    start_s, layers = _worker_start()
    print(f"  worker start: {start_s:.2f} s to ready; layers: {' + '.join(layers)}")
    bare, ours = _per_call(work)
    print(f"  per call: bare predict {bare * 1000:.1f} ms, from a worker's code {ours * 1000:.1f} ms")
    worker_wall, inprocess_wall = _paris(work)
    print(f"  Paris run: worker {worker_wall:.2f} s, in process {inprocess_wall:.2f} s")

    print(_line("call_overhead", ours / bare, "x", "<=", 1.10))
    print(_line("paris_worker_overhead", max(0.0, worker_wall - inprocess_wall) / worker_wall * 100, "%", "<=", 5))
    companions.stop_all()


if __name__ == "__main__":
    main()
