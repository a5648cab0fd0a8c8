"""A Hub Space that does not answer is described by its runtime stage (the Hub is a fake here: it cannot be reached)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from gradio_client.utils import QueueError
from huggingface_hub import SpaceStage

from tools import spaces
from tools.errors import SpaceDownError, SpaceUnavailableError
from tools.space_runtime import StageLookup, advice
from tools.spaces import SpaceSession


class FakeRuntimeApi:
    """Fake: `huggingface_hub.HfApi.get_space_runtime`, because the Hub cannot be reached here.

    It counts the questions.
    """

    def __init__(self, stage, error: Exception | None = None) -> None:
        self.stage, self.error, self.asked = stage, error, []

    def get_space_runtime(self, repo_id, *, token=None):
        self.asked.append((repo_id, token))
        if self.error:
            raise self.error
        return SimpleNamespace(stage=self.stage)


def test_stage_lookup_with_a_fake_hub_is_remembered_for_30_s():
    api, now = FakeRuntimeApi(SpaceStage.PAUSED), [0.0]
    lookup = StageLookup(lambda: api, clock=lambda: now[0])
    assert lookup("acme/space", token="hf_x") == "PAUSED"
    now[0] = 20.0
    assert lookup("acme/space") == "PAUSED" and len(api.asked) == 1
    now[0] = 31.0
    api.stage = "SLEEPING"  # a stage this huggingface_hub's enum does not list still reads as text
    assert lookup("acme/space") == "SLEEPING" and len(api.asked) == 2
    assert api.asked[0] == ("acme/space", "hf_x")
    assert StageLookup(lambda: FakeRuntimeApi(None, error=TimeoutError()))("a/b") is None


def test_without_a_reachable_hub_there_is_no_stage():
    assert StageLookup()("acme/space") is None  # HF_HUB_OFFLINE=1 in the tests: nothing is asked


@pytest.mark.parametrize(("stage", "kind", "phrase", "retryable"), [
    ("SLEEPING", SpaceUnavailableError, "is asleep; the call wakes it", True),
    ("PAUSED", SpaceDownError, "is paused by its owner", False),
    ("RUNTIME_ERROR", SpaceDownError, "has crashed on the Hub", False),
    ("BUILDING", SpaceUnavailableError, "is building", True),
])
def test_a_hub_space_queue_error_is_told_by_its_stage_with_a_fake_hub(monkeypatch, tmp_path, stage, kind, phrase,
                                                                       retryable):
    monkeypatch.setattr(spaces, "stage_of", StageLookup(lambda: FakeRuntimeApi(stage)))  # the Hub, faked
    session = SpaceSession("acme/space-3d", label="acme/space-3d", download_dir=tmp_path, connect_timeout_s=5)
    error = session.translate(QueueError("Queue is full! Please try again."), "/generate", 1.5)
    assert type(error) is kind and error.retryable is retryable and error.fallback_ok
    assert str(error).startswith(f"acme/space-3d /generate: the Space {phrase}")


def test_a_running_or_unknown_stage_and_url_spaces_keep_the_plain_message(monkeypatch, tmp_path):
    api = FakeRuntimeApi("RUNNING")
    monkeypatch.setattr(spaces, "stage_of", StageLookup(lambda: api))
    hub = SpaceSession("acme/space-3d", label="acme/space-3d", download_dir=tmp_path, connect_timeout_s=5)
    assert "queue is full" in str(hub.translate(QueueError(), "/generate", 1.0))
    url = SpaceSession("http://127.0.0.1:9/", label="http://127.0.0.1:9/", download_dir=tmp_path,
                       connect_timeout_s=5)
    assert "queue is full" in str(url.translate(QueueError(), "/generate", 1.0))
    assert [r for r, _ in api.asked] == ["acme/space-3d"]  # URL Spaces are never looked up on the Hub
    assert advice("RUNNING") is None and advice(None) is None
