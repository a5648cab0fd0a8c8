"""The one wrapper around gradio_client: connect, describe, call, translate errors.

Every network wait is bounded: connecting (and reading the API schema) by the
connect deadline, each call by the call deadline.  A call that outlives its
deadline is cancelled on the Space.  Third-party exceptions are translated to
`tools.errors` here and nowhere else.

Trust: a Space gets the HF token only when it is a Hub id (`token_for`; never None,
which gradio_client reads as "the environment's token"), and every request goes to the
Space's own origin: a config whose `api_prefix`/`root` names another host is refused,
and output files (and their redirects) are fetched only from the Space that answered.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import logging
import re
import ssl
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Literal

import httpx
from gradio_client import Client
from gradio_client.exceptions import AppError
from gradio_client.utils import QueueError, Status, TooManyRequestsError
from huggingface_hub.errors import OfflineModeIsEnabled

from tools.errors import (
    DioramaError,
    InvalidInputError,
    RunCancelledError,
    SpaceCallError,
    SpaceDownError,
    SpaceQuotaError,
    SpaceRejectedError,
    SpaceTimeoutError,
    SpaceUnavailableError,
)
from tools.space_origin import ForeignOriginError, OutputFiles, OwnOriginClient
from tools.space_runtime import advice, stage_of

logger = logging.getLogger(__name__)

HIDDEN_ERROR_HINT = "has not enabled verbose error reporting"
_QUOTA = re.compile(r"exceeded your (GPU|ZeroGPU) quota|GPU quota", re.I)
_HUB_ID = re.compile(r"^[\w.-]+/[\w.-]+$")
_connect_pool = concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="space-connect")


@functools.lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """The one certificate-verifying TLS context every client shares (httpx's defaults: certifi, SSL_CERT_FILE).

    gradio_client makes a new httpx client per request (each upload, the queue join, the event stream, each
    download), and each would load the CA bundle again: 20-40 ms on an idle 2-core machine, 100-200 ms on a
    loaded one, several times per Space call. Verification is unchanged; only the loading is shared.
    """
    return httpx.create_ssl_context()


def is_hub_id(source: str) -> bool:
    """True for "owner/name" Space ids, False for URLs and local names."""
    return bool(_HUB_ID.match(source)) and not source.startswith(("http:", "https:"))


def token_for(source: str, hf_token: str | None) -> str | Literal[False]:
    """The one token decision for a Space: the HF token for a Hub Space id, else an explicit "send none".

    Never None: gradio_client and huggingface_hub read None as "use HF_TOKEN or the saved login",
    and would send that token (as `x-hf-authorization`) to any URL.
    """
    return hf_token if hf_token and is_hub_id(source) else False


class ClientPool:
    """Idle `Client`s per Space, shared by runs so each run does not reconnect.

    A client changes hands with a fresh gradio session (`reset_session`), so no
    Space-side state (gr.State) leaks from one run, or user, to another.
    """

    def __init__(self) -> None:
        self._idle: dict[str, list[tuple[Client, int]]] = {}
        self._lock = threading.Lock()

    def take(self, source: str, owner: int) -> Client | None:
        with self._lock:
            idle = self._idle.get(source) or []
            if not idle:
                return None
            client, last_owner = idle.pop()
        if last_owner != owner:
            client.reset_session()
        return client

    def give(self, source: str, client: Client, owner: int) -> None:
        with self._lock:
            self._idle.setdefault(source, []).append((client, owner))


class SpaceSession:
    """Lazily connected clients for one Space, owned by one run.

    Concurrent calls each lease their own `Client` (a cancel on the Space stops
    every job of the cancelling client, so clients are never shared by two
    running jobs); idle clients are reused.

    Args:
        source: a Hub id ("owner/space") or a URL ("http://127.0.0.1:7861/").
        label: how the Space is named in messages, e.g. "local:text_to_3d".
        download_dir: where the client saves file outputs.
        connect_timeout_s: deadline for connecting and reading the schema.
        token: HF token; sent only when `source` is a Hub id (`token_for`).
    """

    def __init__(
        self,
        source: str,
        *,
        label: str,
        download_dir: Path,
        connect_timeout_s: float,
        token: str | None = None,
        pool: ClientPool | None = None,
    ) -> None:
        self.source = source
        self._pool = pool
        self.label = label
        self.download_dir = download_dir
        self.connect_timeout_s = connect_timeout_s
        self._token = token_for(source, token) or None  # what this Space may get; None: no token at all
        self._idle: list[Client] = []
        self._retired: set[int] = set()
        self._all: list[Client] = []
        self._address_of: dict[int, str] = {}  # id(client) -> the address it is connected to (its pool key)
        self._lock = threading.Lock()

    @property
    def sends_token(self) -> bool:
        """Whether calls to this Space carry the HF token (Hub Spaces only; never URL or bundled Spaces)."""
        return self._token is not None

    def client(self) -> Client:
        """An idle client (connecting one if none is idle); it stays in the pool.

        Raises:
            SpaceUnavailableError: the Space cannot be reached within the deadline.
        """
        with self._lease() as client:
            return client

    def address(self) -> str:
        """What to connect to: `source` here; a bundled Space's URL, started on demand, in `CompanionSession`."""
        return self.source

    def config(self) -> dict[str, Any]:
        """The Space's Gradio config (components, dependencies)."""
        return self.client().config or {}

    @contextlib.contextmanager
    def _lease(self) -> Iterator[Client]:
        with self._lock:
            client = self._idle.pop() if self._idle else None
        if client is None:
            address = self.address()
            client = self._pool.take(address, id(self)) if self._pool is not None else None
            if client is None:
                client = self._new_client(address)
            with self._lock:
                self._address_of[id(client)] = address
        try:
            yield client
        finally:
            with self._lock:
                retired = id(client) in self._retired
                if not retired:
                    self._idle.append(client)
            if retired:  # it cancelled a job or lost its connection: don't reuse it (nor pool it)
                _close_quietly(client)

    def _new_client(self, address: str) -> Client:
        self.download_dir.mkdir(parents=True, exist_ok=True)
        future = _connect_pool.submit(self._connect, address)
        started = time.monotonic()
        try:
            client = future.result(timeout=self.connect_timeout_s)
        except concurrent.futures.TimeoutError as exc:
            raise SpaceUnavailableError(
                f"Space {self.label} did not answer within {self.connect_timeout_s:g} s while connecting; "
                "it may be asleep or building. Try again shortly or raise limits.connect_timeout_s.",
                space=self.label, elapsed_s=time.monotonic() - started,
            ) from exc
        with self._lock:
            self._all.append(client)
        return client

    def _connect(self, address: str) -> Client:
        # download_files=False: gradio_client would fetch any file-shaped output wherever its URL points
        # (following redirects); `OutputFiles` downloads them instead, from this Space's origin only.
        try:
            return OwnOriginClient(address, token=token_for(self.source, self._token), verbose=False,
                                    download_files=False, ssl_verify=tls_context())
        except ForeignOriginError as exc:
            raise SpaceUnavailableError(
                f"Space {self.label} was refused: {exc}, another host than the Space itself; Diorama only "
                "talks to the Space it was pointed at. If that host really serves this app, point the config "
                "at it directly.", space=self.label,
            ) from exc
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
            error = SpaceUnavailableError(
                f"Space {self.label} could not be opened: {_one_line(str(exc))}. Check the Space id and "
                "that the Space is running (not paused or building).",
                space=self.label,
            )
            raise (self._with_stage(error) if is_hub_id(self.source) else error) from exc

    def api_info(self) -> dict[str, Any]:
        """The Space's API, as `view_api(return_format="dict")` gives it (named and unnamed endpoints)."""
        return self.client().view_api(return_format="dict", print_info=False)

    def hidden_inputs(self, endpoint: str, fn_index: int | None = None) -> tuple[tuple[int, Any], ...]:
        """(position, value) of the endpoint's inputs that its API hides (`skip_api`) but its function takes,
        such as a Button passed as an input (its label is the value). gr.State is not one: the client adds it."""
        config = self.config()
        name = endpoint.lstrip("/")
        dependency = next((d for i, d in enumerate(config.get("dependencies") or [])
                           if (fn_index is not None and d.get("id", i) == fn_index)
                           or (fn_index is None and d.get("api_name") == name)), None)
        if dependency is None:
            return ()
        components = {c.get("id"): c for c in config.get("components") or []}
        hidden, position = [], 0
        for component_id in dependency.get("inputs") or []:
            component = components.get(component_id) or {}
            if component.get("type") == "state":
                continue
            if component.get("skip_api"):
                hidden.append((position, (component.get("props") or {}).get("value")))
            position += 1
        return tuple(hidden)

    def call(self, endpoint: str, args: list[Any], *, timeout_s: float,
             cancel: threading.Event | None = None, headers: dict[str, str] | None = None,
             on_queue: Callable[[dict[str, Any]], None] | None = None, fn_index: int | None = None) -> Any:
        """Run one job and wait for it at most `timeout_s` seconds (less if `cancel` is set).

        `fn_index` calls the endpoint by function index (old servers' unnamed endpoints, see
        `tools.schema.parse_api`); `endpoint` then only names it in messages ("/fn_3").

        Raises:
            InvalidInputError: the arguments cannot be sent (e.g. a missing file).
            SpaceRejectedError: the Space refused the input with its own message.
            SpaceQuotaError: the Space's GPU quota is used up.
            SpaceCallError: the Space failed and hid why.
            SpaceTimeoutError: no answer in time; the job was cancelled.
            SpaceUnavailableError: unreachable, asleep, queue full, rate-limited or connection lost.
            RunCancelledError: `cancel` was set; the job was cancelled.

        `headers` (the end user's `x-ip-token`, so a ZeroGPU Space bills the user's
        quota) are sent for this call only, and only to Hub Spaces.
        """
        with self.leased(headers=headers) as call:
            return call(endpoint, args, timeout_s=timeout_s, cancel=cancel, on_queue=on_queue, fn_index=fn_index)

    @contextlib.contextmanager
    def leased(self, *, headers: dict[str, str] | None = None) -> Iterator[Callable[..., Any]]:
        """One client for several calls in a row: they share its gradio session, so the Space's
        gr.State holds from one call to the next (a multi-call tool, `tools.multi_call`).

        Yields a function with the signature of `call` (without `headers`); the client is not
        used by any other call until the block ends.
        """
        forwarded = dict(headers or {}) if is_hub_id(self.source) else {}  # e.g. x-ip-token: Hub Spaces only
        with self._lease() as client:
            client.headers.update(forwarded)
            try:
                yield functools.partial(self._call_on, client)
            finally:
                for key in forwarded:
                    client.headers.pop(key, None)

    def _call_on(self, client: Client, endpoint: str, args: list[Any], *, timeout_s: float,
                 cancel: threading.Event | None = None, on_queue: Callable[[dict[str, Any]], None] | None = None,
                 fn_index: int | None = None) -> Any:
        started = time.monotonic()
        try:
            if fn_index is not None:  # an unnamed endpoint: the server does not know `endpoint`
                job = client.submit(*args, fn_index=fn_index)
            else:
                job = client.submit(*args, api_name=endpoint)
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(
                f"{self.label} {endpoint} cannot take these arguments: {_one_line(str(exc))}"
            ) from exc
        deadline = started + timeout_s
        last_queue: dict[str, Any] | None = None
        while True:
            if cancel is not None and cancel.is_set():
                self._retire(client, job)
                raise RunCancelledError(f"{self.label} {endpoint}: cancelled by the user; the job was stopped.")
            wait = min(0.25, deadline - time.monotonic())
            if wait <= 0:
                self._retire(client, job)
                raise SpaceTimeoutError(
                    f"{self.label} {endpoint} timed out after {timeout_s:g} s and the job was cancelled; it may be "
                    "cold-starting or overloaded. Try again shortly or raise limits.call_timeout_s.",
                    space=self.label, endpoint=endpoint, elapsed_s=time.monotonic() - started)
            try:
                raw = job.result(timeout=wait)
                break
            except TimeoutError:
                if on_queue is not None:
                    last_queue = _report_queue(job, on_queue, last_queue)
                continue
            except Exception as exc:  # every failure of a call is translated here, and only here
                if isinstance(exc, (concurrent.futures.CancelledError, httpx.TransportError, OSError)):
                    with self._lock:  # the connection broke (not a 429/503 answer): the next try gets a new client
                        self._retired.add(id(client))
                raise self._translate(exc, endpoint, time.monotonic() - started) from exc
        fetch = OutputFiles(client, self.download_dir, space=self.label, endpoint=endpoint, started=started,
                             deadline=deadline, cancel=cancel)
        try:
            return fetch(raw)
        except httpx.HTTPError as exc:
            raise self._translate(exc, endpoint, time.monotonic() - started) from exc

    def _retire(self, client: Client, job: Any) -> None:
        """Cancel a job on the Space and keep its client out of the pool."""
        with self._lock:
            self._retired.add(id(client))
        try:
            job.cancel()
        except Exception as exc:  # the job is being abandoned; a failed cancel only matters to the Space
            logger.debug("cancel failed on %s: %s", self.label, exc)

    def _translate(self, exc: Exception, endpoint: str, elapsed: float) -> DioramaError:
        error = self._translate_plain(exc, endpoint, elapsed)
        if isinstance(error, SpaceUnavailableError) and is_hub_id(self.source):
            return self._with_stage(error, endpoint)
        return error

    def _with_stage(self, error: SpaceUnavailableError, endpoint: str = "") -> SpaceUnavailableError:
        """For a Hub Space: the same failure, told by the Space's runtime stage when the Hub knows it."""
        known = advice(stage_of(self.source, token=self._token))
        if known is None:
            return error
        kind = SpaceUnavailableError if known.retryable else SpaceDownError
        where = f"{self.label} {endpoint}".strip()
        return kind(f"{where}: the Space {known.text}.", space=self.label, endpoint=endpoint,
                    elapsed_s=getattr(error, "elapsed_s", 0.0))

    def _translate_plain(self, exc: Exception, endpoint: str, elapsed: float) -> DioramaError:
        where = f"{self.label} {endpoint}"
        fields = {"space": self.label, "endpoint": endpoint, "elapsed_s": elapsed}
        if isinstance(exc, AppError):
            message = _one_line(exc.message or str(exc))
            if HIDDEN_ERROR_HINT in message:
                return SpaceCallError(f"{where} failed inside the Space and hid the reason (no verbose errors); "
                                      "it may be transient.", server_message=message, **fields)
            if _QUOTA.search(message):
                return SpaceQuotaError(f"{where} is out of GPU quota: {message}", server_message=message, **fields)
            return SpaceRejectedError(f"{where} rejected the input: {message}", server_message=message, **fields)
        if isinstance(exc, QueueError):
            return SpaceUnavailableError(f"{where}: HTTP 503, the Space's queue is full or it is asleep or "
                                         "starting. Try again in a minute.", **fields)
        if isinstance(exc, TooManyRequestsError):
            return SpaceUnavailableError(f"{where}: rate-limited (HTTP 429). Wait a minute or use another provider.",
                                         **fields)
        if isinstance(exc, httpx.HTTPStatusError):
            code = exc.response.status_code
            state = {429: "rate-limited", 503: "asleep, building or overloaded"}.get(code, "failing")
            return SpaceUnavailableError(f"{where}: HTTP {code}, the Space is {state}. Try again shortly or use "
                                         "another provider.", **fields)
        if isinstance(exc, (concurrent.futures.CancelledError, httpx.HTTPError, OSError)):
            return SpaceUnavailableError(f"{where}: the connection was lost during the call ({type(exc).__name__}); "
                                         "the Space may have restarted. Try again.", **fields)
        return SpaceCallError(f"{where}: the call failed ({type(exc).__name__}: {_one_line(str(exc), 160)}).",
                              **fields)

    def close(self) -> None:
        """End the run's use of its clients: back to the shared pool, or closed when there is none."""
        with self._lock:
            idle, self._all, self._idle = self._idle, [], []
        for client in idle:
            if self._pool is not None:
                self._pool.give(self._address_of.get(id(client), self.source), client, id(self))
            else:
                _close_quietly(client)


def _report_queue(job: Any, on_queue: Callable[[dict[str, Any]], None],
                  last: dict[str, Any] | None) -> dict[str, Any] | None:
    """Tell `on_queue` the job's queue position and ETA when the Space reports a change."""
    try:
        status = job.status()
    except Exception:  # status is informative only; the call itself goes on
        return last
    if status.code != Status.IN_QUEUE or status.rank is None:
        return last
    queue = {"rank": status.rank, "size": status.queue_size,
             "eta_s": round(status.eta, 1) if status.eta is not None else None}
    if queue != last:
        on_queue(queue)
    return queue


def _close_quietly(client: Client) -> None:
    try:
        client.close()
    except Exception as exc:  # closing is best effort: the client's threads die with the process anyway
        logger.debug("closing a client failed: %s", exc)


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
