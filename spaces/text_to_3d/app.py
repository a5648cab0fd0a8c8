"""Diorama companion Space: text -> low-poly GLB (landmarks at real size, keyword objects otherwise)."""

from __future__ import annotations

import logging
import os
import re
import tempfile

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

import t3d_generator  # noqa: E402

logger = logging.getLogger(__name__)


def generate(prompt: str, seed: float = 0) -> tuple[str, dict]:
    """Generate one low-poly 3D object from text and return it as a GLB file.

    Famous landmarks are built at their real size in metres (Paris: Eiffel Tower,
    Louvre Pyramid, Arc de Triomphe, Notre-Dame, Sacré-Cœur, Panthéon, Luxor
    Obelisk, Moulin Rouge; also Big Ben, Tower Bridge, London Eye, The Shard,
    Colosseum, Statue of Liberty, Empire State Building, Great Pyramid, Tokyo
    Tower and more). Any other text is matched to a keyword object at its real
    size: buildings and scenery (tower, dome, pyramid, arch, bridge, windmill,
    house, lighthouse, castle, church, temple, pagoda, torii gate, barn, silo...),
    furniture (desk, chair, table, sofa, bed, bookshelf...), tableware and kitchen
    things (mug, teapot, plate, kettle, fridge, stove...), electronics (laptop,
    monitor, phone, desk lamp, TV...), vehicles (car, bus, truck, bicycle, tractor,
    steam locomotive, plane, rocket...), plants (oak/pine/palm tree, bonsai, cactus,
    flower...), animals (cat, dog, horse, cow, pig, sheep, elephant, chicken...),
    people (person, knight) and playground and farm things (slide, swings, hay
    bale, fence...), with colour words (red, gold...) and size words (tiny, small,
    big, huge, tall) applied.
    Text no builder knows gives a small sculpture on a plinth, sized from its words
    (a toy is small, a station big), and says so: info["placeholder"] is then
    "no builder for '<text>'" (null otherwise), also in the GLB's
    scenes[0].extras.placeholder. glTF axes: +Y up, base on y = 0, centred on x = z = 0.

    Args:
        prompt: one object in plain words, e.g. "Eiffel Tower", "Tour Eiffel" or
            "a red lighthouse" (1-500 characters).
        seed: integer that varies small details such as tree crowns; the same
            prompt and seed always give the same file. Default 0.

    Returns:
        The path of the .glb file, and an info dict: name, match ("landmark" or
        "keyword"), kind, height_m, footprint_m [x, z] in metres, triangles,
        parts (node names), seed, colour and placeholder (null, or why the object
        is only a stand-in).
    """
    try:
        glb, info = t3d_generator.generate_glb(prompt, int(seed or 0))
    except t3d_generator.PromptError as exc:
        raise gr.Error(str(exc)) from exc
    slug = re.sub(r"[^a-z0-9]+", "_", info["kind"]).strip("_") or "object"
    path = os.path.join(tempfile.mkdtemp(prefix="t3d_"), f"{slug}.glb")
    with open(path, "wb") as fh:
        fh.write(glb)
    logger.info("generated %s (%d triangles, %d bytes)", info["kind"], info["triangles"], len(glb))
    return path, info


with gr.Blocks(title="Diorama text to 3D") as demo:
    gr.Markdown("# Text to 3D (low-poly)\nDescribe one object: a landmark such as *Eiffel Tower* or *Big Ben*, "
                "or something like *a red lighthouse* or *a huge oak tree*.")
    with gr.Row():
        with gr.Column():
            prompt_box = gr.Textbox(label="Prompt", placeholder="Eiffel Tower", max_lines=2)
            seed_box = gr.Number(label="Seed", value=0, precision=0)
            button = gr.Button("Generate", variant="primary")
            gr.Examples([["Eiffel Tower", 0], ["Sacré-Cœur", 0], ["a red lighthouse", 0], ["a huge oak tree", 3]],
                        inputs=[prompt_box, seed_box])
        with gr.Column():
            model_out = gr.Model3D(label="GLB")
            info_out = gr.JSON(label="Info")
    gr.on([button.click, prompt_box.submit], generate, inputs=[prompt_box, seed_box],
          outputs=[model_out, info_out], api_name="generate")

demo.queue(default_concurrency_limit=4)

if __name__ == "__main__":
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO").upper(), format="%(levelname)s %(name)s: %(message)s")
    demo.launch()
