"""Abuse limits for the UI and API: builds per minute and builds running at once, per client.

A client is its IP address (the first X-Forwarded-For hop when the peer is a proxy on a private or loopback
address, as on Hugging Face Spaces); without a request (in-process calls) everyone is one client. The queue's
overall size is `demo.queue(max_size=...)` in app.py; the request length cap is `agent.runner.validate_request`.
"""

from __future__ import annotations

import ipaddress
import threading
import time
import unicodedata
from collections import defaultdict, deque
from typing import Any, Callable

from tools.errors import DioramaError, InvalidInputError

# Bidirectional embeddings, overrides and isolates: they make a request (and the chain log) read differently
# from what it is ("Trojan Source"). Zero-width joiners stay allowed: emoji sequences use them.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


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
        clock: seconds, monotonic (tests pass a fake one).
    """

    def __init__(self, *, per_minute: int, concurrent: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.concurrent = concurrent
        self._clock = clock
        self._started: dict[str, deque[float]] = defaultdict(deque)
        self._running: dict[str, list[Ticket]] = defaultdict(list)
        self._lock = threading.Lock()

    def admit(self, request: Any) -> Ticket:
        """A ticket for one more build by the client behind `request` (a gr.Request or None).

        Raises:
            RateLimitedError: the client is over one of the limits; the message says when to retry.
        """
        key = client_key(request)
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


def check_text(request: Any) -> None:
    """Refuse requests with control characters (NUL, escape sequences) or bidirectional overrides.

    Raises:
        InvalidInputError: naming the first offending character and what to do.
    """
    if not isinstance(request, str):
        return  # the length and emptiness checks (agent.runner.validate_request) answer for other types
    for char in request:
        if char in "\t\n\r":
            continue
        if unicodedata.category(char) == "Cc" or char in _BIDI:
            raise InvalidInputError(f"The request contains a control character (U+{ord(char):04X}); remove it and "
                                    "describe the scene in plain text, e.g. 'Build a 3D gallery of Paris landmarks'.")


def client_key(request: Any) -> str:
    """The client's IP address ("local" without a request)."""
    client = getattr(request, "client", None)
    host = getattr(client, "host", None)
    if not host:
        return "local"
    try:
        behind_proxy = ipaddress.ip_address(host).is_private or ipaddress.ip_address(host).is_loopback
    except ValueError:
        behind_proxy = False
    headers = getattr(request, "headers", None) or {}
    forwarded = headers.get("x-forwarded-for", "") if behind_proxy else ""
    first = forwarded.split(",")[0].strip()
    return first or host


__all__ = ["ClientLimits", "RateLimitedError", "Ticket", "check_text", "client_key"]
