"""A stand-in for a remote GPU Space: the text_to_3d signature, 1 s of latency, a small ready-made GLB.

    python bench/latency_space.py FOLDER PORT

The speed benchmark runs it in its own process, as a remote Space would be:
served from the benchmark's own process it would compete with the client
under test for the GIL and the 2 cores, and the fan-out figures would measure
that contention instead of Diorama.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402
import trimesh  # noqa: E402

LATENCY_S = 1.0


def build(folder: Path) -> gr.Blocks:
    """The app: `/generate(prompt, seed)` waits LATENCY_S, then returns a 2 m box GLB and its name."""
    folder.mkdir(parents=True, exist_ok=True)
    box = trimesh.creation.box(extents=(1.0, 2.0, 1.0))
    box.apply_translation((0, 1.0, 0))
    template = folder / "box.glb"
    box.export(template)

    def generate(prompt: str, seed: int = 0) -> tuple[str, dict]:
        """Wait (remote GPU latency), then return a 2 m box."""
        time.sleep(LATENCY_S)
        target = folder / f"{abs(hash(prompt))}.glb"
        target.write_bytes(template.read_bytes())
        return str(target), {"name": prompt}

    with gr.Blocks() as demo:
        prompt, seed = gr.Textbox(label="Prompt"), gr.Number(label="Seed", value=0, precision=0)
        gr.Button().click(generate, [prompt, seed], [gr.Model3D(label="GLB"), gr.JSON(label="Info")],
                          api_name="generate", concurrency_limit=8)
    demo.queue()
    return demo


if __name__ == "__main__":
    out, port = Path(sys.argv[1]), int(sys.argv[2])
    build(out).launch(server_name="127.0.0.1", server_port=port, quiet=True, allowed_paths=[str(out)])
