"""Multi-call tools: a recipe of several endpoints of one Space, run in one session, is one agent tool.

Against a real TRELLIS-shaped Gradio app (tests/zoo `trellis`: /preprocess_image -> /image_to_3d, which keeps
the shape in a gr.State -> /extract_glb, which exports that State), called through gradio_client.
"""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import pytest
import trimesh
from PIL import Image
from smolagents import CodeAgent
from smolagents.monitoring import LogLevel

from agent.config import Settings, ToolConfig
from tests.conftest import served
from tests.scripted_model import ScriptedLLM
from tests.zoo import ZOO
from tools.errors import ConfigError, SpaceRejectedError
from tools.multi_call import MultiCallTool, plan
from tools.registry import Registry
from tools.schema import parse_api
from tools.space_tool import CallContext
from tools.spaces import SpaceSession

RECIPE = """
[[tools]]
name = "{name}"
capability = "image_to_3d"
space = "{url}"
steps = [
  {{endpoint = "/preprocess_image", inputs = {{image = "$input.picture"}}}},
  {{endpoint = "/image_to_3d", inputs = {{image = "$steps.0.preprocessed", seed = "$input.seed"}}}},
  {{endpoint = "/extract_glb", inputs = {{mesh_simplify = 0.9, texture_size = "$input.texture_size"}}}},
]
"""


# Connect and call limits for the local trellis app: upper bounds for a saturated machine (a 10 s connect timed
# out with both cores busy), not speed checks. No test here is about a timeout.
LOCAL_TIMEOUT_S = 120


@pytest.fixture(scope="module")
def trellis_url() -> str:
    yield from served(ZOO["trellis"]())


def _config(tmp_path: Path, text: str) -> tuple[ToolConfig, ...]:
    path = tmp_path / "diorama.toml"
    path.write_text(text, encoding="utf-8")
    return Settings.load(path, environ={}).tools


def _recipe(tmp_path: Path, url: str, name: str = "trellis") -> ToolConfig:
    return _config(tmp_path, RECIPE.format(name=name, url=url))[0]


def _load(entries: tuple[ToolConfig, ...], run_dir: Path, *, attempts: int = 1):
    events: list[dict] = []
    context = CallContext(run_dir=run_dir, emit=events.append, call_timeout_s=LOCAL_TIMEOUT_S, attempts=attempts,
                          backoff_s=0.05)
    return Registry(entries, connect_timeout_s=LOCAL_TIMEOUT_S).load(context), events


def _picture(path: Path, subject: tuple[int, int], colour=(200, 30, 30)) -> str:
    """A white 120x100 picture with a coloured rectangle of `subject` (width, height) pixels."""
    image = Image.new("RGB", (120, 100), "white")
    image.paste(colour, (5, 5, 5 + subject[0], 5 + subject[1]))
    image.save(path)
    return str(path)


def _glb(path: str) -> tuple[str, list[float]]:
    """(node name, extents in metres) of the one-box GLB the trellis app exports."""
    scene = trimesh.load(path, file_type="glb", force="scene")
    (node,) = [n for n in scene.graph.nodes_geometry]
    return node, [round(float(v), 3) for v in scene.extents]


def test_a_recipe_is_one_tool_described_from_its_endpoints(trellis_url, tmp_path):
    entry = _recipe(tmp_path, trellis_url)
    assert entry.endpoint == "/preprocess_image -> /image_to_3d -> /extract_glb" and entry.fallbacks == ()
    loaded, _ = _load((entry,), tmp_path)
    assert loaded.failed == {}
    tool = loaded.tools["trellis"]
    assert isinstance(tool, MultiCallTool)
    assert list(tool.inputs) == ["picture", "seed", "texture_size"]  # mesh_simplify is a constant
    assert "holding an image (PNG, JPEG or WebP)" in tool.inputs["picture"]["description"]
    assert "a number between 512 and 2048" in tool.inputs["texture_size"]["description"]
    assert tool.inputs["seed"]["nullable"] and "default 0" in tool.inputs["seed"]["description"]
    assert tool.output_type == "string"
    assert tool.description.startswith("Calls 3 endpoints in one session: (1) Cut the subject")
    assert "(3) Export the shape reconstructed in this session as a GLB file." in tool.description
    assert "endpoint /preprocess_image -> /image_to_3d -> /extract_glb" in tool.description
    assert "local path of the Extracted GLB file (3D model)" in tool.description
    loaded.close()


def test_the_steps_share_one_session_and_the_last_step_gives_a_checked_glb(trellis_url, tmp_path):
    loaded, events = _load((_recipe(tmp_path, trellis_url),), tmp_path)
    try:
        glb = loaded.tools["trellis"](picture=_picture(tmp_path / "p.png", (50, 60)), seed=3, texture_size=512)
    finally:
        loaded.close()
    assert Path(glb).parent == tmp_path / "assets"
    node, extents = _glb(glb)
    # the shape /image_to_3d kept in the session (50x60 px -> 0.5 x 0.6 m, seed 3) reached /extract_glb,
    # with the tool's texture_size and the recipe's constant mesh_simplify
    assert node == "seed3_tex512_simplify0.9" and extents == [0.5, 0.6, 0.1]
    done = events[-1]
    assert done["status"] == "ok" and done["attempt"] == 1
    assert done["endpoint"] == "/preprocess_image -> /image_to_3d -> /extract_glb"
    assert [s["endpoint"] for s in done["steps"]] == ["/preprocess_image", "/image_to_3d", "/extract_glb"]
    assert done["output"].startswith("assets/") and done["inputs"]["texture_size"] == 512


def test_without_the_first_steps_session_the_last_step_fails(trellis_url, tmp_path):
    """Proof that state holds only inside a session: /extract_glb on its own has no shape to export."""
    alone = ToolConfig(name="extract_glb", space=trellis_url, endpoint="/extract_glb")
    loaded, _ = _load((alone,), tmp_path)
    try:
        with pytest.raises(SpaceRejectedError, match="No shape in this session: call /image_to_3d first"):
            loaded.tools["extract_glb"]()
    finally:
        loaded.close()


def test_concurrent_sequences_each_keep_their_own_state(trellis_url, tmp_path):
    loaded, events = _load((_recipe(tmp_path, trellis_url),), tmp_path)
    sizes = [(20, 30), (40, 10), (70, 80)]
    pictures = [_picture(tmp_path / f"p{i}.png", size) for i, size in enumerate(sizes)]
    try:
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            glbs = list(pool.map(lambda i: loaded.tools["trellis"](picture=pictures[i], seed=i), range(3)))
    finally:
        loaded.close()
    for i, (glb, (width, height)) in enumerate(zip(glbs, sizes)):
        node, extents = _glb(glb)
        assert node == f"seed{i}_tex1024_simplify0.9" and extents == [width / 100, height / 100, 0.1]
    assert sum(e["status"] == "ok" for e in events) == 3


def test_the_agent_calls_the_recipe_as_one_tool(trellis_url, tmp_path):
    loaded, events = _load((_recipe(tmp_path, trellis_url, name="image_to_3d"),), tmp_path)
    picture = _picture(tmp_path / "tower.png", (30, 90))
    code = f'glb = image_to_3d(picture="{picture}", seed=7)\nfinal_answer(glb)'
    try:
        agent = CodeAgent(tools=list(loaded.tools.values()),
                          model=ScriptedLLM([f"Thought: make the model.\n<code>\n{code}\n</code>"]),
                          max_steps=2, verbosity_level=LogLevel.OFF, executor_kwargs={"timeout_seconds": None})
        answer = agent.run("Make a 3D model of the tower in the picture.")
        assert "def image_to_3d(picture: string, seed: integer, texture_size: number)" in \
            loaded.tools["image_to_3d"].to_code_prompt()
    finally:
        loaded.close()
    assert _glb(answer) == ("seed7_tex1024_simplify0.9", [0.3, 0.9, 0.1])
    assert [e["status"] for e in events if e["status"] != "running"] == ["ok"]


def test_a_failing_step_is_named_and_rejected_input_is_not_retried(trellis_url, tmp_path):
    loaded, events = _load((_recipe(tmp_path, trellis_url),), tmp_path, attempts=3)
    try:
        with pytest.raises(SpaceRejectedError) as info:
            loaded.tools["trellis"](picture=_picture(tmp_path / "tiny.png", (4, 4)))
    finally:
        loaded.close()
    message = str(info.value)
    assert message.startswith(f"trellis ({trellis_url} /preprocess_image -> /image_to_3d -> /extract_glb): "
                              "step 2 of 3 (/image_to_3d): rejected the input: The subject is only 4x4 px")
    assert info.value.endpoint == "/image_to_3d" and info.value.server_message.startswith("The subject is only")
    finished = [e for e in events if e["status"] != "running"]
    assert [(e["status"], e["attempt"]) for e in finished] == [("error", 1)]
    assert [s["endpoint"] for s in finished[0]["steps"]] == ["/preprocess_image"]  # the step before it finished


def test_a_transient_failure_retries_the_whole_sequence(trellis_url, tmp_path):
    loaded, events = _load((_recipe(tmp_path, trellis_url),), tmp_path, attempts=2)
    try:
        glb = loaded.tools["trellis"](picture=_picture(tmp_path / "p.png", (40, 40)), seed=13)
    finally:
        loaded.close()
    assert _glb(glb)[0] == "seed13_tex1024_simplify0.9"
    first, second = [e for e in events if e["status"] != "running"]
    assert first["status"] == "error" and "step 2 of 3 (/image_to_3d)" in first["error"]
    assert first["error"].endswith("on attempt 1 of 2; retrying.")
    assert second["status"] == "ok" and second["attempt"] == 2
    assert [s["endpoint"] for s in second["steps"]] == ["/preprocess_image", "/image_to_3d", "/extract_glb"]


@pytest.mark.parametrize(
    ("steps", "phrase"),
    [
        ('[{endpoint = "/a", inputs = {x = "$steps.1.out"}}, {endpoint = "/b"}]',
         "Tool 'bad' steps[0] (/a): x = '$steps.1.out' refers to step 1, which runs later; this step can use no "
         "step outputs (it is the first step)"),
        ('[{endpoint = "/a"}, {endpoint = "/b", inputs = {x = "$steps.1.out"}}]',
         "steps[1] (/b): x = '$steps.1.out' refers to step 1, which is this step; this step can use only the "
         "outputs of steps 0 to 0."),
        ('[{endpoint = "/a", inputs = {x = "$inputs.prompt"}}]',
         "steps[0] (/a): x = '$inputs.prompt' is not a reference; use \"$input.NAME\""),
        ('[{endpoint = "/a", input = {x = 1}}]', "steps[0] (/a) takes only endpoint and inputs"),
        ('[{inputs = {x = 1}}]', "Tool 'bad' steps[0] must be a table with an endpoint"),
        ("[]", "Tool 'bad': steps must be a non-empty list"),
    ],
)
def test_a_malformed_recipe_fails_at_startup_naming_tool_step_and_reference(tmp_path, steps, phrase):
    text = f'[[tools]]\nname = "bad"\nspace = "local:text_to_3d"\nsteps = {steps}\n'
    with pytest.raises(ConfigError) as info:
        _config(tmp_path, text)
    assert phrase in str(info.value)


def test_steps_exclude_endpoint_and_fallbacks(tmp_path):
    text = '[[tools]]\nname = "bad"\nspace = "a/b"\nendpoint = "/x"\nsteps = [{endpoint = "/y"}]\n'
    with pytest.raises(ConfigError, match="has steps, so it takes no endpoint and no fallbacks"):
        _config(tmp_path, text)


@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        (("/extract_glb", "/export"), "Tool 'trellis' steps[2]: Endpoint '/export' not found on {url}; available: "
                                      "'/preprocess_image', '/image_to_3d', '/extract_glb'."),
        (("$steps.0.preprocessed", "$steps.0.cropped"),
         "Tool 'trellis' steps[1] (/image_to_3d): image = '$steps.0.cropped': step 0 (/preprocess_image) has no "
         "output 'cropped'; its outputs: preprocessed"),
        (("seed = ", "sead = "), "Tool 'trellis' steps[1] (/image_to_3d) has no argument 'sead'; its arguments: "
                                 "image, seed."),
        (('image = "$input.picture"', 'image = "$$input"'), None),  # a constant: a literal text, not a file
        (('{image = "$steps.0.preprocessed", ', "{"),
         "Tool 'trellis' steps[1] (/image_to_3d) needs 'image' (Preprocessed); bind it"),
    ],
)
def test_a_recipe_that_does_not_fit_the_endpoints_is_not_loaded(trellis_url, tmp_path, change, phrase):
    entry = _config(tmp_path, RECIPE.format(name="trellis", url=trellis_url).replace(*change))[0]
    loaded, _ = _load((entry,), tmp_path)
    loaded.close()
    if phrase is None:
        assert entry.steps[0].inputs["image"].value == "$input" and loaded.failed == {}
        return
    assert loaded.tools == {} and phrase.format(url=trellis_url) in loaded.failed["trellis"]


def test_plan_raises_the_config_error_itself(trellis_url, tmp_path):
    entry = _config(tmp_path, RECIPE.format(name="trellis", url=trellis_url).replace("$steps.0.preprocessed",
                                                                                     "$steps.0.nope"))[0]
    session = SpaceSession(trellis_url, label=trellis_url, download_dir=tmp_path / "dl",
                           connect_timeout_s=LOCAL_TIMEOUT_S)
    try:
        schemas = {e.api_name: e for e in parse_api(session.api_info())}
    finally:
        session.close()
    with pytest.raises(ConfigError, match=r"steps\[1\] \(/image_to_3d\): image = '\$steps.0.nope'"):
        plan("trellis", entry.steps, [schemas[s.endpoint] for s in entry.steps])
