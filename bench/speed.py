"""Speed benchmark: fan-out, per-call overhead, plan-once tokens, cache and the Paris run's split.

    python bench/speed.py             # ~2 minutes on a 2-core machine

Everything is measured side by side in one run, against real local Spaces:

1. Fan-out. A slow Space (bench/latency_space.py) is a local Gradio app in its
   own process with 1 s of latency per call (like a remote GPU Space: the time
   is spent waiting, not on this machine's CPU) that returns a small GLB;
   concurrency 8.
   Baseline: the original demo's way, one blocking `gradio_client` predict after
   another (8 assets, then the assembly). `fanout_ratio` = Diorama's wall time /
   (one asset + assembly, each timed with a bare predict). Target <= 1.3x.
   `fanout_vs_sequential` = Diorama / the sequential baseline;
   `fanout_vs_bare_parallel` = Diorama / (8 bare predicts at once + assembly):
   what gradio_client itself achieves with 8 warm clients in parallel.
2. Per-call overhead: Diorama's Space tool vs a bare `predict` on a trivial
   local endpoint, median of 60 calls each, interleaved. Target <= 1.10x.
3. Plan once: a scripted LLM that counts tokens writes one parallel_map step
   for 3, 6 and 12 objects. `tokens_growth` = tokens(12) / tokens(3).
4. Cache: rerun of the same request vs the first run (target <= 0.05x), and an
   edited request calls only the changed item + the assembly.
5. The headless Paris run split: start-up, planning, Space time (wall),
   assembly, and the rest as overhead (target <= 10% of the whole).
6. Heavy scene: 8 inputs of ~500k triangles, each with a 4096 px texture, sent to
   the scene Space: time to build, output triangles (budget 1,000,000), size
   (target <= 25 MB), objects still textured (8) and the largest texture side
   (capped at 2048 px).

The last lines read `NAME: VALUE (target OP TARGET) ok|MISS`.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import statistics  # noqa: E402

import gradio as gr  # noqa: E402
from gradio_client import Client, handle_file  # noqa: E402
from smolagents import ChatMessage, MessageRole, Model  # noqa: E402
from smolagents.monitoring import TokenUsage  # noqa: E402

from agent.config import Settings, ToolConfig  # noqa: E402
from agent.runner import ChainRunner  # noqa: E402
from tools import companions  # noqa: E402
from tools.registry import Registry  # noqa: E402
from tools.spaces import tls_context  # noqa: E402
from tools.space_tool import CallContext  # noqa: E402

PARIS = "Build a 3D gallery of Paris landmarks"
OBJECTS = ["Eiffel Tower", "Big Ben", "Colosseum", "Statue of Liberty", "Taj Mahal", "Tokyo Tower",
           "Space Needle", "Parthenon", "red lighthouse", "oak tree", "windmill", "blue house"]


class CountingLLM(Model):
    """A scripted LLM (the only fake) that plans once with parallel_map and counts the tokens it is sent."""

    def __init__(self, objects: list[str]) -> None:
        super().__init__(model_id="counting-llm")
        self.objects = objects
        self.tokens = 0

    def generate(self, messages, stop_sequences=None, response_format=None, tools_to_call_from=None, **kwargs):
        text = "\n".join(part.get("text", "") for m in messages for part in (m.content or [])
                         if isinstance(part, dict))
        code = (f"names = {self.objects!r}\n"
                "out = parallel_map(tool='text_to_3d', items=[{'prompt': n} for n in names])\n"
                "made = [n for n, o in zip(names, out) if o['ok']]\n"
                "files = [o['result']['glb'] for o in out if o['ok']]\n"
                "scene = assemble_scene(files=files, labels='\\n'.join(made), title='Bench')\n"
                "final_answer({'scene': scene['scene'], 'objects': made, 'missing': {}})")
        reply = f"Thought: I make every object at once, then assemble.\n<code>\n{code}\n</code>"
        usage = TokenUsage(input_tokens=len(text.split()), output_tokens=len(reply.split()))
        self.tokens += usage.input_tokens + usage.output_tokens
        return ChatMessage(role=MessageRole.ASSISTANT, content=reply, token_usage=usage)


def _settings(data: Path, text_space: str, parallel: int, cache: bool) -> Settings:
    tools = (ToolConfig("text_to_3d", text_space, "/generate", "text_to_3d"),
             ToolConfig("assemble_scene", "local:scene_builder", "/assemble", "scene_assembly"))
    return Settings.load(environ={}).with_overrides(
        tools=tools, data_dir=data, max_parallel_per_space=parallel, cache_enabled=cache, call_timeout_s=60.0)


def _timed(runner: ChainRunner, request: str) -> tuple[float, dict]:
    started = time.monotonic()
    outcome = runner.run_to_end(request)
    if outcome.error:
        raise SystemExit(f"bench run failed: {outcome.error}")
    return time.monotonic() - started, outcome.log


def _line(name: str, value: float, unit: str, op: str, target: float) -> str:
    ok = value <= target if op == "<=" else value >= target if op == ">=" else value == target
    shown = f"{value:.2f}{unit}" if unit else f"{value:g}"
    goal = f"{target:g}{unit}" if unit else f"{target:g}"
    return f"{name}: {shown} (target {op} {goal}) {'ok' if ok else 'MISS'}"


def _sequential_baseline(slow: str, scene_url: str, folder: Path) -> tuple[float, float, float]:
    """(total, one asset, assembly) seconds, the original demo's way: blocking predicts one after another."""
    names = ["Eiffel Tower", "Louvre Pyramid", "Arc de Triomphe", "Notre-Dame de Paris", "Sacré-Cœur",
             "Panthéon", "Luxor Obelisk", "Moulin Rouge"]
    text = Client(slow, verbose=False, download_files=str(folder))
    scene = Client(scene_url, verbose=False, download_files=str(folder))
    started = time.monotonic()
    single, files = [], []
    for name in names:
        t0 = time.monotonic()
        files.append(text.predict(name, 0, api_name="/generate")[0])
        single.append(time.monotonic() - t0)
    t0 = time.monotonic()
    scene.predict([handle_file(f) for f in files], "\n".join(names), "Paris", api_name="/assemble")
    assembly = time.monotonic() - t0
    return time.monotonic() - started, statistics.median(single), assembly


def _latency_space(folder: Path) -> tuple[subprocess.Popen, str]:
    """Start bench/latency_space.py (1 s per call) in its own process, as a remote Space is; wait until it answers."""
    port = companions.free_port()
    process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("latency_space.py")), str(folder),
                                str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    if not companions.wait_until_serving(url, 60, alive=lambda: process.poll() is None):
        process.kill()
        raise SystemExit("the 1 s latency Space did not start within 60 s")
    return process, url


def _bare_parallel(slow: str, folder: Path) -> float:
    """Seconds for 8 bare predicts at once, one warm Client each: the best gradio_client itself does here."""
    # the TLS context Diorama's clients share (tools.spaces.tls_context): only Diorama's own layers differ
    clients = [Client(slow, verbose=False, ssl_verify=tls_context(), download_files=str(folder / f"c{i}"))
               for i in range(8)]
    for client in clients:
        client.predict("warm", 0, api_name="/generate")
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda pair: pair[1].predict(f"p{pair[0]}", 0, api_name="/generate"), enumerate(clients)))
    return time.monotonic() - started


def echo_space() -> tuple[gr.Blocks, str]:
    """A trivial local Gradio app (`/echo` returns its text), launched in this process: (demo, url)."""
    def echo(text: str) -> str:
        """Return the text."""
        return text

    with gr.Blocks() as demo:
        box = gr.Textbox(label="Text")
        gr.Button().click(echo, box, gr.Textbox(label="Echo"), api_name="echo")
    demo.queue(default_concurrency_limit=8)
    _, url, _ = demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True)
    return demo, url


def _overhead(folder: Path) -> tuple[float, float]:
    """Median seconds per call: bare predict vs Diorama's Space tool, on a trivial local endpoint."""
    demo, url = echo_space()
    # the TLS context Diorama's clients share (tools.spaces.tls_context): only Diorama's own layers differ
    bare_client = Client(url, verbose=False, ssl_verify=tls_context())
    registry = Registry((ToolConfig("echo", url, "/echo"),), connect_timeout_s=10)
    tool = registry.load(CallContext(run_dir=folder, emit=lambda e: None, call_timeout_s=10)).tools["echo"]
    bare, ours = [], []
    for index in range(60):
        t0 = time.monotonic()
        bare_client.predict(f"x{index}", api_name="/echo")
        bare.append(time.monotonic() - t0)
        t0 = time.monotonic()
        tool(text=f"y{index}")
        ours.append(time.monotonic() - t0)
    demo.close()
    return statistics.median(bare), statistics.median(ours)


def _heavy_scene(scene_url: str, folder: Path) -> tuple[float, int, float, int, int]:
    """(seconds, output triangles, output MB, textured objects out, largest texture side out) for 8 inputs of
    ~500k triangles, each with a 4096 px texture, through the scene Space."""
    import numpy as np
    import trimesh
    from PIL import Image

    side = 4096
    u = np.linspace(0, 1, side, dtype=np.float32)
    stripes = (127 + 120 * np.sin(u * 40)).astype(np.uint8)
    texture = np.dstack([np.tile(stripes, (side, 1)), np.tile(stripes[:, None], (1, side)),
                         np.full((side, side), 90, np.uint8)])

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(8):
        n = 500
        x, z = np.meshgrid(np.linspace(0, 10, n), np.linspace(0, 10, n))
        y = np.sin(x * (1 + index)) * np.cos(z) + 3
        idx = np.arange(n * n).reshape(n, n)
        a, b, c, d = idx[:-1, :-1].ravel(), idx[:-1, 1:].ravel(), idx[1:, :-1].ravel(), idx[1:, 1:].ravel()
        faces = np.concatenate([np.column_stack([a, c, b]), np.column_stack([b, c, d])])
        mesh = trimesh.Trimesh(np.column_stack([x.ravel(), y.ravel(), z.ravel()]), faces, process=False)
        mesh.visual = trimesh.visual.TextureVisuals(
            uv=np.column_stack([x.ravel() / 10, z.ravel() / 10]),
            material=trimesh.visual.material.PBRMaterial(baseColorTexture=Image.fromarray(texture)))
        paths.append(folder / f"heavy_{index}.glb")
        mesh.export(paths[-1])
    client = Client(scene_url, verbose=False, download_files=str(folder / "out"))
    started = time.monotonic()
    path, layout = client.predict([handle_file(str(p)) for p in paths], "", "Heavy", api_name="/assemble")
    seconds = time.monotonic() - started
    scene = trimesh.load(path, file_type="glb", force="scene")
    images = [g.visual.material.baseColorTexture for g in scene.geometry.values()
              if getattr(getattr(g.visual, "material", None), "baseColorTexture", None) is not None
              and len(g.faces) > 1000]
    return (seconds, layout["triangles"], Path(path).stat().st_size / 1e6, len(images),
            max((max(i.size) for i in images), default=0))


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    work = Path(tempfile.mkdtemp(prefix="diorama-bench-"))
    urls = companions.ensure_started(["text_to_3d", "scene_builder"])
    latency_space, slow = _latency_space(work / "latency")
    print(f"slow Space: {slow} (1 s latency per call)")

    runner = ChainRunner(_settings(work / "fanout", slow, 8, cache=False))
    _timed(runner, PARIS)  # warm up, as a running server is: pooled connections and cached schemas
    diorama_wall, _ = _timed(runner, PARIS)
    sequential, one_asset, assembly = _sequential_baseline(slow, urls["scene_builder"], work / "baseline")
    floor = one_asset + assembly
    bare_parallel = _bare_parallel(slow, work / "bare")
    print(f"  fan-out: Diorama {diorama_wall:.2f} s; sequential predicts {sequential:.2f} s; "
          f"one asset {one_asset:.2f} s + assembly {assembly:.2f} s = {floor:.2f} s; "
          f"8 bare predicts at once {bare_parallel:.2f} s")

    bare, ours = _overhead(work / "overhead")
    print(f"  per call: bare predict {bare * 1000:.1f} ms, Diorama tool {ours * 1000:.1f} ms")

    tokens = {}
    for count in (3, 6, 12):
        llm = CountingLLM(OBJECTS[:count])
        runner = ChainRunner(_settings(work / f"t{count}", urls["text_to_3d"], 8, cache=False), llm=llm)
        _timed(runner, f"a gallery of {count} objects")
        tokens[count] = llm.tokens
        print(f"  {count} objects: {llm.tokens} LLM tokens")

    cached = ChainRunner(_settings(work / "cache", urls["text_to_3d"], 8, cache=True))
    first_wall, first = _timed(cached, PARIS)
    rerun_wall, rerun = _timed(cached, PARIS)

    def fresh(log: dict) -> list[dict]:
        return [e for e in log["events"] if e["type"] == "space_call" and not e.get("cached") and e["status"] == "ok"]

    edit_calls = len(fresh(_timed(cached, "a gallery of Eiffel Tower, Louvre Pyramid and a red lighthouse")[1]))
    print(f"  cache: first {first_wall:.2f} s, rerun {rerun_wall:.3f} s ({len(fresh(rerun))} Space calls)")

    split = first["timings"]
    parts = {k: split[k] for k in ("startup_s", "agent_s", "space_wall_s", "assembly_s")}
    overhead = max(0.0, split["total_s"] - sum(parts.values()))
    print("  Paris split: " + ", ".join(f"{k.removesuffix('_s')} {v:.2f} s" for k, v in parts.items())
          + f", overhead {overhead:.2f} s, total {split['total_s']:.2f} s")

    heavy_s, heavy_tris, heavy_mb, textured, texture_px = _heavy_scene(urls["scene_builder"], work / "heavy")
    print(f"  heavy scene: 8 x ~500k triangles with a 4096 px texture in, {heavy_tris:,} triangles out, "
          f"{textured} objects textured (largest {texture_px} px), {heavy_mb:.1f} MB, {heavy_s:.1f} s")

    print(_line("fanout_ratio", diorama_wall / floor, "x", "<=", 1.3))
    print(_line("fanout_vs_sequential", diorama_wall / sequential, "x", "<=", 0.5))
    print(_line("fanout_vs_bare_parallel", diorama_wall / (bare_parallel + assembly), "x", "<=", 1.2))
    print(_line("call_overhead", ours / bare, "x", "<=", 1.10))
    print(_line("tokens_growth", tokens[12] / tokens[3], "x", "<=", 1.2))
    print(_line("cache_rerun", rerun_wall / first_wall, "x", "<=", 0.05))
    print(_line("cache_edit_calls", edit_calls, "", "==", 2))
    print(_line("paris_overhead_share", overhead / split["total_s"] * 100, "%", "<=", 10))
    print(_line("heavy_scene_triangles", heavy_tris, "", "<=", 1_000_000))
    print(_line("heavy_scene_mb", heavy_mb, "MB", "<=", 25))
    print(_line("heavy_scene_build_s", heavy_s, "s", "<=", 60))
    print(_line("heavy_scene_textured_objects", textured, "", "==", 8))
    print(_line("heavy_scene_texture_px", texture_px, "", "<=", 2048))
    latency_space.terminate()
    companions.stop_all()


if __name__ == "__main__":
    main()
