"""Tool arguments checked against the endpoint's schema before any request: type, whole numbers, ranges,
choices, list and table shapes, accepted file types.

Every check raises `InvalidInputError` naming the tool, the argument and what it expects, so a bad call is
never sent, never retried and never counts against the Space (`DioramaError.counts_against_space`). Paths are
only checked for shape here; whether a file exists and may be sent is `SpaceTool`'s and `tools.file_args`'s job.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from tools.errors import InvalidInputError
from tools.schema import Param, whole_steps

__all__ = ["check_value"]


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _fail(tool: str, param: Param, expects: str, value: Any) -> InvalidInputError:
    return InvalidInputError(f"{tool}: '{param.name}' must be {expects}, got {_shown(value)}.")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _range(param: Param) -> str:
    if param.minimum is not None and param.maximum is not None:
        return f" between {param.minimum:g} and {param.maximum:g}"
    if param.minimum is not None:
        return f" of at least {param.minimum:g}"
    if param.maximum is not None:
        return f" of at most {param.maximum:g}"
    return ""


def _number(tool: str, param: Param, value: Any) -> int | float:
    whole = param.kind == "integer" or (param.component.lower() == "slider" and whole_steps(param))
    expects = ("a whole number" if whole else "a number") + _range(param)
    if whole and param.step not in (None, 1.0):
        expects += f" in steps of {param.step:g}"
    if not _is_number(value):
        raise _fail(tool, param, expects, value)
    if whole:
        if not float(value).is_integer():
            raise _fail(tool, param, expects, value)
        value = int(value)
    if (param.minimum is not None and value < param.minimum) or (param.maximum is not None
                                                                  and value > param.maximum):
        raise _fail(tool, param, expects, value)
    if whole and param.step and param.step > 1:
        start = param.minimum or 0.0
        if not ((value - start) / param.step).is_integer():
            raise _fail(tool, param, expects, value)
    return value


def _choice(tool: str, param: Param, value: Any, expects: str) -> Any:
    if param.choices and not param.custom_values and value not in param.choices:
        raise _fail(tool, param, expects + "; one of " + ", ".join(repr(c) for c in param.choices), value)
    return value


def _path(tool: str, param: Param, value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise _fail(tool, param, what, value)
    if param.file_types:
        suffixes = [t.lower() for t in param.file_types if t.startswith(".")]
        if suffixes and Path(value).suffix.lower() not in suffixes and len(suffixes) == len(param.file_types):
            raise _fail(tool, param, f"{what} ending in {', '.join(param.file_types)}", value)
    return value


def _files(tool: str, param: Param, value: Any) -> list[Any]:
    if param.form == "pair":
        expects = "exactly two local image paths [before, after]"
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise _fail(tool, param, expects, value)
        return [_path(tool, param, v, expects) for v in value]
    if param.form == "gallery":
        expects = 'a list of local image paths, or {"image": path, "caption": text} items'
        items = value if isinstance(value, (list, tuple)) else [value]
        out: list[Any] = []
        for item in items:
            if isinstance(item, dict):
                if set(item) - {"image", "caption"} or "image" not in item \
                        or not isinstance(item.get("caption") or "", str):
                    raise _fail(tool, param, expects, item)
                out.append({"image": _path(tool, param, item["image"], expects), "caption": item.get("caption")})
            else:
                out.append(_path(tool, param, item, expects))
        return out
    items = value if isinstance(value, (list, tuple)) else [value]
    return [_path(tool, param, v, "a list of local file paths") for v in items]


def _table(tool: str, param: Param, value: Any) -> dict[str, Any]:
    expects = "a table: a list of rows (each a list of values of the same length)"
    if isinstance(value, dict):
        if set(value) - {"headers", "data", "metadata"} or "data" not in value:
            raise _fail(tool, param, expects + ', or {"headers": [...], "data": [rows]}', value)
        headers, rows = value.get("headers"), value["data"]
    else:
        headers, rows = None, value
    if not isinstance(rows, (list, tuple)) or not all(isinstance(r, (list, tuple)) for r in rows) \
            or len({len(r) for r in rows}) > 1:
        raise _fail(tool, param, expects, value)
    width = len(rows[0]) if rows else len(headers or param.headers)
    if headers is None:
        headers = list(param.headers) if len(param.headers) == width else [str(i + 1) for i in range(width)]
    if not isinstance(headers, (list, tuple)) or len(headers) != width:
        raise _fail(tool, param, f"{expects}; headers must name each of its {width} columns", value)
    return {"headers": list(headers), "data": [list(r) for r in rows], "metadata": None}


def _multimodal(tool: str, param: Param, value: Any) -> dict[str, Any]:
    expects = '{"text": "...", "files": [local file paths]} or plain text'
    if isinstance(value, str):
        return {"text": value, "files": []}
    if not isinstance(value, dict) or set(value) - {"text", "files"}:
        raise _fail(tool, param, expects, value)
    text, files = value.get("text", ""), value.get("files") or []
    if not isinstance(text, str) or not isinstance(files, (list, tuple)):
        raise _fail(tool, param, expects, value)
    return {"text": text, "files": [_path(tool, param, f, expects) for f in files]}


def _messages(tool: str, param: Param, value: Any) -> list[dict[str, Any]]:
    """Chat messages as Gradio 6 takes them: a text content becomes [{"type": "text", "text": ...}]."""
    expects = 'a list of messages {"role": "user" or "assistant", "content": "text"}'
    if not isinstance(value, (list, tuple)) or not all(isinstance(m, dict) and m.get("role") in (
            "user", "assistant", "system") and "content" in m for m in value):
        raise _fail(tool, param, expects, value)
    return [{**m, "content": [{"type": "text", "text": m["content"]}]} if isinstance(m["content"], str) else dict(m)
            for m in value]


def check_value(tool: str, param: Param, value: Any) -> Any:
    """`value` as it will be sent for `param`, or `InvalidInputError` saying what the argument expects.

    Args:
        tool: the tool's name, for the message.
        param: the argument's schema (with the app's config: `tools.schema.with_config`).
        value: what the caller gave; not None (required/default handling is the caller's).

    Returns:
        The value, normalised: whole numbers as int, a table as Gradio's {"headers", "data"}, a multimodal text
        as {"text", "files"}, file arguments as lists of paths (gallery items may keep a caption).
    """
    kind = param.kind
    if kind == "unsupported":
        raise InvalidInputError(f"{tool}: '{param.name}' is not supported: {param.unsupported}.")
    if kind == "text":
        if not isinstance(value, str):
            raise _fail(tool, param, "text (a string)", value)
        return _choice(tool, param, value, "text")
    if kind in ("number", "integer"):
        return _number(tool, param, value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _fail(tool, param, "true or false", value)
        return value
    if kind == "list":
        if not isinstance(value, (list, tuple)):
            raise _fail(tool, param, "a list" + (" of " + ", ".join(repr(c) for c in param.choices)
                                                 if param.choices else ""), value)
        if param.choices and not param.custom_values:
            for item in value:
                _choice(tool, param, item, "a list whose items are each")
        return list(value)
    if kind == "file":
        if isinstance(value, dict):
            return value  # a multi-output result passed whole: `SpaceTool` takes its single file
        return _path(tool, param, value, "the path of a local file")
    if kind == "files":
        return _files(tool, param, value)
    if kind == "table":
        return _table(tool, param, value)
    if kind == "multimodal":
        return _multimodal(tool, param, value)
    if kind == "json" and param.component.lower() == "chatbot":
        return _messages(tool, param, value)
    if kind == "json":
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise _fail(tool, param, "a JSON value (text, numbers, lists, dicts)", value) from None
    return value
