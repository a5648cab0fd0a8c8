"""Edits applied to a scene manifest, and the offline edit planner that writes an edit run's code.

`plan_edit` turns a parent scene (`agent.scene_manifest`) and parsed edits (`agent.edit_grammar`) into the
scene to make: which objects are reused as they are (no Space call), which are made (add, swap, recolour: one
asset call each), their order, sizes and the layout hints for the scene builder. `EditPlanner` writes the one
code step that makes the new objects and assembles the scene, through the same tools as a build.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from smolagents import ChatMessage, MessageRole

from agent.edit_grammar import ALL, COLOURS, FOCUS, Edit, match_label
from agent.chat_messages import STUCK_PROMPT, message_text
from agent.planner import OfflinePlanner, _file_arg, _file_key, _prompt_arg, code_reply, fan_out_stage, scene_args
from agent.scene_manifest import SceneManifest, SceneObject
from tools.errors import InvalidInputError
from tools.schema import ToolSpec

__all__ = ["EditPlan", "EditPlanner", "EditRefusedError", "hints_of", "plan_edit"]

MIN_SCALE, MAX_SCALE = 0.1, 5.0  # the scene builder's range (spaces/scene_builder/sb_hints.py)
MIN_SPACING, MAX_SPACING = 1.0, 4.0


class EditRefusedError(InvalidInputError):
    """An edit that was understood but cannot be done (it would empty the scene, or the scene Space cannot)."""


@dataclass(frozen=True)
class EditPlan:
    """The scene an edit asks for.

    Attributes:
        scene: the new scene; an object whose `file` is "" is to be made (its prompt goes to the asset tool).
        summary: one line per edit, e.g. "removed Luxor Obelisk", "Eiffel Tower x2 (now x2)".
        focus: the label the last edit touched, for a later "make it smaller".
    """

    scene: SceneManifest
    summary: tuple[str, ...]
    focus: str | None

    @property
    def to_make(self) -> dict[str, str]:
        """label -> prompt of the objects to make."""
        return {o.label: o.prompt for o in self.scene.objects if not o.file}

    @property
    def reused(self) -> list[SceneObject]:
        return [o for o in self.scene.objects if o.file]


def plan_edit(manifest: SceneManifest, edits: list[Edit]) -> EditPlan:
    """Apply edits, in order, to a scene.

    Args:
        manifest: the parent scene.
        edits: from `agent.edit_grammar.parse_edit`.

    Returns:
        The plan; objects not named by any edit keep their file (reused, not made again).

    Raises:
        UnknownObjectError: an edit names an object that is not in the scene.
        EditRefusedError: the edit would leave no object, or is not possible (e.g. "it" with no earlier edit).
    """
    objects = list(manifest.objects)
    scene = manifest
    focus = manifest.focus
    summary: list[str] = []

    def pick(target: str | None) -> list[int]:
        labels = [o.label for o in objects]
        if target == ALL:
            return list(range(len(objects)))
        if target == FOCUS:
            if focus in labels:
                return [labels.index(focus)]
            if len(objects) == 1:
                return [0]
            raise EditRefusedError("I do not know which object 'it' is here; name it, e.g. 'make the "
                                   f"{labels[0]} smaller'. Objects: {', '.join(labels)}.")
        return [labels.index(match_label(target or "", labels))]

    def given_order() -> None:
        """Switch to placing objects in list order, starting from where the builder had put them."""
        nonlocal objects, scene
        if scene.order != "given":
            objects = sorted(objects, key=lambda o: o.height_m if o.height_m is not None else 0.0)
            scene = scene.with_(order="given")

    for edit in edits:
        if edit.kind in ("add", "swap"):
            swapped = pick(edit.target)[0] if edit.kind == "swap" else None
            label = _unique(edit.subject or "object", [o.label for i, o in enumerate(objects) if i != swapped])
            new = SceneObject(label=label, prompt=edit.subject or label, file="")
            if swapped is not None:
                summary.append(f"replaced {objects[swapped].label} with {label}")
                objects[swapped] = new
            elif edit.where == "next_to":
                anchor = objects[pick(edit.anchor)[0]].label
                given_order()
                objects.insert([o.label for o in objects].index(anchor) + 1, new)
                summary.append(f"added {label} next to {anchor}")
            elif edit.where == "entrance":
                given_order()
                objects.insert(0, new)
                summary.append(f"added {label} at the entrance")
            else:
                objects.append(new)
                summary.append(f"added {label}")
            focus = label
        elif edit.kind == "remove":
            gone = set(pick(edit.target))
            if len(gone) >= len(objects):
                raise EditRefusedError("That would leave the scene empty. Remove fewer objects, or start a new "
                                       "scene (New scene, or /build).")
            summary.append("removed " + ", ".join(objects[i].label for i in sorted(gone)))
            objects = [o for i, o in enumerate(objects) if i not in gone]
            focus = None
        elif edit.kind == "resize":
            for index in pick(edit.target):
                old = objects[index]
                scale = min(max(old.scale * (edit.factor or 1.0), MIN_SCALE), MAX_SCALE)
                objects[index] = replace(old, scale=round(scale, 4),
                                         height_m=round(old.height_m * scale / old.scale, 4) if old.height_m else None)
                summary.append(f"{old.label} x{edit.factor:g} (now x{scale:g} of its first size)")
                focus = old.label if edit.target != ALL else focus
        elif edit.kind == "move":
            label = objects[pick(edit.target)[0]].label
            anchor = objects[pick(edit.anchor)[0]].label if edit.where == "next_to" else None
            given_order()
            moving = next(o for o in objects if o.label == label)
            objects.remove(moving)
            if anchor is not None and anchor != label:
                at = [o.label for o in objects].index(anchor) + 1
                summary.append(f"moved {label} next to {anchor}")
            elif edit.where == "back":
                at = len(objects)
                summary.append(f"moved {label} to the back")
            else:
                at = 0
                summary.append(f"moved {label} to the entrance")
            objects.insert(at, moving)
            focus = label
        elif edit.kind == "retitle":
            scene = scene.with_(title=edit.title or scene.title)
            summary.append(f"retitled to {scene.title!r}")
        elif edit.kind == "layout":
            scene = scene.with_(layout=edit.layout or "grid")
            summary.append(f"laid out in a {edit.layout}")
        elif edit.kind == "spacing":
            spacing = round(min(max(scene.spacing * (edit.factor or 1.0), MIN_SPACING), MAX_SPACING), 3)
            if spacing == scene.spacing:
                raise EditRefusedError(f"The spacing is already at its {'least' if (edit.factor or 1) < 1 else 'most'}"
                                       f" ({spacing:g}x the 2 m walkway); the scene builder allows 1x to 4x.")
            scene = scene.with_(spacing=spacing)
            summary.append(f"spacing x{spacing:g}")
        elif edit.kind == "recolour":
            for index in pick(edit.target):
                old = objects[index]
                words = old.prompt.split()
                while len(words) > 1 and COLOURS.get(words[0].lower()) == words[0].lower():  # a leading colour
                    words = words[1:]
                objects[index] = replace(old, prompt=f"{edit.colour} {' '.join(words)}".strip(), file="")
                summary.append(f"{old.label} made {edit.colour}")
                focus = old.label
    return EditPlan(scene=scene.with_(objects=tuple(objects), focus=focus), summary=tuple(summary), focus=focus)


def _unique(label: str, taken: list[str]) -> str:
    label = label[:1].upper() + label[1:] if label[:1].islower() and " " not in label else label
    name, n = label, 2
    while name.casefold() in {t.casefold() for t in taken}:
        name, n = f"{label} {n}", n + 1
    return name


def hints_of(scene: SceneManifest) -> str:
    """The scene builder's hints JSON for a scene ("" when every hint is the default)."""
    scale = {o.label: o.scale for o in scene.objects if o.scale != 1.0}
    hints: dict[str, Any] = {}
    if scene.layout != "grid":
        hints["layout"] = scene.layout
    if scene.spacing != 1.0:
        hints["spacing"] = scene.spacing
    if scene.order != "height":
        hints["order"] = scene.order
    if scale:
        hints["scale"] = scale
    return json.dumps(hints, ensure_ascii=False) if hints else ""


class EditPlanner(OfflinePlanner):
    """Writes an edit run's code: make the new objects (one asset call each), reuse the rest, assemble.

    Args:
        plan: the edit, from `plan_edit`; reused files are already in the new run's folder at their `file`.
        asset_tools, scene_tool, unavailable: as for `OfflinePlanner`.
    """

    def __init__(self, plan: EditPlan, asset_tools: list[ToolSpec | None] | ToolSpec | None,
                 scene_tool: ToolSpec | None, *, unavailable: dict[str, str] | None = None) -> None:
        super().__init__(asset_tools, scene_tool, unavailable=unavailable)
        self.model_id = "offline-edit-planner"
        self.plan = plan

    def generate(self, messages: list[ChatMessage], stop_sequences: list[str] | None = None,
                 response_format: dict[str, str] | None = None, tools_to_call_from: list[Any] | None = None,
                 **kwargs: Any) -> ChatMessage:
        texts = [(m.role, message_text(m)) for m in messages]
        if texts and STUCK_PROMPT in texts[0][1]:
            return code_reply("The edit stopped before the scene was finished: see the chain log for what was made.")
        if self._phase == "start":
            self._phase = "assembling"
            return code_reply(*self._edit_step())
        observation = next((t for r, t in reversed(texts) if r == MessageRole.TOOL_RESPONSE), "")
        self._phase = "done"
        reason = re.search(r"due to: (?:\w+: )?(.+)", observation)
        text = f"The edited scene could not be assembled: {(reason.group(1) if reason else observation)[:300]}"
        return code_reply("The edit failed; I report what happened.", f"final_answer({text!r})")

    def _edit_step(self) -> tuple[str, str]:
        missing = self._missing_tools()
        to_make = self.plan.to_make
        if missing and (to_make or self.scene_tool is None):
            return "A required tool is unavailable.", f"final_answer({missing!r})"
        scene = self.plan.scene
        hints = hints_of(scene)
        params = {p.name for p in self.scene_tool.endpoint.params}
        if hints and "hints" not in params:
            text = (f"The scene Space behind {self.scene_tool.name} takes no placement hints, so it cannot resize, "
                    "move or re-lay out objects; add, remove, swap and retitle still work. Point the "
                    "scene_assembly tool at the bundled scene builder for the rest.")
            return "The scene tool cannot place objects as asked.", f"final_answer({text!r})"
        reused = {o.label: o.file for o in self.plan.reused}
        order = [o.label for o in scene.objects]
        # placeholders: what the asset stage marks as stand-ins; the closing code (the planner's) lists them
        lines = [f"assets = {reused!r}", "failed = {}", "placeholders = {}", f"subjects = {order!r}"]
        if to_make:
            lines.append(f"current = {to_make!r}")
            for index, tool in enumerate(self.asset_tools):
                arg = _prompt_arg(tool) if index == 0 else _file_arg(tool)
                lines += fan_out_stage(tool.name, f"{{{arg!r}: current[s]}}", _file_key(tool))
            lines += ["for subject in current:", "    assets[subject] = current[subject]"]
        lines += ["made = [s for s in subjects if s in assets]",
                  "if not made:",
                  "    final_answer('No object could be made, so there is no scene. Failures: ' + str(failed))",
                  f"scene = {self.scene_tool.name}({', '.join(self._edit_scene_args(scene.title, hints))})",
                  "print(scene)", self._final_answer_code()]
        made = f"make {', '.join(to_make)} ({len(to_make)} asset call(s)), " if to_make else "make nothing new, "
        thought = (f"The edit: {'; '.join(self.plan.summary) or 'no change'}. I reuse {len(reused)} object(s) as "
                   f"they are, {made}then assemble the scene again.")
        return thought, "\n".join(lines)

    def _edit_scene_args(self, title: str, hints: str) -> list[str]:
        return scene_args(self.scene_tool, title, hints)
