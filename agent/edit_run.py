"""Setting up an edit run: the follow-up checked, the parent's scene read, its reused assets copied in, the task.

An edit run is a new run folder with `edit.json` ({"parent_run_id", "instruction"}), so it can be resumed as an
edit. The parent's asset files it keeps are copied into `<run>/assets/reused-<n>_<name>` (the tools only take
files inside the run's own folder), so nothing unchanged is made again.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from agent.config import Settings
from agent.edit_grammar import parse_edit
from agent.edit_planner import EditPlan, plan_edit
from agent.request_text import check_text
from agent.run import EDIT_FILE as RUN_EDIT_FILE, RunPaths
from agent.scene_manifest import SceneManifest, manifest_of_run
from tools.errors import InvalidInputError

__all__ = ["EDIT_FILE", "EditSetup", "check_instruction", "copy_reused", "edit_event", "prepare_edit", "read_edit",
           "task_text", "write_edit"]

EDIT_FILE = RUN_EDIT_FILE  # <run folder>/edit.json (agent.run.RunPaths.edit)


@dataclass(frozen=True)
class EditSetup:
    """What an edit starts from: the parent's scene and, with the offline planner, the planned edit."""

    parent_run_id: str
    instruction: str
    manifest: SceneManifest
    plan: EditPlan | None


def check_instruction(instruction: Any, settings: Settings) -> str:
    """The follow-up stripped, or InvalidInputError saying what to send instead."""
    check_text(instruction, what="The follow-up")
    if not isinstance(instruction, str) or not instruction.strip():
        raise InvalidInputError("The follow-up is empty: say how to change the scene, e.g. 'remove the obelisk' or "
                                "'make the Eiffel Tower twice as big'.")
    text = instruction.strip()
    if len(text) > settings.max_request_chars:
        raise InvalidInputError(f"The follow-up is {len(text)} characters long; the limit is "
                                f"{settings.max_request_chars}. Ask for one or two changes at a time.")
    return text


def prepare_edit(settings: Settings, parent_run_id: str, instruction: str, *, offline: bool) -> EditSetup:
    """Read the parent's scene and, for the offline planner, plan the edit (nothing is written).

    Raises:
        NoSceneError: no such run, or it has no scene.
        EditNotUnderstoodError, UnknownObjectError, EditRefusedError: the offline planner cannot do it.
    """
    scene_tools = [t.name for t in settings.tools if t.capability == "scene_assembly"]
    manifest = manifest_of_run(settings.data_dir, parent_run_id, scene_tools=scene_tools)
    plan = plan_edit(manifest, parse_edit(instruction)) if offline else None
    return EditSetup(parent_run_id=manifest.run_id, instruction=instruction, manifest=manifest, plan=plan)


def copy_reused(setup: EditSetup, data_dir: Path, run_dir: Path) -> EditSetup:
    """Copy the parent's files the edit keeps (all of them for an LLM) into the run folder; paths renamed to match.

    Files already there (a resumed edit) are not copied again.
    """
    parent_dir = RunPaths(Path(data_dir), setup.parent_run_id).folder
    keep = {o.file for o in (setup.plan.reused if setup.plan else setup.manifest.objects)}
    renamed: dict[str, str] = {}
    for index, file in enumerate(sorted(keep), start=1):
        source = parent_dir / file
        target = Path("assets") / f"reused-{index}_{Path(file).name}"
        (run_dir / "assets").mkdir(parents=True, exist_ok=True)
        if not (run_dir / target).is_file():
            shutil.copyfile(source, run_dir / target)
        renamed[file] = target.as_posix()

    def moved(manifest: SceneManifest) -> SceneManifest:
        return manifest.with_(objects=tuple(replace(o, file=renamed.get(o.file, o.file if not o.file else ""))
                                            for o in manifest.objects))

    plan = replace(setup.plan, scene=moved(setup.plan.scene)) if setup.plan else None
    return replace(setup, manifest=moved(setup.manifest), plan=plan)


def task_text(setup: EditSetup) -> str:
    """The agent's task for an edit: the follow-up, then the current scene as a compact JSON manifest."""
    manifest = json.dumps(setup.manifest.compact(), ensure_ascii=False, separators=(",", ":"))
    return (f"Edit the current 3D scene as asked: {setup.instruction}\n\n"
            f"The current scene (from run {setup.parent_run_id}); each object's file is already in this run's folder "
            "and can be passed to the scene tool as it is. Do not make an object again unless the edit changes it "
            "(a new, swapped or recoloured object: one asset call each). Then assemble the whole scene once, with "
            "its objects, labels and title, and the placement hints if the scene tool takes them (JSON: layout "
            "grid|row|circle, spacing 1-4, order height|given, scale {label: factor}).\n"
            f"SCENE = {manifest}")


def edit_event(setup: EditSetup) -> dict[str, Any]:
    """The chain log's "edit" event: the parent, the follow-up, what it changes and the objects it reuses."""
    scene = setup.plan.scene if setup.plan else setup.manifest
    return {"type": "edit", "parent_run_id": setup.parent_run_id, "instruction": setup.instruction,
            "changes": list(setup.plan.summary) if setup.plan else None,
            "focus": setup.plan.focus if setup.plan else None,
            "objects": [{"label": o.label, "prompt": o.prompt, "file": o.file or None, "scale": o.scale}
                        for o in scene.objects],
            "reused": sum(1 for o in scene.objects if o.file),
            "to_make": [o.label for o in scene.objects if not o.file]}


def write_edit(run_dir: Path, parent_run_id: str, instruction: str) -> None:
    (run_dir / EDIT_FILE).write_text(json.dumps({"parent_run_id": parent_run_id, "instruction": instruction},
                                                ensure_ascii=False), encoding="utf-8")


def read_edit(run_dir: Path) -> tuple[str, str] | None:
    """(parent run id, follow-up) of an edit run's folder, or None for a build."""
    path = run_dir / EDIT_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["parent_run_id"], data["instruction"]
