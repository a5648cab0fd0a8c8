"""Fakes are named as such: each class or function whose docstring (or comment) says "Fake: ... because ..." is
listed in docs/testing.md, and every class called Fake* or Scripted* in tests/ says so in its docstring."""

from __future__ import annotations

import ast
import re

from tests.conftest import REPO

TESTS = sorted(p for p in (REPO / "tests").rglob("*.py") if p.name != "test_fakes.py")
DOC = (REPO / "docs" / "testing.md").read_text(encoding="utf-8")


def _marked() -> dict[str, str]:
    """name -> file of every fake marked in tests/: docstrings first, then "# Fake:" comments (named by the call
    they sit above: monkeypatch.setattr(..., "NAME", ...))."""
    found = {}
    for path in TESTS:
        text = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and (ast.get_docstring(node) or "").startswith(
                    "Fake:"):
                found[node.name] = path.name
        for match in re.finditer(r"# Fake:.*\n(?:\s*#.*\n)*.*?monkeypatch\.setattr\([^,]+, \"(\w+)\"", text):
            found[match.group(1)] = path.name
        for match in re.finditer(r"monkeypatch\.setattr\([^,]+, \"(\w+)\".*# Fake:", text):
            found[match.group(1)] = path.name
    return found


def test_every_marked_fake_is_listed_in_the_testing_doc():
    marked = _marked()
    assert {"ScriptedLLM", "ScriptedChatServer", "FakeHfApi", "FakeClock", "is_hub_id"} <= set(marked)
    missing = {name: file for name, file in marked.items() if f"`{name}`" not in DOC}
    assert not missing, f"docs/testing.md 'Fakes' lacks {missing}"


def test_a_class_named_as_a_fake_says_why():
    for path in TESTS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and re.match(r"_?(Fake|Scripted)", node.name):
                assert (ast.get_docstring(node) or "").startswith("Fake:") and "because" in ast.get_docstring(node), \
                    f"{path.name}: {node.name}'s docstring must start 'Fake: ... because ...'"
