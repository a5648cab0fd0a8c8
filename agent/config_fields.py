"""Every setting in one table: its place in `diorama.toml`, type, default, environment variable and meaning.

`agent.config.Settings` takes its attribute defaults from here and `Settings.load` reads, converts and
overrides each value from this table alone; `docs/configuration.md`'s settings table is generated from it
(`python -m agent.config_fields --markdown` rewrites it; `tests/test_config_fields.py` checks it and that
`diorama.toml` lists every setting with its default).

A plain table rather than `pydantic-settings`: the file's keys differ from the attribute names
(`model.call_timeout_s` is `llm_call_timeout_s`), each variable has its own historic name, a mistake must
be one line naming the key (pydantic's errors are multi-line), and unknown keys are already caught with a
suggestion by `agent.config_keys`. A table of a few fields does all that without a second model of the
settings.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Kind = Literal["int", "float", "str", "bool", "list", "secret"]

__all__ = ["FIELDS", "Field", "Kind", "default", "field_of", "markdown_table", "write_markdown"]


@dataclass(frozen=True)
class Field:
    """One setting.

    Attributes:
        attr: the `Settings` attribute.
        section: the `diorama.toml` table ("model", "limits"...); "" for a setting read from the environment only.
        key: the key inside that table ("" for environment-only settings).
        kind: how a value is read: "int", "float", "str", "bool" (true/false; the variable also takes 1/0,
            yes/no), "list" (a TOML list of strings; the variable is comma-separated), "secret" (text from
            the environment only, never shown).
        default: the value when neither the file nor the variable sets it; None: computed when loading
            (`shown` says how).
        doc: one line for the documentation.
        env: the environment variable that overrides the file, if any.
        shown: the default as the documentation writes it, when `default` alone does not say it.
    """

    attr: str
    section: str
    key: str
    kind: Kind
    default: Any
    doc: str
    env: str | None = None
    shown: str | None = None

    @property
    def name(self) -> str:
        """`section.key` as in messages and the docs, or the variable for environment-only settings."""
        return f"{self.section}.{self.key}" if self.section else str(self.env)


_F = Field
FIELDS: tuple[Field, ...] = (
    _F("model_provider", "model", "provider", "str", "auto",
       "`auto`: OpenAI-compatible if `base_url` is set, else HF Inference if `HF_TOKEN` is set, else offline; "
       "or `offline`, `hf`, `openai`", "DIORAMA_MODEL_PROVIDER"),
    _F("model_id", "model", "id", "str", "Qwen/Qwen2.5-Coder-32B-Instruct",
       "model for HF Inference or the OpenAI-compatible server", "DIORAMA_MODEL_ID"),
    _F("llm_base_url", "model", "base_url", "str", "",
       "e.g. `http://127.0.0.1:8080/v1` (llama.cpp), `http://127.0.0.1:11434/v1` (Ollama)", "DIORAMA_LLM_BASE_URL"),
    _F("max_tokens_per_step", "model", "max_tokens_per_step", "int", 1500, "cap on each LLM reply",
       "DIORAMA_MAX_TOKENS"),
    _F("max_steps", "model", "max_steps", "int", 6, "agent steps before it must answer", "DIORAMA_MAX_STEPS"),
    _F("run_timeout_s", "model", "run_timeout_s", "float", 600.0, "wall-clock budget of one run",
       "DIORAMA_RUN_TIMEOUT_S"),
    _F("flatten_messages", "model", "flatten_messages", "bool", True,
       "plain-text messages for OpenAI-compatible servers (llama.cpp rejects list-of-parts content)"),
    _F("llm_call_timeout_s", "model", "call_timeout_s", "float", 60.0,
       "wall-clock limit of one LLM reply (streamed, then cut; never retried)", "DIORAMA_LLM_CALL_TIMEOUT_S"),
    _F("llm_context_tokens", "model", "context_tokens", "int", 8192,
       "the model's context window; the history is trimmed to fit", "DIORAMA_LLM_CONTEXT_TOKENS"),
    _F("llm_fallback", "model", "fallback", "bool", True, "the offline planner finishes a run the model failed",
       "DIORAMA_LLM_FALLBACK"),
    _F("llm_fallback_reserve_s", "model", "fallback_reserve_s", "float", 30.0,
       "seconds of the run kept for the planner to finish (at most half the run)", "DIORAMA_LLM_FALLBACK_RESERVE_S"),
    _F("llm_structured", "model", "structured_output", "bool", False,
       "ask for JSON `{\"thought\", \"code\"}` (json_schema `response_format`)", "DIORAMA_LLM_STRUCTURED"),
    _F("llm_system_in_user", "model", "system_in_user", "bool", False,
       "send the system prompt in the first user turn (chat formats that drop system messages)",
       "DIORAMA_LLM_SYSTEM_IN_USER"),
    _F("hf_inference_url", "model", "hf_inference_url", "str", "https://router.huggingface.co/v1",
       "HF Inference's OpenAI-compatible endpoint (probed by `auto`)", "DIORAMA_HF_INFERENCE_URL"),
    _F("connect_timeout_s", "limits", "connect_timeout_s", "float", 30.0,
       "connecting to a Space and reading its API", "DIORAMA_CONNECT_TIMEOUT_S"),
    _F("call_timeout_s", "limits", "call_timeout_s", "float", 180.0, "one Space call; past it the job is cancelled",
       "DIORAMA_CALL_TIMEOUT_S"),
    _F("call_attempts", "limits", "call_attempts", "int", 2,
       "tries per provider for retryable failures (not for rejected input)", "DIORAMA_CALL_ATTEMPTS"),
    _F("companion_start_timeout_s", "limits", "companion_start_timeout_s", "float", 180.0,
       "how long one bundled Space may take to start (until it answers); past it the run fails with one line "
       "naming it and its log's last lines", "DIORAMA_COMPANION_START_TIMEOUT_S"),
    _F("companion_idle_s", "limits", "companion_idle_s", "float", 600.0,
       "shared bundled Spaces exit after this long unused; 0 = they exit with the command that started them "
       "(`--stop-companions` stops them now)", "DIORAMA_COMPANION_IDLE_S"),
    _F("backoff_s", "limits", "backoff_s", "float", 1.0, "first retry delay; doubles per try, ±50 % jitter",
       "DIORAMA_BACKOFF_S"),
    _F("max_parallel_per_space", "limits", "max_parallel_per_space", "int", 4,
       "calls in flight per Space at once (fan-out), shared by all runs", "DIORAMA_MAX_PARALLEL"),
    _F("breaker_failures", "limits", "breaker_failures", "int", 3,
       "consecutive failures after which a Space is skipped (its circuit opens)"),
    _F("breaker_cooldown_s", "limits", "breaker_cooldown_s", "float", 60.0,
       "how long an open circuit skips its Space; then one trial call decides"),
    _F("health_window", "limits", "health_window", "int", 20, "last calls per Space its health is computed from"),
    _F("max_request_chars", "limits", "max_request_chars", "int", 500, "longest request accepted"),
    _F("builds_per_minute", "limits", "builds_per_minute", "int", 30,
       "builds one client (IP) may start per minute in the UI/API/MCP; 0 = no limit", "DIORAMA_BUILDS_PER_MINUTE"),
    _F("runs_per_client", "limits", "runs_per_client", "int", 2,
       "builds one client may have running at once; 0 = no limit", "DIORAMA_RUNS_PER_CLIENT"),
    _F("trusted_proxies", "limits", "trusted_proxies", "int", None,
       "proxies in front of the app; a client is the X-Forwarded-For hop this many from the right",
       "DIORAMA_TRUSTED_PROXIES", shown="1 on a Space (`SPACE_ID` set), else 0"),
    _F("max_objects", "limits", "max_objects", "int", 12, "most objects the offline planner puts in one gallery"),
    _F("asset_chain", "planner", "asset_chain", "list", ("text_to_3d",),
       "how the offline planner makes each object: capabilities or tool names called in order, e.g. "
       "`[\"text_to_image\", \"image_to_3d\"]` (see `configs/text_image_3d.toml`)", "DIORAMA_ASSET_CHAIN"),
    _F("max_calls", "budget", "max_calls", "int", 200, "Space calls per run (every attempt counts); 0 = no limit",
       "DIORAMA_MAX_CALLS"),
    _F("max_space_seconds", "budget", "max_space_seconds", "float", 3600.0,
       "seconds spent waiting on Spaces per run; 0 = no limit", "DIORAMA_MAX_SPACE_SECONDS"),
    _F("max_cost_usd", "budget", "max_cost_usd", "float", 0.0,
       "estimated cost per run, from the two prices below; 0 = no limit", "DIORAMA_MAX_COST_USD"),
    _F("usd_per_space_second", "budget", "usd_per_space_second", "float", 0.0,
       "price of a second of Space time, e.g. your GPU Space's hourly price / 3600", "DIORAMA_USD_PER_SPACE_SECOND"),
    _F("usd_per_1k_tokens", "budget", "usd_per_1k_tokens", "float", 0.0,
       "your LLM's price per 1,000 tokens (in + out)", "DIORAMA_USD_PER_1K_TOKENS"),
    _F("cache_enabled", "cache", "enabled", "bool", True, "the shared result cache of Space calls", "DIORAMA_CACHE"),
    _F("cache_max_mb", "cache", "max_mb", "float", 512.0, "its total size; least recently used entries go first"),
    _F("cache_max_age_days", "cache", "max_age_days", "float", 7.0, "entries older than this are dropped"),
    _F("card_max_age_s", "cache", "card_max_age_s", "float", 600.0,
       "seconds a Space's card, and the revision in its cache keys, is kept before being read again (a Space "
       "updated while the server runs misses the cache after at most this); 0 = read at every run",
       "DIORAMA_CARD_MAX_AGE_S"),
    _F("sandbox_memory_mb", "sandbox", "memory_mb", "int", 1024,
       "address space of the worker process that runs the agent's code", "DIORAMA_SANDBOX_MEMORY_MB"),
    _F("sandbox_cpu_s", "sandbox", "cpu_s", "int", 120, "CPU seconds that worker may use over a run",
       "DIORAMA_SANDBOX_CPU_S"),
    _F("sandbox_step_timeout_s", "sandbox", "step_timeout_s", "float", 60.0,
       "seconds one step's code may compute (time waiting on Spaces not counted)", "DIORAMA_SANDBOX_STEP_TIMEOUT_S"),
    _F("sandbox_allow_in_process", "sandbox", "allow_in_process", "bool", False,
       "if no worker process can start, run an LLM's code inside the app anyway (unsafe on a public Space)",
       "DIORAMA_SANDBOX_ALLOW_IN_PROCESS"),
    _F("prerender_examples", "ui", "prerender_examples", "bool", True,
       "the UI renders its examples' scenes at start-up, in the background (kept in `<data>/runs/examples/`)",
       "DIORAMA_PRERENDER_EXAMPLES"),
    _F("data_dir", "storage", "data_dir", "str", "",
       "run folders, the history (`diorama.sqlite3`), recipes", "DIORAMA_DATA_DIR",
       shown="`/data/diorama` if `/data` exists, else `./data`"),
    _F("keep_runs", "storage", "keep_runs", "int", 200,
       "run folders kept; older ones are deleted (history rows stay); 0 = all", "DIORAMA_KEEP_RUNS"),
    _F("allow_spaces", "spaces", "allow", "list", (),
       "what users may add as tools at run time: Hub owners (`\"you\"`), single Spaces (`\"you/my-space\"`), "
       "URL origins (`\"https://your-host.example/\"`); empty = adding is off", "DIORAMA_ALLOW_SPACES"),
    _F("max_added_tools", "spaces", "max_added_tools", "int", 20,
       "most tools users may add in all, until the server restarts"),
    _F("config_path", "", "", "str", "diorama.toml", "another config file (same as `--config`)", "DIORAMA_CONFIG"),
    _F("hf_token", "", "", "secret", None,
       "HF token: HF Inference, and sent only to Hub Spaces named by id (`HUGGING_FACE_HUB_TOKEN` also works)",
       "HF_TOKEN"),
    _F("llm_api_key", "", "", "secret", None, "key for the OpenAI-compatible server", "DIORAMA_LLM_API_KEY"),
    _F("admin_token", "", "", "secret", None, "its holder sees every run in the history", "DIORAMA_ADMIN_TOKEN"),
)

_BY_ATTR = {f.attr: f for f in FIELDS}


def field_of(attr: str) -> Field:
    """The table entry of a `Settings` attribute."""
    return _BY_ATTR[attr]


def default(attr: str) -> Any:
    """The default of a `Settings` attribute, as its dataclass field gives it."""
    return _BY_ATTR[attr].default


def _shown(f: Field) -> str:
    if f.shown:
        return f.shown
    if f.kind == "secret":
        return "— (secret; environment only)"
    if f.kind == "bool":
        return "true" if f.default else "false"
    if f.kind == "list":
        return "`[" + ", ".join(f'"{v}"' for v in f.default) + "]`"
    if f.kind == "float" and float(f.default).is_integer():
        return str(int(f.default))
    return f"`{f.default}`" if f.kind == "str" and f.default else ("empty" if f.kind == "str" else str(f.default))


def markdown_table() -> str:
    """The settings table of `docs/configuration.md`, one row per field."""
    rows = ["| setting | env var | default | meaning |", "|---|---|---|---|"]
    for f in FIELDS:
        setting = f"`{f.name}`" if f.section else "—"
        env = f"`{f.env}`" + (" (comma-separated)" if f.kind == "list" else "") if f.env else "—"
        rows.append(f"| {setting} | {env} | {_shown(f)} | {f.doc} |")
    return "\n".join(rows) + "\n"


BEGIN = "<!-- settings table: generated by `python -m agent.config_fields --markdown` -->"
END = "<!-- end of settings table -->"
DOC = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def generated_doc(text: str) -> str:
    """`text` (the page) with the part between the markers replaced by `markdown_table()`.

    Raises:
        ValueError: the page lacks the markers.
    """
    pattern = re.compile(re.escape(BEGIN) + r"\n.*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise ValueError(f"{DOC.name} has no settings-table markers; put {BEGIN!r} and {END!r} where it goes.")
    return pattern.sub(lambda _: f"{BEGIN}\n{markdown_table()}{END}", text, count=1)


def write_markdown(path: Path = DOC) -> bool:
    """Rewrite the page's settings table; True when it changed."""
    old = path.read_text(encoding="utf-8")
    new = generated_doc(old)
    if new != old:
        path.write_text(new, encoding="utf-8")
    return new != old


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The settings table, from agent/config_fields.py.")
    parser.add_argument("--markdown", action="store_true", help=f"rewrite the table in {DOC}")
    args = parser.parse_args(argv)
    if args.markdown:
        changed = write_markdown()
        sys.stdout.write(f"{DOC}: {'updated' if changed else 'already up to date'}\n")
    else:
        sys.stdout.write(markdown_table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
