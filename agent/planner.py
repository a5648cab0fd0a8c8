"""The offline planner: a smolagents `Model` with no LLM that writes the code an LLM would.

It reads the request (subjects from `agent.gazetteer`) and the tool list (each
tool's schema says which argument takes a prompt, which takes files, what the
tool returns), then answers step by step:

1. call the asset tool once per subject, catching each failure;
2. read the observation; retry the failed subjects once unless the Space
   rejected them outright;
3. assemble the scene from what was made (dropping a file the scene Space
   refuses, once) and call `final_answer`, with a note for each object a
   Space only stood in for (its output carries `placeholder: "<reason>"`).

It goes through the real CodeAgent loop, so the code really runs and the
Spaces are really called.
"""

from __future__ import annotations

import re
from typing import Any

from smolagents import ChatMessage, MessageRole, Model
from smolagents.monitoring import TokenUsage

from agent.gazetteer import Subjects, subjects_from_request
from agent.chat_messages import STUCK_PROMPT, message_text
from tools.schema import ToolSpec

NOTHING_TO_BUILD = (
    "I could not find anything to build in that request. Name a place (e.g. 'Build a 3D gallery of Paris "
    "landmarks') or list objects (e.g. 'a gallery of a red lighthouse, an oak tree and a windmill')."
)
PLACEHOLDER_NOTE = "shown as a placeholder; a real text-to-3D Space would make it"
_FAILED_LINE = re.compile(r"^FAILED (.+?): (.*)$", re.M)
_REFUSED_FILE = re.compile(r"'([^'/\\]+\.(?:glb|gltf))'")


class OfflinePlanner(Model):
    """Rule-based code writer for an asset chain (e.g. text_to_3d, or text_to_image then image_to_3d) and a scene tool.

    Args:
        asset_tools: specs of the asset chain's tools in order (the first takes the prompt, each next one the
            previous one's file), or a single spec; None (or a None inside) if a stage is unavailable.
        scene_tool: spec of the tool that assembles files into a scene, or None if unavailable.
        max_objects: most subjects put in one gallery.
        unavailable: tool name -> reason, for tools the config lists but that failed to load.
        subjects: what to build, instead of reading it from the request (e.g. what a failed LLM had chosen).
    """

    def __init__(self, asset_tools: list[ToolSpec | None] | ToolSpec | None, scene_tool: ToolSpec | None, *,
                 max_objects: int = 12, unavailable: dict[str, str] | None = None,
                 subjects: Subjects | None = None) -> None:
        super().__init__(model_id="offline-planner")
        chain = asset_tools if isinstance(asset_tools, list) else [asset_tools]
        self.asset_tools: list[ToolSpec] = [t for t in chain if t is not None]
        self._chain_broken = not chain or any(t is None for t in chain)
        self.scene_tool = scene_tool
        self.max_objects = max_objects
        self.unavailable = unavailable or {}
        self._phase = "start"
        self._subjects: Subjects | None = None
        self._given = subjects
        self._dropped_files: set[str] = set()
        self._retried = False

    def generate(self, messages: list[ChatMessage], stop_sequences: list[str] | None = None,
                 response_format: dict[str, str] | None = None, tools_to_call_from: list[Any] | None = None,
                 **kwargs: Any) -> ChatMessage:
        texts = [(m.role, message_text(m)) for m in messages]
        if texts and STUCK_PROMPT in texts[0][1]:
            return ChatMessage(role=MessageRole.ASSISTANT,  # smolagents' closing summary asks for words, not code
                               content="The run stopped before the scene was finished: see the chain log for what "
                                       "was made.", token_usage=TokenUsage(input_tokens=0, output_tokens=0))
        task = next((t.split("New task:", 1)[1].strip() for r, t in texts
                     if r == MessageRole.USER and "New task:" in t), "")
        observation = next((t for r, t in reversed(texts) if r == MessageRole.TOOL_RESPONSE), "")
        return code_reply(*self._next_step(task, observation))

    def _next_step(self, task: str, observation: str) -> tuple[str, str]:
        if self._phase == "start":
            return self._start(task)
        if self._phase == "generated":
            return self._after_generation(observation)
        if self._phase == "assembling":
            return self._after_assembly(observation)
        return "Finishing.", "final_answer('The run could not assemble a scene; see the chain log.')"

    def _start(self, task: str) -> tuple[str, str]:
        self._subjects = self._given or subjects_from_request(task, max_items=self.max_objects)
        if not self._subjects.items:
            self._phase = "done"
            return "The request names nothing I can build.", f"final_answer({NOTHING_TO_BUILD!r})"
        missing = self._missing_tools()
        if missing:
            self._phase = "done"
            return "A required tool is unavailable.", f"final_answer({missing!r})"
        self._phase = "generated"
        items = list(self._subjects.items)  # with repeats ("3 red apples"): each is placed, each made once
        distinct = list(dict.fromkeys(items))
        where = _where(self._subjects)
        chain = " then ".join(t.name for t in self.asset_tools)
        copies = f" ({len(items)} placed, repeats made once)" if len(distinct) < len(items) else ""
        left_out = (f" Leaving out {', '.join(self._subjects.excluded)}, as asked." if self._subjects.excluded
                    else "")
        thought = (f"{where}, so the gallery '{self._subjects.title}' gets {len(distinct)} object(s){copies}: "
                   f"{', '.join(distinct)}.{left_out} I make them all at once with parallel_map over {chain}, "
                   f"keeping going if one fails, then assemble the results with {self.scene_tool.name}.")
        code = (f"subjects = {items!r}\nassets = {{}}\nfailed = {{}}\nplaceholders = {{}}\n"
                f"{self._asset_code('subjects')}")
        return thought, code

    def _asset_code(self, names: str) -> str:
        """Code that makes the assets of the subjects in the list expression `names`, one stage at a time,
        each stage fanned out with parallel_map; failures are printed per subject."""
        lines = [f"current = {{s: s for s in {names}}}"]
        for index, tool in enumerate(self.asset_tools):
            arg = _prompt_arg(tool) if index == 0 else _file_arg(tool)
            pick = _file_key(tool)
            lines += fan_out_stage(tool.name, f"{{{arg!r}: current[s]}}", pick) + _PLACEHOLDER_LINES
        lines += ["for subject in current:", "    failed.pop(subject, None)", "    assets[subject] = current[subject]",
                  "    print(f\"OK {subject}\")", "print(f\"made {len(assets)} of {len(subjects)}\")"]
        return "\n".join(lines)

    def _after_generation(self, observation: str) -> tuple[str, str]:
        failures = dict(_FAILED_LINE.findall(observation))
        retry = [s for s, error in failures.items() if "rejected the input" not in error]
        if retry and not self._retried:
            self._retried = True
            thought = (f"{len(failures)} object(s) failed ({', '.join(failures)}). The errors look transient, "
                       f"so I retry {', '.join(retry)} once.")
            code = f"retry = {retry!r}\n{self._asset_code('retry')}"
            return thought, code
        return self._assemble(failures)

    def _assemble(self, failures: dict[str, str]) -> tuple[str, str]:
        self._phase = "assembling"
        skipped = f" Skipping {', '.join(failures)}, which failed." if failures else ""
        thought = f"Assembling the gallery from the objects that were made.{skipped}"
        args = ", ".join(self._scene_args())
        code = (
            "made = [s for s in subjects if s in assets]\n"
            "if not made:\n"
            "    final_answer('No object could be made, so there is no scene. Failures: ' + str(failed))\n"
            f"scene = {self.scene_tool.name}({args})\n"
            f"print(scene)\n{self._final_answer_code()}"
        )
        return thought, code

    def _after_assembly(self, observation: str) -> tuple[str, str]:
        refused = [name for name in _REFUSED_FILE.findall(observation) if name not in self._dropped_files]
        if refused and "Error" in observation:
            self._dropped_files.update(refused)
            thought = f"The scene Space refused {refused[0]}; I drop that object and assemble the rest."
            code = (f"for subject in list(assets):\n    if assets[subject].endswith({refused[0]!r}):\n"
                    "        failed[subject] = 'refused by the scene Space'\n        assets.pop(subject)\n"
                    "made = [s for s in subjects if s in assets]\n"
                    "if not made:\n    final_answer('Every object was refused by the scene Space: ' + str(failed))\n"
                    f"scene = {self.scene_tool.name}({', '.join(self._scene_args())})\n"
                    f"print(scene)\n{self._final_answer_code()}")
            return thought, code
        self._phase = "done"
        reason = _error_reason(observation)
        return ("Assembly failed and I cannot fix the input; I report what happened.",
                f"final_answer({('The scene could not be assembled: ' + reason)!r})")

    def _scene_args(self) -> list[str]:
        return scene_args(self.scene_tool, self._subjects.title if self._subjects else "Gallery")

    def _final_answer_code(self) -> str:
        pick = _file_key(self.scene_tool)
        scene = f"scene[{pick!r}]" if pick else "scene"
        return (f"notes = [reason + {': ' + PLACEHOLDER_NOTE!r} for s, reason in placeholders.items() if s in made]\n"
                f"final_answer({{'scene': {scene}, 'objects': made, 'missing': failed, 'notes': notes}})")

    def _missing_tools(self) -> str:
        gaps = []
        if self._chain_broken:
            gaps.append("an asset tool")
        if self.scene_tool is None:
            gaps.append("a scene-assembly tool")
        if not gaps:
            return ""
        reasons = "; ".join(f"{name}: {why}" for name, why in self.unavailable.items())
        return (f"I cannot build this: {' and '.join(gaps)} is unavailable. " + (reasons or
                "Add one to the config's [[tools]] with the right capability."))


# after a stage: remember each subject whose output says it is only a stand-in ({"placeholder": "<reason>"})
_PLACEHOLDER_LINES = [
    "for subject, outcome in zip(todo, outcomes):",
    "    parts = outcome['result'].values() if outcome['ok'] and isinstance(outcome['result'], dict) else []",
    "    for part in parts:",
    "        if isinstance(part, dict) and part.get('placeholder'):",
    "            placeholders[subject] = str(part['placeholder'])",
]


def _where(subjects: Subjects) -> str:
    """How the thought names what the request asked for."""
    if subjects.setting:
        return f"The request describes {subjects.setting.lower()}"
    return f"The request names {subjects.place}" if subjects.place else "The request lists objects"


def _error_reason(observation: str) -> str:
    """The tool's own message in an error observation ("... due to: SpaceRejectedError: <message>")."""
    match = re.search(r"due to: (?:\w+: )?(.+)", observation)
    if match:
        return match.group(1).strip()[:300]
    lines = [line for line in observation.strip().splitlines() if "retry" not in line.lower()]
    return (lines[-1] if lines else "unknown error")[:300]


def _prompt_arg(spec: ToolSpec) -> str:
    text_params = [p for p in spec.endpoint.params if p.kind == "text"]
    named = [p for p in text_params if p.name in {"prompt", "text", "query", "description"}]
    return (named or text_params or list(spec.endpoint.params))[0].name


def fan_out_stage(tool: str, item: str, output_key: str | None) -> list[str]:
    """Code lines running one chain stage over every subject in `current` with parallel_map.

    Args:
        tool: the tool's name.
        item: Python expression of one call's keyword dict, using `s` (the subject) and `current[s]`.
        output_key: the result's key holding the next stage's input, or None when the tool returns it bare.
    """
    value = f"outcome['result'][{output_key!r}]" if output_key else "outcome['result']"
    return ["todo = list(current)",
            f"outcomes = parallel_map(tool={tool!r}, items=[{item} for s in todo])",
            "for subject, outcome in zip(todo, outcomes):",
            "    if outcome['ok']:",
            f"        current[subject] = {value}",
            "    else:",
            "        failed[subject] = outcome['error']",
            "        current.pop(subject)",
            "        print(f\"FAILED {subject}: {outcome['error']}\")"]


def _file_arg(spec: ToolSpec) -> str:
    """The argument that takes the previous stage's file."""
    files = [p for p in spec.endpoint.params if p.kind in ("file", "files")]
    return (files or list(spec.endpoint.params))[0].name


def _file_key(spec: ToolSpec) -> str | None:
    """The output key holding the file, when the tool returns a dict."""
    if len(spec.endpoint.outputs) == 1:
        return None
    files = [o.key for o in spec.endpoint.outputs if o.kind == "file"]
    return files[0] if files else spec.endpoint.outputs[0].key


def scene_args(scene_tool: ToolSpec, title: str, hints: str = "", *, files: str = "[assets[s] for s in made]",
               names: str = "made") -> list[str]:
    """The scene tool's keyword arguments, as code: the files made (the expression `files`), their labels (one
    per line from the iterable expression `names`), the title, and placement hints when the tool takes them."""
    args = []
    for param in scene_tool.endpoint.params:
        if param.kind == "files":
            args.append(f"{param.name}={files}")
        elif "label" in param.name or "name" in param.name:
            args.append(f"{param.name}='\\n'.join({names})")
        elif "title" in param.name:
            args.append(f"{param.name}={title!r}")
        elif param.name == "hints" and hints:
            args.append(f"{param.name}={hints!r}")
    return args


def code_reply(thought: str, code: str) -> ChatMessage:
    """An assistant message the way a code-writing LLM answers: a thought, then the code."""
    return ChatMessage(role=MessageRole.ASSISTANT, content=f"Thought: {thought}\n<code>\n{code}\n</code>",
                       token_usage=TokenUsage(input_tokens=0, output_tokens=0))


