"""Why a Hub Space does not answer: its runtime stage (asleep, paused, building, broken) from the Hub.

A Space that does not serve a call answers 503 or drops the connection, and
gradio_client reports that as "queue full" or a connection error whatever the
cause. For Hub Spaces, when the Hub answers, Diorama asks it for the Space's
stage and says what is really going on, and whether trying again can help.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from tools.hub_probe import hub_reachable

logger = logging.getLogger(__name__)

_REMEMBER_S = 30.0


@dataclass(frozen=True)
class StageAdvice:
    """What a stage means for a caller: a sentence to show, and whether asking the same Space again can help."""

    text: str
    retryable: bool


_ADVICE = {
    "SLEEPING": StageAdvice("is asleep; the call wakes it, which takes a minute or two. Try again shortly", True),
    "PAUSED": StageAdvice("is paused by its owner and will not answer until they restart it. Use another "
                          "provider", False),
    "STOPPED": StageAdvice("is stopped and will not answer until its owner restarts it. Use another provider",
                           False),
    "BUILDING": StageAdvice("is building (a new version is being installed). Try again in a few minutes", True),
    "APP_STARTING": StageAdvice("is starting. Try again in a minute", True),
    "RUNNING_BUILDING": StageAdvice("is rebuilding while it runs. Try again in a minute", True),
    "RUNNING_APP_STARTING": StageAdvice("is restarting. Try again in a minute", True),
    "BUILD_ERROR": StageAdvice("failed to build on the Hub; it will not answer until its owner fixes it. Use "
                               "another provider", False),
    "RUNTIME_ERROR": StageAdvice("has crashed on the Hub (runtime error); it will not answer until its owner "
                                 "fixes it. Use another provider", False),
    "CONFIG_ERROR": StageAdvice("has a broken configuration on the Hub. Use another provider", False),
    "NO_APP_FILE": StageAdvice("has no app file on the Hub. Use another provider", False),
    "DELETING": StageAdvice("is being deleted. Use another provider", False),
}


class RuntimeApi(Protocol):
    """The part of `huggingface_hub.HfApi` used here (tests pass a fake)."""

    def get_space_runtime(self, repo_id: str, *, token: Any = ...) -> Any: ...


class StageLookup:
    """The stage of Hub Spaces, asked at most every 30 s per Space; None when the Hub cannot tell."""

    def __init__(self, api_factory: Callable[[], RuntimeApi] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._api_factory = api_factory
        self._clock = clock
        self._seen: dict[str, tuple[float, str | None]] = {}
        self._lock = threading.Lock()

    def __call__(self, space_id: str, *, token: str | None = None) -> str | None:
        now = self._clock()
        with self._lock:
            seen = self._seen.get(space_id)
            if seen is not None and now - seen[0] < _REMEMBER_S:
                return seen[1]
        stage = self._ask(space_id, token)
        with self._lock:
            self._seen[space_id] = (now, stage)
        return stage

    def _ask(self, space_id: str, token: str | None) -> str | None:
        if self._api_factory is None:
            from huggingface_hub import HfApi, constants

            if constants.HF_HUB_OFFLINE or not hub_reachable():
                return None
            api: RuntimeApi = HfApi()
        else:
            api = self._api_factory()
        try:
            runtime = api.get_space_runtime(space_id, token=token or False)
        except Exception as exc:  # only words an error better: no stage is a fine outcome
            logger.info("no runtime stage for %s: %s", space_id, type(exc).__name__)
            return None
        stage = getattr(runtime, "stage", None)
        return str(getattr(stage, "value", stage)) if stage else None


def advice(stage: str | None) -> StageAdvice | None:
    """What `stage` means for a caller, or None for a running Space or an unknown stage."""
    return _ADVICE.get(stage or "")


stage_of = StageLookup()  # shared by every session of the process
