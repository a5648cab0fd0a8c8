"""Pick the model that writes the agent's code, and observe it (thoughts, tokens, time)."""

from __future__ import annotations

import re
import threading
import time
from typing import Any, Callable

from smolagents import ChatMessage, Model

from agent.config import Settings
from tools.errors import ConfigError

STUCK_PROMPT = "An agent tried to answer a user query but it got stuck"
_CODE = re.compile(r"<code>(.*?)(?:</code>|$)|```(?:python|py)?\n(.*?)(?:```|$)", re.S)


def model_info(settings: Settings) -> dict[str, str]:
    """Which model drives the agent, for the banner and the chain log."""
    provider = settings.resolved_provider
    if provider == "offline":
        return {"provider": "offline", "id": "rule-based planner (no LLM)"}
    if provider == "hf":
        return {"provider": "hf", "id": settings.model_id}
    return {"provider": "openai", "id": f"{settings.model_id} @ {settings.llm_base_url}"}


def build_llm(settings: Settings) -> Model | None:
    """The configured LLM, or None when the offline planner should write the code.

    Raises:
        ConfigError: the provider's package is missing.
    """
    provider = settings.resolved_provider
    if provider == "offline":
        return None
    if provider == "hf":
        from smolagents import InferenceClientModel

        return InferenceClientModel(model_id=settings.model_id, token=settings.hf_token,
                                    max_tokens=settings.max_tokens_per_step, timeout=int(settings.call_timeout_s))
    try:
        import openai  # noqa: F401  (OpenAIModel imports it lazily; fail early with the install line)
    except ModuleNotFoundError as exc:
        raise ConfigError("model.provider 'openai' needs the openai package: pip install 'openai>=1.50'.") from exc
    from smolagents import OpenAIModel

    # llama.cpp's server rejects list-of-parts message content: flatten messages to plain text.
    return OpenAIModel(model_id=settings.model_id, api_base=settings.llm_base_url,
                       api_key=settings.llm_api_key or "not-needed",
                       flatten_messages_as_text=settings.flatten_messages,
                       max_tokens=settings.max_tokens_per_step,
                       client_kwargs={"timeout": settings.call_timeout_s, "max_retries": 1})


def split_reply(text: str) -> tuple[str, str]:
    """(thought, code) of a model reply; either may be empty."""
    match = _CODE.search(text)
    if not match:
        return text.strip(), ""
    code = (match.group(1) if match.group(1) is not None else match.group(2) or "").strip()
    thought = text[: match.start()].strip()
    return thought.removeprefix("Thought:").strip(), code


class ObservedModel(Model):
    """Wraps a model: reports each reply as an agent-step event and totals tokens and time.

    Args:
        inner: the model that really answers.
        on_reply: called with (step_number, thought, code, is_summary) after each reply.
    """

    def __init__(self, inner: Model, on_reply: Callable[[int, str, str, bool], None],
                 on_tokens: Callable[[int], None] | None = None) -> None:
        super().__init__(model_id=getattr(inner, "model_id", None))
        self.inner = inner
        self.on_reply = on_reply
        self.on_tokens = on_tokens
        self.input_tokens = 0
        self.output_tokens = 0
        self.seconds = 0.0
        self.calls = 0
        self._lock = threading.Lock()

    def generate(self, messages: list[ChatMessage], stop_sequences: list[str] | None = None,
                 response_format: dict[str, str] | None = None, tools_to_call_from: list[Any] | None = None,
                 **kwargs: Any) -> ChatMessage:
        started = time.monotonic()
        reply = self.inner.generate(messages, stop_sequences=stop_sequences, response_format=response_format,
                                    tools_to_call_from=tools_to_call_from, **kwargs)
        with self._lock:
            self.calls += 1
            self.seconds += time.monotonic() - started
            usage = getattr(reply, "token_usage", None)
            spent = 0
            if usage is not None:
                spent = (usage.input_tokens or 0) + (usage.output_tokens or 0)
                self.input_tokens += usage.input_tokens or 0
                self.output_tokens += usage.output_tokens or 0
            step = self.calls
        if self.on_tokens is not None and spent:
            self.on_tokens(spent)
        summary = any(STUCK_PROMPT in message_text(m) for m in messages[:1])
        thought, code = split_reply(reply.content if isinstance(reply.content, str) else message_text(reply))
        self.on_reply(step, thought, code, summary)
        return reply


def message_text(message: Any) -> str:
    """A chat message's text, whether its content is a string or a list of parts."""
    content = getattr(message, "content", None)
    if content is None and isinstance(message, dict):
        content = message.get("content")
    if isinstance(content, list):
        return "\n".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content or "")
