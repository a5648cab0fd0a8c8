"""Adding a Space at run time: the owner's allowlist (good and hostile forms), the real /add_space endpoint of a
running Diorama, the next run's agent calling the added tool, and every refusal with its message."""

from __future__ import annotations

import http.server
import threading

import gradio as gr
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from agent.config import Settings
from agent.runner import ChainRunner
from agent.runtime_spaces import SpaceAllowlist, add_space
from tests.conftest import REPO, served
from tests.scripted_model import ScriptedLLM
from tools.companions import free_port
from tools.errors import ConfigError, InvalidInputError, NotAllowedError, SpaceUnavailableError
from tools.registry import Registry

CANARY = "hf_canary_never_sent_to_urls"
SEEN: list[dict[str, str]] = []  # headers of every /shout call the tiny app served


def _tiny_app() -> gr.Blocks:
    def shout(text: str, request: gr.Request) -> str:
        """Shout the text back in capitals with an exclamation mark."""
        SEEN.append(dict(request.headers))
        return text.upper() + "!"

    def count(text: str) -> float:
        """Count the words of a text."""
        return float(len(text.split()))

    with gr.Blocks(title="Tiny Echo") as demo:
        text, out, words = gr.Textbox(label="Text"), gr.Textbox(label="Shouted"), gr.Number(label="Words")
        gr.Button().click(shout, [text], [out], api_name="shout")
        gr.Button().click(count, [text], [words], api_name="count")
    return demo


@pytest.fixture(scope="module")
def tiny_url() -> str:
    yield from served(_tiny_app())


@pytest.fixture(scope="module")
def plain_http_url() -> str:
    """An HTTP server on loopback that is not a Gradio app."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


# ---- the allowlist -------------------------------------------------------------------------

ALLOW = SpaceAllowlist.parse(["you", "acme/one-space", "http://127.0.0.1:7860/", "https://your-host.example/"])


@pytest.mark.parametrize(("source", "connects_to"), [
    ("you/anything", "you/anything"),
    ("YOU/Thing", "YOU/Thing"),  # Hub owners are case-insensitive
    ("acme/one-space", "acme/one-space"),
    ("ACME/One-Space", "ACME/One-Space"),
    ("http://127.0.0.1:7860/", "http://127.0.0.1:7860/"),
    ("http://127.0.0.1:7860", "http://127.0.0.1:7860/"),
    ("HTTP://127.0.0.1:7860/app/", "http://127.0.0.1:7860/app/"),
    ("https://your-host.example", "https://your-host.example/"),
    ("https://YOUR-HOST.example:443/gradio/", "https://your-host.example/gradio/"),
])
def test_allowlist_lets_listed_owners_spaces_and_origins_through(source, connects_to):
    assert ALLOW.check(source) == connects_to
    assert ALLOW.allows(source)


@pytest.mark.parametrize(("source", "error", "phrase"), [
    ("acme/other-space", NotAllowedError, "not on this server's allowlist"),  # only one acme Space is listed
    ("yourself/x", NotAllowedError, "ask the owner to add its owner 'yourself'"),
    ("you-evil/x", NotAllowedError, "not on this server's allowlist"),
    ("http://127.0.0.1:7860.evil.com", InvalidInputError, "port is not a number"),
    ("http://127.0.0.1:7860.evil.com/", InvalidInputError, "port is not a number"),
    ("http://evil.com@127.0.0.1:7860/", InvalidInputError, "user name or password"),
    ("http://127.0.0.1:7860@evil.com/", InvalidInputError, "user name or password"),
    ("http://127.0.0.1:7860\\@evil.com/", InvalidInputError, "backslashes"),
    ("http://127.0.0.1:7861/", NotAllowedError, "'http://127.0.0.1:7861/' is not on this server's allowlist"),
    ("https://127.0.0.1:7860/", NotAllowedError, "not on this server's allowlist"),
    ("http://localhost:7860/", NotAllowedError, "not on this server's allowlist"),  # loopback only as listed
    ("http://[::1]:7860/", NotAllowedError, "not on this server's allowlist"),
    ("http://127.1:7860/", NotAllowedError, "not on this server's allowlist"),
    ("http://2130706433:7860/", NotAllowedError, "not on this server's allowlist"),
    ("http://169.254.169.254/latest/meta-data/", NotAllowedError, "not on this server's allowlist"),
    ("https://your-host.example.evil.com/", NotAllowedError, "not on this server's allowlist"),
    ("https://evil.com/?next=https://your-host.example/", InvalidInputError, "query or a fragment"),
    ("https://evil.com#@your-host.example", InvalidInputError, "query or a fragment"),
    ("http://127.0.0.1:7860/\n", InvalidInputError, "control characters"),
    ("file:///etc/passwd", InvalidInputError, "neither a Hub Space id"),
    ("ftp://your-host.example/", InvalidInputError, "neither a Hub Space id"),
    ("you", InvalidInputError, "neither a Hub Space id"),
    ("you/x/y", InvalidInputError, "neither a Hub Space id"),
    ("local:text_to_3d", NotAllowedError, "bundled Space"),
])
def test_allowlist_refuses_hostile_and_unlisted_forms(source, error, phrase):
    with pytest.raises(error, match=phrase.replace("(", r"\(").replace("?", r"\?")) as caught:
        ALLOW.check(source)
    assert type(caught.value) is error
    assert not ALLOW.allows(source)


def test_an_empty_allowlist_turns_adding_off_and_says_how_to_enable_it():
    empty = SpaceAllowlist.parse([])
    assert not empty.enabled
    with pytest.raises(NotAllowedError, match=r"off.*\[spaces\] allow = .*DIORAMA_ALLOW_SPACES"):
        empty.check("you/anything")


@pytest.mark.parametrize(("entry", "phrase"), [
    ("http://127.0.0.1:7860/app/", "has a path; list only scheme, host and port, e.g. 'http://127.0.0.1:7860/'"),
    ("http://user@your-host.example/", "user name or password"),
    ("ftp://your-host.example/", "is not a Hub owner"),
    ("a/b/c", "is not a Hub owner"),
])
def test_bad_allowlist_entries_fail_at_startup(tmp_path, entry, phrase):
    config = tmp_path / "diorama.toml"
    config.write_text((REPO / "diorama.toml").read_text().replace("allow = []", f"allow = [{entry!r}]"))
    with pytest.raises(ConfigError, match="spaces.allow") as caught:
        Settings.load(config, environ={})
    assert phrase in str(caught.value)


def test_allowlist_comes_from_the_config_file_or_the_environment(tmp_path):
    config = tmp_path / "diorama.toml"
    config.write_text((REPO / "diorama.toml").read_text()
                      .replace("allow = []", "allow = [\"https://your-host.example/\"]")
                      .replace("max_added_tools = 20", "max_added_tools = 5"))
    settings = Settings.load(config, environ={})
    assert settings.allow_spaces == ("https://your-host.example/",) and settings.max_added_tools == 5
    assert settings.offline  # URLs only: the Hub is still not needed
    settings = Settings.load(config, environ={"DIORAMA_ALLOW_SPACES": "you, http://127.0.0.1:7861/"})
    assert settings.allow_spaces == ("you", "http://127.0.0.1:7861/")
    assert not settings.offline  # a Hub owner is allowed: adding its Spaces needs the Hub
    assert Settings.load(environ={}).allowlist.enabled is False  # shipped default: off


# ---- adding, and refusing --------------------------------------------------------------------

def _add(registry: Registry, source: str, endpoint: str = "", *, allow: list[str], max_added: int = 20,
         name: str = "", token: str | None = None):
    return add_space(registry, source, endpoint, name=name, allowlist=SpaceAllowlist.parse(allow),
                     max_added=max_added, connect_timeout_s=5, token=token)


def _configured() -> Registry:
    from agent.config import ToolConfig

    return Registry((ToolConfig(name="shout", space="local:text_to_3d", endpoint="/generate"),), connect_timeout_s=5)


@pytest.mark.parametrize(("case", "error", "phrase"), [
    ("off", NotAllowedError, "Adding Spaces at run time is off"),
    ("other_owner", NotAllowedError, "Space 'someone/x' is not on this server's allowlist"),
    ("other_port", NotAllowedError, "is not on this server's allowlist (allowed: 'http://127.0.0.1:"),
    ("hub_offline", SpaceUnavailableError, "Cannot add you/x: Space you/x is a Hub Space but HF_HUB_OFFLINE=1"),
    ("unreachable", SpaceUnavailableError, "Cannot reach Space"),
    ("not_gradio", SpaceUnavailableError, "answers HTTP 200 but is not a Gradio app"),
    ("no_endpoint", InvalidInputError, "Endpoint '/nope' not found on http://127.0.0.1:"),
    ("bad_endpoint", InvalidInputError, "is not an api name"),
    ("name_clash", InvalidInputError, "A tool named 'shout' already exists (local:text_to_3d /generate)"),
    ("reserved_name", InvalidInputError, "Tool name 'print' is reserved"),
    ("bad_name", InvalidInputError, "must be a Python identifier"),
    ("name_needs_one_endpoint", InvalidInputError, "A tool name can only be given with one endpoint"),
    ("too_many", InvalidInputError, "Adding 2 tool(s) would exceed the limit of 1 added tools"),
    ("empty", InvalidInputError, "Give a Space to add"),
])
def test_refusals_say_what_to_do(tiny_url, plain_http_url, case, error, phrase):
    dead = f"http://127.0.0.1:{free_port()}/"
    registry = _configured()
    call = {
        "off": lambda: _add(registry, tiny_url, allow=[]),
        "other_owner": lambda: _add(registry, "someone/x", allow=["you"]),
        "other_port": lambda: _add(registry, dead, allow=[tiny_url]),
        "hub_offline": lambda: _add(registry, "you/x", "/generate", allow=["you"], token=CANARY),
        "unreachable": lambda: _add(registry, dead, allow=[dead]),
        "not_gradio": lambda: _add(registry, plain_http_url, allow=[plain_http_url]),
        "no_endpoint": lambda: _add(registry, tiny_url, "/nope", allow=[tiny_url]),
        "bad_endpoint": lambda: _add(registry, tiny_url, "/a b", allow=[tiny_url]),
        "name_clash": lambda: _add(registry, tiny_url, "/shout", name="shout", allow=[tiny_url]),
        "reserved_name": lambda: _add(registry, tiny_url, "/shout", name="print", allow=[tiny_url]),
        "bad_name": lambda: _add(registry, tiny_url, "/shout", name="my tool", allow=[tiny_url]),
        "name_needs_one_endpoint": lambda: _add(registry, tiny_url, "", name="mine", allow=[tiny_url]),
        "too_many": lambda: _add(registry, tiny_url, "all", allow=[tiny_url], max_added=1),
        "empty": lambda: _add(registry, "  ", allow=[tiny_url]),
    }[case]
    with pytest.raises(error) as caught:
        call()
    message = str(caught.value)
    assert phrase in message, message
    assert "Traceback" not in message and CANARY not in message and "\n" not in message
    assert registry.added == () and [e.name for e in registry.entries] == ["shout"]  # nothing half-added


def test_one_endpoint_then_the_rest_then_duplicates_then_the_limit(tiny_url):
    registry = Registry((), connect_timeout_s=5)
    added = _add(registry, tiny_url, "shout", allow=[tiny_url], max_added=3)
    assert [(a["name"], a["endpoint"]) for a in added] == [("tiny_echo_shout", "/shout")]
    assert added[0]["description"].startswith("Shout the text back in capitals")
    with pytest.raises(InvalidInputError, match="/shout is already a tool, 'tiny_echo_shout'"):
        _add(registry, tiny_url, "/shout", name="shout_again", allow=[tiny_url], max_added=3)
    assert [a["name"] for a in _add(registry, tiny_url, "all", allow=[tiny_url], max_added=3)] == ["tiny_echo_count"]
    with pytest.raises(InvalidInputError, match="Every named endpoint of .* is already a tool"):
        _add(registry, tiny_url, "", allow=[tiny_url], max_added=3)
    assert [e.name for e in registry.entries] == ["tiny_echo_shout", "tiny_echo_count"]

    full = Registry((), connect_timeout_s=5)
    _add(full, tiny_url, "/count", allow=[tiny_url], max_added=1)
    with pytest.raises(InvalidInputError, match=r"already has its limit of 1 added tools \(spaces.max_added_tools\)"):
        _add(full, tiny_url, "/shout", allow=[tiny_url], max_added=1)


# ---- through a running Diorama, then a run ----------------------------------------------------

@pytest.fixture
def diorama(tiny_url, tmp_path):
    """Diorama's own Blocks served on 127.0.0.1 with only the tiny app allowlisted and a scripted LLM."""
    from ui.blocks import build_demo

    settings = Settings(tools=(), model_provider="offline", data_dir=tmp_path / "data", connect_timeout_s=120,
                        call_timeout_s=20, call_attempts=1, allow_spaces=(tiny_url,), max_added_tools=3,
                        hf_token=CANARY)
    code = 'final_answer(tiny_echo_shout(text="hello diorama"))'
    runner = ChainRunner(settings, llm=ScriptedLLM([f"Thought: shout it.\n<code>\n{code}\n</code>"]))
    for url in served(build_demo(runner)):
        yield runner, Client(url, verbose=False)


def test_a_space_added_through_the_api_is_called_by_the_next_run(diorama, tiny_url):
    runner, client = diorama
    before = runner.run_to_end("Shout hello")  # nothing added yet: the agent has no such tool
    assert not [e for e in before.log["events"] if e["type"] == "space_call" and e["status"] == "ok"]

    result = client.predict(tiny_url, "/shout", "", api_name="/add_space")
    assert [a["name"] for a in result["added"]] == ["tiny_echo_shout"]
    assert result["added_so_far"] == 1 and result["limit"] == 3 and "memory" in result["note"]

    outcome = runner.run_to_end("Shout hello")
    calls = [e for e in outcome.log["events"] if e["type"] == "space_call" and e["status"] == "ok"]
    assert [(c["tool"], c["space"], c["output"]) for c in calls] == [("tiny_echo_shout", tiny_url, "HELLO DIORAMA!")]
    assert outcome.log["result"]["answer"] == "HELLO DIORAMA!"
    assert SEEN and not any(CANARY in value for headers in SEEN for value in headers.values())  # no token to URLs

    for args, phrase in [((tiny_url, "/shout", ""), "is already a tool, 'tiny_echo_shout'"),
                         (("http://127.0.0.1:1/", "", ""), "is not on this server's allowlist"),
                         (("http://127.0.0.1:7860.evil.com", "", ""), "port is not a number"),
                         ((tiny_url, "/nope", ""), "Endpoint '/nope' not found")]:
        with pytest.raises(AppError) as caught:
            client.predict(*args, api_name="/add_space")
        assert phrase in str(caught.value) and "Traceback" not in str(caught.value)

    suggestions = client.predict("text_to_3d", api_name="/suggest_spaces")
    assert suggestions["note"].startswith("Hub search is off offline")
    assert [s["addable"] for s in suggestions["suggestions"]] == [False, False]  # bundled; not allowlisted


def test_adding_spaces_counts_against_the_per_client_build_limit(tiny_url, tmp_path):
    """/add_space connects to Spaces on the server's behalf: it is rate-limited per client like a build."""
    from ui.blocks import build_demo

    settings = Settings(tools=(), model_provider="offline", data_dir=tmp_path / "data", connect_timeout_s=120,
                        allow_spaces=(tiny_url,), max_added_tools=3, builds_per_minute=2)
    for url in served(build_demo(ChainRunner(settings))):
        client = Client(url, verbose=False)
        assert client.predict(tiny_url, "/shout", "", api_name="/add_space")["added_so_far"] == 1
        with pytest.raises(AppError):  # refused by the Space's own rules: still one of the two this minute
            client.predict(tiny_url, "/nope", "", api_name="/add_space")
        with pytest.raises(AppError) as caught:
            client.predict(tiny_url, "/shout", "other_name", api_name="/add_space")
        assert "per minute" in str(caught.value) or "a minute" in str(caught.value), str(caught.value)
