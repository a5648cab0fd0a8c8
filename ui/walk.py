"""The Walk view: a first-person walker through the current scene, beside the orbit view.

The viewer is `ui/static/walk.js` on three.js, vendored from npm into `ui/static/vendor/three` (see
`ui/static/vendor/three/README.md`), so it runs offline and a Space needs nothing beyond `pip install`.
Gradio serves `ui/static` because `STATIC_DIR` is one of the app's `allowed_paths` (ui/blocks.py).

The component's value is JSON `{"url": "<scene URL>", "id": "<run id>"}`, built here from a scene path the
server found for a run id: nothing the client sends names a file.
"""

from __future__ import annotations

import json
from pathlib import Path

import gradio as gr

__all__ = ["STATIC_DIR", "walk_value", "walk_view"]

STATIC_DIR = Path(__file__).resolve().with_name("static")

_TEMPLATE = """
<div id="diorama-walk" tabindex="0" data-state='{"position":[0,1.6,0],"yaw":0,"pitch":0,"scene":"","fps":0,"colliders":0}'
     aria-label="Walk view: click, then W/A/S/D or arrows to walk, drag to look, Shift to run">
  <div class="walk-canvas"></div>
  <div class="walk-hud"></div>
  <canvas class="walk-map" width="140" height="140"></canvas>
  <div class="walk-stick"><div class="walk-knob"></div></div>
</div>
"""

_CSS = """
#diorama-walk { position: relative; width: 100%; height: 560px; outline: none; background: #dfe6ee;
  border-radius: 8px; overflow: hidden; touch-action: none; user-select: none; }
#diorama-walk:focus-visible { box-shadow: 0 0 0 2px #6b8cff; }
#diorama-walk .walk-canvas, #diorama-walk .walk-canvas canvas { position: absolute; inset: 0; width: 100%; height: 100%; }
#diorama-walk .walk-hud { position: absolute; left: 8px; top: 8px; right: 156px; padding: 4px 8px; border-radius: 6px;
  background: rgba(20, 20, 26, 0.55); color: #fff; font: 13px/1.35 system-ui, sans-serif; pointer-events: none; }
#diorama-walk .walk-map { position: absolute; right: 8px; top: 8px; border-radius: 6px; background: rgba(20, 20, 26, 0.35);
  pointer-events: none; }
#diorama-walk .walk-stick { display: none; position: absolute; left: 16px; bottom: 16px; width: 110px; height: 110px;
  border-radius: 50%; background: rgba(20, 20, 26, 0.3); touch-action: none; }
#diorama-walk .walk-knob { position: absolute; left: 35px; top: 35px; width: 40px; height: 40px; border-radius: 50%;
  background: rgba(255, 255, 255, 0.8); pointer-events: none; }
@media (pointer: coarse), (max-width: 640px) {
  #diorama-walk { height: 420px; }
  #diorama-walk .walk-stick { display: block; }
  #diorama-walk .walk-map { width: 96px; height: 96px; }
  #diorama-walk .walk-hud { right: 112px; font-size: 12px; }
}
"""


def _loader() -> str:
    """js_on_load: import walk.js from this app (Gradio's root URL, so it works behind a proxy path too)."""
    src = json.dumps(f"gradio_api/file={STATIC_DIR.as_posix()}/walk.js")
    return (
        "const base = (window.gradio_config && window.gradio_config.root) || window.location.origin;\n"
        f"import(new URL({src}, base.endsWith('/') ? base : base + '/').href)\n"
        "  .then((m) => m.mount(element, props, typeof watch === 'function' ? watch : null))\n"
        "  .catch((e) => { const h = element.querySelector('.walk-hud'); if (h) h.textContent = "
        "'The walk view could not start: ' + e; });\n"
    )


def walk_view() -> gr.HTML:
    """The Walk view's component (render it inside a Blocks); its value comes from `walk_value`."""
    return gr.HTML(value="{}", html_template=_TEMPLATE, css_template=_CSS, js_on_load=_loader(),
                   elem_id="walk-view", padding=False, apply_default_css=False)


def walk_value(view: gr.HTML, scene: str | None, run_id: str | None) -> str:
    """The Walk view's value for a scene file the server chose: Gradio caches the file and serves it.

    Args:
        view: the component from `walk_view`, which the cached file is registered to.
        scene: a .glb path found on the server for `run_id`, or None (the view keeps what it shows).
        run_id: the run the scene belongs to; shown in the view's state as its scene id.

    Returns:
        JSON {"url": "gradio_api/file=<cached copy>", "id": run_id}, or "{}" without a scene.
    """
    if not scene:
        return "{}"
    cached = view.move_resource_to_block_cache(scene)
    return json.dumps({"url": f"gradio_api/file={Path(cached).as_posix()}", "id": run_id or ""})
