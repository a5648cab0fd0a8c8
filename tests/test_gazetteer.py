"""Tests for agent.gazetteer: what a request asks to build."""

from __future__ import annotations

import pytest

from agent import gazetteer
from agent.gazetteer import Subjects, known_places, subjects_from_request
from tools.errors import InvalidInputError

PARIS = ("Eiffel Tower", "Louvre Pyramid", "Arc de Triomphe", "Notre-Dame de Paris", "Sacré-Cœur", "Panthéon",
         "Luxor Obelisk", "Moulin Rouge")
LONDON = ("Big Ben", "Tower Bridge", "London Eye", "The Shard")
ROME = ("Colosseum", "Trajan's Column", "St. Peter's Basilica")
NEW_YORK = ("Statue of Liberty", "Empire State Building", "Brooklyn Bridge")
THREE = ("red lighthouse", "oak tree", "windmill")


def test_public_names_are_pinned() -> None:
    assert gazetteer.__all__ == ["Subjects", "known_places", "subjects_from_request"]


@pytest.mark.parametrize(
    ("request_text", "place", "items"),
    [
        ("Build a 3D gallery of Paris landmarks", "Paris", PARIS),
        ("paris", "Paris", PARIS),
        ("PARIGI", "Paris", PARIS),
        ("London", "London", LONDON),
        ("Show me Londres", "London", LONDON),
        ("Rome", "Rome", ROME),
        ("NYC skyline landmarks", "New York", NEW_YORK),
        ("a gallery of New York City's famous buildings", "New York", NEW_YORK),
        ("Construis une galerie 3D des monuments de Paris", "Paris", PARIS),
        ("monuments d'Égypte", "Egypt", ("Great Pyramid of Giza", "Great Sphinx of Giza")),
        ("Tokio", "Tokyo", ("Tokyo Tower", "Tokyo Skytree", "Senso-ji Pagoda")),
        ("Moscou", "Moscow", ("Saint Basil's Cathedral",)),
        ("Athènes", "Athens", ("Parthenon",)),
        ("5 Paris landmarks", "Paris", PARIS[:5]),
    ],
)
def test_known_place_gives_its_landmarks_in_order(request_text: str, place: str, items: tuple[str, ...]) -> None:
    assert subjects_from_request(request_text) == Subjects(f"{place} landmarks", items, place, "place")


def test_world_wonders_take_one_landmark_from_each_of_eight_places() -> None:
    result = subjects_from_request("famous landmarks of the world")
    assert (result.place, result.source, result.title) == ("World", "place", "World landmarks")
    assert len(result.items) == 8
    assert {"Eiffel Tower", "Big Ben", "Colosseum", "Statue of Liberty", "Taj Mahal"} <= set(result.items)
    assert subjects_from_request("world wonders") == result


def test_two_places_chain_their_landmarks() -> None:
    result = subjects_from_request("Paris and London")
    assert result == Subjects("Paris and London landmarks", PARIS + LONDON, "Paris", "place")


@pytest.mark.parametrize(
    ("request_text", "items", "source"),
    [
        ("a gallery of a red lighthouse, an oak tree and a windmill", THREE, "list"),
        ("galerie avec un phare rouge, un chêne et un moulin à vent", THREE, "list"),
        ("Crée une galerie avec un phare rouge, un chêne et un moulin à vent", THREE, "list"),
        ("1. a red lighthouse\n2. an oak tree\n3) a windmill", THREE, "list"),
        ("- red lighthouse\n* oak tree\n• windmill", THREE, "list"),
        ("red lighthouse; oak tree & windmill", THREE, "list"),
        ("Eiffel Tower, Big Ben and a red lighthouse", ("Eiffel Tower", "Big Ben", "red lighthouse"), "list"),
        ("a scene with a cat plus a dog", ("cat", "dog"), "list"),
        ("a farm with a barn and a cow", ("barn", "cow"), "list"),  # "farm" is the setting
        ("a black and white cat and a dog", ("black and white cat", "dog"), "list"),
        ("deux arbres verts et une maison bleue", ("green tree", "green tree", "blue house"), "list"),
        ("three red apples", ("red apple",) * 3, "list"),
        ("3 red apples", ("red apple",) * 3, "list"),
        ("Build a gallery of 100 trees", ("tree",) * 6, "list"),
        ("two benches and a bench", ("bench", "bench"), "list"),
        ("a windmill, a Windmill and the WINDMILL", ("windmill",), "single"),
        ("Paris landmarks and the Eiffel Tower", PARIS, "list"),
        ("a windmill", ("windmill",), "single"),
        ("windmill", ("windmill",), "single"),
        ("Can you build a windmill?", ("windmill",), "single"),
        ("Eiffel Tower", ("Eiffel Tower",), "single"),
        ("the eiffel tower in Paris", ("Eiffel Tower",), "single"),
        ("la tour Eiffel", ("Eiffel Tower",), "single"),
        ("Tokyo Tower", ("Tokyo Tower",), "single"),
        ("a house with a red roof", ("house with a red roof",), "single"),
    ],
)
def test_listed_items(request_text: str, items: tuple[str, ...], source: str) -> None:
    result = subjects_from_request(request_text)
    assert (result.items, result.source) == (items, source)


def test_list_with_a_place_keeps_the_place_and_is_a_list() -> None:
    result = subjects_from_request("Paris landmarks and a red lighthouse")
    assert result == Subjects("Gallery", PARIS + ("red lighthouse",), "Paris", "list")


@pytest.mark.parametrize(
    ("request_text", "max_items", "items"),
    [
        ("Build a 3D gallery of Paris landmarks", 3, PARIS[:3]),
        ("a cat, a dog, a cow, a horse", 2, ("cat", "dog")),
        ("six red apples", 4, ("red apple",) * 4),
        ("Paris", 1, PARIS[:1]),
    ],
)
def test_max_items_caps_the_items(request_text: str, max_items: int, items: tuple[str, ...]) -> None:
    assert subjects_from_request(request_text, max_items=max_items).items == items


def test_long_item_is_cut_at_a_word_under_80_characters() -> None:
    (item,) = subjects_from_request("a " + "very " * 30 + "long lighthouse").items
    assert len(item) <= 80 and item.startswith("very very") and not item.endswith(" ")


@pytest.mark.parametrize(
    "request_text",
    ["hello", "", "   ", "what's the weather?", "What landmarks are in Paris?", "how do I make pancakes?", "???",
     "asdf qwerty", "ok thanks", "and and and", "🙂"],
)
def test_nothing_buildable(request_text: str) -> None:
    assert subjects_from_request(request_text) == Subjects("Gallery", (), None, "none")


@pytest.mark.parametrize("max_items", [0, -3])
def test_max_items_below_one_is_rejected(max_items: int) -> None:
    with pytest.raises(InvalidInputError, match="max_items must be 1 or more"):
        subjects_from_request("Paris", max_items=max_items)


def test_known_places_lists_the_gazetteer() -> None:
    places = known_places()
    assert places[:3] == ("Paris", "London", "Rome") and places[-1] == "World"
    assert {"New York", "Egypt", "Tokyo", "Pisa", "Agra", "Sydney", "Dubai", "Seattle", "Berlin", "Athens",
            "Moscow"} <= set(places)
    for place in places:  # every place resolves to itself by its canonical name
        assert subjects_from_request(place).place == place
