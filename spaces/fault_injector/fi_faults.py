"""Which calls fail and how: the fault configuration, deterministic per-call decisions and the counts.

A decision depends only on (seed, prompt, how many times this prompt was called
since the last configure), never on thread timing, so the same sequence of
calls gets the same faults on every run with the same seed.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any, Mapping

# Where each mode is injected: "http" modes answer the queue-join POST themselves (the job never
# starts), "stream" drops the client's event stream mid-call, "handler" modes run inside /generate.
MODE_STAGES: dict[str, str] = {
    "sleeping": "http",
    "queue_full": "http",
    "rate_limit": "http",
    "zerogpu_quota": "handler",
    "hidden_error": "handler",
    "input_error": "handler",
    "connection_reset": "stream",
    "hang": "handler",
    "wrong_shape": "handler",
    "html_as_glb": "handler",
    "empty_file": "handler",
    "truncated_glb": "handler",
}
MODES: tuple[str, ...] = tuple(MODE_STAGES)
OK = "ok"

DEFAULT_P = 0.0
DEFAULT_SEED = 0
DEFAULT_HANG_S = 30.0


class FaultConfigError(ValueError):
    """A fault setting (environment variable or /configure input) is invalid."""


@dataclass(frozen=True)
class FaultConfig:
    """The active fault settings.

    Attributes:
        p: probability, 0-1, that one /generate call fails.
        seed: integer seed of the decisions.
        modes: the failure modes drawn from, in `MODES` order.
        hang_s: seconds the `hang` mode sleeps before answering.
    """

    p: float = DEFAULT_P
    seed: int = DEFAULT_SEED
    modes: tuple[str, ...] = MODES
    hang_s: float = DEFAULT_HANG_S

    @classmethod
    def build(cls, p: Any, seed: Any, modes: Any, hang_s: Any, *, names: Mapping[str, str] | None = None) -> "FaultConfig":
        """Validate raw values (strings from the environment or numbers from /configure).

        Args:
            p: failure probability, 0-1.
            seed: an integer.
            modes: "all", "" (same as all) or a comma list of mode names.
            hang_s: seconds, >= 0.
            names: how each value is named in error messages, e.g. {"p": "FAULT_P"}.

        Raises:
            FaultConfigError: a value is out of range or a mode is unknown; the message names
                the setting, the value and the accepted forms.
        """
        names = {"p": "p", "seed": "seed", "modes": "modes", "hang_s": "hang_s", **(names or {})}
        try:
            p_value = float(p)
        except (TypeError, ValueError):
            p_value = float("nan")
        if not 0.0 <= p_value <= 1.0:
            raise FaultConfigError(f"{names['p']} must be a probability between 0 and 1, got {p!r}.")
        try:
            seed_value = int(float(seed))
        except (TypeError, ValueError, OverflowError):
            raise FaultConfigError(f"{names['seed']} must be an integer, got {seed!r}.") from None
        try:
            hang_value = float(hang_s)
        except (TypeError, ValueError):
            hang_value = float("nan")
        if not 0.0 <= hang_value <= 3600.0:
            raise FaultConfigError(f"{names['hang_s']} must be a number of seconds between 0 and 3600, got {hang_s!r}.")
        return cls(p=p_value, seed=seed_value, modes=parse_modes(modes, name=names["modes"]), hang_s=hang_value)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "FaultConfig":
        """Read FAULT_P, FAULT_SEED, FAULT_MODES and FAULT_HANG_S (each optional)."""
        return cls.build(
            environ.get("FAULT_P") or DEFAULT_P, environ.get("FAULT_SEED") or DEFAULT_SEED,
            environ.get("FAULT_MODES") or "all", environ.get("FAULT_HANG_S") or DEFAULT_HANG_S,
            names={"p": "FAULT_P", "seed": "FAULT_SEED", "modes": "FAULT_MODES", "hang_s": "FAULT_HANG_S"},
        )

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "modes": list(self.modes)}


def parse_modes(value: Any, *, name: str = "modes") -> tuple[str, ...]:
    """"all" / "" / None -> every mode; else a comma list of known modes, returned in `MODES` order."""
    text = "" if value is None else str(value).strip()
    if text.lower() in ("", "all"):
        return MODES
    wanted = {part.strip().lower() for part in text.split(",") if part.strip()}
    unknown = sorted(wanted - set(MODES))
    if unknown:
        raise FaultConfigError(f"{name} has unknown mode(s) {', '.join(unknown)}; use 'all' or a comma list of: "
                               f"{', '.join(MODES)}.")
    return tuple(m for m in MODES if m in wanted)


def decide(config: FaultConfig, prompt: str, call_index: int) -> str:
    """The fate of one call: "ok" or a mode name, from (seed, prompt, call_index) alone."""
    if config.p <= 0.0 or not config.modes:
        return OK
    digest = hashlib.sha256(f"{config.seed}\x1f{prompt}\x1f{call_index}".encode("utf-8")).digest()
    fail_draw = int.from_bytes(digest[:8], "big") / 2**64
    if fail_draw >= config.p:
        return OK
    return config.modes[int.from_bytes(digest[8:16], "big") % len(config.modes)]


class FaultState:
    """The live configuration, per-prompt call counters and counts, shared by the middleware and the handlers."""

    def __init__(self, config: FaultConfig) -> None:
        self._lock = threading.Lock()
        self._config = config
        self._calls_per_prompt: Counter[str] = Counter()
        self._counts: Counter[str] = Counter()

    @property
    def config(self) -> FaultConfig:
        with self._lock:
            return self._config

    def configure(self, config: FaultConfig) -> None:
        """Switch to `config` and start counting afresh (per-prompt counters and stats)."""
        with self._lock:
            self._config = config
            self._calls_per_prompt.clear()
            self._counts.clear()

    def next_decision(self, prompt: str) -> tuple[str, FaultConfig]:
        """Count one /generate call for `prompt` and return its fate with the config it was decided under."""
        with self._lock:
            index = self._calls_per_prompt[prompt]
            self._calls_per_prompt[prompt] += 1
            config = self._config
            mode = decide(config, prompt, index)
            self._counts["calls"] += 1
            self._counts[mode] += 1
            return mode, config

    def count(self, key: str) -> None:
        """Count something that is not a decision, e.g. a failed forward to the target."""
        with self._lock:
            self._counts[key] += 1

    def stats(self) -> dict[str, Any]:
        """Counts since the last configure: calls, ok, each mode (zeros included), forward_errors."""
        with self._lock:
            return {
                "calls": self._counts["calls"],
                "ok": self._counts[OK],
                "faults": {mode: self._counts[mode] for mode in MODES},
                "injected": sum(self._counts[mode] for mode in MODES),
                "forward_errors": self._counts["forward_error"],
                "config": self._config.as_dict(),
            }
