"""The README's config examples are real: every TOML block in it loads as a Diorama config."""

from __future__ import annotations

import re

import pytest

from agent.config import Settings
from tests.conftest import REPO

BLOCKS = re.findall(r"^ *```toml\n(.*?)^ *```", (REPO / "README.md").read_text(encoding="utf-8"), re.M | re.S)


def test_the_readme_has_config_examples():
    assert len(BLOCKS) >= 2  # the walkthrough's and the multi-call recipe's


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_each_readme_toml_block_loads_as_a_config(tmp_path, index):
    lines = BLOCKS[index].splitlines()
    indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
    config = tmp_path / "diorama.toml"
    config.write_text("\n".join(line[indent:] for line in lines) + "\n", encoding="utf-8")
    settings = Settings.load(config, environ={})
    assert settings.tools, "each example lists its [[tools]]"
    assert all(t.name and t.space for t in settings.tools)
