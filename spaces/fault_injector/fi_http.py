"""ASGI middleware that decides each /generate call's fate at its queue-join POST and injects the HTTP-level faults.

gradio_client 2.7.2 runs a call as `POST /gradio_api/queue/join` (JSON body with
`data`, `fn_index`, `session_hash`) followed by an SSE `GET /gradio_api/queue/data`
shared by all jobs of one Client. So:

- `sleeping`, `queue_full`, `rate_limit` answer the join POST themselves (503 / 503 / 429);
  the job never reaches the queue, exactly as when a Space's proxy or queue refuses it.
- every other decision travels to the handler in the `x-fault-mode` request header
  (gradio hands the join request to the handler as `gr.Request`).
- `connection_reset`: the handler asks for its session's event stream to be dropped;
  the middleware cancels that SSE response and aborts the socket mid-stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qs

from fi_faults import MODE_STAGES, FaultState

logger = logging.getLogger(__name__)

MODE_HEADER = b"x-fault-mode"
QUEUE_MAX_SIZE = 16  # the size quoted in the injected "Queue is full" body
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# (status, body, extra headers) of each HTTP-level fault
_HTTP_FAULTS: dict[str, tuple[int, bytes, list[tuple[bytes, bytes]]]] = {
    "sleeping": (503, json.dumps({
        "error": "This Space is sleeping due to inactivity. It is restarting; try again in a few minutes.",
        "stage": "SLEEPING"}).encode(), []),
    "queue_full": (503, json.dumps({
        "detail": f"Queue is full. Max size is {QUEUE_MAX_SIZE} and size is {QUEUE_MAX_SIZE}."}).encode(), []),
    "rate_limit": (429, json.dumps({
        "error": "Too many requests: rate limit exceeded. Try again later."}).encode(), [(b"retry-after", b"60")]),
}


class ConnectionDropped(Exception):
    """Raised inside the ASGI app to make the server abort an already started response (the socket is closed)."""


class StreamDrops:
    """Sessions whose event stream must be cut; set from handler threads, consumed by the middleware."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, threading.Event] = {}

    def drop(self, session_hash: str, *, wait_s: float) -> bool:
        """Ask for `session_hash`'s stream to be cut and wait until it is; False if no stream took it in time."""
        done = threading.Event()
        with self._lock:
            self._pending[session_hash] = done
        taken = done.wait(wait_s)
        with self._lock:
            if self._pending.get(session_hash) is done:
                del self._pending[session_hash]
        return taken

    def take(self, session_hash: str) -> bool:
        with self._lock:
            done = self._pending.pop(session_hash, None)
        if done is None:
            return False
        done.set()
        return True


class FaultMiddleware:
    """Wraps the Gradio FastAPI app (pass it with `launch(app_kwargs={"middleware": [...]})`).

    Args:
        app: the wrapped ASGI app.
        state: the shared fault state.
        fn_index: the fn_index of the /generate endpoint; only its joins are intercepted.
        drops: the pending stream drops.
    """

    def __init__(self, app: Any, *, state: FaultState, fn_index: int, drops: StreamDrops) -> None:
        self.app = app
        self.state = state
        self.fn_index = fn_index
        self.drops = drops

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope.get("path", ""), scope.get("method", "")
        if method == "POST" and path.endswith("/queue/join"):
            await self._join(scope, receive, send)
        elif method == "GET" and path.endswith("/queue/data"):
            await self._stream(scope, receive, send)
        else:
            await self.app(_strip_mode(scope), receive, send)

    async def _join(self, scope: Scope, receive: Receive, send: Send) -> None:
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before sending its body
            body += message.get("body", b"")
            more = message.get("more_body", False)
        mode = self._decide(body)
        if mode in _HTTP_FAULTS:
            status, payload, headers = _HTTP_FAULTS[mode]
            logger.info("injecting %s at queue join (HTTP %d)", mode, status)
            await send({"type": "http.response.start", "status": status,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(payload)).encode()), *headers]})
            await send({"type": "http.response.body", "body": payload})
            return
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        scope = dict(_strip_mode(scope))
        if mode is not None:
            scope["headers"] = [*scope["headers"], (MODE_HEADER, mode.encode())]
        await self.app(scope, replay, send)

    def _decide(self, body: bytes) -> str | None:
        """The fate of a /generate join, or None for any other request."""
        try:
            payload = json.loads(body)
        except ValueError:
            return None
        if not isinstance(payload, dict) or payload.get("fn_index") != self.fn_index:
            return None
        data = payload.get("data")
        prompt = data[0] if isinstance(data, list) and data and isinstance(data[0], str) else str(data)
        mode, _ = self.state.next_decision(prompt)
        if mode in MODE_STAGES:
            logger.info("call for %r -> %s", prompt[:60], mode)
        return mode

    async def _stream(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        session = (query.get("session_hash") or [""])[0]
        task = asyncio.ensure_future(self.app(_strip_mode(scope), receive, send))
        while True:
            done, _ = await asyncio.wait({task}, timeout=0.05)
            if done:
                task.result()
                return
            if session and self.drops.take(session):
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
                logger.info("injecting connection_reset: dropping the event stream of session %s", session[:8])
                raise ConnectionDropped(f"fault_injector dropped the event stream at {time.time():.3f}")


class HideDroppedConnections(logging.Filter):
    """Keeps uvicorn from logging a traceback for every connection dropped on purpose (install on "uvicorn.error")."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


def _strip_mode(scope: Scope) -> Scope:
    """A copy of the scope without any client-sent x-fault-mode header (clients must not pick their fault)."""
    headers = scope.get("headers") or []
    if not any(name.lower() == MODE_HEADER for name, _ in headers):
        return scope
    return {**scope, "headers": [(n, v) for n, v in headers if n.lower() != MODE_HEADER]}
