"""The one wrapper around gradio_client: connect, describe, call, translate errors.

Every network wait is bounded: connecting (and reading the API schema) by the
connect deadline, each call by the call deadline.  A call that outlives its
deadline is cancelled on the Space.  Third-party exceptions are translated to
`tools.errors` here and nowhere else.
"""

from __future__ import annotations

import concurrent.futures
import logging
import re
import time
from pathlib import Path
from typing import Any

import httpx
from gradio_client import Client
from gradio_client.exceptions import AppError
from gradio_client.utils import QueueError
from huggingface_hub.errors import OfflineModeIsEnabled

from tools.errors import (
    InvalidInputError,
    SpaceCallError,
    SpaceTimeoutError,
    SpaceUnavailableError,
)

logger = logging.getLogger(__name__)

HIDDEN_ERROR_HINT = "has not enabled verbose error reporting"
_HUB_ID = re.compile(r"^[\w.-]+/[\w.-]+$")
_connect_pool = concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="space-connect")


def is_hub_id(source: str) -> bool:
    """True for "owner/name" Space ids, False for URLs and local names."""
    return bool(_HUB_ID.match(source)) and not source.startswith(("http:", "https:"))


class SpaceSession:
    """A lazily connected client for one Space, owned by one run.

    Args:
        source: a Hub id ("owner/space") or a URL ("http://127.0.0.1:7861/").
        label: how the Space is named in messages, e.g. "local:text_to_3d".
        download_dir: where the client saves file outputs.
        connect_timeout_s: deadline for connecting and reading the schema.
        token: HF token; sent only when `source` is a Hub id.
    """

    def __init__(
        self,
        source: str,
        *,
        label: str,
        download_dir: Path,
        connect_timeout_s: float,
        token: str | None = None,
    ) -> None:
        self.source = source
        self.label = label
        self.download_dir = download_dir
        self.connect_timeout_s = connect_timeout_s
        self._token = token if is_hub_id(source) else None
        self._client: Client | None = None

    def client(self) -> Client:
        """Connect on first use; later calls reuse the client.

        Raises:
            SpaceUnavailableError: the Space cannot be reached within the deadline.
        """
        if self._client is None:
            self.download_dir.mkdir(parents=True, exist_ok=True)
            future = _connect_pool.submit(self._connect)
            started = time.monotonic()
            try:
                self._client = future.result(timeout=self.connect_timeout_s)
            except concurrent.futures.TimeoutError as exc:
                raise SpaceUnavailableError(
                    f"Space {self.label} did not answer within {self.connect_timeout_s:g} s while connecting; "
                    "it may be asleep or building. Try again shortly or raise limits.connect_timeout_s.",
                    space=self.label, elapsed_s=time.monotonic() - started,
                ) from exc
        return self._client

    def _connect(self) -> Client:
        try:
            return Client(self.source, token=self._token, verbose=False, download_files=str(self.download_dir))
        except OfflineModeIsEnabled as exc:
            raise SpaceUnavailableError(
                f"Space {self.label} is a Hub Space but HF_HUB_OFFLINE=1; point the config at a URL "
                "or unset HF_HUB_OFFLINE.",
                space=self.label,
            ) from exc
        except (httpx.HTTPError, OSError) as exc:
            raise SpaceUnavailableError(
                f"Cannot reach Space {self.label} ({type(exc).__name__}). Check that it is running "
                "and that the config points at the right URL or id.",
                space=self.label,
            ) from exc
        except Exception as exc:  # gradio_client raises plain ValueError/Exception for missing or paused Spaces
            raise SpaceUnavailableError(
                f"Space {self.label} could not be opened: {_one_line(str(exc))}. Check the Space id and "
                "that the Space is running (not paused or building).",
                space=self.label,
            ) from exc

    def named_endpoints(self) -> dict[str, dict[str, Any]]:
        """The Space's named endpoints, as `view_api(return_format="dict")` gives them."""
        api = self.client().view_api(return_format="dict", print_info=False)
        return dict(api.get("named_endpoints") or {})

    def call(self, endpoint: str, args: list[Any], *, timeout_s: float) -> Any:
        """Run one job and wait for it at most `timeout_s` seconds.

        Raises:
            InvalidInputError: the arguments cannot be sent (e.g. a missing file).
            SpaceCallError: the Space raised; its message is kept.
            SpaceTimeoutError: no answer in time; the job was cancelled.
            SpaceUnavailableError: the connection failed or the queue is full.
        """
        client = self.client()
        started = time.monotonic()
        try:
            job = client.submit(*args, api_name=endpoint)
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(
                f"{self.label} {endpoint} cannot take these arguments: {_one_line(str(exc))}"
            ) from exc
        try:
            return job.result(timeout=timeout_s)
        except TimeoutError as exc:
            job.cancel()
            raise SpaceTimeoutError(
                f"{self.label} {endpoint} did not answer within {timeout_s:g} s and was cancelled; it may be "
                "cold-starting or overloaded. Try again shortly or raise limits.call_timeout_s.",
                space=self.label, endpoint=endpoint, elapsed_s=time.monotonic() - started,
            ) from exc
        except AppError as exc:
            message = _one_line(exc.message or str(exc))
            if HIDDEN_ERROR_HINT in message:
                text = (f"{self.label} {endpoint} failed inside the Space and hid the reason (no verbose "
                        "errors); try a simpler input, or another provider.")
            else:
                text = f"{self.label} {endpoint} rejected the call: {message}"
            raise SpaceCallError(text, space=self.label, endpoint=endpoint,
                                 elapsed_s=time.monotonic() - started, server_message=message) from exc
        except QueueError as exc:
            raise SpaceUnavailableError(
                f"{self.label} {endpoint}: the Space's queue is full. Try again in a minute.",
                space=self.label, endpoint=endpoint, elapsed_s=time.monotonic() - started,
            ) from exc
        except (concurrent.futures.CancelledError, httpx.HTTPError, OSError) as exc:
            raise SpaceUnavailableError(
                f"{self.label} {endpoint}: the connection was lost during the call "
                f"({type(exc).__name__}); the Space may have restarted. Try again.",
                space=self.label, endpoint=endpoint, elapsed_s=time.monotonic() - started,
            ) from exc

    def close(self) -> None:
        """Release the client's threads."""
        if self._client is not None:
            self._client.close() if hasattr(self._client, "close") else None
            self._client = None


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
