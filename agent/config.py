"""Settings: the config file (`diorama.toml`) plus environment overrides; the only reader of the environment."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Mapping

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
    model_provider: ModelProvider = "auto"
    model_id: str = "Qwen/Qwen2.5-Coder-32B-Instruct"
    llm_base_url: str = ""
    max_tokens_per_step: int = 1500
    max_steps: int = 6
    run_timeout_s: float = 600.0
    flatten_messages: bool = True
    llm_call_timeout_s: float = 60.0  # wall-clock limit of one LLM reply (streamed, then cut and closed)
    llm_context_tokens: int = 8192  # the model's context window; older steps are dropped to fit
    llm_fallback: bool = True  # the offline planner finishes a run the LLM failed (False: pure LLM runs)
    llm_fallback_reserve_s: float = 30.0  # run seconds kept for the planner to finish (at most half the run)
    llm_structured: bool = False  # ask the server for JSON {"thought", "code"} (json_schema response_format)
    llm_system_in_user: bool = False  # send the system prompt in the first user turn (chat formats that drop it)
    hf_inference_url: str = "https://router.huggingface.co/v1"  # OpenAI-compatible HF Inference endpoint
    connect_timeout_s: float = 30.0
    call_timeout_s: float = 180.0
    call_attempts: int = 2
    companion_start_timeout_s: float = 180.0  # one bundled Space's start, until it answers
    companion_idle_s: float = 600.0  # a shared bundled Space exits after this long unused; 0: with its starter
    prerender_examples: bool = True  # the UI renders its examples' scenes at start-up, in the background
    backoff_s: float = 1.0
    max_parallel_per_space: int = 4
    breaker_failures: int = 3
    breaker_cooldown_s: float = 60.0
    max_request_chars: int = 500
    builds_per_minute: int = 30  # per client (IP); 0 = no limit
    runs_per_client: int = 2  # builds one client may have running at once; 0 = no limit
    trusted_proxies: int = 0  # proxies in front of the app whose X-Forwarded-For hop is believed (1 on a Space)
    max_objects: int = 12
    asset_chain: tuple[str, ...] = ("text_to_3d",)
    max_calls: int = 200
    max_space_seconds: float = 3600.0
    max_cost_usd: float = 0.0
    usd_per_space_second: float = 0.0
    usd_per_1k_tokens: float = 0.0
    cache_enabled: bool = True
    cache_max_mb: float = 512.0
    cache_max_age_days: float = 7.0
    data_dir: Path = REPO_DIR / "data"
    keep_runs: int = 200  # run folders kept; older ones are deleted (their history rows stay); 0 = keep all
    health_window: int = 20  # last calls per Space that its health (success rate, latency) is computed from
    allow_spaces: tuple[str, ...] = ()  # what users may add at run time: Hub owners, "owner/name", URL origins
    max_added_tools: int = 20  # most tools users may add at run time, in all
    sandbox_memory_mb: int = 1024  # address space of the worker that runs the agent's code
    sandbox_cpu_s: int = 120  # CPU seconds that worker may use over a run
    sandbox_step_timeout_s: float = 60.0  # seconds one step's code may compute (Space calls not counted)
    sandbox_allow_in_process: bool = False  # run LLM code in the app process when no worker can start (unsafe)
    config_path: Path = DEFAULT_CONFIG
    hf_token: str | None = field(default=None, repr=False)
    llm_api_key: str | None = field(default=None, repr=False)
    admin_token: str | None = field(default=None, repr=False)  # DIORAMA_ADMIN_TOKEN: its holder sees every run

    @classmethod
    def load(cls, path: Path | None = None, environ: Mapping[str, str] | None = None) -> "Settings":
        """Read the config file, then apply environment overrides.

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
        model, limits, storage = raw.get("model", {}), raw.get("limits", {}), raw.get("storage", {})
        cache, budget, sandbox = raw.get("cache", {}), raw.get("budget", {}), raw.get("sandbox", {})
        tools = tuple(_tool(entry, index, env) for index, entry in enumerate(raw.get("tools", [])))
        if not tools:
            raise ConfigError(f"Config file {path} lists no [[tools]]; add at least a text_to_3d and a scene tool.")
        names = [t.name for t in tools]
        if len(set(names)) != len(names):
            raise ConfigError(f"Tool names in {path} must be unique, got {names}.")
        data_dir = _pick(env, "DIORAMA_DATA_DIR", storage.get("data_dir", ""), str)
        settings = cls(
            tools=tools,
            model_provider=_pick(env, "DIORAMA_MODEL_PROVIDER", model.get("provider", "auto"), str),
            model_id=_pick(env, "DIORAMA_MODEL_ID", model.get("id", cls.model_id), str),
            llm_base_url=_pick(env, "DIORAMA_LLM_BASE_URL", model.get("base_url", ""), str),
            max_tokens_per_step=_pick(env, "DIORAMA_MAX_TOKENS", model.get("max_tokens_per_step", 1500), int),
            max_steps=_pick(env, "DIORAMA_MAX_STEPS", model.get("max_steps", 6), int),
            run_timeout_s=_pick(env, "DIORAMA_RUN_TIMEOUT_S", model.get("run_timeout_s", 600), float),
            flatten_messages=bool(model.get("flatten_messages", True)),
            llm_call_timeout_s=_pick(env, "DIORAMA_LLM_CALL_TIMEOUT_S", model.get("call_timeout_s", 60), float),
            llm_context_tokens=_pick(env, "DIORAMA_LLM_CONTEXT_TOKENS", model.get("context_tokens", 8192), int),
            llm_fallback=_flag(env, "DIORAMA_LLM_FALLBACK", model.get("fallback", True)),
            llm_fallback_reserve_s=_pick(env, "DIORAMA_LLM_FALLBACK_RESERVE_S", model.get("fallback_reserve_s", 30),
                                         float),
            llm_structured=_flag(env, "DIORAMA_LLM_STRUCTURED", model.get("structured_output", False)),
            llm_system_in_user=_flag(env, "DIORAMA_LLM_SYSTEM_IN_USER", model.get("system_in_user", False)),
            hf_inference_url=_pick(env, "DIORAMA_HF_INFERENCE_URL",
                                   model.get("hf_inference_url", cls.hf_inference_url), str),
            connect_timeout_s=_pick(env, "DIORAMA_CONNECT_TIMEOUT_S", limits.get("connect_timeout_s", 30), float),
            call_timeout_s=_pick(env, "DIORAMA_CALL_TIMEOUT_S", limits.get("call_timeout_s", 180), float),
            call_attempts=_pick(env, "DIORAMA_CALL_ATTEMPTS", limits.get("call_attempts", 2), int),
            companion_start_timeout_s=_pick(env, "DIORAMA_COMPANION_START_TIMEOUT_S",
                                            limits.get("companion_start_timeout_s", 180), float),
            companion_idle_s=_pick(env, "DIORAMA_COMPANION_IDLE_S", limits.get("companion_idle_s", 600), float),
            prerender_examples=_pick(env, "DIORAMA_PRERENDER_EXAMPLES", str(raw.get("ui", {}).get(
                "prerender_examples", True)), str).lower() in ("true", "1", "yes"),
            backoff_s=_pick(env, "DIORAMA_BACKOFF_S", limits.get("backoff_s", 1.0), float),
            breaker_failures=_typed(limits, "limits", "breaker_failures", 3, int),
            max_parallel_per_space=_pick(env, "DIORAMA_MAX_PARALLEL", limits.get("max_parallel_per_space", 4), int),
            breaker_cooldown_s=_typed(limits, "limits", "breaker_cooldown_s", 60, float),
            max_request_chars=_typed(limits, "limits", "max_request_chars", 500, int),
            builds_per_minute=_pick(env, "DIORAMA_BUILDS_PER_MINUTE", limits.get("builds_per_minute", 30), int),
            runs_per_client=_pick(env, "DIORAMA_RUNS_PER_CLIENT", limits.get("runs_per_client", 2), int),
            trusted_proxies=_pick(env, "DIORAMA_TRUSTED_PROXIES",
                                  limits.get("trusted_proxies", 1 if env.get("SPACE_ID") else 0), int),
            max_objects=_typed(limits, "limits", "max_objects", 12, int),
            asset_chain=tuple(_pick(env, "DIORAMA_ASSET_CHAIN", ",".join(raw.get("planner", {}).get(
                "asset_chain", ["text_to_3d"])), str).replace(" ", "").split(",")),
            max_calls=_pick(env, "DIORAMA_MAX_CALLS", budget.get("max_calls", 200), int),
            max_space_seconds=_pick(env, "DIORAMA_MAX_SPACE_SECONDS", budget.get("max_space_seconds", 3600), float),
            max_cost_usd=_pick(env, "DIORAMA_MAX_COST_USD", budget.get("max_cost_usd", 0), float),
            usd_per_space_second=_pick(env, "DIORAMA_USD_PER_SPACE_SECOND", budget.get("usd_per_space_second", 0),
                                       float),
            usd_per_1k_tokens=_pick(env, "DIORAMA_USD_PER_1K_TOKENS", budget.get("usd_per_1k_tokens", 0), float),
            cache_enabled=_pick(env, "DIORAMA_CACHE", str(cache.get("enabled", True)), str).lower() in ("true", "1"),
            cache_max_mb=_typed(cache, "cache", "max_mb", 512, float),
            cache_max_age_days=_typed(cache, "cache", "max_age_days", 7, float),
            data_dir=Path(data_dir) if data_dir else _default_data_dir(),
            keep_runs=_pick(env, "DIORAMA_KEEP_RUNS", storage.get("keep_runs", 200), int),
            health_window=_typed(limits, "limits", "health_window", 20, int),
            allow_spaces=_allow_list(env, raw.get("spaces", {})),
            max_added_tools=_typed(raw.get("spaces", {}), "spaces", "max_added_tools", 20, int),
            sandbox_memory_mb=_pick(env, "DIORAMA_SANDBOX_MEMORY_MB", sandbox.get("memory_mb", 1024), int),
            sandbox_cpu_s=_pick(env, "DIORAMA_SANDBOX_CPU_S", sandbox.get("cpu_s", 120), int),
            sandbox_step_timeout_s=_pick(env, "DIORAMA_SANDBOX_STEP_TIMEOUT_S", sandbox.get("step_timeout_s", 60),
                                         float),
            sandbox_allow_in_process=_pick(env, "DIORAMA_SANDBOX_ALLOW_IN_PROCESS",
                                           str(sandbox.get("allow_in_process", False)), str).lower()
            in ("true", "1", "yes"),
            config_path=path,
            hf_token=env.get("HF_TOKEN") or env.get("HUGGING_FACE_HUB_TOKEN") or None,
            llm_api_key=env.get("DIORAMA_LLM_API_KEY") or None,
            admin_token=env.get("DIORAMA_ADMIN_TOKEN") or None,
        )
        unknown = unknown_keys(raw)
        if unknown:
            raise ConfigError(f"Config file {path}: {unknown[0]}" + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1
                              else "") + ". Fix or remove it; README 'Settings' lists every key.")
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


def _allow_list(env: Mapping[str, str], spaces: Any) -> tuple[str, ...]:
    """`[spaces] allow` (a list of strings), or DIORAMA_ALLOW_SPACES (comma-separated) when that is set."""
    allow = spaces.get("allow", []) if isinstance(spaces, dict) else None  # read first: a known key either way
    if env.get("DIORAMA_ALLOW_SPACES"):
        return tuple(e.strip() for e in env["DIORAMA_ALLOW_SPACES"].split(",") if e.strip())
    if not isinstance(allow, list) or not all(isinstance(e, str) for e in allow):
        raise ConfigError(f"spaces.allow must be a list of strings (Hub owners, \"owner/name\" or URL origins), "
                          f"e.g. allow = [\"you\", \"https://your-host.example/\"], got {allow!r}.")
    return tuple(e.strip() for e in allow if e.strip())


def _default_data_dir() -> Path:
    persistent = Path("/data")
    return persistent / "diorama" if persistent.is_dir() and os.access(persistent, os.W_OK) else REPO_DIR / "data"


def _flag(env: Mapping[str, str], var: str, default: Any) -> bool:
    """A yes/no setting: the variable if set (true/1/yes or false/0/no), else the config value."""
    value = env.get(var)
    if value is None or value == "":
        return bool(default)
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise ConfigError(f"{var} must be true or false (also 1/0, yes/no), got {value!r}.")


def _pick(env: Mapping[str, str], var: str, default: Any, kind: type) -> Any:
    value = env.get(var)
    from_env = value is not None and value != ""
    if not from_env:
        value = default
    try:
        return _convert(value, kind)
    except (TypeError, ValueError) as exc:
        where = "" if from_env else "the config file's value for "
        raise ConfigError(f"{where}{var} must be a {kind.__name__}, got {value!r}.") from exc


def _typed(table: Mapping[str, Any], section: str, key: str, default: Any, kind: type) -> Any:
    """`table[key]` as `kind`, or `default`; a value of the wrong type is a ConfigError naming the key."""
    value = table.get(key, default)
    try:
        return _convert(value, kind)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{section}.{key} must be {_KIND_WORDS.get(kind, kind.__name__)}, got {value!r}.") from exc


_KIND_WORDS = {int: "a whole number", float: "a number", str: "text"}


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
