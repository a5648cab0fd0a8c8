"""Every failure a UI event or API call meets, as the one `gr.Error` message the UI, the API and MCP share."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

import gradio as gr

from tools.errors import user_message
from ui.public import public_text


@contextlib.contextmanager
def user_errors(data_dir: Path | None = None) -> Iterator[None]:
    """Any failure as a gr.Error with `tools.errors.user_message` (the data folder's path taken out): the one
    translation the UI, the API and MCP share."""
    try:
        yield
    except gr.Error:
        raise
    except Exception as exc:
        message = user_message(exc, where="the UI or API")
        raise gr.Error(public_text(message, data_dir) if data_dir is not None else message) from exc
