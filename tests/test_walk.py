"""The Walk view in a real browser: Debian's Chromium (software WebGL) driven by Playwright against the app.

Movement is read from the view's published state (`#diorama-walk[data-state]`), never timed: each check waits
for a condition on the state, with a generous deadline.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageStat

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, _has_playwright, _keep_console_error

DOCS = Path(__file__).resolve().parents[1] / "docs"
EYE = 1.6


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM) or not _has_playwright():
        import os

        if os.environ.get("CI"):
            pytest.fail("Chromium or playwright is missing in CI: .ci/run must install them.")
        pytest.skip("needs Debian's chromium and the playwright package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _open(browser, app_url, **context):  # type: ignore[no-untyped-def]
    tab = browser.new_context(**context).new_page()
    tab.errors = []  # type: ignore[attr-defined]
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.on("console", lambda message: _keep_console_error(tab.errors, message))
    tab.goto(app_url)
    return tab


def _state(page) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(page.get_attribute("#diorama-walk", "data-state"))


def _wait_state(page, condition: str, timeout_ms: int = 30_000) -> dict:  # type: ignore[no-untyped-def]
    """Wait until `condition` (JS, with `s` the parsed state) holds; return the state."""
    page.wait_for_function(f"(() => {{ const e = document.querySelector('#diorama-walk');"
                           f" if (!e) return false; const s = JSON.parse(e.dataset.state); return {condition}; }})()",
                           timeout=timeout_ms, polling=100)
    return _state(page)


def _build_paris(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_text("Build a 3D gallery of Paris landmarks").first.click()
    page.click("#build")
    page.wait_for_selector("#status :text('Done in')", timeout=180_000)


def _hold(page, key: str, until: str, timeout_ms: int = 20_000) -> dict:  # type: ignore[no-untyped-def]
    page.keyboard.down(key)
    try:
        return _wait_state(page, until, timeout_ms)
    finally:
        page.keyboard.up(key)


@pytest.fixture(scope="module")
def walking(browser, app_url):
    """A desktop-sized page that built Paris and opened the Walk tab, its scene loaded."""
    page = _open(browser, app_url, viewport={"width": 1280, "height": 1000})
    page.fetched = []  # type: ignore[attr-defined]
    page.on("request", lambda request: page.fetched.append(request.url))
    _build_paris(page)
    page.click("#walk-tab-button")
    page.wait_for_selector("#diorama-walk canvas")
    state = _wait_state(page, "s.scene !== '' && s.colliders > 0", 60_000)
    yield page, state
    page.context.close()


def test_walk_view_starts_at_the_entrance_and_publishes_its_state(walking, app_url):
    page, state = walking
    assert set(state) == {"position", "yaw", "pitch", "scene", "fps", "colliders"}
    assert state["position"][1] == EYE and state["yaw"] == 0 and state["pitch"] == 0
    assert state["colliders"] == 4 + 8  # four walls and the plinths of the eight Paris landmarks
    seen = {page.get_attribute("#diorama-walk", "data-state")}
    page.wait_for_function("(prev) => document.querySelector('#diorama-walk').dataset.state !== prev",
                           arg=next(iter(seen)), timeout=5_000)  # it keeps publishing (fps, at least)
    assert page.errors == []
    # offline: three.js and the walker come from the app itself, no CDN
    assert [u for u in page.fetched if not u.startswith((app_url, "data:", "blob:"))] == []
    assert any(u.endswith("/ui/static/walk.js") for u in page.fetched)
    assert any(u.endswith("/vendor/three/three.core.js") for u in page.fetched)


def test_holding_w_walks_forward_at_eye_height(walking):
    page, _ = walking
    page.click("#diorama-walk canvas", position={"x": 20, "y": 300})  # focus the view (no drag: no turn)
    start = _state(page)
    page.keyboard.down("w")
    page.wait_for_timeout(2000)  # "hold W for about 2 s"; the check below does not depend on the duration
    page.keyboard.up("w")
    moved = _state(page)
    assert moved["position"][1] == EYE
    assert moved["position"][2] < start["position"][2] - 0.3, (start, moved)  # forward is -z at yaw 0
    assert abs(moved["yaw"] - start["yaw"]) < 1e-6


def test_walking_into_a_wall_stays_on_the_floor(walking):
    page, _ = walking
    href = page.locator("#download a").first.get_attribute("href")
    glb = httpx.get(href, timeout=10).content
    doc = json.loads(glb[20:20 + int.from_bytes(glb[12:16], "little")])
    minx, minz, maxx, maxz = doc["scenes"][0]["extras"]["walk"]["floor"]
    page.click("#diorama-walk canvas", position={"x": 20, "y": 300})
    # Run backwards (+z) into the south wall, then keep pushing for several seconds.
    page.keyboard.down("Shift")
    page.keyboard.down("s")
    try:
        _wait_state(page, f"s.position[2] > {maxz - 0.5}")
        page.wait_for_timeout(3000)
        pushed = _state(page)
        assert minx < pushed["position"][0] < maxx and maxz - 0.5 < pushed["position"][2] < maxz, pushed
        assert pushed["position"][1] == EYE
        # Sliding: pushing into the wall and strafing left moves along it, still inside the floor.
        page.keyboard.down("a")
        try:
            slid = _wait_state(page, f"s.position[0] < {pushed['position'][0] - 0.5}")
        finally:
            page.keyboard.up("a")
    finally:
        page.keyboard.up("s")
        page.keyboard.up("Shift")
    assert minx < slid["position"][0] < maxx and maxz - 0.5 < slid["position"][2] < maxz, slid


def test_walk_screenshot_shows_the_gallery(walking):
    page, _ = walking
    page.locator("#diorama-walk").scroll_into_view_if_needed()
    png = page.locator("#diorama-walk").screenshot()
    assert sum(ImageStat.Stat(Image.open(io.BytesIO(png)).convert("RGB")).stddev) / 3 > 10
    if os.environ.get("DIORAMA_UPDATE_SCREENSHOTS"):  # the README's picture; a normal run leaves the tree clean
        (DOCS / "screenshot-walk.png").write_bytes(png)


def test_phone_sized_view_walks_with_the_touch_joystick(browser, app_url):
    page = _open(browser, app_url, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True,
                 device_scale_factor=2)
    try:
        _build_paris(page)
        page.click("#walk-tab-button")
        start = _wait_state(page, "s.scene !== '' && s.colliders > 0", 60_000)
        view = page.locator("#diorama-walk")
        view.scroll_into_view_if_needed()
        box = view.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no horizontal scroll
        stick = page.locator("#diorama-walk .walk-stick").bounding_box()
        assert stick and stick["width"] > 40  # shown on a touch screen
        x, y = stick["x"] + stick["width"] / 2, stick["y"] + stick["height"] / 2
        touch = page.context.new_cdp_session(page)
        touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
        touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y - stick["height"] / 2}]})
        try:  # thumb pushed up: forward (-z at yaw 0)
            moved = _wait_state(page, f"s.position[2] < {start['position'][2] - 0.3}")
        finally:
            touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        assert moved["position"][1] == EYE and moved["yaw"] == start["yaw"]
        page.wait_for_timeout(300)
        still = _state(page)
        page.wait_for_timeout(500)
        assert _state(page)["position"] == still["position"]  # released: it stops
        assert page.errors == []
    finally:
        page.context.close()
