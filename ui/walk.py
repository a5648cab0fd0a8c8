"""The Walk view: a first-person walker through the current scene, beside the orbit view.

The viewer is `ui/static/walk.js` on three.js, vendored from npm into `ui/static/vendor/three` (see
`ui/static/vendor/three/README.md`), so it runs offline and a Space needs nothing beyond `pip install`.
Gradio serves `ui/static` because `STATIC_DIR` is one of the app's `allowed_paths` (ui/blocks.py).

The component's value is JSON `{"url": "<scene URL>", "id": "<run id>", "calls": {...}}`, built here from a
scene path the server found for a run id (nothing the client sends names a file) and from the run's chain log:
`calls` maps each asset's file name to the Space call that made it, which the placards show on approach.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from typing import Any

import gradio as gr

from agent.run_log import ChainLog, output_values

__all__ = ["STATIC_DIR", "provenance", "walk_value", "walk_view"]

STATIC_DIR = Path(__file__).resolve().with_name("static")
_CALL_PREFIX = re.compile(r"call-\d+_")

_TEMPLATE = """
<div id="{root_id}" class="diorama-walk" tabindex="0"
     data-state='{{"position":[0,1.6,0],"yaw":0,"pitch":0,"scene":"","fps":0,"colliders":0}}'
     aria-label="Walk view: click, then W/A/S/D or arrows to walk, drag to look, Shift to run; click the map to go there">
  <div class="walk-canvas"></div>
  <div class="walk-hud"></div>
  <div class="walk-info" role="status" aria-live="polite" hidden></div>
  <canvas class="walk-map" width="140" height="140" aria-label="Map: click an object to walk to it"></canvas>
  <div class="walk-stick"><div class="walk-knob"></div></div>
</div>
"""

_CSS = """
.diorama-walk { position: relative; width: 100%; height: 560px; outline: none; background: #dfe6ee;
  border-radius: 8px; overflow: hidden; touch-action: none; user-select: none; }
.diorama-walk:focus-visible { box-shadow: 0 0 0 2px #6b8cff; }
.diorama-walk .walk-canvas, .diorama-walk .walk-canvas canvas { position: absolute; inset: 0; width: 100%; height: 100%; }
.diorama-walk .walk-hud { position: absolute; left: 8px; top: 8px; right: 156px; padding: 4px 8px; border-radius: 6px;
  background: rgba(20, 20, 26, 0.55); color: #fff; font: 13px/1.35 system-ui, sans-serif; pointer-events: none; }
.diorama-walk .walk-map { position: absolute; right: 8px; top: 8px; border-radius: 6px; background: rgba(20, 20, 26, 0.35);
  cursor: pointer; touch-action: none; }
.diorama-walk .walk-info { position: absolute; left: 50%; bottom: 12px; transform: translateX(-50%); max-width: min(92%, 560px);
  padding: 6px 10px; border-radius: 6px; background: rgba(250, 248, 240, 0.92); color: #1d1d22;
  font: 13px/1.4 system-ui, sans-serif; pointer-events: none; }
.diorama-walk .walk-info b { font-size: 14px; }
.diorama-walk .walk-info .walk-placeholder { color: #a3361f; font-weight: 600; }
.diorama-walk .walk-stick { display: none; position: absolute; left: 16px; bottom: 16px; width: 110px; height: 110px;
  border-radius: 50%; background: rgba(20, 20, 26, 0.3); touch-action: none; }
.diorama-walk .walk-knob { position: absolute; left: 35px; top: 35px; width: 40px; height: 40px; border-radius: 50%;
  background: rgba(255, 255, 255, 0.8); pointer-events: none; }
@media (pointer: coarse), (max-width: 640px) {
  .diorama-walk { height: 420px; }
  .diorama-walk .walk-stick { display: block; }
  .diorama-walk .walk-map { width: 96px; height: 96px; }
  .diorama-walk .walk-hud { right: 112px; font-size: 12px; }
  .diorama-walk .walk-info { left: auto; right: 8px; bottom: 136px; transform: none; max-width: 60%; font-size: 12px; }
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


def walk_view(root_id: str = "diorama-walk") -> gr.HTML:
    """The Walk view's component (render it inside a Blocks); its value comes from `walk_value`.

    Args:
        root_id: the id of the view's root element, which publishes the state in `data-state`; one per page.
    """
    return gr.HTML(value="{}", html_template=_TEMPLATE.format(root_id=root_id), css_template=_CSS,
                   js_on_load=_loader(), elem_id=f"{root_id}-view", padding=False, apply_default_css=False)


def provenance(log: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Which Space call made each asset of a run, keyed by the asset's file name, from its chain log.

    The scene builder's layout names each object's `source_file` by the same file name, so the viewer can say
    which Space made an object, under which license and how long the call took.

    Args:
        log: a chain log (paths run-relative, as `ui.public.public_log` returns it), or None.

    Returns:
        {"call-1_eiffel_tower.glb": {"space", "tool", "endpoint", "license", "duration_s", "cached", "replayed"}}
        for each successful Space call whose output names a .glb file, also under the name without its
        "call-N_" prefixes ("eiffel_tower.glb") unless an earlier call has that name; empty without a log.
    """
    calls: dict[str, dict[str, Any]] = {}
    for event in ChainLog.view(log).calls(status="ok"):
        for value in output_values(event):
            if isinstance(value, str) and value.lower().endswith(".glb"):
                made = {"space": event.get("space"), "tool": event.get("tool"), "endpoint": event.get("endpoint"),
                        "license": event.get("license"), "duration_s": event.get("duration_s"),
                        "cached": bool(event.get("cached")), "replayed": bool(event.get("replayed"))}
                for name in _names(PurePosixPath(value).name):
                    calls.setdefault(name, made)
    return calls


def _names(file_name: str) -> list[str]:
    """A file name and the names under its "call-N_" prefixes: a cached or resumed run saves an asset as
    "call-5_call-6_x.glb" while the layout of a cached scene still names "call-6_x.glb"."""
    names = [file_name]
    while (match := _CALL_PREFIX.match(names[-1])) is not None:
        names.append(names[-1][match.end():])
    return names


def walk_value(view: gr.HTML, scene: str | None, run_id: str | None, *, log: dict[str, Any] | None = None) -> str:
    """The Walk view's value for a scene file the server chose: Gradio caches the file and serves it.

    Args:
        view: the component from `walk_view`, which the cached file is registered to.
        scene: a .glb path found on the server for `run_id`, or None (the view keeps what it shows).
        run_id: the run the scene belongs to; shown in the view's state as its scene id. A new scene of the
            same run (a streamed one, then the final one) keeps the walker where it stands.
        log: the run's chain log (public form), for the placards' provenance; see `provenance`.

    Returns:
        JSON {"url": "gradio_api/file=<cached copy>", "id": run_id, "calls": provenance(log)}, or "{}" without
        a scene.
    """
    if not scene:
        return "{}"
    cached = view.move_resource_to_block_cache(scene)
    return json.dumps({"url": f"gradio_api/file={Path(cached).as_posix()}", "id": run_id or "",
                       "calls": provenance(log)})
