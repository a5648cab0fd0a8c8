// What the Walk view knows about each object: its plinth from the scene's layout, and what made it (the Space
// call, from the run's chain log via ui/walk.py), as the lines of the note shown on approach or click.
// No three.js here, so Node can test it (tests/test_walk.py).

/**
 * The layout's objects as the view uses them; entries without a numeric position and plinth are skipped.
 *
 * @param {object} layout scenes[0].extras.layout: {objects: [{label, node, source_file, position_m: [x, h, z],
 *   plinth_m: [w, h, d], placeholder?: "reason"}]} (metres; position_m's h is the plinth's top).
 * @param {object} calls {file name: {space, endpoint, license, duration_s, cached, replayed}}.
 * @returns {object[]} {label, node, x, z, w, d, h, placeholder (reason or null), call (or null)} per object.
 */
export function readObjects(layout, calls) {
  const list = layout && Array.isArray(layout.objects) ? layout.objects : [];
  const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const out = [];
  for (const o of list) {
    if (!o || !Array.isArray(o.position_m) || !Array.isArray(o.plinth_m)) continue;
    const [x, h, z] = o.position_m.map(num);
    const [w, , d] = o.plinth_m.map(num);
    if ([x, h, z, w, d].some((v) => v === null || v === undefined)) continue;
    const reason = typeof o.placeholder === 'string' ? o.placeholder.trim() : o.placeholder ? 'no model was made' : '';
    const file = typeof o.source_file === 'string' ? o.source_file.split(/[\\/]/).pop() : '';
    // A cached run names its files "call-5_call-6_x.glb"; ui/walk.py also keys each call by the bare name.
    const call = calls && file ? calls[file] || calls[file.replace(/^(call-\d+_)+/, '')] : null;
    out.push({ label: String(o.label ?? o.node ?? 'object'), node: String(o.node ?? ''), x, z, w, d, h,
               placeholder: reason || null, call: call || null });
  }
  return out;
}

/**
 * The note's lines for one object.
 *
 * @param {object} object one of `readObjects`'s.
 * @returns {{title: string, placeholder: string | null, made: string}} e.g. {title: "Eiffel Tower",
 *   placeholder: null, made: "Made by local:text_to_3d /generate · license apache-2.0 · 0.34 s"}.
 */
export function describe(object) {
  let placeholder = null;
  if (object.placeholder) {
    placeholder = /^placeholder\b/i.test(object.placeholder) ? object.placeholder
      : `placeholder — ${object.placeholder}`;
  }
  const c = object.call;
  let made = 'Made by: not in this run\'s chain log';
  if (c) {
    const s = c.duration_s;
    const seconds = typeof s === 'number' && Number.isFinite(s) ? `${s < 10 ? s.toFixed(2) : Math.round(s)} s`
      : 'time not recorded';
    const how = c.cached ? ' (from the cache)' : c.replayed ? ' (replayed)' : '';
    made = `Made by ${c.space || 'an unnamed Space'}${c.endpoint ? ' ' + c.endpoint : ''} · `
      + `license ${c.license || 'not stated'} · ${seconds}${how}`;
  }
  return { title: object.label, placeholder, made };
}
