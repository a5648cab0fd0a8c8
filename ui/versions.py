"""The versions of the scene a page is shaping: a build, then one version per follow-up (pure functions).

A page keeps its versions server-side (`gr.State`) as a list of {"run_id", "label"}, oldest first; the version
shown is the base of the next follow-up. Undo goes back to the version before the one shown.
"""

from __future__ import annotations

from typing import Any

__all__ = ["add_version", "choices", "known", "label_of", "previous"]

_LABEL_CHARS = 48


def add_version(versions: list[dict[str, str]] | None, run_id: str, text: str) -> list[dict[str, str]]:
    """The list with run `run_id` (made by `text`) appended as the next version (once)."""
    versions = list(versions or [])
    if any(v["run_id"] == run_id for v in versions):
        return versions
    short = text if len(text) <= _LABEL_CHARS else text[:_LABEL_CHARS - 1] + "…"
    return versions + [{"run_id": run_id, "label": f"v{len(versions) + 1} · {short}"}]


def choices(versions: list[dict[str, str]] | None) -> list[tuple[str, str]]:
    """(label, run id) pairs for a gr.Radio."""
    return [(v["label"], v["run_id"]) for v in versions or []]


def known(versions: list[dict[str, str]] | None, run_id: Any) -> bool:
    """True if `run_id` is one of this page's versions (a Radio value comes from the client)."""
    return isinstance(run_id, str) and any(v["run_id"] == run_id for v in versions or [])


def label_of(versions: list[dict[str, str]] | None, run_id: str) -> str:
    return next((v["label"] for v in versions or [] if v["run_id"] == run_id), run_id)


def previous(versions: list[dict[str, str]] | None, run_id: str | None) -> str | None:
    """The version before `run_id` (None at the first one or when there is none)."""
    ids = [v["run_id"] for v in versions or []]
    if run_id not in ids:
        return ids[-1] if ids else None
    at = ids.index(run_id)
    return ids[at - 1] if at > 0 else None
