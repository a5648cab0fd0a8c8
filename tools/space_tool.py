"""A smolagents `Tool` that calls one capability's Space endpoint, with retries, fallbacks and replay.

For each call: providers are tried in order (a provider whose circuit is open
is skipped); each provider gets up to `attempts` tries for retryable failures,
with exponential backoff and jitter; an input rejection is not retried; every
output is checked against what the endpoint declared before anyone sees it.
A call that already finished in this run's journal is replayed, not repeated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import logging
import random
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from gradio_client import handle_file
from smolagents import Tool

from tools.breaker import CircuitBreaker, Outcome, outcome_of
from tools.budget import Budget
from tools.cache import ResultCache, mark_files
from tools.errors import DioramaError, InvalidInputError, RunCancelledError, SpaceError, SpaceOutputError, \
    SpaceUnavailableError, reason_of, restated
from tools.glb import MESH_SUFFIXES, glb_problem, mesh_to_glb
from tools.fallback_args import renamed
from tools.file_args import allowed_file
from tools.schema import EndpointSchema, Output, Param, ToolSpec, shape_result
from tools.space_card import SpaceCard
from tools.spaces import SpaceSession
from tools.validate import check_value
from tools.values import map_leaves

logger = logging.getLogger(__name__)

EventSink = Callable[[dict[str, Any]], None]


@dataclass
class CallContext:
    """What the tools of one run share: where files go, how events are reported, limits, replay memo."""

    run_dir: Path
    emit: EventSink
    call_timeout_s: float
    attempts: int = 2
    backoff_s: float = 1.0
    cancel: threading.Event = field(default_factory=threading.Event)
    memo: dict[str, Any] = field(default_factory=dict)
    on_success: Callable[[str, dict[str, Any]], None] | None = None
    cache: ResultCache | None = None
    budget: Budget | None = None
    forward_headers: dict[str, str] = field(default_factory=dict)
    _ids: Any = None

    _id_lock: threading.Lock = field(default_factory=threading.Lock)

    def next_call_id(self) -> str:
        with self._id_lock:
            return self._next_id()

    def _next_id(self) -> str:
        if self._ids is None:  # after the calls already in the folder, so a resumed run overwrites nothing
            taken = [int(m.group(1)) for p in (self.run_dir / "assets").glob("call-*_*")
                     if (m := re.match(r"call-(\d+)_", p.name))]
            self._ids = itertools.count(max(taken, default=0) + 1)
        return f"call-{next(self._ids)}"

    def relative(self, value: Any) -> Any:
        """Show paths inside the run folder relative to it, recursively."""
        root = str(self.run_dir)
        return map_leaves(value, lambda leaf: str(Path(leaf).relative_to(self.run_dir))
                          if isinstance(leaf, str) and leaf.startswith(root) else leaf)

    def absolute(self, value: Any) -> Any:
        """Inverse of `relative` for recorded outputs (strings naming files under assets/)."""
        return map_leaves(value, lambda leaf: str(self.run_dir / leaf)
                          if isinstance(leaf, str) and leaf.startswith("assets/") else leaf)


@dataclass
class ProviderSlot:
    """One provider of a tool: its Space session, endpoint, breaker and (lazily) its schema."""

    label: str
    endpoint: str
    session: SpaceSession
    breaker: CircuitBreaker
    schema: Callable[[], EndpointSchema]
    limit: threading.BoundedSemaphore = field(default_factory=lambda: threading.BoundedSemaphore(4))
    card: SpaceCard | None = None  # its license is recorded with each asset; its revision keys the cache
    args: dict[str, str] = field(default_factory=dict)  # a fallback's names for the first provider's arguments


# Outputs whose JSON value holds files, and the keys that name them.
_FILES_INSIDE = {"gallery": ("image", "video"), "multimodaltextbox": ("files",)}


def call_key(tool: str, inputs: dict[str, Any]) -> str:
    """Identity of a call within a run: the tool and its inputs (paths relative to the run folder)."""
    text = json.dumps({"tool": tool, "inputs": inputs}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class SpaceTool(Tool):
    """A capability served by one or more Space endpoints; its interface comes from the first one's schema."""

    skip_forward_signature_validation = True

    def __init__(self, spec: ToolSpec, providers: list[ProviderSlot], context: CallContext, *,
                 primary: ProviderSlot | None = None) -> None:
        """`primary`: the config's first provider (default `providers[0]`). The call order in `providers` may
        follow health; the primary's Space and endpoint still key the result cache, and calls to any other
        provider are marked `fallback`."""
        self.name = spec.name
        self.description = spec.description
        self.inputs = spec.inputs
        self.output_type = spec.output_type
        self.spec = spec
        self.providers = providers
        self.primary = primary or providers[0]
        self.context = context
        super().__init__()

    @property
    def session(self) -> SpaceSession:
        return self.providers[0].session

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        values = self._bind(args, kwargs)
        shown = self.context.relative(values)
        key = call_key(self.name, shown)
        if key in self.context.memo:
            return self._replay(key, shown)
        cache_key = self._cache_key(values)
        if cache_key is not None:
            claimed: list[str] = []  # a call id is taken only on a hit: ids stay consecutive

            def claim() -> str:
                claimed.append(self.context.next_call_id())
                return f"{claimed[0]}_"

            hit = self.context.cache.get(cache_key, self.context.run_dir / "assets", claim)
            if hit is not None:
                return self._cached(key, shown, hit, claimed[0] if claimed else self.context.next_call_id())
        failures: list[DioramaError] = []
        for index, provider in enumerate(self.providers):
            nxt = self.providers[index + 1].label if index + 1 < len(self.providers) else None
            try:
                result = self._call_provider(provider, values, shown, nxt)
            except RunCancelledError:
                raise
            except DioramaError as exc:
                failures.append(exc)
                if not exc.fallback_ok or nxt is None:
                    break
                continue
            if self.context.on_success is not None:
                self.context.on_success(key, {"tool": self.name, "provider": provider.label,
                                              "endpoint": provider.endpoint, "inputs": shown,
                                              "output": self.context.relative(result)})
            if cache_key is not None:
                self.context.cache.put(cache_key, {"provider": provider.label, "endpoint": provider.endpoint,
                                                   "result": mark_files(result)})
            return result
        raise _combined(self.name, failures)

    def _call_provider(self, provider: ProviderSlot, values: dict[str, Any], shown: dict[str, Any],
                       next_label: str | None) -> Any:
        """Up to `attempts` tries on one provider. Raises the last error (with what happens next)."""
        attempts = self.context.attempts
        for attempt in range(1, attempts + 1):
            with provider.limit:  # a bounded number of our calls in flight per Space; the breaker is asked here
                try:
                    return self._attempt(provider, values, shown, attempt, next_label)
                except DioramaError as exc:
                    if attempt == attempts or not exc.retryable or isinstance(exc, RunCancelledError):
                        raise
            self._sleep_backoff(attempt)
        raise AssertionError("unreachable: the loop returns or raises")

    def _attempt(self, provider: ProviderSlot, values: dict[str, Any], shown: dict[str, Any], attempt: int,
                 next_label: str | None) -> Any:
        """One try: breaker, budget, call, events. Errors come back restated with what happens next.

        The breaker permit goes back on every way out (finally): only a Space fault counts against
        the Space, and a half-open trial that is cancelled, or ends in our own error, is released.
        """
        attempts = self.context.attempts
        permit = provider.breaker.allow()
        if permit is None:
            event = self._start_event(provider, shown, attempt)
            error = SpaceUnavailableError(
                f"{self.name} ({provider.label} {provider.endpoint}) is skipped: it failed repeatedly and its "
                f"circuit is open for {provider.breaker.retry_in_s():.0f} s more"
                + (f"; trying fallback {next_label}" if next_label else "; no fallback left") + ".",
                space=provider.label, endpoint=provider.endpoint)
            error.retryable = False
            self._finish_event(event, time.monotonic(), status="error", error=str(error))  # no call: no fault
            raise error
        outcome: Outcome = "void"  # until the call says otherwise: cancelled, interrupted, our own error
        try:
            if self.context.budget is not None:
                self.context.budget.start_call(f"{self.name} ({provider.label} {provider.endpoint})")
            event = self._start_event(provider, shown, attempt)
            started = time.monotonic()
            try:
                result = self._call_once(provider, values, event["id"], event)
            except RunCancelledError as exc:
                self._finish_event(event, started, status="cancelled", error=str(exc))
                raise
            except DioramaError as exc:
                self._spent(started)
                outcome = outcome_of(exc)
                last = attempt == attempts or not exc.retryable
                then = ("; trying fallback " + next_label if next_label and exc.fallback_ok
                        else "; no fallback left" if exc.fallback_ok else "")
                message = (f"{self.name} ({provider.label} {provider.endpoint}): {reason_of(exc)} on attempt "
                           f"{attempt} of {attempts}" + (then if last else "; retrying") + ".")
                self._finish_event(event, started, status="error", error=message, fault=outcome == "fault")
                logger.info("%s", message)
                if isinstance(exc, SpaceError):
                    raise restated(exc, message) from exc
                raise
            except BaseException as exc:  # our own bug, or the thread is torn down (GeneratorExit, Ctrl-C)
                self._finish_event(event, started, status="error" if isinstance(exc, Exception) else "cancelled",
                                   error=f"{self.name} ({provider.label} {provider.endpoint}): "
                                         f"{type(exc).__name__}: {exc}")
                raise
            outcome = "ok"
            self._spent(started)
            self._finish_event(event, started, status="ok", output=self.context.relative(result))
            logger.info("%s %s ok in %.2f s", provider.label, provider.endpoint, time.monotonic() - started)
            return result
        finally:
            provider.breaker.record(permit, outcome)

    def _call_once(self, provider: ProviderSlot, values: dict[str, Any], call_id: str,
                   event: dict[str, Any] | None = None) -> Any:
        schema = provider.schema()
        values = renamed(values, provider.args) if provider.args else values
        wire = [self._to_wire(param, values.get(param.name, param.default), provider) for param in schema.params]
        raw = provider.session.call(provider.endpoint, schema.wire(wire), timeout_s=self.context.call_timeout_s,
                                    cancel=self.context.cancel, headers=self.context.forward_headers,
                                    on_queue=self._queued(event), fn_index=schema.fn_index)
        spec = ToolSpec(name=self.name, description="", inputs={}, output_type="", endpoint=schema)
        result = shape_result(spec, raw, space=provider.label)
        result = self._collect(schema, result, call_id, provider)
        if len(schema.outputs) > 1 and set(result) != set(self.spec.output_keys):
            # a fallback with other output labels: keep the primary's keys, matched by position
            result = dict(zip(self.spec.output_keys, result.values()))
        return result

    def _spent(self, started: float) -> None:
        if self.context.budget is not None:
            self.context.budget.record_seconds(time.monotonic() - started)

    def _sleep_backoff(self, attempt: int) -> None:
        delay = self.context.backoff_s * (2 ** (attempt - 1)) * (0.5 + random.random())
        if self.context.cancel.wait(delay):
            raise RunCancelledError(f"{self.name}: cancelled by the user.")

    def _cache_key(self, values: dict[str, Any]) -> str | None:
        if self.context.cache is None:
            return None
        params = self.spec.endpoint.params
        plain = {p.name: values.get(p.name) for p in params if p.kind not in ("file", "files")}
        files: list[str] = []
        for p in params:
            if p.kind in ("file", "files") and values.get(p.name) is not None:
                value = values[p.name]
                items = value if isinstance(value, list) else [value]
                files.extend(i["image"] if isinstance(i, dict) else i for i in items)  # a captioned gallery item
                if p.form == "gallery":
                    plain[p.name] = [i.get("caption") if isinstance(i, dict) else None for i in items]
        first = self.primary
        revision = first.card.revision if first.card else None
        call = {**self._cache_identity(), "revision": revision}  # apart from the inputs: a param may be "tool"
        return self.context.cache.key(first.label, first.endpoint, {"call": call, "inputs": plain}, files)

    def _cache_identity(self) -> dict[str, Any]:
        """What, besides the Space, endpoint and inputs, decides this tool's result (for the cache key)."""
        return {"tool": self.name}

    def _cached(self, key: str, shown: dict[str, Any], hit: dict[str, Any], call_id: str) -> Any:
        result = hit["result"]
        output = self.context.relative(result)
        self.context.emit({
            "type": "space_call", "id": call_id, "tool": self.name,
            "space": hit["provider"], "endpoint": hit["endpoint"], "license": self._license_of(hit["provider"]),
            "inputs": shown, "output": output, "status": "ok", "attempt": 0, "cached": True,
            "started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
            "duration_s": 0.0, "error": None,
        })
        if self.context.on_success is not None:
            self.context.on_success(key, {"tool": self.name, "provider": hit["provider"], "endpoint": hit["endpoint"],
                                          "inputs": shown, "output": output})
        return result

    def _replay(self, key: str, shown: dict[str, Any]) -> Any:
        record = self.context.memo[key]
        result = self.context.absolute(record["output"])
        event = {
            "type": "space_call", "id": self.context.next_call_id(), "tool": self.name,
            "space": record["provider"], "endpoint": record["endpoint"],
            "license": self._license_of(record["provider"]), "inputs": shown,
            "output": record["output"], "status": "ok", "attempt": 0, "replayed": True,
            "started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
            "duration_s": 0.0, "error": None,
        }
        self.context.emit(event)
        return result

    def _bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """The call's arguments by name, checked against the schema (`tools.validate`) before any request.

        Raises:
            InvalidInputError: an unknown or missing argument, a value that does not fit its input, a missing file.
        """
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
                    raise InvalidInputError(f"{self.name} needs '{param.name}' ({param.label or param.name}): "
                                            f"{self.spec.inputs[param.name]['description']}")
                values[param.name] = param.default
            elif param.kind != "unsupported":
                values[param.name] = check_value(self.name, param, values[param.name])
        for param in params:
            value = values[param.name]
            if value is None:
                continue
            if param.kind == "file":
                items = value if isinstance(value, (list, tuple)) else [value]
                values[param.name] = self._existing_file(param, items[0])
            elif param.kind == "files":
                values[param.name] = [
                    {"image": self._existing_file(param, item["image"]), "caption": item.get("caption")}
                    if isinstance(item, dict) else self._existing_file(param, item)
                    for item in (value if isinstance(value, (list, tuple)) else [value])]
            elif param.kind == "multimodal" and isinstance(value, dict):
                # the broker checks only plain file arguments: these files get the same rule here
                values[param.name] = {"text": value.get("text", ""), "files": [
                    allowed_file(f, [self.context.run_dir], base=self.context.run_dir,
                                 what=f"{self.name}: '{param.name}' files") for f in value.get("files") or []]}
        return values

    def _to_wire(self, param: Param, value: Any, provider: ProviderSlot) -> Any:
        """One checked argument as Gradio takes it (files wrapped in `handle_file`)."""
        if value is None:
            if param.required:
                raise InvalidInputError(f"{self.name}: fallback {provider.label} needs '{param.name}', which "
                                        f"{self.providers[0].label} does not have; fix its config entry.")
            return None
        if param.kind == "file":
            return handle_file(value if isinstance(value, str) else value[0])
        if param.kind == "files":
            items = value if isinstance(value, list) else [value]
            if param.form == "gallery":
                return [{"image": handle_file(i["image"]), "caption": i.get("caption")} if isinstance(i, dict)
                        else {"image": handle_file(i), "caption": None} for i in items]
            return [handle_file(item["image"] if isinstance(item, dict) else item) for item in items]
        if param.kind == "multimodal" and isinstance(value, dict):
            return {"text": value.get("text", ""), "files": [handle_file(f) for f in value.get("files") or []]}
        if param.kind == "table" and not isinstance(value, dict):
            return check_value(self.name, param, value)  # a fallback's own default, not checked by `_bind`
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

    def _collect(self, schema: EndpointSchema, result: Any, call_id: str, provider: ProviderSlot) -> Any:
        """Move file outputs into the run folder and check them against the declaration."""
        if len(schema.outputs) == 1:
            return self._collect_one(schema.outputs[0], result, call_id, provider)
        return {o.key: self._collect_one(o, result[o.key], call_id, provider) for o in schema.outputs}

    def _collect_one(self, output: Output, value: Any, call_id: str, provider: ProviderSlot,
                     kind: str | None = None) -> Any:
        """One output: files copied into the run folder and checked; a Model3D in another mesh format (OBJ, STL,
        PLY, OFF) also converted to a GLB, which is what is returned (the original stays beside it)."""
        kind, label = kind or output.kind, output.label
        if kind == "files" and isinstance(value, list):
            return [self._collect_one(output, v, call_id, provider, kind="file") for v in value]
        if kind == "json" and output.component.lower() in _FILES_INSIDE:
            return self._collect_inside(output, value, call_id, provider)
        if kind != "file":
            return value
        where = f"{provider.label} {provider.endpoint}"
        if not isinstance(value, str) or not Path(value).is_file():
            raise SpaceOutputError(f"{where} declared a file for '{label}' but returned {repr(value)[:80]}",
                                   space=provider.label, endpoint=provider.endpoint)
        source = Path(value)
        target = self.context.run_dir / "assets" / f"{call_id}_{source.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        # copy, never move: concurrent calls may download identical content to the same path
        shutil.copyfile(source, target)
        if output.component.lower() == "model3d" and target.suffix.lower() in MESH_SUFFIXES:
            try:
                target = mesh_to_glb(target)
            except ValueError as exc:
                raise SpaceOutputError(f"{where} returned '{source.name}', which {exc}",
                                       space=provider.label, endpoint=provider.endpoint) from exc
            logger.info("%s: converted %s to %s", where, source.name, target.name)
        if target.suffix.lower() == ".glb":
            problem = glb_problem(target)
            if problem:
                target.unlink()
                raise SpaceOutputError(f"{where} returned '{source.name}', which {problem}",
                                       space=provider.label, endpoint=provider.endpoint)
        return str(target)

    def _collect_inside(self, output: Output, value: Any, call_id: str, provider: ProviderSlot) -> Any:
        """The files inside a Gallery (`[{"image" | "video": path, "caption"}]`) or a MultimodalTextbox
        (`{"text", "files"}`) output, copied into the run folder like any file output."""
        keys = _FILES_INSIDE[output.component.lower()]

        def one(item: Any) -> Any:
            if not isinstance(item, dict):
                return item
            copied = dict(item)
            for key in keys:
                if isinstance(item.get(key), str):
                    copied[key] = self._collect_one(output, item[key], call_id, provider, kind="file")
                elif isinstance(item.get(key), list):
                    copied[key] = [self._collect_one(output, f, call_id, provider, kind="file") for f in item[key]]
            return copied

        return [one(item) for item in value] if isinstance(value, list) else one(value)

    def _queued(self, event: dict[str, Any] | None) -> Callable[[dict[str, Any]], None]:
        """The `on_queue` callback of a call: the Space's queue position goes live into its chain-log event."""
        def queued(queue: dict[str, Any]) -> None:
            if event is not None:
                event["queue"] = queue
                self.context.emit(dict(event))
        return queued

    def _license_of(self, label: str) -> str | None:
        """The license (from its card) of the provider named `label`, if it is one of this tool's."""
        card = next((p.card for p in self.providers if p.label == label), None)
        return card.license if card else None

    def _start_event(self, provider: ProviderSlot, inputs: dict[str, Any], attempt: int) -> dict[str, Any]:
        event = {
            "type": "space_call", "id": self.context.next_call_id(), "tool": self.name,
            "space": provider.label, "endpoint": provider.endpoint, "license": self._license_of(provider.label),
            "inputs": inputs, "output": None, "status": "running", "attempt": attempt,
            "fallback": provider is not self.primary,
            "started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
            "duration_s": None, "error": None,
        }
        self.context.emit(dict(event))
        return event

    def _finish_event(self, event: dict[str, Any], started: float, *, status: str,
                      output: Any = None, error: str | None = None, fault: bool = False) -> None:
        """`fault`: the failure is the Space's own (`DioramaError.counts_against_space`); rejections, cancels and
        circuit-open skips are not, so health can leave them out."""
        event.update(status=status, output=output, error=error, fault=fault,
                     duration_s=round(time.monotonic() - started, 3))
        self.context.emit(dict(event))


def _combined(tool: str, failures: list[DioramaError]) -> DioramaError:
    """One error for a call whose providers all failed: the last one's kind, every provider's story."""
    last = failures[-1]
    if len(failures) == 1 or not isinstance(last, SpaceError):
        return last
    return restated(last, f"{tool}: every provider failed: " + " | ".join(str(f) for f in failures))


__all__ = ["CallContext", "ProviderSlot", "SpaceTool", "call_key"]
