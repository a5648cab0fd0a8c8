"""Cost accounting and budgets: a run stops cleanly when a budget runs out, keeps its work, and resumes."""

from __future__ import annotations

from agent.runner import ChainRunner
from tests.scripted_model import ScriptedLLM
from tools.budget import Budget, BudgetExceededError, Limits


def test_call_budget_stops_the_run_keeps_work_and_resume_finishes(companion_urls, settings):
    tight = settings.with_overrides(max_calls=3, cache_enabled=False)
    outcome = ChainRunner(tight).run_to_end("Build a 3D gallery of Paris landmarks")
    assert outcome.scene is None
    assert "budget of 3 Space calls is used up" in outcome.error and "resume" in outcome.error
    done = [e for e in outcome.log["events"] if e["type"] == "space_call" and e["status"] == "ok"]
    assert len(done) == 3 and outcome.log["cost"]["space_calls"] == 3
    roomy = settings.with_overrides(max_calls=50, cache_enabled=False)
    resumed = ChainRunner(roomy).run_to_end(outcome.log["run_id"], resume=True)
    assert resumed.error is None, resumed.error
    calls = [e for e in resumed.log["events"] if e["type"] == "space_call"]
    assert sum(bool(c.get("replayed")) for c in calls) == 3
    assert resumed.log["cost"]["space_calls"] == 6  # 5 landmarks + the assembly; the 3 replays are free


def test_cost_is_estimated_from_prices_and_tokens(companion_urls, settings):
    good = ("Thought: one object.\n<code>\nr = text_to_3d(prompt='windmill')\n"
            "s = assemble_scene(files=[r['glb']], labels='windmill', title='Mill')\n"
            "final_answer({'scene': s['scene'], 'objects': ['windmill'], 'missing': {}})\n</code>")
    priced = settings.with_overrides(usd_per_1k_tokens=2.0, usd_per_space_second=0.01, cache_enabled=False)
    outcome = ChainRunner(priced, llm=ScriptedLLM([good])).run_to_end("a windmill")
    cost = outcome.log["cost"]
    assert cost["space_calls"] == 2 and cost["llm_tokens"] > 0
    expected = cost["space_seconds"] * 0.01 + cost["llm_tokens"] / 1000 * 2.0
    assert abs(cost["estimated_cost_usd"] - expected) < 1e-3


def test_cost_budget_trips_on_llm_tokens():
    tripped = []
    budget = Budget(Limits(max_cost_usd=0.01, usd_per_1k_tokens=1.0), on_exceeded=tripped.append)
    budget.record_tokens(5)
    budget.start_call("first call")
    budget.record_tokens(20)
    assert tripped and "$0.01" in tripped[0]
    try:
        budget.start_call("text_to_3d (local:text_to_3d /generate)")
    except BudgetExceededError as exc:
        assert str(exc).startswith("text_to_3d (local:text_to_3d /generate) not started: the run's budget of $0.01")
    else:
        raise AssertionError("the budget did not stop the call")
