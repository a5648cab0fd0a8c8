"""A circuit breaker per Space endpoint: after repeated Space faults, skip it for a while instead of waiting on it.

One breaker is shared by every run on the server (`tools.registry.Registry.breaker`), so
what may open it is narrow: only a fault of the Space itself (unreachable, timed out,
crashed, malformed output; `DioramaError.counts_against_space`).  A bad prompt, a
wrong argument, the user's own quota or cancelled run says nothing about the Space and
must not let one user lock a Space for everyone.

States: closed (calls go ahead) -> open after `failures` consecutive faults (calls are
refused for `cooldown_s`) -> half-open (exactly one trial call) -> closed if the trial
shows the Space answering, open again (fresh cooldown) if it faults.  A trial that ends
without a verdict (cancelled, timed out by the run, our own error) is released: the
circuit is half-open again, so the next call is the next single trial.  That can
neither lock the circuit (every permit is released) nor let a flood through (one trial
at a time).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Literal

from tools.errors import DioramaError, SpaceError

Outcome = Literal["ok", "fault", "answered", "void"]
"""What a finished call tells the breaker:

- "ok": the Space did its job (closes the circuit, resets the count);
- "fault": the Space failed (counts; a half-open trial opens the circuit again);
- "answered": the Space answered but refused the input or the user's quota (counts nothing;
  a half-open trial closes the circuit: the Space is back);
- "void": nothing learned about the Space (cancelled, refused before sending, our own error):
  counts nothing; a half-open trial is released.
"""


def outcome_of(exc: BaseException) -> Outcome:
    """The breaker outcome of a call that raised `exc` (the classification itself is `counts_against_space`)."""
    if isinstance(exc, DioramaError) and exc.counts_against_space:
        return "fault"
    if isinstance(exc, SpaceError):  # a Space error that is not a fault is the Space's own refusal: it answered
        return "answered"
    return "void"


@dataclass(eq=False)
class Permit:
    """Leave to make one call, from `CircuitBreaker.allow`; hand it back with `CircuitBreaker.record`.

    Attributes:
        trial: this call is the circuit's one half-open trial.
    """

    trial: bool
    done: bool = field(default=False)


class CircuitBreaker:
    """Closed -> open after `failures` consecutive faults; half-open (one trial) after `cooldown_s`.

    Args:
        failures: consecutive Space faults that open the circuit.
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
        self._trial: Permit | None = None  # the half-open trial in flight, if any

    def allow(self) -> Permit | None:
        """A permit for one call now (closed, or the single half-open trial), or None: the circuit is open.

        Every permit must be handed back to `record` exactly once, whatever happens to the call
        (use try/finally): a trial permit that is never returned keeps the circuit refusing.
        """
        with self._lock:
            if self._opened_at is None:
                return Permit(trial=False)
            if self._clock() - self._opened_at < self.cooldown_s or self._trial is not None:
                return None
            self._trial = Permit(trial=True)
            return self._trial

    def record(self, permit: Permit, outcome: Outcome) -> None:
        """Hand back a permit with what its call showed (see `Outcome`). A second record of it is ignored."""
        with self._lock:
            if permit.done:
                return
            permit.done = True
            if permit is self._trial:
                self._trial = None
            if outcome == "ok" or (outcome == "answered" and permit.trial):
                self._consecutive = 0
                self._opened_at = None
            elif outcome == "fault":
                self._consecutive += 1
                if self._consecutive >= self.failures or permit.trial:
                    self._opened_at = self._clock()
            # "answered" outside a trial and "void": nothing counted; a trial released is half-open again

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


__all__ = ["CircuitBreaker", "Outcome", "Permit", "outcome_of"]
