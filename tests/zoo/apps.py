"""Small Gradio apps covering the API shapes a Space can have; each builder returns an unlaunched Blocks.

Shapes: one input/one output, several outputs (file + HTML + number), file in/file
out, Model3D out, several named endpoints, events without api_name, a generator,
a stateful two-step Space (gr.State), a slow Space, choices and sliders, image in, a
TRELLIS-shaped three-step Space for multi-call tools, and a Button used as an input.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

import gradio as gr
import trimesh

SLOW_S = 1.2


def _tmp(name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix="zoo-")) / name


def echo() -> gr.Blocks:
    def shout(text: str) -> str:
        """Shout the text back in capitals with an exclamation mark."""
        return text.upper() + "!"

    with gr.Blocks(title="Zoo Echo") as demo:
        text, out = gr.Textbox(label="Text"), gr.Textbox(label="Shouted")
        gr.Button().click(shout, [text], [out], api_name="shout")
    return demo


def report() -> gr.Blocks:
    def make_report(title: str, count: float = 3) -> tuple[str, str, float]:
        """Write a small text report about a title, render it as HTML and score it.

        Args:
            title: what the report is about.
            count: how many lines to write.
        """
        lines = [f"{i + 1}. {title}" for i in range(int(count))]
        path = _tmp("report.txt")
        path.write_text("\n".join(lines) + "\n")
        return str(path), "<ol>" + "".join(f"<li>{title}</li>" for _ in lines) + "</ol>", len(title) * count

    with gr.Blocks(title="Zoo Report") as demo:
        title, count = gr.Textbox(label="Title"), gr.Number(label="Lines", value=3, precision=0)
        outs = [gr.File(label="Report file"), gr.HTML(label="Preview"), gr.Number(label="Score")]
        gr.Button().click(make_report, [title, count], outs, api_name="report")
    return demo


def files() -> gr.Blocks:
    def reverse_lines(document: str) -> str:
        """Reverse the order of the lines of a text file and return the new file."""
        text = Path(document).read_text()
        path = _tmp("reversed.txt")
        path.write_text("\n".join(reversed(text.splitlines())) + "\n")
        return str(path)

    with gr.Blocks(title="Zoo Files") as demo:
        doc, out = gr.File(label="Document", type="filepath"), gr.File(label="Reversed")
        gr.Button().click(reverse_lines, [doc], [out], api_name="reverse_lines")
    return demo


def model3d() -> gr.Blocks:
    def make_box(size_m: float = 1.0) -> str:
        """Make a cube standing on the ground and return it as a GLB file."""
        box = trimesh.creation.box(extents=(size_m, size_m, size_m))
        box.apply_translation((0, size_m / 2, 0))
        scene = trimesh.Scene()
        scene.add_geometry(box, node_name="cube", geom_name="cube")
        path = _tmp("cube.glb")
        path.write_bytes(scene.export(file_type="glb"))
        return str(path)

    with gr.Blocks(title="Zoo Model3D") as demo:
        size, out = gr.Number(label="Size (m)", value=1.0), gr.Model3D(label="GLB")
        gr.Button().click(make_box, [size], [out], api_name="make_box")
    return demo


def calculator() -> gr.Blocks:
    def add(a: float, b: float) -> float:
        """Add two numbers."""
        return a + b

    def multiply(a: float, b: float) -> float:
        """Multiply two numbers."""
        return a * b

    with gr.Blocks(title="Zoo Calculator") as demo:
        a, b, out = gr.Number(label="A"), gr.Number(label="B"), gr.Number(label="Result")
        gr.Button("add").click(add, [a, b], [out], api_name="add")
        gr.Button("multiply").click(multiply, [a, b], [out], api_name="multiply")
    return demo


def unnamed() -> gr.Blocks:
    """Events without api_name: Gradio 6 names them after the function ("/count_words", "/lambda");
    api_name=False hides one entirely."""

    def count_words(text: str) -> int:
        """Count the words in a text."""
        return len(text.split())

    def secret(text: str) -> str:
        return "hidden"

    with gr.Blocks(title="Zoo Unnamed") as demo:
        text, out = gr.Textbox(label="Text"), gr.Number(label="Words", precision=0)
        button = gr.Button()
        button.click(count_words, [text], [out])
        button.click(lambda t: t[::-1], [text], [gr.Textbox(label="Reversed")])
        button.click(secret, [text], [gr.Textbox(label="Secret")], api_name=False)
    return demo


def generator() -> gr.Blocks:
    def countdown(start: float = 3) -> Iterator[str]:
        """Count down from a number, one value at a time; the last value is "liftoff"."""
        for i in range(int(start), 0, -1):
            yield str(i)
            time.sleep(0.05)
        yield "liftoff"

    with gr.Blocks(title="Zoo Generator") as demo:
        start, out = gr.Number(label="Start", value=3, precision=0), gr.Textbox(label="Count")
        gr.Button().click(countdown, [start], [out], api_name="countdown")
    return demo


def stateful() -> gr.Blocks:
    def remember(note: str, notes: list[str]) -> tuple[str, list[str]]:
        """Store a note in this session's memory."""
        notes = [*notes, note]
        return f"{len(notes)} note(s) stored", notes

    def recall(notes: list[str]) -> str:
        """Return every note stored in this session, joined by '; '."""
        return "; ".join(notes) if notes else "(nothing stored)"

    with gr.Blocks(title="Zoo Memory") as demo:
        notes = gr.State([])
        note, status, out = gr.Textbox(label="Note"), gr.Textbox(label="Status"), gr.Textbox(label="Notes")
        gr.Button("remember").click(remember, [note, notes], [status, notes], api_name="remember")
        gr.Button("recall").click(recall, [notes], [out], api_name="recall")
    return demo


def slow() -> gr.Blocks:
    def slow_echo(text: str) -> str:
        """Echo the text after thinking for a while (about 1.2 seconds)."""
        time.sleep(SLOW_S)
        return text

    with gr.Blocks(title="Zoo Slow") as demo:
        text, out = gr.Textbox(label="Text"), gr.Textbox(label="Echo")
        gr.Button().click(slow_echo, [text], [out], api_name="slow_echo")
    return demo


def choices() -> gr.Blocks:
    def configure(shape: str, colour: str, size: float, count: float, hollow: bool) -> dict:
        """Describe a configured object as JSON."""
        return {"shape": shape, "colour": colour, "size": size, "count": int(count), "hollow": hollow}

    with gr.Blocks(title="Zoo Choices") as demo:
        inputs = [gr.Dropdown(["cube", "sphere", "cone"], value="cube", label="Shape"),
                  gr.Radio(["red", "green", "blue"], value="red", label="Colour"),
                  gr.Slider(0.5, 5.0, value=1.0, step=0.5, label="Size (m)"),
                  gr.Slider(1, 10, value=2, step=1, label="Count"),
                  gr.Checkbox(label="Hollow", value=False)]
        gr.Button().click(configure, inputs, [gr.JSON(label="Config")], api_name="configure")
    return demo


def image_size() -> gr.Blocks:
    def measure(image: str) -> str:
        """Report an image's width and height in pixels, e.g. "64x32"."""
        from PIL import Image

        with Image.open(image) as im:
            return f"{im.width}x{im.height}"

    with gr.Blocks(title="Zoo Image") as demo:
        image, out = gr.Image(type="filepath", label="Picture"), gr.Textbox(label="Size")
        gr.Button().click(measure, [image], [out], api_name="measure")
    return demo


def trellis() -> gr.Blocks:
    """TRELLIS-shaped: three endpoints, the last two sharing the session's gr.State.

    /preprocess_image (image -> the subject cropped out, PNG), /image_to_3d (image, seed -> the shape kept in a
    gr.State, plus a preview caption), /extract_glb (that State, mesh_simplify, texture_size -> Model3D GLB: a
    0.1 m thick box as wide and tall as the subject at 1 px = 1 cm, its node named after seed and options).
    /extract_glb in a session where /image_to_3d did not run fails: the State is empty. Seed 13 fails once per
    process inside /image_to_3d with a hidden error (a transient failure, for retries).
    """
    flaky = {"seed_13": 1}

    def preprocess_image(image: str) -> str:
        """Cut the subject (pixels that differ from the corner colour) out of the image."""
        from PIL import Image, ImageChops

        with Image.open(image) as im:
            rgb = im.convert("RGB")
        box = ImageChops.difference(rgb, Image.new("RGB", rgb.size, rgb.getpixel((0, 0)))).getbbox()
        if box is None:
            raise gr.Error("The image is one plain colour: there is no subject to reconstruct.")
        path = _tmp("preprocessed.png")
        rgb.crop(box).save(path)
        return str(path)

    def image_to_3d(image: str, seed: float = 0) -> tuple[dict, str]:
        """Reconstruct a 3D shape from the image and keep it in this session."""
        from PIL import Image

        with Image.open(image) as im:
            width, height = im.size
        if min(width, height) < 8:
            raise gr.Error(f"The subject is only {width}x{height} px; give a picture of at least 8x8 px.")
        if int(seed) == 13 and flaky["seed_13"]:
            flaky["seed_13"] -= 1
            raise RuntimeError("CUDA out of memory (transient)")
        shape = {"width_m": width / 100, "height_m": height / 100, "seed": int(seed)}
        return shape, f"shape {width}x{height} px, seed {int(seed)}"

    def extract_glb(shape: dict | None, mesh_simplify: float = 0.95, texture_size: float = 1024) -> str:
        """Export the shape reconstructed in this session as a GLB file."""
        if not shape:
            raise gr.Error("No shape in this session: call /image_to_3d first.")
        box = trimesh.creation.box(extents=(shape["width_m"], shape["height_m"], 0.1))
        box.apply_translation((0, shape["height_m"] / 2, 0))
        scene = trimesh.Scene()
        name = f"seed{shape['seed']}_tex{int(texture_size)}_simplify{mesh_simplify:g}"
        scene.add_geometry(box, node_name=name, geom_name="shape")
        path = _tmp("shape.glb")
        path.write_bytes(scene.export(file_type="glb"))
        return str(path)

    with gr.Blocks(title="Zoo Trellis") as demo:
        shape = gr.State(None)
        image, cropped = gr.Image(type="filepath", label="Image"), gr.Image(type="filepath", label="Preprocessed")
        seed, preview = gr.Number(label="Seed", value=0, precision=0), gr.Textbox(label="Preview")
        simplify = gr.Slider(0.9, 0.98, value=0.95, step=0.01, label="Simplify")
        texture = gr.Slider(512, 2048, value=1024, step=512, label="Texture Size")
        gr.Button("preprocess").click(preprocess_image, [image], [cropped], api_name="preprocess_image")
        gr.Button("generate").click(image_to_3d, [cropped, seed], [shape, preview], api_name="image_to_3d")
        gr.Button("extract").click(extract_glb, [shape, simplify, texture], [gr.Model3D(label="Extracted GLB")],
                                   api_name="extract_glb")
    return demo


def obj_model() -> gr.Blocks:
    """TripoSR-shaped: a text-to-3D endpoint whose Model3D is a Wavefront OBJ (a point-cloud PLY for "points")."""
    import numpy as np
    import trimesh

    def generate(prompt: str, seed: int = 0) -> str:
        """Make a coloured box as an OBJ file; the prompt "points" gives a PLY point cloud instead."""
        folder = _tmp("obj")
        folder.mkdir(parents=True, exist_ok=True)
        if prompt == "points":
            cloud = trimesh.PointCloud(np.random.default_rng(seed).random((200, 3)))
            path = folder / "cloud.ply"
            cloud.export(path)
            return str(path)
        box = trimesh.creation.box(extents=(1.0, 2.0, 1.0))
        box.visual.vertex_colors = [200, 40, 40, 255]
        path = folder / f"{prompt.replace(' ', '_')[:40] or 'box'}.obj"
        box.export(path)
        return str(path)

    with gr.Blocks(title="Zoo OBJ Model") as demo:
        prompt, seed = gr.Textbox(label="Prompt"), gr.Number(label="Seed", value=0, precision=0)
        gr.Button().click(generate, [prompt, seed], gr.Model3D(label="Mesh"), api_name="generate")
    return demo


def path_json() -> gr.Blocks:
    """A JSON output with a "path" key (a Space describing where it saved something)."""
    def locate(name: str) -> dict:
        """Say where a named thing would be saved."""
        return {"path": f"/srv/out/{name}.glb", "name": name}

    with gr.Blocks(title="Zoo Path JSON") as demo:
        name = gr.Textbox(label="Name")
        gr.Button().click(locate, name, gr.JSON(label="Where"), api_name="locate")
    return demo


def button_input() -> gr.Blocks:
    """Stable Fast 3D-shaped: the clicked Button is itself an input (its label), hidden from the API page."""
    def run(size: float, state: int, clicked: str) -> str:
        """Report which button ran, with the size and the session's counter."""
        if clicked != "Generate 3D":
            raise gr.Error(f"Unexpected button label {clicked!r}")
        return f"{clicked} at size {size:g} (state {state})"

    with gr.Blocks(title="Zoo Button Input") as demo:
        size, counter = gr.Slider(1, 10, value=3, label="Size"), gr.State(7)
        button = gr.Button("Generate 3D")
        button.click(run, [size, counter, button], gr.Textbox(label="Result"), api_name="run")
    return demo


# Components that cannot be placed in a test app: LoginButton needs a Hub login to build offline.
NOT_BUILDABLE = {"LoginButton": "needs a Hugging Face login to construct outside a Space"}


def exported_components() -> dict[str, type]:
    """Every component class the installed Gradio exports, by its first exported name (aliases dropped)."""
    import inspect

    from gradio.components import Component

    found: dict[type, str] = {}
    for name in sorted(dir(gr)):
        cls = getattr(gr, name)
        if inspect.isclass(cls) and issubclass(cls, Component) and cls is not Component:
            found.setdefault(cls, name)
    return {name: cls for cls, name in found.items()}


# Where Gradio's own output format differs from what the function receives, the identity converts.
_IDENTITY: dict[str, Callable] = {
    "Highlight": lambda value: [(t["token"], t["class_or_confidence"]) for t in value or []],
}


def components() -> gr.Blocks:
    """Every exported component as the input and the output of an identity endpoint "/id_<Name>"."""
    with gr.Blocks(title="Zoo Components") as demo:
        for name, cls in exported_components().items():
            if name in NOT_BUILDABLE:
                continue
            options = {"type": "filepath"} if name in ("Image", "Audio", "ImageSlider") else {}
            if name in ("CheckboxGroup", "Dropdown", "Radio"):
                options = {"choices": ["red", "green", "blue"]} | ({"multiselect": True} if name == "Dropdown" else {})
            if name == "Gallery":
                options = {"type": "filepath"}
            try:
                component = cls(label=name, **options)
            except TypeError:  # BrowserState, Timer...: no label
                component = cls(**options)
            identity = _IDENTITY.get(name, lambda value: value)
            gr.Button(name).click(identity, [component], [component], api_name=f"id_{name}")
    return demo


def strict() -> gr.Blocks:
    """Arguments of every checked kind; each endpoint counts the requests that reached it (`/counts`)."""
    counts: dict[str, int] = {}

    def place(name: str, copies: float, size: float, colour: str, tags: list[str], hollow: bool) -> str:
        """Place copies of a named object and describe them."""
        counts["place"] = counts.get("place", 0) + 1
        return f"{int(copies)} x {name} {size:g} {colour} {'/'.join(tags)} {'hollow' if hollow else 'solid'}"

    def read_text(document: str) -> str:
        """Return the text of a .txt file."""
        counts["read_text"] = counts.get("read_text", 0) + 1
        return Path(document).read_text()

    with gr.Blocks(title="Zoo Strict") as demo:
        inputs = [gr.Textbox(label="Name"), gr.Number(label="Copies", precision=0, minimum=1, maximum=5),
                  gr.Slider(2, 64, value=8, step=2, label="Size"),
                  gr.Dropdown(["red", "green"], value="red", label="Colour"),
                  gr.CheckboxGroup(["old", "new"], label="Tags"), gr.Checkbox(label="Hollow")]
        gr.Button("place").click(place, inputs, gr.Textbox(label="Placed"), api_name="place")
        gr.Button("read").click(read_text, gr.File(label="Document", file_types=[".txt"], type="filepath"),
                                gr.Textbox(label="Text"), api_name="read_text")
        gr.Button("counts").click(lambda: dict(counts), None, gr.JSON(label="Counts"), api_name="counts")
    return demo


def phantom() -> gr.Blocks:
    """Two endpoints; tests give one of them no function in the config they serve (a phantom)."""
    with gr.Blocks(title="Zoo Phantom") as demo:
        text, out = gr.Textbox(label="Text"), gr.Textbox(label="Out")
        gr.Button("real").click(lambda t: t[::-1], text, out, api_name="real")
        gr.Button("ghost").click(lambda t: t, text, out, api_name="ghost")
    return demo


ZOO: dict[str, Callable[[], gr.Blocks]] = {
    "echo": echo, "report": report, "files": files, "model3d": model3d, "calculator": calculator,
    "unnamed": unnamed, "generator": generator, "stateful": stateful, "slow": slow, "choices": choices,
    "image_size": image_size, "trellis": trellis, "button_input": button_input, "obj_model": obj_model, "path_json": path_json,
    "components": components, "strict": strict, "phantom": phantom,
}


if __name__ == "__main__":  # python -m tests.zoo.apps NAME: serve one app for --describe by hand
    import sys

    ZOO[sys.argv[1]]().launch(server_name="127.0.0.1")
