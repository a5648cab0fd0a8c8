"""Tests for the text_to_3d companion Space: generator round trips and one live app call."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import trimesh
from gradio_client import Client
from gradio_client.exceptions import AppError

SPACE_DIR = Path(__file__).resolve().parents[2] / "spaces" / "text_to_3d"
sys.path.insert(0, str(SPACE_DIR))

from t3d_generator import LANDMARKS, PromptError, generate_glb  # noqa: E402

PARIS_KINDS = {"eiffel_tower", "louvre_pyramid", "arc_de_triomphe", "notre_dame", "sacre_coeur",
               "pantheon", "luxor_obelisk", "moulin_rouge"}
REQUIRED_WORLD_KINDS = {"big_ben", "tower_bridge", "london_eye", "the_shard", "colosseum", "trajans_column",
                        "statue_of_liberty", "empire_state_building", "brooklyn_bridge", "great_pyramid",
                        "great_sphinx", "tokyo_tower", "tokyo_skytree", "sensoji_pagoda"}


def load(glb: bytes) -> trimesh.Scene:
    return trimesh.load(io.BytesIO(glb), file_type="glb", force="scene")


def materials(scene: trimesh.Scene) -> dict[str, np.ndarray]:
    """Node name -> baseColorFactor as floats 0-1."""
    out = {}
    for node in scene.graph.nodes_geometry:
        _, gname = scene.graph[node]
        out[node] = np.asarray(scene.geometry[gname].visual.material.baseColorFactor, float) / 255.0
    return out


def test_landmark_catalogue_covers_the_brief() -> None:
    kinds = {e.kind for e in LANDMARKS}
    assert PARIS_KINDS <= kinds
    assert REQUIRED_WORLD_KINDS <= kinds
    assert len(kinds) == len(LANDMARKS)


@pytest.mark.parametrize("entry", LANDMARKS, ids=lambda e: e.kind)
def test_landmark_round_trip(entry) -> None:
    glb, info = generate_glb(entry.name, 0)
    scene = load(glb)
    lo, hi = scene.bounds
    assert abs(lo[1]) < 1e-3
    assert abs(lo[0] + hi[0]) < 1e-2 and abs(lo[2] + hi[2]) < 1e-2
    assert abs((hi[1] - lo[1]) - entry.height_m) / entry.height_m < 0.05
    assert info["match"] == "landmark" and info["kind"] == entry.kind and info["name"] == entry.name
    assert abs(info["height_m"] - (hi[1] - lo[1])) < 0.01
    nodes = set(scene.graph.nodes_geometry)
    assert nodes == set(info["parts"])
    assert all(n.startswith(entry.kind + "/") for n in nodes)
    assert set(scene.geometry) == nodes  # mesh names say what the part is, too
    assert 10 < info["triangles"] <= 20_000


@pytest.mark.parametrize("prompt, kind", [
    ("Tour Eiffel", "eiffel_tower"), ("a tall Eiffel Tower in gold", "eiffel_tower"),
    ("Sacre Coeur", "sacre_coeur"), ("Sacré-Cœur Basilica", "sacre_coeur"), ("NOTRE-DAME", "notre_dame"),
    ("Arc de triomphe", "arc_de_triomphe"), ("Obélisque de Louxor", "luxor_obelisk"),
    ("Elizabeth Tower", "big_ben"), ("the pyramid of the Louvre", "louvre_pyramid"),
    ("Trajan’s Column", "trajans_column"), ("Tokyo Tower", "tokyo_tower"), ("Tower Bridge", "tower_bridge"),
    ("pyramids of Giza", "great_pyramid"), ("Panthéon", "pantheon"),
])
def test_aliases_and_accents(prompt: str, kind: str) -> None:
    _, info = generate_glb(prompt)
    assert (info["match"], info["kind"]) == ("landmark", kind)


def test_landmark_colour_word_recolours_main_material() -> None:
    plain = materials(load(generate_glb("Eiffel Tower")[0]))["eiffel_tower/leg_ne"]
    gold_glb, info = generate_glb("a tall Eiffel Tower in gold")
    gold = materials(load(gold_glb))["eiffel_tower/leg_ne"]
    assert info["colour"] == "gold" and 320 < info["height_m"] < 340
    assert gold[0] > plain[0] and gold[1] > plain[1]


def test_eiffel_taller_than_obelisk_and_louvre_glass_blends() -> None:
    assert generate_glb("Eiffel Tower")[1]["height_m"] > 10 * generate_glb("Luxor Obelisk")[1]["height_m"]
    scene = load(generate_glb("Louvre Pyramid")[0])
    _, gname = scene.graph["louvre_pyramid/glass"]
    mat = scene.geometry[gname].visual.material
    assert mat.alphaMode == "BLEND" and mat.baseColorFactor[3] < 255
    assert mat.baseColorFactor[2] > mat.baseColorFactor[0]


KEYWORD_CASES = [
    ("a red lighthouse", "lighthouse"), ("an oak tree", "oak_tree"), ("a windmill", "windmill"),
    ("pine tree", "pine_tree"), ("palm tree on a beach", "palm_tree"), ("a stone tower", "tower"),
    ("a dome", "dome"), ("pyramid", "pyramid"), ("an arch", "arch"), ("old bridge", "bridge"),
    ("a house", "house"), ("statue", "statue"), ("an obelisk", "obelisk"), ("castle", "castle"),
    ("a church", "church"), ("skyscraper", "skyscraper"), ("ferris wheel", "wheel"), ("column", "column"),
    ("a boat", "boat"), ("a car", "car"), ("church tower", "tower"), ("a tower with a dome", "tower"),
]


@pytest.mark.parametrize("prompt, kind", KEYWORD_CASES)
def test_keyword_objects(prompt: str, kind: str) -> None:
    glb, info = generate_glb(prompt)
    scene = load(glb)
    assert (info["match"], info["kind"]) == ("keyword", kind)
    assert abs(scene.bounds[0][1]) < 1e-3 and info["height_m"] > 1
    assert all(n.startswith(kind + "/") for n in scene.graph.nodes_geometry)


def test_keyword_shapes_have_their_parts() -> None:
    assert {"lighthouse/lamp_room", "lighthouse/tower_stripes"} <= set(generate_glb("a red lighthouse")[1]["parts"])
    assert {"oak_tree/trunk", "oak_tree/crown"} <= set(generate_glb("an oak tree")[1]["parts"])
    windmill = load(generate_glb("a windmill")[0])
    assert {"windmill/body", "windmill/sails"} <= set(windmill.graph.nodes_geometry)
    _, gname = windmill.graph["windmill/sails"]
    assert len(windmill.geometry[gname].faces) >= 4 * 12  # four blades


def test_red_lighthouse_is_red_and_white() -> None:
    glb, info = generate_glb("a red lighthouse")
    mats = materials(load(glb))
    red, white = mats["lighthouse/tower_stripes"], mats["lighthouse/tower_white"]
    assert info["colour"] == "red"
    assert red[0] > 0.5 and red[1] < 0.1 and red[2] < 0.1
    assert min(white[:3]) > 0.8


def test_colour_word_sets_main_material() -> None:
    mats = materials(load(generate_glb("a blue house")[0]))
    walls = mats["house/walls"]
    assert walls[2] > walls[0] and walls[2] > walls[1]


def test_size_words_scale() -> None:
    tiny, huge = generate_glb("tiny blue house")[1], generate_glb("huge blue house")[1]
    plain = generate_glb("blue house")[1]
    assert tiny["height_m"] < plain["height_m"] < huge["height_m"]
    assert tiny["footprint_m"][0] < huge["footprint_m"][0]
    assert generate_glb("tall tower")[1]["height_m"] > generate_glb("tower")[1]["height_m"]


def test_unknown_text_still_yields_an_object() -> None:
    glb, info = generate_glb("zxqv flumbergast")
    scene = load(glb)
    assert info["match"] == "keyword" and info["kind"] == "sculpture"
    assert info["name"] == "zxqv flumbergast"
    assert len(scene.geometry) >= 2 and abs(scene.bounds[0][1]) < 1e-3


@pytest.mark.parametrize("prompt, match", [("", "empty"), ("   \n\t", "empty"), ("x" * 501, "under 500")])
def test_bad_prompts_raise(prompt: str, match: str) -> None:
    with pytest.raises(PromptError, match=match):
        generate_glb(prompt)
    assert issubclass(PromptError, ValueError)


@pytest.mark.parametrize("prompt", ["Eiffel Tower", "an oak tree", "a windmill", "unknown thing"])
def test_deterministic(prompt: str) -> None:
    a, info_a = generate_glb(prompt, 5)
    b, info_b = generate_glb(prompt, 5)
    assert a == b and info_a == info_b
    assert generate_glb(prompt, 6)[1]["kind"] == info_a["kind"]


def test_seed_varies_details_only() -> None:
    a, info_a = generate_glb("an oak tree", 1)
    b, info_b = generate_glb("an oak tree", 2)
    assert a != b and info_a["kind"] == info_b["kind"] == "oak_tree"


def test_does_not_need_scipy() -> None:
    code = ("import sys; sys.modules['scipy'] = None; sys.path.insert(0, sys.argv[1]); import t3d_generator as g; "
            "[g.generate_glb(e.name) for e in g.LANDMARKS]; g.generate_glb('a red lighthouse'); print('ok')")
    out = subprocess.run([sys.executable, "-c", code, str(SPACE_DIR)], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "ok", out.stderr


def test_app_end_to_end(companion_urls, tmp_path) -> None:
    url = companion_urls["text_to_3d"]  # started by Diorama's own launcher (tools/companions.py)
    client = Client(url, verbose=False, download_files=str(tmp_path / "dl"))
    api = client.view_api(return_format="dict", print_info=False)["named_endpoints"]["/generate"]
    assert [p["label"] for p in api["parameters"]] == ["Prompt", "Seed"]
    path, info = client.predict("Eiffel Tower", 0, api_name="/generate")
    assert Path(path).name == "eiffel_tower.glb"
    assert info["kind"] == "eiffel_tower" and info["match"] == "landmark"
    scene = trimesh.load(path, file_type="glb", force="scene")
    assert abs(scene.bounds[1][1] - 330) < 330 * 0.05
    with pytest.raises(AppError, match="Prompt is empty"):
        client.predict("  ", 0, api_name="/generate")


def test_every_builder_passes_the_khronos_validator(tmp_path) -> None:
    from tests.conftest import glb_validator_report

    prompts = [entry.name for entry in LANDMARKS] + [prompt for prompt, _ in KEYWORD_CASES] + ["xyzzy frobnicator"]
    paths = []
    for index, prompt in enumerate(prompts):
        path = tmp_path / f"{index}.glb"
        path.write_bytes(generate_glb(prompt)[0])
        paths.append(path)
    report = glb_validator_report(paths)
    if report is None:
        pytest.skip("gltf-validator not installed (npm install)")
    assert {p: r["errors"] for p, r in report.items() if r["numErrors"]} == {}
