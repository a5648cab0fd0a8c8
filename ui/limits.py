"""Abuse limits for the UI and API: builds per minute and builds running at once, per client.

A client is its IP address: with `trusted_proxies` = N > 0 (1 on a Hugging Face Space), the X-Forwarded-For
hop N from the right, which the platform's own proxy wrote (anything left of it is client-supplied and
ignored), and only when the peer itself is on a private or loopback address; with 0, the peer. Without a
request (in-process calls) everyone is one client. The queue's overall size is `demo.queue(max_size=...)` in
app.py; the request length cap is `agent.request_text.validate_request`; `check_text` refuses what is not plain text.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import defaultdict, deque
from typing import Any, Callable

from agent.request_text import check_text
from tools.errors import DioramaError

# Format characters (Unicode category Cf) are invisible: bidirectional overrides make a request (and the chain
# log) read differently from what it is ("Trojan Source"), tag characters smuggle hidden text to an LLM.
# Only the zero-width joiner stays allowed: emoji sequences (👨‍👩‍👧) need it.


class RateLimitedError(DioramaError, RuntimeError):
    """A client started too many builds in the last minute, or has too many running."""


class Ticket:
    """One admitted build; it counts as running until `release()` (or, for background runs, `until()` is true)."""

    def __init__(self) -> None:
        self._released = threading.Event()
        self._until: Callable[[], bool] | None = None

    def release(self) -> None:
        self._released.set()

    def hold_until(self, done: Callable[[], bool]) -> None:
        """Keep counting this build as running until `done()` returns True (a background run)."""
        self._until = done

    def running(self) -> bool:
        if self._released.is_set():
            return False
        if self._until is not None:
            try:
                if self._until():
                    self._released.set()
            except Exception:  # the run is unknown (forgotten): it no longer counts
                self._released.set()
        return not self._released.is_set()

    def __enter__(self) -> "Ticket":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()


class ClientLimits:
    """Per-client admission for builds.

    Args:
        per_minute: builds one client may start in any 60 s; 0 = no limit.
        concurrent: builds one client may have running at once; 0 = no limit.
        trusted_proxies: proxies in front of the app (`client_key`).
        clock: seconds, monotonic (tests pass a fake one).
    """

    def __init__(self, *, per_minute: int, concurrent: int, trusted_proxies: int = 0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.concurrent = concurrent
        self.trusted_proxies = trusted_proxies
        self._clock = clock
        self._started: dict[str, deque[float]] = defaultdict(deque)
        self._running: dict[str, list[Ticket]] = defaultdict(list)
        self._lock = threading.Lock()

    def admit(self, request: Any) -> Ticket:
        """A ticket for one more build by the client behind `request` (a gr.Request or None).

        Raises:
            RateLimitedError: the client is over one of the limits; the message says when to retry.
        """
        key = client_key(request, trusted_proxies=self.trusted_proxies)
        now = self._clock()
        with self._lock:
            started = self._started[key]
            while started and now - started[0] >= 60:
                started.popleft()
            running = self._running[key] = [t for t in self._running[key] if t.running()]
            if self.concurrent and len(running) >= self.concurrent:
                raise RateLimitedError(
                    f"You already have {len(running)} build(s) running (the limit is {self.concurrent} at once). "
                    "Wait for one to finish or cancel it, then try again.")
            if self.per_minute and len(started) >= self.per_minute:
                wait = 60 - (now - started[0])
                raise RateLimitedError(
                    f"Too many builds: {len(started)} in the last minute (the limit is {self.per_minute} per "
                    f"minute). Try again in {max(1, round(wait))} s.")
            started.append(now)
            ticket = Ticket()
            running.append(ticket)
            if len(self._started) > 10_000:  # forget idle clients so the tables stay small
                for idle in [k for k, v in self._started.items() if not v and not self._running.get(k)]:
                    self._started.pop(idle, None)
                    self._running.pop(idle, None)
            return ticket


def client_key(request: Any, *, trusted_proxies: int = 0) -> str:
    """The client's IP address ("local" without a request).

    Args:
        request: a gr.Request (or anything with `.client.host` and `.headers`), or None.
        trusted_proxies: how many proxies in front of the app append to X-Forwarded-For; the client is the hop
            this many from the right. 0: the header is ignored.
    """
    client = getattr(request, "client", None)
    host = getattr(client, "host", None)
    if not host:
        return "local"
    if trusted_proxies <= 0:
        return host
    try:
        behind_proxy = ipaddress.ip_address(host).is_private or ipaddress.ip_address(host).is_loopback
    except ValueError:
        behind_proxy = False
    headers = getattr(request, "headers", None) or {}
    hops = [h.strip() for h in (headers.get("x-forwarded-for", "") if behind_proxy else "").split(",") if h.strip()]
    if not hops:
        return host
    # The rightmost `trusted_proxies` hops were written by our proxies; with fewer, every hop is theirs.
    return hops[-min(trusted_proxies, len(hops))]


__all__ = ["ClientLimits", "RateLimitedError", "Ticket", "check_text", "client_key"]
