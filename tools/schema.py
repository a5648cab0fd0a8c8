"""Turn a Gradio endpoint's API schema (`Client.view_api`) into a tool spec.

The spec is everything a smolagents `Tool` needs (name, description, typed
inputs, output type) plus how to treat each argument and output at call time.
Nothing here is hand-written per Space: it all comes from the schema, and the
config may override the name and description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from tools.errors import SpaceOutputError

FILE_COMPONENTS = {"file", "model3d", "image", "audio", "video", "uploadbutton", "gallery"}
ValueKind = Literal["file", "files", "json", "text", "number", "integer", "boolean", "other"]

_PYTYPE_TO_TOOL_TYPE = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "filepath": "string",
    "list[filepath]": "array",
    "dict": "object",
}


@dataclass(frozen=True)
class Param:
    """One endpoint argument, as the schema declares it."""

    name: str
    label: str
    component: str
    python_type: str
    kind: ValueKind
    required: bool
    default: Any = None
    choices: tuple[Any, ...] = ()
    range_note: str = ""

    @property
    def tool_type(self) -> str:
        return _PYTYPE_TO_TOOL_TYPE.get(self.python_type, "any" if self.kind == "other" else _kind_type(self.kind))


@dataclass(frozen=True)
class Output:
    """One value the endpoint returns."""

    key: str
    label: str
    component: str
    kind: ValueKind


@dataclass(frozen=True)
class EndpointSchema:
    """An endpoint's arguments, outputs and docstring."""

    api_name: str
    params: tuple[Param, ...]
    outputs: tuple[Output, ...]
    doc: str = ""


@dataclass(frozen=True)
class ToolSpec:
    """What a `SpaceTool` is built from."""

    name: str
    description: str
    inputs: dict[str, dict[str, Any]]
    output_type: str
    endpoint: EndpointSchema
    output_keys: tuple[str, ...] = field(default=())


def _kind_type(kind: ValueKind) -> str:
    return {"file": "string", "files": "array", "json": "object", "text": "string",
            "number": "number", "integer": "integer", "boolean": "boolean"}.get(kind, "any")


def _value_kind(component: str, python_type: str) -> ValueKind:
    component = component.lower()
    if python_type.startswith("list[filepath"):
        return "files"
    if component in FILE_COMPONENTS or python_type == "filepath":
        return "files" if python_type.startswith("list") else "file"
    if component == "json":
        return "json"
    if python_type in {"str"} or python_type.startswith("Literal["):
        return "text"
    if python_type == "int":
        return "integer"
    if python_type == "float":
        return "number"
    if python_type == "bool":
        return "boolean"
    return "other"


def slug(text: str) -> str:
    """A Python identifier made of lower-case words: "GLB files" -> "glb_files"."""
    words = re.sub(r"[^0-9a-zA-Z]+", " ", text).strip().lower().split()
    name = "_".join(words) or "value"
    return f"v_{name}" if name[0].isdigit() else name


def parse_endpoint(api_name: str, info: dict[str, Any]) -> EndpointSchema:
    """Parse one entry of `view_api(return_format="dict")["named_endpoints"]`.

    Raises:
        SpaceOutputError: if the entry lacks parameters or returns.
    """
    if "parameters" not in info or "returns" not in info:
        raise SpaceOutputError(
            f"The API schema of '{api_name}' has no parameters/returns list; is this a Gradio app?",
            space="", endpoint=api_name,
        )
    params = []
    for raw in info["parameters"]:
        python_type = str((raw.get("python_type") or {}).get("type", "")).strip()
        json_type = raw.get("type") or {}
        component = str(raw.get("component", ""))
        params.append(
            Param(
                name=raw.get("parameter_name") or slug(raw.get("label", "arg")),
                label=str(raw.get("label") or ""),
                component=component,
                python_type=python_type,
                kind=_value_kind(component, python_type),
                required=not raw.get("parameter_has_default", False),
                default=raw.get("parameter_default"),
                choices=tuple(json_type.get("enum", ()) if isinstance(json_type, dict) else ()),
                range_note=_range_note(json_type),
            )
        )
    outputs = []
    seen: set[str] = set()
    for index, raw in enumerate(info["returns"]):
        label = str(raw.get("label") or f"output {index}")
        key = slug(label)
        while key in seen:
            key = f"{key}_{index}"
        seen.add(key)
        python_type = str((raw.get("python_type") or {}).get("type", ""))
        component = str(raw.get("component", ""))
        outputs.append(Output(key=key, label=label, component=component, kind=_value_kind(component, python_type)))
    return EndpointSchema(api_name=api_name, params=tuple(params), outputs=tuple(outputs),
                          doc=str(info.get("description") or "").strip())


def _range_note(json_type: Any) -> str:
    if isinstance(json_type, dict):
        note = json_type.get("description") or ""
        if isinstance(note, str) and "between" in note:
            return note
    return ""


def _param_description(param: Param) -> str:
    what = param.label or param.name.replace("_", " ")
    if param.kind == "file":
        text = f"{what}: path of a local file (a path returned by another tool works)"
    elif param.kind == "files":
        text = f"{what}: list of local file paths, e.g. the paths returned by other tools"
    elif param.kind == "json":
        text = f"{what}: a JSON-serialisable value"
    else:
        text = f"{what} ({param.component.lower()}, {param.python_type or 'any'})"
    if param.choices:
        text += "; one of " + ", ".join(repr(c) for c in param.choices)
    if param.range_note:
        text += f"; {param.range_note}"
    if not param.required:
        text += f"; optional, default {param.default!r}"
    return text + "."


def _output_phrase(output: Output) -> str:
    return {
        "file": f"'{output.key}': local path of the {output.label} file ({output.component})",
        "files": f"'{output.key}': list of local file paths ({output.label})",
        "json": f"'{output.key}': a JSON value ({output.label})",
    }.get(output.kind, f"'{output.key}': {output.label} ({output.component})")


def build_spec(
    schema: EndpointSchema,
    *,
    name: str,
    space_label: str,
    description: str | None = None,
) -> ToolSpec:
    """Make the tool spec for one endpoint.

    Args:
        schema: the parsed endpoint.
        name: the tool's Python name, e.g. "text_to_3d".
        space_label: where it runs, shown in the description, e.g. "local:text_to_3d".
        description: a hand-written description that replaces the generated one.

    Returns:
        The spec; with one output the tool returns that value, with several a
        dict keyed by each output's slugged label.
    """
    inputs = {}
    for param in schema.params:
        entry: dict[str, Any] = {"type": param.tool_type, "description": _param_description(param)}
        if not param.required:
            entry["nullable"] = True
        inputs[param.name] = entry
    outputs = schema.outputs
    if len(outputs) == 1:
        only = outputs[0]
        output_type = _kind_type(only.kind)
        returns = "Returns " + _output_phrase(only).split(": ", 1)[1] + "."
    else:
        output_type = "object"
        returns = "Returns a dict with " + "; ".join(_output_phrase(o) for o in outputs) + "."
    if description is None:
        first = schema.doc.split("\n\n", 1)[0].strip() or f"Calls {schema.api_name}."
        description = (
            f"{first} Runs on the Gradio Space {space_label}, endpoint {schema.api_name}. {returns} "
            "Raises an error with the Space's own message if it rejects the input."
        )
    return ToolSpec(name=name, description=description, inputs=inputs, output_type=output_type,
                    endpoint=schema, output_keys=tuple(o.key for o in outputs))


def shape_result(spec: ToolSpec, raw: Any, *, space: str) -> Any:
    """Map a `Client.predict` result onto the spec's declared outputs.

    Raises:
        SpaceOutputError: if the number of values differs from the declaration.
    """
    outputs = spec.endpoint.outputs
    if len(outputs) == 1:
        return raw
    values = list(raw) if isinstance(raw, (tuple, list)) else None
    if values is None or len(values) != len(outputs):
        got = f"{len(values)} values" if values is not None else type(raw).__name__
        raise SpaceOutputError(
            f"{space} {spec.endpoint.api_name} declared {len(outputs)} outputs but returned {got}; "
            "the Space's API may have changed: check its 'Use via API' page and update the config.",
            space=space, endpoint=spec.endpoint.api_name,
        )
    return {o.key: v for o, v in zip(outputs, values)}
