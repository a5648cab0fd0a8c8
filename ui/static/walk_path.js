// Route planning for the Walk view's click-to-walk: A* on a coarse grid over the floor plan, then shortened to
// straight legs, and the step that walks a route. Same conventions as walk.js: floor [minx, minz, maxx, maxz],
// blocks [minx, minz, maxx, maxz] (metres, on the floor plan), the walker a circle of `radius` that stands free
// while its centre is outside every block grown by `radius` (the boxes are open: touching an edge is free).
// Legs are checked exactly against those boxes, never by sampling, so a leg that is planned can be walked at
// any frame rate.

const CELL = 0.2;      // grid step, metres
const MARGIN = 0.05;   // planned legs keep this much more clearance than the walker needs
const ROUNDING = 1e-6; // metres: a step this close inside a block's edge is rounding on a planned leg, not a collision
const START_REACH = 1.5; // metres: how far a start or goal off the grid may be moved to reach it

/** Whether the walker (a circle of `radius` at x, z) touches none of `blocks`. */
export function standsFree(blocks, x, z, radius) {
  return !blocks.some((b) => x > b[0] - radius && x < b[2] + radius && z > b[1] - radius && z < b[3] + radius);
}

function clearOf(floor, blocks, x, z, r) {
  if (x < floor[0] + r || x > floor[2] - r || z < floor[1] + r || z > floor[3] - r) return false;
  return standsFree(blocks, x, z, r);
}

function segmentHits(a, b, box, r) { // whether a->b passes inside `box` grown by r (Liang-Barsky on an open box)
  let t0 = 0;
  let t1 = 1;
  for (const [p, d, lo, hi] of [[a[0], b[0] - a[0], box[0] - r, box[2] + r], [a[1], b[1] - a[1], box[1] - r, box[3] + r]]) {
    if (Math.abs(d) < 1e-12) {
      if (p <= lo || p >= hi) return false;
      continue;
    }
    const u = (lo - p) / d;
    const v = (hi - p) / d;
    t0 = Math.max(t0, Math.min(u, v));
    t1 = Math.min(t1, Math.max(u, v));
    if (t0 >= t1) return false;
  }
  return true;
}

/**
 * Whether the walker can go straight from `a` (where it stands on the floor) to `b`, keeping `r` from every
 * block and ending at least `r` inside the floor's edges.
 */
function legClear(floor, blocks, a, b, r) {
  const inside = b[0] >= floor[0] + r && b[0] <= floor[2] - r && b[1] >= floor[1] + r && b[1] <= floor[3] - r;
  return inside && !blocks.some((box) => segmentHits(a, b, box, r));
}

/**
 * A route from `start` to `goal` that keeps the walker clear of walls and blocks.
 *
 * @param {number[]} floor [minx, minz, maxx, maxz], metres.
 * @param {number[][]} blocks obstacles as [minx, minz, maxx, maxz], metres.
 * @param {number[]} start [x, z] where the walker stands (free, possibly nearer a block than the planning margin).
 * @param {number[]} goal [x, z] where it should stop (moved to the nearest reachable spot if blocked).
 * @param {number} radius the walker's radius, metres.
 * @returns {number[][] | null} waypoints [x, z] after the start, the last one the stop; null if unreachable.
 */
export function planPath(floor, blocks, start, goal, radius) {
  const r = radius + MARGIN;
  const cols = Math.max(1, Math.floor((floor[2] - floor[0]) / CELL));
  const rows = Math.max(1, Math.floor((floor[3] - floor[1]) / CELL));
  const cx = (i) => floor[0] + (i + 0.5) * CELL;
  const cz = (j) => floor[1] + (j + 0.5) * CELL;
  const open = new Uint8Array(cols * rows);
  for (let j = 0; j < rows; j += 1) for (let i = 0; i < cols; i += 1) open[j * cols + i] = clearOf(floor, blocks, cx(i), cz(j), r) ? 1 : 0;
  const cellOf = (p) => [Math.min(cols - 1, Math.max(0, Math.floor((p[0] - floor[0]) / CELL))),
    Math.min(rows - 1, Math.max(0, Math.floor((p[1] - floor[1]) / CELL)))];
  const nearestOpen = (p, reachable) => { // the open cell nearest p within START_REACH that `reachable` accepts
    const [pi, pj] = cellOf(p);
    const reach = Math.ceil(START_REACH / CELL);
    let best = null;
    for (let dj = -reach; dj <= reach; dj += 1) {
      for (let di = -reach; di <= reach; di += 1) {
        const i = pi + di;
        const j = pj + dj;
        if (i < 0 || j < 0 || i >= cols || j >= rows || !open[j * cols + i]) continue;
        const d = Math.hypot(cx(i) - p[0], cz(j) - p[1]);
        if ((!best || d < best[0]) && reachable([cx(i), cz(j)])) best = [d, i, j];
      }
    }
    return best && [best[1], best[2]];
  };
  const leave = radius; // from the start, any leg the walker can take without touching a block
  // The walker may stand off the grid (nearer a block than the margin, or in a closed cell): it first steps
  // straight to the nearest open cell it can reach.
  let [si, sj] = cellOf(start);
  if (!open[sj * cols + si] || !legClear(floor, blocks, start, [cx(si), cz(sj)], leave)) {
    const entry = nearestOpen(start, (c) => legClear(floor, blocks, start, c, leave));
    if (!entry) return null;
    [si, sj] = entry;
  }
  let [gi, gj] = cellOf(goal);
  let stop = clearOf(floor, blocks, goal[0], goal[1], radius) ? goal : null;
  if (!open[gj * cols + gi]) {
    const near = nearestOpen(goal, () => true);
    if (!near) return null;
    [gi, gj] = near;
    stop = [cx(gi), cz(gj)];
  }
  if (!stop || !legClear(floor, blocks, [cx(gi), cz(gj)], stop, radius)) stop = [cx(gi), cz(gj)];

  // A* with an octile heuristic and a binary heap of [f, cell].
  const goalCell = gj * cols + gi;
  const g = new Float32Array(cols * rows).fill(Infinity);
  const from = new Int32Array(cols * rows).fill(-1);
  const heap = [];
  const push = (f, c) => {
    heap.push([f, c]);
    let k = heap.length - 1;
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (heap[p][0] <= heap[k][0]) break;
      [heap[p], heap[k]] = [heap[k], heap[p]];
      k = p;
    }
  };
  const pop = () => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length) {
      heap[0] = last;
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        const m = l + 1;
        let s = k;
        if (l < heap.length && heap[l][0] < heap[s][0]) s = l;
        if (m < heap.length && heap[m][0] < heap[s][0]) s = m;
        if (s === k) break;
        [heap[s], heap[k]] = [heap[k], heap[s]];
        k = s;
      }
    }
    return top;
  };
  const h = (i, j) => {
    const dx = Math.abs(i - gi);
    const dz = Math.abs(j - gj);
    return Math.max(dx, dz) + (Math.SQRT2 - 1) * Math.min(dx, dz);
  };
  const startCell = sj * cols + si;
  g[startCell] = 0;
  push(h(si, sj), startCell);
  while (heap.length) {
    const [, c] = pop();
    if (c === goalCell) break;
    const i = c % cols;
    const j = (c - i) / cols;
    for (let dj = -1; dj <= 1; dj += 1) {
      for (let di = -1; di <= 1; di += 1) {
        if (!di && !dj) continue;
        const ni = i + di;
        const nj = j + dj;
        if (ni < 0 || nj < 0 || ni >= cols || nj >= rows) continue;
        const n = nj * cols + ni;
        if (!open[n] || (di && dj && (!open[j * cols + ni] || !open[nj * cols + i]))) continue; // no corner cutting
        const cost = g[c] + (di && dj ? Math.SQRT2 : 1);
        if (cost < g[n]) {
          g[n] = cost;
          from[n] = c;
          push(cost + h(ni, nj), n);
        }
      }
    }
  }
  if (goalCell !== startCell && from[goalCell] < 0) return null;
  const cells = [];
  for (let c = goalCell; c !== startCell && c >= 0; c = from[c]) cells.push(c);
  cells.push(startCell);
  cells.reverse();
  const points = cells.map((c) => [cx(c % cols), cz(Math.floor(c / cols))]);
  points.push(stop);

  // Shorten: from each point, go straight to the farthest point in clear sight. Every pair of neighbouring
  // points is itself a clear leg (open cells, no corner cutting, the stop clear of its cell's centre), and the
  // start's own cell was reached straight, so the route never passes through a block.
  const legs = [];
  let here = start;
  let k = 0;
  while (k < points.length) {
    let far = k;
    const keep = here === start ? leave : r;
    for (let m = points.length - 1; m > k; m -= 1) {
      if (legClear(floor, blocks, here, points[m], keep)) { far = m; break; }
    }
    if (far > k || Math.hypot(points[k][0] - here[0], points[k][1] - here[1]) > 1e-9) legs.push(points[far]);
    here = points[far];
    k = far + 1;
  }
  return legs.length ? legs : [stop];
}

/** The heading `from` turned toward `to` by at most `step` degrees, the short way round. */
function turnTo(from, to, step) {
  const diff = ((to - from) % 360 + 540) % 360 - 180;
  return Math.abs(diff) <= step ? to : from + Math.sign(diff) * step;
}

/**
 * Walk `me` ({x, z, yaw, pitch}, degrees) `dt` seconds along `route` ({points, face: {yaw, pitch} | null}),
 * turning to face the way it goes and, at the end, to `face`. Consumes reached points.
 *
 * @returns {'walking' | 'arrived' | 'blocked'} 'blocked' if the next step would touch a block (it is not taken).
 */
export function followRoute(me, route, dt, blocks, radius, speed, turn) {
  const point = route.points[0];
  if (point) {
    const dx = point[0] - me.x;
    const dz = point[1] - me.z;
    const dist = Math.hypot(dx, dz);
    const step = Math.min(dist, speed * dt);
    if (dist > 1e-3) me.yaw = turnTo(me.yaw, Math.atan2(-dx, -dz) / (Math.PI / 180), turn * dt);
    const arrives = dist - step < 1e-3;
    const nx = arrives ? point[0] : me.x + (dx / (dist || 1)) * step;
    const nz = arrives ? point[1] : me.z + (dz / (dist || 1)) * step;
    if (!standsFree(blocks, nx, nz, radius - ROUNDING)) return 'blocked';
    me.x = nx;
    me.z = nz;
    if (arrives) route.points.shift();
    return 'walking';
  }
  if (!route.face) return 'arrived';
  me.yaw = turnTo(me.yaw, route.face.yaw, turn * dt);
  me.pitch = turnTo(me.pitch, route.face.pitch, turn * dt / 2);
  return me.yaw === route.face.yaw && me.pitch === route.face.pitch ? 'arrived' : 'walking';
}
