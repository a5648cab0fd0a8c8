"""Which Space serves each tool, from the config; builds the run's tools from their API schemas."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from tools import companions
from tools.breaker import CircuitBreaker
from tools.errors import ConfigError, DioramaError
from tools.schema import EndpointSchema, build_spec, parse_endpoint
from tools.space_tool import CallContext, ProviderSlot, SpaceTool
from tools.spaces import ClientPool, SpaceSession

logger = logging.getLogger(__name__)


class ProviderEntry(Protocol):
    space: str
    endpoint: str

    @property
    def local_name(self) -> str | None: ...


class ToolEntry(Protocol):
    name: str
    capability: str
    description: str | None

    @property
    def providers(self) -> tuple[ProviderEntry, ...]: ...


@dataclass(frozen=True)
class LoadedTools:
    """The tools a run may use, and those that could not be loaded (name -> reason)."""

    tools: dict[str, SpaceTool]
    failed: dict[str, str]
    sessions: tuple[SpaceSession, ...]

    def close(self) -> None:
        for session in self.sessions:
            session.close()


class Registry:
    """Resolves configured tools to Spaces; keeps endpoint schemas and circuit breakers across runs.

    Args:
        entries: the configured tools.
        connect_timeout_s: deadline for connecting to each Space.
        hf_token: sent only to Hub Spaces (see `SpaceSession`).
        breaker_failures: consecutive failures that open a Space's circuit.
        breaker_cooldown_s: how long an open circuit skips the Space.
        max_parallel: calls in flight per Space at once (shared by all runs).
        health: provider label -> score in [0, 1] (higher first; 0.0: failing now, skipped while another
            provider is left) or None (no history: counts as 1.0). Without it, providers go in config order.
    """

    def __init__(self, entries: tuple[ToolEntry, ...], *, connect_timeout_s: float, hf_token: str | None = None,
                 breaker_failures: int = 3, breaker_cooldown_s: float = 60.0, max_parallel: int = 4,
                 health: Callable[[str], float | None] | None = None, download_dir: Path | None = None) -> None:
        self._health = health
        self.entries = entries
        self.connect_timeout_s = connect_timeout_s
        self._token = hf_token
        self._breaker_args = (breaker_failures, breaker_cooldown_s)
        self._schemas: dict[tuple[str, str], EndpointSchema] = {}
        self._breakers: dict[str, CircuitBreaker] = {}
        self._max_parallel = max_parallel
        self._download_dir = download_dir  # set: clients are pooled across runs and download here
        self._pool = ClientPool() if download_dir is not None else None
        self._pruned_at = float("-inf")
        self._limits: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    def sources(self) -> dict[str, str]:
        """Provider space (as configured) -> Space id or URL, starting the bundled Spaces the config uses."""
        spaces = {p.space: p for e in self.entries for p in e.providers}
        local = [p.local_name for p in spaces.values() if p.local_name]
        urls = companions.ensure_started(local) if local else {}
        return {space: urls[p.local_name] if p.local_name else space for space, p in spaces.items()}

    def breaker(self, space: str) -> CircuitBreaker:
        with self._lock:
            if space not in self._breakers:
                self._breakers[space] = CircuitBreaker(*self._breaker_args)
            return self._breakers[space]

    def limit(self, space: str) -> threading.BoundedSemaphore:
        """The shared bound on calls in flight to one Space, across runs."""
        with self._lock:
            if space not in self._limits:
                self._limits[space] = threading.BoundedSemaphore(self._max_parallel)
            return self._limits[space]

    def load(self, context: CallContext) -> LoadedTools:
        """Build the run's tools, each with its providers.

        A tool whose providers all fail to describe themselves does not stop the
        others: it is listed in `failed` with a one-line reason per provider.
        """
        self._prune_downloads()
        try:
            sources = self.sources()
        except DioramaError as exc:
            return LoadedTools(tools={}, failed={e.name: str(exc) for e in self.entries}, sessions=())
        sessions: dict[str, SpaceSession] = {}
        tools: dict[str, SpaceTool] = {}
        failed: dict[str, str] = {}
        for entry in self.entries:
            slots = []
            for provider in entry.providers:
                source = sources[provider.space]
                if source not in sessions:
                    sessions[source] = SpaceSession(source, label=provider.space,
                                                    download_dir=self._download_dir or context.run_dir / "downloads",
                                                    connect_timeout_s=self.connect_timeout_s, token=self._token,
                                                    pool=self._pool)
                session = sessions[source]
                slots.append(ProviderSlot(label=provider.space, endpoint=provider.endpoint, session=session,
                                          breaker=self.breaker(provider.space), limit=self.limit(provider.space),
                                          schema=lambda s=session, p=provider: self.schema(s, p.space, p.endpoint)))
            spec, reasons = None, []
            for slot in slots:
                try:
                    schema = slot.schema()
                except DioramaError as exc:
                    reasons.append(str(exc))
                    logger.warning("tool %s: provider %s unavailable: %s", entry.name, slot.label, exc)
                    continue
                spec = build_spec(schema, name=entry.name, space_label=slot.label, description=entry.description)
                break
            if spec is None:
                failed[entry.name] = " | ".join(reasons)
                continue
            # the interface stays the config's first provider's; only the order of calls follows health
            tools[entry.name] = SpaceTool(spec, self._by_health(entry.name, slots), context)
        return LoadedTools(tools=tools, failed=failed, sessions=tuple(sessions.values()))

    def _by_health(self, tool: str, slots: list[ProviderSlot]) -> list[ProviderSlot]:
        """Providers healthiest first (stable: equal scores keep config order); those failing now are dropped
        while another one is left."""
        if self._health is None or len(slots) < 2:
            return slots
        scores = {slot.label: self._health(slot.label) for slot in slots}
        ranked = sorted(slots, key=lambda s: -(1.0 if scores[s.label] is None else scores[s.label]))
        usable = [s for s in ranked if scores[s.label] != 0.0] or ranked
        skipped = [s.label for s in ranked if s not in usable]
        if skipped or [s.label for s in usable] != [s.label for s in slots]:
            logger.warning("tool %s: providers ordered by health: %s%s", tool, ", ".join(s.label for s in usable),
                           f"; skipping {', '.join(skipped)} (failing now)" if skipped else "")
        return usable

    def _prune_downloads(self, max_age_s: float = 3600.0) -> None:
        """Delete shared client downloads older than an hour (each run keeps its own copies in its folder)."""
        if self._download_dir is None or time.monotonic() - self._pruned_at < 600 \
                or not self._download_dir.is_dir():
            return  # at most every 10 minutes: this walks the folder, and runs start often
        self._pruned_at = time.monotonic()
        cutoff = time.time() - max_age_s
        for path in self._download_dir.glob("*/*"):
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    path.parent.rmdir()
            except OSError:
                continue  # in use by a concurrent download, or not empty: next time

    def schema(self, session: SpaceSession, space: str, endpoint: str) -> EndpointSchema:
        """An endpoint's parsed schema, read once per Space and cached.

        Raises:
            ConfigError: the Space has no such endpoint.
            SpaceUnavailableError: the Space cannot be reached.
        """
        key = (session.source, endpoint)
        with self._lock:
            schema = self._schemas.get(key)
        if schema is None:
            endpoints = session.named_endpoints()
            if endpoint not in endpoints:
                raise ConfigError(
                    f"Endpoint '{endpoint}' not found on {space}; available: "
                    f"{', '.join(repr(e) for e in endpoints) or 'none'}. Fix the endpoint in the config.")
            schema = parse_endpoint(endpoint, endpoints[endpoint])
            with self._lock:
                self._schemas[key] = schema
        return schema

    def describe(self) -> list[dict[str, Any]]:
        """Name, Space, endpoint, fallbacks and capability of each configured tool (for banners and logs)."""
        return [{"name": e.name, "space": e.providers[0].space, "endpoint": e.providers[0].endpoint,
                 "fallbacks": [f"{p.space} {p.endpoint}" for p in e.providers[1:]], "capability": e.capability}
                for e in self.entries]
