"""The layout is the architecture: `tools/` (Spaces as tools) never imports `agent/` (runs, planners, models),
not even lazily or for type checking, so the tool layer can be read, tested and reused on its own."""

from __future__ import annotations

import ast

from tests.conftest import REPO


def _imported_modules(path) -> set[str]:  # type: ignore[no-untyped-def]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_tools_never_import_agent():
    offenders = {path.name: sorted(m for m in _imported_modules(path) if m == "agent" or m.startswith("agent."))
                 for path in sorted((REPO / "tools").glob("*.py"))}
    assert {name: mods for name, mods in offenders.items() if mods} == {}
