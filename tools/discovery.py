"""Which Spaces could serve a capability: the shipped catalog (catalog.toml), plus a Hub search when online.

Catalog entries are the vetted ones (endpoints tested here or written from the
Space's page). Hub search results are whatever the Hub lists for the
capability's search words, sorted by likes: marked "from Hub search, not
vetted", with likes and license when the Hub knows them. Nothing here connects
to a Space; adding one goes through the allowlist (`agent.runtime_spaces`).
"""

from __future__ import annotations

import logging
import sys
import tomllib
from pathlib import Path
from typing import Any, Callable, Protocol

from tools.describe import print_json
from tools.hub_probe import hub_reachable
from tools.errors import DioramaError, InvalidInputError

__all__ = ["CAPABILITIES", "HUB_NOTE", "OFFLINE_NOTE", "main", "suggest"]

logger = logging.getLogger(__name__)

CATALOG = Path(__file__).resolve().parent.parent / "catalog.toml"
CAPABILITIES = ("text_to_3d", "image_to_3d", "text_to_image", "scene_assembly")
# The Hub's `search` matches Space ids; these are the words such Spaces are usually named with.
_SEARCH = {"text_to_3d": "text-to-3d", "image_to_3d": "image-to-3d", "text_to_image": "text-to-image",
           "scene_assembly": "3d-scene"}
HUB_NOTE = "from Hub search, not vetted: check its API (--describe), license and terms before use"
OFFLINE_NOTE = "Hub search is off offline (HF_HUB_OFFLINE=1); showing the shipped catalog only."


class SpaceLister(Protocol):
    """The part of `huggingface_hub.HfApi` used here (tests pass a fake)."""

    def list_spaces(self, **kwargs: Any) -> Any: ...


def suggest(capability: str, *, api: SpaceLister | None = None, offline: bool | None = None, limit: int = 10,
            allowed: Callable[[str], bool] | None = None) -> dict[str, Any]:
    """Spaces for a capability: the catalog's, then (online) the Hub's most liked matches not already listed.

    Args:
        capability: "text_to_3d", "image_to_3d", "text_to_image" or "scene_assembly".
        api: what lists Hub Spaces; default `huggingface_hub.HfApi()` (anonymous: no token is sent).
        offline: skip the Hub search; default: huggingface_hub's offline mode (HF_HUB_OFFLINE).
        limit: most Hub results to ask for.
        allowed: says whether this server's allowlist lets a user add a Space (id or URL); None: unknown.

    Returns:
        {"capability", "note" (one line or None), "suggestions": [{space, source ("catalog" or "hub"), vetted,
        endpoints, license, likes, notes, addable}]}.

    Raises:
        InvalidInputError: an unknown capability.
    """
    if capability not in CAPABILITIES:
        raise InvalidInputError(f"Unknown capability {capability!r}; use one of {', '.join(CAPABILITIES)}.")
    suggestions = [_from_catalog(entry) for entry in _catalog().get(capability, [])]
    note = None
    if offline is None:
        from huggingface_hub import is_offline_mode

        offline = is_offline_mode()
    if offline:
        note = OFFLINE_NOTE
    else:
        known = {s["space"].lower() for s in suggestions}
        try:
            found = _hub_search(api, capability, limit)
        except Exception as exc:  # any Hub failure (network, HTTP, parsing) only drops the Hub part
            logger.warning("Hub search for %s failed: %s", capability, exc)
            note = f"Hub search failed ({str(exc)[:120] or type(exc).__name__}); showing the shipped catalog only."
            found = []
        suggestions += [s for s in found if s["space"].lower() not in known]
    for entry in suggestions:
        local = entry["space"].startswith("local:")
        entry["addable"] = False if local else (None if allowed is None else allowed(entry["space"]))
    return {"capability": capability, "note": note, "suggestions": suggestions}


def _catalog() -> dict[str, list[dict[str, Any]]]:
    return tomllib.loads(CATALOG.read_text(encoding="utf-8"))


def _from_catalog(entry: dict[str, Any]) -> dict[str, Any]:
    return {"space": entry["space"], "source": "catalog", "vetted": True, "endpoints": list(entry["endpoints"]),
            "license": entry.get("license"), "likes": None, "latency": entry.get("latency"),
            "verified": bool(entry.get("verified")), "notes": entry.get("notes", "")}


def _hub_search(api: SpaceLister | None, capability: str, limit: int) -> list[dict[str, Any]]:
    """The Hub's Gradio Spaces matching the capability's search words, most liked first."""
    if api is None:
        from huggingface_hub import HfApi

        if not hub_reachable():
            raise ConnectionError("the Hub does not answer")
        api = HfApi()
    infos = api.list_spaces(search=_SEARCH[capability], sort="likes", limit=limit,
                            expand=["likes", "sdk", "tags", "cardData", "disabled", "private"], token=False)
    found = []
    for info in infos:
        if getattr(info, "disabled", None) or getattr(info, "private", None):
            continue
        sdk = getattr(info, "sdk", None)
        if sdk is not None and sdk != "gradio":  # only Gradio apps can be called as tools
            continue
        found.append({"space": info.id, "source": "hub", "vetted": False, "endpoints": [],
                      "license": _license(info), "likes": getattr(info, "likes", None), "latency": None,
                      "verified": False, "notes": HUB_NOTE})
    return found


def _license(info: Any) -> str | None:
    card = getattr(info, "card_data", None)
    license_ = getattr(card, "license", None) if card is not None else None
    if license_:
        return str(license_)
    tags = getattr(info, "tags", None) or []
    return next((t.split(":", 1)[1] for t in tags if isinstance(t, str) and t.startswith("license:")), None)


def main(capability: str, *, allowed: Callable[[str], bool] | None = None) -> int:
    """`python app.py --suggest CAPABILITY`: print the suggestions as JSON and return 0, or one line and 1."""
    try:
        result = suggest(capability, allowed=allowed)
    except DioramaError as exc:
        print(f"diorama --suggest: {exc}", file=sys.stderr)
        return 1
    return print_json(result)
