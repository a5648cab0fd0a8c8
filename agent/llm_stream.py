"""A chat model for any OpenAI-compatible server that streams each reply and bounds it.

Each call streams `POST /chat/completions` (server-sent events, as llama.cpp,
vLLM, Ollama and HF Inference send them) and stops reading, closing the
connection so the server stops generating too, when:

- the call's wall-clock limit passes (a per-call limit, cut to the run's own deadline),
- the reply repeats itself (the same line again and again, or the same phrase over and over),
- `max_tokens` is reached (the server stops; the reply is kept).

A timed-out call is never retried: a slow model would only be slow again. The
conversation is trimmed to the model's context before each call.
"""

from __future__ import annotations

import json
import logging
import queue
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

import httpx
from smolagents import ChatMessage, MessageRole, Model
from smolagents.monitoring import TokenUsage

from agent.llm_prompt import estimate_tokens, fit_messages
from tools.errors import ModelContextError, ModelReplyError, ModelTimeoutError, ModelUnreachableError

logger = logging.getLogger(__name__)

RUNAWAY_NOTE = "[Diorama cut this reply here: it kept repeating itself]"
_REPEATED_LINES = 4  # the same non-blank line this many times in a row is a runaway
_REPEATED_PHRASE = 5  # the same 8-120 character phrase this many times back to back is a runaway
STEP_SCHEMA = {"type": "object", "properties": {"thought": {"type": "string"}, "code": {"type": "string"}},
               "required": ["thought", "code"]}


@dataclass(frozen=True)
class CallReport:
    """What one LLM call did, for the chain log.

    Attributes:
        outcome: "ok", "length" (stopped at max_tokens), "runaway", "timeout", "unreachable", "error", "context".
        limit_s: the wall-clock limit this call had.
        elapsed_s: how long it ran.
        input_tokens / output_tokens: the server's counts, or estimates when it sent none (`estimated`).
        dropped_messages: old messages left out to fit the context.
    """

    outcome: str
    limit_s: float
    elapsed_s: float
    input_tokens: int
    output_tokens: int
    dropped_messages: int = 0
    estimated: bool = False


def find_runaway(text: str) -> int | None:
    """Where a reply starts repeating itself (an index into `text`), or None.

    A runaway is the same non-blank line `_REPEATED_LINES` times in a row, or the same phrase of 8-120
    characters (of at least three different characters) `_REPEATED_PHRASE` times back to back at the end of
    the text.
    """
    lines = text.split("\n")
    complete = lines[:-1]
    run, start = 1, 0
    for index in range(1, len(complete)):
        line = complete[index].strip()
        if line and line == complete[index - 1].strip():
            run += 1
            if run >= _REPEATED_LINES:
                return sum(len(x) + 1 for x in complete[: start + 1])
        else:
            run, start = 1, index
    tail = text[-120 * _REPEATED_PHRASE:]
    for period in range(8, 121):
        span = period * _REPEATED_PHRASE
        if len(tail) < span:
            break
        unit = tail[-period:]
        if len(set(unit)) >= 3 and tail[-span:] == unit * _REPEATED_PHRASE:  # not a ===== or ---- rule
            return len(text) - span + period
    return None


class StreamingChatModel(Model):
    """A smolagents Model for an OpenAI-compatible `/chat/completions` endpoint, streamed and bounded.

    Args:
        model_id: the model name the server expects ("local-model" for a llama.cpp server is fine).
        base_url: the server's `/v1` URL, e.g. "http://127.0.0.1:8080/v1".
        api_key: sent as a Bearer token when set (never logged).
        max_tokens: most tokens in one reply.
        call_timeout_s: wall-clock limit of one reply, seconds.
        context_tokens: the model's context window; the conversation is trimmed to fit.
        deadline: returns the monotonic time by which every call must end (the run's budget), or None.
        structured: ask for JSON {"thought", "code"} (json_schema response_format) and turn it back into text.
        system_in_user: send the system prompt at the top of the first user turn (for chat formats that drop
            system messages, e.g. llama-cpp-python's "gemma").
        on_call: called with a `CallReport` after every call, failed ones included.
    """

    def __init__(self, model_id: str, base_url: str, *, api_key: str | None = None, max_tokens: int = 1500,
                 call_timeout_s: float = 60.0, context_tokens: int = 8192,
                 deadline: Callable[[], float | None] | None = None, structured: bool = False,
                 on_call: Callable[[CallReport], None] | None = None, connect_timeout_s: float = 5.0,
                 system_in_user: bool = False) -> None:
        super().__init__(model_id=model_id)
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.max_tokens = max_tokens
        self.call_timeout_s = call_timeout_s
        self.context_tokens = context_tokens
        self.deadline = deadline or (lambda: None)
        self.structured = structured
        self.on_call = on_call
        self.connect_timeout_s = connect_timeout_s
        self.system_in_user = system_in_user
        self._json_form = "json_schema"  # OpenAI's form; "json_object" + schema for servers that refuse it

    def for_run(self, *, deadline: Callable[[], float | None],
                on_call: Callable[[CallReport], None] | None) -> "StreamingChatModel":
        """A copy bound to one run's deadline and event sink (a configured model may serve several runs)."""
        return StreamingChatModel(self.model_id, self.base_url, api_key=self._api_key, max_tokens=self.max_tokens,
                                  call_timeout_s=self.call_timeout_s, context_tokens=self.context_tokens,
                                  deadline=deadline, structured=self.structured, on_call=on_call,
                                  connect_timeout_s=self.connect_timeout_s, system_in_user=self.system_in_user)

    def generate(self, messages: list[ChatMessage | dict[str, Any]], stop_sequences: list[str] | None = None,
                 response_format: dict[str, Any] | None = None, tools_to_call_from: list[Any] | None = None,
                 **kwargs: Any) -> ChatMessage:
        """One reply, streamed; see the module docstring for when it is cut.

        Raises:
            ModelUnreachableError: nothing answers at the URL.
            ModelTimeoutError: the reply did not finish within the call's limit (the request was closed).
            ModelContextError: the conversation does not fit the context window.
            ModelReplyError: the server answered with an error.
        """
        started = time.monotonic()
        limit = self.call_timeout_s
        run_deadline = self.deadline()
        if run_deadline is not None:
            limit = max(0.0, min(limit, run_deadline - started))
        plain = to_openai_messages(messages)
        if self.system_in_user and len(plain) > 1 and plain[0]["role"] == "system" and plain[1]["role"] == "user":
            plain = [{"role": "user", "content": f"{plain[0]['content']}\n\n{plain[1]['content']}"}, *plain[2:]]
        try:
            fitted = fit_messages(plain, context_tokens=self.context_tokens,
                                  reply_tokens=min(self.max_tokens, self.context_tokens // 4))
        except ModelContextError:
            self._report("context", limit, started, estimate_tokens(json.dumps(plain)), 0)
            raise
        prompt_tokens = sum(estimate_tokens(m["content"]) for m in fitted)
        reply_room = max(64, min(self.max_tokens, self.context_tokens - prompt_tokens))
        body: dict[str, Any] = {"model": self.model_id, "messages": fitted, "max_tokens": reply_room,
                                "stream": True, "stream_options": {"include_usage": True}}
        if self.structured:
            body["response_format"] = _response_format(self._json_form)
        elif stop_sequences:
            body["stop"] = list(stop_sequences)[:4]
        if limit <= 0:
            self._report("timeout", 0.0, started, prompt_tokens, 0, len(plain) - len(fitted))
            raise ModelTimeoutError("The run's time budget was spent before the model could be asked again.",
                                    reason="the run's time budget ran out")
        try:
            text, usage, outcome = self._stream(body, limit, started, prompt_tokens, len(plain) - len(fitted))
        except _FormatRefused:  # e.g. llama-cpp-python takes only {"type": "json_object", "schema": ...}
            self._json_form = "json_object"
            body["response_format"] = _response_format(self._json_form)
            limit = max(0.0, limit - (time.monotonic() - started))
            text, usage, outcome = self._stream(body, limit, started, prompt_tokens, len(plain) - len(fitted))
        if self.structured:
            text = _from_json_step(text)
        tokens = TokenUsage(input_tokens=usage.get("prompt_tokens") or prompt_tokens,
                            output_tokens=usage.get("completion_tokens") or estimate_tokens(text))
        self._report(outcome, limit, started, tokens.input_tokens, tokens.output_tokens, len(plain) - len(fitted),
                     estimated=not usage)
        message = ChatMessage(role=MessageRole.ASSISTANT, content=text, token_usage=tokens)
        message.raw = {"diorama_outcome": outcome}
        return message

    def _stream(self, body: dict[str, Any], limit: float, started: float, prompt_tokens: int,
                dropped: int) -> tuple[str, dict[str, Any], str]:
        """(text, usage, outcome) of one streamed reply; raises the Model* errors."""
        headers = {"Accept": "text/event-stream"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        url = f"{self.base_url}/chat/completions"
        parts: list[str] = []
        usage: dict[str, Any] = {}
        outcome = "ok"
        stop_at = started + limit
        timeout = httpx.Timeout(connect=min(self.connect_timeout_s, limit), read=limit + 5, write=limit, pool=limit)
        checked = 0
        try:
            with httpx.Client(timeout=timeout, trust_env=False) as client, \
                    client.stream("POST", url, json=body, headers=headers) as response:
                if response.status_code >= 400:
                    if response.status_code in (400, 422) and \
                            (body.get("response_format") or {}).get("type") == "json_schema":
                        raise _FormatRefused()
                    self._fail_status(response, limit, started, prompt_tokens, dropped)
                lines = _LineReader(response)
                try:
                    while True:
                        line = lines.next(stop_at - time.monotonic())
                        if line is None:
                            outcome = "timeout"
                            break
                        if line is _END:
                            break
                        if not line.startswith("data:"):
                            continue
                        data = line[5:].strip()
                        if data == "[DONE]":
                            break
                        chunk = json.loads(data)
                        if chunk.get("error"):
                            raise ModelReplyError(_server_error(self.base_url, chunk["error"]),
                                                  reason="the server failed while writing")
                        usage = chunk.get("usage") or usage
                        for choice in chunk.get("choices") or []:
                            parts.append((choice.get("delta") or {}).get("content") or "")
                            if choice.get("finish_reason") == "length":
                                outcome = "length"
                        text_len = sum(map(len, parts))
                        if text_len - checked >= 48:
                            checked = text_len
                            cut = find_runaway("".join(parts))
                            if cut is not None:
                                parts = ["".join(parts)[:cut], f"\n{RUNAWAY_NOTE}"]
                                outcome = "runaway"
                                break
                finally:
                    lines.abort()  # the server sees the connection close and stops generating
        except httpx.ConnectError as exc:
            self._report("unreachable", limit, started, prompt_tokens, 0, dropped)
            raise ModelUnreachableError(f"The LLM server at {self.base_url} did not answer ({_reason(exc)}); start "
                                        "it, check model.base_url (DIORAMA_LLM_BASE_URL), or set "
                                        "provider = \"offline\".", reason="its server did not answer") from exc
        except (httpx.TimeoutException, TimeoutError) as exc:
            outcome = "timeout"
            logger.debug("LLM stream from %s stopped: %r", self.base_url, exc)
        except httpx.HTTPError as exc:
            self._report("error", limit, started, prompt_tokens, 0, dropped)
            raise ModelReplyError(f"The LLM server at {self.base_url} broke off the reply ({_reason(exc)}); check "
                                  "its log, or set provider = \"offline\".", reason="its server broke off") from exc
        except json.JSONDecodeError as exc:
            self._report("error", limit, started, prompt_tokens, 0, dropped)
            raise ModelReplyError(f"The LLM server at {self.base_url} sent a stream that is not OpenAI-compatible "
                                  "JSON; point model.base_url at its /v1 URL.",
                                  reason="its server spoke another protocol") from exc
        text = "".join(parts)
        if outcome == "timeout":
            self._report("timeout", limit, started, prompt_tokens, estimate_tokens(text), dropped)
            logger.debug("LLM reply cut at %.1f s (%d characters so far): %r", limit, len(text), text[:2000])
            raise ModelTimeoutError(
                f"The model {self.model_id} did not finish a reply within {limit:.0f} s (it had written "
                f"{len(text):,} characters); the request was closed and not retried. Raise model.call_timeout_s "
                "(DIORAMA_LLM_CALL_TIMEOUT_S), lower max_tokens_per_step, or use a faster model.",
                reason=f"no complete reply within {limit:.0f} s")
        return text, usage, outcome

    def _fail_status(self, response: httpx.Response, limit: float, started: float, prompt_tokens: int,
                     dropped: int) -> None:
        response.read()
        try:
            detail = response.json().get("error", response.text)
        except ValueError:
            detail = response.text
        message = _server_error(self.base_url, detail, status=response.status_code)
        logger.debug("LLM server %s answered %s: %s", self.base_url, response.status_code, response.text[:2000])
        if "context" in str(detail).lower() and ("exceed" in str(detail).lower() or "long" in str(detail).lower()):
            self._report("context", limit, started, prompt_tokens, 0, dropped)
            raise ModelContextError(
                f"The conversation outgrew the model's context (the server at {self.base_url} refused a "
                f"{prompt_tokens:,}-token prompt); set model.context_tokens to the server's context size.",
                reason="the conversation outgrew its context")
        self._report("error", limit, started, prompt_tokens, 0, dropped)
        raise ModelReplyError(message, reason=f"its server answered HTTP {response.status_code}")

    def _report(self, outcome: str, limit: float, started: float, tokens_in: int, tokens_out: int,
                dropped: int = 0, *, estimated: bool = True) -> None:
        if self.on_call is not None:
            self.on_call(CallReport(outcome=outcome, limit_s=round(limit, 3),
                                    elapsed_s=round(time.monotonic() - started, 3), input_tokens=tokens_in,
                                    output_tokens=tokens_out, dropped_messages=dropped, estimated=estimated))


_END = object()


class _FormatRefused(Exception):
    """The server refused the json_schema response_format (it may take the json_object form)."""


def _response_format(form: str) -> dict[str, Any]:
    if form == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "step", "schema": STEP_SCHEMA, "strict": True}}
    return {"type": "json_object", "schema": STEP_SCHEMA}


class _LineReader:
    """Reads a streamed response's lines in a thread, so the caller can wait with a deadline and abort."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.queue: queue.Queue[Any] = queue.Queue()
        self.done = False
        threading.Thread(target=self._read, name="llm-stream", daemon=True).start()

    def _read(self) -> None:
        try:
            for line in self.response.iter_lines():
                self.queue.put(line)
        except Exception as exc:  # handed to the caller, which raises it in its own thread
            self.queue.put(exc)
        self.queue.put(_END)

    def next(self, wait_s: float) -> Any:
        """The next line, `_END` at the end of the stream, or None when `wait_s` passed first."""
        try:
            item = self.queue.get(timeout=max(0.0, wait_s))
        except queue.Empty:
            return None
        if isinstance(item, Exception):
            raise item
        return item

    def abort(self) -> None:
        """Shut the socket down (which also wakes the reading thread), then close the response."""
        stream = self.response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.response.close()


def to_openai_messages(messages: list[ChatMessage | dict[str, Any]]) -> list[dict[str, str]]:
    """smolagents messages as plain-text OpenAI messages: tool responses become user turns, the tool-call
    echo (the code again) is dropped, and turns of the same role are merged (chat templates want them to
    alternate)."""
    out: list[dict[str, str]] = []
    for message in messages:
        role = message.role if isinstance(message, ChatMessage) else message["role"]
        role = getattr(role, "value", role)
        content = message.content if isinstance(message, ChatMessage) else message.get("content")
        if isinstance(content, list):
            content = "\n".join(p.get("text", "") for p in content if isinstance(p, dict))
        text = str(content or "").strip()
        if role == "tool-call" or not text:
            continue
        role = {"tool-response": "user"}.get(role, role)
        if role not in ("system", "user", "assistant"):
            role = "user"
        if out and out[-1]["role"] == role:
            out[-1]["content"] += "\n\n" + text
        else:
            out.append({"role": role, "content": text})
    return out


def _from_json_step(text: str) -> str:
    """A structured {"thought", "code"} reply as the usual "Thought: ... <code>...</code>" text."""
    try:
        step = json.loads(text)
        return f"Thought: {step.get('thought', '')}\n<code>\n{step['code']}\n</code>"
    except (ValueError, KeyError, TypeError, AttributeError):
        return text  # unparseable JSON: the agent reports it as a reply without code


def _server_error(base_url: str, detail: Any, *, status: int | None = None) -> str:
    if isinstance(detail, dict):
        detail = detail.get("message") or json.dumps(detail)
    shown = " ".join(str(detail).split())[:200]
    code = f" HTTP {status}" if status else ""
    return (f"The LLM server at {base_url} answered{code}: {shown!r}; check the model name (model.id) and the "
            "server's log.")


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text[:120] or type(exc).__name__
