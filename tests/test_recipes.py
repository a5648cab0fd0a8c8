"""Recipes: save a chain, replay it for other subjects with no LLM call, export it as a standalone script."""

from __future__ import annotations

import subprocess
import sys


from agent.cli import run_headless
from agent.recipes import RecipeModel, load_recipe, recipe_from_log, save_recipe
from agent.runner import ChainRunner
from tests.scripted_model import ScriptedLLM
from tests.conftest import object_roots

PLAN = """Thought: I make both objects and assemble them.
<code>
parts = {}
for name in ["red lighthouse", "windmill"]:
    parts[name] = text_to_3d(prompt=name)["glb"]
scene = assemble_scene(files=list(parts.values()), labels="\\n".join(parts), title="Coast")
final_answer({"scene": scene["scene"], "objects": list(parts), "missing": {}})
</code>"""


def _roots(path) -> set[str]:
    return set(object_roots(path))


def test_save_replay_with_no_llm_call_and_export_a_script(companion_urls, settings, tmp_path):
    llm = ScriptedLLM([PLAN])
    runner = ChainRunner(settings, llm=llm)
    original = runner.run_to_end("A coast with a red lighthouse and a windmill")
    assert original.error is None, original.error
    recipe = recipe_from_log(original.log, "coast", scene_tools=["assemble_scene"])
    assert recipe.subjects == ("red lighthouse", "windmill") and [s.tool for s in recipe.stages] == ["text_to_3d"]
    _, script = save_recipe(recipe, settings.data_dir, spaces=runner.registry.sources())

    # replay for other subjects: the same runner (its llm is the scripted one) is never asked
    asked = len(llm.prompts)
    model = RecipeModel(load_recipe(settings.data_dir, "coast"))
    final = {}
    for final in runner.run("a gallery of an oak tree and a boat", model=model):
        pass
    assert len(llm.prompts) == asked
    assert final["result"]["error"] is None, final["result"]["error"]
    assert final["model"] == {"provider": "recipe", "id": "recipe:coast"}
    assert final["timings"]["llm_input_tokens"] == final["timings"]["llm_output_tokens"] == 0
    first_step = next(e for e in final["events"] if e["type"] == "agent_step")
    assert "Replayed recipe coast: 0 LLM calls" in first_step["thought"]
    assert _roots(final["result"]["scene"]) == {"oak_tree", "boat"}
    assert runner.store.run(final["run_id"])["recipe"] == "coast"

    # the exported script runs on its own and reproduces the original scene's objects
    out = tmp_path / "again.glb"
    done = subprocess.run([sys.executable, str(script), "--out", str(out)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "import diorama" not in script.read_text() and "from agent" not in script.read_text()
    assert _roots(out) == _roots(original.scene) == {"red_lighthouse", "windmill"}


def test_cli_refuses_an_unknown_recipe(settings, capsys):
    assert run_headless(settings, "Rome landmarks", out=None, log_path=None, recipe="nope") == 2
    assert "No recipe 'nope'" in capsys.readouterr().err
