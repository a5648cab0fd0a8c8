"""The UI in a real browser: Debian's Chromium driven by Playwright against the app on 127.0.0.1."""

from __future__ import annotations

import contextlib

import io
import re
import time

import httpx
import pytest
from PIL import Image, ImageStat

def _spread(png: bytes) -> float:
    """Mean per-channel standard deviation of an image: ~0 for a blank area."""
    return sum(ImageStat.Stat(Image.open(io.BytesIO(png)).convert("RGB")).stddev) / 3


# Upper bounds for a 2-core machine with both cores saturated by other work (issue 18's load test), not speed checks:
# there a build through the UI can take minutes.
LOADED_WAIT_MS = 240_000


@pytest.mark.timeout(900)
def test_paris_example_builds_and_the_scene_renders(page, app_url):
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(app_url)
    scene = page.locator("#scene")
    scene.wait_for()
    blank = _spread(scene.screenshot())
    assert page.locator("#assets input[type=file]").count() == 0  # a list of results, not an upload box
    page.get_by_text("Build a 3D gallery of Paris landmarks").first.click()
    page.click("#build")
    page.wait_for_selector("#status :text('Done in')", timeout=LOADED_WAIT_MS)
    log = page.locator("#chain-log")
    assert log.get_by_text("text_to_3d · local:text_to_3d /generate").count() == 8
    assert log.get_by_text("assemble_scene · local:scene_builder /assemble").count() == 1
    # each landmark's GLB is listed as its Space returns it (progressive results)
    assert page.locator("#assets").get_by_text(".glb").count() == 8
    page.wait_for_selector("#scene canvas", timeout=90_000)
    assert blank < 3, blank
    rendered = _spread(scene.screenshot())
    deadline = time.monotonic() + 90  # Babylon.js draws the loaded scene when it gets the CPU: seconds when loaded
    while rendered <= 3 * max(blank, 1.0) and time.monotonic() < deadline:
        page.wait_for_timeout(500)
        rendered = _spread(scene.screenshot())
    assert rendered > 3 * max(blank, 1.0), (blank, rendered)
    href = page.locator("#download a").first.get_attribute("href")
    assert href and httpx.get(href, timeout=10).content[:4] == b"glTF"
    chain = page.locator("#log-file a").first.get_attribute("href")
    assert chain and httpx.get(chain, timeout=10).json()["result"]["scene"].endswith("scene.glb")
    assert page.errors == []  # no page errors and no console errors (but the known WebGPU one)
    # ...and the newest asset is loaded into the "Latest asset" viewer. Known bug, open: when the run's calls
    # all come from the cache (the examples are pre-rendered at start-up, so this run's are), the viewer gets
    # its value but draws no canvas and fetches no GLB; a run whose assets arrive one by one shows it.
    try:
        page.wait_for_selector("#latest-asset canvas", timeout=30_000)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError
        pytest.xfail("known bug: the Latest asset viewer stays blank after a fully cached run")
    for _ in range(60):
        if any(re.search(r"/call-\d+_[^/]*\.glb$", url) for url in fetched):
            break
        page.wait_for_timeout(500)
    else:
        raise AssertionError(f"no asset GLB was loaded; files fetched: {[u for u in fetched if 'file=' in u]}")


def test_the_page_fits_a_phone_screen(page, app_url):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(app_url)
    for selector in ("#request textarea", "#build", "#scene"):
        page.locator(selector).scroll_into_view_if_needed()
        box = page.locator(selector).bounding_box()
        assert page.locator(selector).is_visible() and box and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no horizontal scroll
    assert page.errors == []


@pytest.mark.parametrize(("text", "message"), [
    ("hello, how are you?", "could not find anything to build"),
    ("   ", "The request is empty"),
])
def test_bad_requests_show_a_clear_message(page, app_url, text, message):
    page.goto(app_url)
    page.fill("#request textarea", text)
    page.click("#build")
    page.wait_for_selector(f"text={message}", timeout=60_000)


@pytest.fixture
def busy_app_url(tmp_path, fault_url):
    """A Diorama of this test's own whose text-to-3D Space takes 20 s a call (the fault injector's `hang` mode),
    kept busy by 2 API builds (per-client limits off: every client here is 127.0.0.1). It does not pre-render its
    examples: against a Space that hangs 20 s a call, that would only queue more hung calls on a loaded machine."""
    from gradio_client import Client

    from tests.conftest import running_app

    control = Client(fault_url, verbose=False)
    control.predict(1.0, 0, "hang", 20.0, api_name="/configure")  # busy long enough to be cancelled on a loaded machine
    env = {"DIORAMA_RUNS_PER_CLIENT": "0", "DIORAMA_BUILDS_PER_MINUTE": "0", "DIORAMA_SPACE_TEXT_TO_3D": fault_url,
           "DIORAMA_PRERENDER_EXAMPLES": "0"}
    try:
        with running_app(tmp_path, env=env) as (url, _):
            client = Client(url, verbose=False, download_files=str(tmp_path / "downloads"))
            jobs = [client.submit(f"a gallery of a {c} tower, a {c} dome and a {c} arch", api_name="/build")
                    for c in ("gold", "silver")]
            yield url
            for job in jobs:  # best effort: the app is stopped next anyway, and a busy one may not answer in time
                with contextlib.suppress(httpx.HTTPError):
                    job.cancel()
    finally:
        control.predict(0.0, 0, "all", 30.0, api_name="/configure")


@pytest.mark.timeout(900)
def test_cancel_on_a_busy_app_keeps_its_status_and_resume_restarts_that_run(page, busy_app_url):
    """Cancel must show at once and stay shown: the cancelled build may not overwrite it with a late update."""
    from gradio_client import Client

    app_url = busy_app_url
    page.goto(app_url)
    page.fill("#request textarea", "a gallery of a tiny violet tower, a huge teal dome and a small amber arch")
    page.click("#build")
    page.wait_for_selector("#status :text('now: text_to_3d')", timeout=LOADED_WAIT_MS)  # its calls take 20 s each
    page.click("#cancel")
    try:
        cancelled = page.wait_for_selector("#status :text('Cancelled run')", timeout=90_000).inner_text()  # loaded CI
    except Exception as exc:  # say what the page showed instead
        raise AssertionError(f"status: {page.locator('#status').inner_text()!r}") from exc
    run_id = re.search(r"\d{8}-\d{6}-[0-9a-f]{16}", cancelled).group(0)
    api = Client(app_url, verbose=False)
    deadline = time.monotonic() + 60
    while api.predict(run_id, api_name="/status")[1]["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.5)
    assert api.predict(run_id, api_name="/status")[1]["status"] == "cancelled"
    time.sleep(1.0)  # any late update of the cancelled build would have arrived by now
    assert "Cancelled run" in page.locator("#status").inner_text()
    page.click("#resume-box button")  # open the accordion
    assert page.input_value("#resume-id textarea") == run_id
    page.click("#resume")
    page.wait_for_selector("#status :text('Step')", timeout=LOADED_WAIT_MS)  # the resumed run streams again
    # That a resumed run finishes is checked through the API (test_api.py).
