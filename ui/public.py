"""What leaves the server: JSON answers with no server paths, and the only files a run may serve.

Every JSON the UI and the API return (/build, /status, /cancel, /resume, /run, /history, MCP, the UI's chain
log) goes through `public_log` or `public_value` once, on the way out: a path under the data folder becomes
relative to its run folder ("scene.glb", "assets/call-1_windmill.glb") or, outside any run folder, to the data
folder ("downloads/..."). File outputs (Model3D, File) are not JSON: they still name the real file, which
Gradio copies into its cache and serves. Which file that is, the server decides: `scene_file` and `run_file`
build it from a checked run id; nothing a client sends is used as a path.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from agent.run import RunPaths
from tools.values import map_leaves

SCENE = "scene.glb"


def public_log(log: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    """A copy of a chain log (or a /status report) whose paths are relative to its run folder."""
    return public_value(log, data_dir, run_id=log.get("run_id") if isinstance(log, dict) else None)


def public_value(value: Any, data_dir: Path, *, run_id: str | None = None) -> Any:
    """A copy of JSON-like `value` with every path under `data_dir` rewritten (inside strings too, e.g. errors).

    Args:
        value: dicts, lists, tuples and scalars.
        data_dir: the data folder (the run folders are `<data_dir>/runs/<run_id>`).
        run_id: the run the value is about: its folder's paths become run-relative.
    """
    return _rewrite(value, _prefixes(data_dir, run_id))


def public_text(text: str, data_dir: Path) -> str:
    """A message with the data folder's absolute path taken out (errors shown to users)."""
    return _rewrite(text, _prefixes(data_dir, None))


def run_dir(data_dir: Path, run_id: str) -> Path:
    """`<data_dir>/runs/<run_id>`, the id checked first (InvalidInputError for anything path-like)."""
    return RunPaths.of(data_dir, run_id).folder


def scene_file(data_dir: Path, run_id: str) -> str | None:
    """The run's scene (`<run folder>/scene.glb`) if it exists: the only scene a run serves."""
    path = RunPaths.of(data_dir, run_id).scene
    return str(path) if path.is_file() else None


def run_file(data_dir: Path, run_id: str, relative: Any) -> str | None:
    """A file inside the run's folder named run-relative ("assets/call-1_x.glb"), or None if it is not one."""
    folder = Path(os.path.realpath(run_dir(data_dir, run_id)))
    if not isinstance(relative, str) or not relative or "\x00" in relative or Path(relative).is_absolute():
        return None
    path = Path(os.path.realpath(folder / relative))
    return str(path) if folder in path.parents and path.is_file() else None


def _prefixes(data_dir: Path, run_id: str | None) -> list[tuple[str, str]]:
    """(absolute prefix, replacement), longest first; both the given and the resolved form of each folder."""
    roots = {str(Path(data_dir)), os.path.realpath(data_dir)}
    pairs: list[tuple[str, str]] = []
    for root in roots:
        if run_id:
            folder = str(RunPaths(Path(root), str(run_id)).folder)
            pairs += [(folder + os.sep, ""), (folder, ".")]
        pairs += [(root + os.sep, ""), (root, "<data folder>")]
    return sorted(set(pairs), key=lambda pair: -len(pair[0]))


def _rewrite(value: Any, prefixes: list[tuple[str, str]]) -> Any:
    """`value` with the server folders in every string replaced (`prefixes`: longest first)."""
    return map_leaves(value, lambda leaf: _rewrite_text(leaf, prefixes) if isinstance(leaf, str) else leaf)


def _rewrite_text(value: str, prefixes: list[tuple[str, str]]) -> str:
    for prefix, replacement in prefixes:
        if prefix not in value:
            continue
        if prefix.endswith(os.sep):
            value = value.replace(prefix, replacement)
        else:  # the folder itself, not a sibling that starts with its name ("data" in "data2")
            value = re.sub(re.escape(prefix) + r"(?![\w.-])", lambda _: replacement, value)
    return value


__all__ = ["public_log", "public_text", "public_value", "run_dir", "run_file", "scene_file"]
