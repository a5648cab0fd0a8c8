"""The text_to_image and image_to_3d companion Spaces, alone and chained, through gradio_client."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import trimesh
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from tests.conftest import glb_validator_report


@pytest.fixture(scope="module")
def clients(tmp_path_factory) -> dict[str, Client]:
    from tools import companions

    urls = companions.ensure_started(["text_to_image", "image_to_3d"])
    downloads = tmp_path_factory.mktemp("downloads")
    return {name: Client(url, verbose=False, download_files=str(downloads / name)) for name, url in urls.items()}


def _digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_text_to_image_draws_the_subject_on_a_plain_background(clients):
    path = clients["text_to_image"].predict("a red lighthouse", 0, 320, 256, api_name="/generate")
    assert path.endswith(".png")
    image = np.asarray(Image.open(path).convert("RGB")).astype(int)
    assert image.shape == (256, 320, 3)
    corners = {tuple(image[y, x]) for y in (0, -1) for x in (0, -1)}
    assert len(corners) == 1  # one flat background touching every edge
    background = np.array(corners.pop())
    subject = np.abs(image - background).sum(axis=2) > 60
    assert 0.03 < subject.mean() < 0.6
    red = (image[..., 0] > 150) & (image[..., 1] < 90) & (image[..., 2] < 90)
    assert red.sum() > 0.3 * subject.sum()  # the colour word is applied
    rows = np.nonzero(subject.any(axis=1))[0]
    assert rows.max() - rows.min() > 0.7 * 256  # tall and thin: a lighthouse, not a blob


def test_text_to_image_is_deterministic_per_prompt_and_seed(clients):
    client = clients["text_to_image"]
    first = client.predict("a green windmill", 4, 128, 128, api_name="/generate")
    again = client.predict("a green windmill", 4, 128, 128, api_name="/generate")
    other = client.predict("a green windmill", 5, 128, 128, api_name="/generate")
    assert _digest(first) == _digest(again) != _digest(other)


def test_text_to_image_rejects_an_empty_prompt(clients):
    with pytest.raises(AppError, match="The prompt is empty"):
        clients["text_to_image"].predict("  ", 0, 512, 512, api_name="/generate")


def test_text_then_image_to_3d_gives_an_upright_valid_glb(clients, tmp_path):
    png = clients["text_to_image"].predict("Eiffel Tower", 0, 256, 256, api_name="/generate")
    glb = clients["image_to_3d"].predict(handle_file(png), 0.4, 3.0, api_name="/generate")
    assert glb.endswith(".glb")
    scene = trimesh.load(glb, file_type="glb", force="scene")
    (x0, y0, z0), (x1, y1, z1) = scene.bounds
    assert y0 == pytest.approx(0.0, abs=1e-6) and y1 == pytest.approx(3.0, rel=1e-4)  # upright, base on y = 0
    assert z1 - z0 == pytest.approx(0.4, rel=1e-4) and abs(x0 + x1) < 0.1  # depth along Z, centred on x
    assert x1 - x0 < y1 - y0  # a tower is taller than wide
    names = set(scene.graph.nodes_geometry)
    assert {"eiffel_tower/front", "eiffel_tower/back", "eiffel_tower/sides"} == names
    front = scene.geometry[scene.graph["eiffel_tower/front"][1]]
    assert front.visual.kind == "vertex" and np.allclose(front.face_normals[:, 2], 1.0)  # faces +Z
    colours = front.visual.vertex_colors[:, :3].astype(int)
    assert len(np.unique(colours, axis=0)) >= 2  # coloured from the image, not one flat grey
    report = glb_validator_report([Path(glb)])
    if report is not None:
        assert report[glb]["numErrors"] == 0, report[glb]["errors"]


@pytest.mark.parametrize(
    ("make", "phrase"),
    [
        (None, "No image was given"),
        ("garbage", "is not a readable image"),
        ("blank", "The image has no subject"),
    ],
)
def test_image_to_3d_says_what_is_wrong_with_the_image(clients, tmp_path, make, phrase):
    if make == "garbage":
        path = tmp_path / "broken.png"
        path.write_text("this is not a PNG")
        argument = handle_file(str(path))
    elif make == "blank":
        path = tmp_path / "blank.png"
        Image.new("RGB", (64, 64), (240, 240, 240)).save(path)
        argument = handle_file(str(path))
    else:
        argument = None
    with pytest.raises(AppError, match=phrase):
        clients["image_to_3d"].predict(argument, 0.3, 2.0, api_name="/generate")


def test_the_relief_is_a_closed_outward_facing_solid():
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "spaces" / "image_to_3d"))
    from i23d_relief import relief_scene

    rgb = np.full((40, 30, 3), 250, np.uint8)
    rgb[5:35, 10:20] = (20, 90, 200)  # a 10 x 30 blue bar
    scene, info = relief_scene(rgb, depth_m=0.5, height_m=3.0, name="bar")
    assert info["cells"] == 300 and info["size_m"] == [1.0, 3.0, 0.5]
    mesh = trimesh.util.concatenate(list(scene.dump()))
    merged = trimesh.Trimesh(mesh.vertices, mesh.faces, process=True)
    assert merged.is_watertight and merged.volume == pytest.approx(1.0 * 3.0 * 0.5)
