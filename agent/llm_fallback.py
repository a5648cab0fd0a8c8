"""Never worse than the planner: notice when the LLM has failed, and hand the run to the offline planner.

`GuardedModel` sits between the agent and the LLM. It turns any failure of the
model's call into a `ModelError` with Diorama's own message (the model's text
stays in the chain log), stops the run after two replies in a row without
runnable code, and answers smolagents' end-of-run "summary" request itself, so
no LLM call happens outside the run's budget. `rescue_reason` then says whether
the planner should finish the run, and `account` writes the one line that tells
the user what happened.
"""

from __future__ import annotations

import ast
import logging
from typing import Any, Iterable

from smolagents import ChatMessage, MessageRole, Model
from smolagents.monitoring import TokenUsage
from smolagents.utils import parse_code_blobs

from agent.gazetteer import Subjects
from agent.llm_stream import RUNAWAY_NOTE
from agent.chat_messages import STUCK_PROMPT, message_text
from tools.errors import ModelError, ModelReplyError, RunTimeoutError

logger = logging.getLogger(__name__)

STRIKES = 2  # replies in a row without runnable code that end the model's turn
OUT_OF_STEPS = "The model used all its steps without finishing a scene."


def runnable_code(text: str) -> str | None:
    """The Python code in a reply, if there is some that parses; else None."""
    if RUNAWAY_NOTE in text:
        return None
    if text.rfind("<code>") > text.rfind("</code>"):
        text += "</code>"  # the server stopped at the closing tag (a stop sequence); smolagents adds it back too
    try:
        code = parse_code_blobs(text, ("<code>", "</code>"))
        ast.parse(code)
    except Exception:  # smolagents raises ValueError, ast a SyntaxError: both mean "nothing runnable"
        return None
    return code if code.strip() else None


class GuardedModel(Model):
    """Wraps the LLM of one run; records the first failure and stops the agent when the model has failed.

    Args:
        inner: the model that answers (usually an `agent.models.ObservedModel`).
        label: the model's name for messages, e.g. "gemma-3-270m @ http://127.0.0.1:8080/v1".
        max_steps: the agent's step budget, for messages.

    Attributes:
        failure: the error that ended the model's turn, or None.
        out_of_steps: True once smolagents asked for its end-of-run summary (the steps ran out).
    """

    def __init__(self, inner: Model, *, label: str, max_steps: int) -> None:
        super().__init__(model_id=getattr(inner, "model_id", None))
        self.inner = inner
        self.label = label
        self.max_steps = max_steps
        self.failure: ModelError | None = None
        self.out_of_steps = False
        self.calls = 0
        self._strikes = 0
        self._strike_reasons: list[str] = []

    def generate(self, messages: list[ChatMessage], stop_sequences: list[str] | None = None,
                 response_format: dict[str, Any] | None = None, tools_to_call_from: list[Any] | None = None,
                 **kwargs: Any) -> ChatMessage:
        if messages and STUCK_PROMPT in message_text(messages[0]):
            self.out_of_steps = True  # Diorama writes the summary: no LLM call after the last step
            return ChatMessage(role=MessageRole.ASSISTANT, content=OUT_OF_STEPS,
                               token_usage=TokenUsage(input_tokens=0, output_tokens=0))
        self.calls += 1
        try:
            reply = self.inner.generate(messages, stop_sequences=stop_sequences, response_format=response_format,
                                        tools_to_call_from=tools_to_call_from, **kwargs)
        except ModelError as exc:
            exc.step = self.calls
            self.failure = exc
            raise
        except Exception as exc:  # any other client's failure (openai, huggingface_hub...): our message
            logger.debug("the LLM call of step %d failed", self.calls, exc_info=True)
            self.failure = ModelReplyError(
                f"The model {self.label} failed to reply ({type(exc).__name__}); the details are in the debug log "
                "(LOG_LEVEL=DEBUG). Check the model server, or set provider = \"offline\".",
                reason=f"its call failed ({type(exc).__name__})", step=self.calls)
            raise self.failure from exc
        text = reply.content if isinstance(reply.content, str) else message_text(reply)
        if runnable_code(text or "") is None:
            self._strikes += 1
            self._strike_reasons.append("it repeated itself" if RUNAWAY_NOTE in (text or "") else
                                        "no code in its reply")
            if self._strikes >= STRIKES:
                reason = self._strike_reasons[-1]
                self.failure = ModelReplyError(
                    f"The model {self.label} wrote no runnable code in {self._strikes} replies in a row "
                    f"({reason}); try a stronger model or provider = \"offline\".", reason=reason, step=self.calls)
                raise self.failure
        else:
            self._strikes = 0
        return reply


def rescue_reason(guard: GuardedModel | None, error: BaseException | None, *, time_share_s: float) -> str | None:
    """Why the planner should finish the run (the cause for the account), or None if it should not.

    Only the model's own failures count: a cancel, a spent Space budget or a sandbox breach end the run as they are.
    The caller checks first that there is no scene yet.
    """
    if guard is None:
        return None
    if guard.failure is not None:
        return guard.failure.reason
    if isinstance(error, RunTimeoutError):
        return f"its {time_share_s:.0f} s share of the run ran out"
    if guard.out_of_steps:
        return f"it used all {guard.max_steps} steps without a scene"
    return None


def failed_step(guard: GuardedModel | None) -> int:
    """The step at which the model failed (its last call when it simply ran out)."""
    if guard is None:
        return 0
    if guard.failure is not None and guard.failure.step:
        return guard.failure.step
    return max(guard.calls, 1)


def account(step: int, reason: str, *, finished: bool, planner_error: str | None = None) -> str:
    """The one line telling the user what the model did, e.g. "The model failed at step 2: no code in its reply;
    the built-in planner finished the scene." """
    head = f"The model failed at step {step}: {reason}; "
    if finished:
        return head + "the built-in planner finished the scene."
    why = " ".join((planner_error or "it made no scene").split())[:300]
    return head + f"the built-in planner could not finish it either ({why})."


def model_subjects(calls: Iterable[dict[str, Any]], tool: str, *, max_items: int) -> Subjects | None:
    """The subjects the model chose: the text it gave the first asset tool, in order, or None if it gave none."""
    chosen: list[str] = []
    for event in calls:
        if event.get("tool") != tool or not isinstance(event.get("inputs"), dict):
            continue
        text = next((v for v in event["inputs"].values() if isinstance(v, str) and v.strip()), None)
        if text and text.strip() not in chosen:
            chosen.append(text.strip())
    if not chosen:
        return None
    chosen = chosen[:max_items]
    return Subjects(title="Gallery", items=tuple(chosen), place=None,
                    source="single" if len(chosen) == 1 else "list")
