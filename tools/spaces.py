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
import hashlib
import ipaddress
import logging
import re
import secrets
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any, Callable, Iterator, Literal

import httpx
from gradio_client import Client
from gradio_client.exceptions import AppError
from gradio_client.utils import (
    QueueError,
    Status,
    TooManyRequestsError,
    encode_file_path,
    is_file_obj,
    is_file_obj_with_meta,
)
from huggingface_hub.errors import OfflineModeIsEnabled

from tools.errors import (
    DioramaError,
    InvalidInputError,
    RunCancelledError,
    SpaceCallError,
    SpaceDownError,
    SpaceOutputError,
    SpaceQuotaError,
    SpaceRejectedError,
    SpaceTimeoutError,
    SpaceUnavailableError,
)
from tools.space_runtime import advice, stage_of

logger = logging.getLogger(__name__)

HIDDEN_ERROR_HINT = "has not enabled verbose error reporting"
_QUOTA = re.compile(r"exceeded your (GPU|ZeroGPU) quota|GPU quota", re.I)
_HUB_ID = re.compile(r"^[\w.-]+/[\w.-]+$")
_connect_pool = concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="space-connect")
MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024  # one file output; a bigger one is refused, not truncated
_MAX_REDIRECTS = 5
_CHUNK = 1 << 16


def is_hub_id(source: str) -> bool:
    """True for "owner/name" Space ids, False for URLs and local names."""
    return bool(_HUB_ID.match(source)) and not source.startswith(("http:", "https:"))


def token_for(source: str, hf_token: str | None) -> str | Literal[False]:
    """The one token decision for a Space: the HF token for a Hub Space id, else an explicit "send none".

    Never None: gradio_client and huggingface_hub read None as "use HF_TOKEN or the saved login",
    and would send that token (as `x-hf-authorization`) to any URL.
    """
    return hf_token if hf_token and is_hub_id(source) else False


def origin_of(url: str) -> tuple[str, str, int]:
    """(scheme, lower-case host, port) of an http(s) URL, default ports filled in; ValueError otherwise."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        raise ValueError(f"not a plain http(s) URL: {url[:80]!r}")
    host = parts.hostname.lower()
    with contextlib.suppress(ValueError):
        host = str(ipaddress.ip_address(host))  # one spelling per address
    return scheme, host, parts.port or {"http": 80, "https": 443}[scheme]


def _host_of(url: str) -> str:
    """The host (and port) of a URL, for messages: never its path or query, which may be signed."""
    return urllib.parse.urlsplit(url).netloc.rsplit("@", 1)[-1][:100] or url[:40]


class _ForeignOriginError(ValueError):
    """A Space's config sends requests to another origin (raised inside `Client.__init__`)."""

    def __init__(self, key: str, url: str) -> None:
        super().__init__(f"its config's {key!r} points at {_host_of(url)}")
        self.key, self.url = key, url


class _OwnOriginClient(Client):
    """A `Client` that refuses a config whose `api_prefix` or `root` lives on another origin.

    gradio_client builds every later URL (API info, queue, heartbeat, uploads) from the
    config's `api_prefix`; checking it before `__init__` goes on means not one request
    leaves for another host.
    """

    def _get_config(self) -> dict:
        config = super()._get_config()
        own = origin_of(self.src)
        prefix = str(config.get("api_prefix") or "")
        for key, value in (("api_prefix", prefix.lstrip("/") + "/"), ("root", str(config.get("root") or ""))):
            url = urllib.parse.urljoin(self.src, value)
            try:
                foreign = origin_of(url) != own
            except ValueError:
                foreign = True
            if foreign:
                raise _ForeignOriginError(key, url)
        return config


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
        self._lock = threading.Lock()

    def client(self) -> Client:
        """An idle client (connecting one if none is idle); it stays in the pool.

        Raises:
            SpaceUnavailableError: the Space cannot be reached within the deadline.
        """
        with self._lease() as client:
            return client

    @contextlib.contextmanager
    def _lease(self) -> Iterator[Client]:
        with self._lock:
            client = self._idle.pop() if self._idle else None
        if client is None and self._pool is not None:
            client = self._pool.take(self.source, id(self))
        if client is None:
            client = self._new_client()
        try:
            yield client
        finally:
            with self._lock:
                retired = id(client) in self._retired
                if not retired:
                    self._idle.append(client)
            if retired:  # it cancelled a job or lost its connection: don't reuse it (nor pool it)
                _close_quietly(client)

    def _new_client(self) -> Client:
        self.download_dir.mkdir(parents=True, exist_ok=True)
        future = _connect_pool.submit(self._connect)
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

    def _connect(self) -> Client:
        # download_files=False: gradio_client would fetch any file-shaped output wherever its URL points
        # (following redirects); `_OutputFiles` downloads them instead, from this Space's origin only.
        try:
            return _OwnOriginClient(self.source, token=token_for(self.source, self._token), verbose=False,
                                    download_files=False)
        except _ForeignOriginError as exc:
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
        config = self.client().config or {}
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
        fetch = _OutputFiles(client, self.download_dir, space=self.label, endpoint=endpoint, started=started,
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
                self._pool.give(self.source, client, id(self))
            else:
                _close_quietly(client)


class _OutputFiles:
    """Replaces each file in one call's output by a local copy, fetched from the answering Space only.

    gradio_client (with `download_files` on) fetches any file-shaped value wherever its `url`
    points and follows redirects anywhere, with the client's headers; here every request and
    redirect must stay on the Space's own origin, and a file is at most MAX_DOWNLOAD_BYTES.
    Copies land in `<folder>/<sha256>/<name>`, the layout gradio_client uses.
    """

    def __init__(self, client: Client, folder: Path, *, space: str, endpoint: str, started: float,
                 deadline: float, cancel: threading.Event | None) -> None:
        self.client, self.folder, self.deadline, self.cancel = client, folder, deadline, cancel
        self.space, self.endpoint, self.started = space, endpoint, started
        self.origin = origin_of(client.src)
        self.is_file = is_file_obj_with_meta if client.protocol == "sse_v2.1" else is_file_obj  # as gradio_client

    def __call__(self, value: Any) -> Any:
        if self.is_file(value):
            return self._file(value)
        if isinstance(value, dict):
            return {key: self(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self(item) for item in value]
        if isinstance(value, tuple):
            return tuple(self(item) for item in value)
        return value

    def _fields(self) -> dict[str, Any]:
        return {"space": self.space, "endpoint": self.endpoint, "elapsed_s": time.monotonic() - self.started}

    def _file(self, data: dict[str, Any]) -> str:
        root = self.client.src_prefixed
        named = data.get("url") if isinstance(data.get("url"), str) and data.get("url") else None
        if named is not None:  # refused even when unused below: a Space naming another host is hostile or broken
            self._check(urllib.parse.urljoin(root, named))
        stream = bool(data.get("is_stream")) and named is not None
        if stream:
            url = urllib.parse.urljoin(root, named)
            name = Path(urllib.parse.urlsplit(url).path).name
        else:  # as gradio_client does: the Space's own file route, by server path
            url = root + "file=" + encode_file_path(data["path"])
            name = Path(data["path"]).name
        name = "file" if name in ("", ".", "..") else name
        self.folder.mkdir(parents=True, exist_ok=True)
        part = self.folder / f".part-{secrets.token_hex(8)}"
        try:
            sha = self._get(url, part, by_path=not stream)
            (self.folder / sha).mkdir(exist_ok=True)
            dest = self.folder / sha / name
            part.replace(dest)
        finally:
            part.unlink(missing_ok=True)
        logger.debug("%s %s: downloaded %d bytes", self.space, self.endpoint, dest.stat().st_size)
        return str(dest.resolve())

    def _check(self, url: str) -> None:
        try:
            same = origin_of(url) == self.origin
        except ValueError:
            same = False
        if not same:
            raise SpaceOutputError(
                f"{self.space} {self.endpoint} returned a file at another host ({_host_of(url)}); Diorama only "
                "downloads files from the Space that made them. Use another Space or endpoint.", **self._fields())

    def _get(self, url: str, part: Path, *, by_path: bool) -> str:
        """GET `url` into `part`, following same-origin redirects only; returns the content's sha256."""
        where = f"{self.space} {self.endpoint}"
        client = self.client
        for _ in range(_MAX_REDIRECTS + 1):
            self._check(url)
            with httpx.stream("GET", url, headers=client.headers, cookies=client.cookies, verify=client.ssl_verify,
                              follow_redirects=False, timeout=max(1.0, self.deadline - time.monotonic())) as response:
                if response.is_redirect:
                    url = urllib.parse.urljoin(url, response.headers.get("location", ""))
                    continue
                if response.status_code >= 400:
                    how = ("gradio_client took a JSON value with a \"path\" key for a file and the Space refused "
                           "to serve it" if by_path else "the Space refused to serve its output file")
                    raise SpaceOutputError(
                        f"{where} answered, but its output could not be read: {how} (HTTP {response.status_code}). "
                        "Use another endpoint or Space; this one's JSON output cannot be fetched through "
                        "gradio_client.", **self._fields())
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > MAX_DOWNLOAD_BYTES:
                    raise self._too_big()
                sha, size = hashlib.sha256(), 0
                with part.open("wb") as out:
                    for chunk in response.iter_bytes(_CHUNK):
                        size += len(chunk)
                        if size > MAX_DOWNLOAD_BYTES:
                            raise self._too_big()
                        if self.cancel is not None and self.cancel.is_set():
                            raise RunCancelledError(f"{where}: cancelled by the user while downloading its output.")
                        if time.monotonic() > self.deadline:
                            raise SpaceTimeoutError(f"{where}: downloading its output ran past the call deadline. "
                                                    "Try again shortly or raise limits.call_timeout_s.",
                                                    **self._fields())
                        sha.update(chunk)
                        out.write(chunk)
                return sha.hexdigest()
        raise SpaceOutputError(f"{where}: its output file redirected more than {_MAX_REDIRECTS} times; not "
                               "downloaded.", **self._fields())

    def _too_big(self) -> SpaceOutputError:
        return SpaceOutputError(f"{self.space} {self.endpoint} returned a file larger than "
                                f"{MAX_DOWNLOAD_BYTES / 2**20:.0f} MB ({MAX_DOWNLOAD_BYTES:,} bytes); Diorama does "
                                "not download files that big. Use a smaller setting or another Space.",
                                **self._fields())


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
