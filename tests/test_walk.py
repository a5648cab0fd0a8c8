"""The Walk view in a real browser: Debian's Chromium (software WebGL) driven by Playwright against the app.

Movement is read from the view's published state (`#diorama-walk[data-state]`), never timed: each check waits
for a condition on the state, with a generous deadline.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import math
import re

import httpx
import pytest
from PIL import Image, ImageChops, ImageStat
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser import open_tab
from tests.node import node_eval
from ui.walk import provenance

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
VENDOR = REPO / "ui" / "static" / "vendor" / "three"
EYE = 1.6
FOV_DEG = 70  # the view's vertical field of view (ui/static/walk.js)
MAP_PX = 140  # the mini-map canvas's own size (ui/walk.py)


def _open(browser, app_url, **context):  # type: ignore[no-untyped-def]
    tab = open_tab(browser, **context)
    tab.goto(app_url)
    return tab


def _state(page) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(page.get_attribute("#diorama-walk", "data-state"))


def _wait_state(page, condition: str, timeout_ms: int = 30_000) -> dict:  # type: ignore[no-untyped-def]
    """Wait until `condition` (JS, with `s` the parsed state) holds; return the state."""
    try:
        page.wait_for_function(f"(() => {{ const e = document.querySelector('#diorama-walk');"
                               f" if (!e) return false; const s = JSON.parse(e.dataset.state); return {condition}; }})()",
                               timeout=timeout_ms, polling=100)
    except PlaywrightTimeout:
        hud = page.locator("#diorama-walk .walk-hud").inner_text()
        raise AssertionError(f"not within {timeout_ms / 1000:.0f} s: {condition}; the view's state is {_state(page)},"
                             f" its hint {hud!r}") from None
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
    state = _wait_state(page, "s.scene !== '' && s.colliders > 0 && s.fps > 0", 60_000)  # loaded and drawing
    yield page, state
    page.context.close()


def _scene_doc(page) -> dict:  # type: ignore[no-untyped-def]
    """The glTF JSON of the scene the page downloads."""
    glb = httpx.get(page.locator("#download a").first.get_attribute("href"), timeout=10).content
    return json.loads(glb[20:20 + int.from_bytes(glb[12:16], "little")])


def _walk_to(page, doc: dict, label: str) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    """Click `label`'s plinth on the mini-map; wait until the walker stands still in front of it, facing it.

    Returns:
        (the layout entry of the object, the view's state once there).
    """
    walk = doc["scenes"][0]["extras"]["walk"]
    entry = next(o for o in doc["scenes"][0]["extras"]["layout"]["objects"] if o["label"] == label)
    minx, minz, maxx, maxz = walk["floor"]
    scale = min((MAP_PX - 8) / (maxx - minx), (MAP_PX - 8) / (maxz - minz))  # as walk.js draws the map
    x, _, z = entry["position_m"]
    box = page.locator("#diorama-walk .walk-map").bounding_box()
    page.mouse.click(box["x"] + (4 + (x - minx) * scale) * box["width"] / MAP_PX,
                     box["y"] + (4 + (z - minz) * scale) * box["height"] / MAP_PX)
    front = z + entry["plinth_m"][2] / 2
    state = _wait_state(page, f"s.yaw === 0 && s.pitch < 0 && Math.abs(s.position[0] - {x}) < 0.05"
                              f" && s.position[2] > {front} && s.position[2] < {front + 2.5}", 90_000)
    page.wait_for_timeout(600)  # standing still: the view returns to full resolution
    return entry, state


def _placard_box(state: dict, entry: dict, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """Where the placard on `entry`'s plinth appears in a screenshot of the view's canvas (left, top, right, bottom).

    The placard's corners follow spaces/scene_builder/sb_walk.placard_mesh; the camera is the walker's
    (eye height, yaw 0, the state's pitch, a 70° vertical field of view).
    """
    x, height, z = entry["position_m"]
    width, _, depth = entry["plinth_m"]
    w = min(0.8, width - 0.1)
    h = w / 4
    cy, fz = height * 0.62, z + depth / 2 + 0.01
    cam_x, cam_y, cam_z = state["position"]
    pitch = math.radians(state["pitch"])
    tan = math.tan(math.radians(FOV_DEG) / 2)
    xs, ys = [], []
    for px, py in ((x - w / 2, cy - h / 2), (x + w / 2, cy - h / 2), (x + w / 2, cy + h / 2), (x - w / 2, cy + h / 2)):
        dx, dy, dz = px - cam_x, py - cam_y, fz - cam_z
        # into the camera's frame: undo the pitch (a rotation about x); the camera looks toward -z
        cy_, cz_ = dy * math.cos(pitch) + dz * math.sin(pitch), -dy * math.sin(pitch) + dz * math.cos(pitch)
        xs.append((dx / -cz_ / (tan * size[0] / size[1]) + 1) / 2 * size[0])
        ys.append((1 - cy_ / -cz_ / tan) / 2 * size[1])
    return int(min(xs)), int(min(ys)), int(math.ceil(max(xs))), int(math.ceil(max(ys)))


def _next_frames(page) -> None:  # type: ignore[no-untyped-def]
    page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => "
                  "requestAnimationFrame(done))))")


def test_walk_view_starts_at_the_entrance_and_publishes_its_state(walking, app_url):
    page, state = walking
    assert set(state) == {"position", "yaw", "pitch", "scene", "fps", "colliders"}
    assert state["position"][1] == EYE and state["yaw"] == 0 and state["pitch"] == 0
    assert state["colliders"] == 4 + 8  # four walls and the plinths of the eight Paris landmarks
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]+", state["scene"]), state  # the run id
    # It publishes every STATE_EVERY_MS (the issue asks for at least 5 a second), even when nothing changed. The
    # interval is read from the source; the page is only checked to keep writing (a rate would be a wall-clock
    # assertion, and a starved page runs its timers late).
    every_ms = int(re.search(r"const STATE_EVERY_MS = (\d+);", (REPO / "ui/static/walk.js").read_text()).group(1))
    assert every_ms <= 200
    page.evaluate("""() => {
        window.stateWrites = 0;
        window.stateWatch = new MutationObserver((records) => { window.stateWrites += records.length; });
        window.stateWatch.observe(document.querySelector('#diorama-walk'),
                                  { attributes: true, attributeFilter: ['data-state'] });
    }""")
    page.wait_for_function("window.stateWrites >= 5", timeout=90_000, polling=100)
    page.evaluate("window.stateWatch.disconnect()")
    assert page.errors == []
    # offline: three.js and the walker come from the app itself, no CDN
    assert [u for u in page.fetched if not u.startswith((app_url, "data:", "blob:"))] == []
    assert any(u.endswith("/ui/static/walk.js") for u in page.fetched)
    assert any(u.endswith("/ui/static/walk_path.js") for u in page.fetched)
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
    page.fetched = []  # type: ignore[attr-defined]
    page.on("request", lambda request: page.fetched.append(request.url))
    try:
        page.click("#walk-tab-button")  # opened before the build: the scene streams in during the run
        _build_paris(page)
        start = _wait_state(page, "s.scene !== '' && s.colliders > 0", 60_000)
        # first the scene Space's own file (sent as soon as it answered), then the finished run's scene.glb
        for _ in range(300):
            scenes = [u.rsplit("/", 1)[-1] for u in page.fetched if u.endswith(".glb")]
            if "scene.glb" in scenes:
                break
            page.wait_for_timeout(200)
        assert scenes[-1] == "scene.glb" and any(s.endswith("_paris_landmarks.glb") for s in scenes[:-1]), scenes
        start = _wait_state(page, f"s.scene === {json.dumps(start['scene'])}")
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
        still = _state(page)["position"]
        for _ in range(60):  # released: it stops (a loaded machine may draw a few more frames first)
            page.wait_for_timeout(500)
            now = _state(page)["position"]
            if now == still:
                break
            still = now
        else:
            raise AssertionError(f"still moving 30 s after the thumb was lifted: {still}")
        assert page.errors == []
    finally:
        page.context.close()


def test_clicking_an_object_on_the_map_walks_there_and_shows_its_provenance(walking):
    page, _ = walking
    doc = _scene_doc(page)
    entry, state = _walk_to(page, doc, "Eiffel Tower")
    assert state["position"][1] == EYE and state["yaw"] == 0 and state["pitch"] < 0  # facing the plinth, looking down
    minx, minz, maxx, maxz = doc["scenes"][0]["extras"]["walk"]["floor"]
    assert minx < state["position"][0] < maxx and minz < state["position"][2] < maxz
    # within 2.5 m of the plinth: its provenance, from this run's chain log, is shown
    info = page.locator("#diorama-walk .walk-info")
    assert info.is_visible() and info.get_attribute("data-object") == entry["node"]
    text = info.inner_text()
    assert "Eiffel Tower" in text and "local:text_to_3d" in text and "license apache-2.0" in text, text
    assert re.search(r"\d+(\.\d+)? s\b", text), text  # how long the call took
    assert "placeholder" not in text  # the layout entry has no `placeholder` field
    assert page.errors == []


def test_placards_are_readable_in_a_screenshot(walking):
    """In front of a placard, a render with placards differs from one without, in the placard's area only."""
    page, _ = walking
    doc = _scene_doc(page)
    entry, state = _walk_to(page, doc, "Arc de Triomphe")
    canvas = page.locator("#diorama-walk .walk-canvas canvas")
    canvas.scroll_into_view_if_needed()
    root = "document.querySelector('#diorama-walk')"
    try:
        _next_frames(page)
        shown = Image.open(io.BytesIO(canvas.screenshot())).convert("L")
        page.evaluate(f"{root}.dataset.placards = 'off'")  # the view's debug switch
        _next_frames(page)
        hidden = Image.open(io.BytesIO(canvas.screenshot())).convert("L")
    finally:
        page.evaluate(f"delete {root}.dataset.placards")
    assert _state(page)["position"] == state["position"]  # the same view both times
    left, top, right, bottom = _placard_box(state, entry, shown.size)
    assert 0 <= left < right <= shown.width and 0 <= top < bottom <= shown.height, (left, top, right, bottom)
    assert right - left > 60 and bottom - top > 15  # large enough to read
    inner = (left + 2, top + 2, right - 2, bottom - 2)
    diff = ImageChops.difference(shown, hidden)
    assert ImageStat.Stat(diff.crop(inner)).mean[0] > 20  # the placard is drawn there...
    assert ImageStat.Stat(shown.crop(inner)).stddev[0] > 25  # ...with light text on a dark ground in it
    changed = diff.point(lambda v: 255 if v > 24 else 0).getbbox()
    assert changed is not None
    pad = 6
    assert (changed[0] >= left - pad and changed[1] >= top - pad and changed[2] <= right + pad
            and changed[3] <= bottom + pad), (changed, (left, top, right, bottom))  # ...and nowhere else
    if os.environ.get("DIORAMA_UPDATE_SCREENSHOTS"):
        (DOCS / "screenshot-walk-placard.png").write_bytes(page.locator("#diorama-walk").screenshot())


def test_a_run_opened_from_history_is_walkable(walking):
    page, built = walking
    page.click("#history-tab-button")
    page.click("#history-refresh")
    page.locator("#history-table [role=gridcell]", has_text=built["scene"]).first.click(timeout=90_000)
    page.click("#history-walk-tab-button")
    view = "#diorama-walk-history"
    page.wait_for_function(f"(() => {{ const e = document.querySelector('{view}'); if (!e) return false;"
                           f" const s = JSON.parse(e.dataset.state); return s.scene === '{built['scene']}'"
                           f" && s.colliders === 12; }})()", timeout=60_000, polling=100)
    start = json.loads(page.get_attribute(view, "data-state"))
    assert start["position"] == built["position"] and start["yaw"] == 0  # at the entrance
    page.click(f"{view} canvas", position={"x": 20, "y": 300})
    page.keyboard.down("w")
    try:
        page.wait_for_function(f"JSON.parse(document.querySelector('{view}').dataset.state).position[2]"
                               f" < {start['position'][2] - 0.3}", timeout=90_000, polling=100)
    finally:
        page.keyboard.up("w")
    assert json.loads(page.get_attribute(view, "data-state"))["position"][1] == EYE
    assert page.errors == []


def test_provenance_keys_each_asset_by_its_file_name_and_by_the_name_without_call_prefixes():
    log = {"events": [
        {"type": "space_call", "status": "ok", "tool": "text_to_3d", "space": "local:text_to_3d",
         "endpoint": "/generate", "license": "apache-2.0", "duration_s": 0.25,
         "output": {"glb": "assets/call-5_call-6_sacre_coeur.glb", "info": {}}},
        {"type": "space_call", "status": "error", "tool": "text_to_3d", "space": "x", "output": None},
        {"type": "space_call", "status": "ok", "tool": "text_to_3d", "space": "cache", "cached": True,
         "duration_s": 0.0, "output": {"glb": "assets/call-7_sacre_coeur.glb"}},
        {"type": "agent_step", "output": "assets/call-9_x.glb"}]}
    calls = provenance(log)
    assert set(calls) == {"call-5_call-6_sacre_coeur.glb", "call-6_sacre_coeur.glb", "sacre_coeur.glb",
                          "call-7_sacre_coeur.glb"}
    assert calls["call-6_sacre_coeur.glb"] == {"space": "local:text_to_3d", "tool": "text_to_3d",
                                               "endpoint": "/generate", "license": "apache-2.0",
                                               "duration_s": 0.25, "cached": False, "replayed": False}
    assert calls["sacre_coeur.glb"]["space"] == "local:text_to_3d"  # the first call keeps the short name
    assert calls["call-7_sacre_coeur.glb"]["cached"] is True
    assert provenance(None) == {} and provenance({"events": []}) == {}


def test_vendored_three_is_the_registry_package_of_package_lock():
    """ui/static/vendor/three is npm's `three` at package-lock.json's version, unchanged but for import paths."""
    lock = json.loads((REPO / "package-lock.json").read_text())
    version = lock["packages"]["node_modules/three"]["version"]
    assert json.loads((REPO / "package.json").read_text())["devDependencies"]["three"] == version
    revision = re.search(r"const REVISION = '(\d+)'", (VENDOR / "three.core.js").read_text()).group(1)
    assert version.split(".")[:2] == ["0", revision], (version, revision)
    installed = REPO / "node_modules" / "three"
    if not (installed / "package.json").is_file():
        pytest.skip("node_modules/three is not installed (npm install): only the version was compared")
    assert json.loads((installed / "package.json").read_text())["version"] == version
    for name in ("three.core.js", "three.module.js"):
        assert (VENDOR / name).read_bytes() == (installed / "build" / name).read_bytes(), name
    assert (VENDOR / "LICENSE").read_bytes() == (installed / "LICENSE").read_bytes()
    for source in ("examples/jsm/loaders/GLTFLoader.js", "examples/jsm/utils/BufferGeometryUtils.js",
                   "examples/jsm/utils/SkeletonUtils.js"):
        upstream = (installed / source).read_text(encoding="utf-8")
        rewritten = upstream.replace("from 'three'", "from './three.module.js'").replace("from '../utils/", "from './")
        assert (VENDOR / Path(source).name).read_text(encoding="utf-8") == rewritten, source


def test_the_note_marks_a_placeholder_and_reads_without_one():
    info = (REPO / "ui" / "static" / "walk_info.js").as_uri()
    layout = {"objects": [
        {"label": "Steam locomotive", "node": "steam_locomotive", "source_file": "call-2_steam_locomotive.glb",
         "position_m": [1, 0.8, 2], "plinth_m": [1.2, 0.8, 1.0], "placeholder": "no builder for 'steam locomotive'"},
        {"label": "Windmill", "node": "windmill", "source_file": "call-1_windmill.glb",
         "position_m": [-1, 0.9, 2], "plinth_m": [1, 0.9, 1]},
        {"label": "Odd", "node": "odd", "position_m": [0, "x", 0], "plinth_m": [1, 1, 1]}]}
    calls = {"call-1_call-1_windmill.glb": {"space": "cache"}, "windmill.glb": {"space": "local:text_to_3d",
             "endpoint": "/generate", "license": "apache-2.0", "duration_s": 0.347, "cached": False},
             "call-2_steam_locomotive.glb": {"space": "local:text_to_3d", "endpoint": "/generate",
                                             "license": None, "duration_s": 12.6, "replayed": True}}
    notes = node_eval(f"import {{ describe, readObjects }} from {json.dumps(info)};\n"
                      f"console.log(JSON.stringify(readObjects({json.dumps(layout)}, {json.dumps(calls)})"
                      f".map(describe)));")
    assert notes == [
        {"title": "Steam locomotive", "placeholder": "placeholder — no builder for 'steam locomotive'",
         "made": "Made by local:text_to_3d /generate · license not stated · 13 s (replayed)"},
        {"title": "Windmill", "placeholder": None,
         "made": "Made by local:text_to_3d /generate · license apache-2.0 · 0.35 s"},
    ]  # "Odd" has no numeric position: left out, not a broken note
    empty = node_eval(f"import {{ describe, readObjects }} from {json.dumps(info)};\n"
                      "console.log(JSON.stringify([readObjects(undefined, {}), "
                      "readObjects({objects: [{label: 'A', position_m: [0, 1, 0], plinth_m: [1, 1, 1], "
                      "placeholder: 'placeholder: no builder'}]}, null).map(describe)]));")
    assert empty == [[], [{"title": "A", "placeholder": "placeholder: no builder",
                           "made": "Made by: not in this run's chain log"}]]
