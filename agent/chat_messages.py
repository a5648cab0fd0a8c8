"""Reading smolagents chat messages: their text, and the prompt that marks smolagents' closing summary."""

from __future__ import annotations

from typing import Any

STUCK_PROMPT = "An agent tried to answer a user query but it got stuck"


def message_text(message: Any) -> str:
    """A chat message's text, whether its content is a string or a list of parts."""
    content = getattr(message, "content", None)
    if content is None and isinstance(message, dict):
        content = message.get("content")
    if isinstance(content, list):
        return "\n".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content or "")
