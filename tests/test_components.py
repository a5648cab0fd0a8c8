"""Every component the installed Gradio exports: mapped to a tool argument and back, or refused per tool.

The zoo's "components" app has one identity endpoint per exported component class; each mapped input is sent
through the real tool (validation, file wrapping) and its value comes back through the tool's output handling.
The "strict" app counts the requests that reach it, so a test proves invalid input was never sent.
"""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
import trimesh
from PIL import Image

from agent.config import ToolConfig
from tests.conftest import served
from tests.zoo.apps import NOT_BUILDABLE, components, exported_components, phantom, strict
from tools import describe as describe_module
from tools.errors import InvalidInputError
from tools.registry import Registry
from tools.schema import parse_api, phantom_reason
from tools.space_tool import CallContext

# Components whose events carry no value in the API (buttons, timers' ticks, state, canvases): nothing to map.
NO_API_VALUE = {"Button", "ClearButton", "DeepLinkButton", "DuplicateButton", "State", "WorkflowCanvas"}


@pytest.fixture(scope="module")
def components_url() -> str:
    yield from served(components())


@pytest.fixture(scope="module")
def strict_url() -> str:
    yield from served(strict())


@pytest.fixture(scope="module")
def described(components_url) -> dict[str, dict]:
    return {e["endpoint"]: e for e in describe_module.describe(components_url, connect_timeout_s=20)}


def _tools(url: str, endpoints: dict[str, str], run_dir: Path):
    registry = Registry(tuple(ToolConfig(name=n, space=url, endpoint=e) for n, e in endpoints.items()),
                        connect_timeout_s=20)
    return registry.load(CallContext(run_dir=run_dir, emit=lambda e: None, call_timeout_s=20, attempts=1))


def _call(url: str, endpoint: str, run_dir: Path, value):
    loaded = _tools(url, {"tool": endpoint}, run_dir)
    try:
        assert loaded.failed == {}, loaded.failed
        return loaded.tools["tool"](value=value)
    finally:
        loaded.close()


def test_every_exported_component_is_mapped_or_refused_with_a_note(described):
    exported = exported_components()
    mapped, unsupported = [], []
    for name in exported:
        if name in NOT_BUILDABLE:
            continue
        entry = described[f"/id_{name}"]
        if name in NO_API_VALUE:
            assert entry["inputs"] == {} and entry["outputs"] == [], name
            continue
        (param,) = entry["inputs"].values()
        if "unsupported" in entry:
            assert entry["unsupported"].startswith("Not supported: input 'value'"), name
            unsupported.append(name)
            continue
        assert "not supported" not in param["description"], name
        assert entry["outputs"][0]["kind"] != "other", name
        mapped.append(name)
    assert sorted(unsupported) == ["AnnotatedImage", "ImageEditor", "ImageMask", "Paint", "Sketchpad"]
    assert len(mapped) + len(unsupported) + len(NO_API_VALUE) + len(NOT_BUILDABLE) == len(exported)


def test_descriptions_say_how_to_pass_each_shape(described):
    def param(name: str) -> dict:
        return described[f"/id_{name}"]["inputs"]["value"]

    assert param("Gallery")["type"] == "array"
    assert 'list of local image paths, e.g. ["a.png", "b.png"]; to caption one, give {"image": "a.png", ' \
           '"caption": "text"}' in param("Gallery")["description"]
    assert "exactly two local image paths [before, after]" in param("ImageSlider")["description"]
    assert '{"text": "...", "files": [local file paths]}' in param("MultimodalTextbox")["description"]
    assert param("MultimodalTextbox")["type"] == "object"
    assert "a list of values; each one of 'red', 'green', 'blue'" in param("CheckboxGroup")["description"]
    assert param("Dropdown")["type"] == "array" and param("CheckboxGroup")["type"] == "array"
    assert "a table as a list of rows" in param("DataFrame")["description"]
    assert "formatted as YYYY-MM-DD HH:MM:SS" in param("DateTime")["description"]


def _png(path: Path, colour=(200, 10, 10), size=(16, 8)) -> str:
    Image.new("RGB", size, colour).save(path)
    return str(path)


def _wav(path: Path) -> str:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x01" * 800)
    return str(path)


def _glb(path: Path) -> str:
    path.write_bytes(trimesh.Scene([trimesh.creation.box()]).export(file_type="glb"))
    return str(path)


PLAIN = [  # (component, value sent, value expected back)
    ("Text", "hello", "hello"), ("TextArea", "two\nlines", "two\nlines"), ("Code", "print(1)", "print(1)"),
    ("ColorPicker", "#ff0000", "#ff0000"), ("HTML", "<b>x</b>", "<b>x</b>"), ("Markdown", "# x", "# x"),
    ("Number", 2.5, 2.5), ("Slider", 30, 30), ("Checkbox", True, True), ("Radio", "blue", "blue"),
    ("CheckboxGroup", ["red", "blue"], ["red", "blue"]), ("Dropdown", ["green"], ["green"]),
    ("JSON", {"a": [1, 2]}, {"a": [1, 2]}), ("BrowserState", {"k": 1}, {"k": 1}),
    ("DateTime", "2024-01-02 03:04:05", "2024-01-02 03:04:05"),
    ("Dialogue", [{"speaker": "A", "text": "hi"}], "[A] hi"),  # the function gets the transcript as text
    ("Highlight", [{"token": "cat", "class_or_confidence": "animal"}],
     [{"token": "cat", "class_or_confidence": "animal"}]),
    ("FileExplorer", [["a.txt"]], [["a.txt"]]),
    ("Dataset", 0, 0), ("Timer", 2.5, 2.5), ("Navbar", [["Home", "/"]], [["Home", "/"]]),
    ("ParamViewer", {"a": {"type": "int", "description": "x", "default": "1"}},
     {"a": {"type": "int", "description": "x", "default": "1"}}),
    ("Plot", {"type": "plotly", "plot": '{"data": []}'}, {"type": "plotly", "plot": '{"data": []}'}),
    *[(name, plot, plot) for name, plot in (
        ("BarPlot", {"columns": ["x", "y"], "data": [["a", 2]], "datatypes": {"x": "nominal", "y": "quantitative"},
                     "mark": "bar"}),
        ("LinePlot", {"columns": ["x", "y"], "data": [[1, 2], [2, 3]],
                      "datatypes": {"x": "quantitative", "y": "quantitative"}, "mark": "line"}),
        ("ScatterPlot", {"columns": ["x", "y"], "data": [[1, 2]],
                         "datatypes": {"x": "quantitative", "y": "quantitative"}, "mark": "point"}))],
]


@pytest.mark.parametrize(("component", "value", "expected"), PLAIN, ids=[p[0] for p in PLAIN])
def test_plain_values_round_trip(components_url, tmp_path, component, value, expected):
    result = _call(components_url, f"/id_{component}", tmp_path, value)
    assert result == expected


def test_structured_values_round_trip(components_url, tmp_path):
    label = _call(components_url, "/id_Label", tmp_path, {"label": "cat", "confidences": [
        {"label": "cat", "confidence": 0.9}]})
    assert label["label"] == "cat"
    chat = _call(components_url, "/id_Chatbot", tmp_path, [{"role": "user", "content": "hi"}])
    assert chat[0]["role"] == "user" and chat[0]["content"] == [{"text": "hi", "type": "text"}]
    for table_like in ("DataFrame", "List", "Matrix", "Numpy"):  # the last three are Dataframes too
        table = _call(components_url, f"/id_{table_like}", tmp_path, [[1, 2], [3, 4]])
        assert table["data"] == [[1, 2], [3, 4]] and len(table["headers"]) == 2, table_like


def _mp4(path: Path) -> str:
    """An MP4 file's header box only: Gradio passes video files through without decoding them."""
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    return str(path)


FILES = ["File", "Image", "Audio", "Mic", "Model3D", "UploadButton", "DownloadButton", "Video", "PlayableVideo"]


@pytest.mark.parametrize("component", FILES)
def test_a_file_input_takes_a_path_and_the_output_is_a_local_copy(components_url, tmp_path, component):
    source = {"Audio": _wav, "Mic": _wav, "Model3D": _glb, "Video": _mp4, "PlayableVideo": _mp4}.get(component, _png)(
        tmp_path / {"Audio": "in.wav", "Mic": "in.wav", "Model3D": "in.glb", "Video": "in.mp4",
                    "PlayableVideo": "in.mp4"}.get(component, "in.png"))
    result = _call(components_url, f"/id_{component}", tmp_path, source)
    assert Path(result).parent == tmp_path / "assets" and Path(result).is_file()
    if component not in ("Audio", "Mic", "Image"):  # re-encoded by Gradio
        assert Path(result).read_bytes() == Path(source).read_bytes()


def test_a_gallery_takes_paths_and_optional_captions(components_url, tmp_path):
    first, second = _png(tmp_path / "a.png"), _png(tmp_path / "b.png", (0, 0, 200))
    result = _call(components_url, "/id_Gallery", tmp_path, [first, {"image": second, "caption": "blue"}])
    assert [item["caption"] for item in result] == [None, "blue"]
    assert [Image.open(item["image"]).getpixel((0, 0)) for item in result] == [(200, 10, 10), (0, 0, 200)]
    assert all(Path(item["image"]).parent == tmp_path / "assets" for item in result)  # copied into the run


def test_files_and_an_image_slider_take_lists_of_paths(components_url, tmp_path):
    first, second = _png(tmp_path / "a.png"), _png(tmp_path / "b.png", (0, 0, 200))
    files = _call(components_url, "/id_Files", tmp_path, [first, second])
    assert [Path(f).read_bytes() for f in files] == [Path(first).read_bytes(), Path(second).read_bytes()]
    pair = _call(components_url, "/id_ImageSlider", tmp_path, [first, second])
    assert [Image.open(p).getpixel((0, 0)) for p in pair] == [(200, 10, 10), (0, 0, 200)]
    with pytest.raises(InvalidInputError, match=r"'value' must be exactly two local image paths"):
        _call(components_url, "/id_ImageSlider", tmp_path, [first])


def test_a_multimodal_textbox_takes_text_and_files(components_url, tmp_path):
    picture = _png(tmp_path / "a.png")
    result = _call(components_url, "/id_MultimodalTextbox", tmp_path, {"text": "look", "files": [picture]})
    assert result["text"] == "look" and Image.open(result["files"][0]).size == (16, 8)
    assert Path(result["files"][0]).parent == tmp_path / "assets"  # copied into the run folder
    assert _call(components_url, "/id_MultimodalTextbox", tmp_path, "just text") == {"text": "just text",
                                                                                     "files": []}


def test_a_multimodal_file_outside_the_run_folder_is_refused(components_url, tmp_path, tmp_path_factory):
    elsewhere = _png(tmp_path_factory.mktemp("elsewhere") / "x.png")
    with pytest.raises(InvalidInputError, match=r"'value' files must be a file this run made"):
        _call(components_url, "/id_MultimodalTextbox", tmp_path, {"text": "x", "files": [elsewhere]})


def test_an_unsupported_input_leaves_that_tool_out_and_loads_the_others(components_url, tmp_path):
    loaded = _tools(components_url, {"editor": "/id_ImageEditor", "echo": "/id_Text"}, tmp_path)
    try:
        assert list(loaded.tools) == ["echo"] and loaded.tools["echo"](value="still here") == "still here"
        assert "is not supported: input 'value' (Imageeditor) takes an image-editor value" in loaded.failed["editor"]
    finally:
        loaded.close()


def _counts(url: str, tmp_path: Path) -> dict:
    loaded = _tools(url, {"counts": "/counts"}, tmp_path)
    try:
        return loaded.tools["counts"]()
    finally:
        loaded.close()


GOOD = {"name": "vase", "copies": 2, "size": 8, "colour": "red", "tags": ["old"], "hollow": True}
INVALID = [  # (argument changes, message phrase)
    ({"copies": "two"}, r"'copies' must be a whole number between 1 and 5, got 'two'"),
    ({"copies": 2.5}, r"'copies' must be a whole number between 1 and 5, got 2.5"),
    ({"copies": 9}, r"'copies' must be a whole number between 1 and 5, got 9"),
    ({"copies": [2]}, r"'copies' must be a whole number"),
    ({"copies": True}, r"'copies' must be a whole number"),
    ({"size": 7}, r"'size' must be a whole number between 2 and 64 in steps of 2, got 7"),
    ({"size": 8.5}, r"'size' must be a whole number between 2 and 64 in steps of 2, got 8.5"),
    ({"size": 100}, r"'size' must be a whole number between 2 and 64"),
    ({"colour": "blue"}, r"'colour' must be text; one of 'red', 'green', got 'blue'"),
    ({"tags": "old"}, r"'tags' must be a list of 'old', 'new', got 'old'"),
    ({"tags": ["old", "shiny"]}, r"'tags' must be a list whose items are each; one of 'old', 'new', got 'shiny'"),
    ({"hollow": "yes"}, r"'hollow' must be true or false, got 'yes'"),
    ({"name": 3}, r"'name' must be text \(a string\), got 3"),
    ({"name": None}, r"place needs 'name' \(Name\)"),
    ({"shape": "cube"}, r"place has no argument 'shape'; valid: name, copies, size, colour, tags, hollow"),
]


@pytest.mark.parametrize(("change", "phrase"), INVALID, ids=[next(iter(c)) + "=" + repr(c[next(iter(c))])
                                                             for c, _ in INVALID])
def test_invalid_arguments_are_refused_before_any_request(strict_url, tmp_path, change, phrase):
    before = _counts(strict_url, tmp_path).get("place", 0)
    events: list[dict] = []
    registry = Registry((ToolConfig("place", strict_url, "/place"),), connect_timeout_s=20)
    loaded = registry.load(CallContext(run_dir=tmp_path, emit=events.append, call_timeout_s=20, attempts=2))
    try:
        with pytest.raises(InvalidInputError, match=phrase):
            loaded.tools["place"](**{k: v for k, v in (GOOD | change).items() if v is not None})
    finally:
        loaded.close()
    assert events == []  # no call started: nothing sent, nothing retried, no breaker permit taken
    assert registry.breaker(strict_url, "/place").allow() is not None
    assert _counts(strict_url, tmp_path).get("place", 0) == before


def test_valid_arguments_are_normalised_and_sent(strict_url, tmp_path):
    before = _counts(strict_url, tmp_path).get("place", 0)
    loaded = _tools(strict_url, {"place": "/place"}, tmp_path)
    try:
        placed = loaded.tools["place"](**(GOOD | {"copies": 3.0, "size": 64.0}))
    finally:
        loaded.close()
    assert placed == "3 x vase 64 red old hollow"
    assert _counts(strict_url, tmp_path)["place"] == before + 1


def test_a_file_of_the_wrong_type_is_refused_before_any_request(strict_url, tmp_path):
    picture = _png(tmp_path / "a.png")
    text = tmp_path / "a.txt"
    text.write_text("fine\n")
    loaded = _tools(strict_url, {"read": "/read_text"}, tmp_path)
    try:
        assert ".txt" in loaded.tools["read"].inputs["document"]["description"]
        with pytest.raises(InvalidInputError, match=r"'document' must be the path of a local file ending in .txt"):
            loaded.tools["read"](document=picture)
        assert loaded.tools["read"](document=str(text)) == "fine\n"
    finally:
        loaded.close()
    assert _counts(strict_url, tmp_path)["read_text"] == 1


def _ghost_config(real: dict) -> dict:
    """The phantom app's config with the "/ghost" event removed: the API page still lists it."""
    return {**real, "dependencies": [d for d in real["dependencies"] if d.get("api_name") != "ghost"]}


def test_a_phantom_endpoint_is_not_a_tool(tmp_path, monkeypatch):
    from gradio_client import Client

    original = Client.__init__

    def with_ghost(self, *args, **kwargs) -> None:
        """Fake: the client's copy of the config loses "/ghost", because no real Gradio 6 app lists an event on
        its API page that its config lacks (the phantom state some hosted Spaces are in)."""
        original(self, *args, **kwargs)
        self.config = _ghost_config(self.config)

    for demo_url in served(phantom()):
        monkeypatch.setattr(Client, "__init__", with_ghost)
        loaded = _tools(demo_url, {"real": "/real", "ghost": "/ghost"}, tmp_path)
        try:
            assert loaded.tools["real"](t="abc") == "cba"
            assert "Endpoint '/ghost' of" in loaded.failed["ghost"]
            assert "no event of the app's config has api_name 'ghost'" in loaded.failed["ghost"]
        finally:
            loaded.close()
        entries, not_tools = describe_module.describe_all(demo_url, connect_timeout_s=20)
        assert [e["endpoint"] for e in entries] == ["/real"]
        assert not_tools["/ghost"].startswith("no event of the app's config has api_name 'ghost'")


def test_phantom_reasons_come_from_the_config():
    (schema,) = parse_api({"named_endpoints": {"/js": {"parameters": [], "returns": []}}})
    js_only = {"dependencies": [{"id": 0, "api_name": "js", "backend_fn": False}]}
    private = {"dependencies": [{"id": 0, "api_name": "js", "backend_fn": True, "api_visibility": "private"}]}
    assert "runs only in the browser" in phantom_reason(schema, js_only)
    assert "marks the event private" in phantom_reason(schema, private)
    assert phantom_reason(schema, {}) is None  # no config: nothing can be told


def test_a_tool_that_cannot_be_built_never_sinks_a_run(components_url, companion_urls, settings):
    """A MultimodalTextbox crashed every run (issue 16); now an unsupported input is one failed tool."""
    from agent.runner import ChainRunner

    extra = (ToolConfig("edit_image", components_url, "/id_ImageEditor"),
             ToolConfig("chat_box", components_url, "/id_MultimodalTextbox"))
    outcome = ChainRunner(settings.with_overrides(tools=(*settings.tools, *extra))).run_to_end(
        "a gallery of a red box and a blue box")
    assert outcome.error is None, outcome.error
    loaded = next(e for e in outcome.log["events"] if e["type"] == "tools_loaded")
    assert set(loaded["failed"]) == {"edit_image"} and "is not supported" in loaded["failed"]["edit_image"]
    assert "chat_box" in [t["name"] for t in loaded["tools"]]


def test_an_unexpected_error_building_one_tool_is_reported_for_that_tool(components_url, tmp_path, monkeypatch):
    from tools import registry as registry_module

    real = registry_module.build_spec

    def broken(schema, *, name, **kwargs):
        """Fake: `build_spec` failing for one tool, because the real one has no known input that makes it raise;
        the registry must still contain such a bug to that tool."""
        if name == "bad":
            raise TypeError("unhashable type: 'dict'")
        return real(schema, name=name, **kwargs)

    monkeypatch.setattr(registry_module, "build_spec", broken)
    loaded = _tools(components_url, {"bad": "/id_Text", "good": "/id_Number"}, tmp_path)
    loaded.close()
    assert list(loaded.tools) == ["good"]
    assert loaded.failed["bad"].startswith("Diorama could not build this tool (TypeError: unhashable type: 'dict')")


def test_an_unlabelled_output_is_named_after_its_component():
    (schema,) = parse_api({"named_endpoints": {"/chat": {"parameters": [], "returns": [
        {"label": "value_2", "component": "Textbox", "python_type": {"type": "str"}}]}}})
    assert (schema.outputs[0].label, schema.outputs[0].key) == ("Textbox", "textbox")
