"""The README and docs/ are true where code can tell: every TOML block loads as a Diorama config, every Python
block compiles, every JSON block parses, every link to a file in the repo points at one, and the README stays short."""

from __future__ import annotations

import ast
import json
import re
import textwrap

import pytest

from agent.config import Settings
from tests.conftest import REPO

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def _blocks(language: str) -> list[tuple[str, str]]:
    """(page name, dedented block) for each fenced block of `language` in the README and docs/."""
    found = []
    for page in PAGES:
        for block in re.findall(rf"^ *```{language}\n(.*?)^ *```", page.read_text(encoding="utf-8"), re.M | re.S):
            found.append((page.name, textwrap.dedent(block)))
    return found


TOML, PYTHON, JSON = _blocks("toml"), _blocks("python"), _blocks("json")


def test_the_docs_have_config_examples():
    assert len(TOML) >= 2  # the walkthrough's and the multi-call recipe's


@pytest.mark.parametrize(("page", "block"), TOML, ids=[f"{p}-{i}" for i, (p, _) in enumerate(TOML)])
def test_each_toml_block_loads_as_a_config(tmp_path, page, block):
    config = tmp_path / "diorama.toml"
    config.write_text(block, encoding="utf-8")
    settings = Settings.load(config, environ={})
    assert settings.tools, "each example lists its [[tools]]"
    assert all(t.name and t.space for t in settings.tools)


@pytest.mark.parametrize(("page", "block"), PYTHON, ids=[f"{p}-{i}" for i, (p, _) in enumerate(PYTHON)])
def test_each_python_block_compiles(page, block):
    ast.parse(block)


@pytest.mark.parametrize(("page", "block"), JSON, ids=[f"{p}-{i}" for i, (p, _) in enumerate(JSON)])
def test_each_json_block_parses(page, block):
    json.loads(block)


def test_links_to_repo_files_point_at_files():
    for page in PAGES:
        for target in re.findall(r"\]\(([^)#:]+)\)|src=\"([^\"]+)\"", page.read_text(encoding="utf-8")):
            path = next(t for t in target if t)
            assert (page.parent / path).exists(), f"{page.name} links to {path}, which does not exist"


def test_the_readme_is_short():
    assert (REPO / "README.md").read_text(encoding="utf-8").count("\n") <= 200
