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
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from tools.errors import SpaceOutputError

FILE_COMPONENTS = {"file", "model3d", "image", "audio", "video", "uploadbutton", "downloadbutton"}
ValueKind = Literal["file", "files", "json", "text", "number", "integer", "boolean", "list", "table", "multimodal",
                    "unsupported", "other"]
# Structured values passed as JSON both ways (a Chatbot's messages with text content, a Label's confidences...).
_JSON_COMPONENTS = {"json", "chatbot", "dialogue", "highlightedtext", "label", "plot", "barplot", "lineplot",
                    "scatterplot", "paramviewer", "browserstate", "fileexplorer", "navbar"}
# How a "files" argument is sent: "" a list of handle_file, "gallery" [{"image": file, "caption": c}], "pair" two files.
FileForm = Literal["", "gallery", "pair"]
# Inputs whose value holds files inside a structure Diorama does not build yet: the tool is refused, with this note.
_UNSUPPORTED_INPUTS = {
    "imageeditor": "an image-editor value (background, layers and composite images)",
    "annotatedimage": "an annotated image (an image plus mask annotations)",
}

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
    form: FileForm = ""
    step: float | None = None
    file_types: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    info: str = ""
    format_note: str = ""
    custom_values: bool = False  # a Dropdown with allow_custom_value: its choices are suggestions
    unsupported: str = ""  # why Diorama cannot send this input (the tool is then not built)

    @property
    def tool_type(self) -> str:
        if self.kind in ("other", "unsupported"):
            return _PYTYPE_TO_TOOL_TYPE.get(self.python_type, "any")
        return _kind_type(self.kind)


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
    trigger: str = ""  # what starts it in the app's UI, e.g. 'the "Bye" button in the "Farewell" tab'

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
    return {"file": "string", "files": "array", "json": "any", "text": "string", "list": "array",
            "table": "array", "multimodal": "object",
            "number": "number", "integer": "integer", "boolean": "boolean"}.get(kind, "any")


def _value_kind(component: str, python_type: str, *, output: bool = False) -> ValueKind:
    """How a value of this component travels; the mapping of every Gradio component is pinned by
    tests/test_components.py."""
    component = component.lower()
    if component == "gallery":
        return "json" if output else "files"  # out: [{"image": path, "caption": text}]
    if component == "imageslider":
        return "files"  # two paths
    if component == "multimodaltextbox":
        return "json" if output else "multimodal"
    if component == "dataframe":
        return "json" if output else "table"
    if component in _UNSUPPORTED_INPUTS:
        return "json" if output else "unsupported"
    if component in _JSON_COMPONENTS:
        return "json"
    if python_type.startswith("list[filepath"):
        return "files"
    if component in FILE_COMPONENTS or python_type == "filepath":
        return "files" if python_type.startswith("list") else "file"
    if component == "json":
        return "json"
    if python_type.startswith("list[Literal[") or (component in ("dropdown", "checkboxgroup")
                                                   and python_type.startswith("list")):
        return "list"
    if python_type in {"str"} or python_type.startswith("Literal["):
        return "text"
    if python_type == "int":
        return "integer"
    if python_type == "float":
        return "number"
    if python_type == "bool":
        return "boolean"
    if "filepath" in python_type:
        return "json" if output else "unsupported"
    if python_type.startswith(("list", "dict", "tuple", "str | float | bool | list | dict")):
        return "json"
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
        if re.fullmatch(r"(?:value|output|param)_\d+", label) and raw.get("component"):
            label = str(raw["component"])  # Gradio's placeholder for an unlabelled output says nothing
        key = slug(label)
        while key in seen:
            key = f"{key}_{index}"
        seen.add(key)
        python_type = str((raw.get("python_type") or {}).get("type", ""))
        component = str(raw.get("component", ""))
        outputs.append(Output(key=key, label=label, component=component,
                              kind=_value_kind(component, python_type, output=True)))
    return EndpointSchema(api_name=api_name, params=tuple(params), outputs=tuple(outputs),
                          doc=str(info.get("description") or "").strip())


def _parse_param(raw: dict[str, Any], index: int) -> Param:
    python_type = str((raw.get("python_type") or {}).get("type", "")).strip()
    json_type = raw.get("type") if isinstance(raw.get("type"), dict) else {}
    component = str(raw.get("component", ""))
    label = str(raw.get("label") or "")
    name = raw.get("parameter_name") or slug(label or f"arg {index}")
    kind = _value_kind(component, python_type)
    lower = component.lower()
    form: FileForm = "gallery" if lower == "gallery" else "pair" if lower == "imageslider" else ""
    unsupported = ""
    if kind == "unsupported":
        what = _UNSUPPORTED_INPUTS.get(lower, f"a {component or 'custom'} value ({python_type or 'no type'})")
        unsupported = (f"input '{name}' ({component or 'unknown component'}) takes {what}, which Diorama cannot "
                       "send yet")
    has_default = bool(raw.get("parameter_has_default", False))
    default = raw.get("parameter_default")
    items = json_type.get("items") if isinstance(json_type.get("items"), dict) else {}
    choices = json_type.get("enum") or items.get("enum") or ()
    range_note = _range_note(json_type)
    bounds = _RANGE.search(range_note)
    minimum, maximum = (float(bounds.group(1)), float(bounds.group(2))) if bounds else (None, None)
    example = raw.get("example_input")
    if kind in ("file", "files", "multimodal", "unsupported") or (isinstance(example, str)
                                                                   and example in _GRADIO_PLACEHOLDERS):
        example = None  # file examples are remote URLs a tool cannot pass
    if has_default and default not in (None, ""):
        example = default
    note = json_type.get("description") if isinstance(json_type.get("description"), str) else ""
    return Param(name=name, label=label, component=component, python_type=python_type, kind=kind,
                 required=not has_default, default=default, choices=tuple(choices), range_note=range_note,
                 minimum=minimum, maximum=maximum, example=example, unit=_unit(label, name), form=form,
                 format_note=note if note.startswith("Formatted as") else "", unsupported=unsupported)


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


def whole_steps(param: Param) -> bool:
    """A Slider whose step and start are whole numbers: only whole numbers are on its grid."""
    start = param.minimum if param.minimum is not None else 0.0
    return bool(param.step) and float(param.step).is_integer() and float(start).is_integer()


def _file_phrase(param: Param) -> str:
    holds = _FILE_FORMATS.get(param.component.lower())
    text = f" holding {holds}" if holds else ""
    if param.file_types:
        text += " (accepted: " + ", ".join(param.file_types) + ")"
    return text


def _param_description(param: Param) -> str:
    """One argument for the LLM: meaning, format, range or choices, unit, example, default."""
    what = param.label or param.name.replace("_", " ")
    if param.kind == "file":
        text = (f"{what}: path of a local file{_file_phrase(param)}"
                " (a path returned by another tool works)")
    elif param.kind == "files" and param.form == "gallery":
        text = (f"{what}: list of local image paths, e.g. [\"a.png\", \"b.png\"]; to caption one, give "
                "{\"image\": \"a.png\", \"caption\": \"text\"} instead of its path")
    elif param.kind == "files" and param.form == "pair":
        text = f"{what}: exactly two local image paths [before, after], e.g. [\"a.png\", \"b.png\"]"
    elif param.kind == "files":
        text = f"{what}: list of local file paths{_file_phrase(param)}, e.g. the paths returned by other tools"
    elif param.kind == "multimodal":
        text = (f"{what}: {{\"text\": \"...\", \"files\": [local file paths]}}, e.g. "
                "{\"text\": \"describe this\", \"files\": [\"a.png\"]}; plain text also works")
    elif param.kind == "table":
        cols = f" with columns {', '.join(param.headers)}" if param.headers else ""
        text = f"{what}: a table as a list of rows{cols}, e.g. [[1, 2], [3, 4]]"
    elif param.kind == "list":
        text = f"{what}: a list of values"
    elif param.kind == "json" and param.component.lower() == "chatbot":
        text = (f"{what}: a list of chat messages, e.g. [{{\"role\": \"user\", \"content\": \"Hello\"}}, "
                "{\"role\": \"assistant\", \"content\": \"Hi!\"}]")
    elif param.kind == "json":
        text = f"{what}: a JSON value ({param.component or 'JSON'})"
    elif param.kind == "unsupported":
        text = f"{what}: not supported: {param.unsupported}"
    else:
        form = {"text": "text", "integer": "whole number", "number": "number", "boolean": "true or false"}
        shown = form.get(param.kind, param.python_type or "any")
        component = param.component.lower()
        text = f"{what} ({shown})" if component in ("", "textbox", "number", "checkbox") else \
            f"{what} ({component}, {shown})"
    if param.info:
        text += f" ({param.info.rstrip('.')})"
    if param.choices:
        text += ("; each one of " if param.kind == "list" else "; one of ") + ", ".join(repr(c) for c in param.choices)
        if param.custom_values:
            text += " (other values are accepted too)"
    if param.minimum is not None and param.maximum is not None:
        text += f"; a number between {_number(param.minimum)} and {_number(param.maximum)}"
    elif param.range_note:
        text += f"; {param.range_note}"
    elif param.minimum is not None:
        text += f"; at least {_number(param.minimum)}"
    elif param.maximum is not None:
        text += f"; at most {_number(param.maximum)}"
    if param.format_note:
        text += f"; {param.format_note[0].lower()}{param.format_note[1:]}"
    if param.unit:
        text += f", in {param.unit}"
    if param.step and param.kind in ("integer", "number") and param.component.lower() == "slider":
        text += "; whole numbers only" if whole_steps(param) and param.step == 1 else \
            f"; in steps of {_number(param.step)}"
    if param.example is not None and not param.choices and param.kind in ("text", "integer", "number", "json",
                                                                           "list", "other"):
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
                "number": "number", "boolean": "true/false", "json": "JSON", "list": "list",
                "table": "rows", "multimodal": "text and files", "unsupported": "not supported"}.get(param.kind, "value")
        if param.form == "pair":
            kind = "two file paths"
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
    where = f" In the app: {schema.trigger}." if schema.trigger else ""
    if first:
        return (first if first.endswith((".", "!", "?")) else first + ".") + where
    ins = ", ".join(p.label or p.name for p in schema.params) or "nothing"
    outs = ", ".join(o.label for o in schema.outputs) or "nothing"
    return f"Turns {ins} into {outs} (the endpoint has no docstring).{where}"


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


def _dependency(config: dict[str, Any], api_name: str, fn_index: int | None) -> dict[str, Any] | None:
    name = api_name.lstrip("/")
    return next((d for i, d in enumerate(config.get("dependencies") or [])
                 if (fn_index is not None and d.get("id", i) == fn_index)
                 or (fn_index is None and d.get("api_name") == name)), None)


def _trigger(dependency: dict[str, Any], components: dict[Any, dict[str, Any]], layout: dict[str, Any]) -> str:
    """The UI element whose event runs the endpoint, and the tab it sits in, in words ("" if none is named)."""
    for target in dependency.get("targets") or []:
        if not isinstance(target, (list, tuple)) or len(target) != 2:
            continue
        component = components.get(target[0]) or {}
        props = component.get("props") or {}
        kind, event = str(component.get("type") or ""), str(target[1])
        name = props.get("value") if kind == "button" else props.get("label")
        if not isinstance(name, str) or not name.strip():
            continue
        what = f'the "{name.strip()[:60]}" button' if kind == "button" else f'"{name.strip()[:60]}" ({kind}, on {event})'
        tabs = [label for label in _tabs_around(layout, target[0], components) if label]
        return what + "".join(f' in the "{tab[:60]}" tab' for tab in reversed(tabs))
    return ""


def _tabs_around(node: dict[str, Any], wanted: Any, components: dict[Any, dict[str, Any]]) -> list[str] | None:
    """Labels of the tabs enclosing component `wanted` in the layout tree, innermost first; None if not found."""
    if node.get("id") == wanted:
        return []
    for child in node.get("children") or []:
        found = _tabs_around(child, wanted, components) if isinstance(child, dict) else None
        if found is not None:
            component = components.get(node.get("id")) or {}
            if component.get("type") == "tabitem":
                found.append(str((component.get("props") or {}).get("label") or ""))
            return found
    return None


def phantom_reason(schema: EndpointSchema, config: dict[str, Any] | None) -> str | None:
    """Why an endpoint the API page lists cannot be called (no Python function behind it), or None.

    `config` is the app's `/config` (`Client.config`); without dependencies nothing can be told: None.
    """
    if not config or not config.get("dependencies"):
        return None
    dependency = _dependency(config, schema.api_name, schema.fn_index)
    if dependency is None:
        return (f"no event of the app's config has api_name '{schema.api_name.lstrip('/')}': the API page lists "
                "it, but no function runs behind it")
    if dependency.get("backend_fn") is False:
        return "the event runs only in the browser (JavaScript): it has no Python function to call"
    if dependency.get("api_visibility") == "private":
        return "the app marks the event private: it is not part of its API"
    return None


def with_config(schema: EndpointSchema, config: dict[str, Any] | None) -> EndpointSchema:
    """The schema completed from the app's config: what view_api leaves out of each input.

    A Slider's step (an integer step makes the argument a whole number), a Number's bounds, a File's accepted
    types, a Dataframe's headers, a Dropdown's allow_custom_value and each component's `info`. Inputs are
    matched by position (gr.State and `skip_api` inputs are not arguments); if the count differs, the schema
    is returned as it is.
    """
    dependency = _dependency(config or {}, schema.api_name, schema.fn_index)
    if dependency is None:
        return schema
    components = {c.get("id"): c for c in (config or {}).get("components") or []}
    schema = replace(schema, trigger=_trigger(dependency, components, (config or {}).get("layout") or {}))
    shown = [components.get(i) or {} for i in dependency.get("inputs") or []]
    shown = [c for c in shown if c.get("type") != "state" and not c.get("skip_api")]
    if len(shown) != len(schema.params):
        return schema
    params = []
    for param, component in zip(schema.params, shown):
        props = component.get("props") or {}
        changes: dict[str, Any] = {}
        step = props.get("step")
        if isinstance(step, (int, float)) and not isinstance(step, bool) and step > 0 \
                and param.kind in ("number", "integer"):
            changes["step"] = float(step)  # an integer step on an integer grid: `tools.validate` wants whole numbers
        if props.get("precision") == 0 and param.kind == "number":
            changes["kind"] = "integer"
        for bound in ("minimum", "maximum"):
            value = props.get(bound)
            if getattr(param, bound) is None and isinstance(value, (int, float)) and not isinstance(value, bool):
                changes[bound] = float(value)
        if isinstance(props.get("file_types"), list) and param.kind in ("file", "files"):
            changes["file_types"] = tuple(str(t) for t in props["file_types"])
        if isinstance(props.get("headers"), list) and param.kind == "table":
            changes["headers"] = tuple(str(h) for h in props["headers"])
        if props.get("allow_custom_value"):
            changes["custom_values"] = True
        if isinstance(props.get("info"), str) and props["info"].strip():
            changes["info"] = " ".join(props["info"].split())
        params.append(replace(param, **changes) if changes else param)
    return replace(schema, params=tuple(params))


def unsupported_note(schema: EndpointSchema) -> str:
    """Why no tool can be made from this endpoint ("" when one can): its inputs Diorama cannot send."""
    notes = [p.unsupported for p in schema.params if p.unsupported]
    return "; ".join(notes)
