"""Hostile GLBs against the scene builder: each is refused before it can crash or starve the Space.

The corpus is generated here (`build_corpus`, also used by bench/hostile_glb.py): out-of-range indices
behind a sparse accessor, compression extensions used but not listed, accessors without data but
with huge counts, one mesh instanced by 3,000 nodes, a 19 MB triangle strip, a 9400 x 9400 PNG.
Also: a crash in the assembly child becomes a clear error, and Diorama's own OBJ/STL conversion
(tools/glb.py) is bounded.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
import trimesh

ROOT = Path(__file__).resolve().parents[2]
SPACE = ROOT / "spaces" / "scene_builder"
sys.path.insert(0, str(SPACE))
sys.path.insert(0, str(ROOT))

import sb_gallery  # noqa: E402
import sb_isolate  # noqa: E402
import sb_preflight  # noqa: E402
import sb_prepared  # noqa: E402
from sb_errors import GLBRejected  # noqa: E402

SPACE_MEMORY_LIMIT_MB = 1536
_FLOAT, _UINT32 = 5126, 5125


# ---------------------------------------------------------------------------------------------------------------
# The corpus


def glb_bytes(doc: dict, blob: bytes) -> bytes:
    """A GLB container around `doc` (its one buffer gets `blob`'s length) and `blob`."""
    blob += b"\0" * (-len(blob) % 4)
    if blob:
        doc["buffers"] = [{"byteLength": len(blob)}]
    doc.setdefault("asset", {"version": "2.0", "generator": "test_scene_hostile"})
    text = json.dumps(doc, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)
    body = struct.pack("<II", len(text), 0x4E4F534A) + text
    if blob:
        body += struct.pack("<II", len(blob), 0x004E4942) + blob
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body


class _Builder:
    """Appends arrays to one binary blob and describes them as bufferViews and accessors."""

    def __init__(self) -> None:
        self.blob = bytearray()
        self.views: list[dict] = []
        self.accessors: list[dict] = []

    def view(self, data: bytes, **extra: object) -> int:
        self.blob += b"\0" * (-len(self.blob) % 4)
        self.views.append({"buffer": 0, "byteOffset": len(self.blob), "byteLength": len(data), **extra})
        self.blob += data
        return len(self.views) - 1

    def accessor(self, array: np.ndarray | None, *, kind: str, component: int, count: int | None = None,
                 **extra: object) -> int:
        acc: dict = {"componentType": component, "type": kind, "count": count if array is None else len(array),
                     **extra}
        if array is not None:
            acc["bufferView"] = self.view(array.tobytes())
            if kind == "VEC3":
                acc["min"], acc["max"] = array.min(axis=0).tolist(), array.max(axis=0).tolist()
        self.accessors.append(acc)
        return len(self.accessors) - 1

    def document(self, meshes: list[dict], nodes: list[dict], **extra: object) -> bytes:
        doc = {"asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": list(range(len(nodes)))}],
               "nodes": nodes, "meshes": meshes, "accessors": self.accessors, "bufferViews": self.views, **extra}
        return glb_bytes(doc, bytes(self.blob))


def _grid(nx: int, nz: int) -> tuple[np.ndarray, np.ndarray]:
    """(nx * nz, 3) float32 vertices of a flat grid, metres, and its (2 (nx-1)(nz-1) * 3,) uint32 triangle indices."""
    x, z = np.meshgrid(np.linspace(0, 1, nx), np.linspace(0, 1, nz))
    vertices = np.column_stack([x.ravel(), np.sin(x.ravel() * 3) * 0.1, z.ravel()]).astype(np.float32)
    idx = np.arange(nx * nz).reshape(nz, nx)
    a, b, c, d = idx[:-1, :-1].ravel(), idx[:-1, 1:].ravel(), idx[1:, :-1].ravel(), idx[1:, 1:].ravel()
    faces = np.concatenate([np.column_stack([a, c, b]), np.column_stack([b, c, d])])
    return vertices, faces.astype(np.uint32).ravel()


def _png(width: int, height: int) -> bytes:
    """A real, all-black RGB PNG (it compresses about 1000:1)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    packer = zlib.compressobj(9)
    row = b"\0" * (1 + 3 * width)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def _jpeg_header(width: int, height: int) -> bytes:
    """The start of a baseline JPEG whose frame header claims width x height (no scan data follows)."""
    sof = struct.pack(">BHHB", 8, height, width, 3) + b"".join(bytes([i, 0x11, 0]) for i in (1, 2, 3))
    return b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0" \
        + b"\xff\xc0" + struct.pack(">H", 2 + len(sof)) + sof + b"\xff\xd9"


def _textured(image: bytes, mime: str) -> bytes:
    build = _Builder()
    vertices, faces = _grid(2, 2)
    uv = vertices[:, [0, 2]].copy()
    prim = {"attributes": {"POSITION": build.accessor(vertices, kind="VEC3", component=_FLOAT),
                           "TEXCOORD_0": build.accessor(uv, kind="VEC2", component=_FLOAT)},
            "indices": build.accessor(faces, kind="SCALAR", component=_UINT32), "material": 0}
    img = build.view(image)
    return build.document([{"primitives": [prim]}], [{"mesh": 0}],
                          images=[{"bufferView": img, "mimeType": mime}], textures=[{"source": 0}],
                          materials=[{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}])


def _sparse(kind: str) -> bytes:
    """A 10 x 10 grid whose index accessor carries a sparse block, with an out-of-range index hidden in it."""
    build = _Builder()
    vertices, faces = _grid(10, 10)
    base = faces.copy()
    sparse_at, sparse_to = np.array([0], np.uint32), np.array([0], np.uint32)
    if kind == "base":        # the out-of-range value sits in the base data; the sparse block was the excuse
        base[5] = 4_000_000_000
    elif kind == "values":    # the replacement value itself is out of range
        sparse_to[0] = 4_000_000_000
    else:                     # the replacement targets an element past the accessor's end
        sparse_at[0] = 1_000_000
    sparse = {"count": 1, "indices": {"bufferView": build.view(sparse_at.tobytes()), "componentType": _UINT32},
              "values": {"bufferView": build.view(sparse_to.tobytes())}}
    prim = {"attributes": {"POSITION": build.accessor(vertices, kind="VEC3", component=_FLOAT)},
            "indices": build.accessor(base, kind="SCALAR", component=_UINT32, sparse=sparse)}
    return build.document([{"primitives": [prim]}], [{"mesh": 0}])


def _compressed(extension: str) -> bytes:
    """A grid with an out-of-range index whose primitive (Draco) or bufferView (meshopt) uses `extension`,
    listed nowhere in extensionsUsed/extensionsRequired."""
    build = _Builder()
    vertices, faces = _grid(10, 10)
    faces[7] = 65_535
    prim = {"attributes": {"POSITION": build.accessor(vertices, kind="VEC3", component=_FLOAT)},
            "indices": build.accessor(faces, kind="SCALAR", component=_UINT32)}
    payload = build.view(b"\0" * 64)
    if extension == "KHR_draco_mesh_compression":
        prim["extensions"] = {extension: {"bufferView": payload, "attributes": {"POSITION": 0}}}
    else:
        build.views[payload]["extensions"] = {extension: {"buffer": 0, "byteLength": 64, "byteStride": 4,
                                                          "count": 16, "mode": "ATTRIBUTES"}}
    return build.document([{"primitives": [prim]}], [{"mesh": 0}])


def _empty_accessors() -> bytes:
    """12 accessors without a bufferView, each 5,000,000 VEC3 floats (60 MB of zeros each), in a 1.5 KB file."""
    build = _Builder()
    ids = [build.accessor(None, kind="VEC3", component=_FLOAT, count=5_000_000) for _ in range(12)]
    attributes = {"POSITION": ids[0], **{f"_EXTRA_{i}": a for i, a in enumerate(ids[1:])}}
    return build.document([{"primitives": [{"attributes": attributes}]}], [{"mesh": 0}])


def _instanced(nodes: int, grid: tuple[int, int]) -> bytes:
    """One mesh drawn by `nodes` nodes side by side."""
    build = _Builder()
    vertices, faces = _grid(*grid)
    prim = {"attributes": {"POSITION": build.accessor(vertices, kind="VEC3", component=_FLOAT)},
            "indices": build.accessor(faces, kind="SCALAR", component=_UINT32)}
    return build.document([{"primitives": [prim]}],
                          [{"mesh": 0, "translation": [float(i % 60) * 1.2, 0.0, float(i // 60) * 1.2]}
                           for i in range(nodes)])


def _strip(indices: int) -> bytes:
    """A triangle strip (mode 5) of `indices` uint32 indices over 4 vertices."""
    build = _Builder()
    vertices = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0]], np.float32)
    prim = {"attributes": {"POSITION": build.accessor(vertices, kind="VEC3", component=_FLOAT)},
            "indices": build.accessor(np.arange(indices, dtype=np.uint32) % 4, kind="SCALAR", component=_UINT32),
            "mode": 5}
    return build.document([{"primitives": [prim]}], [{"mesh": 0}])


# name -> (how to build it, key phrase of the refusal)
CORPUS = {
    "sparse_hidden_index.glb": (lambda: _sparse("base"), "uses vertex index 4,000,000,000 but has only 100 vertices"),
    "sparse_value_out_of_range.glb": (lambda: _sparse("values"),
                                      "sparse indices use vertex index 4,000,000,000 but it has only 100 vertices"),
    "sparse_past_the_end.glb": (lambda: _sparse("past"), "replaces element 1,000,000, but the accessor has only 486"),
    "draco_unlisted.glb": (lambda: _compressed("KHR_draco_mesh_compression"),
                           "Draco-compressed (KHR_draco_mesh_compression on meshes[0]/primitives[0], though not "
                           "listed in extensionsUsed)"),
    "meshopt_unlisted.glb": (lambda: _compressed("EXT_meshopt_compression"),
                             "meshopt-compressed (EXT_meshopt_compression on bufferViews[2]"),
    "empty_accessors.glb": (_empty_accessors, "12 accessor(s) without data that would need 687 MB of zeros "
                                              "(720,000,000 bytes); the limit is 32 MB"),
    "instanced_3000.glb": (lambda: _instanced(3_000, (21, 26)),
                           "would need 3,000,000 triangles once instanced (3,000 nodes × 1,000); "
                           "the limit is 2,000,000"),
    "triangle_strip.glb": (lambda: _strip(4_750_002), "would need 4,750,000 triangles once its triangle strips are "
                                                      "converted; the limit is 2,000,000"),
    "texture_9400.glb": (lambda: _textured(_png(9400, 9400), "image/png"),
                         "has a 9,400 × 9,400 px texture (image 0, 88,360,000 pixels once decoded); the limit is "
                         "16,777,216 pixels (4,096 × 4,096)"),
    "texture_jpeg_20000.glb": (lambda: _textured(_jpeg_header(20_000, 20_000), "image/jpeg"),
                               "has a 20,000 × 20,000 px texture"),
}
ADVICE = {name: "Send an uncompressed GLB." if "unlisted" in name else
          "Ask the Space for a lighter model." if name.startswith(("empty", "instanced", "triangle", "texture"))
          else "Send a binary glTF 2.0 (.glb) file." for name in CORPUS}


def build_corpus(folder: Path) -> dict[str, tuple[Path, str]]:
    """Write every hostile file into `folder`: name -> (path, key phrase of its refusal)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, (make, phrase) in CORPUS.items():
        path = folder / name
        if not path.is_file():
            path.write_bytes(make())
        out[name] = (path, phrase)
    return out


def normal_objects(folder: Path, count: int = 8) -> list[Path]:
    """`count` ordinary GLBs from trimesh (boxes, spheres, cylinders, a textured box), for a valid request."""
    folder.mkdir(parents=True, exist_ok=True)
    makers = [lambda: trimesh.creation.box(extents=(1, 2, 1)), lambda: trimesh.creation.icosphere(subdivisions=4),
              lambda: trimesh.creation.cylinder(radius=0.3, height=1.5, sections=64),
              lambda: trimesh.creation.capsule(height=1.0, radius=0.3), lambda: trimesh.creation.cone(0.5, 1.2),
              lambda: trimesh.creation.annulus(0.2, 0.5, 0.3), lambda: trimesh.creation.torus(1.0, 0.2),
              lambda: trimesh.creation.box(extents=(3, 0.5, 1))]
    paths = []
    for i in range(count):
        path = folder / f"object_{i}.glb"
        if not path.is_file():
            trimesh.Scene(makers[i % len(makers)]()).export(path)
        paths.append(path)
    return paths


# ---------------------------------------------------------------------------------------------------------------
# A real Space process


def peaks_from_log(text: str) -> list[tuple[str, float]]:
    """(outcome, peak RSS in MiB) of every assembly child the Space logged, in order."""
    return [(m.group(1), float(m.group(2))) for m in
            re.finditer(r"assembly child pid=\d+ outcome=(\S+) elapsed_s=\S+ peak_rss_mb=([\d.]+)", text)]


def server_peak_mb(pid: int) -> float:
    """The server process's own peak RSS (VmHWM), MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


@contextlib.contextmanager
def running_space(log_path: Path, env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """`python app.py` of the scene builder on a free 127.0.0.1 port, logging at INFO to `log_path`."""
    from tools.companions import free_port, wait_until_serving

    port = free_port()
    full_env = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port),
                "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
                "LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1", **(env or {})}
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "app.py"], cwd=SPACE, env=full_env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        if not wait_until_serving(url, 90, alive=lambda: process.poll() is None):
            raise RuntimeError(f"scene builder did not start: {log_path.read_text(errors='replace')[-1500:]}")
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---------------------------------------------------------------------------------------------------------------
# Tests


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    return build_corpus(tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_preflight_refuses_each_hostile_file(corpus, name):
    path, phrase = corpus[name]
    with pytest.raises(GLBRejected) as info:
        sb_preflight.check_file(path)
    assert info.value.file == name
    assert phrase in info.value.problem, info.value.problem
    assert str(info.value).startswith(f"'{name}' ") and str(info.value).endswith(ADVICE[name])


def test_limits_are_not_hit_by_a_file_just_under_them(tmp_path):
    """1,900 nodes x 1,000 triangles passes the preflight and is counted as 1,900,000 triangles."""
    path = tmp_path / "instanced_1900.glb"
    path.write_bytes(_instanced(1_900, (21, 26)))
    checked = sb_preflight.check_file(path)
    assert checked.work.triangles == 1_900_000
    assert checked.work.vertices == 1_900 * 21 * 26


def test_gallery_totals_are_checked_before_loading(tmp_path, monkeypatch):
    """The file that would take the gallery over its triangle limit is refused from its preflight count."""
    monkeypatch.setattr(sb_gallery, "MAX_GALLERY_TRIANGLES", 1_500)
    real_load, loaded = sb_prepared.load_object, []  # sb_gallery loads through sb_prepared.prepare
    monkeypatch.setattr(sb_prepared, "load_object", lambda checked: loaded.append(checked.name) or real_load(checked))
    paths = [tmp_path / "a.glb", tmp_path / "b.glb"]
    for path in paths:
        path.write_bytes(_instanced(1, (21, 26)))  # 1,000 triangles each
    with pytest.raises(ValueError, match=r"would need 2,000 triangles with 'b\.glb'; the limit is 1,500"):
        sb_gallery.assemble_files([str(p) for p in paths], "", "Too much", out_dir=str(tmp_path))
    assert loaded == ["a.glb"]


def test_other_image_formats_are_dropped_not_decoded(tmp_path):
    bmp = b"BM" + b"\0" * 64
    path = tmp_path / "bmp_texture.glb"
    path.write_bytes(_textured(bmp, "image/png"))
    checked = sb_preflight.check_file(path)
    assert any("image 0 is neither PNG nor JPEG" in w for w in checked.warnings)


def test_a_native_crash_in_the_child_is_a_clear_error():
    """The builder's own decimation (fast-simplification) really segfaults on an out-of-range index: the attack
    the preflight now stops. Run without the preflight, the child dies and the caller gets a clear error."""
    import sb_budget

    rng = np.random.default_rng(0)
    faces = rng.integers(0, 1_000, (2_000, 3))
    faces[5] = [0, 1, 2_000_000_000]
    broken = trimesh.Trimesh(rng.random((1_000, 3)), faces, process=False, validate=False)
    with pytest.raises(sb_isolate.ChildFailed, match=r"crashed while working \(signal 11, SIGSEGV\)") as info:
        sb_isolate.run_isolated(sb_budget._decimate, broken, 100)
    assert info.value.signal == 11
    # ...and the next child works
    decimated, report = sb_isolate.run_isolated(sb_budget._decimate, trimesh.creation.icosphere(subdivisions=4), 500)
    assert report.outcome == "ok" and len(decimated.faces) <= 550 and report.peak_rss_mb > 0


def test_refusals_keep_their_fields_through_the_child(corpus, tmp_path):
    path, phrase = corpus["instanced_3000.glb"]
    with pytest.raises(GLBRejected) as info:
        sb_isolate.run_isolated(sb_gallery.assemble_files, [str(path)], "", "T")
    assert info.value.file == "instanced_3000.glb" and phrase in info.value.problem


@pytest.fixture(scope="module")
def space(tmp_path_factory) -> Iterator[tuple[str, subprocess.Popen, Path]]:
    log = tmp_path_factory.mktemp("space") / "scene_builder.log"
    with running_space(log, {"SCENE_BUILDER_MEMORY_MB": str(SPACE_MEMORY_LIMIT_MB)}) as (url, process):
        yield url, process, log


def test_space_refuses_the_corpus_and_keeps_serving(space, corpus, tmp_path):
    from gradio_client import Client, handle_file
    from gradio_client.exceptions import AppError

    url, process, log = space
    client = Client(url, verbose=False, download_files=str(tmp_path / "dl"))
    for name, (path, phrase) in sorted(corpus.items()):
        with pytest.raises(AppError) as info:
            client.predict([handle_file(str(path))], "", "Hostile", api_name="/assemble")
        assert f"'{name}' " in info.value.message and phrase in info.value.message, info.value.message
    boxes = normal_objects(tmp_path / "normal", 3)
    out, layout = client.predict([handle_file(str(p)) for p in boxes], "", "Still here", api_name="/assemble")
    assert Path(out).is_file() and len(layout["objects"]) == 3
    assert process.poll() is None
    peaks = peaks_from_log(log.read_text(errors="replace"))
    assert [o for o, _ in peaks][-len(corpus) - 1:] == ["refused"] * len(corpus) + ["ok"]
    assert max(p for _, p in peaks) < SPACE_MEMORY_LIMIT_MB
    assert server_peak_mb(process.pid) < 1536


def test_space_out_of_memory_is_a_clear_error(tmp_path):
    """A real, valid but heavy file in a Space whose children get only 600 MB: a clear error, then a normal answer."""
    from gradio_client import Client, handle_file
    from gradio_client.exceptions import AppError

    heavy = tmp_path / "heavy.glb"
    heavy.write_bytes(_instanced(1, (1000, 1000)))  # 1,996,002 triangles (just under the limit), 20 MB
    small = normal_objects(tmp_path / "normal", 1)
    with running_space(tmp_path / "space.log", {"SCENE_BUILDER_MEMORY_MB": "600"}) as (url, process):
        client = Client(url, verbose=False, download_files=str(tmp_path / "dl"))
        with pytest.raises(AppError, match=r"The scene builder ran out of memory (on 'heavy\.glb'|while decimating "
                                           r"'heavy\.glb'|while exporting the gallery) \(the limit is 600 MB per "
                                           r"assembly\)\. Send fewer or lighter models\."):
            client.predict([handle_file(str(heavy))], "", "Heavy", api_name="/assemble")
        out, layout = client.predict([handle_file(str(small[0]))], "", "Fine", api_name="/assemble")
        assert Path(out).is_file() and process.poll() is None


# ---------------------------------------------------------------------------------------------------------------
# tools/glb.py: Diorama's own OBJ/STL/PLY/OFF conversion


def test_oversized_obj_is_refused_before_parsing(tmp_path):
    from tools import glb

    path = tmp_path / "huge.obj"
    n = glb.MAX_MESH_ELEMENTS + 1
    with path.open("w") as fh:
        fh.write("v 0 0 0\nv 1 0 0\nv 0 1 0\n")
        fh.write("f 1 2 3\n" * n)
    with pytest.raises(ValueError, match=rf"has {n:,} faces; the limit is {glb.MAX_MESH_ELEMENTS:,}"):
        glb.mesh_to_glb(path)
    big = tmp_path / "big.stl"
    with big.open("wb") as fh:
        fh.truncate(glb.MAX_MESH_BYTES + 1)
    with pytest.raises(ValueError, match=rf"is {(glb.MAX_MESH_BYTES + 1) / 2**20:.1f} MB; the limit is 48 MB"):
        glb.mesh_to_glb(big)
    assert not path.with_suffix(".glb").exists()


def test_normal_obj_and_stl_are_converted(tmp_path):
    from tools import glb

    sphere = trimesh.creation.icosphere(subdivisions=3)
    for suffix in (".obj", ".stl", ".ply", ".off"):
        src = tmp_path / f"sphere{suffix}"
        sphere.export(src)
        out = glb.mesh_to_glb(src)
        assert out == src.with_suffix(".glb") and glb.glb_problem(out) is None
        loaded = trimesh.load(out, force="scene")
        assert sum(len(g.faces) for g in loaded.geometry.values()) == len(sphere.faces)
        out.unlink()


def test_conversion_errors_stay_value_errors(tmp_path):
    from tools import glb

    points = tmp_path / "cloud.ply"
    trimesh.PointCloud(np.random.default_rng(0).random((50, 3))).export(points)
    with pytest.raises(ValueError, match="without triangles"):
        glb.mesh_to_glb(points)
    junk = tmp_path / "junk.off"
    junk.write_text("OFF\n3 1 0\nnot numbers at all\n")
    with pytest.raises(ValueError, match="could not be read as a OFF mesh"):
        glb.mesh_to_glb(junk)
