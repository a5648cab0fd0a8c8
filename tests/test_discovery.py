"""Suggesting Spaces for a capability: the shipped catalog offline; merged with a (fake) Hub search online."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import tomllib
from typing import get_args

import pytest
from huggingface_hub import HfApi
from huggingface_hub.hf_api import ExpandSpaceProperty_T, SpaceInfo

from agent.runtime_spaces import SpaceAllowlist
from tests.conftest import REPO
from tools.discovery import HUB_NOTE, OFFLINE_NOTE, suggest
from tools.errors import InvalidInputError

CATALOG = tomllib.loads((REPO / "catalog.toml").read_text(encoding="utf-8"))


class FakeHfApi:
    """Fake: `huggingface_hub.HfApi.list_spaces`, because the Hub cannot be reached here.

    It returns real `SpaceInfo`s and records the call.
    """

    def __init__(self, items: list[dict] | None = None, error: Exception | None = None) -> None:
        self.items, self.error, self.calls = items or [], error, []

    def list_spaces(self, **kwargs):
        self.calls.append(kwargs)
        if self.error is not None:
            raise self.error
        return (SpaceInfo(**item) for item in self.items)


def test_offline_suggestions_are_the_catalog_alone_with_a_note():
    hub = FakeHfApi(error=AssertionError("the Hub must not be asked offline"))
    result = suggest("image_to_3d", api=hub)  # conftest sets HF_HUB_OFFLINE=1
    assert result["note"] == OFFLINE_NOTE and hub.calls == []
    assert [s["space"] for s in result["suggestions"]] == [e["space"] for e in CATALOG["image_to_3d"]]
    assert all(s["source"] == "catalog" and s["vetted"] for s in result["suggestions"])
    hunyuan = next(s for s in result["suggestions"] if s["space"] == "tencent/Hunyuan3D-2")
    assert "EU" in hunyuan["license"] and hunyuan["endpoints"] == ["/shape_generation", "/generation_all"]
    assert [s["addable"] for s in result["suggestions"]] == [False, None, None, None, None]  # local: never


def test_hub_search_with_fake_hfapi_is_merged_deduplicated_and_marked():
    hub = FakeHfApi([
        {"id": "HYSTS/shap-e", "likes": 900, "sdk": "gradio"},  # already in the catalog (other case)
        {"id": "acme/text-to-3d-fast", "likes": 120, "sdk": "gradio", "cardData": {"license": "mit"}},
        {"id": "bob/text-to-3d-docker", "likes": 50, "sdk": "docker"},  # not a Gradio app
        {"id": "carol/text-to-3d-old", "likes": 40, "sdk": "gradio", "disabled": True},
        {"id": "dave/text-to-3d-tagged", "likes": 3, "sdk": "gradio", "tags": ["gradio", "license:apache-2.0"]},
        {"id": "erin/text-to-3d-bare"},  # the Hub said nothing more
    ])
    allow = SpaceAllowlist.parse(["acme", "erin/text-to-3d-bare"])
    result = suggest("text_to_3d", api=hub, offline=False, limit=7, allowed=allow.allows)
    assert result["note"] is None
    rows = [(s["space"], s["source"], s["vetted"], s["likes"], s["license"], s["addable"])
            for s in result["suggestions"]]
    assert rows == [
        ("local:text_to_3d", "catalog", True, None, "Apache-2.0", False),
        ("hysts/Shap-E", "catalog", True, None, "MIT (openai/shap-e)", False),
        ("acme/text-to-3d-fast", "hub", False, 120, "mit", True),
        ("dave/text-to-3d-tagged", "hub", False, 3, "apache-2.0", False),
        ("erin/text-to-3d-bare", "hub", False, None, None, True),
    ]
    assert all(s["notes"] == HUB_NOTE for s in result["suggestions"] if s["source"] == "hub")
    # the call the real HfApi would get fits its real signature and options
    (kwargs,) = hub.calls
    inspect.signature(HfApi.list_spaces).bind(None, **kwargs)
    assert kwargs["search"] == "text-to-3d" and kwargs["sort"] == "likes" and kwargs["limit"] == 7
    assert set(kwargs["expand"]) <= set(get_args(ExpandSpaceProperty_T)) and kwargs["token"] is False


def test_a_failing_hub_search_leaves_the_catalog_and_says_so():
    result = suggest("text_to_image", api=FakeHfApi(error=OSError("network is down")), offline=False)
    assert result["note"] == "Hub search failed (network is down); showing the shipped catalog only."
    assert [s["space"] for s in result["suggestions"]] == [e["space"] for e in CATALOG["text_to_image"]]


def test_an_unknown_capability_lists_the_valid_ones():
    with pytest.raises(InvalidInputError, match="use one of text_to_3d, image_to_3d, text_to_image, scene_assembly"):
        suggest("text_to_video")


def test_suggest_on_the_command_line_prints_json_or_one_line():
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "DIORAMA_ALLOW_SPACES": "tencent"}
    done = subprocess.run([sys.executable, str(REPO / "app.py"), "--suggest", "image_to_3d"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["capability"] == "image_to_3d" and result["note"] == OFFLINE_NOTE
    addable = {s["space"]: s["addable"] for s in result["suggestions"]}
    assert addable["tencent/Hunyuan3D-2"] is True and addable["JeffreyXiang/TRELLIS"] is False
    assert addable["local:image_to_3d"] is False
    done = subprocess.run([sys.executable, str(REPO / "app.py"), "--suggest", "nope"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "diorama --suggest: Unknown capability 'nope'; use one of text_to_3d, image_to_3d, text_to_image, "
        "scene_assembly."]
