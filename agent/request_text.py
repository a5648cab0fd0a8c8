"""The rules every request, follow-up and free-text argument meets before anything is started."""

from __future__ import annotations

import unicodedata
from typing import Any

from agent.config import Settings
from tools.errors import InvalidInputError

_ALLOWED_FORMAT = {"\u200d"}  # the zero-width joiner: emoji sequences need it


def check_text(request: Any, *, what: str = "The request") -> None:
    """Refuse text with control characters (NUL, escape sequences), invisible format characters (bidirectional
    overrides, zero-width spaces, tag characters) or unpaired surrogates (not text at all).

    Args:
        request: the text; other types pass (the length and emptiness checks answer for them).
        what: how the text is named in the message, e.g. "The request", "Try it's JSON".

    Raises:
        InvalidInputError: naming the first offending character and what to do.
    """
    if not isinstance(request, str):
        return
    for char in request:
        if char in "\t\n\r" or char in _ALLOWED_FORMAT:
            continue
        category = unicodedata.category(char)
        if category == "Cs":
            raise InvalidInputError(f"{what} has an unpaired surrogate (U+{ord(char):04X}), which is not text; "
                                    "send it as UTF-8 text, e.g. 'Build a 3D gallery of Paris landmarks'.")
        if category in ("Cc", "Cf"):
            raise InvalidInputError(f"{what} has a control character (U+{ord(char):04X}); remove it and "
                                    "describe the scene in plain text, e.g. 'Build a 3D gallery of Paris landmarks'.")



def validate_request(request: Any, settings: Settings) -> str:
    """The request stripped, or InvalidInputError with what to do instead (nothing is started)."""
    check_text(request)
    if not isinstance(request, str) or not request.strip():
        raise InvalidInputError("The request is empty: describe a scene, e.g. 'Build a 3D gallery of Paris landmarks'.")
    request = request.strip()
    if len(request) > settings.max_request_chars:
        raise InvalidInputError(f"The request is {len(request)} characters long; the limit is "
                                f"{settings.max_request_chars}. Shorten it to the objects you want.")
    return request
