"""A local OpenAI-compatible chat server with scripted replies (stands in for llama.cpp / vLLM / Ollama).

Like llama.cpp's server, it rejects messages whose content is a list of parts instead of plain text.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ScriptedChatServer:
    """Serves POST /v1/chat/completions on 127.0.0.1, answering `replies` in order (the last repeats)."""

    def __init__(self, replies: list[str], *, choose=None) -> None:
        """`choose(body) -> str | None`, if given, picks the reply for a request (None: the scripted one)."""
        self.replies = replies
        self.choose = choose
        self.requests: list[dict] = []
        self.auth_headers: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.auth_headers.append(self.headers.get("Authorization", ""))
                if any(not isinstance(m.get("content"), str) for m in body.get("messages", [])):
                    return self._send(400, {"error": {"message": "unsupported content[] type: expected a string"}})
                server.requests.append(body)
                text = server.choose(body) if server.choose else None
                if text is None:
                    text = server.replies[min(len(server.requests), len(server.replies)) - 1]
                self._send(200, {
                    "id": f"chatcmpl-{len(server.requests)}", "object": "chat.completion", "created": 0,
                    "model": body.get("model", "scripted"),
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": text}}],
                    "usage": {"prompt_tokens": 100, "completion_tokens": len(text.split()), "total_tokens": 0},
                })

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
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
