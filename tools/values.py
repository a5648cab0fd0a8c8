"""The one walker over nested JSON-like values (a Space's inputs and outputs, chain-log entries, cache records).

Containers are dicts, lists and tuples, rebuilt as the same type; everything else is a leaf. A container
that `is_leaf` accepts (a Gradio FileData dict, a cache's `{"__file__": path}` marker) is a leaf too.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

__all__ = ["iter_leaves", "map_leaves"]


def map_leaves(value: Any, fn: Callable[[Any], Any], *, is_leaf: Callable[[Any], bool] | None = None) -> Any:
    """A copy of `value` with every leaf replaced by `fn(leaf)`; dict keys and container types are kept.

    Args:
        value: a nested structure of dicts, lists and tuples (or a single leaf).
        fn: called once per leaf, in order; its result takes the leaf's place.
        is_leaf: containers for which it returns True are passed to `fn` whole instead of walked.

    Returns:
        The new structure; `value` itself is not changed.
    """
    if is_leaf is not None and is_leaf(value):
        return fn(value)
    if isinstance(value, dict):
        return {key: map_leaves(item, fn, is_leaf=is_leaf) for key, item in value.items()}
    if isinstance(value, list):
        return [map_leaves(item, fn, is_leaf=is_leaf) for item in value]
    if isinstance(value, tuple):
        return tuple(map_leaves(item, fn, is_leaf=is_leaf) for item in value)
    return fn(value)


def iter_leaves(value: Any, *, is_leaf: Callable[[Any], bool] | None = None) -> Iterator[Any]:
    """Every leaf of `value`, depth first in order (dict values in insertion order)."""
    if is_leaf is not None and is_leaf(value):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_leaves(item, is_leaf=is_leaf)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from iter_leaves(item, is_leaf=is_leaf)
    else:
        yield value
