"""Start the bundled companion Spaces (`spaces/<name>/app.py`) as local servers.

Each companion runs in its own process on 127.0.0.1, exactly as it would run
as a Space, and Diorama talks to it over HTTP through gradio_client.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

import httpx

from tools.errors import SpaceUnavailableError

logger = logging.getLogger(__name__)

SPACES_DIR = Path(__file__).resolve().parent.parent / "spaces"
READY_TIMEOUT_S = 90.0
_SECRET_NAME = re.compile(r"TOKEN|SECRET|KEY|PASSWORD|PASSWD|CREDENTIAL", re.I)


@dataclass
class Companion:
    """A running companion Space."""

    name: str
    url: str
    process: subprocess.Popen
    log_path: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()


_running: dict[str, Companion] = {}
_lock = threading.Lock()


def available() -> list[str]:
    """Names of the bundled companion Spaces."""
    return sorted(p.parent.name for p in SPACES_DIR.glob("*/app.py"))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, timeout_s: float, alive: Callable[[], bool] = lambda: True) -> bool:
    """Poll a Gradio app's `/config` until it answers 200 (True), `timeout_s` passes or `alive()` is False."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and alive():
        try:
            if httpx.get(url.rstrip("/") + "/config", timeout=1.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False


def child_env(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` without the owner's secrets: what a companion process is started with.

    Companions never need a token or key; they run offline on loopback. Dropped: every
    variable whose name contains TOKEN, SECRET, KEY, PASSWORD, PASSWD or CREDENTIAL (HF_TOKEN,
    HUGGING_FACE_HUB_TOKEN, HF_API_TOKEN, HF_TOKEN_PATH, DIORAMA_LLM_API_KEY, OPENAI_API_KEY, ...).
    Kept: the rest (PATH, HOME, GRADIO_*, HF_HUB_OFFLINE, FAULT_TARGET, ...).
    """
    return {name: value for name, value in environ.items() if not _SECRET_NAME.search(name)}


def _spawn(name: str) -> Companion:
    app = SPACES_DIR / name / "app.py"
    if not app.is_file():
        raise SpaceUnavailableError(
            f"No bundled Space named '{name}'; bundled: {', '.join(available()) or 'none'}.", space=f"local:{name}")
    port = free_port()
    env = {
        **child_env(os.environ),
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "GRADIO_SERVER_PORT": str(port),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_OFFLINE": "1",
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",  # nor a saved login (huggingface-cli login) in their Hub calls
        "PYTHONUNBUFFERED": "1",
    }
    log_path = Path(tempfile.gettempdir()) / f"diorama-space-{name}-{port}.log"
    log = log_path.open("wb")
    runner = [sys.executable, "-m", "tools.companion_runner", str(app), str(os.getpid())]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SPACES_DIR.parent), env.get("PYTHONPATH")]))
    process = subprocess.Popen(runner, cwd=app.parent, env=env,
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    return Companion(name=name, url=f"http://127.0.0.1:{port}/", process=process, log_path=log_path)


def _wait_ready(companion: Companion, deadline: float) -> None:
    if wait_until_serving(companion.url, deadline - time.monotonic(), alive=companion.alive):
        return
    if not companion.alive():
        tail = companion.log_path.read_text(errors="replace")[-800:]
        raise SpaceUnavailableError(
            f"Bundled Space '{companion.name}' exited during start-up (code {companion.process.returncode}). "
            f"Its log ends with: {' '.join(tail.split())[-300:]}", space=f"local:{companion.name}")
    companion.stop()
    raise SpaceUnavailableError(
        f"Bundled Space '{companion.name}' did not start within {READY_TIMEOUT_S:g} s; see {companion.log_path}.",
        space=f"local:{companion.name}")


def ensure_started(names: list[str]) -> dict[str, str]:
    """Start the named companions (those not already running) and wait until they answer.

    Returns:
        name -> base URL, e.g. {"text_to_3d": "http://127.0.0.1:40123/"}.

    Raises:
        SpaceUnavailableError: a companion is unknown, crashed, or did not start in time.
    """
    with _lock:
        fresh = [_spawn(n) for n in dict.fromkeys(names) if n not in _running or not _running[n].alive()]
        deadline = time.monotonic() + READY_TIMEOUT_S
        try:
            for companion in fresh:
                _wait_ready(companion, deadline)
                logger.info("bundled Space %s ready at %s", companion.name, companion.url)
        except SpaceUnavailableError:
            for companion in fresh:
                companion.stop()
            raise
        _running.update({c.name: c for c in fresh})
        return {n: _running[n].url for n in names}


def stop_all() -> None:
    """Stop every companion this process started."""
    with _lock:
        for companion in _running.values():
            companion.stop()
        _running.clear()


atexit.register(stop_all)
