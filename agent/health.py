"""Per-Space (and per-endpoint) health from the run store: success rate and latency over the last calls, kept
across runs.

It is used twice: `Registry(health=Health.score)` orders each tool's providers by it,
per Space endpoint (and skips one that is failing now), and `Health.note` gives the
agent a short paragraph about the Spaces that failed lately.  Cache hits and journal
replays are not calls to the Space and do not count; nor do failures that are not the
Space's fault (a rejected prompt, the user's quota, a cancel: the `fault` field of a
call event, `DioramaError.counts_against_space`, which the store keeps and leaves out),
so that one user's bad prompts cannot push a Space down the order for everyone.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
from dataclasses import dataclass
from typing import Callable, Iterable

from agent.store import Store

logger = logging.getLogger(__name__)

__all__ = ["Health", "SpaceHealth"]


@dataclass(frozen=True)
class SpaceHealth:
    """One Space's record over its last `calls` calls (newest first in the store).

    Attributes:
        space: the provider label as configured ("local:text_to_3d", "owner/name" or a URL).
        endpoint: the endpoint the record is about ("/generate"), or None: all of the Space's endpoints.
        calls: calls in the window (at most the window size).
        failures: failed calls in the window.
        success_rate: ok / calls, None without calls.
        p50_s / p95_s: latency of the successful calls in seconds, None without any.
        last_error: the newest failure's message, or None.
        recent_failures: failures among the newest `recent` calls.
        failing_now: `recent_failures` reached the threshold and the newest failure is recent: skip this Space.
    """

    space: str
    endpoint: str | None
    calls: int
    failures: int
    success_rate: float | None
    p50_s: float | None
    p95_s: float | None
    last_error: str | None
    recent_failures: int
    recent: int
    failing_now: bool


class Health:
    """Health of Spaces, read from the store on demand (so it includes other processes' runs).

    Args:
        store: the run store.
        window: how many of a Space's last calls count.
        recent: how many of the newest calls decide "failing now"...
        recent_failures: ...when at least this many of them failed...
        within_s: ...and the newest failure started less than this many seconds ago; afterwards the
            Space is tried again (last), and recovers as its calls succeed.
        clock: current UTC time (tests pass a fixed one).
    """

    def __init__(self, store: Store, *, window: int = 20, recent: int = 5, recent_failures: int = 4,
                 within_s: float = 300.0,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc)) -> None:
        self.store = store
        self.window = window
        self.recent = recent
        self.recent_failures = recent_failures
        self.within_s = within_s
        self._clock = clock

    def of(self, space: str, endpoint: str | None = None) -> SpaceHealth:
        """The record of one Space endpoint (`endpoint` given) or of the whole Space."""
        calls = self.store.calls_of(space, endpoint=endpoint, limit=max(self.window, self.recent))
        window, newest = calls[: self.window], calls[: self.recent]
        failed = [c for c in window if c["status"] != "ok"]
        latencies = sorted(c["duration_s"] for c in window if c["status"] == "ok" and c["duration_s"] is not None)
        recent_failed = [c for c in newest if c["status"] != "ok"]
        failing_now = False
        if len(recent_failed) >= self.recent_failures:
            started = _parse(recent_failed[0]["started_at"])
            failing_now = started is not None and (self._clock() - started).total_seconds() < self.within_s
        return SpaceHealth(
            space=space, endpoint=endpoint, calls=len(window), failures=len(failed),
            success_rate=(len(window) - len(failed)) / len(window) if window else None,
            p50_s=_percentile(latencies, 50), p95_s=_percentile(latencies, 95),
            last_error=failed[0]["error"] if failed else None,
            recent_failures=len(recent_failed), recent=len(newest), failing_now=failing_now)

    def score(self, space: str, endpoint: str | None = None) -> float | None:
        """The ordering hook for `tools.registry.Registry` (per endpoint): None without history, 0.0 when failing
        now (skipped while another provider is left), else the success rate (at least 0.01).

        A store error never stops a run: it is logged and the Space counts as unknown.
        """
        try:
            health = self.of(space, endpoint)
        except Exception:  # sqlite3 errors, a locked or corrupt file: no health is better than no run
            logger.warning("health of %s %s unavailable; keeping the configured order", space, endpoint or "",
                           exc_info=True)
            return None
        if health.success_rate is None:
            return None
        return 0.0 if health.failing_now else max(health.success_rate, 0.01)

    def note(self, tools: Iterable[tuple[str, list[str]]]) -> str:
        """A short paragraph for the agent about the Spaces that failed lately, or "" when all is well.

        Args:
            tools: (tool name, its provider labels in config order) pairs.
        """
        lines = []
        for tool, providers in tools:
            try:
                healths = {p: self.of(p) for p in providers}
            except Exception:
                logger.warning("health note unavailable", exc_info=True)
                return ""
            for space, health in healths.items():
                if not (health.failing_now or (health.failures >= 2 and (health.success_rate or 0) < 0.8)):
                    continue
                others = sorted((h for p, h in healths.items() if p != space and not h.failing_now),
                                key=lambda h: -(h.success_rate if h.success_rate is not None else 1.0))
                error = " ".join((health.last_error or "").split())[:160]
                line = (f"- {space} ({tool}) failed {health.recent_failures} of its last {health.recent} calls"
                        f" ({health.failures} of {health.calls} lately); last error: {error}")
                if others:
                    line += f"; prefer {others[0].space}, which Diorama tries first now"
                elif health.failing_now:
                    line += f"; {tool} has no other provider, so expect failures and build what you can"
                lines.append(line + ".")
        if not lines:
            return ""
        return "Space health from earlier runs (providers are already ordered by it):\n" + "\n".join(lines)


def _percentile(values: list[float], pct: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 3)
    return round(statistics.quantiles(values, n=100, method="inclusive")[pct - 1], 3)


def _parse(text: str | None) -> dt.datetime | None:
    try:
        stamp = dt.datetime.fromisoformat(text or "")
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.timezone.utc)
