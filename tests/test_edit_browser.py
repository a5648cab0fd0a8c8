"""Follow-ups in the UI, in a real browser: a follow-up makes a new version; clicking the first version shows it again."""

from __future__ import annotations

import io
import json
import struct
import time

import httpx

def _labels_of_download(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The object labels of the scene offered for download, read from its scenes[0].extras.layout."""
    href = page.locator("#download a").first.get_attribute("href")
    data = httpx.get(href, timeout=10).content
    length = struct.unpack_from("<I", data, 12)[0]
    document = json.load(io.BytesIO(data[20:20 + length]))
    return [o["label"] for o in document["scenes"][0]["extras"]["layout"]["objects"]]


def _wait_for_labels(page, count: int, timeout_s: float = 60) -> list[str]:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    labels: list[str] = []
    while time.monotonic() < deadline:
        try:
            labels = _labels_of_download(page)
        except (httpx.HTTPError, TypeError, ValueError, KeyError, struct.error):
            labels = []
        if len(labels) == count:
            return labels
        page.wait_for_timeout(500)
    raise AssertionError(f"the download never had {count} object(s); last: {labels}")


def test_a_follow_up_makes_a_new_version_and_the_first_comes_back(page, app_url):
    page.goto(app_url)
    page.locator("#request textarea").fill("a gallery of a red lighthouse and a windmill")
    page.click("#build")
    page.wait_for_selector("#status :text('Done in')", timeout=300_000)  # a cold app starts its Spaces first
    versions = page.locator("#versions")
    versions.get_by_text("v1 · a gallery of a red lighthouse").wait_for(timeout=90_000)
    first = _wait_for_labels(page, 2)

    page.locator("#request textarea").fill("remove the windmill")
    page.click("#build")
    versions.get_by_text("v2 · remove the windmill").wait_for(timeout=120_000)
    second = _wait_for_labels(page, 1)
    assert second == [label for label in first if "indmill" not in label]

    versions.get_by_text("v1 · a gallery of a red lighthouse").click()
    page.wait_for_selector("#status :text('Showing v1')", timeout=90_000)
    assert sorted(_wait_for_labels(page, 2)) == sorted(first)

    page.click("#undo")  # at v1 there is nothing before it
    page.wait_for_selector("#status :text('Nothing to undo')", timeout=90_000)
    page.click("#new-scene")
    page.wait_for_selector("#status :text('Starting a new scene')", timeout=90_000)
    assert not versions.is_visible()
    assert page.errors == []
