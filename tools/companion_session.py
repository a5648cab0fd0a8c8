"""A `SpaceSession` for a bundled Space that starts it only when a call is about to be made.

Building a run's tools needs each endpoint's API and Gradio config; for a bundled
Space these are kept in the registry folder, keyed by its code identity, so a run
whose calls are all answered by the result cache starts no companion at all.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from tools.companions import Fleet
from tools.errors import CompanionStartError, SpaceUnavailableError
from tools.spaces import ClientPool, SpaceSession

logger = logging.getLogger(__name__)

__all__ = ["CompanionSession"]


class CompanionSession(SpaceSession):
    """Lazily started bundled Space `name` ("local:<name>"); see `SpaceSession` for the other arguments."""

    def __init__(self, name: str, fleet: Fleet, *, label: str, download_dir: Path, connect_timeout_s: float,
                 pool: ClientPool | None = None, siblings: tuple[str, ...] = ()) -> None:
        super().__init__(f"local:{name}", label=label, download_dir=download_dir,
                         connect_timeout_s=connect_timeout_s, token=None, pool=pool)
        self.name = name
        self.fleet = fleet
        self._described: dict[str, Any] | None = None
        self._siblings = siblings  # the run's other bundled Spaces: started alongside this one if it must start

    def address(self) -> str:
        """The companion's URL, starting it now if it is not running (and marking it used)."""
        if self._siblings and not self.fleet.in_use(self.name):
            self.fleet.prestart([s for s in self._siblings if s != self.name])
            self._siblings = ()
        return self.fleet.url(self.name)

    def api_info(self) -> dict[str, Any]:
        return self._description()["api"]

    def config(self) -> dict[str, Any]:
        return self._description()["config"]

    def _description(self) -> dict[str, Any]:
        """{"api": view_api dict, "config": Gradio config}, from the folder's copy or (once) the running Space."""
        if self._described is not None:
            return self._described
        path = self.fleet.home / "schemas" / f"{self.name}-{self.fleet.identity(self.name)}.json"
        try:
            self._described = json.loads(path.read_text(encoding="utf-8"))
            return self._described
        except (OSError, ValueError):
            pass  # not described yet for this code: ask the Space
        try:
            client = self.client()
        except CompanionStartError:
            raise
        except SpaceUnavailableError:  # just started on a loaded machine, its first answers can be slow: once more
            logger.info("bundled Space %s did not answer its first connection; trying once more", self.name)
            client = self.client()
        described = {"api": client.view_api(return_format="dict", print_info=False), "config": client.config or {}}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(described), encoding="utf-8")
            os.replace(temporary, path)
        except (OSError, TypeError, ValueError) as exc:  # only a speed-up: the next run asks again
            logger.info("could not keep the API of %s (%s)", self.name, exc)
        self._described = described
        return described
