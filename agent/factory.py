"""build_agent: the CodeAgent for one run, from the settings, the run's tools and the model."""

from __future__ import annotations

import copy
import functools
import importlib.resources
from typing import Any, Callable

import yaml
from smolagents import CodeAgent, Model, Tool
from smolagents.local_python_executor import PythonExecutor
from smolagents.monitoring import LogLevel

from agent.config import Settings
from agent.llm_prompt import system_prompt
from agent.sandbox import ALLOWED_IMPORTS, SandboxedExecutor
from tools.fanout import ParallelMapTool


@functools.cache
def _code_agent_templates() -> dict[str, Any]:
    """smolagents' CodeAgent prompt templates, parsed once per process (CodeAgent parses its YAML file in every
    constructor: 5 ms a run on the idle machine, far more under load; each agent gets its own copy)."""
    text = importlib.resources.files("smolagents.prompts").joinpath("code_agent.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


class _SandboxedCodeAgent(CodeAgent):
    """A CodeAgent whose code runs in the given executor, prompted with Diorama's own system prompt."""

    diorama_prompt: Callable[[str], str] | None = None  # notes -> prompt; None: smolagents' generic prompt

    def initialize_system_prompt(self) -> str:
        self.authorized_imports = list(ALLOWED_IMPORTS)
        if self.diorama_prompt is not None:
            return self.diorama_prompt(self.instructions or "")
        return super().initialize_system_prompt()

    def create_python_executor(self) -> PythonExecutor:
        self.authorized_imports = list(ALLOWED_IMPORTS)  # the system prompt tells the model what it may import
        return SandboxedExecutor(stop=lambda: bool(getattr(self, "interrupt_switch", False)),
                                 max_print_outputs_length=self.max_print_outputs_length)


def build_agent(settings: Settings, tools: dict[str, Tool], model: Model, *,
                executor: PythonExecutor | None = None) -> CodeAgent:
    """One agent per run (agents keep memory and executor state).

    The agent's code runs in `executor`: in a run, `agent.broker.WorkerExecutor`
    (a confined worker process; tools are stubs answered by the app's broker).
    Without one, the screen alone (`agent.sandbox`) in this process, which is
    only for code Diorama wrote itself. Space calls are bounded by their own
    deadlines, so smolagents' per-step timeout is off.
    """
    agent = _SandboxedCodeAgent(
        tools=[*tools.values(), ParallelMapTool(dict(tools), workers=8)], model=model,
        max_steps=settings.max_steps, verbosity_level=LogLevel.OFF, executor=executor,
        prompt_templates=copy.deepcopy(_code_agent_templates()),
    )
    agent.diorama_prompt = _prompt_writer(settings, tools)
    return agent


def _prompt_writer(settings: Settings, tools: dict[str, Tool]) -> Callable[[str], str] | None:
    """notes -> Diorama's system prompt for these tools, or None when the chain is incomplete (no prompt to give)."""
    specs = {t.capability: getattr(tools.get(t.name), "spec", None) for t in reversed(settings.tools)
             if t.name in tools}
    chain = [specs.get(c) for c in settings.asset_chain]
    scene = specs.get("scene_assembly")
    if scene is None or not chain or any(s is None for s in chain):
        return None
    used = {s.name for s in (*chain, scene)}
    others = [t.spec for t in tools.values() if t.name not in used and getattr(t, "spec", None) is not None]
    return lambda notes: system_prompt(chain, scene, others=others, max_objects=settings.max_objects,
                                       imports=ALLOWED_IMPORTS, notes=notes)
