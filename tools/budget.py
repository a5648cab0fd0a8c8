"""Per-run cost accounting and budgets: Space calls, Space seconds, LLM tokens, estimated cost."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

from tools.errors import DioramaError


class BudgetExceededError(DioramaError):
    """A run used up one of its budgets; what was made is kept and the run can be resumed."""


@dataclass(frozen=True)
class Limits:
    """Budgets of one run (0 = unlimited) and the prices the estimate uses."""

    max_calls: int = 0
    max_space_seconds: float = 0.0
    max_cost_usd: float = 0.0
    usd_per_space_second: float = 0.0
    usd_per_1k_tokens: float = 0.0


class Budget:
    """Counts what a run spends and refuses new work once a limit is reached.

    Args:
        limits: the budgets and prices.
        on_exceeded: called once, with the message, when a budget runs out (the runner stops the agent).
    """

    def __init__(self, limits: Limits, on_exceeded: Callable[[str], None] | None = None) -> None:
        self.limits = limits
        self.on_exceeded = on_exceeded
        self.calls = 0
        self.space_seconds = 0.0
        self.tokens = 0
        self._lock = threading.Lock()
        self._exceeded: str | None = None

    @property
    def cost_usd(self) -> float:
        return (self.space_seconds * self.limits.usd_per_space_second
                + self.tokens / 1000 * self.limits.usd_per_1k_tokens)

    def start_call(self, what: str) -> None:
        """Count a Space call about to start, or raise BudgetExceededError if the budget is spent.

        The call is counted when it starts, so calls running in parallel cannot overshoot `max_calls`.
        """
        with self._lock:
            reason = self._exceeded or self._over()
            if not reason:
                self.calls += 1
        if reason:
            self._trip(reason)
            raise BudgetExceededError(f"{what} not started: {reason}")

    def record_seconds(self, seconds: float) -> None:
        """Add the time a started call spent on its Space."""
        with self._lock:
            self.space_seconds += seconds

    def record_tokens(self, tokens: int) -> None:
        with self._lock:
            self.tokens += tokens
            reason = self._over() if self.limits.max_cost_usd else None
        if reason:
            self._trip(reason)

    def snapshot(self) -> dict[str, float]:
        with self._lock:
            return {"space_calls": self.calls, "space_seconds": round(self.space_seconds, 3),
                    "llm_tokens": self.tokens, "estimated_cost_usd": round(self.cost_usd, 6),
                    "budget_exceeded": self._exceeded}

    def _over(self) -> str | None:
        limits = self.limits
        if limits.max_calls and self.calls >= limits.max_calls:
            return f"the run's budget of {limits.max_calls} Space calls is used up (budget.max_calls)"
        if limits.max_space_seconds and self.space_seconds >= limits.max_space_seconds:
            return (f"the run's budget of {limits.max_space_seconds:g} Space-seconds is used up "
                    f"({self.space_seconds:.1f} s spent; budget.max_space_seconds)")
        if limits.max_cost_usd and self.cost_usd >= limits.max_cost_usd:
            return (f"the run's budget of ${limits.max_cost_usd:g} is used up (${self.cost_usd:.4f} estimated; "
                    "budget.max_cost_usd)")
        return None

    def _trip(self, reason: str) -> None:
        with self._lock:
            first = self._exceeded is None
            self._exceeded = reason
        if first and self.on_exceeded is not None:
            self.on_exceeded(reason)
