"""A circuit breaker per Space: after repeated failures, skip it for a while instead of waiting on it."""

from __future__ import annotations

import threading
import time
from typing import Callable


class CircuitBreaker:
    """Closed -> open after `failures` consecutive failures; half-open (one trial) after `cooldown_s`.

    Args:
        failures: consecutive failures that open the circuit.
        cooldown_s: how long an open circuit refuses calls before letting one trial through.
        clock: monotonic time source (tests pass a fake one).
    """

    def __init__(self, failures: int = 3, cooldown_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.failures = failures
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._consecutive = 0
        self._opened_at: float | None = None
        self._trial_running = False

    def allow(self) -> bool:
        """True if a call may go ahead now (closed, or the single half-open trial)."""
        with self._lock:
            if self._opened_at is None:
                return True
            if self._clock() - self._opened_at < self.cooldown_s or self._trial_running:
                return False
            self._trial_running = True
            return True

    def record(self, ok: bool) -> None:
        """Report the outcome of a call that `allow()` let through."""
        with self._lock:
            self._trial_running = False
            if ok:
                self._consecutive = 0
                self._opened_at = None
                return
            self._consecutive += 1
            if self._consecutive >= self.failures:
                self._opened_at = self._clock()

    def retry_in_s(self) -> float:
        """Seconds until an open circuit lets a trial through (0 when closed)."""
        with self._lock:
            if self._opened_at is None:
                return 0.0
            return max(0.0, self.cooldown_s - (self._clock() - self._opened_at))

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._opened_at is not None
