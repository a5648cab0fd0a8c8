"""The one value walker (`tools/values.py`): leaves mapped or listed in order, containers rebuilt as they were."""

from __future__ import annotations

from tools.values import iter_leaves, map_leaves

NESTED = {"a": ["x", ("y", 2)], "b": {"c": 3.0, "d": None}, "e": []}


def test_map_leaves_keeps_keys_and_container_types_and_leaves_the_input_alone():
    mapped = map_leaves(NESTED, lambda leaf: leaf * 2 if isinstance(leaf, (str, int, float)) else leaf)
    assert mapped == {"a": ["xx", ("yy", 4)], "b": {"c": 6.0, "d": None}, "e": []}
    assert isinstance(mapped["a"][1], tuple)
    assert NESTED["a"][0] == "x"


def test_is_leaf_hands_a_container_to_fn_whole():
    value = [{"__file__": "a.glb"}, {"k": {"__file__": "b.glb"}}]
    marker = lambda v: isinstance(v, dict) and set(v) == {"__file__"}  # noqa: E731
    assert map_leaves(value, lambda v: v["__file__"].upper() if marker(v) else v, is_leaf=marker) == [
        "A.GLB", {"k": "B.GLB"}]
    assert list(iter_leaves(value, is_leaf=marker)) == [{"__file__": "a.glb"}, {"__file__": "b.glb"}]


def test_iter_leaves_goes_depth_first_in_order():
    assert list(iter_leaves(NESTED)) == ["x", "y", 2, 3.0, None]
    assert list(iter_leaves("alone")) == ["alone"]
