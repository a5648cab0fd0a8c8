"""A stand-in object is said so in the gallery itself: its layout entry and its placard (an amber second line)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import trimesh
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "spaces" / "text_to_3d"))
sys.path.insert(0, str(ROOT / "spaces" / "scene_builder"))

from t3d_generator import generate_glb  # noqa: E402
import sb_gallery  # noqa: E402


def _amber_pixels(image: Image.Image) -> int:
    pixels = np.asarray(image.convert("RGB")).reshape(-1, 3).astype(int)
    return int(((pixels[:, 0] > 200) & (pixels[:, 1] > 140) & (pixels[:, 1] < 220) & (pixels[:, 2] < 110)).sum())


def test_a_placeholder_is_named_in_its_layout_entry_and_on_its_placard(tmp_path):
    files = []
    for prompt in ("windmill", "a flux capacitor"):
        glb, info = generate_glb(prompt)
        path = tmp_path / f"{prompt.replace(' ', '_')}.glb"
        path.write_bytes(glb)
        files.append(str(path))
    scene_path, layout = sb_gallery.assemble_files(files, "windmill\nflux capacitor", "Mixed", out_dir=str(tmp_path))
    assert {o["label"]: o.get("placeholder") for o in layout["objects"]} == {
        "windmill": None, "flux capacitor": "no builder for 'a flux capacitor'"}
    data = Path(scene_path).read_bytes()
    doc = json.loads(data[20:20 + int.from_bytes(data[12:16], "little")])
    assert doc["scenes"][0]["extras"]["layout"]["objects"] == layout["objects"]
    scene = trimesh.load(scene_path, file_type="glb", force="scene")
    textures = {name: geometry.visual.material.baseColorTexture for name, geometry in scene.geometry.items()
                if name.startswith("placard/")}
    assert _amber_pixels(textures["placard/flux_capacitor"]) > 200  # the "placeholder" line
    assert _amber_pixels(textures["placard/windmill"]) == 0
