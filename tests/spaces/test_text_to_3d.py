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


# ---- everyday objects (issue 15): every new kind, at a real-world size, cheap, valid -------------------------

from t3d_catalogue import EVERYDAY, KEYWORD_OBJECTS  # noqa: E402
from t3d_keywords import match_landmark, normalize  # noqa: E402

#: Plausible real-world height range of each new kind, metres (the whole object as built, on y = 0).
HEIGHTS_M: dict[str, tuple[float, float]] = {
    "desk": (0.65, 0.85), "chair": (0.75, 1.1), "office_chair": (0.85, 1.3), "dining_table": (0.65, 0.85),
    "coffee_table": (0.3, 0.55), "sofa": (0.7, 1.0), "armchair": (0.75, 1.1), "bed": (0.4, 1.3),
    "bookshelf": (1.0, 2.4), "wardrobe": (1.6, 2.4), "dresser": (0.7, 1.3), "nightstand": (0.4, 0.75),
    "stool": (0.4, 0.9), "bench": (0.7, 1.0),
    "mug": (0.07, 0.13), "teacup": (0.05, 0.1), "plate": (0.01, 0.05), "bowl": (0.05, 0.15), "teapot": (0.12, 0.3),
    "wine_glass": (0.15, 0.28), "bottle": (0.2, 0.4), "vase": (0.15, 0.6), "kettle": (0.15, 0.35),
    "apple": (0.05, 0.12), "fridge": (1.4, 2.1), "stove": (0.8, 1.0), "sink": (0.8, 1.3), "counter": (0.8, 1.0),
    "microwave": (0.22, 0.4), "toaster": (0.15, 0.28), "saucepan": (0.08, 0.25), "frying_pan": (0.03, 0.1),
    "laptop": (0.15, 0.3), "monitor": (0.3, 0.65), "phone": (0.005, 0.02), "desk_lamp": (0.3, 0.7),
    "floor_lamp": (1.3, 2.0), "television": (0.4, 1.0), "keyboard": (0.015, 0.05), "speaker": (0.15, 1.2),
    "computer": (0.3, 0.6), "clock": (0.08, 0.3), "grandfather_clock": (1.8, 2.5), "globe": (0.25, 0.6),
    "steam_locomotive": (3.5, 5.0), "bus": (2.7, 4.5), "truck": (2.5, 4.2), "bicycle": (0.9, 1.2),
    "motorcycle": (0.9, 1.4), "tractor": (2.2, 3.5), "airplane": (2.0, 13.0), "rocket": (10.0, 120.0),
    "helicopter": (3.0, 5.0), "hot_air_balloon": (15.0, 30.0), "cart": (1.0, 2.5),
    "bonsai": (0.15, 0.8), "potted_plant": (0.3, 1.5), "cactus": (0.1, 0.6), "saguaro": (2.0, 12.0),
    "flower": (0.2, 0.8), "sunflower": (1.2, 3.0), "bush": (0.5, 2.0), "mushroom": (0.05, 0.3),
    "cat": (0.2, 0.45), "dog": (0.3, 0.9), "horse": (1.4, 2.4), "cow": (1.2, 2.0), "pig": (0.6, 1.1),
    "sheep": (0.6, 1.2), "elephant": (2.5, 4.2), "giraffe": (4.0, 6.0), "camel": (1.8, 2.6), "deer": (1.0, 2.4),
    "chicken": (0.3, 0.6), "duck": (0.25, 0.6),
    "slide": (1.5, 3.0), "swing_set": (1.8, 3.0), "seesaw": (0.6, 1.3), "sandbox": (0.15, 0.5),
    "roundabout": (0.6, 1.3), "climbing_frame": (1.5, 3.0), "barn": (5.0, 12.0), "silo": (8.0, 30.0),
    "hay_bale": (1.0, 2.0), "fence": (0.8, 1.8), "scarecrow": (1.5, 2.3), "well": (1.5, 3.5), "trough": (0.4, 0.9),
    "amphora": (0.3, 1.2), "classical_temple": (8.0, 20.0), "torii": (4.0, 16.0), "stone_lantern": (1.0, 3.5),
    "pagoda": (15.0, 60.0), "books": (0.05, 0.3), "painting": (1.2, 2.2), "rug": (0.003, 0.03),
    "piano": (1.0, 1.6), "guitar": (0.9, 1.1), "tent": (0.9, 2.0), "trophy": (0.15, 0.8), "umbrella": (1.8, 3.0),
    "chariot": (0.9, 1.6), "knight": (1.5, 2.1), "person": (1.5, 2.0),
}


def _prompt_for(entry) -> str:
    """An alias of the entry that no landmark claims ("pagoda" alone is the Senso-ji Pagoda)."""
    return next(a for a in entry.aliases if match_landmark(normalize(a), LANDMARKS) is None)


def test_at_least_sixty_new_kinds_each_with_a_declared_size() -> None:
    kinds = [e.kind for e in EVERYDAY]
    assert len(kinds) >= 60 and len(set(kinds)) == len(kinds)
    assert set(kinds) == set(HEIGHTS_M)
    assert len({e.kind for e in KEYWORD_OBJECTS}) == len(KEYWORD_OBJECTS)


@pytest.mark.parametrize("entry", EVERYDAY, ids=lambda e: e.kind)
def test_everyday_kind_is_built_at_its_real_size(entry) -> None:
    glb, info = generate_glb(_prompt_for(entry))
    scene = load(glb)
    lo, hi = scene.bounds
    low, high = HEIGHTS_M[entry.kind]
    assert (info["match"], info["kind"], info["placeholder"]) == ("keyword", entry.kind, None)
    assert low <= info["height_m"] <= high, (entry.kind, info["height_m"])
    assert abs(info["height_m"] - entry.height_m) <= max(0.2 * entry.height_m, 0.005)  # the docstring's size holds
    assert abs(lo[1]) < 1e-6 and abs(lo[0] + hi[0]) < 1e-2 and abs(lo[2] + hi[2]) < 1e-2
    assert info["triangles"] <= 1000  # cheap: a few hundred triangles
    assert set(scene.graph.nodes_geometry) == set(info["parts"]) and info["parts"]
    assert "placeholder" not in (scene.metadata or {})


@pytest.mark.parametrize("prompt, kind", [
    ("a bonsai tree", "bonsai"), ("steam locomotive", "steam_locomotive"), ("a coffee mug", "mug"),
    ("a lamp", "desk_lamp"), ("a street lamp", "street_lamp"), ("coffee table", "coffee_table"),
    ("a laptop on a desk", "laptop"), ("desk lamp", "desk_lamp"), ("kitchen table", "dining_table"),
    ("a red tractor", "tractor"), ("three cows", "cow"), ("roman temple", "classical_temple"),
    ("torii gate", "torii"), ("japanese temple", "pagoda"), ("pink cherry tree", "oak_tree"),
    ("swing set", "swing_set"), ("a hay bale", "hay_bale"), ("office chair", "office_chair"),
])
def test_everyday_words_pick_the_intended_builder(prompt: str, kind: str) -> None:
    assert generate_glb(prompt)[1]["kind"] == kind


def test_colour_words_recolour_everyday_objects() -> None:
    mats = materials(load(generate_glb("a red tractor")[0]))
    paint = mats["tractor/bonnet"]
    assert paint[0] > 0.5 and paint[1] < 0.1


def test_placeholder_says_so_and_stays_plausibly_sized() -> None:
    glb, info = generate_glb("a flux capacitor")
    assert info["placeholder"] == "no builder for 'a flux capacitor'" and info["kind"] == "sculpture"
    assert info["match"] == "keyword" and info["name"] == "a flux capacitor"  # the API's old fields keep meaning
    assert 0.5 <= info["height_m"] <= 1.5
    assert load(glb).metadata["placeholder"] == info["placeholder"]  # scenes[0].extras.placeholder
    assert generate_glb("a wind-up toy robot")[1]["height_m"] < 0.5
    assert generate_glb("a bakery")[1]["height_m"] > 5
    assert generate_glb("a tiny flux capacitor")[1]["height_m"] < info["height_m"]
    assert generate_glb("Eiffel Tower")[1]["placeholder"] is None


def test_everyday_kinds_and_placeholders_pass_the_khronos_validator(tmp_path) -> None:
    from tests.conftest import glb_validator_report

    prompts = [_prompt_for(e) for e in EVERYDAY] + ["a flux capacitor", "a tiny blue toy robot"]
    paths = []
    for index, prompt in enumerate(prompts):
        path = tmp_path / f"{index}.glb"
        path.write_bytes(generate_glb(prompt)[0])
        paths.append(path)
    report = glb_validator_report(paths)  # one batch: one node process
    if report is None:
        pytest.skip("gltf-validator not installed (npm install)")
    assert {prompts[paths.index(Path(p))]: r["errors"] for p, r in report.items() if r["numErrors"]} == {}
