"""A Space's card (title, short description, license): for tool descriptions and each asset's license.

Bundled Spaces carry it in their README front matter (read with huggingface_hub's card parser); Hub Spaces, when online,
through `huggingface_hub.HfApi.space_info`; URL Spaces have none. A card that
cannot be read is simply absent: it never stops a tool from loading.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from tools.hub_probe import hub_reachable

logger = logging.getLogger(__name__)

SPACES_DIR = Path(__file__).resolve().parent.parent / "spaces"


@dataclass(frozen=True)
class SpaceCard:
    """What a Space says about itself; any field may be missing."""

    title: str | None = None
    short_description: str | None = None
    license: str | None = None
    revision: str | None = None  # the Space's commit (Hub) or a hash of its code (bundled): part of cache keys

    def sentence(self) -> str:
        """One sentence for a tool description, e.g. "Space card: 'Diorama Text to 3D', Text to GLB (license apache-2.0)."."""
        parts = [f"'{self.title}'" if self.title else None, self.short_description]
        text = ", ".join(p for p in parts if p)
        if self.license:
            text = f"{text} (license {self.license})" if text else f"license {self.license}"
        return f"Space card: {text}." if text else ""


class _SpaceInfoApi(Protocol):
    def space_info(self, repo_id: str, *, timeout: float | None = ..., expand: Any = ...,
                   token: Any = ...) -> Any: ...


def local_card(name: str, spaces_dir: Path = SPACES_DIR) -> SpaceCard | None:
    """The card of the bundled Space `spaces/<name>`, read from its README's front matter with
    `huggingface_hub.SpaceCard` (the Hub's own parser, so a card reads here as it will on the Hub)."""
    from huggingface_hub import SpaceCard as HubSpaceCard

    readme = spaces_dir / name / "README.md"
    if not readme.is_file():  # checked first: given a missing path, the Hub's loader would try to download it
        return None
    try:
        fields = HubSpaceCard.load(readme, repo_type="space").data.to_dict()
    except (OSError, ValueError, yaml.YAMLError) as exc:  # unreadable, or front matter that is not YAML: no card
        logger.info("no card for bundled Space %s: %s", name, exc)
        return None
    return _card({k: str(v) for k, v in fields.items() if isinstance(v, (str, int, float))},
                 revision=_code_hash(spaces_dir / name))


def _code_hash(folder: Path) -> str:
    """A short hash of a bundled Space's code and requirements: it changes when the Space's behaviour may."""
    digest = hashlib.sha256()
    for path in sorted([*folder.glob("*.py"), *folder.glob("requirements.txt")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return "code-" + digest.hexdigest()[:16]


def hub_card(space_id: str, *, token: str | None = None, timeout_s: float = 10.0,
             api: _SpaceInfoApi | None = None) -> SpaceCard | None:
    """The card of a Hub Space (`HfApi.space_info`), or None offline or when the Hub does not answer."""
    if api is None:
        from huggingface_hub import HfApi, constants

        if constants.HF_HUB_OFFLINE or not hub_reachable():
            return None
        api = HfApi()
    try:
        info = api.space_info(space_id, timeout=timeout_s, expand=["cardData", "sha"], token=token or False)
    except Exception as exc:  # the card only decorates a description: no card is a fine outcome
        logger.info("no Space card for %s: %s", space_id, type(exc).__name__)
        return None
    card = getattr(info, "card_data", None)
    fields = (card.to_dict() if hasattr(card, "to_dict") else dict(card)) if card is not None else {}
    return _card({k: str(v) for k, v in fields.items() if isinstance(v, (str, int, float))},
                 revision=getattr(info, "sha", None))


def _card(fields: dict[str, str], *, revision: str | None = None) -> SpaceCard | None:
    card = SpaceCard(title=fields.get("title") or None, short_description=fields.get("short_description") or None,
                     license=fields.get("license") or None, revision=revision or None)
    return card if (card.title or card.short_description or card.license or card.revision) else None
