"""`python app.py --describe SPACE_ID_OR_URL`: print the tools Diorama would give the agent for a Gradio app.

Connects like a run does (`tools.spaces.SpaceSession`, with the connect
deadline), reads the API schema and prints a JSON list, one entry per endpoint:
name, description, inputs, output type and kinds, endpoint. When it cannot, it
prints one line to stderr saying why and exits 1.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

__all__ = ["describe", "describe_all", "main", "space_name", "tool_entry"]


def space_name(source: str, title: str | None = None) -> str:
    """The name a Space's tools are named after (`tools.schema.tool_name` adds the endpoint).

    Args:
        source: a Hub Space id or a URL.
        title: the app's title from its Gradio config, if any ("Gradio", the default title, is ignored).

    Returns:
        "owner/name" -> "name"; a URL -> the title, else "local <port>" on this machine, "app <port>" for
        an IP address, or the host's first word ("https://shapes.example.org/" -> "shapes"); never
        "v_127_0_0_1_7963".
    """
    from urllib.parse import urlsplit

    from tools.spaces import is_hub_id

    if is_hub_id(source):
        return source.split("/", 1)[1]
    title = str(title or "").strip()
    if title and title.lower() != "gradio":
        return title
    parts = urlsplit(source if "://" in source else f"http://{source}")
    host = parts.hostname or "app"
    if host in ("localhost", "0.0.0.0", "::1") or host.startswith("127."):
        return f"local {parts.port or ''}".strip()
    if host.replace(".", "").isdigit():
        return f"app {parts.port or ''}".strip()
    return host.split(".")[0]


def tool_entry(spec: Any, source: str) -> dict[str, Any]:
    """What `--describe` prints for one tool: name, endpoint, description, inputs, outputs and notes.

    Args:
        spec: the tool's `tools.schema.ToolSpec`.
        source: the Space id or URL, as given.
    """
    from tools.schema import EndpointSchema, unsupported_note

    schema: EndpointSchema = spec.endpoint
    inputs = {}
    for param in schema.params:
        entry = dict(spec.inputs[param.name])
        entry.update(label=param.label, component=param.component, required=param.required)
        if not param.required:
            entry["default"] = param.default
        if param.choices:
            entry["choices"] = list(param.choices)
        if param.minimum is not None:
            entry.update(minimum=param.minimum, maximum=param.maximum)
        if param.unit:
            entry["unit"] = param.unit
        inputs[param.name] = entry
    out: dict[str, Any] = {
        "name": spec.name, "space": source, "endpoint": schema.api_name, "description": spec.description,
        "inputs": inputs, "output_type": spec.output_type,
        "outputs": [{"key": o.key, "label": o.label, "component": o.component, "kind": o.kind}
                    for o in schema.outputs],
    }
    unsupported = unsupported_note(schema)
    if unsupported:
        out["unsupported"] = (f"Not supported: {unsupported}. Diorama will not load this endpoint as a tool; "
                              "the others work.")
    if schema.fn_index is not None:
        out["fn_index"] = schema.fn_index
        out["note"] = (f"Unnamed endpoint (old Gradio server): Diorama calls it by fn_index {schema.fn_index}; "
                       f"use endpoint = \"{schema.api_name}\" in a [[tools]] entry.")
    return out


def _answers_http(url: str, timeout_s: float) -> int | None:
    """The HTTP status of GET `url`, or None when nothing answers (used only to word an error)."""
    try:
        return httpx.get(url, timeout=timeout_s).status_code
    except httpx.HTTPError:
        return None


def describe(source: str, *, connect_timeout_s: float = 30.0, token: str | None = None) -> list[dict[str, Any]]:
    """The tool entries for every callable endpoint of a Gradio app (see `describe_all`)."""
    return describe_all(source, connect_timeout_s=connect_timeout_s, token=token)[0]


def describe_all(source: str, *, connect_timeout_s: float = 30.0,
                 token: str | None = None) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The tool entries for every endpoint of a Gradio app, and the endpoints that are not tools.

    An endpoint the API page lists but with no Python function behind it in the app's config (a phantom) is
    not a tool: it is returned apart, endpoint -> reason. An endpoint with an input Diorama cannot send yet is
    listed with an "unsupported" note.

    Args:
        source: a Hub Space id ("owner/name") or a URL ("http://127.0.0.1:7861/").
        connect_timeout_s: deadline for connecting and reading the schema, seconds.
        token: HF token, sent only to Hub Spaces.

    Returns:
        (one dict per tool, named endpoints first, as printed by `--describe`; endpoint -> why it is not a tool).

    Raises:
        SpaceUnavailableError: unreachable, not a Gradio app, or it exposes no API.
    """
    from tools.errors import DioramaError, SpaceUnavailableError
    from tools.schema import build_spec, parse_api, phantom_reason, tool_name, with_config
    from tools.spaces import SpaceSession, is_hub_id

    with tempfile.TemporaryDirectory(prefix="diorama-describe-") as folder:
        session = SpaceSession(source, label=source, download_dir=Path(folder),
                               connect_timeout_s=connect_timeout_s, token=token)
        try:
            try:
                session.client()
            except SpaceUnavailableError as exc:
                if isinstance(exc.__cause__, (TimeoutError, httpx.TimeoutException)):
                    raise  # slow, not wrong: its own message names the timeout to raise
                status = None if is_hub_id(source) else _answers_http(source, min(connect_timeout_s, 5.0))
                if status is not None:
                    raise SpaceUnavailableError(
                        f"{source} answers HTTP {status} but is not a Gradio app (no Gradio config); "
                        "give the root URL of a Gradio app or a Space id.", space=source) from exc
                raise
            api = session.client().view_api(return_format="dict", print_info=False)
            config = session.client().config or {}
            name = space_name(source, config.get("title"))
        finally:
            session.close()
    try:
        endpoints = parse_api(api)
    except DioramaError as exc:
        raise SpaceUnavailableError(f"{source} returned an API schema Diorama cannot read: {exc}",
                                    space=source) from exc
    if not endpoints:
        raise SpaceUnavailableError(f"{source} is a Gradio app but exposes no API endpoints (its events are all "
                                    "hidden); nothing can be called.", space=source)
    not_tools = {e.api_name: reason for e in endpoints if (reason := phantom_reason(e, config))}
    callable_ = [with_config(e, config) for e in endpoints if e.api_name not in not_tools]
    if not callable_:
        raise SpaceUnavailableError(f"{source} lists only endpoints that cannot be called: "
                                    + "; ".join(f"{k}: {v}" for k, v in not_tools.items()), space=source)
    specs = [build_spec(e, name=tool_name(name, e.api_name), space_label=source) for e in callable_]
    return [tool_entry(spec, source) for spec in specs], not_tools


def main(source: str, *, connect_timeout_s: float = 30.0, token: str | None = None) -> int:
    """Print the JSON list for `source` on stdout and return 0, or one line on stderr and return 1."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio_client is imported
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    from tools.errors import DioramaError

    try:
        entries, not_tools = describe_all(source, connect_timeout_s=connect_timeout_s, token=token)
    except DioramaError as exc:
        print(f"diorama --describe: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    for endpoint, reason in not_tools.items():  # apart from the JSON list: these are not tools
        print(f"diorama --describe: not a tool: {endpoint}: {reason}", file=sys.stderr)
    return print_json(entries)


def print_json(value: Any) -> int:
    """Print `value` as indented JSON on stdout (a CLI command's result); returns the exit code, 0."""
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
    return 0
