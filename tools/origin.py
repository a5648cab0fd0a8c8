"""Where a Space lives: a URL's origin (scheme, host, port), its host for messages, or a Hub id. The standard
library only, so the settings can check Space names and an allowlist without importing the clients
(`tools.space_origin` uses these to keep them on one origin).
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import urllib.parse
from dataclasses import dataclass

__all__ = ["Origin", "host_of", "is_hub_id", "origin_of"]

_HUB_ID = re.compile(r"^[\w.-]+/[\w.-]+$")


@dataclass(frozen=True)
class Origin:
    """Where a URL connects: scheme ("http" or "https"), lower-case host (no brackets) and port."""

    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = {"http": 80, "https": 443}[self.scheme]
        return f"{self.scheme}://{host}" + ("" if self.port == default else f":{self.port}") + "/"


def origin_of(url: str) -> Origin:
    """The origin of an http(s) URL, default ports filled in, one spelling per IP address.

    Raises:
        ValueError: not an http(s) URL with a host, a user name or password before the host, or a port that is
            not a number.
    """
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        raise ValueError(f"not a plain http(s) URL: {url[:80]!r}")
    host = parts.hostname.lower()
    with contextlib.suppress(ValueError):
        host = str(ipaddress.ip_address(host))  # IPv6 in compressed form
    return Origin(scheme, host, parts.port or {"http": 80, "https": 443}[scheme])


def host_of(url: str) -> str:
    """The host (and port) of a URL, for messages: never its path or query, which may be signed."""
    return urllib.parse.urlsplit(url).netloc.rsplit("@", 1)[-1][:100] or url[:40]


def is_hub_id(source: str) -> bool:
    """True for "owner/name" Space ids, False for URLs and local names."""
    return bool(_HUB_ID.match(source)) and not source.startswith(("http:", "https:"))
