"""One request -> the offline planner -> the real bundled Spaces on 127.0.0.1 -> one scene GLB."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import trimesh

from agent.runner import ChainRunner
from tests.conftest import REPO, glb_validator_errors, object_roots

PARIS = ["Eiffel Tower", "Louvre Pyramid", "Arc de Triomphe", "Notre-Dame de Paris", "Sacré-Cœur", "Panthéon",
         "Luxor Obelisk", "Moulin Rouge"]


def _object_roots(scene: trimesh.Scene) -> dict[str, float]:
    """Top-level object nodes (not floor/plinths/walls/placards) -> world height of their geometry (metres)."""
    heights = {}
    children = scene.graph.transforms.children
    for root in object_roots(scene):
        ys = []
        stack = [root]
        while stack:
            node = stack.pop()
            stack.extend(children.get(node, []))
            matrix, geometry = scene.graph[node]
            if geometry is not None:
                mesh = scene.geometry[geometry]
                ys.extend(trimesh.transform_points(mesh.vertices, matrix)[:, 1].tolist())
        if ys:
            heights[root] = max(ys) - min(ys)
    return heights


def _calls(log: dict, tool: str) -> list[dict]:
    return [e for e in log["events"] if e["type"] == "space_call" and e["tool"] == tool and e["status"] == "ok"]


def test_paris_gallery_end_to_end(companion_urls, settings):
    outcome = ChainRunner(settings).run_to_end("Build a 3D gallery of Paris landmarks")
    assert outcome.error is None, outcome.error
    log = outcome.log
    generated = {c["inputs"]["prompt"]: c for c in _calls(log, "text_to_3d")}
    assert sorted(generated) == sorted(PARIS) and len(_calls(log, "text_to_3d")) == 8  # one call each, in parallel
    assemble = _calls(log, "assemble_scene")
    assert len(assemble) == 1
    assert assemble[0]["inputs"]["files"] == [generated[name]["output"]["glb"] for name in PARIS]
    assert assemble[0]["inputs"]["labels"].split("\n") == PARIS
    generated = list(generated.values())
    for call in generated + assemble:
        assert {"space", "endpoint", "inputs", "output", "status", "attempt", "started_at", "duration_s"} <= set(call)
    steps = [e for e in log["events"] if e["type"] == "agent_step"]
    assert steps and all(s["thought"] and s["code"] for s in steps)

    scene = trimesh.load(outcome.scene, file_type="glb", force="scene")
    heights = _object_roots(scene)
    expected = {"eiffel_tower", "louvre_pyramid", "arc_de_triomphe", "notre_dame_de_paris", "sacre_coeur",
                "pantheon", "luxor_obelisk", "moulin_rouge"}
    assert set(heights) == expected
    assert heights["eiffel_tower"] > heights["luxor_obelisk"]
    errors = glb_validator_errors(outcome.scene)
    assert errors in (None, 0)
    saved = json.loads((outcome.scene.parent / "chain.json").read_text())
    assert saved["run_id"] == log["run_id"] and saved["result"]["scene"] == str(outcome.scene)


@pytest.mark.parametrize(
    ("request_text", "prompts"),
    [
        ("a gallery of a red lighthouse, an oak tree and a windmill", ["red lighthouse", "oak tree", "windmill"]),
        ("London landmarks", ["Big Ben", "Tower Bridge", "London Eye", "The Shard"]),
        ("Construis une galerie 3D des monuments de Paris", PARIS),
    ],
)
def test_planner_on_other_requests(companion_urls, settings, request_text, prompts):
    outcome = ChainRunner(settings).run_to_end(request_text)
    assert outcome.error is None, outcome.error
    assert sorted(c["inputs"]["prompt"] for c in _calls(outcome.log, "text_to_3d")) == sorted(prompts)
    assert _calls(outcome.log, "assemble_scene")[0]["inputs"]["labels"].split("\n") == prompts
    scene = trimesh.load(outcome.scene, file_type="glb", force="scene")
    assert len(_object_roots(scene)) == len(prompts)


def test_counted_objects_are_made_once_and_placed_each_time(companion_urls, settings):
    outcome = ChainRunner(settings).run_to_end("a gallery of 3 red apples and a windmill")
    assert outcome.error is None, outcome.error
    assert sorted(c["inputs"]["prompt"] for c in _calls(outcome.log, "text_to_3d")) == ["red apple", "windmill"]
    labels = ["red apple", "red apple", "red apple", "windmill"]
    assert _calls(outcome.log, "assemble_scene")[0]["inputs"]["labels"].split("\n") == labels
    scene = trimesh.load(outcome.scene, file_type="glb", force="scene")
    assert len(_object_roots(scene)) == 4


def test_request_naming_nothing_buildable_gets_a_clear_answer(companion_urls, settings):
    outcome = ChainRunner(settings).run_to_end("hello, how are you?")
    assert outcome.scene is None
    assert "could not find anything to build" in outcome.error
    assert not _calls(outcome.log, "text_to_3d")


def test_cli_writes_scene_and_log_and_exits_zero(tmp_path):
    env = {**os.environ, "DIORAMA_DATA_DIR": str(tmp_path / "data")}
    out, log = tmp_path / "paris.glb", tmp_path / "chain.json"
    done = subprocess.run([sys.executable, str(REPO / "app.py"), "--prompt", "Build a 3D gallery of Paris landmarks",
                           "--out", str(out), "--log", str(log)], capture_output=True, text=True, env=env,
                          timeout=240, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert sum(line.startswith("[space] text_to_3d") for line in lines) == 8
    assert sum(line.startswith("[space] assemble_scene") for line in lines) == 1
    assert sum(line.startswith("[agent] step") for line in lines) >= 2
    assert lines[-1].startswith("[done] scene:")
    assert json.loads(log.read_text())["result"]["error"] is None
    assert len(_object_roots(trimesh.load(out, file_type="glb", force="scene"))) == 8


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--prompt", "   "], 2, "The request is empty"),
        (["--prompt", "hello there"], 1, "could not find anything to build"),
        (["--config", "missing.toml", "--prompt", "x"], 2, "does not exist"),
    ],
)
def test_cli_failures_exit_non_zero_with_one_line(tmp_path, args, code, message):
    env = {**os.environ, "DIORAMA_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, str(REPO / "app.py"), *args], capture_output=True, text=True, env=env,
                          timeout=240, cwd=tmp_path)
    assert done.returncode == code
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr
