"""The Run object: its folder layout, and the chain-log queries agreeing with the filters they replaced."""

from __future__ import annotations

import json
import threading

import pytest

from agent.run import Run, RunPaths, check_run_id, new_run_id, read_chain
from agent.run_log import AGENT_STEP, EDIT, RUN_FINISHED, SPACE_CALL, ChainLog, output_values
from agent.runner import ChainRunner
from tools.budget import BudgetExceededError, Limits
from tools.errors import InvalidInputError

RUN = "20261124-061502-3fa1c2e07b9d41a0"


def test_public_names_are_deliberate():
    import agent.run
    import agent.run_log

    assert agent.run.__all__ == ["EDIT_FILE", "JOURNAL", "RUN_ID", "Run", "RunPaths", "check_run_id", "new_run_id",
                                 "read_chain", "runs_dir"]
    assert {"ChainLog", "SpaceCall", "AgentStep", "output_values", "utc_now"} <= set(agent.run_log.__all__)


def test_paths_are_the_run_folder_layout(tmp_path):
    paths = RunPaths.of(tmp_path, f"  {RUN} ")
    folder = tmp_path / "runs" / RUN
    assert paths.run_id == RUN and paths.folder == folder
    assert (paths.journal, paths.edit, paths.assets, paths.scene, paths.chain, paths.public_chain) == (
        folder / "journal.jsonl", folder / "edit.json", folder / "assets", folder / "scene.glb",
        folder / "chain.json", folder / "public" / "chain.json")
    assert not folder.exists()  # paths are not folders: nothing is made


@pytest.mark.parametrize("bad", ["../etc", "", None, "20261124-061502-XYZ", f"{RUN}/..", f"{RUN}\x00"])
def test_path_like_ids_are_refused(tmp_path, bad):
    with pytest.raises(InvalidInputError, match="run_id must look like"):
        RunPaths.of(tmp_path, bad)


def test_new_ids_are_valid_and_distinct():
    ids = {new_run_id() for _ in range(50)}
    assert len(ids) == 50 and all(check_run_id(i) == i for i in ids)


def test_run_start_ties_the_budget_to_over_budget(tmp_path):
    log = ChainLog(RUN, "a lamp", {"provider": "offline", "id": "x"})
    run = Run.start(RunPaths(tmp_path, RUN), "a lamp", log, Limits(max_calls=1), owner="hf:alice")
    assert run.id == RUN and run.folder == tmp_path / "runs" / RUN and not run.cancel.is_set()
    run.budget.start_call("call 1")
    assert not run.over_budget.is_set()
    with pytest.raises(BudgetExceededError, match="budget of 1 Space calls"):
        run.budget.start_call("call 2")
    assert run.over_budget.is_set()
    cancel = threading.Event()
    assert Run.start(RunPaths(tmp_path, RUN), "x", log, Limits(), cancel=cancel).cancel is cancel


def _synthetic() -> ChainLog:
    log = ChainLog(RUN, "r", {"provider": "offline", "id": "x"})
    log.add({"type": EDIT, "parent_run_id": "p", "focus": "a"})
    log.add({"type": AGENT_STEP, "id": "step-1", "step": 1, "status": "ok"})
    log.add({"type": SPACE_CALL, "id": "call-1", "tool": "make", "status": "running"})
    log.add({"type": SPACE_CALL, "id": "call-2", "tool": "make", "status": "error", "error": "boom"})
    log.add({"type": SPACE_CALL, "id": "call-3", "tool": "make", "status": "ok", "output": {"glb": "assets/a.glb"}})
    log.add({"type": SPACE_CALL, "id": "call-4", "tool": "scene", "status": "ok", "output": "assets/s.glb"})
    log.add({"type": RUN_FINISHED, "status": "ok"})
    return log


def test_queries_on_a_live_log_and_its_view_agree_and_copy_only_when_live():
    live = _synthetic()
    view = ChainLog.view(live.to_dict())
    for log in (live, view):
        assert [e["id"] for e in log.calls()] == ["call-1", "call-2", "call-3", "call-4"]
        assert [e["id"] for e in log.calls(tool="make", status="ok")] == ["call-3"]
        assert [e["id"] for e in log.calls(tool={"scene", "other"})] == ["call-4"]
        assert [e["id"] for e in log.calls(finished=True)] == ["call-2", "call-3", "call-4"]
        assert [e["id"] for e in log.failed()] == ["call-2"]
        assert [e["id"] for e in log.assets(["scene"])] == ["call-3"]
        assert [e.get("id") for e in log.of_type(AGENT_STEP, EDIT)] == [None, "step-1"]
        assert log.first(EDIT)["focus"] == "a" and log.first("nothing") is None
        assert log.last(SPACE_CALL, status="ok")["id"] == "call-4"
        assert log.last(SPACE_CALL, tool="make")["id"] == "call-3"
        assert [output_values(e) for e in log.calls(status="ok")] == [["assets/a.glb"], ["assets/s.glb"]]
        assert json.loads(log.to_json()) == live.to_dict()
    live.calls()[0]["status"] = "changed"
    assert live.calls()[0]["status"] == "running"  # a copy: the run's own event is untouched
    view.calls()[0]["status"] = "changed"
    assert view.calls()[0]["status"] == "changed"  # the viewed dict itself


def test_a_view_of_nothing_is_empty():
    for data in (None, {}, {"events": None}):
        log = ChainLog.view(data)
        assert log.calls() == [] and log.first(RUN_FINISHED) is None and log.run_id is None


@pytest.fixture(scope="module")
def offline_log(companion_urls, tmp_path_factory):
    """A real offline run's final chain log, and its saved chain.json (read back through RunPaths)."""
    from agent.config import Settings

    settings = Settings.load(environ={}).with_overrides(data_dir=tmp_path_factory.mktemp("run") / "data",
                                                        call_timeout_s=60.0, connect_timeout_s=30.0)
    outcome = ChainRunner(settings).run_to_end("a desk with a laptop, a coffee mug and a lamp")
    assert outcome.error is None, outcome.error
    paths = RunPaths.of(settings.data_dir, outcome.log["run_id"])
    return outcome, paths, settings


def test_a_real_run_lives_in_its_paths(offline_log):
    outcome, paths, _ = offline_log
    assert outcome.scene == paths.scene and paths.scene.is_file() and paths.journal.is_file()
    saved = json.loads(json.dumps(outcome.log, default=str))
    assert saved["events"].pop()["type"] == "saved"  # emitted once chain.json is written
    assert read_chain(paths) == saved
    assert all((paths.folder / v).is_file() for e in ChainLog.view(outcome.log).assets(["assemble_scene"])
               for v in output_values(e) if isinstance(v, str))
    assert read_chain(RunPaths(paths.data_dir, new_run_id())) is None


def test_queries_agree_with_the_old_filters_on_a_real_log(offline_log):
    outcome, paths, settings = offline_log
    scene_tools = {t.name for t in settings.tools if t.capability == "scene_assembly"}
    for raw in (outcome.log, read_chain(paths)):
        log, events = ChainLog.view(raw), raw["events"]
        ok = [e for e in events if e.get("type") == "space_call" and e.get("status") == "ok"]
        assert len(ok) >= 4 and log.calls(status="ok") == ok
        assert log.calls() == [e for e in events if e.get("type") == "space_call"]
        assert log.calls(finished=True) == [e for e in events
                                            if e.get("type") == "space_call" and e.get("status") != "running"]
        assert log.failed() == [e for e in events if e.get("type") == "space_call" and e.get("status") == "error"]
        assert log.assets(scene_tools) == [e for e in ok if e.get("tool") not in scene_tools]
        assert log.calls(tool="text_to_3d", status="ok") == [e for e in ok if e["tool"] == "text_to_3d"]
        assert log.last(SPACE_CALL, status="ok") == ok[-1] and ok[-1]["tool"] in scene_tools
        assert log.of_type(AGENT_STEP) == [e for e in events if e.get("type") == "agent_step"]
        assert log.first(RUN_FINISHED) == next(e for e in events if e.get("type") == "run_finished")
