"""A real `gr.Request` for tests of code that reads one (client address, headers, session), without a server.

Gradio hands an event a `gr.Request` wrapping the Starlette request of the HTTP call; here the Starlette request
is built from an ASGI scope with the given client address, headers and session, so the code under test reads the
same objects, case-insensitive headers included, as behind a real server.
"""

from __future__ import annotations

from typing import Any

import gradio as gr
from starlette.requests import Request


def gradio_request(host: str = "127.0.0.1", headers: dict[str, str] | None = None, *,
                   session: dict[str, Any] | None = None, username: str | None = None,
                   session_hash: str | None = None) -> gr.Request:
    """A `gr.Request` from client `host` with these headers; `session` is what Gradio's OAuth keeps."""
    scope: dict[str, Any] = {"type": "http", "method": "POST", "path": "/", "client": (host, 50000),
                             "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]}
    if session is not None:
        scope["session"] = session
    return gr.Request(request=Request(scope), username=username, session_hash=session_hash)
