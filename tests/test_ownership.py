"""Runs belong to whoever started them: /history and the History tab list only the caller's runs; one run opens
for its owner, an admin, or whoever holds its full run id (64 random bits: a capability); a short or guessed id of
someone else's run is refused with a clear message. Two API clients and two browsers against a real app."""

from __future__ import annotations

import hashlib
import json
import secrets

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from agent.config import Settings
from agent.runner import ChainRunner
from agent.store import MIGRATIONS, Store
from tests.conftest import served
from tests.gradio_request import gradio_request
from tests.test_serving import queue_call
from ui.owners import Caller, NotYoursError, check_access, identify

ADMIN = "admin-" + "x" * 24
LEGACY = "20250101-000000-abcdef"  # a run id from before ids carried 64 random bits


@pytest.fixture(scope="module")
def app(companion_urls, tmp_path_factory):
    """(url, runner) of a Diorama in this process, with an admin token; limits off (every client is 127.0.0.1)."""
    from ui.blocks import build_demo

    settings = Settings.load(environ={}).with_overrides(data_dir=tmp_path_factory.mktemp("owners") / "data",
                                                        builds_per_minute=0, runs_per_client=0)
    runner = ChainRunner(settings)
    for url in served(build_demo(runner, admin_token=ADMIN)):
        yield url, runner


def _key(secret: str) -> str:
    return "key:" + hashlib.sha256(secret.encode()).hexdigest()[:32]


def test_api_clients_see_only_their_own_runs(app):
    url, runner = app
    alice, bob = Client(url, verbose=False), Client(url, verbose=False)
    _, log = alice.predict("a gallery of a windmill", api_name="/build")
    run_id = log["run_id"]
    assert run_id in [r["run_id"] for r in alice.predict(20, api_name="/history")]
    assert run_id not in [r["run_id"] for r in bob.predict(20, api_name="/history")]
    # the full id is a capability: whoever holds it may read it (documented in the README)
    assert bob.predict(run_id, api_name="/status")[1]["status"] == "done"
    # a guessed prefix is not: too few random bits to be a capability, and the run is not bob's
    guess = run_id[:-10]
    for endpoint in ("/status", "/cancel", "/resume", "/run"):
        with pytest.raises(AppError, match=f"Run '{guess}' is not yours"):
            bob.predict(guess, api_name=endpoint)


def test_a_short_id_opens_only_for_its_owner_and_an_owner_key_is_stable_across_clients(app):
    url, runner = app
    secret = secrets.token_hex(16)
    runner.store.record_start(LEGACY, "an old request", model="offline:planner", owner=_key(secret))
    (runner.settings.data_dir / "runs" / LEGACY).mkdir(parents=True, exist_ok=True)
    owner = Client(url, verbose=False, headers={"x-diorama-owner": secret})
    again = Client(url, verbose=False, headers={"x-diorama-owner": secret})  # another process, the same secret
    stranger = Client(url, verbose=False, headers={"x-diorama-owner": secrets.token_hex(16)})
    assert owner.predict(LEGACY, api_name="/status")[1]["run_id"] == LEGACY
    assert LEGACY in [r["run_id"] for r in again.predict(20, api_name="/history")]
    assert LEGACY not in [r["run_id"] for r in stranger.predict(20, api_name="/history")]
    for endpoint in ("/status", "/cancel", "/resume", "/run"):
        with pytest.raises(AppError, match=f"Run '{LEGACY}' is not yours"):
            stranger.predict(LEGACY, api_name=endpoint)
    with pytest.raises(AppError, match="at least 16 characters"):
        Client(url, verbose=False, headers={"x-diorama-owner": "short"}).predict(5, api_name="/history")


def test_the_admin_token_sees_every_run(app):
    url, runner = app
    Client(url, verbose=False).predict("a windmill", api_name="/build")
    admin = Client(url, verbose=False, headers={"x-diorama-admin": ADMIN})
    everyone = {r["run_id"] for r in admin.predict(500, api_name="/history")}
    assert everyone == {r["run_id"] for r in runner.store.recent(500)} and len(everyone) >= 2
    wrong = Client(url, verbose=False, headers={"x-diorama-admin": ADMIN + "!"})
    assert {r["run_id"] for r in wrong.predict(500, api_name="/history")} < everyone


def test_two_browsers_see_only_their_own_runs_in_the_history_tab(app):
    url, _ = app
    alice, bob = secrets.token_hex(16), secrets.token_hex(16)
    built = queue_call(url, "build_ui", ["a gallery of a windmill", None, alice])  # None: the page's version (State)
    assert built["success"], built
    run_id = built["output"]["data"][1]["run_id"]
    rows = lambda browser: [r[0] for r in queue_call(url, "table", [browser])["output"]["data"][0]["data"]]  # noqa
    assert run_id in rows(alice)
    assert run_id not in rows(bob)
    # bob's browser cannot open it by a guessed prefix, in the History tab or under "Resume a run"
    guess = run_id[:-10]
    selected = queue_call(url, "select", [bob], event_data={"index": [0, 0], "value": guess, "row_value": [guess]})
    resumed = queue_call(url, "resume_ui", [guess, bob])
    for message in (selected, resumed):
        assert not message["success"] and f"Run '{guess}' is not yours" in message["output"]["error"], message


def test_a_resumed_run_keeps_its_owner(tmp_path):
    store = Store(tmp_path / "diorama.sqlite3")
    store.record_start("20260101-000000-aaaaaa", "r", owner="hf:alice")
    store.record_start("20260101-000000-aaaaaa", "r", owner="hf:bob")  # resumed by a capability holder
    assert store.owner("20260101-000000-aaaaaa") == "hf:alice"
    assert [r["run_id"] for r in store.recent(10, owner="hf:alice")] == ["20260101-000000-aaaaaa"]
    assert store.recent(10, owner="hf:bob") == [] and len(store.recent(10)) == 1
    assert store.schema_version() == len(MIGRATIONS) == 5


def _request(headers=None, session_hash=None, session=None, username=None):
    """A real gr.Request with these headers, session hash, OAuth session and user name."""
    return gradio_request("203.0.113.5", headers, session=session, username=username, session_hash=session_hash)


def test_identity_comes_from_oauth_then_auth_then_key_then_browser_then_session():
    oauth = {"oauth_info": {"userinfo": {"preferred_username": "alice"}, "expires_at": 4e9}}
    assert identify(_request(session=oauth, headers={"x-diorama-owner": "k" * 20})).key == "hf:alice"
    expired = {"oauth_info": {"userinfo": {"preferred_username": "alice"}, "expires_at": 1}}
    assert identify(_request(session=expired, session_hash="s")).key.startswith("session:")
    assert identify(_request(username="bob")).key == "user:bob"
    assert identify(_request(headers={"x-diorama-owner": "k" * 20}), browser_id="b" * 32).key == _key("k" * 20)
    assert identify(_request(session_hash="s"), browser_id="b" * 32).key.startswith("browser:")
    assert identify(_request(session_hash="s"), browser_id="too short").key.startswith("session:")
    assert identify(None) == Caller("local")
    assert identify(_request(headers={"x-diorama-admin": ADMIN}), admin_token=ADMIN).admin
    assert not identify(_request(headers={"x-diorama-admin": ADMIN}), admin_token=None).admin
    assert ADMIN not in json.dumps(identify(_request(headers={"x-diorama-owner": ADMIN})).__dict__)


def test_check_access_table(tmp_path):
    store = Store(tmp_path / "diorama.sqlite3")
    store.record_start(LEGACY, "r", owner="hf:alice")
    full = "20260101-000000-0123456789abcdef"
    assert check_access(store, LEGACY, Caller("hf:alice")) == LEGACY
    assert check_access(store, LEGACY, Caller("hf:bob", admin=True)) == LEGACY
    assert check_access(store, full, Caller("hf:bob")) == full  # a capability, whoever holds it
    with pytest.raises(NotYoursError, match=f"Run '{LEGACY}' is not yours"):
        check_access(store, LEGACY, Caller("hf:bob"))
    with pytest.raises(NotYoursError):
        check_access(store, "20250101-000000-abcdee", Caller("hf:bob"))  # unknown short ids say the same
