"""Fault-injecting Space (a test tool): the text_to_3d `/generate` endpoint, forwarded to a real Space,
failing on purpose the way hosted Spaces fail.

Configured at start-up by FAULT_TARGET (base URL of the real Space, required), FAULT_P,
FAULT_SEED, FAULT_MODES and FAULT_HANG_S, and at run time by the `/configure` endpoint;
`/stats` reports what was injected. See README.md for each failure mode.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402
from gradio_client import Client  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402

from fi_faults import MODES, FaultConfig, FaultConfigError, FaultState  # noqa: E402
from fi_http import MODE_HEADER, FaultMiddleware, HideDroppedConnections, StreamDrops  # noqa: E402

logger = logging.getLogger(__name__)

TARGET = os.environ.get("FAULT_TARGET", "").strip()
FORWARD_TIMEOUT_S = 60.0  # one forwarded call to the target; its own deadline, so no call here waits forever
DROP_WAIT_S = 5.0  # how long connection_reset waits for the caller's event stream to be open
KEEP_FILES_S = 600.0  # bad files written for a call are deleted after this long
ZEROGPU_MESSAGE = "You have exceeded your GPU quota (60s requested vs. 56s left). Try again in 1:02:03"

STATE = FaultState(FaultConfig.from_env(os.environ))
DROPS = StreamDrops()
_client_lock = threading.Lock()
_client: Client | None = None
_work_dir: Path | None = None
_call_dirs: deque[tuple[float, Path]] = deque()


def generate(prompt: str, seed: float = 0, request: gr.Request = None) -> tuple[str | None, dict]:
    """Generate one low-poly 3D object from text and return it as a GLB file.

    Famous landmarks are built at their real size in metres (Paris: Eiffel Tower,
    Louvre Pyramid, Arc de Triomphe, Notre-Dame, Sacré-Cœur, Panthéon, Luxor
    Obelisk, Moulin Rouge; and many more); any other text is matched to a keyword
    object (tower, dome, windmill, oak tree, lighthouse, ...). glTF axes: +Y up,
    base on y = 0, centred on x = z = 0.

    Args:
        prompt: one object in plain words, e.g. "Eiffel Tower" or "a red lighthouse"
            (1-500 characters).
        seed: integer that varies small details; the same prompt and seed give the
            same file. Default 0.

    Returns:
        The path of the .glb file, and an info dict: name, kind, height_m,
        footprint_m [x, z] in metres, triangles, parts, seed.
    """
    # The middleware decided this call's fate at its queue join; calls that bypass the queue carry no decision.
    mode = request.headers.get(MODE_HEADER.decode()) if request is not None else None
    if mode == "zerogpu_quota":
        raise gr.Error(ZEROGPU_MESSAGE, title="ZeroGPU quota exceeded")
    if mode == "hidden_error":
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")  # hidden: launched without show_error
    if mode == "input_error":
        raise gr.Error(f"Prompt contains unsupported characters: {prompt[:60]!r}. Use letters, digits and spaces.")
    if mode == "connection_reset":
        if DROPS.drop(request.session_hash or "", wait_s=DROP_WAIT_S):
            return None, {}  # nobody receives this: the caller's stream is gone
        raise gr.Error("fault_injector: connection_reset found no open event stream to drop.")
    if mode == "hang":
        time.sleep(STATE.config.hang_s)
    if mode == "wrong_shape":
        return None, {"status": "no mesh was generated"}
    if mode == "html_as_glb":
        page = ("<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head>"
                "<body><h1>503 Service Unavailable</h1><p>The model server is restarting.</p></body></html>")
        return _bad_file("model.glb", page.encode()), {"name": prompt}
    if mode == "empty_file":
        return _bad_file("model.glb", b""), {"name": prompt}
    path, info = _forward(prompt, seed)
    if mode == "truncated_glb":
        data = Path(path).read_bytes()
        return _bad_file(Path(path).name, data[: len(data) // 2]), info
    return path, info


def configure(p: float, seed: float, modes: str, hang_s: float) -> dict[str, Any]:
    """Change the faults without a restart and reset the per-prompt call counters and the stats.

    Args:
        p: probability, 0-1, that one /generate call fails, e.g. 0.3.
        seed: integer seed; the same seed and sequence of calls give the same faults.
        modes: "all" or a comma list of failure modes, e.g. "queue_full,hang".
        hang_s: seconds the "hang" mode waits before answering, e.g. 3.

    Returns:
        The active configuration: p, seed, modes, hang_s.
    """
    try:
        config = FaultConfig.build(p, seed, modes, hang_s)
    except FaultConfigError as exc:
        raise gr.Error(str(exc)) from exc
    STATE.configure(config)
    logger.info("configured %s", config)
    return config.as_dict()


def stats() -> dict[str, Any]:
    """Counts since the last /configure: calls, ok, faults per mode, forward_errors, and the config."""
    return STATE.stats()


def _forward(prompt: str, seed: float) -> tuple[str, dict]:
    """Call the target's /generate and return its (local GLB path, info)."""
    global _client
    try:
        with _client_lock:
            if _client is None:
                _client = Client(TARGET, verbose=False, download_files=str(_dir() / "downloads"))
            client = _client
        path, info = client.submit(prompt, seed, api_name="/generate").result(timeout=FORWARD_TIMEOUT_S)
    except AppError as exc:  # the target's own error (e.g. an empty prompt) passes through unchanged
        raise gr.Error(exc.message or str(exc)) from exc
    except Exception as exc:
        STATE.count("forward_error")
        with _client_lock:
            _client = None  # reconnect next time: the target may have restarted
        logger.warning("forward to %s failed: %s: %s", TARGET, type(exc).__name__, exc)
        raise gr.Error(f"fault_injector could not get an answer from its target {TARGET} "
                       f"({type(exc).__name__}); check that it is running.") from exc
    return path, info


def _dir() -> Path:
    global _work_dir
    if _work_dir is None:
        _work_dir = Path(tempfile.mkdtemp(prefix="fault_injector_"))
    return _work_dir


def _bad_file(name: str, content: bytes) -> str:
    """Write `content` to a fresh folder and return the path; folders older than KEEP_FILES_S are removed."""
    now = time.monotonic()
    with _client_lock:
        while _call_dirs and now - _call_dirs[0][0] > KEEP_FILES_S:
            shutil.rmtree(_call_dirs.popleft()[1], ignore_errors=True)
        folder = Path(tempfile.mkdtemp(prefix="call_", dir=_dir()))
        _call_dirs.append((now, folder))
    path = folder / name
    path.write_bytes(content)
    return str(path)


with gr.Blocks(title="Fault injector (test tool)", delete_cache=(600, 1200)) as demo:
    gr.Markdown("# Fault injector — a test tool\nThe text-to-3D `/generate` endpoint of the Space at "
                f"`{TARGET or 'FAULT_TARGET (not set)'}`, failing on purpose. Modes: {', '.join(MODES)}.")
    with gr.Row():
        with gr.Column():
            prompt_box = gr.Textbox(label="Prompt", placeholder="Eiffel Tower", max_lines=2)
            seed_box = gr.Number(label="Seed", value=0, precision=0)
            button = gr.Button("Generate", variant="primary")
        with gr.Column():
            model_out = gr.Model3D(label="GLB")
            info_out = gr.JSON(label="Info")
    gr.on([button.click, prompt_box.submit], generate, inputs=[prompt_box, seed_box],
          outputs=[model_out, info_out], api_name="generate", concurrency_limit=16)
    with gr.Accordion("Faults", open=False):
        current = STATE.config
        p_box = gr.Number(label="p", value=current.p, minimum=0, maximum=1)
        fault_seed_box = gr.Number(label="seed", value=current.seed, precision=0)
        modes_box = gr.Textbox(label="modes", value=",".join(current.modes) if current.modes != MODES else "all")
        hang_box = gr.Number(label="hang_s", value=current.hang_s, minimum=0)
        config_out, stats_out = gr.JSON(label="Config"), gr.JSON(label="Stats")
        gr.Button("Configure").click(configure, [p_box, fault_seed_box, modes_box, hang_box], config_out,
                                     api_name="configure")
        gr.Button("Stats").click(stats, None, stats_out, api_name="stats")

GENERATE_FN_INDEX = next(fn._id for fn in demo.fns.values() if fn.api_name == "generate")
demo.queue(default_concurrency_limit=4)

if __name__ == "__main__":
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO").upper(), format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per forwarded request is noise
    logging.getLogger("uvicorn.error").addFilter(HideDroppedConnections())
    if not TARGET:
        raise SystemExit("FAULT_TARGET is not set: give the base URL of the Space to forward to, "
                         "e.g. FAULT_TARGET=http://127.0.0.1:7861/.")
    demo.launch(app_kwargs={"middleware": [
        Middleware(FaultMiddleware, state=STATE, fn_index=GENERATE_FN_INDEX, drops=DROPS)]})
