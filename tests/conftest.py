"""Test isolation: offline environment, no non-loopback connections, real local Spaces on 127.0.0.1."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import sys
import tempfile
from pathlib import Path
from typing import Iterator

# Before gradio or huggingface_hub are imported anywhere (their constants are read at import).
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
for _secret in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "DIORAMA_LLM_API_KEY", "DIORAMA_LLM_BASE_URL",
                "DIORAMA_MODEL_PROVIDER", "DIORAMA_CONFIG", "DIORAMA_DATA_DIR"):
    os.environ.pop(_secret, None)
os.environ["GRADIO_TEMP_DIR"] = tempfile.mkdtemp(prefix="diorama-test-gradio-")
# Diorama processes the tests launch (app, CLI) stop their bundled Spaces when they exit, unless a test asks for
# sharing; and a loaded machine gets a generous start: the wait ends as soon as a Space answers, or when it exits.
os.environ["DIORAMA_COMPANION_IDLE_S"] = "0"
os.environ["DIORAMA_COMPANION_START_TIMEOUT_S"] = "600"
os.environ["DIORAMA_PRERENDER_EXAMPLES"] = "false"  # an app launched by a test runs only the test's requests
COMPANION_START_TIMEOUT_S = 600.0

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address):  # type: ignore[no-untyped-def]
    host = address[0] if isinstance(address, tuple) else None
    if host is not None:
        try:
            allowed = ipaddress.ip_address(host).is_loopback
        except ValueError:
            allowed = host == "localhost"
        if not allowed:
            raise ConnectionRefusedError(f"test guard: connection to non-loopback host {host!r} refused")
    return _real_connect(self, address)


socket.socket.connect = _loopback_only  # type: ignore[method-assign]


@pytest.fixture(scope="session", autouse=True)
def companion_fleet(tmp_path_factory):
    """One set of bundled Spaces for the whole session: every runner of every test uses this fleet (started
    when first needed, shared by all tests), and they are stopped when the session ends."""
    from tools import companions

    fleet = companions.use(companions.Fleet(tmp_path_factory.mktemp("companions"), idle_s=0,
                                            start_timeout_s=COMPANION_START_TIMEOUT_S))
    yield fleet
    companions.stop_all()


@pytest.fixture(scope="session")
def companion_urls(companion_fleet) -> dict[str, str]:
    """The bundled Spaces, started as real servers on 127.0.0.1 for the whole session."""
    return companion_fleet.ensure(["text_to_3d", "scene_builder"])


@pytest.fixture(scope="session")
def fault_url(companion_urls) -> str:
    """The fault-injecting Space (spaces/fault_injector) forwarding to the bundled text_to_3d; p=0 until /configure."""
    from tools import companions

    return companions.ensure_started(["fault_injector"], env={"FAULT_TARGET": companion_urls["text_to_3d"]})[
        "fault_injector"]  # stopped with the other companions when the session ends


def served(demo) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Queue and launch a gr.Blocks on 127.0.0.1 in this process; yield its URL, then close it (`yield from` it)."""
    demo.queue()
    _, url, _ = demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True)
    try:
        yield url
    finally:
        demo.close()


@pytest.fixture(scope="session")
def stub_url() -> str:
    """A real Gradio app with one misbehaving endpoint per failure mode (tests/stubs)."""
    from tests.stubs.misbehaving_space import build

    yield from served(build())


@pytest.fixture(scope="session")
def hostile_url() -> str:
    """A real Gradio app standing in for a hostile Space (tests/stubs/hostile_space.py)."""
    from tests.stubs.hostile_space import build

    yield from served(build())


@pytest.fixture
def settings(tmp_path):
    """The repo's config with a per-test data folder and short deadlines."""
    from agent.config import Settings

    return Settings.load(environ={}).with_overrides(data_dir=tmp_path / "data", call_timeout_s=60.0,
                                                    connect_timeout_s=30.0)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """Diorama itself, launched as `python app.py --port N` in its own process (with its own bundled Spaces)."""
    yield from launch_app(tmp_path_factory.mktemp("app-data"))


def launch_app(data: Path):
    """Start `python app.py` on a free 127.0.0.1 port with `data` as its data dir; yield its URL, then stop it."""
    with running_app(data) as (url, _):
        yield url


@contextlib.contextmanager
def running_app(data: Path, env: dict[str, str] | None = None):
    """`python app.py` on a free 127.0.0.1 port, logging to `data`/app.log; yields (url, process), then stops it.

    Args:
        data: its data dir and working dir.
        env: variables added to this process's environment (default LOG_LEVEL=WARNING).
    """
    import subprocess

    from tools.companions import free_port, wait_until_serving

    port = free_port()
    env = {**os.environ, "DIORAMA_DATA_DIR": str(data), "LOG_LEVEL": "WARNING", **(env or {})}
    log = (data / "app.log").open("wb")
    process = subprocess.Popen([sys.executable, str(REPO / "app.py"), "--port", str(port)], env=env, cwd=data,
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    if not wait_until_serving(url, COMPANION_START_TIMEOUT_S, alive=lambda: process.poll() is None):
        process.kill()
        pytest.fail("Diorama did not start: " + (data / "app.log").read_text()[-2000:])
    try:
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=15)


GALLERY_FURNITURE = ("floor", "plinth", "wall", "placard", "sun", "fill", "entrance")  # the scene builder's own


def object_roots(path_or_scene) -> list[str]:
    """The scene GLB's top-level object nodes: every root but the gallery's floor, walls, plinths, placards,
    lights and entrance camera."""
    import trimesh

    scene = path_or_scene if isinstance(path_or_scene, trimesh.Scene) else \
        trimesh.load(path_or_scene, file_type="glb", force="scene")
    return [n for n in scene.graph.transforms.children[scene.graph.base_frame]
            if not n.startswith(GALLERY_FURNITURE)]


def glb_validator_report(paths: list[Path]) -> dict[str, dict] | None:
    """Khronos glTF validator summary per file ({numErrors, numWarnings, errors}), or None when not installed.

    In CI (.ci/run installs the validator with npm) a missing validator fails the test instead.
    """
    import json
    import shutil
    import subprocess

    if shutil.which("node") is None or not (REPO / "node_modules" / "gltf-validator").is_dir():
        if os.environ.get("CI"):
            pytest.fail("The glTF validator is missing in CI: .ci/run must run 'npm install'.")
        return None
    done = subprocess.run(["node", str(REPO / "tests" / "gltf_validate.mjs"), *map(str, paths)],
                          capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout)


def glb_validator_errors(path: Path) -> int | None:
    """Number of validator errors in one file, or None when the validator is not installed."""
    report = glb_validator_report([path])
    return None if report is None else report[str(path)]["numErrors"]


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per browser-test module (tests/browser.py). Not per session: Playwright's sync API
    keeps an event loop on the main thread while it runs, and tests after it use asyncio.run."""
    from tests.browser import launched_chromium

    yield from launched_chromium()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    """A fresh tab per test: a closed tab's aborted streams cannot land in the next test's errors."""
    from tests.browser import open_tab

    tab = open_tab(browser, viewport={"width": 1280, "height": 1000})
    yield tab
    tab.context.close()
