"""Debian's Chromium driven by Playwright, shared by the browser tests (`browser` and `page` in conftest.py).

Each tab records page errors and console errors in `tab.errors`; Babylon.js's WebGPU notice in headless Chromium
(it then falls back to WebGL and renders) is the only console error tolerated, matched exactly.
"""

from __future__ import annotations

import os
import re
import shutil
from typing import Any, Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu-sandbox", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--enable-unsafe-swiftshader", "--use-angle=swiftshader"]
KNOWN_CONSOLE_ERROR = re.compile(r"BJS - \[[0-9:]+\]: A fatal error occurred during WebGPU creation/initialization\.")


def launched_chromium() -> Iterator[Any]:
    """Chromium, headless on SwiftShader; skips (fails in CI) where it or playwright is missing."""
    if not shutil.which(CHROMIUM) or not _has_playwright():
        if os.environ.get("CI"):
            pytest.fail("Chromium or playwright is missing in CI: .ci/run must install them.")
        pytest.skip("needs Debian's chromium and the playwright package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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
