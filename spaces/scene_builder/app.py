"""Scene builder Space: several GLB files (+ labels) -> one gallery scene GLB with a layout JSON."""

from __future__ import annotations

import functools
import logging
import os
import shutil
import tempfile
import time
import uuid

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

import sb_gallery  # noqa: E402
import sb_isolate  # noqa: E402
from sb_errors import SceneBuilderError  # noqa: E402
from sb_preflight import MAX_FILE_BYTES  # noqa: E402
from sb_prepared import PreparedCache, file_key  # noqa: E402

_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_OUTPUT_MAX_AGE_S = 3600  # our own output dirs; Gradio keeps its copy in its cache (see delete_cache below)
_SWEEP_EVERY_S = 300.0  # scanning a busy temp dir costs 10-200 ms: not on every request
_last_sweep: float | None = None
_prepared = PreparedCache()  # objects prepared by earlier assemblies, by content (sb_prepared)
logger = logging.getLogger("scene_builder")


def _configure_logging() -> None:
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    logging.basicConfig(level=level if level in _LEVELS else "INFO",
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if level not in _LEVELS:
        logger.warning("LOG_LEVEL=%r is not a level; using INFO. Valid: %s", level, ", ".join(_LEVELS))


def _sweep_old_outputs() -> None:
    """Delete our output dirs older than an hour, so a long-running Space does not fill its disk (every 5 min)."""
    global _last_sweep
    now = time.monotonic()
    if _last_sweep is not None and now - _last_sweep < _SWEEP_EVERY_S:
        return
    _last_sweep = now
    cutoff = time.time() - _OUTPUT_MAX_AGE_S
    root = tempfile.gettempdir()
    for entry in os.scandir(root):
        if entry.name.startswith(sb_gallery.OUTPUT_PREFIX) and entry.is_dir() and entry.stat().st_mtime < cutoff:
            shutil.rmtree(entry.path, ignore_errors=True)


def _key(path: str) -> str | None:
    """The prepared-object cache key of an uploaded file (`sb_prepared.file_key`); None for one the child will refuse
    unread (too large) or cannot read, which the child then reports."""
    try:
        return file_key(path) if os.path.getsize(path) <= MAX_FILE_BYTES else None
    except OSError:
        return None


def assemble(files: list[str] | None, labels: str, title: str, hints: str = "") -> tuple[str, dict]:
    """Arrange several 3D models (GLB files) on plinths in one gallery scene and return it as a GLB.

    Each file is checked for safety first (no external URIs, no oversized or broken data, no more work than
    the limits allow: 2,000,000 triangles once instanced, 4096 x 4096 px per texture), turned
    upright (Z-up content is rotated to glTF's Y-up), scaled to metres (taller sources stay taller;
    heights are compressed so a 330 m tower and a 20 cm cup both fit), and placed on its own plinth
    on a walled floor, with walkways of at least 1.5 m. Materials and textures are kept.

    Args:
        files: 1 to 64 binary glTF 2.0 files (.glb, each up to 64 MB; a .gltf with embedded data: URIs also works),
            e.g. ["duck.glb", "truck.glb"].
        labels: one label per file, in file order, one per line (e.g. "Duck\\nMilk truck") or a JSON list
            (e.g. '["Duck", "Milk truck"]'). Empty: labels come from the file names. Node names are the labels'
            slugs ("Milk truck" -> "milk_truck", duplicates get "_2").
        title: gallery title, e.g. "Vehicles"; names the output file ("vehicles.glb").
        hints: optional placement and scale hints as a JSON object, all keys optional; empty: the default layout.
            e.g. '{"layout": "circle", "spacing": 1.5, "order": "given", "scale": {"Duck": 2}}'. layout: "grid"
            (default), "row" or "circle"; spacing: walkway multiplier 1-4; order: "height" (shortest in front,
            default) or "given" (file order, the first file nearest the entrance); scale: label -> factor on
            the shown height, 0.1-5.

    Returns:
        The gallery scene as a .glb file path, and a layout JSON: {"title", "objects": [{"label", "node",
        "source_file", "position_m" ([x, y, z] in metres of the plinth top centre, +Y up), "plinth_m"
        ([width, height, depth]), "display_height_m", "source_height" (source units), "scale" (metres per
        source unit), "up_axis_fixed", "triangles", "scale_factor", "order"}], "floor_m" ([width, depth]), "triangles",
        "warnings", "hints"}.
    """
    _sweep_old_outputs()
    try:
        # In a child process with a memory limit: a crash in native code fails this request only.
        # Plain str: Gradio's NamedString would make the child import gradio to unpickle it (~3 s).
        paths = [str(f) for f in files or []]
        keys = [_key(p) for p in paths] if _prepared.enabled and len(paths) <= sb_gallery.MAX_FILES else None
        entries = {k: e for k in set(keys or []) if k is not None and (e := _prepared.get(k)) is not None}
        (path, layout, fresh), _ = sb_isolate.run_isolated(
            functools.partial(sb_gallery.assemble_cached, keys=keys, entries=entries),
            paths, str(labels or ""), str(title or ""), str(hints or ""))
        for key, entry in fresh.items():
            if key in (keys or ()):  # only what was asked for
                _prepared.put(key, entry)
        if keys is not None:
            logger.info("prepared objects: %d of %d file(s) from the cache (%d entries, %.1f MB)",
                        sum(1 for k in keys if k in entries), len(keys), len(_prepared), _prepared.size_bytes / 2**20)
    except SceneBuilderError as exc:
        logger.warning("assemble refused: %s", exc)
        raise gr.Error(str(exc)) from exc
    except Exception as exc:
        ref = uuid.uuid4().hex[:8]
        logger.exception("assemble failed (ref %s)", ref)
        raise gr.Error(f"Something went wrong while building the gallery (ref {ref}).") from exc
    for note in layout["warnings"]:
        logger.warning("%s", note)
        gr.Warning(note)
    return path, layout


with gr.Blocks(title="Diorama scene builder", delete_cache=(3600, 3600)) as demo:
    gr.Markdown("# Scene builder\nUpload GLB files, give each a label, and get one gallery scene.")
    with gr.Row():
        with gr.Column():
            files_in = gr.File(file_count="multiple", type="filepath", label="GLB files")
            labels_in = gr.Textbox(label="Labels", lines=4, placeholder="One label per file, one per line")
            title_in = gr.Textbox(label="Title", value="Gallery")
            hints_in = gr.Textbox(label="Placement hints (JSON, optional)", value="",
                                  placeholder='{"layout": "circle", "spacing": 1.5, "scale": {"Duck": 2}}')
            button = gr.Button("Assemble", variant="primary")
        with gr.Column():
            scene_out = gr.Model3D(label="Scene")
            layout_out = gr.JSON(label="Layout")
    button.click(assemble, inputs=[files_in, labels_in, title_in, hints_in], outputs=[scene_out, layout_out],
                 api_name="assemble", concurrency_limit=3)

if __name__ == "__main__":
    _configure_logging()
    sb_isolate.start()  # the warm spare child imports trimesh while Gradio starts
    # A disk guard for uploads; files between 64 and 100 MB get our clearer "the limit is 64 MB" error.
    demo.launch(max_file_size="100mb")
