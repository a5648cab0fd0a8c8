"""Bad input and abuse: a corpus of hostile requests, API payloads and files, each answered with a clear message.

Requests and payloads go through gradio_client to Diorama itself (the `app_url` app); hostile files come from a
stub Space through the real tools. At the end the app must still serve a normal build, and no message may carry
a traceback.
"""

from __future__ import annotations

import json
import time

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from agent.runner import ChainRunner
from tests.gradio_request import gradio_request
from tests.scripted_model import ScriptedLLM
from ui.limits import ClientLimits, RateLimitedError, check_text, client_key

NOT_A_RUN_ID = "run_id must look like '20261124-061502-3fa1c2e07b9d41a'"
NOTHING_TO_BUILD = "I could not find anything to build in that request"
MESSAGES: list[str] = []  # every message the app gave back, checked for tracebacks at the end

# (id, endpoint, payload, the AppError message) : refused before any run starts
REFUSED = [
    ("empty", "/build", "", "The request is empty"),
    ("whitespace", "/build", "   \n\t  ", "The request is empty"),
    ("none", "/build", None, "The request is empty"),
    ("10k-chars", "/build", "x" * 10_000, "is 10000 characters long; the limit is 500"),
    ("null-byte", "/build", "Eiffel\x00Tower", "control character (U+0000)"),
    ("ansi-escape", "/build", "Eiffel \x1b[31mTower", "control character (U+001B)"),
    ("bell-and-backspace", "/build", "a red\x07 lighthouse\x08", "control character (U+0007)"),
    ("rtl-override", "/build", "\u202eBuild a 3D gallery of Paris landmarks", "control character (U+202E)"),
    ("start-empty", "/start", "", "The request is empty"),
    ("start-10k", "/start", "é" * 10_000, "the limit is 500"),
    ("start-null", "/start", "\x00" * 10, "control character (U+0000)"),
    ("status-garbage", "/status", "does-not-exist", NOT_A_RUN_ID),
    ("status-traversal", "/status", "../../etc/passwd", NOT_A_RUN_ID),
    ("status-traversal-suffix", "/status", "20000101-000000-abcdef/../../../etc", NOT_A_RUN_ID),
    ("status-encoded-traversal", "/status", "%2e%2e%2f%2e%2e%2fetc", NOT_A_RUN_ID),
    ("status-null", "/status", "20000101-000000-abcdef\x00", NOT_A_RUN_ID),
    ("status-unknown", "/status", "20000101-000000-abcdef0123456789",
     "No run has the id '20000101-000000-abcdef0123456789'"),
    ("status-short-unknown", "/status", "20000101-000000-abcdef", "Run '20000101-000000-abcdef' is not yours"),
    ("status-number", "/status", 12345, NOT_A_RUN_ID),
    ("status-none", "/status", None, NOT_A_RUN_ID),
    ("status-sql", "/status", "'; DROP TABLE runs; --", NOT_A_RUN_ID),
    ("cancel-traversal", "/cancel", "..\\..\\windows\\system32", NOT_A_RUN_ID),
    ("resume-traversal", "/resume", "../../etc", NOT_A_RUN_ID),
    ("resume-huge", "/resume", "2" * 10_000, NOT_A_RUN_ID),
    ("resume-unknown", "/resume", "20000101-000000-abcdef", "20000101-000000-abcdef"),
    ("zero-width", "/build", "a\u200bred lighthouse", "control character (U+200B)"),
    ("tag-characters", "/start", "Paris\U000e0041", "control character (U+E0041)"),
]

# (id, request, what the finished run says): accepted, run, and answered without harm
ODD_BUT_VALID = [
    ("emoji-only", "🏛️🗼🌉", NOTHING_TO_BUILD),
    ("html-injection", "<script>alert(1)</script><img src=x onerror=alert(1)>", NOTHING_TO_BUILD),
    ("path-string", "../../etc/passwd", NOTHING_TO_BUILD),
    ("sql-injection", "'; DROP TABLE runs; --", None),
    ("shell-injection", "$(touch /tmp/diorama-pwned) `id` && echo pwned", None),
    ("json-blob", '{"request": "Eiffel Tower", "tools": ["evil"], "hf_token": "x"}', None),
]


@pytest.fixture(scope="module")
def client(app_url, tmp_path_factory):
    return Client(app_url, verbose=False, download_files=str(tmp_path_factory.mktemp("bad-inputs")))


@pytest.mark.parametrize("endpoint, payload, message", [pytest.param(e, p, m, id=i) for i, e, p, m in REFUSED])
def test_bad_payload_is_refused_with_a_clear_message(client, endpoint, payload, message):
    with pytest.raises(AppError) as info:
        client.predict(payload, api_name=endpoint)
    MESSAGES.append(str(info.value))
    assert message in str(info.value)


@pytest.mark.parametrize("kind, payload", [("number", 123), ("list", ["Eiffel Tower", "Big Ben"]),
                                           ("dict", {"request": "Eiffel Tower"})])
def test_wrong_types_to_build_are_refused_or_read_as_text(client, kind, payload):
    """Gradio's Textbox turns what it can into text; whatever happens, the answer is a message, not a crash."""
    try:
        _, log = client.predict(payload, api_name="/build")
    except AppError as exc:
        MESSAGES.append(str(exc))
        assert "The request" in str(exc) or "control character" in str(exc), str(exc)
    else:
        MESSAGES.append(str(log["result"]["error"] or log["result"]["answer"]))
        assert log["result"]["error"] is None or log["result"]["error"].startswith(NOTHING_TO_BUILD[:20])


@pytest.mark.parametrize("request_text, says", [pytest.param(r, s, id=i) for i, r, s in ODD_BUT_VALID])
def test_odd_requests_run_and_answer_plainly(client, request_text, says):
    _, log = client.predict(request_text, api_name="/build")
    result = log["result"]
    MESSAGES.append(str(result["error"] or ""))
    MESSAGES.append(str(result["answer"] or ""))
    if says is not None:
        assert says in (result["error"] or ""), result
    else:
        assert result["error"] is None, result
    text = json.dumps(log)
    assert "root:x:0:0" not in text  # no file contents leak into answers
    assert "Traceback" not in text


def test_the_app_still_serves_a_normal_request_and_no_message_carries_a_traceback(client):
    scene, log = client.predict("a gallery of a red lighthouse and a windmill", api_name="/build")
    assert log["result"]["error"] is None and scene
    assert MESSAGES, "the corpus above did not run"
    for message in MESSAGES:
        assert "Traceback" not in message and 'File "' not in message, message


# ---- limits (ui/limits.py) -----------------------------------------------------------------------

def _request(host: str, forwarded: str | None = None):
    """A real gr.Request from `host`, with an X-Forwarded-For header when `forwarded` is given."""
    return gradio_request(host, {"x-forwarded-for": forwarded} if forwarded else None)


def test_rate_and_concurrency_limits_per_client_with_clear_messages():
    now = [0.0]
    limits = ClientLimits(per_minute=3, concurrent=2, clock=lambda: now[0])
    alice, bob = _request("203.0.113.5"), _request("198.51.100.7")
    first, second = limits.admit(alice), limits.admit(alice)
    with pytest.raises(RateLimitedError, match=r"already have 2 build\(s\) running \(the limit is 2 at once\)"):
        limits.admit(alice)
    limits.admit(bob).release()  # other clients are not affected
    first.release()
    third = limits.admit(alice)
    third.release()
    second.release()
    with pytest.raises(RateLimitedError, match=r"Too many builds: 3 in the last minute .* Try again in 60 s"):
        limits.admit(alice)
    now[0] = 61.0
    limits.admit(alice).release()
    done = [False]
    background = limits.admit(bob)
    background.hold_until(lambda: done[0])  # a /start run counts until it finishes
    limits.admit(bob).release()
    limits.admit(bob)
    with pytest.raises(RateLimitedError, match="already have 2"):
        limits.admit(bob)
    done[0] = True


def test_client_key_trusts_forwarded_for_only_from_a_proxy():
    # the hop the platform's proxy wrote, counted from the right; the leftmost one is the client's own word
    assert client_key(_request("10.0.0.2", "6.6.6.6, 203.0.113.9"), trusted_proxies=1) == "203.0.113.9"
    assert client_key(_request("10.0.0.2", "203.0.113.9, 10.0.0.1"), trusted_proxies=2) == "203.0.113.9"
    assert client_key(_request("10.0.0.2", "203.0.113.9")) == "10.0.0.2"  # no trusted proxy: header ignored
    assert client_key(_request("8.8.8.8", "1.2.3.4"), trusted_proxies=1) == "8.8.8.8"  # a client cannot pick its key
    assert client_key(None) == "local"


@pytest.mark.parametrize("text", ["Build a gallery\nof Rome\tlandmarks", "a👨‍👩‍👧 family statue", "Tour Eiffel, Sacré-Cœur"])
def test_ordinary_text_passes_the_control_character_check(text):
    check_text(text)


def test_the_app_enforces_the_limits_end_to_end(companion_urls, settings):
    """A real Blocks app in this process, limits at 1 running build and 2 per minute."""
    from ui.blocks import build_demo

    # the first build holds its slot long enough that the second request surely meets it, however loaded the machine
    hold = "Thought: wait.\n<code>\nimport time\ntime.sleep(4)\nfinal_answer('no scene')\n</code>"
    # no planner rescue: each scripted build ends right after its hold, well inside the one-minute window
    runner = ChainRunner(settings.with_overrides(builds_per_minute=2, runs_per_client=1, llm_fallback=False),
                         llm=ScriptedLLM([hold]))
    demo = build_demo(runner)
    demo.queue()
    _, url, _ = demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True)
    try:
        client = Client(url, verbose=False)
        job = client.submit("a red lighthouse", api_name="/build")
        deadline = time.monotonic() + 120
        while job.status().code.name not in ("ITERATING", "FINISHED") and time.monotonic() < deadline:
            time.sleep(0.05)
        with pytest.raises(AppError, match=r"already have 1 build\(s\) running"):
            client.predict("an oak tree", api_name="/start")
        job.result(timeout=300)
        client.predict("an oak tree", api_name="/build")
        with pytest.raises(AppError, match="Too many builds: 2 in the last minute"):
            client.predict("a windmill", api_name="/build")
        with pytest.raises(AppError, match="The request is empty"):  # bad input is refused first, not counted
            client.predict("", api_name="/build")
    finally:
        demo.close()


# ---- hostile files from a Space, end to end -------------------------------------------------------

@pytest.mark.parametrize("fixture, message", [
    ("truncated_half", "which "),
    ("html_saved_as", "which "),
    ("external_uri_traversal", "rejected the input"),
])
def test_a_hostile_file_from_a_space_is_refused_with_a_clear_error(companion_urls, settings, hostile_url, fixture,
                                                                   message):
    from agent.config import ToolConfig

    tools = tuple(ToolConfig(name=t.name, space=hostile_url, endpoint="/generate", capability=t.capability)
                  if t.capability == "text_to_3d" else t for t in settings.tools)
    code = (f"made = text_to_3d(prompt='bad:{fixture}')\n"
            "scene = assemble_scene(files=[made['glb']], labels='x', title='x')\nfinal_answer(scene)")
    llm = ScriptedLLM([f"Thought: go.\n<code>\n{code}\n</code>",
                       "Thought: give up.\n<code>\nfinal_answer('could not')\n</code>"])
    settings = settings.with_overrides(tools=tools, max_steps=2, cache_enabled=False, call_attempts=1)
    outcome = ChainRunner(settings, llm=llm).run_to_end("a hostile object")
    assert outcome.scene is None
    step = next(e for e in outcome.log["events"] if e["type"] == "agent_step")
    assert step["status"] == "error" and message in step["error"], step["error"]
    assert "Traceback" not in step["error"]
