"""Reworded requests through the real app: offline planner -> bundled Spaces on 127.0.0.1 -> one scene GLB.

The scene holds what a person meant (a desk scene shows a desk, a laptop, a mug and a desk lamp), and an
object no builder knows is shown as a placeholder and said so in the chain log, the answer and the layout.
"""

from __future__ import annotations

import json
import struct

from agent.runner import ChainRunner
from tests.conftest import object_roots
from ui.progress import placeholders, status_line


def _calls(log: dict, tool: str) -> list[dict]:
    return [e for e in log["events"] if e["type"] == "space_call" and e["tool"] == tool and e["status"] == "ok"]


def _layout(path) -> dict:
    data = path.read_bytes()
    (length,) = struct.unpack_from("<I", data, 12)
    return json.loads(data[20:20 + length])["scenes"][0]["extras"]["layout"]


def test_desk_scene_shows_a_desk_a_laptop_a_mug_and_a_desk_lamp(companion_urls, settings):
    outcome = ChainRunner(settings).run_to_end("a desk with a laptop, a coffee mug and a lamp")
    assert outcome.error is None, outcome.error
    made = {c["inputs"]["prompt"]: c["output"]["info"] for c in _calls(outcome.log, "text_to_3d")}
    assert sorted(made) == ["coffee mug", "desk", "desk lamp", "laptop"]
    assert {p: i["kind"] for p, i in made.items()} == {"desk": "desk", "laptop": "laptop", "coffee mug": "mug",
                                                       "desk lamp": "desk_lamp"}
    assert all(i["placeholder"] is None for i in made.values())
    assert 0.6 < made["desk"]["height_m"] < 0.9 and made["coffee mug"]["height_m"] < 0.2
    assemble = _calls(outcome.log, "assemble_scene")[0]
    assert assemble["inputs"]["labels"].split("\n") == ["desk", "laptop", "coffee mug", "desk lamp"]
    assert assemble["inputs"]["title"] == "Desk"
    assert set(object_roots(outcome.scene)) == {"desk", "laptop", "coffee_mug", "desk_lamp"}
    assert all("placeholder" not in o for o in _layout(outcome.scene)["objects"])
    assert "placeholder" not in outcome.log["result"]["answer"]


def test_museum_room_keeps_room_as_the_setting_and_sizes_real(companion_urls, settings):
    request = "a museum room with a red lighthouse, a bonsai tree, a steam locomotive and a flux capacitor"
    outcome = ChainRunner(settings).run_to_end(request)
    assert outcome.error is None, outcome.error
    made = {c["inputs"]["prompt"]: c for c in _calls(outcome.log, "text_to_3d")}
    assert sorted(made) == ["bonsai tree", "flux capacitor", "red lighthouse", "steam locomotive"]  # no "room"
    info = {p: c["output"]["info"] for p, c in made.items()}
    assert info["bonsai tree"]["kind"] == "bonsai" and info["bonsai tree"]["height_m"] < 1.0
    assert info["steam locomotive"]["kind"] == "steam_locomotive" and 3 < info["steam locomotive"]["height_m"] < 5
    assert info["red lighthouse"]["colour"] == "red"
    # the one thing no builder knows: said in its call, the answer, the UI status and the layout
    reason = "no builder for 'flux capacitor'"
    assert info["flux capacitor"]["placeholder"] == reason and info["flux capacitor"]["height_m"] <= 2
    assert [p for p, i in info.items() if i["placeholder"]] == ["flux capacitor"]
    answer = outcome.log["result"]["answer"]
    assert f"{reason}: shown as a placeholder; a real text-to-3D Space would make it" in answer
    assert list(placeholders(outcome.log).values()) == [reason]
    assert reason in status_line(outcome.log)
    layout = _layout(outcome.scene)
    assert layout["title"] == "Museum room"
    assert {o["label"]: o.get("placeholder") for o in layout["objects"]} == {
        "red lighthouse": None, "bonsai tree": None, "steam locomotive": None, "flux capacitor": reason}
    saved = json.loads((outcome.scene.parent / "chain.json").read_text())
    assert saved["result"]["answer"] == answer


def test_exclusion_leaves_the_landmark_out(companion_urls, settings):
    outcome = ChainRunner(settings).run_to_end("Paris gallery but leave out the Eiffel Tower")
    assert outcome.error is None, outcome.error
    prompts = [c["inputs"]["prompt"] for c in _calls(outcome.log, "text_to_3d")]
    assert len(prompts) == 7 and "Eiffel Tower" not in prompts
    assert "eiffel_tower" not in object_roots(outcome.scene)
