"""Multi-call tools: several endpoints of one Space called in order, in one session, as one agent tool.

Some Spaces need several calls in one gradio session: TRELLIS generates into a
gr.State with /image_to_3d and exports that state with /extract_glb; TripoSR
checks, preprocesses, then generates. A `[[tools]]` entry with `steps` (syntax
in diorama.toml, parsed by `agent.config`) makes such a sequence one tool:

- its inputs are the step arguments bound to "$input.NAME", each described
  from the endpoint parameter it feeds (the first one, when several share a name);
- its output is the last step's outputs, shaped and checked like a single call's
  (file outputs copied into the run folder, GLBs checked);
- one attempt runs every step on one leased `Client` (`SpaceSession.leased`), so
  the Space's session state holds from one step to the next; each step has the
  call deadline; a retryable failure of any step retries the whole sequence
  from the first step;
- breaker, per-Space bound, budget, replay, cache and the chain-log event are
  `SpaceTool`'s. One attempt is one event (endpoint "/a -> /b", plus `steps`:
  each finished step's endpoint and duration) and counts as one call against
  `budget.max_calls`. The cache key includes the recipe.

A gr.State is never an argument (the server keeps it per session), so a recipe
does not pass it; "$steps.N.KEY" carries a visible output (a preprocessed image,
a seed) of step N into a later step. Fallbacks are not supported for recipes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from tools.errors import ConfigError, InvalidInputError, SpaceError, SpaceOutputError, reason_of, restated
from tools.schema import EndpointSchema, Param, ToolSpec, build_spec, endpoint_summary, shape_result
from tools.space_tool import CallContext, ProviderSlot, SpaceTool

if TYPE_CHECKING:
    from tools.tool_config import Binding, Step

__all__ = ["MultiCallTool", "PlannedStep", "build_tool", "plan"]


@dataclass(frozen=True)
class PlannedStep:
    """A recipe step checked against its endpoint: every parameter in order, with its source (None: its default)."""

    endpoint: str
    schema: EndpointSchema
    args: tuple[tuple[Param, "Binding | None"], ...]


def plan(name: str, steps: Sequence["Step"],
         schemas: Sequence[EndpointSchema]) -> tuple[EndpointSchema, tuple[PlannedStep, ...]]:
    """Check a recipe against its endpoints' schemas.

    Args:
        name: the tool's name, for messages.
        steps: the recipe, as configured.
        schemas: each step's endpoint schema, in the same order.

    Returns:
        The tool's own schema (its inputs, the last step's outputs, api_name "/a -> /b") and the checked steps.

    Raises:
        ConfigError: an unknown argument, a required argument left unbound, or a reference to an output
            the referenced step does not have; the message names the tool, the step and the reference.
    """
    inputs: dict[str, Param] = {}
    planned = []
    for number, (step, schema) in enumerate(zip(steps, schemas)):
        where = f"Tool {name!r} steps[{number}] ({step.endpoint})"
        names = [p.name for p in schema.params]
        unknown = [key for key in step.inputs if key not in names]
        if unknown:
            raise ConfigError(f"{where} has no argument {unknown[0]!r}; its arguments: "
                              f"{', '.join(names) or 'none'}.")
        args = []
        for param in schema.params:
            binding = step.inputs.get(param.name)
            if binding is None and param.required:
                raise ConfigError(f"{where} needs {param.name!r} ({param.label or param.name}); bind it in the "
                                  f"step's inputs to \"$input.{param.name}\", a constant or \"$steps.N.KEY\".")
            if binding is not None and binding.kind == "step":
                _check_output(where, param, binding, steps, schemas)
            if binding is not None and binding.kind == "input" and binding.name not in inputs:
                inputs[binding.name] = replace(param, name=binding.name)
            args.append((param, binding))
        planned.append(PlannedStep(step.endpoint, schema, tuple(args)))
    chain = " -> ".join(step.endpoint for step in steps)
    doc = f"Calls {len(steps)} endpoints in one session: " + " ".join(
        f"({n + 1}) {endpoint_summary(s)}" for n, s in enumerate(schemas)) if len(steps) > 1 else schemas[0].doc
    return EndpointSchema(api_name=chain, params=tuple(inputs.values()), outputs=schemas[-1].outputs,
                          doc=doc), tuple(planned)


def _check_output(where: str, param: Param, binding: "Binding", steps: Sequence["Step"],
                  schemas: Sequence[EndpointSchema]) -> None:
    source = schemas[binding.step]
    keys = [o.key for o in source.outputs]
    named = f"step {binding.step} ({steps[binding.step].endpoint})"
    if not binding.key and len(keys) != 1:
        raise ConfigError(f"{where}: {param.name} = {binding.text!r}: {named} has {len(keys)} outputs, so name "
                          "one: " + (", ".join(f'"$steps.{binding.step}.{k}"' for k in keys) or "none") + ".")
    if binding.key and binding.key not in keys:
        raise ConfigError(f"{where}: {param.name} = {binding.text!r}: {named} has no output {binding.key!r}; its "
                          f"outputs: {', '.join(keys) or 'none'} (the keys `--describe` prints).")


def build_tool(entry: Any, slot: ProviderSlot, schemas: Sequence[EndpointSchema],
               context: CallContext, *, card: str = "") -> "MultiCallTool":
    """The agent tool for a configured recipe (`entry.steps`), calling through `slot`; `card` as in `build_spec`.

    Raises:
        ConfigError: see `plan`.
    """
    schema, steps = plan(entry.name, entry.steps, schemas)
    spec = build_spec(schema, name=entry.name, space_label=slot.label, description=entry.description, card=card)
    slot = replace(slot, endpoint=schema.api_name, schema=lambda: schema)
    return MultiCallTool(spec, slot, context, steps)


class MultiCallTool(SpaceTool):
    """A recipe of calls to one Space, run in one session as one tool (see the module docstring)."""

    def __init__(self, spec: ToolSpec, provider: ProviderSlot, context: CallContext,
                 steps: tuple[PlannedStep, ...]) -> None:
        self.steps = steps
        super().__init__(spec, [provider], context)

    def _cache_identity(self) -> dict[str, Any]:
        recipe = [{"endpoint": step.endpoint, "inputs": {p.name: b.text for p, b in step.args if b is not None}}
                  for step in self.steps]
        return {"tool": self.name, "recipe": recipe}

    def _call_once(self, provider: ProviderSlot, values: dict[str, Any], call_id: str,
                   event: dict[str, Any] | None = None) -> Any:
        """Every step on one client; a step's failure is restated with the step it happened in."""
        outputs: list[dict[str, Any]] = []
        with provider.session.leased(headers=self.context.forward_headers) as call:
            for number, step in enumerate(self.steps):
                where = f"step {number + 1} of {len(self.steps)} ({step.endpoint})"
                started = time.monotonic()
                try:
                    wire = [self._step_arg(param, binding, values, outputs, provider)
                            for param, binding in step.args]
                    raw = call(step.endpoint, step.schema.wire(wire), timeout_s=self.context.call_timeout_s,
                               cancel=self.context.cancel,
                               on_queue=self._queued(event), fn_index=step.schema.fn_index)
                    outputs.append(_keyed(step.schema, raw, provider.label))
                except SpaceError as exc:
                    raise restated(exc, f"{where}: {reason_of(exc)}") from exc
                except InvalidInputError as exc:
                    raise InvalidInputError(f"{self.name} {where}: {exc}") from exc
                if event is not None:
                    event["steps"] = [*event.get("steps", []), {
                        "endpoint": step.endpoint, "duration_s": round(time.monotonic() - started, 3)}]
                    self.context.emit(dict(event))
        last = self.steps[-1].schema
        result = next(iter(outputs[-1].values())) if len(last.outputs) == 1 else outputs[-1]
        return self._collect(last, result, call_id, provider)

    def _step_arg(self, param: Param, binding: "Binding | None", values: dict[str, Any],
                  outputs: list[dict[str, Any]], provider: ProviderSlot) -> Any:
        """One argument on the wire: the tool's input, a constant or an earlier step's output."""
        if binding is None:
            return self._to_wire(param, param.default, provider)
        if binding.kind == "input":
            value = values.get(binding.name)
            if value is None and param.required:
                raise InvalidInputError(f"needs '{binding.name}' for its argument '{param.name}'.")
            return self._to_wire(param, param.default if value is None else value, provider)
        if binding.kind == "constant":
            return self._to_wire(param, binding.value, provider)
        produced = outputs[binding.step]
        value = produced[binding.key] if binding.key else next(iter(produced.values()))
        if param.kind in ("file", "files"):
            items = value if isinstance(value, list) else [value]
            if not items or not all(isinstance(v, str) and Path(v).is_file() for v in items):
                raise SpaceOutputError(
                    f"{binding.text} is {repr(value)[:80]}, not a file, but '{param.name}' takes a file; check "
                    "the recipe's reference.", space=provider.label, endpoint=self.steps[binding.step].endpoint)
        return self._to_wire(param, value, provider)


def _keyed(schema: EndpointSchema, raw: Any, space: str) -> dict[str, Any]:
    """A step's result as {output key: value}, checked against the declared number of outputs."""
    spec = ToolSpec(name="", description="", inputs={}, output_type="", endpoint=schema)
    shaped = shape_result(spec, raw, space=space)
    if len(schema.outputs) == 1:
        return {schema.outputs[0].key: shaped}
    return shaped or {}
