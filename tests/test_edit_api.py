"""Follow-up edits through the real app: `python app.py` on 127.0.0.1, its real companions, called with gradio_client."""

from __future__ import annotations

from pathlib import Path

import pytest
import trimesh
from gradio_client import Client
from gradio_client.exceptions import AppError

from agent.scene_manifest import read_layout
from tests.conftest import glb_validator_errors, object_roots

PARIS = {"Eiffel Tower", "Louvre Pyramid", "Arc de Triomphe", "Notre-Dame de Paris", "Sacré-Cœur", "Panthéon",
         "Luxor Obelisk", "Moulin Rouge"}


@pytest.fixture(scope="module")
def paris(app_url, tmp_path_factory):
    """One client (one owner) and its Paris build: (client, scene path, chain log)."""
    client = Client(app_url, verbose=False, download_files=str(tmp_path_factory.mktemp("edit-client")))
    scene, log = client.predict("Build a 3D gallery of Paris landmarks", api_name="/build")
    assert log["result"]["error"] is None and scene
    return client, scene, log


def _objects(scene: str) -> dict[str, dict]:
    """label -> layout entry, read back from the scene GLB's scenes[0].extras.layout."""
    return {o["label"]: o for o in read_layout(Path(scene))["objects"]}


def _asset_calls(log: dict) -> int:
    return sum(1 for e in log["events"] if e["type"] == "space_call" and e["tool"] == "text_to_3d")


def _edit(client: Client, run_id: str, instruction: str) -> tuple[str, dict]:
    scene, log = client.predict(run_id, instruction, api_name="/edit")
    assert log["result"]["error"] is None, log["result"]["error"]
    assert log["parent_run_id"] == run_id and log["request"] == instruction
    return scene, log


def _height(scene: str, node: str) -> float:
    """Height in metres of one object's meshes in the scene GLB, measured with trimesh."""
    loaded = trimesh.load(scene, file_type="glb", force="scene")
    ys = []
    for name in loaded.graph.nodes_geometry:
        if name.startswith(node + "/"):
            matrix, geometry = loaded.graph[name]
            ys += list(trimesh.transform_points(loaded.geometry[geometry].vertices, matrix)[:, 1])
    return float(max(ys) - min(ys))


def test_remove_makes_nothing_again_and_drops_the_object(paris):
    client, scene, log = paris
    before = _objects(scene)
    new_scene, new_log = _edit(client, log["run_id"], "remove the obelisk")
    after = _objects(new_scene)
    assert set(after) == PARIS - {"Luxor Obelisk"}
    assert _asset_calls(new_log) == 0  # only the assembly ran
    assert [e["tool"] for e in new_log["events"] if e["type"] == "space_call"] == ["assemble_scene"]
    assert all(after[k]["display_height_m"] == pytest.approx(before[k]["display_height_m"], abs=1e-3) for k in after)
    assert "luxor_obelisk" not in object_roots(new_scene)
    edit = next(e for e in new_log["events"] if e["type"] == "edit")
    assert edit["reused"] == 7 and edit["to_make"] == [] and edit["changes"] == ["removed Luxor Obelisk"]


def test_swap_costs_one_asset_call(paris):
    client, _, log = paris
    new_scene, new_log = _edit(client, log["run_id"], "replace the obelisk with the Statue of Liberty")
    assert set(_objects(new_scene)) == PARIS - {"Luxor Obelisk"} | {"Statue of Liberty"}
    calls = [e for e in new_log["events"] if e["type"] == "space_call" and e["tool"] == "text_to_3d"]
    assert len(calls) == 1 and calls[0]["inputs"]["prompt"] == "Statue of Liberty"
    assert "statue_of_liberty" in object_roots(new_scene)


def test_resize_doubles_one_object_and_keeps_the_rest(paris):
    client, scene, log = paris
    before = _objects(scene)
    new_scene, new_log = _edit(client, log["run_id"], "make the Eiffel Tower twice as big")
    after = _objects(new_scene)
    assert _asset_calls(new_log) == 0
    assert after["Eiffel Tower"]["display_height_m"] == pytest.approx(2 * before["Eiffel Tower"]["display_height_m"],
                                                                      rel=1e-3)
    assert after["Eiffel Tower"]["scale_factor"] == 2.0
    assert _height(new_scene, "eiffel_tower") == pytest.approx(2 * _height(scene, "eiffel_tower"), rel=0.01)
    assert after["Moulin Rouge"]["display_height_m"] == pytest.approx(before["Moulin Rouge"]["display_height_m"])
    errors = glb_validator_errors(Path(new_scene))
    assert errors in (0, None)


def test_move_puts_the_object_at_the_entrance(paris):
    client, _, log = paris
    new_scene, new_log = _edit(client, log["run_id"], "put the Louvre Pyramid at the entrance")
    after = _objects(new_scene)
    assert _asset_calls(new_log) == 0
    front = max(o["position_m"][2] for o in after.values())  # +z is the entrance side
    assert after["Louvre Pyramid"]["position_m"][2] == pytest.approx(front)
    assert after["Louvre Pyramid"]["order"] == 0


def test_relayout_in_a_circle_with_more_space(paris):
    client, scene, log = paris
    new_scene, new_log = _edit(client, log["run_id"], "in a circle and more space between them")
    layout = read_layout(Path(new_scene))
    assert layout["hints"]["layout"] == "circle" and layout["hints"]["spacing"] == 1.5
    radii = [(o["position_m"][0] ** 2 + o["position_m"][2] ** 2) ** 0.5 for o in layout["objects"]]
    assert max(radii) - min(radii) < 1e-3 and _asset_calls(new_log) == 0
    assert set(_objects(new_scene)) == PARIS


def test_an_edit_of_an_edit_keeps_the_earlier_change(paris):
    client, scene, log = paris
    _, bigger = _edit(client, log["run_id"], "rends la tour Eiffel deux fois plus grande")
    again_scene, again = _edit(client, bigger["run_id"], "enlève l'obélisque")
    after = _objects(again_scene)
    assert set(after) == PARIS - {"Luxor Obelisk"}
    assert after["Eiffel Tower"]["scale_factor"] == 2.0
    assert after["Eiffel Tower"]["display_height_m"] == pytest.approx(
        2 * _objects(scene)["Eiffel Tower"]["display_height_m"], rel=1e-3)
    assert _asset_calls(again) == 0
    history = client.predict(50, api_name="/history")
    parents = {r["run_id"]: r["parent_run_id"] for r in history}
    assert parents[again["run_id"]] == bigger["run_id"] and parents[bigger["run_id"]] == log["run_id"]


def test_edit_streams_like_build(paris):
    client, _, log = paris
    job = client.submit(log["run_id"], "call it Paris at night", api_name="/edit")
    updates = list(job)
    assert len(updates) >= 2
    counts = [len(snapshot["events"]) for _, snapshot in updates]
    assert counts == sorted(counts) and counts[0] < counts[-1]
    scene, final = updates[-1]
    assert read_layout(Path(scene))["title"] == "Paris at night"


@pytest.mark.parametrize(("run_id", "instruction", "phrase"), [
    ("20260101-000000-0123456789abcdef", "remove the obelisk", "No run has the id"),
    ("../../etc", "remove the obelisk", "run_id must look like"),
    (None, "make it sing", "I could not read 'make it sing'"),
    (None, "remove the Colosseum", "no 'the Colosseum' in this scene"),
    (None, "   ", "The follow-up is empty"),
])
def test_edit_errors_are_clear(paris, run_id, instruction, phrase):
    client, _, log = paris
    with pytest.raises(AppError, match=phrase):
        client.predict(run_id or log["run_id"], instruction, api_name="/edit")


def test_someone_else_s_scene_cannot_be_edited(paris, app_url, tmp_path):
    _, _, log = paris
    stranger = Client(app_url, verbose=False, download_files=str(tmp_path))
    with pytest.raises(AppError, match="is not yours to edit"):
        stranger.predict(log["run_id"], "remove the obelisk", api_name="/edit")


def test_a_failed_run_has_no_scene_to_edit(paris):
    client, _, _ = paris
    scene, failed = client.predict("hello, how are you?", api_name="/build")
    assert scene is None
    with pytest.raises(AppError, match="has no scene to edit"):
        client.predict(failed["run_id"], "remove the obelisk", api_name="/edit")
