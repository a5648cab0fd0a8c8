"""The scene builder's placement and scale hints (spaces/scene_builder/sb_hints.py), in process and over /assemble."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from agent.scene_manifest import read_layout
from tests.conftest import REPO, glb_validator_report

sys.path.insert(0, str(REPO / "spaces" / "scene_builder"))
import sb_gallery  # noqa: E402
from sb_errors import RequestError  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "glb"  # shipped in the repo: this module never skips in a fresh clone
FILES = [str(FIXTURES / "real" / name) for name in ("trimesh_Duck.glb", "trimesh_fox.glb")
         if (FIXTURES / "real" / name).is_file()]
FILES = (FILES + [str(p) for p in sorted((FIXTURES / "real").glob("*.glb")) if "draco" not in p.name
                  and "empty" not in p.name])[:4]
LABELS = ["A", "B", "C", "D"][:len(FILES)]


def _assemble(tmp_path: Path, hints: dict | str) -> tuple[str, dict]:
    text = hints if isinstance(hints, str) else json.dumps(hints)
    return sb_gallery.assemble_files(FILES, "\n".join(LABELS), "Hints", text, out_dir=str(tmp_path))


def test_no_hints_is_the_old_layout(tmp_path):
    _, plain = _assemble(tmp_path, "")
    _, default = _assemble(tmp_path, {"layout": "grid", "spacing": 1, "order": "height"})
    assert [o["position_m"] for o in plain["objects"]] == [o["position_m"] for o in default["objects"]]
    assert all(o["scale_factor"] == 1.0 for o in plain["objects"])


@pytest.mark.parametrize("hints", [
    {"scale": {"B": 2}},
    {"layout": "row", "order": "given"},
    {"layout": "circle", "spacing": 1.5},
    {"spacing": 3, "scale": {"A": 0.5}},
])
def test_hints_shape_the_gallery_and_it_stays_valid(tmp_path, hints):
    (tmp_path / "plain").mkdir()
    _, plain = _assemble(tmp_path / "plain", "")
    path, layout = _assemble(tmp_path, hints)
    objects = {o["label"]: o for o in layout["objects"]}
    before = {o["label"]: o for o in plain["objects"]}
    for label, factor in hints.get("scale", {}).items():
        assert objects[label]["display_height_m"] == pytest.approx(factor * before[label]["display_height_m"], rel=1e-3)
    if hints.get("layout") == "row":
        assert len({o["position_m"][2] for o in objects.values()}) == 1  # one row
        xs = [objects[label]["position_m"][0] for label in LABELS]
        assert xs == sorted(xs)  # in the given order
    if hints.get("layout") == "circle":
        radii = [math.hypot(o["position_m"][0], o["position_m"][2]) for o in objects.values()]
        assert max(radii) - min(radii) < 1e-3
        assert objects["A"]["position_m"][2] == pytest.approx(max(o["position_m"][2] for o in objects.values()))
    if hints.get("spacing", 1) > 1:
        assert layout["floor_m"][0] * layout["floor_m"][1] > plain["floor_m"][0] * plain["floor_m"][1]
    placements = [sb_gallery.Placement(x=o["position_m"][0], z=o["position_m"][2], width=o["plinth_m"][0],
                                       depth=o["plinth_m"][2], height=o["plinth_m"][1]) for o in layout["objects"]]
    assert sb_gallery.walkway_violations(placements, tuple(layout["floor_m"])) == []
    assert read_layout(Path(path))["hints"]["layout"] == hints.get("layout", "grid")
    report = glb_validator_report([Path(path)])
    if report is not None:
        assert report[path]["numErrors"] == 0, report[path]["errors"]


@pytest.mark.parametrize(("hints", "phrase"), [
    ("not json", "hints must be a JSON object"),
    ('{"layout": "spiral"}', "hints.layout must be one of grid, row, circle"),
    ('{"scale": {"Z": 2}}', "names 'Z', which is not a label of this gallery"),
    ('{"scale": {"A": 50}}', "must be from 0.1 to 5"),
    ('{"spacing": 0.2}', "hints.spacing must be from 1 to 4"),
    ('{"colour": "red"}', "unknown key"),
])
def test_bad_hints_are_refused_with_the_valid_forms(tmp_path, hints, phrase):
    with pytest.raises(RequestError, match=phrase):
        _assemble(tmp_path, hints)


def test_assemble_endpoint_takes_hints_and_stays_backward_compatible(companion_urls, tmp_path):
    client = Client(companion_urls["scene_builder"], verbose=False, download_files=str(tmp_path))
    params = client.view_api(return_format="dict", print_info=False)["named_endpoints"]["/assemble"]["parameters"]
    hints = next(p for p in params if p["parameter_name"] == "hints")
    assert hints["parameter_has_default"] and hints["parameter_default"] == ""
    files = [handle_file(f) for f in FILES[:2]]
    _, old = client.predict(files, "A\nB", "Old call", api_name="/assemble")  # no hints argument at all
    assert old["hints"]["layout"] == "grid"
    _, new = client.predict(files, "A\nB", "New call", '{"layout": "row", "scale": {"A": 2}}', api_name="/assemble")
    assert new["hints"]["layout"] == "row" and new["objects"][0]["scale_factor"] == 2.0
    with pytest.raises(AppError, match="hints.layout must be one of"):
        client.predict(files, "A\nB", "Bad", '{"layout": "spiral"}', api_name="/assemble")
