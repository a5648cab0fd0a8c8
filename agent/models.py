"""Pick the model that writes the agent's code, and observe it (thoughts, tokens, time)."""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any, Callable, Literal

from smolagents import ChatMessage, Model

from agent.chat_messages import STUCK_PROMPT, message_text
from agent.config import Settings
from tools.hub_probe import hub_reachable

logger = logging.getLogger(__name__)

_CODE = re.compile(r"<code>(.*?)(?:</code>|$)|```(?:python|py)?\n(.*?)(?:```|$)", re.S)


def effective_provider(settings: Settings) -> tuple[Literal["offline", "hf", "openai"], str | None]:
    """The provider a run really uses, and a one-line notice when `auto` had to step down to the planner.

    With provider "auto" and only a token (no base_url), HF Inference is probed first (one quick request,
    remembered for a minute): a machine without the Hub gets the offline planner, not a traceback.
    """
    provider = settings.resolved_provider
    if provider == "hf" and settings.model_provider == "auto" and not hub_reachable(settings.hf_inference_url):
        return "offline", (f"HF_TOKEN is set but HF Inference ({settings.hf_inference_url}) does not answer; using "
                           "the offline planner. Set provider = \"hf\" to insist, or \"offline\" to skip the check.")
    return provider, None


def model_info(settings: Settings) -> dict[str, str]:
    """Which model drives the agent, for the banner and the chain log."""
    provider, notice = effective_provider(settings)
    if provider == "offline":
        return {"provider": "offline", "id": "rule-based planner (no LLM)" + (f"; {notice}" if notice else "")}
    if provider == "hf":
        return {"provider": "hf", "id": settings.model_id}
    return {"provider": "openai", "id": f"{settings.model_id} @ {settings.llm_base_url}"}


def build_llm(settings: Settings) -> Model | None:
    """The configured LLM (streamed and bounded per call), or None when the offline planner should write the code.

    Both providers speak the OpenAI chat API: HF Inference through its router (`hf_inference_url`), any
    other server (llama.cpp, vLLM, Ollama) at `llm_base_url`.
    """
    from agent.llm_stream import StreamingChatModel

    provider, notice = effective_provider(settings)
    if notice:
        logger.warning("%s", notice)
    if provider == "offline":
        return None
    url, key = ((settings.hf_inference_url, settings.hf_token) if provider == "hf"
                else (settings.llm_base_url, settings.llm_api_key))
    return StreamingChatModel(settings.model_id, url, api_key=key, max_tokens=settings.max_tokens_per_step,
                              call_timeout_s=settings.llm_call_timeout_s, context_tokens=settings.llm_context_tokens,
                              structured=settings.llm_structured, system_in_user=settings.llm_system_in_user,
                              connect_timeout_s=min(10.0, settings.connect_timeout_s))


def split_reply(text: str) -> tuple[str, str]:
    """(thought, code) of a model reply; either may be empty."""
    match = _CODE.search(text)
    if not match:
        return text.strip().removeprefix("Thought:").strip(), ""
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


