"""Space health from the store: statistics, provider order after failures, the note in the agent's prompt."""

from __future__ import annotations

import datetime as dt

from agent.config import Provider, ToolConfig
from agent.health import Health
from agent.runner import ChainRunner
from agent.store import Store
from tests.scripted_model import ScriptedLLM

NOW = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.timezone.utc)
SCENE = ToolConfig("assemble_scene", "local:scene_builder", "/assemble", "scene_assembly")


def _store_with(tmp_path, outcomes: list[tuple[str, float, int]]) -> Store:
    """One run whose calls to 'acme/space' had these (status, duration, minutes ago), oldest first."""
    store = Store(tmp_path / "diorama.sqlite3")
    events = [{"type": "space_call", "tool": "text_to_3d", "space": "acme/space", "endpoint": "/generate",
               "status": status, "attempt": 1, "duration_s": duration, "inputs": {},
               "error": "timed out after 120 s" if status == "error" else None,
               "started_at": (NOW - dt.timedelta(minutes=ago)).isoformat()} for status, duration, ago in outcomes]
    store.record_run({"run_id": "20260101-120000-aaaaaa", "request": "r", "model": {}, "events": events,
                      "result": {"scene": None, "error": "x"}, "timings": {}, "cost": {}})
    return store


def test_statistics_failing_now_and_recovery(tmp_path):
    store = _store_with(tmp_path, [("ok", d, 30) for d in (1.0, 2.0, 3.0, 4.0)] + [("error", 9, 2)] * 4)
    health = Health(store, clock=lambda: NOW)
    report = health.of("acme/space")
    assert (report.calls, report.failures, report.success_rate) == (8, 4, 0.5)
    assert report.p50_s == 2.5 and 3.8 <= report.p95_s <= 4.0
    assert report.failing_now and report.recent_failures == 4 and "timed out" in report.last_error
    assert health.score("acme/space") == 0.0 and health.score("other/space") is None
    later = Health(store, clock=lambda: NOW + dt.timedelta(minutes=10))  # failures are old now: tried again, last
    assert not later.of("acme/space").failing_now and later.score("acme/space") == 0.5
    note = health.note([("text_to_3d", ["acme/space", "local:text_to_3d"])])
    assert "acme/space (text_to_3d) failed 4 of its last 5 calls" in note and "prefer local:text_to_3d" in note


def test_after_failures_the_healthy_provider_is_tried_first(companion_urls, stub_url, settings):
    text = ToolConfig("text_to_3d", stub_url, "/generate_crash", "text_to_3d",
                      fallbacks=(Provider("local:text_to_3d", "/generate"),))
    settings = settings.with_overrides(tools=(text, SCENE), call_attempts=1, backoff_s=0.01, breaker_failures=100,
                                       cache_enabled=False)
    request = "a gallery of a tree, a house, a boat and a car"
    first = ChainRunner(settings).run_to_end(request)
    assert first.error is None, first.error
    calls = [e for e in first.log["events"] if e["type"] == "space_call" and e["tool"] == "text_to_3d"]
    assert [c["space"] for c in calls].count(stub_url) == 4  # config order: the crashing Space first, every time
    # a new process (fresh circuit breakers) reads the failures from the store
    second = ChainRunner(settings).run_to_end(request)
    assert second.error is None, second.error
    calls = [e for e in second.log["events"] if e["type"] == "space_call" and e["tool"] == "text_to_3d"]
    assert calls and {c["space"] for c in calls} == {"local:text_to_3d"}
    assert all(c["fallback"] for c in calls)  # tried first now, but still not the configured provider
    note = next(e["text"] for e in second.log["events"] if e["type"] == "health_note")
    assert f"{stub_url} (text_to_3d) failed 4 of its last 4 calls" in note and "prefer local:text_to_3d" in note
    assert sorted(c["inputs"]["prompt"] for c in calls) == ["boat", "car", "house", "tree"]  # planner unaffected
    # the LLM reads the note in its instructions, and the task is still the request alone
    llm = ScriptedLLM(["Thought: done.\n<code>\nfinal_answer('nothing')\n</code>"])
    ChainRunner(settings, llm=llm).run_to_end(request)
    assert "prefer local:text_to_3d" in llm.prompts[0][0]
    assert all("prefer local" not in t for t in llm.prompts[0][1:])


def test_health_order_does_not_change_cache_keys(companion_urls, stub_url, settings):
    """Results are keyed by the configured first provider, so reordering providers by health still hits."""
    text = ToolConfig("text_to_3d", stub_url, "/generate_crash", "text_to_3d",
                      fallbacks=(Provider("local:text_to_3d", "/generate"),))
    settings = settings.with_overrides(tools=(text, SCENE), call_attempts=1, backoff_s=0.01, breaker_failures=100)
    request = "a gallery of a kettle and a lamp"
    first = ChainRunner(settings).run_to_end(request)  # the crashing Space, then the fallback; results cached
    assert first.error is None, first.error
    second = ChainRunner(settings).run_to_end(request)  # the fallback is tried first now (health)
    calls = [e for e in second.log["events"] if e["type"] == "space_call" and e["tool"] == "text_to_3d"]
    assert len(calls) == 2 and all(c.get("cached") for c in calls), calls


def test_rejected_inputs_do_not_lower_a_spaces_health_after_they_are_stored(tmp_path):
    """A run's call events carry `fault`; the store keeps it, so one user's bad prompts don't reorder providers."""
    store = Store(tmp_path / "diorama.sqlite3")
    events = [{"type": "space_call", "tool": "text_to_3d", "space": "acme/space", "endpoint": "/generate",
               "status": "error", "attempt": 1, "duration_s": 0.1, "inputs": {}, "fault": False,
               "error": "acme/space /generate rejected the input: prompt too long",
               "started_at": (NOW - dt.timedelta(minutes=1)).isoformat()}] * 5
    events += [{"type": "space_call", "tool": "text_to_3d", "space": "acme/space", "endpoint": "/preview",
                "status": "error", "attempt": 1, "duration_s": 9.0, "inputs": {}, "fault": True,
                "error": "timed out", "started_at": (NOW - dt.timedelta(minutes=1)).isoformat()}]
    events += [{**events[-1], "endpoint": "/old", "fault": None}] * 2  # recorded before the flag: they count
    store.record_run({"run_id": "20260101-120000-bbbbbb", "request": "r", "model": {}, "events": events,
                      "result": {"scene": None, "error": "x"}, "timings": {}, "cost": {}})
    stored = store.run("20260101-120000-bbbbbb")["calls"]
    assert [c["fault"] for c in stored if c["endpoint"] == "/generate"] == [False] * 5  # the flag is kept
    assert store.calls_of("acme/space", limit=10, endpoint="/generate") == []  # and rejections are left out
    health = Health(store, clock=lambda: NOW)
    assert health.of("acme/space", "/generate").failures == 0
    assert health.of("acme/space", "/preview").failures == 1
    assert health.of("acme/space", "/old").failures == 2
