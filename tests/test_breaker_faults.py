"""The shared circuit breaker counts Space faults only: bad prompts cannot close a Space for everyone, a
cancelled half-open trial releases the circuit, and each endpoint of a Space has its own circuit and health."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from typing import Iterator

import gradio as gr
import pytest

from agent.config import Provider, ToolConfig
from agent.health import Health
from agent.store import Store
from tools.breaker import CircuitBreaker, outcome_of
from tools.budget import Budget, BudgetExceededError, Limits
from tools.errors import (
    ConfigError,
    InvalidInputError,
    RunCancelledError,
    SpaceCallError,
    SpaceDownError,
    SpaceOutputError,
    SpaceQuotaError,
    SpaceRejectedError,
    SpaceTimeoutError,
    SpaceUnavailableError,
)
from tools.registry import Registry
from tools.space_tool import CallContext, SpaceTool
from tests.conftest import served

# What the two-endpoint app below does, set by each test (reset before each one).
MODE = {"generate": "ok"}  # "ok" | "crash" (a real fault) | "hang" (waits for RELEASE)
CALLS = {"/generate": 0, "/preview": 0}
ENTERED, RELEASE = threading.Event(), threading.Event()


def generate(prompt: str) -> str:
    """Reject prompts containing "bad" (gr.Error); otherwise do what MODE says."""
    CALLS["/generate"] += 1
    if "bad" in prompt:
        raise gr.Error(f"Prompt {prompt!r} is not allowed on this Space.")
    if MODE["generate"] == "crash":
        raise RuntimeError("internal failure")  # hidden by Gradio: a fault of the Space
    if MODE["generate"] == "hang":
        ENTERED.set()
        RELEASE.wait(30)
    return f"made {prompt}"


def preview(prompt: str) -> str:
    """Always works."""
    CALLS["/preview"] += 1
    return f"preview of {prompt}"


@pytest.fixture(scope="module")
def two_endpoints_url() -> Iterator[str]:
    """A real Gradio app on 127.0.0.1 with two endpoints: /generate (rejects, crashes or hangs) and /preview."""
    with gr.Blocks() as demo:
        prompt, out = gr.Textbox(label="Prompt"), gr.Textbox(label="Result")
        gr.Button("generate").click(generate, [prompt], [out], api_name="generate", concurrency_limit=4)
        gr.Button("preview").click(preview, [prompt], [out], api_name="preview", concurrency_limit=4)
    yield from served(demo)


@pytest.fixture(autouse=True)
def _reset_app():
    MODE["generate"] = "ok"
    CALLS.update({"/generate": 0, "/preview": 0})
    ENTERED.clear()
    RELEASE.clear()
    yield
    RELEASE.set()  # never leave a handler waiting


def _registry(url: str, *, cooldown_s: float = 600.0, **extra: ToolConfig) -> Registry:
    entries = (ToolConfig("gen", url, "/generate"), ToolConfig("preview", url, "/preview"), *extra.values())
    return Registry(entries, connect_timeout_s=15, breaker_failures=3, breaker_cooldown_s=cooldown_s)


@contextlib.contextmanager
def _tools(registry: Registry, tmp_path, events: list | None = None, **context) -> Iterator[dict[str, SpaceTool]]:
    """One run's tools (a fresh context: its own cancel event and sessions); closed afterwards."""
    sink = events.append if events is not None else (lambda e: None)
    options = {"call_timeout_s": 30.0, "attempts": 2, "backoff_s": 0.01, **context}
    loaded = registry.load(CallContext(run_dir=tmp_path, emit=sink, **options))
    try:
        yield loaded.tools
    finally:
        loaded.close()


def _open_circuit(registry: Registry, url: str, tmp_path) -> CircuitBreaker:
    """Three real faults on /generate (attempts=1 each): its circuit opens."""
    MODE["generate"] = "crash"
    with _tools(registry, tmp_path, attempts=1) as tools:
        for _ in range(3):
            with pytest.raises(SpaceCallError, match="hid the reason"):
                tools["gen"](prompt="tree")
    breaker = registry.breaker(url, "/generate")
    assert breaker.is_open
    return breaker


def _wait_for_trial(breaker: CircuitBreaker, deadline_s: float = 120.0) -> None:
    """Poll until the cooldown is over (the next call is the half-open trial)."""
    give_up = time.monotonic() + deadline_s
    while breaker.retry_in_s() > 0:
        assert time.monotonic() < give_up, "the cooldown never ended"
        time.sleep(0.02)


def _half_open(url: str, tmp_path, *, then: str) -> tuple[Registry, CircuitBreaker]:
    """A registry whose /generate circuit was opened by real crashes and is now due for its trial; the Space then
    behaves as `then` ("ok", "hang")."""
    registry = _registry(url, cooldown_s=0.2)
    breaker = _open_circuit(registry, url, tmp_path / "run1")
    _wait_for_trial(breaker)
    MODE["generate"] = then
    return registry, breaker


# ---- through a real Space ------------------------------------------------------------------

def test_bad_prompts_do_not_close_the_space_for_others(two_endpoints_url, tmp_path):
    registry = _registry(two_endpoints_url)
    events: list[dict] = []
    with _tools(registry, tmp_path / "attacker", events) as tools:
        for n in range(5):
            with pytest.raises(SpaceRejectedError, match="is not allowed on this Space"):
                tools["gen"](prompt=f"bad {n}")
    assert CALLS["/generate"] == 5  # each rejection came from the Space itself (and was not retried)
    failed = [e for e in events if e["status"] == "error"]
    assert len(failed) == 5 and not any(e["fault"] for e in failed)
    assert not registry.breaker(two_endpoints_url, "/generate").is_open
    with _tools(registry, tmp_path / "someone-else") as tools:  # another run on the same server
        assert tools["gen"](prompt="tree") == "made tree"


def test_a_space_that_really_fails_opens_its_circuit(two_endpoints_url, tmp_path):
    registry = _registry(two_endpoints_url)
    _open_circuit(registry, two_endpoints_url, tmp_path / "run1")
    MODE["generate"] = "ok"
    events: list[dict] = []
    with _tools(registry, tmp_path / "run2", events) as tools:  # the circuit is shared by the next run
        with pytest.raises(SpaceUnavailableError, match="circuit is open"):
            tools["gen"](prompt="tree")
    assert CALLS["/generate"] == 3  # the refused call never reached the Space
    assert [(e["status"], e["fault"]) for e in events if e["status"] != "running"] == [("error", False)]


def test_a_cancelled_half_open_trial_releases_the_circuit(two_endpoints_url, tmp_path):
    registry, breaker = _half_open(two_endpoints_url, tmp_path, then="hang")
    raised: list[BaseException] = []
    with _tools(registry, tmp_path / "run2", attempts=1) as tools:
        context = tools["gen"].context

        def trial() -> None:
            try:
                tools["gen"](prompt="tree")
            except BaseException as exc:  # noqa: BLE001 - the test inspects it
                raised.append(exc)

        worker = threading.Thread(target=trial)
        worker.start()
        assert ENTERED.wait(15), "the trial call never reached the Space"
        context.cancel.set()  # the user cancels while the Space works on the trial
        worker.join(15)
    assert not worker.is_alive() and len(raised) == 1 and isinstance(raised[0], RunCancelledError), raised
    RELEASE.set()
    MODE["generate"] = "ok"  # the Space is healthy again
    with _tools(registry, tmp_path / "run3") as tools:
        assert tools["gen"](prompt="house") == "made house"  # the next call was let through, as the new trial
    assert not breaker.is_open


def test_a_half_open_trial_refused_by_the_budget_releases_the_circuit(two_endpoints_url, tmp_path):
    registry, breaker = _half_open(two_endpoints_url, tmp_path, then="ok")
    spent = Budget(Limits(max_calls=1))
    spent.start_call("an earlier call")
    with _tools(registry, tmp_path / "run2", budget=spent) as tools:
        with pytest.raises(BudgetExceededError):
            tools["gen"](prompt="tree")  # granted the trial, then refused before calling the Space
    assert CALLS["/generate"] == 3
    with _tools(registry, tmp_path / "run3") as tools:
        assert tools["gen"](prompt="tree") == "made tree"


def test_a_half_open_trial_torn_down_by_a_base_exception_releases_the_circuit(two_endpoints_url, tmp_path):
    registry, breaker = _half_open(two_endpoints_url, tmp_path, then="ok")

    def closing_stream(event: dict) -> None:  # the UI's generator is closed as the trial starts
        if event.get("status") == "running":
            raise GeneratorExit

    loaded = registry.load(CallContext(run_dir=tmp_path / "run2", emit=closing_stream, call_timeout_s=30))
    try:
        with pytest.raises(GeneratorExit):
            loaded.tools["gen"](prompt="tree")
    finally:
        loaded.close()
    with _tools(registry, tmp_path / "run3") as tools:
        assert tools["gen"](prompt="tree") == "made tree"


def test_a_half_open_trial_answered_with_a_rejection_closes_the_circuit(two_endpoints_url, tmp_path):
    registry, breaker = _half_open(two_endpoints_url, tmp_path, then="ok")
    with _tools(registry, tmp_path / "run2") as tools:
        with pytest.raises(SpaceRejectedError):
            tools["gen"](prompt="bad idea")  # the Space answered: it is back
    assert not breaker.is_open


def test_one_failing_endpoint_does_not_close_the_others(two_endpoints_url, tmp_path):
    registry = _registry(two_endpoints_url)
    _open_circuit(registry, two_endpoints_url, tmp_path / "run1")
    assert not registry.breaker(two_endpoints_url, "/preview").is_open
    with _tools(registry, tmp_path / "run2") as tools:
        assert tools["preview"](prompt="tree") == "preview of tree"
        with pytest.raises(SpaceUnavailableError, match="circuit is open"):
            tools["gen"](prompt="tree")


def test_providers_are_ordered_by_the_health_of_their_endpoint(two_endpoints_url, tmp_path):
    both = ToolConfig("either", two_endpoints_url, "/generate", fallbacks=(Provider(two_endpoints_url, "/preview"),))
    registry = Registry((both,), connect_timeout_s=15,
                        health=lambda space, endpoint: 0.0 if endpoint == "/generate" else None)
    with _tools(registry, tmp_path) as tools:
        assert [p.endpoint for p in tools["either"].providers] == ["/preview"]  # /generate is failing now
        assert tools["either"](prompt="tree") == "preview of tree"
    assert CALLS == {"/generate": 0, "/preview": 1}


# ---- the breaker's state machine, with an injected clock ---------------------------------------

class FakeClock:
    """Fake: a clock the test moves, because the breaker's cooldown is a minute of wall-clock time and tests
    neither wait for nor assert on the wall clock (the breaker takes its clock as an argument)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _opened(clock: FakeClock) -> CircuitBreaker:
    breaker = CircuitBreaker(failures=3, cooldown_s=60, clock=clock)
    for _ in range(3):
        breaker.record(breaker.allow(), "fault")
    assert breaker.is_open and breaker.allow() is None
    return breaker


def test_only_faults_count_toward_opening():
    breaker = CircuitBreaker(failures=3, cooldown_s=60, clock=FakeClock())
    for outcome in ("fault", "fault", "answered", "void", "answered"):
        breaker.record(breaker.allow(), outcome)
    assert not breaker.is_open
    breaker.record(breaker.allow(), "fault")  # the third fault in a row (refusals in between say nothing)
    assert breaker.is_open
    healthy = CircuitBreaker(failures=3, cooldown_s=60, clock=FakeClock())
    for outcome in ("fault", "fault", "ok", "fault", "fault"):
        healthy.record(healthy.allow(), outcome)
    assert not healthy.is_open  # a success resets the count


@pytest.mark.parametrize(("outcome", "is_open", "next_trial_at"), [
    ("ok", False, 0), ("answered", False, 0),  # the Space answered: closed
    ("fault", True, 60),  # open again, with a fresh cooldown
    ("void", True, 0),  # released: half-open again, the next call is the next trial
])
def test_a_half_open_trial_ends_in_one_of_four_ways(outcome, is_open, next_trial_at):
    clock = FakeClock()
    breaker = _opened(clock)
    clock.now += 60
    trial = breaker.allow()
    assert trial is not None and trial.trial
    assert breaker.allow() is None  # one trial at a time: no flood
    clock.now += 5
    breaker.record(trial, outcome)
    assert breaker.is_open is is_open
    if next_trial_at:
        clock.now += next_trial_at - 0.01
        assert breaker.allow() is None
        clock.now += 0.01
    permit = breaker.allow()
    assert permit is not None and permit.trial is is_open
    assert (breaker.allow() is None) is is_open


def test_a_permit_counts_once_and_only_the_trial_frees_the_trial():
    clock = FakeClock()
    breaker = CircuitBreaker(failures=3, cooldown_s=60, clock=clock)
    stale = breaker.allow()  # admitted while closed, still in flight when the circuit opens
    for _ in range(3):
        breaker.record(breaker.allow(), "fault")
    clock.now += 60
    trial = breaker.allow()
    breaker.record(stale, "void")  # the stale call is cancelled: the trial is still running
    assert breaker.allow() is None
    breaker.record(trial, "void")
    breaker.record(trial, "fault")  # a second record of the same permit is ignored
    assert breaker.retry_in_s() == 0 and breaker.allow() is not None


@pytest.mark.parametrize(("error", "outcome"), [
    (SpaceUnavailableError("x", space="s"), "fault"),
    (SpaceDownError("x", space="s"), "fault"),
    (SpaceTimeoutError("x", space="s"), "fault"),
    (SpaceCallError("x", space="s"), "fault"),  # hid why: indistinguishable from a crash
    (SpaceOutputError("x", space="s"), "fault"),
    (SpaceRejectedError("x", space="s"), "answered"),
    (SpaceQuotaError("x", space="s"), "answered"),  # the user's quota, not the Space
    (InvalidInputError("x"), "void"),
    (ConfigError("x"), "void"),
    (RunCancelledError("x"), "void"),
    (BudgetExceededError("x"), "void"),
    (KeyError("x"), "void"),
    (GeneratorExit(), "void"),
], ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else v)
def test_errors_are_classified_by_class(error, outcome):
    assert outcome_of(error) == outcome


# ---- health per endpoint --------------------------------------------------------------------

NOW = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.timezone.utc)


def test_health_is_kept_per_endpoint(tmp_path):
    store = Store(tmp_path / "diorama.sqlite3")
    events = [{"type": "space_call", "tool": "t", "space": "acme/space", "endpoint": endpoint, "status": status,
               "attempt": 1, "duration_s": 1.0, "inputs": {}, "error": "crashed" if status == "error" else None,
               "started_at": (NOW - dt.timedelta(minutes=1)).isoformat()}
              for endpoint, status in [("/preview", "ok")] * 3 + [("/generate", "error")] * 4]
    store.record_run({"run_id": "20260101-120000-aaaaaa", "request": "r", "model": {}, "events": events,
                      "result": {"scene": None, "error": "x"}, "timings": {}, "cost": {}})
    health = Health(store, clock=lambda: NOW)
    assert health.score("acme/space", "/generate") == 0.0
    assert health.score("acme/space", "/preview") == 1.0
    assert health.score("acme/space", "/other") is None
    assert health.of("acme/space").calls == 7  # the whole Space, as the agent's note reads it

