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
    assert tools == ["text_to_image", "image_to_3d"] * 3 + ["assemble_scene"]
    for image_call, mesh_call in zip(calls[0:6:2], calls[1:6:2]):
        assert mesh_call["inputs"]["image"] == image_call["output"]  # the image went into the 3D Space
    assert calls[-1]["inputs"]["files"] == [c["output"] for c in calls[1:6:2]]
    scene = trimesh.load(outcome.scene, file_type="glb", force="scene")
    roots = set(scene.graph.transforms.children[scene.graph.base_frame])
    assert {"red_lighthouse", "oak_tree", "windmill"} <= roots
    assert glb_validator_errors(outcome.scene) in (None, 0)
