"""A smolagents `Tool` that calls one Space endpoint, built from the endpoint's schema."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import random
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from gradio_client import handle_file
from smolagents import Tool

from tools.errors import DioramaError, InvalidInputError, SpaceError, SpaceOutputError
from tools.glb_check import glb_problem
from tools.schema import Param, ToolSpec, shape_result
from tools.spaces import SpaceSession

logger = logging.getLogger(__name__)

EventSink = Callable[[dict[str, Any]], None]


@dataclass
class CallContext:
    """What the tools of one run share: where files go, how events are reported, limits."""

    run_dir: Path
    emit: EventSink
    call_timeout_s: float
    attempts: int = 2
    backoff_s: float = 1.0
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def next_call_id(self) -> str:
        return f"call-{next(self._ids)}"

    def relative(self, value: Any) -> Any:
        """Show paths inside the run folder relative to it, recursively."""
        if isinstance(value, str) and value.startswith(str(self.run_dir)):
            return str(Path(value).relative_to(self.run_dir))
        if isinstance(value, list):
            return [self.relative(v) for v in value]
        if isinstance(value, dict):
            return {k: self.relative(v) for k, v in value.items()}
        return value


class SpaceTool(Tool):
    """Calls a Space endpoint; generated from its API schema, see `tools.schema.build_spec`."""

    skip_forward_signature_validation = True

    def __init__(self, spec: ToolSpec, session: SpaceSession, context: CallContext) -> None:
        self.name = spec.name
        self.description = spec.description
        self.inputs = spec.inputs
        self.output_type = spec.output_type
        self.spec = spec
        self.session = session
        self.context = context
        super().__init__()

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        values = self._bind(args, kwargs)
        wire = [self._to_wire(param, values[param.name]) for param in self.spec.endpoint.params]
        shown = self.context.relative({k: v for k, v in values.items()})
        for attempt in range(1, self.context.attempts + 1):
            event = self._start_event(shown, attempt)
            started = time.monotonic()
            try:
                raw = self.session.call(self.spec.endpoint.api_name, wire, timeout_s=self.context.call_timeout_s)
                result = self._collect(shape_result(self.spec, raw, space=self.session.label), event["id"])
            except DioramaError as exc:
                self._finish_event(event, started, status="error", error=str(exc))
                logger.info("%s %s attempt %d failed after %.2f s: %s", self.session.label,
                            self.spec.endpoint.api_name, attempt, time.monotonic() - started, exc)
                if not exc.retryable or attempt == self.context.attempts:
                    raise
                time.sleep(self.context.backoff_s * (2 ** (attempt - 1)) * (0.5 + random.random()))
                continue
            self._finish_event(event, started, status="ok", output=self.context.relative(result))
            logger.info("%s %s ok in %.2f s", self.session.label, self.spec.endpoint.api_name,
                        time.monotonic() - started)
            return result
        raise AssertionError("unreachable")  # the loop either returns or raises

    def _bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        params = self.spec.endpoint.params
        names = [p.name for p in params]
        if len(args) > len(params):
            raise InvalidInputError(f"{self.name} takes at most {len(params)} arguments ({', '.join(names)}), "
                                    f"got {len(args)}.")
        values = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in names:
                raise InvalidInputError(f"{self.name} has no argument '{key}'; valid: {', '.join(names)}.")
            values[key] = value
        for param in params:
            if param.name not in values or values[param.name] is None:
                if param.required:
                    raise InvalidInputError(f"{self.name} needs '{param.name}' ({param.label or param.name}).")
                values[param.name] = param.default
        return values

    def _to_wire(self, param: Param, value: Any) -> Any:
        if param.kind == "file":
            return None if value is None else handle_file(self._existing_file(param, value))
        if param.kind == "files":
            items = value if isinstance(value, (list, tuple)) else [value]
            return [handle_file(self._existing_file(param, item)) for item in items]
        return value

    def _existing_file(self, param: Param, value: Any) -> str:
        if isinstance(value, dict):  # a multi-output result passed whole: take its single file
            files = [v for v in value.values() if isinstance(v, str) and Path(v).is_file()]
            if len(files) == 1:
                value = files[0]
        path = Path(str(value))
        if not path.is_absolute():
            path = self.context.run_dir / path
        if not path.is_file():
            raise InvalidInputError(f"{self.name}: '{param.name}' must be paths of existing files (as returned "
                                    f"by another tool), got {str(value)[:120]!r}.")
        return str(path)

    def _collect(self, result: Any, call_id: str) -> Any:
        """Move file outputs into the run folder and check them."""
        outputs = self.spec.endpoint.outputs
        if len(outputs) == 1:
            return self._collect_one(outputs[0].kind, outputs[0].label, result, call_id)
        return {o.key: self._collect_one(o.kind, o.label, result[o.key], call_id) for o in outputs}

    def _collect_one(self, kind: str, label: str, value: Any, call_id: str) -> Any:
        if kind == "files" and isinstance(value, list):
            return [self._collect_one("file", label, v, call_id) for v in value]
        if kind != "file" or value is None:
            return value
        if not isinstance(value, str) or not Path(value).is_file():
            raise SpaceOutputError(
                f"{self.session.label} {self.spec.endpoint.api_name} declared a file for '{label}' but returned "
                f"{str(value)[:80]!r}; the Space may have failed silently. Try again or use another provider.",
                space=self.session.label, endpoint=self.spec.endpoint.api_name)
        source = Path(value)
        target = self.context.run_dir / "assets" / f"{call_id}_{source.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        if target.suffix.lower() == ".glb":
            problem = glb_problem(target)
            if problem:
                raise SpaceOutputError(
                    f"{self.session.label} {self.spec.endpoint.api_name} returned '{source.name}', which {problem}.",
                    space=self.session.label, endpoint=self.spec.endpoint.api_name)
        return str(target)

    def _start_event(self, inputs: dict[str, Any], attempt: int) -> dict[str, Any]:
        event = {
            "type": "space_call", "id": self.context.next_call_id(), "tool": self.name,
            "space": self.session.label, "endpoint": self.spec.endpoint.api_name, "inputs": inputs,
            "output": None, "status": "running", "attempt": attempt,
            "started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
            "duration_s": None, "error": None,
        }
        self.context.emit(dict(event))
        return event

    def _finish_event(self, event: dict[str, Any], started: float, *, status: str,
                      output: Any = None, error: str | None = None) -> None:
        event.update(status=status, output=output, error=error, duration_s=round(time.monotonic() - started, 3))
        self.context.emit(dict(event))


__all__ = ["CallContext", "SpaceTool", "SpaceError"]
