"""Heavy inputs: the gallery is decimated to its triangle budget, textures are capped, and it stays valid."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import trimesh
from PIL import Image

SPACE_DIR = Path(__file__).resolve().parents[2] / "spaces" / "scene_builder"
sys.path.insert(0, str(SPACE_DIR))

import sb_budget  # noqa: E402
import sb_gallery  # noqa: E402
from tests.conftest import glb_validator_errors  # noqa: E402


def _terrain(path: Path, n: int, wave: float) -> Path:
    x, z = np.meshgrid(np.linspace(0, 4, n), np.linspace(0, 4, n))
    vertices = np.column_stack([x.ravel(), (np.sin(x * wave) * np.cos(z) + 2).ravel(), z.ravel()])
    idx = np.arange(n * n).reshape(n, n)
    a, b, c, d = idx[:-1, :-1].ravel(), idx[:-1, 1:].ravel(), idx[1:, :-1].ravel(), idx[1:, 1:].ravel()
    faces = np.concatenate([np.column_stack([a, c, b]), np.column_stack([b, c, d])])
    trimesh.Trimesh(vertices, faces, process=False).export(path)
    return path


def test_heavy_inputs_are_decimated_to_the_budget(tmp_path, monkeypatch):
    monkeypatch.setattr(sb_budget, "TRIANGLE_BUDGET", 30_000)
    monkeypatch.setattr(sb_gallery, "fit_triangle_budget",
                        lambda objects: sb_budget.fit_triangle_budget(objects, budget=30_000))
    paths = [str(_terrain(tmp_path / f"t{i}.glb", 120, 1 + i)) for i in range(3)]  # 3 x 28,322 triangles
    out, layout = sb_gallery.assemble_files(paths, "", "Heavy", out_dir=str(tmp_path))
    assert layout["triangles"] <= 30_000
    assert sum("decimated from 28,322" in w for w in layout["warnings"]) == 3
    scene = trimesh.load(out, file_type="glb", force="scene")
    objects = {n for n in scene.graph.transforms.children[scene.graph.base_frame] if n.startswith("t")}
    assert objects == {"t0", "t1", "t2"}
    assert glb_validator_errors(Path(out)) in (None, 0)


def test_light_inputs_are_untouched_and_big_textures_capped(tmp_path, monkeypatch):
    box = trimesh.creation.box(extents=(1, 1, 1))
    texture = Image.new("RGB", (1024, 512), (200, 30, 30))
    box.visual = trimesh.visual.TextureVisuals(
        uv=np.random.default_rng(0).random((len(box.vertices), 2)),
        material=trimesh.visual.material.PBRMaterial(baseColorTexture=texture))
    path = tmp_path / "box.glb"
    box.export(path)
    monkeypatch.setattr(sb_gallery, "cap_textures", lambda objects: sb_budget.cap_textures(objects, max_px=256))
    out, layout = sb_gallery.assemble_files([str(path)], "Box", "Light", out_dir=str(tmp_path))
    assert layout["triangles"] == 12
    assert any("texture downscaled from 1024x512 to 256x128" in w for w in layout["warnings"])
    scene = trimesh.load(out, file_type="glb", force="scene")
    images = [g.visual.material.baseColorTexture for g in scene.geometry.values()
              if getattr(getattr(g.visual, "material", None), "baseColorTexture", None) is not None]
    assert images and max(images[0].size) == 256


def _textured_terrain(path: Path, n: int) -> Path:
    """A terrain whose texture is a red-to-blue gradient along x, mapped by u = x / 4 (a planar projection)."""
    _terrain(path, n, 2.0)
    mesh = trimesh.load(path, force="mesh")
    gradient = np.zeros((64, 256, 3), dtype=np.uint8)
    gradient[..., 0] = np.linspace(255, 0, 256, dtype=np.uint8)
    gradient[..., 2] = np.linspace(0, 255, 256, dtype=np.uint8)
    uv = np.column_stack([mesh.vertices[:, 0] / 4.0, mesh.vertices[:, 2] / 4.0])
    mesh.visual = trimesh.visual.TextureVisuals(
        uv=uv, material=trimesh.visual.material.PBRMaterial(baseColorTexture=Image.fromarray(gradient)))
    mesh.export(path)
    return path


def test_decimation_keeps_the_texture_and_its_mapping(tmp_path, monkeypatch):
    monkeypatch.setattr(sb_gallery, "fit_triangle_budget",
                        lambda objects: sb_budget.fit_triangle_budget(objects, budget=5_000))
    path = _textured_terrain(tmp_path / "textured.glb", 120)  # 28,322 triangles
    out, layout = sb_gallery.assemble_files([str(path)], "Textured", "Heavy", out_dir=str(tmp_path))
    assert layout["triangles"] <= 5_000 * 1.1
    assert any("decimated from 28,322" in w for w in layout["warnings"])
    scene = trimesh.load(out, file_type="glb", force="scene")
    terrain = next(g for name, g in scene.geometry.items() if len(g.faces) > 1_000)
    assert isinstance(terrain.visual.material.baseColorTexture, Image.Image)  # the texture is kept...
    uv = terrain.visual.uv
    assert uv is not None and len(uv) == len(terrain.vertices)
    # ...and still follows the geometry: u grows with x as in the source (the gallery only scales and moves it)
    x = terrain.vertices[:, 0]
    assert np.corrcoef(x, uv[:, 0])[0, 1] > 0.99
    assert glb_validator_errors(Path(out)) in (None, 0)


def test_decimation_keeps_vertex_colours(tmp_path, monkeypatch):
    monkeypatch.setattr(sb_gallery, "fit_triangle_budget",
                        lambda objects: sb_budget.fit_triangle_budget(objects, budget=5_000))
    path = _terrain(tmp_path / "coloured.glb", 120, 2.0)
    mesh = trimesh.load(path, force="mesh")
    red = (255 * (1 - mesh.vertices[:, 0] / 4.0)).astype(np.uint8)  # red fades out along x
    mesh.visual = trimesh.visual.ColorVisuals(vertex_colors=np.column_stack(
        [red, np.zeros_like(red), 255 - red, np.full_like(red, 255)]))
    mesh.export(path)
    out, layout = sb_gallery.assemble_files([str(path)], "Coloured", "Heavy", out_dir=str(tmp_path))
    assert layout["triangles"] <= 5_000 * 1.1
    scene = trimesh.load(out, file_type="glb", force="scene")
    terrain = next(g for g in scene.geometry.values() if len(g.faces) > 1_000)
    colours = terrain.visual.vertex_colors
    assert len(colours) == len(terrain.vertices)
    assert np.corrcoef(terrain.vertices[:, 0], colours[:, 0].astype(float))[0, 1] < -0.99
