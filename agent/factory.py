"""build_agent: the CodeAgent for one run, from the settings, the run's tools and the model."""

from __future__ import annotations

from smolagents import CodeAgent, Model, Tool
from smolagents.monitoring import LogLevel

from agent.config import Settings
from tools.fanout import ParallelMapTool

INSTRUCTIONS = """You build one 3D scene by chaining Gradio Space tools.
Plan once, in one step: decide the objects (at most {max_objects}); make them all with ONE parallel_map call over
{asset} (one item per object; for a chain of tools, one parallel_map per tool, feeding each result into the next),
print which ones failed; then call {scene} once with all the file paths and their labels; then call
final_answer({{'scene': <scene file path>, 'objects': [labels], 'missing': {{label: reason}}}}).
File paths returned by one tool can be passed directly to another tool. Never repeat a call that already succeeded."""


def build_agent(settings: Settings, tools: dict[str, Tool], model: Model) -> CodeAgent:
    """One agent per run (agents keep memory and executor state).

    Space calls are bounded by their own deadlines, so the executor's per-step
    timeout is off (it would only fire after a slow step had finished anyway).
    """
    names = {t.capability: t.name for t in settings.tools}
    asset = " then ".join(names.get(c, c) for c in settings.asset_chain)
    return CodeAgent(
        tools=[*tools.values(), ParallelMapTool(dict(tools), workers=8)], model=model,
        max_steps=settings.max_steps, verbosity_level=LogLevel.OFF, executor_kwargs={"timeout_seconds": None},
        instructions=INSTRUCTIONS.format(max_objects=settings.max_objects, asset=asset,
                                         scene=names.get("scene_assembly", "the scene tool")),
    )
