"""Debian's Chromium driven by Playwright, shared by the browser tests (`browser` and `page` in conftest.py).

Each tab records page errors and console errors in `tab.errors`; Babylon.js's WebGPU notice in headless Chromium
(it then falls back to WebGL and renders) is the only console error tolerated, matched exactly.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from typing import Any, Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu-sandbox", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--enable-unsafe-swiftshader", "--use-angle=swiftshader"]
# What Playwright's own headless launch adds, which the tests were written against: no throttled tab, sRGB
# screenshots, no scrollbars, a mouse-like pointer for CSS media queries.
_PLAYWRIGHT_ARGS = ["--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows",
                    "--disable-renderer-backgrounding", "--disable-back-forward-cache", "--disable-dev-shm-usage",
                    "--disable-extensions", "--disable-default-apps", "--disable-popup-blocking",
                    "--disable-hang-monitor", "--disable-ipc-flooding-protection", "--allow-pre-commit-input",
                    "--force-color-profile=srgb", "--hide-scrollbars", "--mute-audio",
                    "--blink-settings=primaryHoverType=2,availableHoverTypes=2,primaryPointerType=4,"
                    "availablePointerTypes=4"]
KNOWN_CONSOLE_ERROR = re.compile(r"BJS - \[[0-9:]+\]: A fatal error occurred during WebGPU creation/initialization\.")


def launched_chromium() -> Iterator[Any]:
    """Chromium, headless on SwiftShader; skips (fails in CI) where it or playwright is missing.

    Started here and driven over CDP rather than by `chromium.launch`: Playwright starts the browser as a new
    session leader, which Linux schedules as its own autogroup, and on a saturated machine a new autogroup can
    starve (see `tools.companions.Fleet._process_group`). Started here, it shares the tests' session.
    """
    if not shutil.which(CHROMIUM) or not _has_playwright():
        if os.environ.get("CI"):
            pytest.fail("Chromium or playwright is missing in CI: .ci/run must install them.")
        pytest.skip("needs Debian's chromium and the playwright package")
    from playwright.sync_api import sync_playwright

    from tools.companions import free_port

    port = free_port()
    profile = tempfile.mkdtemp(prefix="diorama-chromium-")
    process = subprocess.Popen([CHROMIUM, "--headless", f"--remote-debugging-port={port}", f"--user-data-dir={profile}",
                                *CHROMIUM_ARGS, *_PLAYWRIGHT_ARGS, "about:blank"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with sync_playwright() as driver:
            browser = _connect(driver, port, process)
            yield browser
            browser.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(profile, ignore_errors=True)


def _connect(driver: Any, port: int, process: subprocess.Popen) -> Any:
    """Playwright's browser over CDP, once Chromium's debugging port answers (an upper bound for a loaded machine)."""
    deadline = time.monotonic() + 240
    while True:
        try:
            return driver.chromium.connect_over_cdp(f"http://127.0.0.1:{port}", timeout=30_000)
        except Exception:  # noqa: BLE001 - playwright's Error while the port is not up yet
            if process.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def open_tab(browser: Any, **context: Any) -> Any:
    """A tab in a fresh context (its own storage: its own owner id) whose errors land in `tab.errors`."""
    tab = browser.new_context(**context).new_page()
    tab.set_default_timeout(90_000)  # an upper bound for a loaded 2-core CI machine, not a speed check
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.on("console", lambda message: keep_console_error(tab.errors, message))
    return tab


def keep_console_error(errors: list[str], message: Any) -> None:
    if message.type == "error" and not KNOWN_CONSOLE_ERROR.fullmatch(message.text):
        errors.append(f"console: {message.text}")


def _has_playwright() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return True
