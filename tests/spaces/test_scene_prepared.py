"""The scene builder's prepared-object cache (sb_prepared): reuse across assemblies, by content only."""

from __future__ import annotations

import json
import re
import secrets
import sys
from pathlib import Path

import numpy as np
import pytest
import trimesh
from gradio_client import Client, handle_file

ROOT = Path(__file__).resolve().parents[2]
SPACE = ROOT / "spaces" / "scene_builder"
REAL = ROOT / "tests" / "fixtures" / "glb" / "real"

sys.path.insert(0, str(SPACE))
import sb_gallery  # noqa: E402
import sb_prepared  # noqa: E402
import sb_preflight  # noqa: E402

SOURCES = ["trimesh_Duck.glb", "trimesh_CesiumMilkTruck.glb", "trimesh_BoxTextured.glb", "trimesh_pins.glb",
           "trimesh_simple_pole.glb"]
_CACHE_LINE = re.compile(r"prepared objects: (\d+) of (\d+) file\(s\) from the cache")


def _unique_copy(source: Path, target: Path) -> Path:
    """`source` with a few random bytes after its end (tolerated, with a warning): bytes no test sent before."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source.read_bytes() + secrets.token_hex(4).encode())
    return target


def _cache_lines(fleet) -> list[tuple[int, int]]:
    log = Path(fleet.running()["scene_builder"].log).read_text(encoding="utf-8", errors="replace")
    return [(int(a), int(b)) for a, b in _CACHE_LINE.findall(log)]


def _assemble(client: Client, paths: list[Path], labels: list[str], title: str) -> tuple[str, dict]:
    return client.predict([handle_file(str(p)) for p in paths], "\n".join(labels), title, "", api_name="/assemble")


def _object_boxes(path: str, layout: dict) -> dict[str, np.ndarray]:
    """Each object's world bounds (2, 3) in metres, read back from the GLB with trimesh."""
    scene = trimesh.load(path, force="scene")
    boxes = {}
    for obj in layout["objects"]:
        slug = obj["node"]
        corners = []
        for node in scene.graph.nodes_geometry:
            if node.startswith(f"{slug}/"):
                matrix, gname = scene.graph[node]
                corners.append(trimesh.transform_points(scene.geometry[gname].bounds, matrix))
        points = np.vstack(corners)
        boxes[slug] = np.array([points.min(axis=0), points.max(axis=0)])
    return boxes


def _assert_same_scene(edited: tuple[str, dict], scratch: tuple[str, dict]) -> None:
    (edited_path, edited_layout), (scratch_path, scratch_layout) = edited, scratch
    assert edited_layout == json.loads(json.dumps(scratch_layout))  # objects, sizes, positions, warnings
    edited_boxes, scratch_boxes = _object_boxes(edited_path, edited_layout), _object_boxes(scratch_path, scratch_layout)
    assert sorted(edited_boxes) == sorted(scratch_boxes)
    for slug, box in scratch_boxes.items():
        np.testing.assert_allclose(edited_boxes[slug], box, atol=1e-4, err_msg=slug)
    names = {n for n in trimesh.load(edited_path, force="scene").graph.nodes if isinstance(n, str)}
    assert names == {n for n in trimesh.load(scratch_path, force="scene").graph.nodes if isinstance(n, str)}


def test_an_edit_reuses_prepared_objects_and_equals_a_build_from_scratch(companion_fleet, companion_urls, tmp_path):
    client = Client(companion_urls["scene_builder"], verbose=False, download_files=str(tmp_path / "dl"))
    files = [_unique_copy(REAL / name, tmp_path / "build" / f"call-{i}_{name}") for i, name in enumerate(SOURCES, 1)]
    labels = ["Duck", "Truck", "Box", "Pins", "Pole"]
    before = len(_cache_lines(companion_fleet))
    _assemble(client, files, labels, "First")
    # The edit: the truck goes, a new cube comes; the kept files are the same bytes under other names (as the app's
    # edit runs copy them to "reused-<n>_<name>"), and the order changes.
    kept = [files[4], files[0], files[2], files[3]]
    renamed = [Path(tmp_path / "edit" / f"reused-{i}_{p.name}") for i, p in enumerate(kept, 1)]
    for source, target in zip(kept, renamed):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    new = _unique_copy(REAL / "trimesh_cubevc.glb", tmp_path / "edit" / "call-1_cube.glb")
    edit_files, edit_labels = [*renamed, new], ["Pole", "Duck", "Box", "Pins", "Cube"]
    edited = _assemble(client, edit_files, edit_labels, "Edited")

    lines = _cache_lines(companion_fleet)[before:]
    assert lines == [(0, 5), (4, 5)]  # cold: all 5 prepared; the edit: only the new cube
    (tmp_path / "scratch").mkdir()
    scratch = sb_gallery.assemble_files([str(p) for p in edit_files], "\n".join(edit_labels), "Edited",
                                        out_dir=str(tmp_path / "scratch"))
    _assert_same_scene(edited, scratch)
    warnings = edited[1]["warnings"]
    assert any(w.startswith(f"'{renamed[3].name}': looked Z-up") for w in warnings), warnings  # renamed on reuse
    assert not any(w.startswith(f"'{files[3].name}'") for w in warnings)


def test_a_changed_file_under_the_same_name_is_prepared_again(companion_fleet, companion_urls, tmp_path):
    client = Client(companion_urls["scene_builder"], verbose=False, download_files=str(tmp_path / "dl"))
    first = _unique_copy(REAL / "trimesh_Duck.glb", tmp_path / "a" / "thing.glb")
    duck = trimesh.load(REAL / "trimesh_Duck.glb", force="scene")
    duck.apply_transform(trimesh.transformations.scale_matrix(3.0))  # the same duck, 3x taller: other bytes
    changed = tmp_path / "b" / "thing.glb"
    changed.parent.mkdir()
    changed.write_bytes(duck.export(file_type="glb"))
    before = len(_cache_lines(companion_fleet))
    _, original = _assemble(client, [first], ["Thing"], "One")
    path, layout = _assemble(client, [changed], ["Thing"], "One")

    assert _cache_lines(companion_fleet)[before:] == [(0, 1), (0, 1)]
    (tmp_path / "scratch").mkdir()
    scratch = sb_gallery.assemble_files([str(changed)], "Thing", "One", out_dir=str(tmp_path / "scratch"))
    _assert_same_scene((path, layout), scratch)
    assert layout["objects"][0]["source_height"] == pytest.approx(3 * original["objects"][0]["source_height"],
                                                                  rel=1e-4)


def test_a_child_gives_no_entry_when_the_bytes_it_read_are_not_the_keyed_ones(tmp_path):
    path = _unique_copy(REAL / "trimesh_Duck.glb", tmp_path / "duck.glb")
    key = sb_prepared.file_key(path)
    data = sb_preflight.read_file(path)
    _, entry = sb_prepared.prepare(sb_preflight.check_bytes(data, path.name), data, key)
    assert entry is not None
    other = data[:-1] + b"!"  # what a file changed after the server hashed it would look like
    _, entry = sb_prepared.prepare(sb_preflight.check_bytes(other, path.name), other, key)
    assert entry is None
    _, entry = sb_prepared.prepare(sb_preflight.check_bytes(data, path.name), data, key.split(":")[0] + ":oldrules")
    assert entry is None  # a key made under other preflight/normalise code


def test_cache_keeps_the_most_recently_used_entries_within_its_size():
    cache = sb_prepared.PreparedCache(max_bytes=1000)
    for name in "abcd":
        cache.put(name, name.encode() * 240)
    assert len(cache) == 4 and cache.size_bytes == 960
    assert cache.get("a") is not None  # now the most recent
    cache.put("e", b"e" * 240)
    assert cache.get("b") is None and cache.get("a") is not None and cache.size_bytes <= 1000
    cache.put("huge", b"x" * 251)  # over a quarter of the cache: not kept
    assert cache.get("huge") is None
    off = sb_prepared.PreparedCache(max_bytes=0)
    off.put("a", b"a")
    assert not off.enabled and off.get("a") is None
