"""Spaces added while the server runs: the owner's allowlist, and turning an allowed Space into tools.

The allowlist (`[spaces] allow` in diorama.toml, or DIORAMA_ALLOW_SPACES) is the
SSRF guard of a hosted app: a user can only make the server connect to what the
owner listed. An entry is a Hub owner ("you"), one Hub Space ("you/my-space") or
a URL origin ("https://your-host.example/"). URLs are compared after parsing, as
(scheme, host, port), never as text: "http://127.0.0.1:7860.evil.com" has no valid
port, userinfo ("http://evil@host/") is refused, and loopback or private hosts
pass only when that exact origin is listed. The tools added stay in the runner's
`Registry` (memory only) for the server's life; the next runs' agent can call them.
"""

from __future__ import annotations

import builtins
import ipaddress
import keyword
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable
from urllib.parse import urlsplit

from tools.errors import ConfigError, InvalidInputError, NotAllowedError, SpaceUnavailableError
from tools.origin import Origin, origin_of

if TYPE_CHECKING:
    from tools.registry import Registry

__all__ = ["ALL_ENDPOINTS", "ENABLE_HINT", "Origin", "SpaceAllowlist", "add_space", "parse_url"]

logger = logging.getLogger(__name__)

ALL_ENDPOINTS = ("", "*", "all")  # an endpoint field with one of these adds every named endpoint
ENABLE_HINT = ("Adding Spaces at run time is off: the owner of this server has not allowlisted any. To enable it, "
               "list Hub owners or URLs in diorama.toml, e.g. [spaces] allow = [\"you\", "
               "\"https://your-host.example/\"], or set DIORAMA_ALLOW_SPACES=you,https://your-host.example/, "
               "then restart.")
_OWNER = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}$")
_SPACE = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")
_API_NAME = re.compile(r"^/[\w.-]{1,100}$")
_RESERVED = {"final_answer", "parallel_map"} | set(dir(builtins)) | set(keyword.kwlist)
_MAX_CHARS = 300


def parse_url(text: str) -> tuple[Origin, str]:
    """Parse an http(s) URL strictly.

    Args:
        text: e.g. "https://owner-name.hf.space/" or "http://127.0.0.1:7861/".

    Returns:
        The origin and the URL rebuilt from the parsed parts (what Diorama connects to).

    Raises:
        ValueError: not an http(s) URL with a plain host, or it has userinfo, a query or a fragment.
    """
    if any(ord(c) <= 0x20 or ord(c) == 0x7F or c == "\\" for c in text):
        raise ValueError("it contains spaces, control characters or backslashes")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError("only http:// and https:// URLs are accepted")
    if not parts.netloc or "@" in parts.netloc:
        raise ValueError("it has no host, or a user name or password before the host")
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise ValueError("it has a query or a fragment")
    try:
        port = parts.port
    except ValueError as exc:  # e.g. "127.0.0.1:7860.evil.com": the "port" is not a number
        raise ValueError("its port is not a number from 1 to 65535") from exc
    if port == 0:
        raise ValueError("its port is not a number from 1 to 65535")
    try:
        origin = origin_of(text)
    except ValueError as exc:
        raise ValueError("it has no host") from exc
    try:
        ipaddress.ip_address(origin.host)
    except ValueError:
        if not _HOSTNAME.match(origin.host):
            raise ValueError(f"{origin.host!r} is not a valid host name") from None
    return origin, str(origin) + parts.path.lstrip("/")


@dataclass(frozen=True)
class SpaceAllowlist:
    """What the owner allows users to add: Hub owners, single Hub Spaces and URL origins.

    Build it with `SpaceAllowlist.parse`; `check` says whether a Space may be added.
    """

    entries: tuple[str, ...] = ()
    owners: frozenset[str] = frozenset()
    spaces: frozenset[str] = frozenset()
    origins: frozenset[Origin] = frozenset()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> "SpaceAllowlist":
        """Parse the config's `[spaces] allow` list.

        Raises:
            ConfigError: an entry is not an owner, an "owner/name" Space id or an http(s) origin.
        """
        owners, spaces, origins, kept = set(), set(), set(), []
        for raw in entries:
            entry = str(raw).strip()
            if not entry:
                continue
            kept.append(entry)
            if entry.lower().startswith(("http://", "https://")):
                try:
                    origin, url = parse_url(entry)
                except ValueError as exc:
                    raise ConfigError(f"spaces.allow (DIORAMA_ALLOW_SPACES) entry {entry!r}: {exc}; give an origin "
                                      "such as \"https://your-host.example/\" or \"http://127.0.0.1:7861/\".") from exc
                if url != str(origin):
                    raise ConfigError(f"spaces.allow (DIORAMA_ALLOW_SPACES) entry {entry!r} has a path; list only "
                                      f"scheme, host and port, e.g. {str(origin)!r}.")
                origins.add(origin)
            elif _OWNER.match(entry):
                owners.add(entry.lower())
            elif _SPACE.match(entry):
                spaces.add(entry.lower())
            else:
                raise ConfigError(f"spaces.allow (DIORAMA_ALLOW_SPACES) entry {entry!r} is not a Hub owner (\"you\"), "
                                  "a Space id (\"you/my-space\") or a URL origin (\"https://your-host.example/\").")
        return cls(tuple(kept), frozenset(owners), frozenset(spaces), frozenset(origins))

    @property
    def enabled(self) -> bool:
        return bool(self.entries)

    @property
    def has_hub_entries(self) -> bool:
        """True when a Hub owner or Space is listed (so the Hub is needed)."""
        return bool(self.owners or self.spaces)

    def check(self, source: str) -> str:
        """The Space id or normalised URL to connect to, if `source` is allowed.

        Args:
            source: a Hub Space id ("owner/name") or a URL ("https://your-host.example/app/").

        Raises:
            NotAllowedError: adding is off, or `source` is not on the allowlist.
            InvalidInputError: `source` is neither a Space id nor a usable URL.
        """
        if not self.enabled:
            raise NotAllowedError(ENABLE_HINT)
        allowed = ", ".join(repr(e) for e in self.entries)
        if source.lower().startswith("local:"):
            raise NotAllowedError(f"{source!r} is a bundled Space; those are set up in diorama.toml's [[tools]], "
                                  "not added at run time. Give a Hub Space id or a URL.")
        if source.lower().startswith(("http://", "https://")):
            try:
                origin, url = parse_url(source)
            except ValueError as exc:
                raise InvalidInputError(f"{source!r} is not a usable URL: {exc}. Give the root URL of a Gradio app, "
                                        "e.g. https://your-host.example/.") from exc
            if origin not in self.origins:
                raise NotAllowedError(f"{str(origin)!r} is not on this server's allowlist (allowed: {allowed}). "
                                      "Pick a Space from an allowed owner or URL, or ask the owner to add it to "
                                      "[spaces] allow in diorama.toml.")
            return url
        if _SPACE.match(source):
            if source.split("/", 1)[0].lower() in self.owners or source.lower() in self.spaces:
                return source
            raise NotAllowedError(f"Space {source!r} is not on this server's allowlist (allowed: {allowed}). Pick a "
                                  "Space from an allowed owner, or ask the owner to add its owner "
                                  f"{source.split('/', 1)[0]!r} to [spaces] allow in diorama.toml.")
        raise InvalidInputError(f"{source!r} is neither a Hub Space id (\"owner/name\") nor an http(s) URL; give one "
                                "of those, e.g. \"you/my-space\" or \"https://your-host.example/\".")

    def allows(self, source: str) -> bool:
        """`check` as a yes/no."""
        try:
            self.check(source)
        except InvalidInputError:
            return False
        return True


def add_space(registry: Registry, source: str, endpoint: str = "", *, name: str = "", allowlist: SpaceAllowlist,
              max_added: int, connect_timeout_s: float, token: str | None = None) -> list[dict[str, Any]]:
    """Connect to an allowlisted Gradio app and register its endpoint(s) as tools for the next runs.

    Args:
        registry: the runner's registry; the tools stay in it (memory only) for the server's life.
        source: a Hub Space id ("owner/name") or a URL ("https://your-host.example/").
        endpoint: one api name ("/generate"), or "" (also "*", "all") for every named endpoint.
        name: the tool's name, instead of the generated "<space>_<endpoint>" (one endpoint only).
        allowlist: what the owner allows.
        max_added: most tools that may be added at run time, in all.
        connect_timeout_s: deadline for connecting and reading the API, seconds.
        token: HF token; sent only to Hub Spaces named by id (`tools.spaces.SpaceSession`).

    Returns:
        One entry per tool added: name, space, endpoint, description, inputs, output_type.

    Raises:
        NotAllowedError: adding is off, or the Space is not allowlisted.
        InvalidInputError: a malformed value, no such endpoint, a name already taken, or too many tools.
        SpaceUnavailableError: unreachable, not a Gradio app, or no API.
    """
    from tools.tool_config import ToolConfig
    from tools.describe import describe

    source, endpoint, name = (_field(source, "Space"), _field(endpoint, "endpoint"), _field(name, "name"))
    if not source:
        raise InvalidInputError("Give a Space to add: a Hub id such as \"you/my-space\" or a URL.")
    target = allowlist.check(source)
    one = endpoint.lower() not in ALL_ENDPOINTS
    if one:
        endpoint = endpoint if endpoint.startswith("/") else "/" + endpoint
        if not _API_NAME.match(endpoint):
            raise InvalidInputError(f"Endpoint {endpoint!r} is not an api name; give one such as \"/generate\" (as on "
                                    "the Space's \"Use via API\" page), or leave it empty for all named endpoints.")
    if name and not one:
        raise InvalidInputError("A tool name can only be given with one endpoint; fill in the endpoint, or leave the "
                                "name empty to use the generated names.")
    if name:
        _check_name(name)
    if len(registry.added) >= max_added:
        raise InvalidInputError(_full(max_added))
    existing = {(p.space, p.endpoint): e.name for e in registry.entries for p in e.providers}
    if one and (target, endpoint) in existing:
        raise InvalidInputError(f"{target} {endpoint} is already a tool, {existing[target, endpoint]!r}; the agent "
                                "can call it in the next run.")
    try:
        described = describe(target, connect_timeout_s=connect_timeout_s, token=token)
    except SpaceUnavailableError as exc:
        raise SpaceUnavailableError(f"Cannot add {target}: {exc}", space=target) from exc
    named = {e["endpoint"]: e for e in described if "fn_index" not in e}
    if one and endpoint not in named:
        raise InvalidInputError(f"Endpoint {endpoint!r} not found on {target}; available: "
                                f"{', '.join(repr(e) for e in named) or 'none'}. Pick one of those, or leave the "
                                "endpoint empty for all of them.")
    if not named:
        raise InvalidInputError(f"{target} has no named endpoints (only old-style unnamed ones), so Diorama cannot "
                                "call it; pick another Space.")
    chosen = [named[endpoint]] if one else [e for api, e in named.items() if (target, api) not in existing]
    if not chosen:
        raise InvalidInputError(f"Every named endpoint of {target} is already a tool; the agent can call them in the "
                                "next run.")
    configs = []
    for entry in chosen:
        tool = name or entry["name"]
        _check_name(tool)
        configs.append(ToolConfig(name=tool, space=target, endpoint=entry["endpoint"], capability="other"))
    registry.add(tuple(configs), max_added=max_added)
    registry.forget_card(target)  # just described: its card (and revision) is read again, not kept from before
    logger.info("added %d tool(s) from %s at run time: %s", len(configs), target, ", ".join(c.name for c in configs))
    return [{"name": c.name, "space": target, "endpoint": c.endpoint, "description": e["description"],
             "inputs": e["inputs"], "output_type": e["output_type"]} for c, e in zip(configs, chosen)]


def _full(max_added: int) -> str:
    return (f"This server already has its limit of {max_added} added tools (spaces.max_added_tools). Restart it to "
            "clear them, or ask the owner to raise the limit or put the tools in diorama.toml's [[tools]].")


def _field(value: Any, what: str) -> str:
    text = "" if value is None else value
    if not isinstance(text, str):
        raise InvalidInputError(f"The {what} must be text, got {type(value).__name__}.")
    text = text.strip()
    if len(text) > _MAX_CHARS or any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        raise InvalidInputError(f"The {what} must be one line of at most {_MAX_CHARS} characters without control "
                                "characters.")
    return text


def _check_name(name: str) -> None:
    if not name.isidentifier() or not name.isascii() or len(name) > 64:
        raise InvalidInputError(f"Tool name {name!r} must be a Python identifier of at most 64 ASCII characters, "
                                "e.g. \"my_text_to_3d\".")
    if name in _RESERVED:
        raise InvalidInputError(f"Tool name {name!r} is reserved (a Python built-in or an agent tool); pick another, "
                                f"e.g. \"{name}_tool\".")
