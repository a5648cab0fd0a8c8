"""Config mistakes give one line naming the key: a typo gets a suggestion, a wrong type says what it needs.
Through `python app.py --config` as a user meets them (exit 2, no traceback)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from agent.config import Settings
from tests.conftest import REPO
from tools.errors import ConfigError

BASE = (REPO / "diorama.toml").read_text(encoding="utf-8")


def _with(tmp_path, extra: str):
    """The repo's config plus `extra` ("[section]\nkey = value"): joined into that table if the file has it."""
    header, _, line = extra.partition("\n")
    key = line.split("=")[0].strip()
    if f"\n{header}\n" in BASE and re.search(rf"^{key} =", BASE, re.M):  # set already: change that line
        text = re.sub(rf"^{key} =.*$", lambda _: line, BASE, count=1, flags=re.M)
    elif f"\n{header}\n" in BASE:
        text = BASE.replace(header + "\n", f"{header}\n{line}\n", 1)
    else:
        text = BASE + "\n" + extra + "\n"
    path = tmp_path / "diorama.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("extra", "message"), [
    ("[limits]\ncall_timout_s = 5", "unknown key 'limits.call_timout_s'; did you mean 'limits.call_timeout_s'?"),
    ("[modle]\nid = 'x'", "unknown key 'modle'; did you mean 'model'?"),
    ("[limits]\nbreaker_failures = \"three\"", "limits.breaker_failures must be a whole number, got 'three'"),
    ("[limits]\nmax_objects = 2.5", "limits.max_objects must be a whole number, got 2.5"),
    ("[cache]\nmax_mb = true", "cache.max_mb must be a number, got True"),
    ("[cache]\ncard_max_age_s = -1", "cache.card_max_age_s (DIORAMA_CARD_MAX_AGE_S) must be 0 (read at every run)"),
])
def test_a_config_mistake_is_one_line_naming_the_key(tmp_path, extra, message):
    with pytest.raises(ConfigError) as error:
        Settings.load(_with(tmp_path, extra), environ={})
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_tool_entry_typo_is_caught_and_free_form_tables_are_not(tmp_path):
    path = tmp_path / "diorama.toml"
    path.write_text(BASE + '\n[[tools]]\nname = "extra"\nspace = "local:text_to_3d"\nendpoint = "/generate"\n'
                           'descripton = "typo"\nfallbacks = [{space = "o/n", args = {any_name = "x"}}]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown key 'tools\[\d+\]\.descripton'; did you mean 'tools\[\d+\]\.description'"):
        Settings.load(path, environ={})


def test_the_cli_prints_the_config_mistake_as_one_line(tmp_path):
    path = _with(tmp_path, "[storage]\nkeep_run = 3")
    done = subprocess.run([sys.executable, str(REPO / "app.py"), "--config", str(path), "--prompt", "a windmill"],
                          cwd=tmp_path, env={**os.environ, "HF_HUB_OFFLINE": "1"}, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "storage.keep_run" in done.stderr and "keep_runs" in done.stderr
    assert "Traceback" not in done.stderr
