"""Unknown keys in a config file: a typo is an error with a suggestion, never silently ignored.

The loader (`agent.config.Settings.load`) reads the TOML through `Tracked` tables, which remember the keys it
asked for; whatever it never asked for is unknown. The known keys are therefore exactly the ones the loader
reads, with no second list to keep in step. A table the loader iterates (a fallback's `args`, a recipe
step's `inputs`) holds user-chosen names and counts as read whole.
"""

from __future__ import annotations

import difflib
from typing import Any, Iterator


class Tracked(dict):
    """A TOML table that records which of its keys were read; nested tables are tracked too."""

    def __init__(self, data: dict[str, Any], where: str = "") -> None:
        super().__init__({key: _track(value, f"{where}{key}.") for key, value in data.items()})
        self.where = where
        self.asked: set[str] = set()
        self.whole = False

    def get(self, key: Any, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: Any) -> Any:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: Any) -> bool:
        self.asked.add(key)
        return super().__contains__(key)

    def items(self):  # type: ignore[override]
        self.whole = True
        return super().items()

    def __iter__(self) -> Iterator[Any]:
        self.whole = True
        return super().__iter__()


def _track(value: Any, where: str) -> Any:
    if isinstance(value, dict):
        return Tracked(value, where)
    if isinstance(value, list):  # an array of tables: [[tools]] entries are named tools[1], tools[2]...
        return [_track(item, f"{where[:-1]}[{index + 1}].") for index, item in enumerate(value)]
    return value


def unknown_keys(table: Tracked) -> list[str]:
    """One line per key the loader never read, with the closest known key when one is close."""
    found = []
    if not table.whole:
        for key in dict.keys(table):
            if key in table.asked:
                continue
            close = difflib.get_close_matches(str(key), [str(k) for k in table.asked], n=1, cutoff=0.6)
            hint = f"; did you mean '{table.where}{close[0]}'?" if close else \
                f"; known keys here: {', '.join(sorted(map(str, table.asked))) or 'none'}"
            found.append(f"unknown key '{table.where}{key}'{hint}")
    if table.whole:
        return found  # user-chosen names all the way down
    for key, value in dict.items(table):
        if key not in table.asked:
            continue  # reported above; its contents are not looked at
        for child in (value if isinstance(value, list) else [value]):
            if isinstance(child, Tracked):
                found += unknown_keys(child)
    return found
