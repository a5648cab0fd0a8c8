"""Settings: the config file (`diorama.toml`) plus environment overrides; the only reader of the environment."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Mapping

from agent.config_fields import FIELDS, Field, default
from agent.config_keys import Tracked, unknown_keys
from tools.errors import ConfigError
from tools.tool_config import Binding, Provider, Step, ToolConfig  # the tools' own types, re-exported here

if TYPE_CHECKING:
    from agent.runtime_spaces import SpaceAllowlist
    from tools.budget import Limits

REPO_DIR = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO_DIR / "diorama.toml"
ModelProvider = Literal["auto", "offline", "hf", "openai"]
_PROVIDERS = ("auto", "offline", "hf", "openai")
_CAPABILITIES = ("text_to_3d", "text_to_image", "image_to_3d", "scene_assembly", "other")


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know; build with `Settings.load()` or directly in tests."""

    tools: tuple[ToolConfig, ...]
    # Defaults, types, keys, variables and meanings live in `agent.config_fields.FIELDS`; the attributes below
    # only name them. `data_dir`, `trusted_proxies` and `config_path` are computed when loading; their
    # defaults here are what a `Settings(...)` built directly in a test gets.
    model_provider: ModelProvider = default("model_provider")
    model_id: str = default("model_id")
    llm_base_url: str = default("llm_base_url")
    max_tokens_per_step: int = default("max_tokens_per_step")
    max_steps: int = default("max_steps")
    run_timeout_s: float = default("run_timeout_s")
    flatten_messages: bool = default("flatten_messages")
    llm_call_timeout_s: float = default("llm_call_timeout_s")
    llm_context_tokens: int = default("llm_context_tokens")
    llm_fallback: bool = default("llm_fallback")
    llm_fallback_reserve_s: float = default("llm_fallback_reserve_s")
    llm_structured: bool = default("llm_structured")
    llm_system_in_user: bool = default("llm_system_in_user")
    hf_inference_url: str = default("hf_inference_url")
    connect_timeout_s: float = default("connect_timeout_s")
    call_timeout_s: float = default("call_timeout_s")
    call_attempts: int = default("call_attempts")
    companion_start_timeout_s: float = default("companion_start_timeout_s")
    companion_idle_s: float = default("companion_idle_s")
    prerender_examples: bool = default("prerender_examples")
    backoff_s: float = default("backoff_s")
    max_parallel_per_space: int = default("max_parallel_per_space")
    breaker_failures: int = default("breaker_failures")
    breaker_cooldown_s: float = default("breaker_cooldown_s")
    max_request_chars: int = default("max_request_chars")
    builds_per_minute: int = default("builds_per_minute")
    runs_per_client: int = default("runs_per_client")
    trusted_proxies: int = 0
    max_objects: int = default("max_objects")
    asset_chain: tuple[str, ...] = default("asset_chain")
    max_calls: int = default("max_calls")
    max_space_seconds: float = default("max_space_seconds")
    max_cost_usd: float = default("max_cost_usd")
    usd_per_space_second: float = default("usd_per_space_second")
    usd_per_1k_tokens: float = default("usd_per_1k_tokens")
    cache_enabled: bool = default("cache_enabled")
    cache_max_mb: float = default("cache_max_mb")
    cache_max_age_days: float = default("cache_max_age_days")
    card_max_age_s: float = default("card_max_age_s")
    data_dir: Path = REPO_DIR / "data"
    keep_runs: int = default("keep_runs")
    health_window: int = default("health_window")
    allow_spaces: tuple[str, ...] = default("allow_spaces")
    max_added_tools: int = default("max_added_tools")
    sandbox_memory_mb: int = default("sandbox_memory_mb")
    sandbox_cpu_s: int = default("sandbox_cpu_s")
    sandbox_step_timeout_s: float = default("sandbox_step_timeout_s")
    sandbox_allow_in_process: bool = default("sandbox_allow_in_process")
    config_path: Path = DEFAULT_CONFIG
    hf_token: str | None = field(default=None, repr=False)
    llm_api_key: str | None = field(default=None, repr=False)
    admin_token: str | None = field(default=None, repr=False)

    @classmethod
    def load(cls, path: Path | None = None, environ: Mapping[str, str] | None = None) -> "Settings":
        """Read the config file, then apply environment overrides, field by field from `FIELDS`.

        Raises:
            ConfigError: the file is missing or malformed, or a value is invalid;
                the message names the key or variable and the accepted forms.
        """
        env = os.environ if environ is None else environ
        path = Path(path or env.get("DIORAMA_CONFIG") or DEFAULT_CONFIG)
        try:
            raw = Tracked(tomllib.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError as exc:
            raise ConfigError(f"Config file {path} does not exist; pass --config PATH or restore diorama.toml.") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"Config file {path} is not valid TOML: {exc}.") from exc
        tools = tuple(_tool(entry, index, env) for index, entry in enumerate(raw.get("tools", [])))
        if not tools:
            raise ConfigError(f"Config file {path} lists no [[tools]]; add at least a text_to_3d and a scene tool.")
        names = [t.name for t in tools]
        if len(set(names)) != len(names):
            raise ConfigError(f"Tool names in {path} must be unique, got {names}.")
        values = {f.attr: _value(f, raw, env) for f in FIELDS if f.attr != "config_path"}
        values["data_dir"] = Path(values["data_dir"]) if values["data_dir"] else _default_data_dir()
        if values["trusted_proxies"] is None:
            values["trusted_proxies"] = 1 if env.get("SPACE_ID") else 0
        values["hf_token"] = values["hf_token"] or env.get("HUGGING_FACE_HUB_TOKEN") or None
        settings = cls(tools=tools, config_path=path, **values)
        unknown = unknown_keys(raw)
        if unknown:
            raise ConfigError(f"Config file {path}: {unknown[0]}" + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1
                              else "") + ". Fix or remove it; docs/configuration.md lists every key.")
        settings.validate()
        return settings

    def validate(self) -> None:
        """Raise ConfigError for values no run could use."""
        if self.model_provider not in _PROVIDERS:
            raise ConfigError(f"model.provider (DIORAMA_MODEL_PROVIDER) is {self.model_provider!r}; "
                              f"use one of {', '.join(_PROVIDERS)}.")
        if self.model_provider == "openai" and not self.llm_base_url:
            raise ConfigError("model.provider is 'openai' but model.base_url (DIORAMA_LLM_BASE_URL) is empty; "
                              "set it to the server's /v1 URL, e.g. http://127.0.0.1:8080/v1.")
        if self.model_provider == "hf" and not self.hf_token:
            raise ConfigError("model.provider is 'hf' but HF_TOKEN is not set; add it as a Space secret.")
        for key, value in (("max_steps", self.max_steps), ("max_tokens_per_step", self.max_tokens_per_step),
                           ("call_attempts", self.call_attempts), ("max_objects", self.max_objects),
                           ("breaker_failures", self.breaker_failures),
                           ("max_parallel_per_space", self.max_parallel_per_space),
                           ("health_window", self.health_window)):
            if value < 1:
                raise ConfigError(f"{key} must be at least 1, got {value}.")
        stages = {c for c in _CAPABILITIES if c not in ("scene_assembly", "other")} | {
            t.name for t in self.tools if t.capability != "scene_assembly"}
        unknown = [c for c in self.asset_chain if c not in stages]
        if not self.asset_chain or unknown:
            raise ConfigError(f"planner.asset_chain (DIORAMA_ASSET_CHAIN) is {list(self.asset_chain)}; list asset "
                              "capabilities or tool names in order, e.g. [\"text_to_3d\"], [\"text_to_image\", "
                              "\"image_to_3d\"] or [\"text_to_3d\", \"my_tool\"] (a [[tools]] name, any capability).")
        for key, value in (("builds_per_minute", self.builds_per_minute), ("runs_per_client", self.runs_per_client),
                           ("trusted_proxies", self.trusted_proxies)):
            if value < 0:
                raise ConfigError(f"limits.{key} must be 0 (no limit) or more, got {value}.")
        if self.max_added_tools < 0:
            raise ConfigError(f"spaces.max_added_tools must be 0 or more, got {self.max_added_tools}.")
        self.allowlist  # parses the entries: a bad one fails at startup, naming it
        if self.keep_runs < 0:
            raise ConfigError(f"storage.keep_runs (DIORAMA_KEEP_RUNS) must be 0 (keep all) or more, got {self.keep_runs}.")
        if self.sandbox_memory_mb < 256 or self.sandbox_cpu_s < 5:
            raise ConfigError(f"sandbox.memory_mb must be at least 256 and sandbox.cpu_s at least 5, got "
                              f"{self.sandbox_memory_mb} and {self.sandbox_cpu_s}.")
        if self.companion_idle_s < 0:
            raise ConfigError(f"limits.companion_idle_s (DIORAMA_COMPANION_IDLE_S) must be 0 (exit with the process "
                              f"that started them) or a number of seconds, got {self.companion_idle_s}.")
        if self.llm_context_tokens < 512 or self.llm_context_tokens <= self.max_tokens_per_step:
            raise ConfigError(f"model.context_tokens (DIORAMA_LLM_CONTEXT_TOKENS) must be at least 512 and more than "
                              f"max_tokens_per_step ({self.max_tokens_per_step}), got {self.llm_context_tokens}.")
        if self.card_max_age_s < 0:
            raise ConfigError(f"cache.card_max_age_s (DIORAMA_CARD_MAX_AGE_S) must be 0 (read at every run) or a "
                              f"number of seconds, got {self.card_max_age_s}.")
        if self.llm_fallback_reserve_s < 0:
            raise ConfigError(f"model.fallback_reserve_s (DIORAMA_LLM_FALLBACK_RESERVE_S) must be 0 or more seconds, "
                              f"got {self.llm_fallback_reserve_s}.")
        for key, value in (("connect_timeout_s", self.connect_timeout_s), ("call_timeout_s", self.call_timeout_s),
                           ("run_timeout_s", self.run_timeout_s), ("model.call_timeout_s", self.llm_call_timeout_s),
                           ("companion_start_timeout_s (DIORAMA_COMPANION_START_TIMEOUT_S)",
                            self.companion_start_timeout_s),
                           ("sandbox.step_timeout_s", self.sandbox_step_timeout_s)):
            if value <= 0:
                raise ConfigError(f"{key} must be a positive number of seconds, got {value}.")

    @property
    def resolved_provider(self) -> Literal["offline", "hf", "openai"]:
        """The provider "auto" stands for with these settings."""
        if self.model_provider != "auto":
            return self.model_provider  # type: ignore[return-value]
        if self.llm_base_url:
            return "openai"
        return "hf" if self.hf_token else "offline"

    @property
    def offline(self) -> bool:
        """True when nothing needs the Hub: offline planner and only local or URL Spaces."""
        from tools.origin import is_hub_id

        return (self.resolved_provider != "hf" and not any(is_hub_id(t.space) for t in self.tools)
                and not self.allowlist.has_hub_entries)

    @property
    def allowlist(self) -> SpaceAllowlist:
        """The Spaces users may add at run time (`agent.runtime_spaces`); empty: adding is off.

        Raises:
            ConfigError: an entry is not a Hub owner, a Space id or a URL origin.
        """
        from agent.runtime_spaces import SpaceAllowlist

        return SpaceAllowlist.parse(self.allow_spaces)

    def with_overrides(self, **changes: Any) -> "Settings":
        """A copy with some fields replaced (tests and the CLI use this)."""
        return replace(self, **changes)

    def budget_limits(self) -> Limits:
        """The run budgets and prices, for `tools.budget.Budget`."""
        from tools.budget import Limits

        return Limits(max_calls=self.max_calls, max_space_seconds=self.max_space_seconds,
                      max_cost_usd=self.max_cost_usd, usd_per_space_second=self.usd_per_space_second,
                      usd_per_1k_tokens=self.usd_per_1k_tokens)

    @property
    def companions_dir(self) -> Path:
        """The registry folder of the bundled Spaces shared by every process using this data folder."""
        return self.data_dir / "companions"

    def tool(self, capability: str) -> ToolConfig | None:
        """The first tool that serves `capability`, else the tool of that name (asset_chain takes both)."""
        return next((t for t in self.tools if t.capability == capability),
                    next((t for t in self.tools if t.name == capability), None))


def _default_data_dir() -> Path:
    persistent = Path("/data")
    return persistent / "diorama" if persistent.is_dir() and os.access(persistent, os.W_OK) else REPO_DIR / "data"


_MISSING = object()
_KIND_WORDS = {"int": "a whole number", "float": "a number", "str": "text", "bool": "true or false",
               "list": "a list of strings, e.g. [\"a\", \"b\"]"}
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")


def _value(f: Field, raw: Tracked, env: Mapping[str, str]) -> Any:
    """One setting: its variable if set (not empty), else its key in the file, else its default."""
    if f.kind == "secret":
        return env.get(str(f.env)) or None
    section = raw.get(f.section, {})
    if not isinstance(section, dict):
        raise ConfigError(f"[{f.section}] must be a table of settings, got {section!r}; "
                          f"e.g. [{f.section}] on its own line, then {f.key} = ...")
    in_file = section.get(f.key, _MISSING)  # read even when the variable wins: the key is known either way
    text = env.get(f.env) if f.env else None
    if text:
        return _from_env(f, text)
    if in_file is _MISSING:
        return f.default
    try:
        return _from_file(f, in_file)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{f.name} must be {_KIND_WORDS[f.kind]}, got {in_file!r}.") from exc


def _from_file(f: Field, value: Any) -> Any:
    if f.kind == "bool":
        if not isinstance(value, bool):
            raise TypeError("not a boolean")
        return value
    if f.kind == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TypeError("not a list of strings")
        return tuple(v.strip() for v in value if v.strip())
    if f.kind == "str" and not isinstance(value, str):
        raise TypeError("not a string")
    return _convert(value, {"int": int, "float": float, "str": str}[f.kind])


def _from_env(f: Field, text: str) -> Any:
    if f.kind == "bool":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ConfigError(f"{f.env} must be true or false (also 1/0, yes/no), got {text!r}.")
    if f.kind == "list":
        return tuple(v.strip() for v in text.split(",") if v.strip())
    kind = {"int": int, "float": float, "str": str}[f.kind]
    try:
        return _convert(text, kind)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{f.env} must be a{'n' if kind is int else ''} {kind.__name__}, got {text!r}.") from exc


def _convert(value: Any, kind: type) -> Any:
    if kind in (int, float) and isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if kind is int and isinstance(value, float) and not value.is_integer():
        raise ValueError("not a whole number")
    return kind(value)


def _tool(entry: Any, index: int, env: Mapping[str, str]) -> ToolConfig:
    if not isinstance(entry, dict):
        raise ConfigError(f"[[tools]] entry {index + 1} must be a table with name, space and endpoint.")
    missing = [key for key in ("name", "space", "endpoint") if not entry.get(key)
               and not (key == "endpoint" and "steps" in entry)]
    if missing:
        raise ConfigError(f"[[tools]] entry {index + 1} lacks {', '.join(missing)}; "
                          "each tool needs name, space and endpoint (or steps).")
    name = str(entry["name"])
    if not name.isidentifier():
        raise ConfigError(f"Tool name {name!r} must be a Python identifier, e.g. 'text_to_3d'.")
    capability = str(entry.get("capability", "other"))
    if capability not in _CAPABILITIES:
        raise ConfigError(f"Tool {name!r} has capability {capability!r}; use one of {', '.join(_CAPABILITIES)}.")
    if "steps" in entry:
        return _recipe_tool(entry, name, capability, env)
    endpoint = _endpoint(entry["endpoint"])
    fallbacks = []
    for raw in entry.get("fallbacks", []):
        if isinstance(raw, str):
            fallbacks.append(Provider(raw, endpoint))
        elif isinstance(raw, dict) and raw.get("space"):
            fallbacks.append(Provider(str(raw["space"]), _endpoint(raw.get("endpoint", endpoint)),
                                      _fallback_args(name, raw.get("args", {}))))
        else:
            raise ConfigError(f"Tool {name!r}: each fallback is a Space (\"owner/name\", a URL or \"local:name\") "
                              f"or a table {{space = ..., endpoint = ..., args = {{...}}}}, got {raw!r}.")
    return ToolConfig(
        name=name,
        space=env.get(f"DIORAMA_SPACE_{name.upper()}") or str(entry["space"]),
        endpoint=endpoint,
        capability=capability,
        description=entry.get("description"),
        fallbacks=tuple(fallbacks),
    )


def _fallback_args(tool: str, raw: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise ConfigError(f"Tool {tool!r}: a fallback's args maps the first provider's argument names to the "
                          f"fallback's, e.g. args = {{prompt = \"text\"}} (\"\" drops one), got {raw!r}.")
    return tuple((str(k), v) for k, v in raw.items())


def _endpoint(value: Any) -> str:
    text = str(value)
    return text if text.startswith("/") else "/" + text


_REF = re.compile(r"^\$(?:input\.(?P<input>[A-Za-z_]\w*)|steps\.(?P<step>\d+)(?:\.(?P<key>[A-Za-z_]\w*))?)$")


def _recipe_tool(entry: dict[str, Any], name: str, capability: str, env: Mapping[str, str]) -> ToolConfig:
    """A multi-call tool (`steps = [...]`); references are checked here, endpoints and keys when it loads."""
    steps = entry["steps"]
    if entry.get("endpoint") or entry.get("fallbacks"):
        raise ConfigError(f"Tool {name!r} has steps, so it takes no endpoint and no fallbacks: give each step "
                          "its endpoint, e.g. steps = [{endpoint = \"/generate\"}, {endpoint = \"/extract_glb\"}].")
    if not isinstance(steps, list) or not steps:
        raise ConfigError(f"Tool {name!r}: steps must be a non-empty list of tables "
                          "{endpoint = \"/...\", inputs = {...}}, got {steps!r}.")
    parsed = []
    for number, raw in enumerate(steps):
        if not isinstance(raw, dict) or not raw.get("endpoint"):
            raise ConfigError(f"Tool {name!r} steps[{number}] must be a table with an endpoint, "
                              f"e.g. {{endpoint = \"/generate\", inputs = {{prompt = \"$input.prompt\"}}}}, "
                              f"got {raw!r}.")
        endpoint = _endpoint(raw["endpoint"])
        unknown = sorted(set(raw) - {"endpoint", "inputs"})
        inputs = raw.get("inputs", {})
        if unknown or not isinstance(inputs, dict):
            raise ConfigError(f"Tool {name!r} steps[{number}] ({endpoint}) takes only endpoint and inputs "
                              f"(a table of argument = source), got {', '.join(unknown) or repr(inputs)}.")
        where = f"Tool {name!r} steps[{number}] ({endpoint})"
        parsed.append(Step(endpoint, {param: _binding(value, where, param, number) for param, value in inputs.items()}))
    return ToolConfig(
        name=name,
        space=env.get(f"DIORAMA_SPACE_{name.upper()}") or str(entry["space"]),
        endpoint=" -> ".join(step.endpoint for step in parsed),
        capability=capability,
        description=entry.get("description"),
        steps=tuple(parsed),
    )


def _binding(value: Any, where: str, param: str, number: int) -> Binding:
    """`"$input.NAME"`, `"$steps.N.KEY"`, `"$steps.N"`, or a constant (`"$$x"` is the text "$x")."""
    if not isinstance(value, str) or not value.startswith("$"):
        return Binding("constant", value=value, text=repr(value))
    if value.startswith("$$"):
        return Binding("constant", value=value[1:], text=repr(value))
    found = _REF.match(value)
    if found is None:
        raise ConfigError(f"{where}: {param} = {value!r} is not a reference; use \"$input.NAME\" (an argument "
                          "of the tool), \"$steps.N.KEY\" (output KEY of the earlier step N, from 0) or a constant "
                          "(write \"$$...\" for text starting with $).")
    if found["input"]:
        return Binding("input", name=found["input"], text=value)
    step = int(found["step"])
    if step >= number:
        later = "is this step" if step == number else "runs later"
        allowed = (f"only the outputs of steps 0 to {number - 1}" if number else
                   "no step outputs (it is the first step); use \"$input.NAME\" or a constant")
        raise ConfigError(f"{where}: {param} = {value!r} refers to step {step}, which {later}; "
                          f"this step can use {allowed}.")
    return Binding("step", step=step, key=found["key"] or "", text=value)
