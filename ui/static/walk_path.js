// Route planning for the Walk view's click-to-walk: A* on a coarse grid over the floor plan, then shortened to
// straight legs. Same conventions as walk.js: floor [minx, minz, maxx, maxz], blocks [minx, minz, maxx, maxz]
// (metres, on the floor plan), the walker a circle of `radius`.

const CELL = 0.2;      // grid step, metres
const MARGIN = 0.05;   // planned legs keep this much more clearance than the walker needs
const SAMPLE = 0.1;    // line-of-sight step, metres

function clearOf(floor, blocks, x, z, r) {
  if (x < floor[0] + r || x > floor[2] - r || z < floor[1] + r || z > floor[3] - r) return false;
  for (const b of blocks) if (x > b[0] - r && x < b[2] + r && z > b[1] - r && z < b[3] + r) return false;
  return true;
}

function lineClear(floor, blocks, a, b, r) {
  const steps = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / SAMPLE));
  for (let i = 1; i <= steps; i += 1) {
    const t = i / steps;
    if (!clearOf(floor, blocks, a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, r)) return false;
  }
  return true;
}

/**
 * A route from `start` to `goal` that keeps the walker clear of walls and blocks.
 *
 * @param {number[]} floor [minx, minz, maxx, maxz], metres.
 * @param {number[][]} blocks obstacles as [minx, minz, maxx, maxz], metres.
 * @param {number[]} start [x, z] where the walker stands.
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
  const [si, sj] = cellOf(start);
  let [gi, gj] = cellOf(goal);
  let stop = clearOf(floor, blocks, goal[0], goal[1], radius) ? goal : null;
  if (!open[gj * cols + gi]) { // the nearest open cell within 1.5 m
    let best = null;
    const reach = Math.ceil(1.5 / CELL);
    for (let dj = -reach; dj <= reach; dj += 1) {
      for (let di = -reach; di <= reach; di += 1) {
        const i = gi + di;
        const j = gj + dj;
        if (i < 0 || j < 0 || i >= cols || j >= rows || !open[j * cols + i]) continue;
        const d = di * di + dj * dj;
        if (!best || d < best[0]) best = [d, i, j];
      }
    }
    if (!best) return null;
    [, gi, gj] = best;
    stop = [cx(gi), cz(gj)];
  }
  if (!stop) stop = [cx(gi), cz(gj)];
  open[sj * cols + si] = 1; // the walker may stand nearer an obstacle than the planning margin

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
  cells.reverse();
  const points = cells.map((c) => [cx(c % cols), cz(Math.floor(c / cols))]);
  if (points.length) points[points.length - 1] = stop; else points.push(stop);

  // Shorten: from each point, go straight to the farthest waypoint in clear sight.
  const legs = [];
  let here = start;
  let k = 0;
  while (k < points.length) {
    let far = k;
    for (let m = points.length - 1; m > k; m -= 1) {
      if (lineClear(floor, blocks, here, points[m], radius)) { far = m; break; }
    }
    legs.push(points[far]);
    here = points[far];
    k = far + 1;
  }
  return legs;
}
