"""Frame rate of the Walk view on the 8-landmark Paris scene, in Debian's Chromium with software WebGL.

    python bench/walk_fps.py                    # starts its own app (~2 minutes on a 2-core machine)
    python bench/walk_fps.py --url http://127.0.0.1:7860/ --seconds 12

For each viewport (desktop 1280x800 at device scale 1; phone 390x844 at device scale 3 with touch) and each way
of drawing the sun's shadows (the view's debug switch `data-shadows`: "baked", the default, once per scene into
a floor-plan texture; "live", three.js's shadow maps; "off"), it builds Paris (cached after the first
build), opens Walk and turns on the spot with Q while walking forward with W for `--seconds`, so every frame
draws a different view and the adaptive resolution is at work, as for a person walking. The `fps` field of
`#diorama-walk[data-state]` is read once a second; the first two readings (warm-up) are dropped.
Prints one line per case: median, min and max fps. Nothing here asserts a number: the machine is shared.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tools.companions import free_port, wait_until_serving  # noqa: E402

VIEWPORTS = {
    "desktop 1280x800": {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1},
    "phone 390x844": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True,
                      "has_touch": True},
}


@contextlib.contextmanager
def _app() -> Iterator[str]:
    """`python app.py` on a free port with a fresh data folder; yields its URL."""
    with tempfile.TemporaryDirectory(prefix="walk-fps-") as data:
        port = free_port()
        env = {**os.environ, "DIORAMA_DATA_DIR": data, "LOG_LEVEL": "WARNING"}
        with open(Path(data) / "app.log", "wb") as log:
            process = subprocess.Popen([sys.executable, str(REPO / "app.py"), "--port", str(port)], env=env,
                                       cwd=data, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/"
        try:
            if not wait_until_serving(url, 120, alive=lambda: process.poll() is None):
                raise SystemExit("Diorama did not start: " + (Path(data) / "app.log").read_text()[-2000:])
            yield url
        finally:
            process.terminate()
            process.wait(timeout=15)


def _state(page) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(page.get_attribute("#diorama-walk", "data-state"))


def measure(browser, url: str, context: dict, *, shadows: str, seconds: int) -> list[int]:  # type: ignore[no-untyped-def]
    """fps readings of one walk (after two seconds of warm-up) in a fresh tab of `browser`."""
    page = browser.new_context(**context).new_page()
    try:
        page.goto(url)
        page.get_by_text("Build a 3D gallery of Paris landmarks").first.click()
        page.click("#build")
        page.wait_for_selector("#status :text('Done in')", timeout=300_000)
        page.click("#walk-tab-button")
        page.wait_for_function("JSON.parse(document.querySelector('#diorama-walk').dataset.state).colliders > 0",
                               timeout=120_000)
        page.locator("#diorama-walk").scroll_into_view_if_needed()
        page.evaluate(f"document.querySelector('#diorama-walk').dataset.shadows = '{shadows}'")
        page.focus("#diorama-walk")
        page.keyboard.down("q")
        page.keyboard.down("w")
        readings = []
        try:
            for _ in range(seconds + 2):
                page.wait_for_timeout(1000)
                readings.append(int(_state(page)["fps"]))
        finally:
            page.keyboard.up("w")
            page.keyboard.up("q")
        return readings[2:]
    finally:
        page.context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running Diorama (default: start one)")
    parser.add_argument("--seconds", type=int, default=10, help="readings per case, one a second")
    parser.add_argument("--shadows", nargs="+", default=["baked", "live", "off"], choices=["baked", "live", "off"])
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack:
        url = args.url or stack.enter_context(_app())
        driver = stack.enter_context(sync_playwright())
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        print(f"{'case':<34} {'median':>6} {'min':>4} {'max':>4}")
        for name, context in VIEWPORTS.items():
            for shadows in args.shadows:
                fps = measure(browser, url, context, shadows=shadows, seconds=args.seconds)
                case = f"{name}, shadows {shadows}"
                print(f"{case:<34} {statistics.median(fps):>6.1f} {min(fps):>4} {max(fps):>4}", flush=True)
        browser.close()


if __name__ == "__main__":
    main()
