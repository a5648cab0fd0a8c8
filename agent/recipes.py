"""Recipes: a finished chain saved by name, replayed for other subjects without an LLM, or exported as a script.

A recipe records the *shape* of a run that worked: the asset tools called per
subject in order (e.g. text_to_3d; or text_to_image then image_to_3d), with the
argument that took the subject (or the previous file) and the other inputs as
they were, then the scene tool with its files, labels and title arguments.

Stored as `<data_dir>/recipes/NAME.json` (the recipe) and `NAME.py` (a plain
gradio_client script of the same calls, runnable without Diorama or an LLM).

Replaying (`RecipeModel`) runs through the normal `ChainRunner` — chain log,
journal, cache and budgets all apply — with a rule-based Model that writes the
recipe's code for the new request's subjects (`agent.gazetteer`), so a replay
makes 0 LLM calls.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

from smolagents import ChatMessage, MessageRole, Model

from agent.run_log import ChainLog, utc_now
from agent.gazetteer import subjects_from_request
from agent.chat_messages import message_text
from agent.planner import code_reply, fan_out_stage
from tools.errors import InvalidInputError
from tools.values import iter_leaves

__all__ = ["Recipe", "RecipeModel", "Stage", "list_recipes", "load_recipe", "recipe_from_log", "save_recipe",
           "recipe_script"]

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_PROMPT_NAMES = ("prompt", "text", "query", "description")


@dataclass(frozen=True)
class Stage:
    """One tool call of the chain.

    Attributes:
        tool: the Diorama tool name (what a replay calls).
        space: the Space that served it in the recorded run (label as configured, e.g. "local:text_to_3d").
        endpoint: its api_name, e.g. "/generate".
        arg: the argument that takes the subject (first stage) or the previous stage's file (later stages);
            for the scene stage, the argument taking the list of files.
        constants: the other arguments, as recorded (e.g. {"seed": 0}).
        output_key: the key of the file in a multi-output result (e.g. "glb"), None for a single output.
        output_index: that output's position in gradio_client's result tuple, None for a single output.
        labels_arg: scene stage only: the argument taking the labels, one per line.
        title_arg: scene stage only: the argument taking the gallery title.
    """

    tool: str
    space: str
    endpoint: str
    arg: str
    constants: dict[str, Any] = field(default_factory=dict)
    output_key: str | None = None
    output_index: int | None = None
    labels_arg: str | None = None
    title_arg: str | None = None


@dataclass(frozen=True)
class Recipe:
    """A saved chain: asset stages per subject, then the scene stage."""

    name: str
    request: str
    subjects: tuple[str, ...]
    title: str
    stages: tuple[Stage, ...]
    scene: Stage
    source_run: str
    created_at: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Recipe":
        raw = json.loads(text)
        return cls(**{**raw, "subjects": tuple(raw["subjects"]), "stages": tuple(Stage(**s) for s in raw["stages"]),
                      "scene": Stage(**raw["scene"])})


def check_name(name: Any) -> str:
    """The recipe name, or InvalidInputError (names become file names, so they are strict)."""
    text = name.strip() if isinstance(name, str) else ""
    if not NAME.match(text):
        raise InvalidInputError(f"Recipe names are 1-40 lowercase letters, digits, '-' or '_', starting with a "
                                f"letter or digit (e.g. 'city-landmarks'), got {str(name)[:60]!r}.")
    return text


def recipe_from_log(log: dict[str, Any], name: str, *, scene_tools: Iterable[str]) -> Recipe:
    """The recipe of a finished run: traced back from its last successful scene call.

    Raises:
        InvalidInputError: the run made no scene, or its chain cannot be traced (e.g. a file not made by a tool).
    """
    name = check_name(name)
    scene_tools = set(scene_tools)
    calls = ChainLog.view(log).calls(status="ok")
    scene_call = next((c for c in reversed(calls) if c["tool"] in scene_tools), None)
    if scene_call is None or not (log.get("result") or {}).get("scene"):
        raise InvalidInputError(f"Run {log.get('run_id')} made no scene, so there is no recipe to save; save a "
                                "run whose status is ok.")
    inputs = scene_call["inputs"]
    files_arg = next((k for k, v in inputs.items() if isinstance(v, list)), None)
    if files_arg is None:
        raise InvalidInputError(f"The scene call of run {log['run_id']} has no list of files; it cannot be a recipe.")
    labels_arg = next((k for k in inputs if k != files_arg and ("label" in k or "name" in k)), None)
    title_arg = next((k for k in inputs if "title" in k), None)
    made_by = {}  # asset path -> the call that made it
    for call in calls:
        for value in _files_in(call.get("output")):
            made_by.setdefault(value, call)
    chains = [_trace(path, made_by, log["run_id"]) for path in inputs[files_arg]]
    first = chains[0]
    if any([c["tool"] for c in chain] != [c["tool"] for c in first] for chain in chains):
        raise InvalidInputError(f"The objects of run {log['run_id']} were made by different tool chains; a recipe "
                                "needs the same chain for every object.")
    stages = []
    for index, call in enumerate(first):
        arg = _subject_arg(call["inputs"]) if index == 0 else _file_arg(call["inputs"])
        stages.append(_stage(call, arg))
    subjects = tuple(chain[0]["inputs"][stages[0].arg] for chain in chains)
    constants = {k: v for k, v in inputs.items() if k not in (files_arg, labels_arg, title_arg)}
    key, index = _output_pick(scene_call.get("output"))
    scene = Stage(tool=scene_call["tool"], space=scene_call["space"], endpoint=scene_call["endpoint"], arg=files_arg,
                  constants=constants, output_key=key, output_index=index, labels_arg=labels_arg, title_arg=title_arg)
    return Recipe(name=name, request=log.get("request", ""), subjects=subjects,
                  title=str(inputs.get(title_arg, "Gallery")) if title_arg else "Gallery", stages=tuple(stages),
                  scene=scene, source_run=log["run_id"], created_at=utc_now())


def save_recipe(recipe: Recipe, data_dir: Path, *, spaces: dict[str, str]) -> tuple[Path, Path]:
    """Write `<data_dir>/recipes/NAME.json` and `NAME.py`; returns both paths.

    Args:
        spaces: provider label -> Space id or URL to call from the script (e.g. `Registry.sources()`).
    """
    folder = Path(data_dir) / "recipes"
    folder.mkdir(parents=True, exist_ok=True)
    json_path, script_path = folder / f"{recipe.name}.json", folder / f"{recipe.name}.py"
    json_path.write_text(recipe.to_json(), encoding="utf-8")
    script_path.write_text(recipe_script(recipe, spaces=spaces), encoding="utf-8")
    return json_path, script_path


def load_recipe(data_dir: Path, name: str) -> Recipe:
    """A saved recipe.

    Raises:
        InvalidInputError: bad name or no such recipe (the message lists the saved ones).
    """
    name = check_name(name)
    path = Path(data_dir) / "recipes" / f"{name}.json"
    if not path.is_file():
        saved = ", ".join(list_recipes(data_dir)) or "none yet"
        raise InvalidInputError(f"No recipe {name!r} in {path.parent}; saved recipes: {saved}. Save one with "
                                "--save-recipe NAME.")
    return Recipe.from_json(path.read_text(encoding="utf-8"))


def list_recipes(data_dir: Path) -> list[str]:
    return sorted(p.stem for p in (Path(data_dir) / "recipes").glob("*.json"))


def subjects_for(recipe: Recipe, request: str, *, max_items: int) -> tuple[tuple[str, ...], str]:
    """The new request's subjects and gallery title, as the recipe's first stage takes them.

    Raises:
        InvalidInputError: the request names nothing to build, so the recipe does not fit it.
    """
    found = subjects_from_request(request, max_items=max_items)
    if not found.items:
        raise InvalidInputError(f"Recipe {recipe.name!r} makes one object per subject, but {request[:80]!r} names "
                                "none; name a place or list objects (e.g. 'Rome landmarks').")
    return tuple(dict.fromkeys(found.items)), found.title


class RecipeModel(Model):
    """A rule-based Model that replays a recipe for the subjects of the task: one code step, no LLM.

    Args:
        recipe: the recipe.
        max_objects: most subjects in one gallery.
    """

    def __init__(self, recipe: Recipe, *, max_objects: int = 12) -> None:
        super().__init__(model_id=f"recipe:{recipe.name}")
        self.recipe = recipe
        self.recipe_name = recipe.name
        self.max_objects = max_objects
        self.replies = 0

    def generate(self, messages: list[ChatMessage], stop_sequences: list[str] | None = None,
                 response_format: dict[str, str] | None = None, tools_to_call_from: list[Any] | None = None,
                 **kwargs: Any) -> ChatMessage:
        self.replies += 1
        if self.replies > 1:  # the one step failed: report, do not improvise (that would need an LLM)
            return code_reply(f"Recipe {self.recipe.name!r} did not finish; reporting what happened.",
                          "final_answer('The recipe replay failed: see the chain log for the failed call.')")
        task = next((message_text(m).split("New task:", 1)[1].strip() for m in messages
                     if m.role == MessageRole.USER and "New task:" in message_text(m)), "")
        try:
            subjects, title = subjects_for(self.recipe, task, max_items=self.max_objects)
        except InvalidInputError as exc:
            return code_reply("The request does not fit the recipe.", f"final_answer({str(exc)!r})")
        chain = " then ".join(s.tool for s in self.recipe.stages)
        thought = (f"Replayed recipe {self.recipe.name}: 0 LLM calls. {chain} for {len(subjects)} subject(s) "
                   f"({', '.join(subjects)}), then {self.recipe.scene.tool}.")
        return code_reply(thought, self._code(subjects, title))

    def _code(self, subjects: tuple[str, ...], title: str) -> str:
        lines = [f"subjects = {list(subjects)!r}", "assets = {}", "failed = {}", "current = {s: s for s in subjects}"]
        for stage in self.recipe.stages:
            item = "{" + ", ".join([f"{stage.arg!r}: current[s]"] + [f"{k!r}: {v!r}" for k, v in
                                                                      stage.constants.items()]) + "}"
            lines += fan_out_stage(stage.tool, item, stage.output_key)
        scene = self.recipe.scene
        args = _scene_args(scene, files="[assets[s] for s in made]", labels="'\\n'.join(made)", title=repr(title))
        pick = f"scene[{scene.output_key!r}]" if scene.output_key else "scene"
        lines += ["assets.update(current)",
                  "made = [s for s in subjects if s in assets]",
                  "if not made:",
                  "    final_answer('No object could be made, so there is no scene. Failures: ' + str(failed))",
                  f"scene = {scene.tool}({', '.join(args)})",
                  f"final_answer({{'scene': {pick}, 'objects': made, 'missing': failed}})"]
        return "\n".join(lines)


def recipe_script(recipe: Recipe, *, spaces: dict[str, str]) -> str:
    """A standalone Python script of the recipe's gradio_client calls, parametrised by the subjects."""
    stage_lines = []
    for index, stage in enumerate(recipe.stages):
        value = "subject" if index == 0 else "handle_file(value)"
        args = ", ".join([f"{stage.arg}={value}"] + [f"{k}={v!r}" for k, v in stage.constants.items()])
        stage_lines.append(f"    # {stage.tool}: {stage.space} {stage.endpoint}{_local_hint(stage.space)}\n"
                           f"    value = call({spaces.get(stage.space, stage.space)!r}, {stage.endpoint!r}, "
                           f"{stage.output_index!r}, {args})")
    scene = recipe.scene
    scene_args = _scene_args(scene, files="[handle_file(f) for f in files]", labels="\"\\n\".join(subjects)",
                             title="title")
    return f'''#!/usr/bin/env python3
"""Diorama recipe {recipe.name!r}, saved from run {recipe.source_run}: {recipe.request!r}

The same chain of Gradio Space calls, without Diorama or an LLM: per subject,
{" then ".join(s.tool for s in recipe.stages)}; then {scene.tool} on all the files.

    python {recipe.name}.py                                   # the recorded subjects
    python {recipe.name}.py "Colosseum" "Pantheon" --title "Rome landmarks" --out rome.glb

Needs only `pip install gradio_client`. Each call waits at most TIMEOUT_S seconds.
"""

import argparse
import shutil

from gradio_client import Client, handle_file

SUBJECTS = {list(recipe.subjects)!r}
TITLE = {recipe.title!r}
TIMEOUT_S = 300
_clients = {{}}


def call(space, api_name, output_index, **inputs):
    """One Space call: submit, wait at most TIMEOUT_S, pick the output (None: the only one)."""
    if space not in _clients:  # the HF token (from the environment) goes to Hub Space ids only, never to a URL
        hub_id = not space.startswith(("http://", "https://"))
        _clients[space] = Client(space, verbose=False, token=None if hub_id else False)
    result = _clients[space].submit(**inputs, api_name=api_name).result(timeout=TIMEOUT_S)
    return result if output_index is None else result[output_index]


def make(subject):
    """One object's file."""
{chr(10).join(stage_lines)}
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("subjects", nargs="*", default=SUBJECTS, help="objects to make (default: the recorded ones)")
    parser.add_argument("--title", default=None, help="gallery title")
    parser.add_argument("--out", default="scene.glb", help="where to write the scene GLB")
    args = parser.parse_args()
    subjects = list(args.subjects)
    title = args.title or (TITLE if subjects == SUBJECTS else "Gallery")
    files = []
    for subject in subjects:
        files.append(make(subject))
        print("made", subject, flush=True)
    # {scene.tool}: {scene.space} {scene.endpoint}{_local_hint(scene.space)}
    scene = call({spaces.get(scene.space, scene.space)!r}, {scene.endpoint!r}, {scene.output_index!r},
                 {", ".join(scene_args)})
    shutil.copyfile(scene, args.out)
    print(args.out)


if __name__ == "__main__":
    main()
'''


def _scene_args(scene: Stage, *, files: str, labels: str, title: str) -> list[str]:
    """The scene call's keyword arguments as code: the files, labels and title expressions, then its constants."""
    args = [f"{scene.arg}={files}"]
    if scene.labels_arg:
        args.append(f"{scene.labels_arg}={labels}")
    if scene.title_arg:
        args.append(f"{scene.title_arg}={title}")
    return args + [f"{k}={v!r}" for k, v in scene.constants.items()]


def _local_hint(space: str) -> str:
    if not space.startswith("local:"):
        return ""
    return (f" (bundled: start spaces/{space.removeprefix('local:')}/app.py "
            "and put its URL here)")


def _files_in(value: Any) -> list[str]:
    """The run-folder files ("assets/...") a recorded input or output names, anywhere inside it."""
    return [leaf for leaf in iter_leaves(value) if isinstance(leaf, str) and leaf.startswith("assets/")]


def _trace(path: str, made_by: dict[str, dict[str, Any]], run_id: str) -> list[dict[str, Any]]:
    """The calls that led to one asset file, first stage first."""
    chain = []
    while path is not None:
        call = made_by.get(path)
        if call is None or len(chain) > 8:
            raise InvalidInputError(f"Run {run_id}: the file {path!r} was not made by a recorded tool call, so the "
                                    "chain cannot be saved as a recipe.")
        chain.insert(0, call)
        sources = _files_in(call["inputs"])
        path = sources[0] if sources else None
    return chain


def _subject_arg(inputs: dict[str, Any]) -> str:
    texts = [k for k, v in inputs.items() if isinstance(v, str) and not v.startswith("assets/")]
    named = [k for k in texts if k in _PROMPT_NAMES]
    if not (named or texts):
        raise InvalidInputError(f"The first tool of the chain takes no text ({', '.join(inputs)}); it cannot be "
                                "replayed for other subjects.")
    return (named or texts)[0]


def _file_arg(inputs: dict[str, Any]) -> str:
    return next(k for k, v in inputs.items() if _files_in(v))


def _stage(call: dict[str, Any], arg: str) -> Stage:
    key, index = _output_pick(call.get("output"))
    constants = {k: v for k, v in call["inputs"].items() if k != arg}
    return Stage(tool=call["tool"], space=call["space"], endpoint=call["endpoint"], arg=arg, constants=constants,
                 output_key=key, output_index=index)


def _output_pick(output: Any) -> tuple[str | None, int | None]:
    """(key, tuple position) of the file in a multi-output result; (None, None) for a single output."""
    if not isinstance(output, dict):
        return None, None
    for index, (key, value) in enumerate(output.items()):
        if _files_in(value):
            return key, index
    raise InvalidInputError(f"A recorded output has no file ({', '.join(output)}); it cannot be chained.")


