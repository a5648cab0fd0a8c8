"""Every keyword object the Space can build, gathered from the builder modules, with a check that kinds are unique."""

from __future__ import annotations

import t3d_animals
import t3d_electronics
import t3d_furniture
import t3d_heritage
import t3d_outdoor
import t3d_plants
import t3d_room
import t3d_tableware
import t3d_vehicles
from t3d_objects import OBJECTS
from t3d_shapes import Entry

#: Everyday objects added beside the original keyword objects, by module (furniture, tableware, ...).
EVERYDAY: tuple[Entry, ...] = (*t3d_furniture.ENTRIES, *t3d_tableware.ENTRIES, *t3d_electronics.ENTRIES,
                               *t3d_vehicles.ENTRIES, *t3d_plants.ENTRIES, *t3d_animals.ENTRIES,
                               *t3d_outdoor.ENTRIES, *t3d_heritage.ENTRIES, *t3d_room.ENTRIES)
KEYWORD_OBJECTS: tuple[Entry, ...] = (*OBJECTS, *EVERYDAY)

_kinds = [e.kind for e in KEYWORD_OBJECTS]
if len(set(_kinds)) != len(_kinds):  # a duplicate kind would make node names ambiguous
    raise RuntimeError(f"duplicate keyword kinds: {sorted({k for k in _kinds if _kinds.count(k) > 1})}")

__all__ = ["EVERYDAY", "KEYWORD_OBJECTS"]
