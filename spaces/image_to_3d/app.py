"""Diorama companion Space: image -> an upright extruded silhouette GLB, coloured from the image."""

from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

import i23d_relief  # noqa: E402

logger = logging.getLogger(__name__)


def generate(image: str | dict | None, depth: float = 0.3, height_m: float = 2.0) -> str:
    """Turn an image of one subject on a plain background into a 3D relief and return it as a GLB file.

    The subject is cut out by its difference from the corner colour, then
    extruded: the front face shows the image, facing +Z; the model stands
    upright (+Y up) on y = 0, centred on x = 0, in metres. Nodes are named
    "<image name>/front", "/back" and "/sides".

    Args:
        image: a PNG, JPEG or WebP of one subject on a plain background (e.g. the
            output of a text-to-image tool).
        depth: thickness of the relief in metres, 0.05-2.0. Default 0.3.
        height_m: height of the subject in metres (the width follows the image's
            proportions). Default 2.0.

    Returns:
        The path of the .glb file.
    """
    if isinstance(image, dict):  # preprocess=False hands over the upload's FileData
        image = image.get("path")
    try:
        glb, info = i23d_relief.image_to_glb(image, depth_m=float(depth), height_m=float(height_m or 2.0))
    except i23d_relief.ImageInputError as exc:
        raise gr.Error(str(exc)) from exc
    stem = re.sub(r"[^a-z0-9]+", "_", Path(image or "relief").stem.lower()).strip("_")[:40] or "relief"
    path = os.path.join(tempfile.mkdtemp(prefix="i23d_"), f"{stem}.glb")
    with open(path, "wb") as fh:
        fh.write(glb)
    logger.info("relief of %s: %d cells, %d triangles, %d bytes", stem, info["cells"], info["triangles"], len(glb))
    return path


with gr.Blocks(title="Diorama image to 3D") as demo:
    gr.Markdown("# Image to 3D (extruded relief)\nUpload one subject on a plain background; get an upright, "
                "coloured 3D relief in metres.")
    with gr.Row():
        with gr.Column():
            image_box = gr.Image(type="filepath", label="Image")
            depth_box = gr.Slider(0.05, 2.0, value=0.3, step=0.01, label="Depth (m)")
            height_box = gr.Number(label="Height (m)", value=2.0)
            button = gr.Button("Generate", variant="primary")
        with gr.Column():
            model_out = gr.Model3D(label="GLB")
    button.click(generate, inputs=[image_box, depth_box, height_box], outputs=[model_out], api_name="generate",
                 # decode the upload ourselves: Gradio's own decoding fails on a bad file with a hidden error
                 preprocess=False)

demo.queue(default_concurrency_limit=4)

if __name__ == "__main__":
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO").upper(), format="%(levelname)s %(name)s: %(message)s")
    demo.launch()
