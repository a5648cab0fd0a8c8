"""The one settings table (`agent/config_fields.py`) agrees with `Settings`, `docs/configuration.md` and the
shipped `diorama.toml`, and the loader reads every setting from it (file key, variable, type)."""

from __future__ import annotations

import dataclasses
import re
import tomllib

import pytest

from agent.config import Settings
from agent.config_fields import DOC, FIELDS, generated_doc
from tests.conftest import REPO
from tools.errors import ConfigError

SHIPPED = (REPO / "diorama.toml").read_text(encoding="utf-8")
FILE_FIELDS = [f for f in FIELDS if f.section]
COMPUTED = {"data_dir", "trusted_proxies", "config_path"}  # defaults decided when loading


def test_every_settings_attribute_is_in_the_table_once_with_its_default():
    attrs = [f.name for f in dataclasses.fields(Settings) if f.name != "tools"]
    assert sorted(attrs) == sorted(f.attr for f in FIELDS)
    defaults = {f.name: f.default for f in dataclasses.fields(Settings)}
    for f in FIELDS:
        if f.attr not in COMPUTED:
            assert defaults[f.attr] == f.default, f.attr


def test_the_docs_table_is_the_generated_one():
    text = DOC.read_text(encoding="utf-8")
    assert generated_doc(text) == text, "run: python -m agent.config_fields --markdown"


def _section(name: str) -> str:
    """The lines of `[name]` in the shipped file, up to the next table header."""
    found = re.search(rf"^\[{name}\]\n(.*?)(?=^\[)", SHIPPED + "\n[", re.M | re.S)
    assert found, f"diorama.toml has no [{name}] table"
    return found.group(1)


@pytest.mark.parametrize("f", FILE_FIELDS, ids=[f.name for f in FILE_FIELDS])
def test_the_shipped_config_lists_every_setting_with_its_default(f):
    line = re.search(rf"^(#\s*)?{f.key} = (.*)$", _section(f.section), re.M)
    assert line, f"diorama.toml lacks {f.name} (set or commented out in [{f.section}])"
    value = tomllib.loads(f"v = {line.group(2)}")["v"]  # the line's trailing comment is valid TOML
    if f.default is None:
        assert line.group(1), f"{f.name} is computed when unset, so its line is commented out"
    else:
        assert not line.group(1), f"{f.name} is shown commented out; write it as a setting"
        assert (tuple(value) if f.kind == "list" else value) == f.default, f.name


def test_the_shipped_config_loads_to_the_table_defaults():
    settings = Settings.load(environ={})
    for f in FIELDS:
        if f.attr not in COMPUTED and f.kind != "secret":
            assert getattr(settings, f.attr) == f.default, f.attr


def _set(section: str, key: str, text: str) -> str:
    """The shipped file with `section.key` (set or commented out) set to `text`."""
    body = _section(section)
    changed = re.sub(rf"^(#\s*)?{key} = .*$", f"{key} = {text}", body, count=1, flags=re.M)
    return SHIPPED.replace(f"[{section}]\n{body}", f"[{section}]\n{changed}", 1)


def _value(f):
    """A valid value for `f` that differs from its default: (TOML text, variable text, expected attribute)."""
    return {"int": ("2000", "2000", 2000), "float": ("45.5", "45.5", 45.5), "bool": (
        str(not f.default).lower(), str(not f.default).lower(), not f.default),
        "list": ('["text_to_3d", "text_to_image"]', "text_to_3d, text_to_image", ("text_to_3d", "text_to_image")),
        "str": ('"offline"', "offline", "offline")}[f.kind]


READ = [f for f in FILE_FIELDS if f.attr not in ("data_dir", "allow_spaces")]  # these two have their own tests


@pytest.mark.parametrize("f", READ, ids=[f.name for f in READ])
def test_each_setting_is_read_from_its_key_and_its_variable(tmp_path, f):
    text, env_text, expected = _value(f)
    config = tmp_path / "diorama.toml"
    config.write_text(_set(f.section, f.key, text), encoding="utf-8")
    assert getattr(Settings.load(config, environ={}), f.attr) == expected
    if f.env:
        assert getattr(Settings.load(environ={f.env: env_text}), f.attr) == expected


@pytest.mark.parametrize(("extra", "message"), [
    ("[model]\nfallback = \"yes\"", "model.fallback must be true or false, got 'yes'"),
    ("[planner]\nasset_chain = \"text_to_3d\"", "planner.asset_chain must be a list of strings"),
    ("[model]\nid = 5", "model.id must be text, got 5"),
    ("[ui]\nprerender_examples = 1", "ui.prerender_examples must be true or false, got 1"),
])
def test_a_wrong_type_in_any_section_is_one_line_naming_the_key(tmp_path, extra, message):
    header, _, line = extra.partition("\n")
    config = tmp_path / "diorama.toml"
    config.write_text(_set(header.strip("[]"), line.split("=")[0].strip(), line.split("=", 1)[1].strip()),
                      encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        Settings.load(config, environ={})
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_bad_yes_no_variable_is_refused_not_read_as_false():
    with pytest.raises(ConfigError, match="DIORAMA_CACHE must be true or false"):
        Settings.load(environ={"DIORAMA_CACHE": "off-ish"})
