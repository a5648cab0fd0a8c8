"""Take the README screenshots: start Diorama, run the Paris example, capture it at 1280 and 390 px wide.

    python docs/take_screenshots.py        # writes docs/screenshot-desktop.png and docs/screenshot-narrow.png

Needs Debian's /usr/bin/chromium, the `playwright` package and, for the emoji, `fonts-noto-color-emoji`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (one set of browser flags)
from tools.companions import free_port, wait_until_serving  # noqa: E402

SHOTS = {"desktop": {"width": 1280, "height": 1000}, "narrow": {"width": 390, "height": 844}}


def _start_app(data: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "DIORAMA_DATA_DIR": str(data), "LOG_LEVEL": "WARNING", "GRADIO_ANALYTICS_ENABLED": "False",
           "HF_HUB_DISABLE_TELEMETRY": "1"}
    process = subprocess.Popen([sys.executable, str(REPO / "app.py"), "--port", str(port)], env=env, cwd=data,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    if wait_until_serving(url, 90, alive=lambda: process.poll() is None):
        return process, url
    process.kill()
    raise SystemExit("Diorama did not start within 90 s")


def _paris(page: Page, url: str) -> None:
    page.goto(url)
    page.locator("#scene").wait_for()
    page.get_by_text("Build a 3D gallery of Paris landmarks").first.click()
    page.click("#build")
    page.wait_for_selector("#status :text('Done in')", timeout=120_000)
    page.locator("#scene").scroll_into_view_if_needed()
    page.wait_for_selector("#scene canvas", timeout=30_000)
    page.wait_for_timeout(3000)  # let Babylon.js draw the scene
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(500)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="diorama-shots-") as data:
        process, url = _start_app(Path(data))
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                for name, viewport in SHOTS.items():
                    page = browser.new_page(viewport=viewport)
                    _paris(page, url)
                    target = REPO / "docs" / f"screenshot-{name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(f"wrote {target.relative_to(REPO)}")
                    page.close()
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
