"""Loopback servers for the token and SSRF tests, each on its own port (= its own origin).

- `recorded(demo, log)`: a Gradio app mounted on a FastAPI app whose middleware records every request's
  path and headers (config, API info, queue, upload, file routes alike).
- `echo_app(log)`: /echo (text, also records the headers its handler sees) and /box (a file in, the same
  bytes back as a Model3D), so uploads and downloads happen.
- `hostile_app(target)`: /leak_stream and /leak_plain return JSON shaped like a Gradio FileData whose
  `url` is on `target`; /bounce returns a file whose own download URL the middleware redirects to `target`.
- `fake_config(**fields)`: a bare server whose /config is a Gradio config with `fields` set (e.g. an
  `api_prefix` on another origin), and nothing else.
- `bystander(log)`: answers anything with a small body and records that it was asked.
`serve(app)` runs any of them with uvicorn on 127.0.0.1 and yields the base URL.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import gradio as gr
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse

REDIRECT_MARK = "redirect-me"


class RequestLog:
    """Requests a server received: (path, lower-cased headers), thread-safe."""

    def __init__(self) -> None:
        self._items: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()

    def add(self, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self._items.append((path, {k.lower(): v for k, v in headers.items()}))

    @property
    def items(self) -> list[tuple[str, dict[str, str]]]:
        with self._lock:
            return list(self._items)


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run an ASGI app with uvicorn on a free 127.0.0.1 port in a thread; yield its URL, then stop it."""
    import uvicorn

    from tools.companions import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True, name=f"stub-{port}")
    thread.start()
    for _ in range(600):  # started is set once the socket listens (bounded: 60 s)
        if server.started or not thread.is_alive():
            break
        time.sleep(0.1)
    if not server.started:
        raise RuntimeError(f"stub server on port {port} did not start")
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def recorded(demo: gr.Blocks, log: RequestLog, *, redirect_to: str | None = None) -> FastAPI:
    """`demo` mounted at / on a FastAPI app that logs every request; with `redirect_to`, a file route whose
    path holds REDIRECT_MARK answers 302 to `redirect_to` instead."""
    app = FastAPI()

    @app.middleware("http")
    async def record(request: Request, call_next):  # type: ignore[no-untyped-def]
        log.add(request.url.path, dict(request.headers))
        if redirect_to and REDIRECT_MARK in request.url.path:
            return RedirectResponse(redirect_to, status_code=302)
        return await call_next(request)

    demo.queue()
    return gr.mount_gradio_app(app, demo, path="")


def echo_app(log: RequestLog) -> gr.Blocks:
    def echo(text: str, request: gr.Request) -> str:
        """Return `text`; record the headers the handler was given."""
        log.add("handler:/echo", dict(request.headers))
        return text

    def box(path: str) -> str:
        """Return the uploaded file's bytes as a .glb."""
        out = Path(tempfile.mkdtemp(prefix="ssrf-echo-")) / "box.glb"
        shutil.copyfile(path, out)
        return str(out)

    with gr.Blocks(title="echo") as demo:
        text, answer = gr.Textbox(label="Text"), gr.Textbox(label="Answer")
        upload, model = gr.File(label="File", type="filepath"), gr.Model3D(label="GLB")
        text.submit(echo, [text], [answer], api_name="echo")
        upload.upload(box, [upload], [model], api_name="box")
    return demo


def _file_data(path: str, url: str | None, *, stream: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"path": path, "orig_name": Path(path).name, "size": None, "mime_type": None,
                            "is_stream": stream, "meta": {"_type": "gradio.FileData"}}
    if url is not None:
        data["url"] = url
    return data


def hostile_app(target: str) -> gr.Blocks:
    """Endpoints whose JSON output names files at `target` (another origin), or is redirected there."""
    secret = target.rstrip("/") + "/latest/meta-data/iam/credentials.glb"

    def leak_stream(prompt: str) -> dict:
        """A FileData-shaped stream: gradio_client fetches its url wherever it points."""
        return _file_data("credentials.glb", secret, stream=True)

    def leak_plain(prompt: str) -> dict:
        """A FileData-shaped file whose url names another host."""
        return _file_data("/tmp/credentials.glb", secret, stream=False)

    def bounce(prompt: str) -> dict:
        """A file on this Space's own route, which the middleware redirects to `target`."""
        return _file_data(f"/tmp/{REDIRECT_MARK}.glb", None, stream=False)

    with gr.Blocks(title="hostile files") as demo:
        prompt, info = gr.Textbox(label="Prompt"), gr.JSON(label="Info")
        prompt.submit(leak_stream, [prompt], [info], api_name="leak_stream")
        prompt.change(leak_plain, [prompt], [info], api_name="leak_plain")
        prompt.blur(bounce, [prompt], [info], api_name="bounce")
    return demo


def fake_config(**fields: Any) -> FastAPI:
    """Fake: a Gradio server whose /config is a minimal Gradio 6 config updated with `fields`, because a real
    Gradio app cannot be made to publish hostile or malformed configs; nothing else answers."""
    app = FastAPI()
    config = {"version": "6.31.0", "protocol": "sse_v3", "mode": "blocks", "title": "fake", "api_prefix": "/gradio_api",
              "components": [], "dependencies": [], "connect_heartbeat": False, **fields}

    @app.get("/config")
    def get_config() -> JSONResponse:
        return JSONResponse(config)

    return app


def bystander(log: RequestLog) -> FastAPI:
    """Answers every GET and POST with a small body, and records that it was asked."""
    app = FastAPI()

    @app.api_route("/{rest:path}", methods=["GET", "POST", "HEAD"])
    def anything(rest: str, request: Request) -> PlainTextResponse:
        log.add("/" + rest, dict(request.headers))
        return PlainTextResponse("stolen: internal data")

    return app
