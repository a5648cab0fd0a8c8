"""How requests are read: a table of phrasings (English and French) -> items, exclusions and setting."""

from __future__ import annotations

import pytest

from agent.gazetteer import subjects_from_request
from agent.themes import SETTINGS, THEMES

PARIS = ("Eiffel Tower", "Louvre Pyramid", "Arc de Triomphe", "Notre-Dame de Paris", "Sacré-Cœur", "Panthéon",
         "Luxor Obelisk", "Moulin Rouge")
ROME_ERA = ("Colosseum", "Trajan's Column", "roman temple", "aqueduct", "triumphal arch", "amphora")
DESK = ("desk", "laptop", "coffee mug", "desk lamp")
MUSEUM = ("red lighthouse", "bonsai tree", "steam locomotive")


def _without(items: tuple[str, ...], *gone: str) -> tuple[str, ...]:
    return tuple(i for i in items if i not in gone)


# request -> (items, excluded, setting)
CASES = [
    # exclusions
    ("Paris gallery but leave out the Eiffel Tower", _without(PARIS, "Eiffel Tower"), ("Eiffel Tower",), None),
    ("Paris landmarks without the Eiffel Tower", _without(PARIS, "Eiffel Tower"), ("Eiffel Tower",), None),
    ("Paris, except the Louvre", _without(PARIS, "Louvre Pyramid"), ("Louvre Pyramid",), None),
    ("Paris except for the Louvre and Big Ben", _without(PARIS, "Louvre Pyramid"), ("Louvre Pyramid", "Big Ben"),
     None),
    ("Paris landmarks, no Moulin Rouge", _without(PARIS, "Moulin Rouge"), ("Moulin Rouge",), None),
    ("Build Paris but not the Panthéon or the Sacré-Cœur", _without(PARIS, "Panthéon", "Sacré-Cœur"),
     ("Panthéon", "Sacré-Cœur"), None),
    ("les monuments de Paris sans la tour Eiffel", _without(PARIS, "Eiffel Tower"), ("Eiffel Tower",), None),
    ("Paris sauf le Louvre", _without(PARIS, "Louvre Pyramid"), ("Louvre Pyramid",), None),
    ("Paris à part l'Arc de Triomphe", _without(PARIS, "Arc de Triomphe"), ("Arc de Triomphe",), None),
    ("a red lighthouse, an oak tree and a windmill without the windmill", ("red lighthouse", "oak tree"),
     ("windmill",), None),
    # eras and regions
    ("make me a little diorama of ancient Rome", ROME_ERA, (), "Ancient Rome"),
    ("ancient Rome without the aqueduct", _without(ROME_ERA, "aqueduct"), ("aqueduct",), "Ancient Rome"),
    ("a gallery of ancient Egypt", THEMES[1].items, (), "Ancient Egypt"),
    ("Ancient Greece", THEMES[2].items, (), "Ancient Greece"),
    ("a medieval village", THEMES[3].items, (), "Medieval"),
    ("Japanese temples", THEMES[4].items, (), "Japanese temples"),
    ("la Rome antique", ROME_ERA, (), "Ancient Rome"),
    ("une petite maquette du Moyen Âge", THEMES[3].items, (), "Medieval"),
    # everyday settings: the setting word is the setting, not an object
    ("a desk with a laptop, a coffee mug and a lamp", DESK, (), "Desk"),
    ("a desk scene with a laptop, a coffee mug and a lamp", DESK, (), "Desk"),
    ("Make me a little desk scene: a laptop, a coffee mug and a lamp", DESK, (), "Desk"),
    ("un bureau avec un ordinateur portable, une tasse à café et une lampe", DESK, (), "Desk"),
    ("a museum room with a red lighthouse, a bonsai tree and a steam locomotive", MUSEUM, (), "Museum room"),
    ("une salle de musée avec un phare rouge, un bonsaï et une locomotive à vapeur", MUSEUM, (), "Museum room"),
    ("a kitchen with a kettle and a toaster", ("kitchen counter", "kettle", "toaster"), (), "Kitchen"),
    ("a kitchen", SETTINGS[2].defaults, (), "Kitchen"),
    ("a kitchen without a toaster", _without(SETTINGS[2].defaults, "toaster"), ("toaster",), "Kitchen"),
    ("a cozy living room with a TV and a lamp", ("sofa", "TV", "floor lamp"), (), "Living room"),
    ("a playground", SETTINGS[10].defaults, (), "Playground"),
    ("a playground with a slide and two swings", ("slide", "swing set", "swing set"), (), "Playground"),
    ("a farm with a barn, a red tractor and three cows", ("barn", "red tractor", "cow", "cow", "cow"), (), "Farm"),
    ("une ferme avec une grange et une vache", ("barn", "cow"), (), "Farm"),
    ("une ferme sans cochon", _without(SETTINGS[11].defaults, "pig"), ("pig",), "Farm"),
    ("a park with a bench and a lamp", ("bench", "street lamp"), (), "Park"),
    ("a bedroom with a bed and a lamp", ("bed", "desk lamp"), (), "Bedroom"),
    # colour words stay with their object; filler is dropped
    ("a museum room with a red lighthouse", ("red lighthouse",), (), "Museum room"),
    ("make me a little gallery of a blue bus and a yellow duck", ("blue bus", "yellow duck"), (), None),
    ("une galerie avec un phare rouge et un chat noir", ("red lighthouse", "black cat"), (), None),
    ("a laptop", ("laptop",), (), None),
    ("bonsai", ("bonsai",), (), None),
    # a place or an era, then what to add to it
    ("Paris with a red lighthouse", PARIS + ("red lighthouse",), (), None),
    ("ancient Rome with a chariot", ROME_ERA + ("chariot",), (), "Ancient Rome"),
    ("a house with a red roof", ("house with a red roof",), (), None),
]


@pytest.mark.parametrize(("request_text", "items", "excluded", "setting"), CASES, ids=[c[0] for c in CASES])
def test_request_is_read_as_meant(request_text: str, items: tuple[str, ...], excluded: tuple[str, ...],
                                  setting: str | None) -> None:
    found = subjects_from_request(request_text)
    assert (found.items, found.excluded, found.setting) == (items, excluded, setting)


def test_the_setting_titles_the_gallery_and_the_place_stays_a_place() -> None:
    assert subjects_from_request("a museum room with a red lighthouse").title == "Museum room"
    paris = subjects_from_request("Paris gallery but leave out the Eiffel Tower")
    assert (paris.title, paris.place, paris.source) == ("Paris landmarks", "Paris", "place")
    rome = subjects_from_request("make me a little diorama of ancient Rome")
    assert (rome.title, rome.place, rome.source) == ("Ancient Rome", None, "place")


def test_leaving_everything_out_leaves_nothing_to_build() -> None:
    found = subjects_from_request("the Eiffel Tower without the Eiffel Tower")
    assert (found.items, found.source, found.excluded) == ((), "none", ("Eiffel Tower",))


@pytest.mark.parametrize("request_text", ["hello", "no thanks", "what's the weather?", "asdf qwerty"])
def test_small_talk_is_still_nothing(request_text: str) -> None:
    assert subjects_from_request(request_text).items == ()


def test_every_theme_and_setting_default_is_made_by_a_real_builder() -> None:
    """No era, region or setting falls back to a placeholder on the bundled text-to-3D Space."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "spaces" / "text_to_3d"))
    from t3d_generator import generate_glb

    prompts = {p for t in THEMES for p in t.items} | {p for s in SETTINGS for p in s.defaults + s.anchor}
    prompts |= {r for s in SETTINGS for r in s.rewrites.values()}
    stand_ins = sorted(p for p in prompts if generate_glb(p)[1]["placeholder"])
    assert stand_ins == []
