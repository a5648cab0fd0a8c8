"""Find what a gallery request asks to build: a known place's landmarks or a list of objects.

The offline planner calls `subjects_from_request` to turn free text such as
"Build a 3D gallery of Paris landmarks" or "une galerie avec un phare rouge et un
chêne" into English prompts for the text-to-3D Space.

How a request is read:
  * Matching ignores case and accents ("Égypte" == "egypte"). Object prompts keep
    the request's case but drop accents, since the Space reads plain English.
  * The request is split on commas, ";", newlines, bullets or numbered lines,
    sentence ends and "and", "&", "plus", "as well as", "et", "y", "und". Filler at the
    start of each part ("build a 3D gallery of", "make me a little diorama of", "show
    me", "scene with", "une galerie avec", articles) is dropped.
  * What follows "but leave out", "without", "except", "no", "sans", "sauf", "à part"
    (and the like) is read the same way and left out of the items ("Paris gallery but
    leave out the Eiffel Tower" -> Paris minus the Eiffel Tower; `Subjects.excluded`).
  * A request opening with an everyday setting ("a desk with ...", "a museum room
    with ...", "une cuisine") is read as that scene (`agent.themes.SETTINGS`): the
    setting word is not an object; its anchor objects (the desk) come first, then the
    listed items, with bare words read for the setting ("lamp" at a desk -> "desk lamp");
    a setting with nothing listed gets its default objects.
  * A part naming an era or region ("ancient Rome", "medieval", "Japanese temples")
    becomes its landmarks and period objects (`agent.themes.THEMES`).
  * A part naming a landmark becomes its exact name ("the eiffel tower" -> "Eiffel
    Tower"). A part that is only known places plus generic words ("Paris landmarks",
    "monuments de Paris", "NYC skyline") becomes those places' landmarks. Anything
    else is an object prompt, translated word by word when the request is French
    ("phare rouge" -> "red lighthouse"); colour words stay with their object.
  * A count ("three red apples", "3 red apples") repeats the singular item, at most
    6 times; on a place it keeps that many landmarks ("5 Paris landmarks").
  * Items are deduplicated case-insensitively in order (repeats from a count are
    kept), cut to 80 characters and capped to `max_items`.

Nothing buildable (items=(), source "none"): the request is empty or only greetings;
or it opens with a question word ("what's the weather?") and not with a request
to build ("can you build ..."); or it is one phrase with no build word, article, count,
landmark, place or known object noun ("asdf qwerty"). Two or more parts always count
as a list, because the Space has a keyword fallback.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from agent.french import FR_ADJECTIVES as _FR_ADJECTIVES
from agent.french import FR_WORDS as _FR_WORDS
from agent.themes import EVERYDAY_NOUNS, SETTINGS, THEMES, Setting
from tools.errors import InvalidInputError

__all__ = ["Subjects", "known_places", "subjects_from_request"]

_MAX_COUNT = 6  # copies of one counted item ("100 trees" -> 6)
_MAX_CHARS = 80  # per prompt


@dataclass(frozen=True)
class Subjects:
    """What to build for one request.

    Attributes:
        title: gallery title, e.g. "Paris landmarks" or "Gallery".
        items: English prompts for the text-to-3D Space, in order.
        place: canonical name of the first known place asked for ("Paris", "World"), else None.
        source: "place" when every item came from places (or eras and regions), "single" for
            exactly one item otherwise, "list" for several, "none" when nothing is buildable.
        excluded: what the request said to leave out ("but leave out the Eiffel Tower"),
            as read (landmarks by their exact names), in order.
        setting: the era, region or everyday scene the request describes ("Ancient Rome",
            "Desk", "Museum room"), else None; a setting word is never an item.
    """

    title: str
    items: tuple[str, ...]
    place: str | None
    source: Literal["place", "list", "single", "none"]
    excluded: tuple[str, ...] = ()
    setting: str | None = None


# canonical place -> (aliases, folded lower case, "|"-separated; landmarks, exact names)
_PLACES: dict[str, tuple[str, tuple[str, ...]]] = {
    "Paris": ("paris|parigi|france|frankreich|francia",
              ("Eiffel Tower", "Louvre Pyramid", "Arc de Triomphe", "Notre-Dame de Paris", "Sacré-Cœur", "Panthéon",
               "Luxor Obelisk", "Moulin Rouge")),
    "London": ("london|londres|londra|londen|england|angleterre|uk|united kingdom|britain|great britain",
               ("Big Ben", "Tower Bridge", "London Eye", "The Shard")),
    "Rome": ("rome|roma|italy|italia|italie|italien", ("Colosseum", "Trajan's Column", "St. Peter's Basilica")),
    "New York": ("new york|new york city|nyc|nueva york|manhattan|usa|america|united states|etats unis",
                 ("Statue of Liberty", "Empire State Building", "Brooklyn Bridge")),
    "Egypt": ("egypt|egypte|egipto|egitto|agypten|aegypten|giza|gizeh|cairo|caire|kairo",
              ("Great Pyramid of Giza", "Great Sphinx of Giza")),
    "Tokyo": ("tokyo|tokio|japan|japon", ("Tokyo Tower", "Tokyo Skytree", "Senso-ji Pagoda")),
    "Pisa": ("pisa|pise", ("Leaning Tower of Pisa",)),
    "Agra": ("agra|india|inde|indien", ("Taj Mahal",)),
    "Sydney": ("sydney|australia|australie|australien", ("Sydney Opera House",)),
    "Dubai": ("dubai", ("Burj Khalifa",)),
    "Seattle": ("seattle", ("Space Needle",)),
    "Berlin": ("berlin|berlino|germany|allemagne|deutschland|alemania", ("Brandenburg Gate",)),
    "Athens": ("athens|athenes|athen|atenas|atene|athina|greece|grece|griechenland|grecia", ("Parthenon",)),
    "Moscow": ("moscow|moscou|moskau|moscu|mosca|moskva|russia|russie|russland|rusia", ("Saint Basil's Cathedral",)),
    "World": ("world|monde|mundo|welt|wonders|merveilles|maravillas",
              ("Eiffel Tower", "Big Ben", "Colosseum", "Statue of Liberty", "Great Pyramid of Giza", "Taj Mahal",
               "Sydney Opera House", "Leaning Tower of Pisa")),
}

# landmark -> aliases besides its own name
_LANDMARK_ALIASES: dict[str, str] = {
    "Eiffel Tower": "tour eiffel|eiffelturm|torre eiffel",
    "Louvre Pyramid": "louvre|pyramide du louvre",
    "Arc de Triomphe": "arch of triumph",
    "Notre-Dame de Paris": "notre dame",
    "Luxor Obelisk": "obelisk of luxor|obelisque de louxor",
    "The Shard": "shard",
    "Colosseum": "coliseum|colosseo|colisee|coliseo|kolosseum",
    "Trajan's Column": "trajan column|colonne trajane",
    "St. Peter's Basilica": "saint peter s basilica|st peter s|basilique saint pierre",
    "Statue of Liberty": "lady liberty|statue de la liberte|estatua de la libertad|freiheitsstatue",
    "Empire State Building": "empire state",
    "Brooklyn Bridge": "pont de brooklyn|puente de brooklyn",
    "Great Pyramid of Giza": "great pyramid|pyramid of giza|pyramids of giza|pyramides de gizeh|grande pyramide",
    "Great Sphinx of Giza": "sphinx",
    "Tokyo Skytree": "skytree",
    "Senso-ji Pagoda": "senso ji|sensoji",
    "Leaning Tower of Pisa": "leaning tower|tower of pisa|tour de pise|torre di pisa|torre de pisa",
    "Sydney Opera House": "opera house|opera de sydney",
    "Brandenburg Gate": "brandenburger tor|porte de brandebourg",
    "Saint Basil's Cathedral": "st basil s cathedral|saint basil s|st basil s|saint basile",
}

# words that may sit next to a place or landmark without naming anything else
_GENERIC = frozenset("""
a an the some of in from at around across its s all my our landmark landmarks monument monuments sight sights
skyline skylines famous iconic top best main major most greatest great biggest well known buildings building
architecture attraction attractions tourist city cityscape town capital wonder wonders seven 3d gallery scene diorama
de du des d l la le les en un une celebre celebres principaux principales grands grandes sites lieux batiments ville
galerie los las el del monumentos famosos little small tiny mini miniature nice cool beautiful pretty simple cute
petit petite petits petites joli jolie model models version antique ancient old era""".split())

_FR_DROP = frozenset("a au aux de du des d l la le les en un une et and".split())
# words that mark a request as French; table words that are also English ("statue", "tour") don't count
_FR_CUES = frozenset("un une des du le la les avec et galerie construis construisez construire cree creez fais faites "
                     "montre montrez je veux voudrais deux trois quatre cinq sept huit neuf dix".split()) | (
    frozenset(_FR_WORDS) | frozenset(_FR_ADJECTIVES)) - frozenset(
    "statue dome table arc tour or rose violet moto four bol lit tele foin commode armoire bonsai".split())
_COLOURS = frozenset("red blue green white black yellow gold silver pink purple grey gray brown orange".split()) | {
    k for k, v in _FR_ADJECTIVES.items() if v in {"red", "blue", "green", "white", "black", "yellow", "gold"}}
_NOUNS = frozenset(w for v in _FR_WORDS.values() for w in v.split()) | frozenset("""
windmill mill pine temple train robot dragon vase mug bottle book sword shield tent hut skyscraper bus bike truck tank
helicopter plane lantern sofa table banana kettle clock globe guitar piano crown gate farm""".split()) | EVERYDAY_NOUNS
_SIZE_WORDS = frozenset("tiny miniature mini small little large big huge giant tall short".split())
_NOISE = frozenset("hello hi hey thanks thank you ok okay yes no please help test bonjour salut merci hola hallo good "
                   "morning evening and et".split())
_NUMBERS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
_NUMBERS.update({"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
                 "dos": 2, "tres": 3, "zwei": 2, "drei": 3, "pair of": 2, "couple of": 2})

_BUILD = re.compile(r"\b(?:build|make|create|generate|render|models?|design|draw|produce|show|give|galler(?:y|ies)|"
                    r"scene|diorama|exhibition|museum|showcase|3d|construi\w*|cree\w*|fais|faites|faire|genere\w*|"
                    r"montre\w*|galerie|exposition|maquettes?)\b", re.I)
_ARTICLE = re.compile(r"\b(?:a|an|the|some|un|une|des|le|la|les|l'|du|ein|eine|einen|el|una)(?:\s|$|(?<='))", re.I)
_QUESTION = re.compile(r"\s*(?!(?:how|what)\s+about\b)(?:what|whats|who|when|where|why|how|which|is|are|do|does|did|"
                       r"can|could|would|will|should|qu|que|quel|quelle|quels|comment|pourquoi|quand|est)\b", re.I)
_FILLER = re.compile(r"""^(?:
    please|pls|kindly|hey|hi|hello|ok(?:ay)?|so|now|also|then|(?:how|what)\s+about|
    (?:can|could|would|will)\s+you|i\s+(?:want|need|would\s+like)|i'?d\s+like|let'?s|
    (?:build|make|create|generate|render|design|draw|produce|give|show)(?:\s+(?:me|us))?|
    construis|construisez|construire|cree[rz]?|fais|faites|faire|genere[rz]?|montre[rz]?(?:[\s-]moi)?|
    je\s+(?:veux|voudrais)|peux[\s-]tu|pourrais[\s-]tu|s'il\s+(?:te|vous)\s+plait|
    a|an|the|some|un|une|des|les|le|la|l'|du|de\s+la|de|d'|3d|3-d|
    (?:little|small|tiny|mini|miniature|nice|cool|beautiful|pretty|simple|quick|cute|low[\s-]?poly|
       petite?|jolie?|belle|beau)(?=\s+(?:3d\s+)?(?:gallery|galleries|scene|diorama|exhibition|exhibit|museum|
       collection|showcase|display|galerie|exposition|maquettes?|models?|version|world|tableau))|
    ein|eine|einen|der|die|das|el|los|las|unos?|unas?|
    (?:(?:gallery|galleries|scene|diorama|exhibition|exhibit|museum|collection|showcase|display|galerie|
       exposition|musee|3d\s+models?|models?|maquettes?)
     (?:\s+(?:of|with|containing|featuring|showing|including|de|des|du|d'|avec))?)|
    (?:set|group|bunch)\s+of|of|with|featuring|containing|including|avec|[:\-–—]
)(?:\s*[:\-–—]\s*|\s+|$|(?<='))""", re.I | re.X)
_TRAILER = re.compile(r"\s+(?:please|pls|thanks|thank\s+you|s'il\s+(?:te|vous)\s+plait|merci|in\s+3d)$", re.I)
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)]|\(\d+\))\s*", re.M)
_SEPARATOR = re.compile(r"\s*(?:[,;\n&]|[.!?](?:\s+|$)|\s(?:and|plus|as\s+well\s+as|along\s+with|et|y|und)\s)\s*",
                        re.I)
_WITH = re.compile(r"\s(?:with|avec|con|mit)\s", re.I)
# "but leave out X", "without X", "except X", "no X", "sans X", "sauf X", "à part X" (folded): X is left out
_EXCLUDE = re.compile(r"""(?:^|(?<=[\s,;(]))(?:(?:but|and|mais|et)\s+)?(?:please\s+)?(?:
    leave\s+out|leaving\s+out|leave\s+off|without|except(?:\s+for)?|excluding|exclude|minus|apart\s+from|
    other\s+than|not\s+including|skip(?:ping)?|not|no|sans|sauf|hormis|excepte|a\s+part|pas\s+de|pas\s+d'|
    en\s+retirant|retire[rz]?|enleve[rz]?)(?:\s+|(?<='))(?=\S)""", re.I | re.X)
_DANGLING = re.compile(r"[\s,;:]*\b(?:but|and|with|mais|et|avec|please)?[\s,;:]*$", re.I)
_SETTING_ALIASES = sorted(((a, st) for st in SETTINGS for a in st.aliases.split("|")), key=lambda p: -len(p[0]))
_SETTING = re.compile(r"""^(?:(?:cozy|cosy|little|small|tiny|nice|simple|typical|modern|old|big|large|messy|tidy|
    quiet|busy|my|our|your|a|an|the|petite?|jolie?|grande?|belle|beau)\s+)*
    (?P<alias>""" + "|".join(re.escape(a).replace("\\ ", r"\s+") for a, _ in _SETTING_ALIASES) + r""")
    (?:\s+(?:scene|setting|setup|set\s+up|corner|area|diorama|layout|space|interior))?
    (?:\s*$|\s*[:,;\-–—]\s*|\s+(?=(?:with|containing|featuring|including|that\s+has|having|where|full\s+of|
       filled\s+with|avec|contenant|comprenant|ou)\b))""", re.I | re.X)
_COUNT = re.compile(r"^(\d+|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)).replace(" ", r"\s+")
                    + r")\s+(.+)$", re.I)


def known_places() -> tuple[str, ...]:
    """Canonical names of the known places; "World" (one landmark from each of 8 places) is last."""
    return tuple(_PLACES)


def _fold(text: str) -> str:
    """Drop accents and ligatures, keep case: "Sacré-Cœur" -> "Sacre-Coeur"."""
    text = text.translate(str.maketrans({"’": "'", "‘": "'", "œ": "oe", "Œ": "Oe", "æ": "ae", "Æ": "Ae", "ß": "ss"}))
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[^\W_]+", text.lower()))


def _by_length(pairs: list[tuple[tuple[str, ...], str]]) -> list[tuple[tuple[str, ...], str]]:
    return sorted(pairs, key=lambda pair: -len(pair[0]))  # longest first: "new york city" beats "new york"


_LANDMARK_TABLE = _by_length([(_tokens(_fold(n)), n) for _, names in _PLACES.values() for n in names] + [
    (_tokens(a), n) for n, aliases in _LANDMARK_ALIASES.items() for a in aliases.split("|")])
_PLACE_TABLE = _by_length([(_tokens(a), p) for p, (aliases, _) in _PLACES.items() for a in aliases.split("|")])
_PLACE_WORDS = frozenset(t for alias, _ in _PLACE_TABLE for t in alias)
_THEME_TABLE = _by_length([(_tokens(a), i) for i, theme in enumerate(THEMES) for a in theme.aliases.split("|")])


def _find(tokens: tuple[str, ...], alias: tuple[str, ...]) -> int:
    """Index where `alias` starts in `tokens`, or -1."""
    n = len(alias)
    return next((i for i in range(len(tokens) - n + 1) if tokens[i:i + n] == alias), -1)


def _strip_filler(part: str) -> tuple[str, str]:
    """Split off leading filler: "a gallery of a red lighthouse" -> ("a gallery of a ", "red lighthouse")."""
    rest = part = part.strip()
    while (m := _FILLER.match(rest)) and m.end():
        rest = rest[m.end():].lstrip()
    return part[: len(part) - len(rest)], _TRAILER.sub("", rest.strip(" .!?;:,\"'()[]"))


def _colour_only(phrase: str) -> bool:
    return set(_tokens(phrase)) <= _COLOURS


def _split(text: str) -> list[tuple[str, str]]:
    """Split a folded request into (filler prefix, phrase) parts."""
    text = re.sub(r"\b(St|Ste|Mt|Dr)\.", r"\1", _BULLET.sub("", text), flags=re.I)
    raw = [p for p in _SEPARATOR.split(text) if p.strip()]
    if len(raw) > 1:  # "a farm with a barn and a cow": the head is an item too
        raw = [q for p in raw for q in _WITH.split(p, maxsplit=1)]
    elif raw and (head := _WITH.split(raw[0], maxsplit=1)) and len(head) == 2 and _is_collection(head[0]):
        raw = head  # "Paris with a red lighthouse", "a zen garden with a bonsai"; not "a house with a red roof"
    parts: list[tuple[str, str]] = []
    for prefix, phrase in map(_strip_filler, raw):  # "black and white cat", "phare rouge et blanc": one item
        if parts and parts[-1][1] and phrase and (_colour_only(parts[-1][1]) or _colour_only(phrase)):
            prefix, phrase = parts[-1][0], f"{parts.pop()[1]} and {phrase}"
        parts.append((prefix, phrase))
    return [(p, s) for p, s in parts if s]


def _is_collection(phrase: str) -> bool:
    """Whether a phrase names only places or eras ("Paris", "ancient Rome"), which stand for several items."""
    mentions = _read_part(*_strip_filler(phrase), french=False)
    return bool(mentions) and all(kind in ("place", "theme") for kind, *_ in mentions)


def _fr_key(word: str) -> str:
    """Table key for a French word, undoing plural and feminine endings: "rouges" -> "rouge"."""
    for cand in (word, word[:-1] if word[-1:] in "sx" else word, word[:-2] if word.endswith("es") else word):
        if cand in _FR_WORDS or cand in _FR_ADJECTIVES:
            return cand
    return word


def _translate(tokens: tuple[str, ...]) -> str:
    """French phrase to English prompt, adjectives first: ("phare", "rouge") -> "red lighthouse"."""
    keys = [_fr_key(t) for t in tokens]
    adjectives: list[str] = []
    nouns: list[str] = []
    i = 0
    while i < len(keys):
        n = next((n for n in (3, 2, 1) if i + n <= len(keys) and " ".join(keys[i:i + n]) in _FR_WORDS), 0)
        if n:
            nouns.append(_FR_WORDS[" ".join(keys[i:i + n])])
        elif keys[i] in _FR_ADJECTIVES:
            adjectives.append(_FR_ADJECTIVES[keys[i]])
        elif keys[i] not in _FR_DROP:
            nouns.append(keys[i])
        i += n or 1
    return " ".join(adjectives + nouns)


def _singular(phrase: str) -> str:
    """Last word from English plural to singular: "red apples" -> "red apple", "benches" -> "bench"."""
    head, _, last = phrase.rpartition(" ")
    low = last.lower()
    if low.endswith("ies") and len(low) > 4:
        last = last[:-3] + "y"
    elif re.search(r"(?:ches|shes|xes|zes|sses)$", low):
        last = last[:-2]
    elif low.endswith("s") and not re.search(r"(?:ss|us|is)$", low) and len(low) > 3:
        last = last[:-1]
    return f"{head} {last}".strip()


# kind, name (landmark, place, theme title or prompt), count (0: all of a place), whether it plainly names something
_Mention = tuple[Literal["place", "landmark", "theme", "object"], str, int, bool]
_THEMES = {theme.title: theme for theme in THEMES}


def _read_part(prefix: str, phrase: str, *, french: bool) -> list[_Mention]:
    """Read one part as an era or region, a landmark, one or more places, or an object prompt, with its count."""
    count, m = 1, _COUNT.match(phrase)
    if m:
        count = int(m[1]) if m[1].isdigit() else _NUMBERS[re.sub(r"\s+", " ", m[1].lower())]
        phrase = m[2] if french else _singular(m[2])
    tokens = _tokens(phrase)
    for alias, index in _THEME_TABLE:  # "ancient Rome" before the place "Rome"
        at = _find(tokens, alias)
        if at >= 0 and all(t in _GENERIC for t in tokens[:at] + tokens[at + len(alias):]):
            return [("theme", THEMES[index].title, count if m else 0, True)]
    for alias, name in _LANDMARK_TABLE:
        if (at := _find(tokens, alias)) >= 0:
            keep = [t for t in tokens if t not in _GENERIC and t not in _PLACE_WORDS]
            pre = [t for t in tokens[:at] if t in keep]
            post = [t for t in tokens[at + len(alias):] if t in keep]
            if french:  # "tour Eiffel rouge" -> "red Eiffel Tower"
                pre, post = [w for t in pre + post if (w := _translate((t,)))], []
            return [("landmark", " ".join([*pre, name, *post]), max(1, min(count, _MAX_COUNT)), True)]
    covered: set[int] = set()
    found: dict[str, int] = {}
    for alias, place in _PLACE_TABLE:
        span = set(range(at := _find(tokens, alias), at + len(alias)))
        if at >= 0 and not covered & span:
            covered |= span
            found[place] = min(at, found.get(place, at))
    if found and all(i in covered or t in _GENERIC for i, t in enumerate(tokens)):
        return [("place", p, count if m else 0, True) for p in sorted(found, key=found.__getitem__)]
    if not tokens or set(tokens) <= _NOISE | _GENERIC:
        return []
    text = _translate(tokens) if french else re.sub(r"\s+", " ", phrase)
    cue = bool(m or _ARTICLE.search(prefix) or _BUILD.search(prefix) or set(_tokens(text)) & _NOUNS)
    return [("object", text, max(1, min(count, _MAX_COUNT)), cue)]


def _take_setting(text: str) -> tuple[Setting | None, str]:
    """Find an everyday setting opening the request, past any filler.

    Returns:
        (the setting or None, the rest after it), e.g. "make me a desk with a laptop" -> (Desk, "with a laptop");
        without a setting: (None, text).
    """
    rest = text.strip()
    while True:
        if m := _SETTING.match(rest):
            alias = re.sub(r"\s+", " ", m["alias"].lower())
            setting = next(st for a, st in _SETTING_ALIASES if a == alias)
            return setting, rest[m.end():]
        filler = _FILLER.match(rest)
        if not filler or not filler.end():
            return None, text
        rest = rest[filler.end():].lstrip()


def _rewrite(item: str, setting: Setting | None) -> str:
    """What a bare word means in the setting: "red lamp" at a desk -> "red desk lamp"."""
    if setting is None:
        return item
    words = item.split()
    plain = [w for w in words if w.lower() not in _COLOURS and w.lower() not in _SIZE_WORDS]
    if len(plain) == 1 and plain[0].lower() in setting.rewrites:
        at = len(words) - 1 - [w.lower() for w in reversed(words)].index(plain[0].lower())
        words[at] = setting.rewrites[plain[0].lower()]
    return " ".join(words)


def _names(mentions: list[_Mention]) -> list[tuple[str, int]]:
    """(prompt, copies) for each thing the mentions stand for: a place's or a theme's items, or the mention itself."""
    entries: list[tuple[str, int]] = []
    for kind, name, count, _ in mentions:
        if kind == "place":
            entries += [(n, 1) for n in _PLACES[name][1][:count or None]]
        elif kind == "theme":
            entries += [(n, 1) for n in _THEMES[name].items[:count or None]]
        else:
            entries.append((name, count))
    return entries


def _excluded_by(item: str, excluded: list[str]) -> bool:
    """Whether `item` is one of the things left out: the same name, or every word of a left-out phrase
    ("lamp" leaves out "desk lamp"; "trees" leaves out "oak tree")."""
    words = {_singular(w) for w in _tokens(_fold(item))}
    for name in excluded:
        gone = {_singular(w) for w in _tokens(_fold(name))} - _GENERIC
        if item.casefold() == name.casefold() or (gone and gone <= words):
            return True
    return False


def subjects_from_request(request: str, *, max_items: int = 12) -> Subjects:
    """Work out what to build for a gallery request.

    Args:
        request: the user's text in English or French (place names also in Italian,
            Spanish and German), e.g. "Build a 3D gallery of Paris landmarks",
            "a desk with a laptop, a coffee mug and a lamp" or "Paris sans la tour Eiffel".
        max_items: most items returned, 1 or more.

    Returns:
        The gallery title, the English prompts in order, the place if one was asked
        for, how the items were found, what was left out and the setting. Ordinary
        text never raises; when nothing is buildable, items is () and source is "none".

    Raises:
        InvalidInputError: max_items is below 1.
    """
    if max_items < 1:
        raise InvalidInputError(f"max_items must be 1 or more, got {max_items!r}.")
    text = _fold(request or "").strip()
    french = any(t in _FR_CUES or _fr_key(t) in _FR_CUES for t in _tokens(text))
    cut = _EXCLUDE.search(text, 1)
    left_out_text = re.sub(r"\s(?:or|nor|ou|ni)\s", ", ", text[cut.end():], flags=re.I) if cut else ""
    text = _DANGLING.sub("", text[:cut.start()]) if cut else text
    setting, rest = _take_setting(text)
    parts = _split(rest) if setting else _split(text)
    asks_to_build = setting is not None or (bool(parts) and bool(_BUILD.search(parts[0][0])))
    if not (parts or setting) or (_QUESTION.match(text) and not asks_to_build):
        return Subjects("Gallery", (), None, "none")
    mentions = [mention for prefix, phrase in parts for mention in _read_part(prefix, phrase, french=french)]
    if len(mentions) == 1 and not mentions[0][3] and not _BUILD.search(text) and not setting:
        mentions = []  # one bare phrase that names nothing known, e.g. "asdf qwerty"
    excluded = list(dict.fromkeys(
        name for prefix, phrase in _split(left_out_text)
        for name, _ in _names(_read_part(prefix, phrase, french=french))))

    entries = _names(mentions)
    if setting:
        listed = [(_rewrite(name, setting), count) for name, count in entries]
        entries = [(a, 1) for a in setting.anchor] + listed if listed else [(d, 1) for d in setting.defaults]
    names: list[str] = []
    seen: set[str] = set()
    for item, copies in entries:
        item = item if len(item) <= _MAX_CHARS else item[:_MAX_CHARS].rsplit(" ", 1)[0] or item[:_MAX_CHARS]
        if _excluded_by(item, excluded):
            continue
        if item.casefold() not in seen or (setting and not mentions):  # a setting's defaults may repeat (chairs)
            seen.add(item.casefold())
            names.extend([item] * copies)
    items = tuple(names[:max_items])
    places = list(dict.fromkeys(name for kind, name, _, _ in mentions if kind == "place"))
    themes = list(dict.fromkeys(name for kind, name, _, _ in mentions if kind == "theme"))
    title = setting.title if setting else None
    place = places[0] if places else None
    if not items:
        return Subjects("Gallery", (), None, "none", tuple(excluded), title)
    if mentions and all(kind in ("place", "theme") for kind, *_ in mentions) and not setting:
        title = " and ".join(themes + [f"{' and '.join(places)} landmarks"] * bool(places))
        return Subjects(title, items, place, "place", tuple(excluded), " and ".join(themes) or None)
    title = title or " and ".join(themes) or None
    return Subjects(title or "Gallery", items, place, "single" if len(items) == 1 else "list", tuple(excluded), title)
