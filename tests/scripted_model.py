"""A fake LLM for tests: returns canned replies in order (docs/testing.md lists every fake and why)."""

from __future__ import annotations

from typing import Any

from smolagents import ChatMessage, MessageRole, Model
from smolagents.monitoring import TokenUsage

STUCK = "An agent tried to answer a user query but it got stuck"


class ScriptedLLM(Model):
    """Fake: an LLM replying `replies[i]` on the i-th call (the last repeats), because no LLM can run here.

    It records what it was shown; a real CodeAgent runs its code against real tools.

    Token usage is counted as words, so runs report non-zero LLM tokens like a real model would.
    """

    def __init__(self, replies: list[str], *, summary: str = "I ran out of steps.") -> None:
        super().__init__(model_id="scripted-test-llm")
        self.replies = replies
        self.summary = summary
        self.prompts: list[list[str]] = []

    def generate(self, messages: list[ChatMessage], stop_sequences: list[str] | None = None,
                 response_format: dict[str, str] | None = None, tools_to_call_from: list[Any] | None = None,
                 **kwargs: Any) -> ChatMessage:
        texts = [_text(m) for m in messages]
        if texts and STUCK in texts[0]:
            content = self.summary
        else:
            content = self.replies[min(len(self.prompts), len(self.replies) - 1)]
            self.prompts.append(texts)
        words = sum(len(t.split()) for t in texts)
        return ChatMessage(role=MessageRole.ASSISTANT, content=content,
                           token_usage=TokenUsage(input_tokens=words, output_tokens=len(content.split())))


def _text(message: Any) -> str:
    content = message.content
    if isinstance(content, list):
        return "\n".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content or "")
