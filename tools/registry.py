"""Which Space serves each tool, from the config; builds the run's tools from their API schemas."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Protocol

from tools import companions
from tools.errors import ConfigError, DioramaError
from tools.schema import EndpointSchema, ToolSpec, build_spec, parse_endpoint
from tools.space_tool import CallContext, SpaceTool
from tools.spaces import SpaceSession

logger = logging.getLogger(__name__)


class ToolEntry(Protocol):
    name: str
    space: str
    endpoint: str
    capability: str
    description: str | None

    @property
    def local_name(self) -> str | None: ...


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
    """Resolves configured tools to Spaces; caches each endpoint's schema across runs.

    Args:
        entries: the configured tools.
        connect_timeout_s: deadline for connecting to each Space.
        hf_token: sent only to Hub Spaces (see `SpaceSession`).
    """

    def __init__(self, entries: tuple[ToolEntry, ...], *, connect_timeout_s: float,
                 hf_token: str | None = None) -> None:
        self.entries = entries
        self.connect_timeout_s = connect_timeout_s
        self._token = hf_token
        self._schemas: dict[tuple[str, str], EndpointSchema] = {}
        self._lock = threading.Lock()

    def sources(self) -> dict[str, str]:
        """Tool name -> Space id or URL, starting the bundled Spaces the config uses."""
        local = [e.local_name for e in self.entries if e.local_name]
        urls = companions.ensure_started(local) if local else {}
        return {e.name: urls[e.local_name] if e.local_name else e.space for e in self.entries}

    def load(self, context: CallContext) -> LoadedTools:
        """Connect to each Space for one run and build its tools.

        A Space that cannot be reached or lacks the endpoint does not stop the
        others: it is listed in `failed` with a one-line reason.
        """
        try:
            sources = self.sources()
        except DioramaError as exc:
            return LoadedTools(tools={}, failed={e.name: str(exc) for e in self.entries}, sessions=())
        sessions: dict[str, SpaceSession] = {}
        tools: dict[str, SpaceTool] = {}
        failed: dict[str, str] = {}
        for entry in self.entries:
            source = sources[entry.name]
            session = sessions.get(source)
            if session is None:
                session = sessions[source] = SpaceSession(
                    source, label=entry.space, download_dir=context.run_dir / "downloads",
                    connect_timeout_s=self.connect_timeout_s, token=self._token)
            try:
                spec = self.spec(entry, session)
            except DioramaError as exc:
                failed[entry.name] = str(exc)
                logger.warning("tool %s unavailable: %s", entry.name, exc)
                continue
            tools[entry.name] = SpaceTool(spec, session, context)
        return LoadedTools(tools=tools, failed=failed, sessions=tuple(sessions.values()))

    def spec(self, entry: ToolEntry, session: SpaceSession) -> ToolSpec:
        """The tool spec of `entry`, from the cached or freshly read API schema.

        Raises:
            ConfigError: the Space has no such endpoint.
            SpaceUnavailableError: the Space cannot be reached.
        """
        key = (session.source, entry.endpoint)
        with self._lock:
            schema = self._schemas.get(key)
        if schema is None:
            endpoints = session.named_endpoints()
            if entry.endpoint not in endpoints:
                raise ConfigError(
                    f"Endpoint '{entry.endpoint}' not found on {entry.space}; available: "
                    f"{', '.join(repr(e) for e in endpoints) or 'none'}. Fix tools.{entry.name}.endpoint in the config.")
            schema = parse_endpoint(entry.endpoint, endpoints[entry.endpoint])
            with self._lock:
                self._schemas[key] = schema
        return build_spec(schema, name=entry.name, space_label=entry.space, description=entry.description)

    def describe(self) -> list[dict[str, Any]]:
        """Name, Space, endpoint and capability of each configured tool (for banners and logs)."""
        return [{"name": e.name, "space": e.space, "endpoint": e.endpoint, "capability": e.capability}
                for e in self.entries]
