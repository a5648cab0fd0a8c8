"""Which Space serves each tool, from the config; builds the run's tools from their API schemas."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Protocol

from tools import companions, multi_call
from tools.breaker import CircuitBreaker
from tools.cache import holds_nothing
from tools.companion_session import CompanionSession
from tools.errors import CompanionStartError, ConfigError, DioramaError, InvalidInputError
from tools.fallback_args import fallback_problem
from tools.schema import EndpointSchema, build_spec, parse_api, phantom_reason, unsupported_note, with_config
from tools.space_tool import CallContext, ProviderSlot, SpaceTool
from tools.space_card import SpaceCard, hub_card, local_card
from tools.spaces import ClientPool, SpaceSession, is_hub_id

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
    refused_fallbacks: dict[str, list[str]] = field(default_factory=dict)  # tool -> why each fallback was left out

    def close(self) -> None:
        for session in self.sessions:
            session.close()


class Registry:
    """Resolves configured tools to Spaces; keeps endpoint schemas and circuit breakers across runs.

    Args:
        entries: the configured tools.
        connect_timeout_s: deadline for connecting to each Space.
        hf_token: sent only to Hub Spaces (see `SpaceSession`).
        breaker_failures: consecutive Space faults that open a Space endpoint's circuit.
        breaker_cooldown_s: how long an open circuit skips the Space endpoint.
        max_parallel: calls in flight per Space at once (shared by all runs).
        health: (provider label, endpoint) -> score in [0, 1] (higher first; 0.0: failing now, skipped while
            another provider is left) or None (no history: counts as 1.0). Without it, providers go in config
            order.
        download_dir: set: clients are pooled across runs and download here.
        fleet: the bundled Spaces; None: the process's default fleet.
        card_max_age_s: a Space's card (and so the revision in its cache keys) is read again by the first run
            that loads it this many seconds after it was read; 0: by every run.
    """

    def __init__(self, entries: tuple[ToolEntry, ...], *, connect_timeout_s: float, hf_token: str | None = None,
                 breaker_failures: int = 3, breaker_cooldown_s: float = 60.0, max_parallel: int = 4,
                 health: Callable[[str, str], float | None] | None = None, download_dir: Path | None = None,
                 fleet: companions.Fleet | None = None, card_max_age_s: float = 600.0) -> None:
        self._health = health
        self._fleet = fleet  # the bundled Spaces; None: the process's default fleet
        self.entries = entries
        self.connect_timeout_s = connect_timeout_s
        self._token = hf_token
        self._breaker_args = (breaker_failures, breaker_cooldown_s)
        self._schemas: dict[tuple[str, str], EndpointSchema] = {}
        self._breakers: dict[tuple[str, str], CircuitBreaker] = {}
        self._max_parallel = max_parallel
        self._download_dir = download_dir  # set: clients are pooled across runs and download here
        self._pool = ClientPool() if download_dir is not None else None
        self._pruned_at = float("-inf")
        self._limits: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()
        self._cards: dict[str, tuple[float, SpaceCard | None]] = {}  # space -> (time.monotonic() when read, card)
        self._card_max_age_s = card_max_age_s
        self.added: tuple[ToolEntry, ...] = ()  # tools added at run time (`add`), in memory only

    def sources(self, entries: tuple[ToolEntry, ...] | None = None) -> dict[str, str]:
        """Provider space (as configured) -> Space id or URL, starting the bundled Spaces the config uses."""
        spaces = {p.space: p for e in (self.entries if entries is None else entries) for p in e.providers}
        local = [p.local_name for p in spaces.values() if p.local_name]
        urls = self.fleet.ensure(local) if local else {}
        return {space: urls[p.local_name] if p.local_name else space for space, p in spaces.items()}

    @property
    def fleet(self) -> companions.Fleet:
        return self._fleet or companions.default_fleet()

    def breaker(self, space: str, endpoint: str) -> CircuitBreaker:
        """The circuit of one endpoint of one Space, shared by every run: an endpoint that keeps failing does
        not close the Space's other endpoints."""
        key = (space, endpoint)
        with self._lock:
            if key not in self._breakers:
                self._breakers[key] = CircuitBreaker(*self._breaker_args)
            return self._breakers[key]

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
        entries = self.entries  # one snapshot: `add` may rebind self.entries while this run loads
        sessions: dict[str, SpaceSession] = {}
        tools: dict[str, SpaceTool] = {}
        failed: dict[str, str] = {}
        download_dir = self._download_dir or context.run_dir / "downloads"
        bundled = tuple(dict.fromkeys(p.local_name for e in entries for p in e.providers if p.local_name))
        if bundled and (context.cache is None or holds_nothing(context.cache.folder)):
            self.fleet.prestart(list(bundled))  # no call can come from the cache: start them while the agent plans

        def session_for(space: str) -> SpaceSession:
            if space not in sessions:  # a bundled Space starts when its first call is about to be made
                if space.startswith("local:"):
                    sessions[space] = CompanionSession(
                        space.removeprefix("local:"), self.fleet, label=space, download_dir=download_dir,
                        connect_timeout_s=self.connect_timeout_s, pool=self._pool, siblings=bundled)
                else:
                    sessions[space] = SpaceSession(
                        space, label=space, download_dir=download_dir, connect_timeout_s=self.connect_timeout_s,
                        token=self._token, pool=self._pool)
            return sessions[space]

        refused: dict[str, list[str]] = {}
        for entry in entries:
            try:
                self._load_entry(entry, session_for, context, tools, failed, refused)
            except Exception as exc:  # one bad tool never sinks a run: it is reported and left out
                failed[entry.name] = (f"Diorama could not build this tool ({type(exc).__name__}: "
                                      f"{' '.join(str(exc).split())[:300]}); the other tools are unaffected.")
                logger.exception("tool %s could not be built", entry.name)
        return LoadedTools(tools=tools, failed=failed, sessions=tuple(sessions.values()), refused_fallbacks=refused)

    def _load_entry(self, entry: Any, session_for: Callable[[str], SpaceSession], context: CallContext,
                    tools: dict[str, SpaceTool], failed: dict[str, str], refused: dict[str, list[str]]) -> None:
        """Build one configured tool into `tools`, or put its reason in `failed`."""
        if getattr(entry, "steps", ()):
            try:
                tools[entry.name] = self._recipe_tool(entry, session_for(entry.space), context)
            except DioramaError as exc:
                failed[entry.name] = str(exc)
                logger.warning("tool %s: %s", entry.name, exc)
            return
        slots = []
        for provider in entry.providers:
            session = session_for(provider.space)
            card = self.card(provider.space, session.source)
            slots.append(ProviderSlot(label=provider.space, endpoint=provider.endpoint, session=session,
                                      breaker=self.breaker(provider.space, provider.endpoint),
                                      limit=self.limit(provider.space),
                                      schema=lambda s=session, p=provider: self.schema(s, p.space, p.endpoint),
                                      card=card, args=dict(getattr(provider, "args", ()))))
        spec, reasons = None, []
        for slot in slots:
            try:
                schema = slot.schema()
            except DioramaError as exc:
                reasons.append(str(exc))
                # a bundled Space that did not start is reported once, by whoever shows the run's outcome
                logger.log(logging.INFO if isinstance(exc, CompanionStartError) else logging.WARNING,
                           "tool %s: provider %s unavailable: %s", entry.name, slot.label, exc)
                continue
            spec = build_spec(schema, name=entry.name, space_label=slot.label, description=entry.description,
                              card=slot.card.sentence() if slot.card else "")
            break
        if spec is None:
            failed[entry.name] = " | ".join(reasons)
            return
        if not reasons:  # the interface is the first provider's: each fallback must take its arguments
            slots = [slots[0], *self._fitting_fallbacks(entry.name, slots, refused)]
        # the interface stays the config's first provider's; only the order of calls follows health
        tools[entry.name] = SpaceTool(spec, self._by_health(entry.name, slots), context, primary=slots[0])

    def _fitting_fallbacks(self, tool: str, slots: list[ProviderSlot],
                           refused: dict[str, list[str]]) -> list[ProviderSlot]:
        """The fallbacks that can take the first provider's arguments; the others go to `refused` with why.
        A fallback that cannot be reached now is kept (its arguments are checked when it is called)."""
        primary = slots[0].schema()
        fitting = []
        for slot in slots[1:]:
            try:
                problem = fallback_problem(primary, slot.schema(), slot.args)
            except DioramaError:
                problem = None
            if problem:
                refused.setdefault(tool, []).append(f"fallback {slot.label} {slot.endpoint} refused: {problem}")
                logger.warning("tool %s: fallback %s %s refused: %s", tool, slot.label, slot.endpoint, problem)
            else:
                fitting.append(slot)
        return fitting

    def _by_health(self, tool: str, slots: list[ProviderSlot]) -> list[ProviderSlot]:
        """Providers healthiest first (stable: equal scores keep config order); those failing now are dropped
        while another one is left."""
        if self._health is None or len(slots) < 2:
            return slots
        scores = {id(slot): self._health(slot.label, slot.endpoint) for slot in slots}
        ranked = sorted(slots, key=lambda s: -(1.0 if scores[id(s)] is None else scores[id(s)]))
        usable = [s for s in ranked if scores[id(s)] != 0.0] or ranked
        skipped = [f"{s.label} {s.endpoint}" for s in ranked if all(s is not u for u in usable)]
        if skipped or [id(s) for s in usable] != [id(s) for s in slots]:
            logger.warning("tool %s: providers ordered by health: %s%s", tool,
                           ", ".join(f"{s.label} {s.endpoint}" for s in usable),
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
            api = session.api_info()
            named = api.get("named_endpoints") or {}
            unnamed = {f"/fn_{int(index)}": {index: info}
                       for index, info in (api.get("unnamed_endpoints") or {}).items()}
            if endpoint in named:
                schema = parse_api({"named_endpoints": {endpoint: named[endpoint]}})[0]
            elif endpoint in unnamed:  # an old server's unnamed endpoint, called by fn_index
                schema = parse_api({"unnamed_endpoints": unnamed[endpoint]})[0]
            else:
                hint = (" ('/fn_N' names an unnamed endpoint of an old Gradio server; newer servers name every "
                        "endpoint)" if endpoint.startswith("/fn_") else "")
                raise ConfigError(
                    f"Endpoint '{endpoint}' not found on {space}{hint}; available: "
                    f"{', '.join(repr(e) for e in [*named, *unnamed]) or 'none'}. Fix the endpoint in the config.")
            config = session.config()
            phantom = phantom_reason(schema, config)
            if phantom:
                raise ConfigError(f"Endpoint '{endpoint}' of {space} cannot be called: {phantom}. Pick another "
                                  "endpoint (python app.py --describe lists the callable ones).")
            schema = with_config(schema, config)
            unsupported = unsupported_note(schema)
            if unsupported:
                raise ConfigError(f"Endpoint '{endpoint}' of {space} is not supported: {unsupported}. The other "
                                  "tools are unaffected.")
            fixed = session.hidden_inputs(endpoint, schema.fn_index)
            if fixed:
                schema = replace(schema, fixed=fixed)
            with self._lock:
                self._schemas[key] = schema
        return schema

    def card(self, space: str, source: str) -> SpaceCard | None:
        """The card of a provider (as configured, and where it runs): bundled Spaces from their README (in the
        fleet's folder), Hub Spaces from the Hub when online, URL Spaces none. Kept for `card_max_age_s`, so a
        Space updated while the server runs gets its new revision (and new cache keys) within that time."""
        with self._lock:
            held = self._cards.get(space)
        if held is not None and time.monotonic() - held[0] < self._card_max_age_s:
            return held[1]
        local = space.removeprefix("local:") if space.startswith("local:") else None
        if local:
            card = local_card(local, spaces_dir=self.fleet.spaces_dir)
        elif is_hub_id(source):
            card = hub_card(source, token=self._token, timeout_s=min(10.0, self.connect_timeout_s))
        else:
            card = None
        with self._lock:
            self._cards[space] = (time.monotonic(), card)
        return card

    def forget_card(self, space: str) -> None:
        """Drop a provider's card (`space` as configured, e.g. "local:text_to_3d" or "owner/name"): the next run
        that loads it reads it again, with the Space's current revision."""
        with self._lock:
            self._cards.pop(space, None)

    def _recipe_tool(self, entry: Any, session: SpaceSession, context: CallContext) -> SpaceTool:
        """A multi-call tool (`tools.multi_call`) from an entry with `steps`.

        Raises:
            ConfigError: an endpoint is missing or the recipe does not fit the endpoints (names the step).
            SpaceUnavailableError: the Space cannot be reached.
        """
        schemas = []
        for number, step in enumerate(entry.steps):
            try:
                schemas.append(self.schema(session, entry.space, step.endpoint))
            except ConfigError as exc:
                raise ConfigError(f"Tool {entry.name!r} steps[{number}]: {exc}") from exc
        card = self.card(entry.space, session.source)
        slot = ProviderSlot(label=entry.space, endpoint=entry.endpoint, session=session,
                            breaker=self.breaker(entry.space, entry.endpoint), limit=self.limit(entry.space),
                            schema=lambda: schemas[-1], card=card)
        return multi_call.build_tool(entry, slot, schemas, context, card=card.sentence() if card else "")

    def describe(self) -> list[dict[str, Any]]:
        """Name, Space, endpoint, fallbacks and capability of each configured tool (for banners and logs)."""
        return [{"name": e.name, "space": e.providers[0].space, "endpoint": e.providers[0].endpoint,
                 "fallbacks": [f"{p.space} {p.endpoint}" for p in e.providers[1:]], "capability": e.capability}
                for e in self.entries]

    def add(self, entries: tuple[ToolEntry, ...], *, max_added: int) -> None:
        """Register tools added at run time; the next runs load them with the configured ones.

        They stay in memory for the server's life (gone after a restart).

        Raises:
            InvalidInputError: a name is already taken, or more than `max_added` tools would have been added.
        """
        with self._lock:
            taken = {e.name: e for e in self.entries}
            for entry in entries:
                if entry.name in taken:
                    other = taken[entry.name].providers[0]
                    raise InvalidInputError(
                        f"A tool named {entry.name!r} already exists ({other.space} {other.endpoint}). Add this "
                        f"endpoint alone and give it another name, e.g. {entry.name + '_2'!r}.")
                taken[entry.name] = entry
            if len(self.added) + len(entries) > max_added:
                raise InvalidInputError(
                    f"Adding {len(entries)} tool(s) would exceed the limit of {max_added} added tools "
                    f"(spaces.max_added_tools; {len(self.added)} added so far). Add one endpoint at a time, restart "
                    "the server to clear the added tools, or put them in diorama.toml's [[tools]].")
            self.added = (*self.added, *entries)
            self.entries = (*self.entries, *entries)  # rebound, never mutated: a run iterating the old tuple is safe
