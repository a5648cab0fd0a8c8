"""The edit grammar: follow-ups to a scene ("remove the obelisk", "make the Eiffel Tower twice as big") read into edits.

English and French. `parse_edit` turns one instruction into a list of `Edit`s (clauses joined by "and",
"then", ";" or "puis"); `match_label` finds the scene object a phrase names (case, accents and articles
ignored, close spellings accepted). Anything the grammar cannot read raises `EditNotUnderstoodError`,
whose message lists what it can do.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from agent.gazetteer import subjects_from_request
from tools.errors import InvalidInputError

__all__ = ["COLOURS", "Edit", "EditKind", "EditNotUnderstoodError", "UnknownObjectError", "fold", "match_label",
           "parse_edit"]

EditKind = Literal["add", "remove", "swap", "resize", "move", "retitle", "layout", "spacing", "recolour"]
ALL = "*"  # target: every object
FOCUS = "@"  # target: "it", the object the previous edit touched

HELP = ("I can add ('add the Panthéon'), remove ('remove the obelisk'), swap ('replace the obelisk with the Statue "
        "of Liberty'), resize ('make the Eiffel Tower twice as big', 'smaller'), move ('put the Louvre Pyramid at "
        "the entrance', 'next to the Eiffel Tower'), retitle ('call it Paris at night'), re-lay out ('more space "
        "between them', 'in a circle', 'in a row') and recolour ('make the lighthouse blue'), in English or French.")

#: Colour words the bundled text-to-3D Space understands; French words map to English.
COLOURS = {c: c for c in ("red blue green white black yellow gold golden silver bronze copper orange pink purple "
                          "violet brown beige grey gray navy cyan turquoise teal lime crimson scarlet maroon").split()}
COLOURS.update({"rouge": "red", "bleu": "blue", "bleue": "blue", "vert": "green", "verte": "green", "blanc": "white",
                "blanche": "white", "noir": "black", "noire": "black", "jaune": "yellow", "or": "gold",
                "dore": "gold", "doree": "gold", "argent": "silver", "argente": "silver", "rose": "pink",
                "violette": "violet", "marron": "brown", "gris": "grey", "grise": "grey", "cuivre": "copper"})


class EditNotUnderstoodError(InvalidInputError):
    """A follow-up the edit grammar cannot read; the message says what it can do."""


class UnknownObjectError(InvalidInputError):
    """A follow-up naming an object that is not in the scene (or several equally well)."""


@dataclass(frozen=True)
class Edit:
    """One change to a scene.

    Attributes:
        kind: what to do.
        target: the object phrase as written ("the obelisk"), ALL ("*") or FOCUS ("@"); None when not needed.
        subject: the new object (add, swap) as a prompt, e.g. "Statue of Liberty".
        factor: resize: the height multiplier (2.0 twice as big); spacing: the walkway multiplier.
        where: move: "entrance", "back" or "next_to".
        anchor: move "next_to": the object phrase to stand beside.
        title: retitle: the new title.
        layout: "grid", "row" or "circle".
        colour: recolour: an English colour word.
    """

    kind: EditKind
    target: str | None = None
    subject: str | None = None
    factor: float | None = None
    where: str | None = None
    anchor: str | None = None
    title: str | None = None
    layout: str | None = None
    colour: str | None = None


def fold(text: str) -> str:
    """Lower case, accents off, one char per char ("Sacré-Cœur" -> "sacre-cœur"): spans match the original."""
    return "".join((unicodedata.normalize("NFKD", c)[:1] or c).lower() for c in text)


_ARTICLES = r"(?:the|a|an|some|le|la|les|l'|un|une|des|du|de\s+la|de\s+l'|d')"
_TARGET = r"(?P<t>.+?)"
_NUM_WORDS = {"twice": 2.0, "two": 2.0, "deux": 2.0, "three": 3.0, "trois": 3.0, "four": 4.0, "quatre": 4.0,
              "half": 0.5, "moitie": 0.5}
_BIG = r"(?:big|bigger|large|larger|tall|taller|high|higher|grand|grande|grands|grandes|haut|haute|gros|grosse)"
_SMALL = r"(?:small|smaller|little|tiny|short|shorter|petit|petite|petits|petites|bas|basse)"
_MAKE = r"(?:make|making|render|rends|rend|fais|fait|faire|mets|met|rendre)"
_TIMES = r"(?P<n>twice|two|three|four|half|deux|trois|quatre|\d+(?:[.,]\d+)?)(?:\s*(?:times|x|fois))?"
_NEXT = r"(?:next\s+to|beside|by|near|alongside|a\s+cote\s+d[eu']\s*|pres\s+d[eu']\s*|aupres\s+d[eu']\s*)"
_ENTRANCE = (r"(?:(?:at|to|by|near|in|a|au|pres\s+de|devant)\s+)?(?:the\s+|l'|le\s+)?(?:entrance|front|start|"
             r"beginning|entree|debut|devant)")
_BACK = r"(?:(?:at|to|in)\s+the\s+(?:back|end|rear)|au\s+fond|a\s+la\s+fin|derriere)"
_COLOUR = r"(?P<c>" + "|".join(sorted(COLOURS, key=len, reverse=True)) + r")"
_SPLIT = re.compile(r"\s*(?:;|,?\s+and\s+then\s+|,?\s+then\s+|,?\s+puis\s+|,?\s+et\s+ensuite\s+|,\s*and\s+|"
                    r"\s+and\s+|,\s*et\s+|\s+et\s+|,\s+)\s*")
_LEAD = re.compile(r"^(?:(?:now|also|please|ok|okay|and|alors|maintenant|aussi|stp|svp|s'il\s+te\s+plait|"
                   r"s'il\s+vous\s+plait|can\s+you|could\s+you|peux-tu|pourrais-tu)[\s,]+)+")
_TRAIL = re.compile(r"[\s,]*(?:please|too|as\s+well|also|aussi|stp|svp|s'il\s+te\s+plait|s'il\s+vous\s+plait|"
                    r"instead|plutot)?[\s.!]*$")

# (kind, pattern) in the order tried; each pattern is matched on the folded clause.
_RULES: list[tuple[str, re.Pattern[str]]] = [(k, re.compile(p)) for k, p in [
    ("layout", r"^(?:(?:arrange|put|place|lay\s+out|set\s+out|line\s+up|show|display|mets|met|dispose|disposer|"
               r"range|aligne|place)(?:-les)?\s+)?(?:them|everything|it\s+all|all|the\s+objects|les|tout|les\s+objets)?\s*"
               r"(?:in\s+(?:a\s+)?|into\s+(?:a\s+)?|as\s+a\s+|en\s+|in\s+)?(?P<l>circle|ring|round|cercle|rond|row|"
               r"line|ligne|rang|rangee|grid|grille)s?$"),
    ("spacing", r"^(?:(?:give|leave|put|add|mets|met|laisse|ajoute)\s+(?:them\s+)?)?(?P<m>more|less|plus\s+d'|moins\s+d')"
                r"\s*(?:space|room|gap|spacing|espace|place|ecart)(?:\s+(?:between|around|entre|autour).*)?$"),
    ("spacing", r"^(?:(?P<out>spread|space|ecarte|espace|eloigne)\s*(?:them|les|-les)?\s*(?:out|apart)?|"
                r"(?P<in>bring|move|push|rapproche|resserre)\s*(?:them|les|-les)?\s*(?:closer|together)?(?:\s+together)?)"
                r"(?:\s+(?:more|a\s+bit|plus|un\s+peu))?$"),
    ("retitle", r"^(?:(?:re)?title|rename|retitle|call|name|intitule|renomme|appelle|nomme)\s+(?:it|the\s+(?:gallery|"
                r"scene|show|exhibition)|la\s+(?:galerie|scene|expo)|-la|la)?\s*(?:to|as|en|comme)?\s*(?P<title>.+)$"),
    ("retitle", r"^(?:change|set|make)?\s*(?:the\s+)?(?:title|name)\s*(?:to|:|=|is|as)\s*(?P<title>.+)$"),
    ("retitle", r"^(?:change|mets|met)?\s*(?:le\s+)?(?:titre|nom)\s*(?:en|a|:|=|est)\s*(?P<title>.+)$"),
    ("swap", r"^(?:replace|swap|substitute|switch|exchange|change|remplace|remplacer|echange|echanger|change)\s+"
             + _TARGET + r"\s+(?:with|by|for|into|to|par|avec|contre|en)\s+(?P<s>.+)$"),
    ("swap", r"^(?:put|use|add|show|have|mets|met|utilise|ajoute)?\s*(?P<s>.+?)\s+(?:instead\s+of|in\s+place\s+of|"
             r"rather\s+than|a\s+la\s+place\s+d[eu']\s*|au\s+lieu\s+d[eu']\s*)" + r"\s*(?P<t>.+)$"),
    ("remove", r"^(?:remove|delete|drop|take\s+out|take\s+away|get\s+rid\s+of|leave\s+out|lose|hide|no\s+more|"
               r"without|enleve|enlever|enlevez|retire|retirer|retirez|supprime|supprimer|supprimez|ote|oter|otez|"
               r"sans|plus\s+de|vire)\s+" + _TARGET + r"$"),
    ("add", r"^(?:add|include|insert|put\s+in|bring\s+in|throw\s+in|ajoute|ajouter|ajoutez|rajoute|rajouter|"
            r"inclus|mets\s+aussi|met\s+aussi)\s+(?P<s>.+?)(?:\s+(?P<near>" + _NEXT + r")\s*(?P<a>.+)|\s+(?P<w>"
            + _ENTRANCE + r"))?$"),
    ("resize", r"^(?:" + _MAKE + r"\s+)?" + _TARGET + r"\s+" + _TIMES + r"\s+(?:as\s+|aussi\s+|plus\s+)?"
               r"(?P<dir>" + _BIG[3:-1] + "|" + _SMALL[3:-1] + r")(?:\s+as\s+(?:it\s+is|before|now))?$"),
    ("resize", r"^(?:" + _MAKE + r"\s+)?" + _TARGET + r"\s+(?P<much>much\s+|a\s+lot\s+|a\s+bit\s+|slightly\s+|"
               r"beaucoup\s+|un\s+peu\s+)?(?P<dir>" + _BIG[3:-1] + "|" + _SMALL[3:-1] + r")(?:\s+(?:er|than\s+\w+))?$"),
    ("resize", r"^(?:make\s+(?:it|them|everything)\s+|plus\s+|en\s+plus\s+)?(?P<much>much\s+|a\s+bit\s+)?"
               r"(?P<dir>bigger|larger|taller|smaller|tinier|shorter|grand|petit)$"),
    ("resize", r"^(?P<verb>scale|resize|grow|shrink|enlarge|double|halve|triple|agrandis|agrandir|agrandissez|"
               r"reduis|reduire|reduisez|rapetisse|rapetisser|double|grossis)\s+(?:the\s+size\s+of\s+|la\s+taille\s+"
               r"d[eu']\s*)?" + _TARGET + r"(?:\s+(?:by|to|x|de|par|a)\s+(?P<n>\d+(?:[.,]\d+)?)\s*(?:times|x|fois|"
               r"(?P<pct>%))?)?$"),
    ("recolour", r"^(?:make|paint|colou?r|turn|repaint|peins|peindre|colorie|mets|met|rends|rend|fais)\s+" + _TARGET
                 + r"\s+(?:in\s+|en\s+)?" + _COLOUR + r"$"),
    ("move", r"^(?:put|move|place|set|bring|stand|mets|met|place|deplace|deplacer|pose)\s+" + _TARGET + r"\s+"
             + _NEXT + r"\s*(?P<a>.+)$"),
    ("move", r"^(?:put|move|place|set|bring|stand|mets|met|place|deplace|deplacer|pose)\s+" + _TARGET + r"\s+"
             + r"(?P<w>" + _ENTRANCE + r"|" + _BACK + r"|first|last|en\s+premier|en\s+dernier)$"),
]]


def parse_edit(instruction: str) -> list[Edit]:
    """Read a follow-up into edits, in the order written.

    Args:
        instruction: e.g. "remove the obelisk and make the Eiffel Tower twice as big", or in French
            "remplace l'obélisque par la statue de la Liberté".

    Returns:
        One `Edit` per clause (a clause with no verb continues the previous add or remove: "add a lighthouse
        and a windmill").

    Raises:
        EditNotUnderstoodError: a clause the grammar cannot read; the message names it and lists what works.
    """
    text = re.sub(r"\s+", " ", (instruction or "").replace("’", "'")).strip().strip(".!")
    if not text:
        raise EditNotUnderstoodError("The follow-up is empty. " + HELP)
    edits: list[Edit] = []
    for clause in _clauses(text):
        edit = _read_clause(clause)
        if edit is None and edits and edits[-1].kind in ("add", "remove"):
            edit = _continue(edits[-1].kind, clause)
        if edit is None:
            raise EditNotUnderstoodError(f"I could not read {clause!r} as a change to the scene. {HELP}")
        edits.append(edit)
    return edits


def _clauses(text: str) -> list[str]:
    """Split on clause joiners, but not inside a swap's or a title's own words ("... with X and Y" stays whole)."""
    folded = fold(text)
    if re.match(r"^\W*(?:(?:re)?title|rename|call|name|intitule|renomme|appelle|nomme|change\s+the\s+title|"
                r"change\s+le\s+titre)\b", _LEAD.sub("", folded)):
        return [text]
    out, start = [], 0
    for m in _SPLIT.finditer(folded):
        if _protected(folded, m.start()):
            continue
        out.append(text[start:m.start()])
        start = m.end()
    out.append(text[start:])
    return [c.strip() for c in out if c.strip()]


def _protected(folded: str, at: int) -> bool:
    """A joiner inside a known name ("Arc de Triomphe and ..." is fine; "Notre-Dame de Paris" has none)."""
    return bool(re.search(r"(?:between|entre)\s+\S*$", folded[:at]))


def _strip(clause: str) -> tuple[str, str]:
    """(the clause without leading politeness or trailing "too"/"please", its folded form), spans aligned."""
    folded = fold(clause)
    lead = _LEAD.match(folded)
    start = lead.end() if lead else 0
    trail = _TRAIL.search(folded, start)
    end = trail.start() if trail else len(folded)
    return clause[start:end], folded[start:end]


def _read_clause(clause: str) -> Edit | None:
    original, folded = _strip(clause)
    for kind, pattern in _RULES:
        m = pattern.match(folded)
        if m is None:
            continue
        edit = _build(kind, m, original)
        if edit is not None:
            return edit
    return None


def _continue(kind: str, clause: str) -> Edit | None:
    original, folded = _strip(clause)
    if not folded or re.search(r"\b(?:make|put|move|replace|swap|call|rename|mets|remplace)\b", folded):
        return None
    return Edit("add", subject=_subject(original)) if kind == "add" else Edit("remove", target=_target(original))


def _span(m: re.Match[str], group: str, original: str) -> str:
    return original[m.start(group):m.end(group)].strip(" \"'“”«»")


def _build(kind: str, m: re.Match[str], original: str) -> Edit | None:
    groups = m.groupdict()
    if kind == "swap":
        return Edit("swap", target=_target(_span(m, "t", original)), subject=_subject(_span(m, "s", original)))
    if kind == "remove":
        return Edit("remove", target=_target(_span(m, "t", original)))
    if kind == "add":
        subject = _subject(_span(m, "s", original))
        if groups.get("a"):
            return Edit("add", subject=subject, where="next_to", anchor=_target(_span(m, "a", original)))
        return Edit("add", subject=subject, where="entrance" if groups.get("w") else None)
    if kind == "layout":
        word = groups["l"]
        layout = "circle" if word in ("circle", "ring", "round", "cercle", "rond") else \
            "grid" if word in ("grid", "grille") else "row"
        return Edit("layout", layout=layout)
    if kind == "spacing":
        less = (groups.get("m") or "").startswith(("less", "moins")) or bool(groups.get("in"))
        return Edit("spacing", factor=1 / 1.5 if less else 1.5)
    if kind == "retitle":
        title = _span(m, "title", original)
        return Edit("retitle", title=title) if title else None
    if kind == "resize":
        return _resize(m, original)
    if kind == "recolour":
        return Edit("recolour", target=_target(_span(m, "t", original)), colour=COLOURS[groups["c"]])
    if kind == "move":
        if groups.get("a"):
            return Edit("move", target=_target(_span(m, "t", original)), where="next_to",
                        anchor=_target(_span(m, "a", original)))
        word = groups["w"]
        where = "back" if re.search(r"back|end|rear|fond|fin|derriere|last|dernier", word) else "entrance"
        return Edit("move", target=_target(_span(m, "t", original)), where=where)
    return None


def _resize(m: re.Match[str], original: str) -> Edit | None:
    groups = m.groupdict()
    target = _target(_span(m, "t", original)) if groups.get("t") else FOCUS
    verb = groups.get("verb")
    number = groups.get("n")
    if verb:
        shrink = verb in ("shrink", "halve", "reduis", "reduire", "reduisez", "rapetisse", "rapetisser")
        factor = {"double": 2.0, "halve": 0.5, "triple": 3.0}.get(verb)
        if number:
            value = float(number.replace(",", "."))
            factor = value / 100 if groups.get("pct") else value
            factor = 1 / factor if shrink and factor > 1 else factor
        factor = factor or (2 / 3 if shrink else 1.5)
        return Edit("resize", target=target, factor=round(factor, 4))
    direction = groups.get("dir") or ""
    small = re.fullmatch(_SMALL, direction) is not None or direction in ("tinier", "petit")
    if number:
        n = _NUM_WORDS.get(number) or float(number.replace(",", "."))
        if n <= 0:
            return None
        factor = n if n < 1 and not small else (1 / n if small else n)
    else:
        much = (groups.get("much") or "").strip()
        step = 2.0 if much in ("much", "a lot", "beaucoup") else 1.25 if much in ("a bit", "slightly", "un peu") else 1.5
        factor = 1 / step if small else step
    return Edit("resize", target=target, factor=round(factor, 4))


def _target(phrase: str) -> str:
    folded = fold(phrase).strip()
    if folded in ("it", "that", "this", "this one", "that one", "le", "la", "l'", "-le", "-la", "lui", "celui-la",
                  "celle-la"):
        return FOCUS
    if folded in ("them", "everything", "all", "all of them", "every object", "everything else", "les", "tout",
                  "tous", "toutes", "tout le monde", "the objects", "the gallery", "the scene", "les objets"):
        return ALL
    return phrase.strip()


def _subject(phrase: str) -> str:
    """The new object's prompt: a known name in English ("la statue de la Liberté" -> "Statue of Liberty")."""
    phrase = re.sub(r"^(?:" + _ARTICLES + r")\s*", "", phrase.strip(), flags=re.I).strip()
    items = subjects_from_request(phrase, max_items=2).items
    return items[0] if len(items) == 1 else phrase


def _key(text: str) -> str:
    words = re.sub(r"[^a-z0-9œ]+", " ", fold(text).replace("œ", "oe")).split()
    articles = {"the", "a", "an", "le", "la", "les", "l", "un", "une", "des", "du", "de", "d"}
    while words and words[0] in articles:
        words = words[1:]
    return " ".join(words)


def match_label(phrase: str, labels: list[str]) -> str:
    """The scene label a phrase names: case, accents and articles ignored; a part of the name or a close spelling
    accepted; French names of known landmarks translated ("la tour Eiffel" -> "Eiffel Tower").

    Args:
        phrase: e.g. "the obelisk", "la tour eiffel", "Eifel tower".
        labels: the scene's labels.

    Returns:
        One of `labels`.

    Raises:
        UnknownObjectError: nothing matches, or several match equally; the message lists the scene's objects.
    """
    keys = {label: _key(label) for label in labels}
    wanted = [_key(phrase)]
    translated = subjects_from_request(phrase, max_items=2).items
    if len(translated) == 1 and _key(translated[0]) not in wanted:
        wanted.append(_key(translated[0]))
    for want in wanted:
        exact = [label for label, key in keys.items() if key == want]
        if len(exact) == 1:
            return exact[0]
    for want in wanted:
        words = set(want.split())
        partial = [label for label, key in keys.items() if want and (words <= set(key.split()) or
                                                                    set(key.split()) <= words)]
        if len(partial) == 1:
            return partial[0]
        if len(partial) > 1:
            raise UnknownObjectError(f"{phrase!r} could mean {' or '.join(repr(p) for p in partial)}; name one of "
                                     "them in full.")
    for want in wanted:
        close = difflib.get_close_matches(want, list(keys.values()), n=1, cutoff=0.75)
        if close:
            return next(label for label, key in keys.items() if key == close[0])
    raise UnknownObjectError(f"There is no {phrase!r} in this scene; its objects are: {', '.join(labels)}. "
                             "Name one of them, or 'add' a new one.")
