"""Edit runs in process (agent/runner.py ChainRunner.edit): recolour, resume, the LLM's manifest, the store's parent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.runner import ChainRunner
from agent.scene_manifest import NoSceneError, manifest_of_run, read_layout
from tests.scripted_model import ScriptedLLM


def _last(snapshots) -> dict:
    final: dict = {}
    for final in snapshots:
        pass
    return final


@pytest.fixture
def built(companion_urls, settings):
    runner = ChainRunner(settings)
    outcome = runner.run_to_end("a gallery of a red lighthouse, an oak tree and a windmill")
    assert outcome.error is None
    yield runner, outcome.log
    runner.close()


def test_recolour_remakes_one_object_and_the_edit_resumes_as_an_edit(built):
    runner, log = built
    edited = _last(runner.edit(log["run_id"], "make the red lighthouse blue"))
    assert edited["result"]["error"] is None and edited["parent_run_id"] == log["run_id"]
    made = [e for e in edited["events"] if e["type"] == "space_call" and e["tool"] == "text_to_3d"]
    assert [e["inputs"]["prompt"] for e in made] == ["blue lighthouse"]
    labels = [o["label"] for o in read_layout(Path(edited["result"]["scene"]))["objects"]]
    parent = manifest_of_run(runner.settings.data_dir, log["run_id"], scene_tools=["assemble_scene"])
    assert sorted(labels) == sorted(parent.labels)  # same objects; the recoloured one keeps its label
    resumed = _last(runner.resume(edited["run_id"]))
    assert resumed["result"]["error"] is None and resumed["parent_run_id"] == log["run_id"]
    calls = [e for e in resumed["events"] if e["type"] == "space_call"]
    assert calls and all(e.get("replayed") for e in calls)  # nothing made again: the journal replays them
    assert runner.store.run(edited["run_id"])["parent"] == log["run_id"]


def test_an_offline_edit_runs_in_one_step_and_answers_with_its_scene(built):
    """The edit's code defines everything its closing lines use: no failed step, no "could not be assembled"."""
    runner, log = built
    edited = _last(runner.edit(log["run_id"], "remove the oak tree"))
    steps = [e for e in edited["events"] if e["type"] == "agent_step"]
    assert [s["status"] for s in steps] == ["ok"], [s.get("observation", "")[-300:] for s in steps]
    answer = [e["text"] for e in edited["events"] if e["type"] == "final_answer"]
    assert len(answer) == 1 and answer[0].startswith("Scene ready with 2 object(s)"), answer


def test_the_manifest_lists_prompts_files_sizes_and_positions(built):
    runner, log = built
    manifest = manifest_of_run(runner.settings.data_dir, log["run_id"], scene_tools=["assemble_scene"])
    assert len(manifest.objects) == 3 and manifest.layout == "grid" and manifest.spacing == 1.0
    for obj in manifest.objects:
        assert obj.file.startswith("assets/call-") and obj.prompt and obj.height_m > 0 and len(obj.position_m) == 3


def test_an_llm_gets_the_scene_manifest_in_its_task_and_the_files_in_its_folder(built):
    runner, log = built
    llm = ScriptedLLM(["Thought: nothing to do.\n<code>\nfinal_answer('no change')\n</code>"])
    llm_runner = ChainRunner(runner.settings, llm=llm)
    try:
        edited = _last(llm_runner.edit(log["run_id"], "swap the windmill for a castle"))
    finally:
        llm_runner.close()
    task = next(t for t in llm.prompts[0] if "New task" in t)
    assert "swap the windmill for a castle" in task
    scene = json.loads(task.split("SCENE = ", 1)[1].strip())
    parent = manifest_of_run(runner.settings.data_dir, log["run_id"], scene_tools=["assemble_scene"])
    assert [o["label"] for o in scene["objects"]] == parent.labels
    assert all(o["prompt"] and o["height_m"] and o["position_m"] for o in scene["objects"])
    folder = runner.settings.data_dir / "runs" / edited["run_id"]
    assert all((folder / o["file"]).is_file() for o in scene["objects"])
    assert edited["model"]["id"] == "scripted-test-llm" and edited["parent_run_id"] == log["run_id"]


def test_a_run_without_a_scene_cannot_be_edited(companion_urls, settings):
    runner = ChainRunner(settings)
    try:
        failed = runner.run_to_end("hello, how are you?")
        with pytest.raises(NoSceneError, match="has no scene to edit"):
            _last(runner.edit(failed.log["run_id"], "remove the windmill"))
        assert len(list((settings.data_dir / "runs").iterdir())) == 1  # nothing was started
    finally:
        runner.close()


def test_the_cli_edits_a_run_headless(built, tmp_path):
    from agent.cli import run_headless

    runner, log = built
    out, chain = tmp_path / "v2.glb", tmp_path / "v2.json"
    parent = manifest_of_run(runner.settings.data_dir, log["run_id"], scene_tools=["assemble_scene"])
    code = run_headless(runner.settings, None, out=out, log_path=chain,
                        edit=(log["run_id"], f"remove the {parent.labels[-1]}"))
    assert code == 0 and out.read_bytes()[:4] == b"glTF"
    assert [o["label"] for o in read_layout(out)["objects"]] == parent.labels[:-1]
    assert json.loads(chain.read_text())["parent_run_id"] == log["run_id"]
    assert run_headless(runner.settings, None, out=out, log_path=None, edit=(log["run_id"], "make it sing")) == 2
