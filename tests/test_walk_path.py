"""Click-to-walk routes (ui/static/walk_path.js) run in Node: every planned route is walked to its end.

The floor plan is the one a real offline "Paris landmarks" build produced (scenes[0].extras.walk and the layout's
plinths, copied here so the test needs no Space). A route is walked with the view's own step
(`followRoute`) in frame steps drawn from a seeded generator, as a browser on a busy machine would take them:
each must arrive, never having stepped into a block, facing the object as the Walk view promises.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.node import node_eval

PATH_JS = (Path(__file__).resolve().parents[1] / "ui" / "static" / "walk_path.js").as_uri()
RADIUS = 0.3  # WALKER_RADIUS in walk.js
FLOOR = [-11.1276, -15.3016, 11.1276, 15.3016]
COLLIDERS = [  # [minx, miny, minz, maxx, maxy, maxz]: the four walls, then the eight plinths
    [-11.3276, 0.0, -15.5015, 11.3276, 0.4, -15.3016], [-11.3276, 0.0, 15.3016, 11.3276, 0.4, 15.5015],
    [-11.3276, 0.0, -15.3016, -11.1276, 0.4, 15.3016], [11.1276, 0.0, -15.3016, 11.3276, 0.4, 15.3016],
    [1.1479, 0.0, -10.649, 4.3221, 0.651, -7.4748], [-8.9782, 0.0, 6.5907, -2.2474, 0.825, 13.3215],
    [-9.1477, 0.0, -0.5521, -3.9523, 0.76, 2.3407], [-4.3221, 0.0, -13.3216, -0.8121, 0.713, -4.8022],
    [-1.9922, 0.0, -2.7495, 0.8816, 0.723, 4.5381], [2.8416, 0.0, -2.8422, 9.1476, 0.723, 4.6308],
    [-0.2874, 0.0, 9.4757, 0.6734, 0.822, 10.4365], [2.6333, 0.0, 8.3447, 8.9783, 0.813, 11.5675]]
PLINTHS = {  # label: [x, z, width, depth] of its plinth
    "Eiffel Tower": [2.735, -9.0619, 3.1343, 3.1343], "Louvre Pyramid": [-5.6128, 9.9561, 6.6908, 6.6908],
    "Arc de Triomphe": [-6.55, 0.8943, 5.1553, 2.8527], "Notre-Dame de Paris": [-2.5671, -9.0619, 3.47, 8.4793],
    "Sacré-Cœur": [-0.5553, 0.8943, 2.8339, 7.2476], "Panthéon": [5.9946, 0.8943, 6.266, 7.433],
    "Luxor Obelisk": [0.193, 9.9561, 0.9207, 0.9207], "Moulin Rouge": [5.8058, 9.9561, 6.3049, 3.1828]}
STAND_OFF_M = 1.4  # walk.js: a map target stops this far in front of the plinth


def _walk_all(starts: list[list[float]]) -> dict:
    """Plan and walk from each start to each plinth's front; return the counts and the first failures."""
    return node_eval(f"""
import {{ followRoute, planPath, standsFree }} from {json.dumps(PATH_JS)};
const floor = {json.dumps(FLOOR)};
const blocks = {json.dumps(COLLIDERS)}.map((c) => [c[0], c[2], c[3], c[5]]);
const plinths = {json.dumps(PLINTHS)};
const R = {RADIUS};
let seed = 12345;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const out = {{ walked: 0, skipped: 0, failures: [] }};
for (const start of {json.dumps(starts)}) {{
  if (!standsFree(blocks, start[0], start[1], R)) {{ out.skipped += 1; continue; }}
  for (const [label, [x, z, w, d]] of Object.entries(plinths)) {{
    const fail = (why, me) => out.failures.length < 10 && out.failures.push({{ label, start, why, at: me }});
    const goal = [x, z + d / 2 + 0.01 + {STAND_OFF_M}];
    const points = planPath(floor, blocks, start, goal, R);
    out.walked += 1;
    if (!points) {{ fail('no route', null); continue; }}
    const me = {{ x: start[0], z: start[1], yaw: 0, pitch: 0 }};
    const route = {{ points, face: {{ yaw: 0, pitch: -10 }} }};
    let status = 'walking';
    for (let frame = 0; status === 'walking' && frame < 200000; frame += 1) {{
      status = followRoute(me, route, 0.001 + random() * 0.049, blocks, R, 3.0, 240);
      if (!standsFree(blocks, me.x, me.z, R - 1e-6)) {{ status = 'inside a block'; break; }}
    }}
    if (status !== 'arrived') fail(status, me);
    else if (Math.abs(me.x - x) > 0.05 || me.yaw !== 0 || me.pitch !== -10) fail('arrived elsewhere', me);
  }}
}}
console.log(JSON.stringify(out));
""", timeout_s=600)


def test_every_plinth_is_reached_from_anywhere_on_the_floor():
    minx, minz, maxx, maxz = FLOOR
    grid = [[minx + RADIUS + 1.3 * i, minz + RADIUS + 1.3 * j]
            for i in range(int((maxx - minx - 2 * RADIUS) / 1.3) + 1) for j in range(int((maxz - minz - 2 * RADIUS) / 1.3) + 1)]
    result = _walk_all(grid)
    assert result["failures"] == [], result
    assert result["walked"] > 1500 and result["skipped"] > 0, result  # the grid covers the floor and its plinths


def test_every_plinth_is_reached_from_against_a_wall():
    """Where walking into a wall leaves the walker: exactly its radius from the wall (the old planner's worst case)."""
    minx, minz, maxx, maxz = FLOOR
    steps = [i / 20 for i in range(21)]
    along = ([[minx + (maxx - minx) * t, z] for t in steps for z in (minz + RADIUS, maxz - RADIUS, maxz - 0.5)]
             + [[x, minz + (maxz - minz) * t] for t in steps for x in (minx + RADIUS, maxx - RADIUS)])
    result = _walk_all(along + [[-4.168, 14.802], [-10.8276, 14.9016]])  # two starts the old planner failed from
    assert result["failures"] == [], result
    assert result["walked"] > 500, result
