"""Diorama companion Space: text -> a flat PNG illustration of one subject (procedural, no model)."""

from __future__ import annotations

import logging
import os
import re
import tempfile

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

import t2i_draw  # noqa: E402

logger = logging.getLogger(__name__)


def generate(prompt: str, seed: float = 0, width: float = 512, height: float = 512) -> str:
    """Draw one subject as a flat illustration on a plain background and return it as a PNG file.

    Known subjects (tower, pyramid, obelisk, tree, pine, palm, house, lighthouse,
    windmill, dome, arch, castle, church, skyscraper, bridge, and landmarks such as
    "Eiffel Tower" or "Taj Mahal") are drawn as their silhouette; anything else
    gives a small monument. Colour words (red, gold, blue...) recolour the subject.
    The background is one flat colour touching every edge.

    Args:
        prompt: one subject in plain words, e.g. "a red lighthouse" (1-500 characters).
        seed: integer that varies the background tint and proportions; the same
            prompt and seed always give the same image. Default 0.
        width: image width in pixels, 64-1024. Default 512.
        height: image height in pixels, 64-1024. Default 512.

    Returns:
        The path of the .png file.
    """
    try:
        png, info = t2i_draw.draw_png(prompt, int(seed or 0), int(width), int(height))
    except t2i_draw.PromptError as exc:
        raise gr.Error(str(exc)) from exc
    slug = re.sub(r"[^a-z0-9]+", "_", prompt.lower()).strip("_")[:40] or info["subject"]
    path = os.path.join(tempfile.mkdtemp(prefix="t2i_"), f"{slug}.png")
    with open(path, "wb") as fh:
        fh.write(png)
    logger.info("drew %s (%dx%d, %d bytes)", info["subject"], int(width), int(height), len(png))
    return path


with gr.Blocks(title="Diorama text to image") as demo:
    gr.Markdown("# Text to image (flat illustration)\nDescribe one subject: *a red lighthouse*, "
                "*Eiffel Tower*, *a green windmill*.")
    with gr.Row():
        with gr.Column():
            prompt_box = gr.Textbox(label="Prompt", placeholder="a red lighthouse", max_lines=2)
            seed_box = gr.Number(label="Seed", value=0, precision=0)
            width_box = gr.Slider(64, 1024, value=512, step=1, label="Width (px)")
            height_box = gr.Slider(64, 1024, value=512, step=1, label="Height (px)")
            button = gr.Button("Generate", variant="primary")
            gr.Examples([["a red lighthouse", 0, 512, 512], ["Eiffel Tower", 0, 512, 512],
                         ["a green windmill", 1, 512, 512]], inputs=[prompt_box, seed_box, width_box, height_box])
        with gr.Column():
            image_out = gr.Image(type="filepath", label="Image", format="png")
    gr.on([button.click, prompt_box.submit], generate, inputs=[prompt_box, seed_box, width_box, height_box],
          outputs=[image_out], api_name="generate")

demo.queue(default_concurrency_limit=4)

if __name__ == "__main__":
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO").upper(), format="%(levelname)s %(name)s: %(message)s")
    demo.launch()
