"""Opt-in: Diorama driven by a real model server. Skipped unless DIORAMA_LLM_URL names one (its /v1 URL).

    DIORAMA_LLM_URL=http://127.0.0.1:8717/v1 python -m pytest -m real_llm tests/test_llm_real.py

Whatever the model does, every run must end with a scene (the model's, or the planner's after it failed) and,
when the planner finished, a one-line account, within the run's budget.
"""

from __future__ import annotations

import os

import pytest

from agent.runner import ChainRunner

pytestmark = pytest.mark.real_llm

URL = os.environ.get("DIORAMA_LLM_URL", "")


@pytest.fixture
def real_settings(settings):
    if not URL:
        pytest.skip("set DIORAMA_LLM_URL to an OpenAI-compatible server's /v1 URL to run the real-model tests")
    return settings.with_overrides(
        model_provider="openai", llm_base_url=URL, model_id=os.environ.get("DIORAMA_LLM_MODEL", "local-model"),
        run_timeout_s=float(os.environ.get("DIORAMA_RUN_TIMEOUT_S", "60")), llm_call_timeout_s=20.0,
        llm_fallback_reserve_s=20.0, max_steps=4, max_tokens_per_step=400,
        llm_system_in_user=os.environ.get("DIORAMA_LLM_SYSTEM_IN_USER", "") in ("1", "true", "yes"))


@pytest.mark.parametrize("request_text", ["A gallery of a red lighthouse and an oak tree", "A palm tree and a boat"])
def test_a_real_model_run_ends_with_a_scene_and_an_account(companion_urls, real_settings, request_text):
    outcome = ChainRunner(real_settings).run_to_end(request_text)
    assert outcome.error is None and outcome.scene is not None, outcome.error
    fallback = [e for e in outcome.log["events"] if e["type"] == "fallback"]
    if fallback:
        assert "\n" not in fallback[0]["text"] and outcome.log["result"]["answer"].startswith(fallback[0]["text"])
    calls = [e for e in outcome.log["events"] if e["type"] == "llm_call"]
    assert calls and all(c["limit_s"] <= real_settings.llm_call_timeout_s for c in calls)
