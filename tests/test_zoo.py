"""Any Gradio app becomes a tool: a zoo of real apps (tests/zoo), each described and called by a real CodeAgent.

The scripted LLM is the only fake: its code calls the generated tool through the
real smolagents executor, the tool calls the app through gradio_client.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import trimesh
from smolagents import CodeAgent
from smolagents.monitoring import LogLevel

from agent.config import ToolConfig
from tests.scripted_model import ScriptedLLM
from tests.zoo import ZOO
from tools.describe import describe
from tools.registry import Registry
from tools.schema import parse_api
from tools.errors import SpaceOutputError
from tools.space_tool import CallContext


@pytest.fixture(scope="session")
def zoo_urls() -> dict[str, str]:
    """Every zoo app, launched in this process on 127.0.0.1."""
    demos, urls = [], {}
    for name, build in ZOO.items():
        demo = build()
        demo.queue()
        _, urls[name], _ = demo.launch(server_name="127.0.0.1", prevent_thread_lock=True, quiet=True)
        demos.append(demo)
    yield urls
    for demo in demos:
        demo.close()


def _described(url: str) -> dict[str, dict]:
    return {entry["endpoint"]: entry for entry in describe(url, connect_timeout_s=10)}


def _run(url: str, tools: dict[str, str], code: str, tmp_path: Path, *, timeout_s: float = 10.0):
    """Load `tools` (name -> endpoint) from one app and let a CodeAgent run `code`; returns (answer, events)."""
    events: list[dict] = []
    registry = Registry(tuple(ToolConfig(name=n, space=url, endpoint=e) for n, e in tools.items()),
                        connect_timeout_s=10)
    loaded = registry.load(CallContext(run_dir=tmp_path, emit=events.append, call_timeout_s=timeout_s, attempts=1))
    assert loaded.failed == {}
    try:
        agent = CodeAgent(tools=list(loaded.tools.values()),
                          model=ScriptedLLM([f"Thought: call the tool.\n<code>\n{code}\n</code>"]),
                          max_steps=2, verbosity_level=LogLevel.OFF, executor_kwargs={"timeout_seconds": None})
        answer = agent.run("Use the tool.")
    finally:
        loaded.close()
    errors = [e["error"] for e in events if e["status"] == "error"]
    assert not errors, errors
    return answer, events


def test_one_input_one_output(zoo_urls, tmp_path):
    entry = _described(zoo_urls["echo"])["/shout"]
    assert entry["name"] == "zoo_echo_shout" and entry["output_type"] == "string"
    assert entry["description"].startswith("Shout the text back in capitals")
    assert "Takes text (text). Returns Shouted (Textbox, string)." in entry["description"]
    assert entry["inputs"]["text"]["type"] == "string" and entry["inputs"]["text"]["required"]
    answer, _ = _run(zoo_urls["echo"], {"shout": "/shout"}, 'final_answer(shout(text="hello zoo"))', tmp_path)
    assert answer == "HELLO ZOO!"


def test_several_outputs_become_a_dict_with_a_local_file(zoo_urls, tmp_path):
    entry = _described(zoo_urls["report"])["/report"]
    assert entry["output_type"] == "object"
    assert [o["key"] for o in entry["outputs"]] == ["report_file", "preview", "score"]
    assert [o["kind"] for o in entry["outputs"]] == ["file", "text", "number"]
    assert "'report_file': local path of the Report file (File)" in entry["description"]
    assert entry["inputs"]["count"] | {"description": ""} == {
        "type": "integer", "description": "", "nullable": True, "label": "Lines", "component": "Number",
        "required": False, "default": 3}
    answer, _ = _run(zoo_urls["report"], {"report": "/report"},
                     'r = report(title="Paris", count=2)\nfinal_answer(r)', tmp_path)
    assert set(answer) == {"report_file", "preview", "score"}
    assert Path(answer["report_file"]).parent == tmp_path / "assets"
    assert Path(answer["report_file"]).read_text() == "1. Paris\n2. Paris\n"
    assert answer["preview"].count("<li>Paris</li>") == 2 and answer["score"] == 10


def test_file_in_file_out(zoo_urls, tmp_path):
    entry = _described(zoo_urls["files"])["/reverse_lines"]
    assert "path of a local file (a path returned by another tool works)" in entry["inputs"]["document"]["description"]
    source = tmp_path / "in.txt"
    source.write_text("one\ntwo\nthree\n")
    answer, events = _run(zoo_urls["files"], {"reverse_lines": "/reverse_lines"},
                          f'final_answer(reverse_lines(document="{source}"))', tmp_path)
    assert Path(answer).read_text() == "three\ntwo\none\n"
    assert events[-1]["output"].startswith("assets/")


def test_model3d_output_is_a_checked_local_glb(zoo_urls, tmp_path):
    entry = _described(zoo_urls["model3d"])["/make_box"]
    size = entry["inputs"]["size_m"]
    assert size["type"] == "number" and size["unit"] == "metres" and size["default"] == 1.0
    assert "in metres" in size["description"] and "local path of the GLB file (3D model)" in entry["description"]
    answer, _ = _run(zoo_urls["model3d"], {"make_box": "/make_box"}, "final_answer(make_box(size_m=2.5))", tmp_path)
    scene = trimesh.load(answer, file_type="glb", force="scene")
    assert scene.bounds[1][1] == pytest.approx(2.5) and "cube" in scene.graph.nodes_geometry


def test_several_named_endpoints_become_several_tools(zoo_urls, tmp_path):
    described = _described(zoo_urls["calculator"])
    assert sorted(described) == ["/add", "/multiply"]
    assert described["/multiply"]["name"] == "zoo_calculator_multiply"
    answer, _ = _run(zoo_urls["calculator"], {"add": "/add", "multiply": "/multiply"},
                     "final_answer(multiply(a=add(a=2, b=3), b=4))", tmp_path)
    assert answer == 20


def test_endpoints_without_api_name_are_named_after_their_function(zoo_urls, tmp_path):
    described = _described(zoo_urls["unnamed"])
    assert sorted(described) == ["/count_words", "/lambda"]  # api_name=False stays hidden
    assert described["/lambda"]["description"].startswith("Turns Text into Reversed (the endpoint has no docstring).")
    answer, _ = _run(zoo_urls["unnamed"], {"count_words": "/count_words"},
                     'final_answer(count_words(text="three little words"))', tmp_path)
    assert answer == 3


def test_unnamed_endpoints_of_old_servers_are_listed_with_their_fn_index():
    named = {"parameters": [], "returns": [{"label": "Out", "component": "Textbox", "python_type": {"type": "str"}}]}
    api = {"named_endpoints": {"/predict": named},
           "unnamed_endpoints": {"3": {**named, "description": "Old style."}, "1": named}}
    endpoints = parse_api(api)
    assert [(e.api_name, e.fn_index) for e in endpoints] == [("/predict", None), ("/fn_1", 1), ("/fn_3", 3)]


def test_a_generator_gives_its_final_value(zoo_urls, tmp_path):
    entry = _described(zoo_urls["generator"])["/countdown"]
    assert "default 3" in entry["inputs"]["start"]["description"]
    answer, _ = _run(zoo_urls["generator"], {"countdown": "/countdown"}, "final_answer(countdown(start=2))", tmp_path)
    assert answer == "liftoff"


def test_state_persists_between_calls_of_one_run_only(zoo_urls, tmp_path):
    described = _described(zoo_urls["stateful"])
    assert list(described["/remember"]["inputs"]) == ["note"]  # the gr.State is not an argument
    assert described["/recall"]["inputs"] == {} and "Takes no arguments." in described["/recall"]["description"]
    tools = {"remember": "/remember", "recall": "/recall"}
    code = 'remember(note="blue door")\nremember(note="red roof")\nfinal_answer(recall())'
    answer, _ = _run(zoo_urls["stateful"], tools, code, tmp_path / "run1")
    assert answer == "blue door; red roof"
    answer, _ = _run(zoo_urls["stateful"], tools, "final_answer(recall())", tmp_path / "run2")
    assert answer == "(nothing stored)"  # a new run is a new gradio_client session


def test_pooled_clients_are_reused_by_the_next_run_without_its_state(zoo_urls, tmp_path):
    """One registry (as a server has) hands a run's idle client to the next run, with a fresh gradio session."""
    registry = Registry((ToolConfig("remember", zoo_urls["stateful"], "/remember"),
                         ToolConfig("recall", zoo_urls["stateful"], "/recall")),
                        connect_timeout_s=10, download_dir=tmp_path / "downloads")
    clients = []
    for run in ("run1", "run2"):
        loaded = registry.load(CallContext(run_dir=tmp_path / run, emit=lambda e: None, call_timeout_s=10,
                                           attempts=1))
        try:
            if run == "run1":
                loaded.tools["remember"](note="private to run 1")
            clients.append(loaded.sessions[0].client())
            recalled = loaded.tools["recall"]()
        finally:
            loaded.close()
        assert recalled == ("private to run 1" if run == "run1" else "(nothing stored)")
    assert clients[0] is clients[1]  # the connection was reused, its Space-side state was not


def test_a_slow_space_is_waited_for(zoo_urls, tmp_path):
    answer, events = _run(zoo_urls["slow"], {"slow_echo": "/slow_echo"}, 'final_answer(slow_echo(text="later"))',
                          tmp_path, timeout_s=10)
    assert answer == "later" and events[-1]["duration_s"] >= 1.0


def test_choices_and_ranges_are_in_the_description(zoo_urls, tmp_path):
    entry = _described(zoo_urls["choices"])["/configure"]
    inputs = entry["inputs"]
    assert inputs["shape"]["choices"] == ["cube", "sphere", "cone"] and inputs["shape"]["default"] == "cube"
    assert "one of 'red', 'green', 'blue'" in inputs["colour"]["description"]
    assert (inputs["size"]["minimum"], inputs["size"]["maximum"]) == (0.5, 5.0)
    assert "a number between 0.5 and 5, in metres" in inputs["size"]["description"]
    assert inputs["hollow"]["type"] == "boolean" and inputs["hollow"]["default"] is False
    assert "size (number 0.5-5 metres, default 1.0)" in entry["description"]
    answer, _ = _run(zoo_urls["choices"], {"configure": "/configure"},
                     'final_answer(configure(shape="cone", colour="blue", size=2.5))', tmp_path)
    assert answer == {"shape": "cone", "colour": "blue", "size": 2.5, "count": 2, "hollow": False}


def test_an_image_input_takes_a_local_path(zoo_urls, tmp_path):
    from PIL import Image

    entry = _described(zoo_urls["image_size"])["/measure"]
    assert "holding an image (PNG, JPEG or WebP)" in entry["inputs"]["image"]["description"]
    picture = tmp_path / "p.png"
    Image.new("RGB", (64, 32), (200, 10, 10)).save(picture)
    answer, _ = _run(zoo_urls["image_size"], {"measure": "/measure"}, f'final_answer(measure(image="{picture}"))',
                     tmp_path)
    assert answer == "64x32"


def _fn_index(url: str, api_name: str) -> int:
    """The function index the server gives an endpoint (its dependency id), as gradio_client reads it."""
    from gradio_client import Client

    client = Client(url, verbose=False, download_files=False)
    try:
        return next(i for i, e in client.endpoints.items() if e.api_name == api_name)
    finally:
        client.close()


def test_a_session_calls_an_endpoint_by_fn_index(zoo_urls, tmp_path):
    from tools.spaces import SpaceSession

    index = _fn_index(zoo_urls["calculator"], "/multiply")
    session = SpaceSession(zoo_urls["calculator"], label="calc", download_dir=tmp_path, connect_timeout_s=10)
    try:  # "/fn_N" is unknown to this server as an api_name: only the fn_index can reach the function
        assert session.call(f"/fn_{index}", [6, 7], timeout_s=10, fn_index=index) == 42
    finally:
        session.close()


def test_an_old_servers_unnamed_endpoint_becomes_a_tool_called_by_fn_index(zoo_urls, tmp_path, monkeypatch):
    """A recorded Gradio 3.x-style view_api (no parameter names, only unnamed endpoints) -> "/fn_N" tool.

    The schema is the recorded one; the calls go to the real calculator app, by function index.
    """
    from tools.describe import tool_entry
    from tools.schema import build_spec
    from tools.spaces import SpaceSession

    number = {"type": {"type": "number"}, "python_type": {"type": "float", "description": ""}, "component": "Number"}
    index = _fn_index(zoo_urls["calculator"], "/multiply")
    recorded = {"named_endpoints": {}, "unnamed_endpoints": {str(index): {
        "parameters": [{"label": "A", **number, "example_input": 3}, {"label": "B", **number, "example_input": 3}],
        "returns": [{"label": "Result", **number}]}}}
    # Fake: a Gradio 3.x server's API page, because Gradio 3 cannot be installed beside Gradio 6 here
    monkeypatch.setattr(SpaceSession, "api_info", lambda self: recorded)
    (schema,) = parse_api(recorded)
    note = tool_entry(build_spec(schema, name="old_fn", space_label="old"), "old")["note"]
    assert note == f'Unnamed endpoint (old Gradio server): Diorama calls it by fn_index {index}; use endpoint = ' \
                   f'"/fn_{index}" in a [[tools]] entry.'
    answer, events = _run(zoo_urls["calculator"], {"times": f"/fn_{index}"}, "final_answer(times(a=6, b=7))",
                          tmp_path)
    assert answer == 42 and events[-1]["endpoint"] == f"/fn_{index}"


def test_an_unknown_fn_endpoint_names_the_available_ones(zoo_urls, tmp_path):
    registry = Registry((ToolConfig(name="f", space=zoo_urls["calculator"], endpoint="/fn_9"),), connect_timeout_s=10)
    loaded = registry.load(CallContext(run_dir=tmp_path, emit=lambda e: None, call_timeout_s=5, attempts=1))
    loaded.close()
    assert "Endpoint '/fn_9' not found" in loaded.failed["f"] and "'/add', '/multiply'" in loaded.failed["f"]
    assert "newer servers name every endpoint" in loaded.failed["f"]


def test_a_button_passed_as_an_input_is_sent_with_its_label(zoo_urls, tmp_path):
    """The API page hides the Button (skip_api), but the function takes its label: Diorama sends it itself."""
    described = _described(zoo_urls["button_input"])
    assert list(described["/run"]["inputs"]) == ["size"]
    answer, _ = _run(zoo_urls["button_input"], {"run": "/run"}, 'final_answer(run(size=5))', tmp_path)
    assert answer == "Generate 3D at size 5 (state 7)"


def test_an_obj_model_output_becomes_a_glb(zoo_urls, tmp_path):
    """Model3D outputs in other mesh formats are converted, so GLB-only Spaces downstream can take them."""
    answer, events = _run(zoo_urls["obj_model"], {"make": "/generate"}, 'final_answer(make(prompt="red box"))',
                          tmp_path)
    assert answer.endswith("red_box.glb") and Path(answer).is_file()
    assert (Path(answer).parent / "call-1_red_box.obj").is_file()  # the original stays beside it
    mesh = trimesh.load(answer, file_type="glb", force="mesh")
    assert len(mesh.faces) == 12 and abs(mesh.extents[1] - 2.0) < 1e-6


def _call_directly(url: str, endpoint: str, tmp_path: Path, **kwargs):
    """Call one endpoint as a tool, outside an agent, with one attempt."""
    registry = Registry((ToolConfig("tool", url, endpoint),), connect_timeout_s=10)
    loaded = registry.load(CallContext(run_dir=tmp_path, emit=lambda e: None, call_timeout_s=10, attempts=1))
    try:
        return loaded.tools["tool"](**kwargs)
    finally:
        loaded.close()


def test_a_point_cloud_model_is_a_clear_error(zoo_urls, tmp_path):
    with pytest.raises(SpaceOutputError, match=r"returned 'cloud.ply', which is a PLY file without triangles"):
        _call_directly(zoo_urls["obj_model"], "/generate", tmp_path, prompt="points")


def test_an_obj_space_chains_into_the_scene_space(zoo_urls, companion_urls, settings):
    from agent.runner import ChainRunner

    tools = tuple(ToolConfig(t.name, zoo_urls["obj_model"], "/generate", t.capability)
                  if t.capability == "text_to_3d" else t for t in settings.tools)
    outcome = ChainRunner(settings.with_overrides(tools=tools)).run_to_end("a gallery of a red box and a blue box")
    assert outcome.error is None, outcome.error
    scene = trimesh.load(outcome.scene, file_type="glb", force="scene")
    layout = next(e for e in outcome.log["events"] if e["type"] == "space_call" and e["tool"] == "assemble_scene")
    assert [o["label"] for o in layout["output"]["layout"]["objects"]] == ["red box", "blue box"]
    assert len(scene.geometry) >= 2


def test_a_json_output_with_a_path_key_is_a_clear_error(zoo_urls, tmp_path):
    """gradio_client takes {"path": "..."} in JSON for a file to download; the Space then refuses it."""
    with pytest.raises(SpaceOutputError, match=r'took a JSON value with a "path" key for a file'):
        _call_directly(zoo_urls["path_json"], "/locate", tmp_path, name="tower")
