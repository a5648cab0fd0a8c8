"""Turn a Gradio endpoint's API schema (`Client.view_api`) into a tool spec.

The spec is everything a smolagents `Tool` needs (name, description, typed
inputs, output type) plus how to treat each argument and output at call time.
Nothing here is hand-written per Space: it all comes from the schema (labels,
parameter names, types, defaults, choices, slider ranges, example inputs, the
function's docstring and the declared output components), and the config may
override the name and description.

Endpoints: Gradio 4+ names every event (`api_name`, or the function's name when
none is given, e.g. "/lambda"), so nearly every endpoint is in
`view_api()["named_endpoints"]`. Only older servers list "unnamed_endpoints"
keyed by function index; `parse_api` gives those the api name "/fn_<index>"
and records `EndpointSchema.fn_index`: they must be called with
`Client.submit(..., fn_index=<index>)`, not with that api name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from tools.errors import SpaceOutputError

FILE_COMPONENTS = {"file", "model3d", "image", "audio", "video", "uploadbutton", "gallery", "imageslider"}
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
# What a file of each component holds, for descriptions.
_FILE_FORMATS = {
    "image": "an image (PNG, JPEG or WebP)",
    "model3d": "a 3D model (.glb, .gltf or .obj)",
    "audio": "an audio file (WAV or MP3)",
    "video": "a video (MP4)",
    "gallery": "images",
}
_UNIT_WORDS = {"m": "metres", "cm": "centimetres", "mm": "millimetres", "s": "seconds", "ms": "milliseconds",
               "px": "pixels", "deg": "degrees", "kg": "kilograms", "%": "percent"}
_RANGE = re.compile(r"between\s+(-?[\d.eE+-]+)\s+and\s+(-?[\d.eE+-]+)")
_GRADIO_PLACEHOLDERS = {"Hello!!"}  # gradio's generic Textbox example_input, not a hint about this endpoint


@dataclass(frozen=True)
class Param:
    """One endpoint argument, as the schema declares it.

    `minimum`/`maximum` come from a Slider's range, `example` from the default
    or the schema's example_input, `unit` from the label ("Depth (m)") or the
    name ("height_m").
    """

    name: str
    label: str
    component: str
    python_type: str
    kind: ValueKind
    required: bool
    default: Any = None
    choices: tuple[Any, ...] = ()
    range_note: str = ""
    minimum: float | None = None
    maximum: float | None = None
    example: Any = None
    unit: str = ""

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
    """An endpoint's arguments, outputs and docstring.

    `fn_index` is set only for endpoints an old Gradio server lists as unnamed:
    their `api_name` ("/fn_3") is generated here and the server does not know
    it; they are called by function index.

    `fixed` are inputs the API page does not list but the server still expects,
    such as a Button whose label is an input (Stable Fast 3D): they are sent
    with their value from the app's config (`SpaceSession.hidden_inputs`).
    """

    api_name: str
    params: tuple[Param, ...]
    outputs: tuple[Output, ...]
    doc: str = ""
    fn_index: int | None = None
    fixed: tuple[tuple[int, Any], ...] = ()  # (position, value) of inputs the API hides but the server needs

    def wire(self, values: list[Any]) -> list[Any]:
        """The arguments to send: `values` (one per param) with the `fixed` inputs put in their places."""
        out = list(values)
        for position, value in self.fixed:
            out.insert(position, value)
        return out


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


def tool_name(space_name: str, api_name: str) -> str:
    """The tool name for one endpoint of a Space: "acme/Shap-E", "/generate" -> "shap_e_generate"."""
    return slug(f"{space_name.rsplit('/', 1)[-1]} {api_name}")


def parse_api(api: dict[str, Any]) -> list[EndpointSchema]:
    """Every endpoint of `view_api(return_format="dict")`: the named ones, then the unnamed ones.

    Unnamed endpoints (old Gradio servers only) get api_name "/fn_<index>" and `fn_index`.

    Raises:
        SpaceOutputError: an entry lacks parameters or returns.
    """
    endpoints = [parse_endpoint(name, info) for name, info in (api.get("named_endpoints") or {}).items()]
    for index, info in sorted((api.get("unnamed_endpoints") or {}).items(), key=lambda kv: int(kv[0])):
        schema = parse_endpoint(f"/fn_{int(index)}", info)
        endpoints.append(EndpointSchema(api_name=schema.api_name, params=schema.params, outputs=schema.outputs,
                                        doc=schema.doc, fn_index=int(index)))
    return endpoints


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
    params = [_parse_param(raw, index) for index, raw in enumerate(info["parameters"])]
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


def _parse_param(raw: dict[str, Any], index: int) -> Param:
    python_type = str((raw.get("python_type") or {}).get("type", "")).strip()
    json_type = raw.get("type") if isinstance(raw.get("type"), dict) else {}
    component = str(raw.get("component", ""))
    label = str(raw.get("label") or "")
    name = raw.get("parameter_name") or slug(label or f"arg {index}")
    kind = _value_kind(component, python_type)
    has_default = bool(raw.get("parameter_has_default", False))
    default = raw.get("parameter_default")
    choices = json_type.get("enum") or (json_type.get("items") or {}).get("enum") or ()
    range_note = _range_note(json_type)
    bounds = _RANGE.search(range_note)
    minimum, maximum = (float(bounds.group(1)), float(bounds.group(2))) if bounds else (None, None)
    example = raw.get("example_input")
    if kind in ("file", "files") or example in _GRADIO_PLACEHOLDERS:
        example = None  # file examples are remote URLs a tool cannot pass
    if has_default and default not in (None, ""):
        example = default
    return Param(name=name, label=label, component=component, python_type=python_type, kind=kind,
                 required=not has_default, default=default, choices=tuple(choices), range_note=range_note,
                 minimum=minimum, maximum=maximum, example=example, unit=_unit(label, name))


def _range_note(json_type: Any) -> str:
    if isinstance(json_type, dict):
        note = json_type.get("description") or ""
        if isinstance(note, str) and "between" in note:
            return note
    return ""


def _unit(label: str, name: str) -> str:
    """The unit a label or name states: "Depth (m)" -> "metres", "height_m" -> "metres", else ""."""
    found = re.search(r"\(([^()]{1,12})\)\s*$", label) or re.search(r"(?:^|\s)in\s+(\w+)\s*$", label)
    if found:
        word = found.group(1).strip()
        return _UNIT_WORDS.get(word.lower(), word)
    suffix = re.search(r"_(m|cm|mm|s|ms|px|deg|kg)$", name)
    return _UNIT_WORDS[suffix.group(1)] if suffix else ""


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _param_description(param: Param) -> str:
    """One argument for the LLM: meaning, format, range or choices, unit, example, default."""
    what = param.label or param.name.replace("_", " ")
    if param.kind == "file":
        holds = _FILE_FORMATS.get(param.component.lower())
        text = (f"{what}: path of a local file" + (f" holding {holds}" if holds else "")
                + " (a path returned by another tool works)")
    elif param.kind == "files":
        text = f"{what}: list of local file paths, e.g. the paths returned by other tools"
    elif param.kind == "json":
        text = f"{what}: a JSON-serialisable value"
    else:
        form = {"text": "text", "integer": "whole number", "number": "number", "boolean": "true or false"}
        shown = form.get(param.kind, param.python_type or "any")
        component = param.component.lower()
        text = f"{what} ({shown})" if component in ("", "textbox", "number", "checkbox") else \
            f"{what} ({component}, {shown})"
    if param.choices:
        text += "; one of " + ", ".join(repr(c) for c in param.choices)
    if param.minimum is not None and param.maximum is not None:
        text += f"; a number between {_number(param.minimum)} and {_number(param.maximum)}"
    elif param.range_note:
        text += f"; {param.range_note}"
    if param.unit:
        text += f", in {param.unit}"
    if param.example is not None and not param.choices and param.kind not in ("file", "files", "boolean"):
        text += f"; e.g. {param.example!r}"
    if not param.required:
        text += f"; optional, default {param.default!r}"
    return text + "."


def _component_word(component: str) -> str:
    return {"model3d": "3D model", "json": "JSON", "html": "HTML"}.get(component.lower(), component)


def _output_phrase(output: Output) -> str:
    noun = output.label if output.label.lower().endswith("file") else f"{output.label} file"
    return {
        "file": f"'{output.key}': local path of the {noun} ({_component_word(output.component)})",
        "files": f"'{output.key}': list of local file paths ({output.label})",
        "json": f"'{output.key}': a JSON value ({output.label})",
    }.get(output.kind, f"'{output.key}': {output.label} ({_component_word(output.component)}, "
                       f"{_kind_type(output.kind) if output.kind != 'other' else 'any'})")


def _input_summary(schema: EndpointSchema) -> str:
    """"Takes prompt (text) and seed (whole number, default 0)." — the full detail is in each input."""
    if not schema.params:
        return "Takes no arguments."
    parts = []
    for param in schema.params:
        kind = {"file": "file path", "files": "list of file paths", "text": "text", "integer": "whole number",
                "number": "number", "boolean": "true/false", "json": "JSON"}.get(param.kind, "value")
        if param.minimum is not None and param.maximum is not None:
            kind += f" {_number(param.minimum)}-{_number(param.maximum)}"
        if param.unit:
            kind += f" {param.unit}"
        if param.choices:
            kind += " from " + "/".join(str(c) for c in param.choices[:6]) + ("/..." if len(param.choices) > 6 else "")
        parts.append(f"{param.name} ({kind}{'' if param.required else ', default ' + repr(param.default)})")
    return "Takes " + (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]) + "."


def endpoint_summary(schema: EndpointSchema) -> str:
    """What the endpoint does: its docstring's first paragraph, else a sentence made from its labels."""
    first = re.split(r"\n\s*\n|\n\s*(?:Args|Parameters|Returns):", schema.doc, maxsplit=1)[0]
    first = " ".join(first.split())
    if first:
        return first if first.endswith((".", "!", "?")) else first + "."
    ins = ", ".join(p.label or p.name for p in schema.params) or "nothing"
    outs = ", ".join(o.label for o in schema.outputs) or "nothing"
    return f"Turns {ins} into {outs} (the endpoint has no docstring)."


def build_spec(
    schema: EndpointSchema,
    *,
    name: str,
    space_label: str,
    description: str | None = None,
    card: str = "",
) -> ToolSpec:
    """Make the tool spec for one endpoint.

    Args:
        schema: the parsed endpoint.
        name: the tool's Python name, e.g. "text_to_3d".
        space_label: where it runs, shown in the description, e.g. "local:text_to_3d".
        description: a hand-written description that replaces the generated one.
        card: a sentence from the Space's card (`tools.space_card.SpaceCard.sentence`), put after the summary.

    Returns:
        The spec; with one output the tool returns that value, with several a
        dict keyed by each output's slugged label. The generated description is
        what it does, where it runs, its inputs in brief, and what it returns.
    """
    inputs = {}
    for param in schema.params:
        entry: dict[str, Any] = {"type": param.tool_type, "description": _param_description(param)}
        if not param.required:
            entry["nullable"] = True
        inputs[param.name] = entry
    outputs = schema.outputs
    if not outputs:
        output_type = "null"
        returns = "Returns nothing."
    elif len(outputs) == 1:
        only = outputs[0]
        output_type = _kind_type(only.kind)
        returns = "Returns " + _output_phrase(only).split(": ", 1)[1] + "."
    else:
        output_type = "object"
        returns = "Returns a dict with " + "; ".join(_output_phrase(o) for o in outputs) + "."
    if description is None:
        description = (
            f"{endpoint_summary(schema)} {card + ' ' if card else ''}Runs on the Gradio Space {space_label}, "
            f"endpoint {schema.api_name}. "
            f"{_input_summary(schema)} {returns} "
            "Raises an error with the Space's own message if it rejects the input."
        )
    return ToolSpec(name=name, description=description, inputs=inputs, output_type=output_type,
                    endpoint=schema, output_keys=tuple(o.key for o in outputs))


def shape_result(spec: ToolSpec, raw: Any, *, space: str) -> Any:
    """Map a `Client.predict` result onto the spec's declared outputs.

    A generator endpoint needs nothing special: `predict`/`Job.result()` give its last value.

    Raises:
        SpaceOutputError: if the number of values differs from the declaration.
    """
    outputs = spec.endpoint.outputs
    if len(outputs) == 1:
        return raw
    if not outputs:
        return None
    values = list(raw) if isinstance(raw, (tuple, list)) else None
    if values is None or len(values) != len(outputs):
        got = f"{len(values)} values" if values is not None else type(raw).__name__
        raise SpaceOutputError(
            f"{space} {spec.endpoint.api_name} declared {len(outputs)} outputs but returned {got}; "
            "the Space's API may have changed: check its 'Use via API' page and update the config.",
            space=space, endpoint=spec.endpoint.api_name,
        )
    return {o.key: v for o, v in zip(outputs, values)}
