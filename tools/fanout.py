"""`parallel_map`: one agent step maps a tool over many inputs, concurrently, with a result or an error per item."""

from __future__ import annotations

import concurrent.futures
from typing import Any

from smolagents import Tool

from tools.errors import DioramaError, InvalidInputError, RunCancelledError

MAX_ITEMS = 64


class ParallelMapTool(Tool):
    """Calls one of the run's Space tools on every item of a list at once (bounded per Space)."""

    name = "parallel_map"
    description = (
        "Calls another tool once per item, all at the same time, and returns one entry per item in the same "
        "order: {'ok': True, 'result': <what the tool returned>} or {'ok': False, 'error': '<one-line reason>'}. "
        "Use it instead of a loop whenever the calls are independent (e.g. making every object of a gallery): "
        "it is much faster and one failure does not stop the others. Example: "
        "parallel_map(tool='text_to_3d', items=[{'prompt': 'Eiffel Tower'}, {'prompt': 'Big Ben'}])."
    )
    inputs = {
        "tool": {"type": "string", "description": "name of the tool to call, e.g. 'text_to_3d'"},
        "items": {"type": "array", "description": f"list of keyword-argument dicts, one per call (at most "
                                                  f"{MAX_ITEMS})"},
    }
    output_type = "array"

    def __init__(self, tools: dict[str, Tool], *, workers: int = 8) -> None:
        self.tools = tools
        self.workers = workers
        super().__init__()

    def forward(self, tool: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        target = self.tools.get(tool)
        if target is None:
            raise InvalidInputError(f"parallel_map: no tool named {tool!r}; available: {', '.join(self.tools)}.")
        if not isinstance(items, (list, tuple)) or not all(isinstance(i, dict) for i in items):
            raise InvalidInputError("parallel_map: items must be a list of dicts of keyword arguments, "
                                    "e.g. [{'prompt': 'Eiffel Tower'}].")
        if len(items) > MAX_ITEMS:
            raise InvalidInputError(f"parallel_map: {len(items)} items; the limit is {MAX_ITEMS}.")
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="fanout") as pool:
            futures = [pool.submit(target, **item) for item in items]
            return [self._outcome(f) for f in futures]

    @staticmethod
    def _outcome(future: concurrent.futures.Future) -> dict[str, Any]:
        try:
            return {"ok": True, "result": future.result()}
        except RunCancelledError:
            raise
        except DioramaError as exc:
            return {"ok": False, "error": str(exc)}
