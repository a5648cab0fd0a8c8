"""Any tool can be a stage of the offline planner's asset chain: a capability "other" Space that post-processes each
object's GLB (here: one that stands every mesh on a red base) runs between text-to-3D and the scene, through a
real Gradio app on 127.0.0.1 and the README's recipe."""

from __future__ import annotations

import tempfile
from typing import Iterator

import gradio as gr
import numpy as np
import pytest
import trimesh

from agent.config import Settings
from agent.runner import ChainRunner
from tests.conftest import glb_validator_errors, served

BASE = "diorama_test_base"


def add_base(model: str) -> str:
    """Put a flat red slab under the object (a post-processing stage: GLB in, GLB out)."""
    scene = trimesh.load(model, file_type="glb", force="scene")
    (x0, _, z0), (x1, _, z1) = scene.bounds
    slab = trimesh.creation.box(extents=[x1 - x0 + 0.2, 0.05, z1 - z0 + 0.2])
    slab.apply_translation([(x0 + x1) / 2, scene.bounds[0][1] - 0.025, (z0 + z1) / 2])
    slab.visual.face_colors = np.array([200, 30, 30, 255], dtype=np.uint8)
    scene.add_geometry(slab, node_name=BASE, geom_name=BASE)
    out = tempfile.NamedTemporaryFile(suffix=".glb", delete=False).name
    scene.export(out)
    return out


@pytest.fixture(scope="module")
def base_space() -> Iterator[str]:
    with gr.Blocks(title="Add a base") as demo:
        model, out = gr.Model3D(label="Model"), gr.Model3D(label="With base")
        gr.Button("Add base").click(add_base, [model], [out], api_name="add_base")
    yield from served(demo)


def test_a_capability_other_tool_runs_as_a_post_processing_stage(base_space, companion_urls, tmp_path):
    config = tmp_path / "diorama.toml"
    config.write_text(f"""
[[tools]]
name = "text_to_3d"
capability = "text_to_3d"
space = "local:text_to_3d"
endpoint = "/generate"

[[tools]]
name = "add_base"
capability = "other"
space = "{base_space}"
endpoint = "/add_base"

[[tools]]
name = "assemble_scene"
capability = "scene_assembly"
space = "local:scene_builder"
endpoint = "/assemble"

[planner]
asset_chain = ["text_to_3d", "add_base"]
""", encoding="utf-8")
    settings = Settings.load(config, environ={}).with_overrides(data_dir=tmp_path / "data", call_timeout_s=60.0)
    outcome = ChainRunner(settings).run_to_end("a gallery of a red lighthouse and a windmill")
    assert outcome.error is None, outcome.error
    calls = [e for e in outcome.log["events"] if e["type"] == "space_call" and e["status"] == "ok"]
    assert [c["tool"] for c in calls] == ["text_to_3d"] * 2 + ["add_base"] * 2 + ["assemble_scene"]
    made = {c["output"]["glb"] for c in calls[:2]}
    assert {c["inputs"]["model"] for c in calls[2:4]} == made  # each object's GLB went through the stage
    assert sorted(calls[-1]["inputs"]["files"]) == sorted(c["output"] for c in calls[2:4])  # fanned out: any order
    scene = trimesh.load(outcome.scene, file_type="glb", force="scene")
    assert sum(BASE in name for name in scene.geometry) == 2  # both objects stand on their base in the scene
    assert glb_validator_errors(outcome.scene) in (None, 0)


def test_an_asset_chain_stage_must_be_a_capability_or_a_tool_name(tmp_path):
    from tools.errors import ConfigError

    config = tmp_path / "diorama.toml"
    config.write_text('[[tools]]\nname = "text_to_3d"\ncapability = "text_to_3d"\nspace = "local:text_to_3d"\n'
                      'endpoint = "/generate"\n[planner]\nasset_chain = ["text_to_3d", "add_bse"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="tool names in order"):
        Settings.load(config, environ={})
