"""A FAKE OpenAI-compatible chat server with scripted replies: it stands in for a real model server (llama.cpp,
vLLM, Ollama), which cannot run in CI. It is the one faked part of the LLM-path tests (docs/testing.md).

Like llama.cpp's server it rejects messages whose content is a list of parts instead of plain text, honours
`stop` (the stop text is left out of the reply) and `max_tokens` (one word is one token here), and with
`"stream": true` sends server-sent events of `chat.completion.chunk`s, then a usage chunk, then `data: [DONE]`.
Scripted behaviours (`Reply`) cover what real small models do: a good reply, a reply without code, a runaway
reply that repeats one line until the client hangs up, and a hung reply that sends nothing more.
"""

from __future__ import annotations

import json
import select
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass(frozen=True)
class Reply:
    """One scripted reply.

    Attributes:
        text: what the model says (cut at the request's first stop sequence, like llama.cpp).
        forever: after `text`, repeat this line until the client closes the connection (a runaway model).
        hang: after `text`, send nothing more until the client closes the connection (a hung model).
        chunk_words: words per streamed chunk.
    """

    text: str = ""
    forever: str | None = None
    hang: bool = False
    chunk_words: int = 3


class ScriptedChatServer:
    """Fake: an OpenAI-compatible model server, because no model server (llama.cpp, vLLM, Ollama) can run here.

    Serves POST /v1/chat/completions on 127.0.0.1 over real HTTP, answering `replies` in order (the last repeats).

    Args:
        replies: reply texts or `Reply` behaviours.
        choose: `choose(body) -> str | Reply | None` picks the reply for a request (None: the scripted one).
        json_object_only: refuse `response_format` {"type": "json_schema"} with HTTP 422 and take only
            {"type": "json_object", "schema": ...}, as llama-cpp-python's server does.

    Attributes:
        requests: every accepted request body, in order.
        hang_ups: how many streamed replies the client closed before their end (the server then stops writing,
            as llama.cpp stops generating).
    """

    def __init__(self, replies: list[str | Reply], *,
                 choose: Callable[[dict], str | Reply | None] | None = None, json_object_only: bool = False) -> None:
        self.replies = [r if isinstance(r, Reply) else Reply(r) for r in replies]
        self.choose = choose
        self.requests: list[dict] = []
        self.auth_headers: list[str] = []
        self.hang_ups = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.auth_headers.append(self.headers.get("Authorization", ""))
                if any(not isinstance(m.get("content"), str) for m in body.get("messages", [])):
                    return self._send(400, {"error": {"message": "unsupported content[] type: expected a string"}})
                if json_object_only and (body.get("response_format") or {}).get("type") == "json_schema":
                    return self._send(422, {"detail": [{"msg": "Input should be 'text' or 'json_object'"}]})
                with server._lock:
                    server.requests.append(body)
                    number = len(server.requests)
                chosen = server.choose(body) if server.choose else None
                reply = chosen if isinstance(chosen, Reply) else Reply(chosen) if chosen is not None else \
                    server.replies[min(number, len(server.replies)) - 1]
                text = _cut(reply.text, body.get("stop") or [])
                words = text.split(" ")
                if body.get("max_tokens") and len(words) > body["max_tokens"]:
                    text, finish = " ".join(words[: body["max_tokens"]]), "length"
                else:
                    finish = "stop"
                if body.get("stream"):
                    return self._stream(body, number, reply, text, finish)
                self._send(200, {
                    "id": f"chatcmpl-{number}", "object": "chat.completion", "created": 0,
                    "model": body.get("model", "scripted"),
                    "choices": [{"index": 0, "finish_reason": finish,
                                 "message": {"role": "assistant", "content": text}}],
                    "usage": {"prompt_tokens": 100, "completion_tokens": len(text.split()), "total_tokens": 0},
                })

            def _stream(self, body: dict, number: int, reply: Reply, text: str, finish: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                model = body.get("model", "scripted")

                def chunk(delta: dict, finish_reason: str | None = None, usage: dict | None = None) -> None:
                    payload = {"id": f"chatcmpl-{number}", "object": "chat.completion.chunk", "created": 0,
                               "model": model, "choices": [] if usage else
                               [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}
                    if usage:
                        payload["usage"] = usage
                    self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
                    self.wfile.flush()

                try:
                    chunk({"role": "assistant", "content": ""})
                    words = text.split(" ")
                    for start in range(0, len(words), reply.chunk_words):
                        piece = " ".join(words[start:start + reply.chunk_words])
                        chunk({"content": piece + (" " if start + reply.chunk_words < len(words) else "")})
                    while reply.forever is not None:  # a runaway: until the client hangs up
                        chunk({"content": reply.forever + "\n"})
                        time.sleep(0.002)
                    if reply.hang:  # a hung model: silent until the client hangs up
                        while not select.select([self.connection], [], [], 0.05)[0]:
                            pass
                        raise ConnectionResetError("the client closed the hung stream")
                    chunk({}, finish)
                    if (body.get("stream_options") or {}).get("include_usage"):
                        chunk({}, usage={"prompt_tokens": 100, "completion_tokens": len(text.split()),
                                         "total_tokens": 100 + len(text.split())})
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    with server._lock:
                        server.hang_ups += 1

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _cut(text: str, stops: list[str]) -> str:
    """The text up to its first stop sequence (left out), as llama.cpp returns it."""
    positions = [text.find(s) for s in stops if s and s in text]
    return text[: min(positions)] if positions else text
