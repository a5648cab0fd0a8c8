"""Find what a gallery request wants built: a known place's landmarks or a list of objects.

The offline planner calls `subjects_from_request` to turn free text such as
"Build a 3D gallery of Paris landmarks" or "une galerie avec un phare rouge et un
chêne" into English prompts for the text-to-3D Space.

How a request is read:
  * Matching ignores case and accents ("Égypte" == "egypte"). Object prompts keep
    the request's case but lose accents, since the Space reads plain English.
  * The request is split on commas, ";", newlines, bullets or numbered lines,
    sentence ends and "and", "&", "plus", "as well as", "et", "y", "und". Filler
    at the start of each part ("build a 3D gallery of", "show me", "scene with",
    "une galerie avec", articles) is dropped.
  * A part naming a landmark becomes its exact name ("the eiffel tower" ->
    "Eiffel Tower"). A part that is only a known place plus generic words
    ("Paris landmarks", "monuments de Paris", "NYC skyline") becomes that place's
    landmarks. Anything else is an object prompt, translated word by word when the
    request is French ("phare rouge" -> "red lighthouse").
  * A count ("three red apples", "3 red apples") repeats the singular item, at
    most 6 times; on a place it keeps that many landmarks ("5 Paris landmarks").
  * Items are deduplicated case-insensitively in order, cut to 80 characters and
    capped to `max_items`; repeats from a count are kept.

Nothing buildable (items=(), source "none"): the request is empty or only
greetings, or it is a question ("?" or a question word first) that does not
start by asking to build ("can you build ..."), or it is one phrase with no
build word, article, count, landmark, place or known object noun ("asdf qwerty").
Two or more parts always count as a list: the Space has a keyword fallback.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from tools.errors import InvalidInputError

__all__ = ["Subjects", "known_places", "subjects_from_request"]

_MAX_COUNT = 6
_MAX_CHARS = 80


@dataclass(frozen=True)
class Subjects:
    """What to build for one request.

    Attributes:
        title: gallery title, e.g. "Paris landmarks" or "Gallery".
        items: English prompts for the text-to-3D Space, in order.
        place: canonical name of the first known place the request asked for
            ("Paris", "World"), else None.
        source: "place" when every item came from places, "single" for exactly
            one item otherwise, "list" for several, "none" when nothing is buildable.
    """

    title: str
    items: tuple[str, ...]
    place: str | None
    source: Literal["place", "list", "single", "none"]


# canonical place -> (aliases, folded and lower-case; landmarks, exact names)
_PLACES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Paris": (("paris", "parigi", "france", "frankreich", "francia"),
              ("Eiffel Tower", "Louvre Pyramid", "Arc de Triomphe", "Notre-Dame de Paris",
               "Sacré-Cœur", "Panthéon", "Luxor Obelisk", "Moulin Rouge")),
    "London": (("london", "londres", "londra", "londen", "england", "angleterre", "uk",
                "united kingdom", "britain", "great britain"),
               ("Big Ben", "Tower Bridge", "London Eye", "The Shard")),
    "Rome": (("rome", "roma", "italy", "italia", "italie", "italien"),
             ("Colosseum", "Trajan's Column", "St. Peter's Basilica")),
    "New York": (("new york", "new york city", "nyc", "nueva york", "manhattan", "usa",
                  "america", "united states", "etats unis", "estados unidos"),
                 ("Statue of Liberty", "Empire State Building", "Brooklyn Bridge")),
    "Egypt": (("egypt", "egypte", "egipto", "egitto", "agypten", "aegypten", "giza", "gizeh",
               "cairo", "caire", "kairo"),
              ("Great Pyramid of Giza", "Great Sphinx of Giza")),
    "Tokyo": (("tokyo", "tokio", "japan", "japon"), ("Tokyo Tower", "Tokyo Skytree", "Senso-ji Pagoda")),
    "Pisa": (("pisa", "pise"), ("Leaning Tower of Pisa",)),
    "Agra": (("agra", "india", "inde", "indien"), ("Taj Mahal",)),
    "Sydney": (("sydney", "australia", "australie", "australien"), ("Sydney Opera House",)),
    "Dubai": (("dubai",), ("Burj Khalifa",)),
    "Seattle": (("seattle",), ("Space Needle",)),
    "Berlin": (("berlin", "berlino", "germany", "allemagne", "deutschland", "alemania"), ("Brandenburg Gate",)),
    "Athens": (("athens", "athenes", "athen", "atenas", "atene", "athina", "greece", "grece", "griechenland",
                "grecia"), ("Parthenon",)),
    "Moscow": (("moscow", "moscou", "moskau", "moscu", "mosca", "moskva", "russia", "russie", "russland",
                "rusia"), ("Saint Basil's Cathedral",)),
    "World": (("world", "monde", "mundo", "welt", "wonders", "merveilles", "maravillas"),
              ("Eiffel Tower", "Big Ben", "Colosseum", "Statue of Liberty", "Great Pyramid of Giza",
               "Taj Mahal", "Sydney Opera House", "Leaning Tower of Pisa")),
}

# landmark -> extra aliases; its own folded name is always an alias too
_LANDMARK_ALIASES: dict[str, tuple[str, ...]] = {
    "Eiffel Tower": ("tour eiffel", "eiffelturm", "torre eiffel"),
    "Louvre Pyramid": ("louvre", "pyramide du louvre"),
    "Arc de Triomphe": ("arch of triumph",),
    "Notre-Dame de Paris": ("notre dame",),
    "Sacré-Cœur": ("sacre coeur",),
    "Panthéon": (),
    "Luxor Obelisk": ("obelisk of luxor", "obelisque de louxor", "luxor obelisk"),
    "Moulin Rouge": (),
    "Big Ben": (), "Tower Bridge": (), "London Eye": (), "The Shard": ("shard",),
    "Colosseum": ("coliseum", "colosseo", "colisee", "coliseo", "kolosseum"),
    "Trajan's Column": ("trajan column", "colonne trajane"),
    "St. Peter's Basilica": ("saint peter s basilica", "st peter s", "basilique saint pierre"),
    "Statue of Liberty": ("lady liberty", "statue de la liberte", "estatua de la libertad", "freiheitsstatue"),
    "Empire State Building": ("empire state",),
    "Brooklyn Bridge": ("pont de brooklyn", "puente de brooklyn"),
    "Great Pyramid of Giza": ("great pyramid", "pyramid of giza", "pyramids of giza", "pyramides de gizeh",
                              "grande pyramide"),
    "Great Sphinx of Giza": ("sphinx",),
    "Tokyo Tower": (), "Tokyo Skytree": ("skytree",), "Senso-ji Pagoda": ("senso ji", "sensoji"),
    "Leaning Tower of Pisa": ("leaning tower", "tower of pisa", "tour de pise", "torre di pisa", "torre de pisa"),
    "Taj Mahal": (), "Sydney Opera House": ("opera house", "opera de sydney"), "Burj Khalifa": (),
    "Space Needle": (), "Brandenburg Gate": ("brandenburger tor", "porte de brandebourg"), "Parthenon": (),
    "Saint Basil's Cathedral": ("st basil s cathedral", "saint basil s", "st basil s", "saint basile"),
}

# words that may sit next to a place or landmark without asking for anything else
_GENERIC = frozenset("""
a an the some of in from at around across its s all my our
landmark landmarks monument monuments sight sights skyline skylines famous iconic top best main major
most greatest great biggest well known buildings building architecture attraction attractions tourist
city cityscape town capital wonder wonders seven
de du des d l la le les en un une celebre celebres principaux principales grands grandes sites lieux
batiments ville los las el del monumentos famosos 3d gallery galerie scene diorama
""".split())

_FR_WORDS: dict[str, str] = {
    "phare": "lighthouse", "chene": "oak tree", "arbre": "tree", "moulin a vent": "windmill",
    "moulin": "windmill", "maison": "house", "tour": "tower", "pont": "bridge", "statue": "statue",
    "chateau": "castle", "eglise": "church", "pyramide": "pyramid", "dome": "dome", "arc": "arch",
    "bateau": "boat", "voiture": "car", "fontaine": "fountain", "cathedrale": "cathedral",
    "obelisque": "obelisk", "colonne": "column", "sapin": "fir tree", "palmier": "palm tree",
    "fleur": "flower", "pomme": "apple", "chaise": "chair", "lampe": "lamp", "chat": "cat",
    "chien": "dog", "cheval": "horse", "vache": "cow", "grange": "barn", "montagne": "mountain",
    "rocher": "rock", "banc": "bench", "avion": "airplane", "fusee": "rocket", "navire": "ship",
    "velo": "bicycle", "gratte ciel": "skyscraper", "cabane": "cabin", "theiere": "teapot", "tasse": "cup",
}
_FR_ADJECTIVES: dict[str, str] = {
    "rouge": "red", "bleu": "blue", "bleue": "blue", "vert": "green", "verte": "green", "blanc": "white",
    "blanche": "white", "noir": "black", "noire": "black", "jaune": "yellow", "dore": "gold", "doree": "gold",
    "or": "gold", "argent": "silver", "argente": "silver", "rose": "pink", "violet": "purple",
    "violette": "purple", "gris": "grey", "grise": "grey", "marron": "brown", "brun": "brown",
    "brune": "brown", "grand": "big", "grande": "big", "petit": "small", "petite": "small", "vieux": "old",
    "vieille": "old", "haut": "tall", "haute": "tall", "pierre": "stone", "bois": "wooden", "verre": "glass",
    "ancien": "ancient", "ancienne": "ancient", "moderne": "modern",
}
_FR_DROP = frozenset("a au aux de du des d l la le les en un une".split())
_FR_CUES = frozenset("un une des du avec et galerie construis construisez construire cree creez fais faites "
                     "montre montrez je veux voudrais".split())
_COLOURS = frozenset("red blue green white black yellow gold silver pink purple grey gray brown orange".split()) | {
    k for k, v in _FR_ADJECTIVES.items() if v in {"red", "blue", "green", "white", "black", "yellow", "gold"}}
_NOUNS = frozenset(w for v in _FR_WORDS.values() for w in v.split()) | frozenset("""
windmill mill pine oak palm temple train ship robot dragon vase mug bottle book sword shield tent hut cabin
skyscraper bus bicycle bike truck tank helicopter plane rocket lantern chair sofa tree house tower castle
apple banana car boat bridge statue fountain church lighthouse pyramid dome arch barn farm bench lamp cat
dog horse cow flower rock mountain teapot cup kettle clock globe guitar piano crown gate column obelisk
""".split())
_NOISE = frozenset("""hello hi hey thanks thank you ok okay yes no please help test bonjour salut merci
hola hallo good morning evening""".split())

_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_NUMBERS.update({"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
                 "neuf": 9, "dix": 10, "dos": 2, "tres": 3, "zwei": 2, "drei": 3, "pair of": 2, "couple of": 2})

_BUILD_WORDS = (r"build|make|create|generate|render|model|models|design|draw|produce|show|give|gallery|galleries|"
                r"scene|diorama|exhibition|museum|showcase|3d|construis\w*|construire|cree\w*|fais|faites|faire|"
                r"genere\w*|montre\w*|galerie|exposition|maquettes?")
_BUILD = re.compile(rf"\b(?:{_BUILD_WORDS})\b", re.I)
_ARTICLE = re.compile(r"\b(?:a|an|the|some|un|une|des|le|la|les|l'|du)(?:\s|$|(?<='))", re.I)
_QUESTION = re.compile(r"\s*(?:what|whats|who|when|where|why|how|which|is|are|do|does|did|can|could|would|"
                       r"will|should|qu|que|quel|quelle|quels|comment|pourquoi|quand|est)\b", re.I)
_FILLER = re.compile(r"""^(?:
    please|pls|kindly|hey|hi|hello|ok(?:ay)?|so|now|also|then|
    (?:can|could|would|will)\s+you|i\s+(?:want|need|would\s+like)|i'?d\s+like|let'?s|
    (?:build|make|create|generate|render|design|draw|produce|give|show)(?:\s+(?:me|us))?|
    construis|construisez|construire|cree[rz]?|fais|faites|faire|genere[rz]?|montre[rz]?(?:[\s-]moi)?|
    je\s+(?:veux|voudrais)|peux[\s-]tu|pourrais[\s-]tu|s'il\s+(?:te|vous)\s+plait|
    a|an|the|some|un|une|des|les|le|la|l'|du|de\s+la|de|d'|3d|3-d|
    (?:(?:gallery|galleries|scene|diorama|exhibition|exhibit|museum|collection|showcase|display|galerie|
       exposition|musee|3d\s+models?|models?|maquettes?)
     (?:\s+(?:of|with|containing|featuring|showing|including|de|des|du|d'|avec))?)|
    (?:set|group|bunch|collection)\s+of|of|with|featuring|containing|including|avec|[:\-–—]
)(?:\s+|$|(?<=')|(?<=[:\-–—]))""", re.I | re.X)
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)]|\(\d+\))\s*", re.M)
_SEPARATOR = re.compile(r"\s*(?:[,;\n]|[.!?](?:\s+|$)|&|\s(?:and|plus|as\s+well\s+as|along\s+with|et|y|und)\s)\s*",
                        re.I)
_WITH = re.compile(r"\s(?:with|avec|con|mit)\s", re.I)
_COUNT = re.compile(r"^(\d+|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)).replace(" ", r"\s+")
                    + r")\s+(.+)$", re.I)


def known_places() -> tuple[str, ...]:
    """Canonical names of the places the gazetteer knows, "World" last (one landmark each from 8 places)."""
    return tuple(_PLACES)


def _fold(text: str) -> str:
    """Strip accents and ligatures, keep case: "Sacré-Cœur" -> "Sacre-Coeur"."""
    text = text.translate(str.maketrans({"’": "'", "‘": "'", "œ": "oe", "Œ": "Oe", "æ": "ae", "Æ": "Ae", "ß": "ss"}))
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[^\W_]+", text.lower()))


_ALIAS_TABLE: list[tuple[tuple[str, ...], str]] = sorted(
    [(_tokens(_fold(n)), n) for n in _LANDMARK_ALIASES]
    + [(_tokens(a), n) for n, extra in _LANDMARK_ALIASES.items() for a in extra],
    key=lambda pair: -len(pair[0]))
_PLACE_TABLE: list[tuple[tuple[str, ...], str]] = sorted(
    [(_tokens(a), p) for p, (aliases, _) in _PLACES.items() for a in aliases], key=lambda pair: -len(pair[0]))
_PLACE_WORDS = frozenset(t for toks, _ in _PLACE_TABLE for t in toks)


def _find(tokens: tuple[str, ...], alias: tuple[str, ...]) -> int:
    """Index where `alias` starts in `tokens`, or -1."""
    n = len(alias)
    return next((i for i in range(len(tokens) - n + 1) if tokens[i:i + n] == alias), -1)


def _strip_filler(part: str) -> tuple[str, str]:
    """Split leading filler from a part: "a gallery of a red lighthouse" -> ("a gallery of a ", "red lighthouse")."""
    rest = part.strip()
    while (m := _FILLER.match(rest)) and m.end():
        rest = rest[m.end():].lstrip()
    return part.strip()[: len(part.strip()) - len(rest)], rest.strip(" .!?;:,\"'()[]")


def _split(text: str) -> list[tuple[str, str]]:
    """Split a folded request into (filler prefix, phrase) parts."""
    text = re.sub(r"\b(St|Ste|Mt|Dr)\.", r"\1", _BULLET.sub("", text), flags=re.I)
    raw = [p for p in _SEPARATOR.split(text) if p.strip()]
    if len(raw) > 1:  # "a farm with a barn and a cow": the head is an item too
        raw = [q for p in raw for q in _WITH.split(p, maxsplit=1)]
    parts = [_strip_filler(p) for p in raw]
    merged: list[tuple[str, str]] = []
    for prefix, phrase in parts:
        if merged and merged[-1][1] and set(_tokens(merged[-1][1])) <= _COLOURS:  # "black and white cat"
            prefix, phrase = merged.pop()[0], f"{merged[-1][1] if False else parts_join(merged, phrase)}"
        merged.append((prefix, phrase))
    return [(p, s) for p, s in merged if s]


def parts_join(merged: list[tuple[str, str]], phrase: str) -> str:
    raise NotImplementedError
