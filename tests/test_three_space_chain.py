"""Chaining is general: text -> image -> 3D -> scene through three bundled Spaces, when the config says so."""

from __future__ import annotations

import trimesh

from agent.config import Settings
from agent.runner import ChainRunner
from tests.conftest import REPO, glb_validator_errors


def test_text_image_3d_scene_chain_end_to_end(tmp_path):
    settings = Settings.load(REPO / "configs" / "text_image_3d.toml", environ={}).with_overrides(
        data_dir=tmp_path / "data", call_timeout_s=60.0)
    assert settings.asset_chain == ("text_to_image", "image_to_3d")
    outcome = ChainRunner(settings).run_to_end("a gallery of a red lighthouse, an oak tree and a windmill")
    assert outcome.error is None, outcome.error
    calls = [e for e in outcome.log["events"] if e["type"] == "space_call" and e["status"] == "ok"]
    tools = [c["tool"] for c in calls]
    assert tools == ["text_to_image"] * 3 + ["image_to_3d"] * 3 + ["assemble_scene"]  # stage by stage, fanned out
    images = {c["inputs"]["prompt"]: c["output"] for c in calls[:3]}
    meshes = {c["inputs"]["image"]: c["output"] for c in calls[3:6]}
    assert set(meshes) == set(images.values())  # each image went into the 3D Space
    order = ["red lighthouse", "oak tree", "windmill"]
    assert calls[-1]["inputs"]["files"] == [meshes[images[name]] for name in order]
    scene = trimesh.load(outcome.scene, file_type="glb", force="scene")
    roots = set(scene.graph.transforms.children[scene.graph.base_frame])
    assert {"red_lighthouse", "oak_tree", "windmill"} <= roots
    assert glb_validator_errors(outcome.scene) in (None, 0)
