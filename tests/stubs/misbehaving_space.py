"""A real Gradio app standing in for Spaces that misbehave, one endpoint per failure."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import gradio as gr
import trimesh

SLOW_SECONDS = 5.0


def _box_glb(name: str) -> str:
    box = trimesh.creation.box(extents=(1.0, 2.0, 1.0))
    box.apply_translation((0, 1.0, 0))
    scene = trimesh.Scene()
    scene.add_geometry(box, node_name=name, geom_name=name)
    folder = Path(tempfile.mkdtemp(prefix="stub-"))
    path = folder / f"{name}.glb"
    path.write_bytes(scene.export(file_type="glb"))
    return str(path)


def generate_ok(prompt: str, seed: int = 0):
    """Return a 2 m box named after the prompt, and an info dict."""
    return _box_glb("".join(c for c in prompt.lower() if c.isalnum()) or "box"), {"name": prompt, "seed": seed}


def generate_slow(prompt: str, seed: int = 0):
    """Sleep past any short deadline, then return a box."""
    time.sleep(SLOW_SECONDS)
    return generate_ok(prompt, seed)


def generate_delayed(prompt: str, seed: int = 0):
    """Answer correctly after 0.6 s (a slow but healthy Space)."""
    time.sleep(0.6)
    return generate_ok(prompt, seed)


def generate_serial(prompt: str, seed: int = 0):
    """A one-at-a-time Space (concurrency 1): 1.5 s per call, the others wait in its queue (long enough for a
    loaded machine to see each waiting call's place in line)."""
    time.sleep(1.5)
    return generate_ok(prompt, seed)


def generate_reject(prompt: str, seed: int = 0):
    """Reject every prompt with a user-facing error."""
    raise gr.Error(f"Prompt {prompt!r} is not allowed on this Space.")


def generate_crash(prompt: str, seed: int = 0):
    """Crash with a plain exception (the Space hides the reason)."""
    raise RuntimeError("internal failure")


def generate_html(prompt: str, seed: int = 0):
    """Return an HTML page saved as .glb (a real-world mistake)."""
    folder = Path(tempfile.mkdtemp(prefix="stub-"))
    path = folder / "model.glb"
    path.write_text("<!DOCTYPE html><html><body>Not Found</body></html>")
    return str(path), {"name": prompt}


def generate_fail_first(prompt: str, seed: int = 0):
    """Fail prompts containing 'flaky' the first time they are seen, then succeed."""
    if "flaky" in prompt and prompt not in _seen:
        _seen.add(prompt)
        raise RuntimeError("transient")
    return generate_ok(prompt, seed)


_seen: set[str] = set()


def echo_headers(prompt: str, request: gr.Request) -> dict:
    """Report the x-ip-token header this call arrived with (None if absent)."""
    return {"x-ip-token": request.headers.get("x-ip-token")}


def build() -> gr.Blocks:
    with gr.Blocks() as demo:
        prompt = gr.Textbox(label="Prompt")
        seed = gr.Number(label="Seed", value=0, precision=0)
        model, info = gr.Model3D(label="GLB"), gr.JSON(label="Info")
        endpoints = (generate_ok, generate_slow, generate_delayed, generate_reject, generate_crash, generate_html,
                     generate_fail_first)
        for fn in endpoints:
            gr.Button(fn.__name__).click(fn, [prompt, seed], [model, info], api_name=fn.__name__,
                                         concurrency_limit=4)
        gr.Button("headers").click(echo_headers, [prompt], [gr.JSON(label="Headers")], api_name="echo_headers")
        gr.Button("serial").click(generate_serial, [prompt, seed], [model, info], api_name="generate_serial",
                                  concurrency_limit=1)
    return demo


