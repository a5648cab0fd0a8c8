"""What a configured tool is: its Spaces (first provider, then fallbacks) or a multi-call recipe.

Plain data, read from `diorama.toml` by `agent.config` and used by `tools/` (the registry, multi-call tools):
it lives with the tools so that `tools/` never imports `agent/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

__all__ = ["Binding", "Provider", "Step", "ToolConfig"]


@dataclass(frozen=True)
class Provider:
    """One Space endpoint that can serve a tool: a Hub id, a URL or "local:<bundled folder>"."""

    space: str
    endpoint: str
    args: tuple[tuple[str, str], ...] = ()  # a fallback's names for the first provider's arguments ("" drops one)

    @property
    def local_name(self) -> str | None:
        """The bundled Space folder for "local:<name>" sources, else None."""
        return self.space.removeprefix("local:") if self.space.startswith("local:") else None


@dataclass(frozen=True)
class Binding:
    """Where one argument of a recipe step comes from (see `Step`).

    Attributes:
        kind: "input" (the tool's own argument `name`), "step" (output `key` of the earlier step `step`,
            or its only output when `key` is "") or "constant" (`value`).
        text: the value as written in the config, for messages.
    """

    kind: Literal["input", "step", "constant"]
    name: str = ""
    step: int = -1
    key: str = ""
    value: Any = None
    text: str = ""


@dataclass(frozen=True)
class Step:
    """One call of a multi-call tool: an endpoint of the tool's Space and its arguments' sources.

    `inputs` maps the endpoint's parameter names to bindings; a parameter left out takes the
    endpoint's default (a required one left out is a config error, found when the tool loads).
    """

    endpoint: str
    inputs: Mapping[str, Binding] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class ToolConfig:
    """One tool the agent may call: its first provider, then fallbacks tried in order.

    With `steps` (a multi-call recipe, `tools.multi_call`) the tool is a sequence of calls to `space`
    in one session; `endpoint` then only names the sequence ("/a -> /b") and there are no fallbacks.
    """

    name: str
    space: str
    endpoint: str
    capability: str = "other"
    description: str | None = None
    fallbacks: tuple[Provider, ...] = ()
    steps: tuple[Step, ...] = ()

    @property
    def providers(self) -> tuple[Provider, ...]:
        return (Provider(self.space, self.endpoint), *self.fallbacks)

    @property
    def local_name(self) -> str | None:
        """The bundled Space folder of the first provider, else None."""
        return Provider(self.space, self.endpoint).local_name
