"""The scene manifest: what a finished run's scene holds (objects, their prompts, files, sizes, places), for edits.

Read from the run's chain log (the last scene-assembly call: files, labels, title, hints; the asset calls, or an
edit's own "edit" event, for each file's prompt) and from its scene GLB (`scenes[0].extras.layout`: shown heights
and positions). Sizes are metres, positions are [x, y, z] of the plinth top (glTF: +Y up, +Z toward the entrance).
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from agent.run import RunPaths, read_chain
from agent.run_log import EDIT, ChainLog, output_values
from tools.errors import InvalidInputError

__all__ = ["NoSceneError", "SceneManifest", "SceneObject", "manifest_of_run", "read_layout"]


class NoSceneError(InvalidInputError):
    """The run to edit does not exist or has no scene (it failed, was cancelled, or is still running)."""


@dataclass(frozen=True)
class SceneObject:
    """One object of a scene.

    Attributes:
        label: its name in the scene (placard, node), e.g. "Eiffel Tower".
        prompt: what the asset tool was asked for, e.g. "Eiffel Tower" or "blue lighthouse".
        file: its asset, relative to the run folder that holds it ("assets/call-1_eiffel_tower.glb").
        scale: the factor on its shown height asked by edits (1.0: as the scene builder sized it).
        height_m: its shown height in metres, None if unknown.
        position_m: [x, y, z] of its plinth top in metres, None if unknown.
    """

    label: str
    prompt: str
    file: str
    scale: float = 1.0
    height_m: float | None = None
    position_m: list[float] | None = None


@dataclass(frozen=True)
class SceneManifest:
    """A scene: its run, title, objects in placement order and layout.

    Attributes:
        run_id: the run whose folder holds the files.
        title: the gallery title.
        objects: in the order they were sent to the scene builder.
        layout: "grid", "row" or "circle".
        spacing: the walkway multiplier.
        order: "height" (the builder orders by height) or "given" (objects' order is their placement).
        focus: the label the last edit touched ("make it smaller"), if any.
    """

    run_id: str
    title: str
    objects: tuple[SceneObject, ...]
    layout: str = "grid"
    spacing: float = 1.0
    order: str = "height"
    focus: str | None = None

    @property
    def labels(self) -> list[str]:
        return [o.label for o in self.objects]

    def with_(self, **changes: Any) -> "SceneManifest":
        return replace(self, **changes)

    def compact(self) -> dict[str, Any]:
        """The manifest as an LLM reads it: short keys, sizes rounded, no run-folder paths but the asset files."""
        return {"title": self.title, "layout": self.layout, "spacing": self.spacing, "order": self.order,
                "objects": [{"label": o.label, "prompt": o.prompt, "file": o.file, "scale": o.scale,
                             "height_m": o.height_m, "position_m": o.position_m} for o in self.objects]}


def read_layout(scene: Path) -> dict[str, Any]:
    """`scenes[0].extras.layout` of a scene GLB ({} if it has none).

    Raises:
        NoSceneError: the file is not a GLB.
    """
    data = Path(scene).read_bytes()
    if len(data) < 20 or data[:4] != b"glTF":
        raise NoSceneError(f"{Path(scene).name} is not a GLB scene; build the scene again.")
    length, kind = struct.unpack_from("<I4s", data, 12)
    if kind != b"JSON":
        return {}
    document = json.loads(data[20:20 + length])
    scenes = document.get("scenes") or [{}]
    return ((scenes[0].get("extras") or {}).get("layout")) or {}


def manifest_of_run(data_dir: Path, run_id: str, *, scene_tools: Iterable[str]) -> SceneManifest:
    """The manifest of a finished run's scene.

    Args:
        data_dir: the data folder (runs are `<data_dir>/runs/<run_id>`).
        run_id: the run to read.
        scene_tools: names of the scene-assembly tools.

    Raises:
        NoSceneError: no such run, or it has no scene (failed, cancelled, still running).
    """
    paths = RunPaths.of(data_dir, run_id)
    run_id = paths.run_id
    if not paths.folder.is_dir():
        raise NoSceneError(f"No run has the id {run_id!r}. Use the run_id that /build or /edit returned; /history "
                           "lists yours.")
    log = read_chain(paths)
    if log is None:
        raise NoSceneError(f"Run {run_id} has not finished, so it has no scene to edit yet. Wait for it (/status), "
                           "or resume it with /resume if it stopped.")
    if not (log.get("result") or {}).get("scene") or not paths.scene.is_file():
        why = (log.get("result") or {}).get("error") or "it made no scene"
        raise NoSceneError(f"Run {run_id} has no scene to edit ({str(why)[:200]}). Resume it with /resume, or "
                           "start a new scene with /build.")
    tools = set(scene_tools)
    events = ChainLog.view(log)
    assembly = (events.calls(tool=tools, status="ok") or [None])[-1]
    if assembly is None:
        raise NoSceneError(f"Run {run_id} has a scene but no record of how it was assembled; build it again.")
    inputs = assembly.get("inputs") or {}
    files = next((v for v in inputs.values() if isinstance(v, list)), [])
    files = [f["image"] if isinstance(f, dict) else f for f in files]
    labels = _labels(next((v for k, v in inputs.items() if "label" in k or "name" in k), ""), files)
    title = next((v for k, v in inputs.items() if "title" in k and isinstance(v, str)), "") or "Gallery"
    prompts = _prompts(log, tools)
    layout = read_layout(paths.scene)
    placed = layout.get("objects") or []
    hints = layout.get("hints") or {}
    edit = events.first(EDIT) or {}
    objects = []
    for index, (path, label) in enumerate(zip(files, labels)):
        entry = placed[index] if index < len(placed) else {}
        objects.append(SceneObject(
            label=label, prompt=prompts.get(path, label), file=path,
            scale=float(entry.get("scale_factor", (hints.get("scale") or {}).get(label, 1.0))),
            height_m=entry.get("display_height_m"), position_m=entry.get("position_m")))
    return SceneManifest(run_id=run_id, title=title, objects=tuple(objects), layout=hints.get("layout", "grid"),
                         spacing=float(hints.get("spacing", 1.0)), order=hints.get("order", "height"),
                         focus=edit.get("focus"))


def _labels(value: Any, files: list[str]) -> list[str]:
    """The assembly call's labels, one per file (file names when absent)."""
    if isinstance(value, list):
        labels = [str(v) for v in value]
    else:
        text = str(value or "").strip()
        labels = None
        if text.startswith("["):
            try:
                labels = [str(v) for v in json.loads(text)]
            except (json.JSONDecodeError, TypeError):
                labels = None
        if labels is None:
            labels = [line.strip() for line in text.splitlines() if line.strip()]
    if len(labels) != len(files):
        labels = [Path(f).stem.split("_", 1)[-1].replace("_", " ") for f in files]
    return labels


def _prompts(log: dict[str, Any], scene_tools: set[str]) -> dict[str, str]:
    """File -> the prompt that made it: from the asset calls (the first stage's text for a chain), then from an
    edit's record of the objects it reused."""
    prompts: dict[str, str] = {}
    events = ChainLog.view(log)
    edit = events.first(EDIT)
    if edit:
        prompts.update({o["file"]: o["prompt"] for o in edit.get("objects") or [] if o.get("file")})
    origin: dict[str, str] = {}
    for event in events.assets(scene_tools):
        inputs = event.get("inputs") or {}
        text = next((v for v in inputs.values() if isinstance(v, str) and not v.startswith("assets/")), None)
        source = next((v for v in inputs.values() if isinstance(v, str) and v.startswith("assets/")), None)
        for out in output_values(event):
            if isinstance(out, str):
                origin[out] = text if text is not None else origin.get(source or "", "")
    prompts.update({k: v for k, v in origin.items() if v})
    return prompts
