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
            names.update(f"{node.module}.{alias.name}" for alias in node.names)  # a submodule imported by name
    return names


def test_tools_never_import_agent():
    offenders = {path.name: sorted(m for m in _imported_modules(path) if m == "agent" or m.startswith("agent."))
                 for path in sorted((REPO / "tools").glob("*.py"))}
    assert {name: mods for name, mods in offenders.items() if mods} == {}


def _project_imports() -> dict[str, set[str]]:
    """Each module of app.py, agent/, tools/ and ui/ -> the project modules it imports (lazily or not)."""
    modules = {"app": REPO / "app.py"}
    for package in ("agent", "tools", "ui"):
        for path in (REPO / package).glob("*.py"):
            modules[package if path.stem == "__init__" else f"{package}.{path.stem}"] = path
    return {name: {target for target in _imported_modules(path) if target in modules and target != name}
            for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as the modules on it, or [] when there is none (depth-first, white/grey/black)."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []


def test_the_project_has_no_import_cycle_not_even_through_lazy_imports():
    graph = _project_imports()
    assert len(graph) > 50 and graph["app"]
    assert _cycle(graph) == []
