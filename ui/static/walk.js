// Diorama's Walk view: a first-person walker through a gallery GLB (three.js, vendored under ./vendor/three).
//
// Axes as in glTF: +Y up, +Z toward the viewer, metres, floor at y = 0. Yaw is in degrees about +Y, 0 looking
// toward -Z (the entrance faces the objects that way); pitch is in degrees, up positive.
// Collision uses the scene builder's boxes (scenes[0].extras.walk, see spaces/scene_builder/sb_walk.py), never
// the triangles: the walker is a circle of WALKER_RADIUS on the floor plan, moved one axis at a time so that it
// slides along walls and plinths, and clamped to the floor.
// Objects come from scenes[0].extras.layout.objects (label, plinth, optional `placeholder` reason); what made
// each one (Space, license, seconds) comes with the view's value, from the run's chain log (ui/walk.py), and is
// shown when the walker comes within APPROACH_M of a plinth or clicks the object.
// The root element (#diorama-walk) publishes {"position", "yaw", "pitch", "scene", "fps", "colliders"} as JSON in
// its data-state attribute ten times a second (tests and tools read it). Debug switches on the root element:
// data-placards="off" hides the placards; data-shadows="live" or "off" replaces the baked shadows
// (walk_shadows.js) with three.js's live shadow maps or none.

import * as THREE from './vendor/three/three.module.js';
import { GLTFLoader } from './vendor/three/GLTFLoader.js';
import { followRoute, planPath, standsFree } from './walk_path.js';
import { createShadows } from './walk_shadows.js';
import { describe, readObjects } from './walk_info.js';

const EYE_HEIGHT = 1.6;
const WALK_SPEED = 1.6;   // m/s
const RUN_SPEED = 4.0;    // m/s, with Shift
const AUTO_SPEED = 3.0;   // m/s, walking to where the map was clicked
const TURN_SPEED = 90;    // deg/s, with Q/E
const AUTO_TURN = 240;    // deg/s, turning on the way to a map target
const LOOK_PER_PX = 0.25; // deg per pixel dragged
const WALKER_RADIUS = 0.3;
const APPROACH_M = 2.5;   // provenance shows within this distance of a plinth
const STAND_OFF_M = 1.4;  // a map target stops this far in front of the plinth's placard
const PLACARD_BELOW = 15; // deg below the view's centre the placard appears at a map target
const STATE_EVERY_MS = 100;
const TARGET_FPS = 30;    // while moving, below it the view renders fewer pixels (down to MIN_RESOLUTION)
const MIN_RESOLUTION = 0.5;
const MAX_FRAME_S = 0.25; // longest time one frame moves the walker by
const MAX_STEP_S = 0.05;  // in steps of at most this (0.2 m at a run)
const SETTLE_MS = 400;    // this long after the last move or look, it renders at full resolution (placards sharp)
const KEYS = {
  KeyW: 'f', ArrowUp: 'f', KeyS: 'b', ArrowDown: 'b', KeyA: 'l', ArrowLeft: 'l', KeyD: 'r', ArrowRight: 'r',
  KeyQ: 'tl', KeyE: 'tr',
};
const DEG = Math.PI / 180;

export function mount(element, props, watch) {
  const root = element.querySelector('.diorama-walk');
  if (!root || root.dataset.mounted) return;
  root.dataset.mounted = '1';
  const view = root.querySelector('.walk-canvas');
  const hud = root.querySelector('.walk-hud');
  const info = root.querySelector('.walk-info');
  const map = root.querySelector('.walk-map');
  const stick = root.querySelector('.walk-stick');

  const renderer = new THREE.WebGLRenderer({ antialias: false, powerPreference: 'high-performance' });
  const maxRatio = Math.min(window.devicePixelRatio || 1, 1.5);
  let resolution = 1;  // share of maxRatio rendered while moving (software WebGL is fill-rate bound)
  let lastActive = -Infinity;
  renderer.setPixelRatio(maxRatio);
  renderer.outputColorSpace = THREE.SRGBColorSpace;
  view.appendChild(renderer.domElement);
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0xdfe6ee);
  scene.add(new THREE.HemisphereLight(0xeef3ff, 0x8a857c, 1.6));  // sky and bounce, where the GLB's lights do not reach
  const camera = new THREE.PerspectiveCamera(70, 1, 0.05, 500);
  camera.rotation.order = 'YXZ';
  const shadows = createShadows(renderer, scene); // the sun's, baked once per scene (walk_shadows.js)

  const me = { x: 0, z: 0, yaw: 0, pitch: 0 };
  let walk = { floor: [-1, -1, 1, 1], colliders: [] };
  let blocks = [];    // colliders that stand in the walker's way, as [minx, minz, maxx, maxz]
  let objects = [];   // {label, node, x, z, w, d, h, placeholder, call} per layout object
  let placards = [];  // the placard meshes (hidden with data-placards="off")
  let sun = null;     // the GLB's directional light, casting the shadows
  let ground = [];    // floor, wall and plinth meshes (they receive the shadows)
  let casters = [];   // the objects' meshes
  let gallery = null; // the loaded glTF scene
  let sceneId = '';
  let sceneUrl = '';
  let loading = 0;    // increases with each load, so a late answer for an older scene is dropped
  let route = null;   // {points: [[x, z], ...], face: {yaw, pitch} | null}: walking to a map target
  let picked = null;  // {object, x, z}: the object clicked last, and where the walker stood then
  const held = new Set();
  const joystick = { x: 0, y: 0 };
  let fps = 0;
  let frames = 0;
  let fpsSince = performance.now();

  function setHud(text) { hud.textContent = text; }
  setHud('Build a scene, then walk through it here.');

  function applyWalk(extras, box, keepPlace) {
    if (extras && Array.isArray(extras.floor) && extras.entrance) {
      walk = extras;
    } else { // a GLB without walk extras: the bounding box as the floor, no colliders, start at its front
      const inset = Math.min(1, (box.max.z - box.min.z) / 4);
      walk = { floor: [box.min.x, box.min.z, box.max.x, box.max.z], colliders: [],
               entrance: { position: [(box.min.x + box.max.x) / 2, EYE_HEIGHT, box.max.z - inset], yaw: 0 } };
    }
    blocks = (walk.colliders || []).filter((c) => c[4] > 0.05 && c[1] < EYE_HEIGHT + 0.2)
      .map((c) => [c[0], c[2], c[3], c[5]]);
    route = null;
    if (!keepPlace || !free(me.x, me.z)) {
      const [x, , z] = walk.entrance.position;
      Object.assign(me, { x, z, yaw: walk.entrance.yaw || 0, pitch: 0 });
    }
    mapKey.url = ''; // redraw
  }

  // The scene is fetched once the view is shown (the Walk tab opened), not while it is hidden.
  let wanted = null;
  function request(value) {
    wanted = value;
    if (view.clientWidth > 0) { load(wanted); wanted = null; }
  }

  function load(value) {
    let data = {};
    try { data = typeof value === 'string' && value ? JSON.parse(value) : (value || {}); } catch (e) { data = {}; }
    if (!data.url && gallery && value === '{}') { // a run without a scene (History): show none, not the last one
      loading += 1;
      scene.remove(gallery);
      dispose(gallery);
      if (sun) scene.remove(sun, sun.target);
      gallery = null;
      sun = null;
      objects = [];
      sceneId = '';
      sceneUrl = '';
      applyWalk(null, new THREE.Box3(new THREE.Vector3(-1, 0, -1), new THREE.Vector3(1, 0, 1)), false);
      setHud('This run has no scene to walk through.');
      return;
    }
    if (!data.url || data.url === sceneUrl) return;
    const ticket = ++loading;
    const sameRun = Boolean(data.id) && data.id === sceneId;
    if (!sameRun) setHud('Loading the scene…');
    const base = (window.gradio_config && window.gradio_config.root) || window.location.origin;
    const url = new URL(data.url, base.endsWith('/') ? base : base + '/').href;
    new GLTFLoader().load(url, (gltf) => {
      if (ticket !== loading) return;
      if (gallery) { scene.remove(gallery); dispose(gallery); }
      if (sun) scene.remove(sun, sun.target); // moved out of the old gallery by the shadows' setup
      gallery = gltf.scene;
      simplifyMaterials(gallery);
      prepare(gallery);
      scene.add(gallery);
      sceneId = data.id || data.url;
      sceneUrl = data.url;
      const extras = gallery.userData || {};
      applyWalk(extras.walk, new THREE.Box3().setFromObject(gallery), sameRun);
      objects = readObjects(extras.layout, data.calls);
      shadows.setup(sun, { ground, casters, placards }, walk.floor);
      applyDebug();
      picked = null;
      shown = null;
      setHud(window.matchMedia('(pointer: coarse)').matches ? 'Joystick to walk, drag to look; tap the map to go there.'
        : 'Click, then W/A/S/D or arrows to walk, drag to look, Shift to run; click the map to go there.');
    }, undefined, (err) => {
      if (ticket === loading) setHud('Could not load the scene: ' + (err && err.message ? err.message : err));
    });
  }

  // Lambert shading instead of glTF's PBR: several times cheaper per pixel on software WebGL, and the gallery's
  // materials are mostly plain colours and textures anyway.
  function simplifyMaterials(object) {
    object.traverse((o) => {
      if (!o.isMesh) return;
      const swap = (m) => {
        if (!m || !m.isMeshStandardMaterial) return m;
        const lambert = new THREE.MeshLambertMaterial({
          name: m.name, color: m.color, map: m.map, vertexColors: m.vertexColors, transparent: m.transparent,
          opacity: m.opacity, alphaTest: m.alphaTest, side: m.side, emissive: m.emissive, emissiveMap: m.emissiveMap,
          depthWrite: m.depthWrite,
        });
        m.dispose();
        return lambert;
      };
      o.material = Array.isArray(o.material) ? o.material.map(swap) : swap(o.material);
    });
  }

  // Static scene: matrices computed once. The meshes are sorted by their material's name (the scene builder's
  // "floor", "wall", "plinth", "placard"; anything else is an object): the ground receives the sun's shadows,
  // objects cast them, placards do neither (and can be hidden).
  function prepare(object) {
    placards = [];
    ground = [];
    casters = [];
    sun = null;
    object.updateMatrixWorld(true);
    object.traverse((o) => {
      o.matrixAutoUpdate = false;
      if (o.isDirectionalLight && !sun) sun = o;
      if (!o.isMesh) return;
      const kind = (Array.isArray(o.material) ? o.material[0] : o.material)?.name || '';
      o.userData.kind = kind;
      if (kind === 'placard') placards.push(o);
      else if (kind === 'floor' || kind === 'wall' || kind === 'plinth') ground.push(o);
      else casters.push(o);
    });
  }

  function applyDebug() {
    const showPlacards = root.dataset.placards !== 'off';
    for (const p of placards) p.visible = showPlacards;
    shadows.setMode(root.dataset.shadows);
  }
  new MutationObserver(applyDebug).observe(root, { attributes: true, attributeFilter: ['data-placards', 'data-shadows'] });

  function dispose(object) {
    object.traverse((o) => {
      if (o.geometry) o.geometry.dispose();
      const mats = Array.isArray(o.material) ? o.material : o.material ? [o.material] : [];
      for (const m of mats) {
        for (const v of Object.values(m)) if (v && v.isTexture) v.dispose();
        m.dispose();
      }
    });
  }

  function free(x, z) { return standsFree(blocks, x, z, WALKER_RADIUS); }

  function follow(dt) {
    const status = followRoute(me, route, dt, blocks, WALKER_RADIUS, AUTO_SPEED, AUTO_TURN);
    if (status === 'blocked') setHud('Stopped: something is in the way. Click the map again.');
    if (status !== 'walking') route = null;
  }

  function move(dt) {
    let f = 0;
    let s = 0;
    if (held.has('f')) f += 1;
    if (held.has('b')) f -= 1;
    if (held.has('r')) s += 1;
    if (held.has('l')) s -= 1;
    if (held.has('tl')) me.yaw += TURN_SPEED * dt;
    if (held.has('tr')) me.yaw -= TURN_SPEED * dt;
    f -= joystick.y;
    s += joystick.x;
    const len = Math.hypot(f, s);
    if (held.has('tl') || held.has('tr')) { lastActive = performance.now(); route = null; }
    if (len < 1e-3) {
      if (route) { lastActive = performance.now(); follow(dt); }
      return;
    }
    route = null; // walking by hand cancels a map target
    lastActive = performance.now();
    const speed = (held.has('run') ? RUN_SPEED : WALK_SPEED) * Math.min(len, 1) / len;
    const yaw = me.yaw * DEG;
    const dx = (-Math.sin(yaw) * f + Math.cos(yaw) * s) * speed * dt;
    const dz = (-Math.cos(yaw) * f - Math.sin(yaw) * s) * speed * dt;
    const [minx, minz, maxx, maxz] = walk.floor;
    const r = WALKER_RADIUS;
    const clampX = (x) => Math.min(Math.max(x, minx + r), maxx - r);
    const clampZ = (z) => Math.min(Math.max(z, minz + r), maxz - r);
    // One axis at a time: a blocked axis stops, the other goes on (sliding along the obstacle).
    const nx = clampX(me.x + dx);
    if (free(nx, me.z)) me.x = nx;
    const nz = clampZ(me.z + dz);
    if (free(me.x, nz)) me.z = nz;
  }

  // Walking to a map target: to an object, stop in front of its placard facing it; elsewhere, just go there.
  function goTo(x, z, object) {
    let goal = [x, z];
    let face = null;
    if (object) {
      const front = object.z + object.d / 2 + 0.01;
      goal = [object.x, front + STAND_OFF_M];
      const placardY = object.h * 0.62;
      const down = Math.atan2(EYE_HEIGHT - placardY, STAND_OFF_M) / DEG;
      face = { yaw: 0, pitch: -Math.max(0, Math.round(down - PLACARD_BELOW)) };
    }
    const points = planPath(walk.floor, blocks, [me.x, me.z], goal, WALKER_RADIUS);
    if (!points) { setHud('No way there from here.'); return; }
    me.yaw = ((me.yaw % 360) + 540) % 360 - 180; // turning goes the short way from here on
    route = { points, face };
    if (object) picked = { object, x: points[points.length - 1][0], z: points[points.length - 1][1] };
  }

  function resize() {
    const w = view.clientWidth;
    const h = view.clientHeight;
    if (!w || !h) return false;
    const canvas = renderer.domElement;
    if (canvas.width !== Math.floor(w * renderer.getPixelRatio()) || canvas.height !== Math.floor(h * renderer.getPixelRatio())) {
      renderer.setSize(w, h, false);
      camera.aspect = w / h;
      camera.updateProjectionMatrix();
    }
    return true;
  }

  let last = performance.now();
  function frame(now) {
    // Slow frames (software WebGL on a busy machine) still walk at full speed, in steps short enough that the
    // walker cannot pass through a plinth; a stall longer than MAX_FRAME_S is not made up for.
    let dt = Math.min((now - last) / 1000, MAX_FRAME_S);
    last = now;
    while (dt > 1e-6) {
      const step = Math.min(dt, MAX_STEP_S);
      move(step);
      dt -= step;
    }
    camera.position.set(me.x, EYE_HEIGHT, me.z);
    camera.rotation.set(me.pitch * DEG, me.yaw * DEG, 0);
    const ratio = maxRatio * (now - lastActive < SETTLE_MS ? resolution : 1);
    if (Math.abs(renderer.getPixelRatio() - ratio) > 1e-3) renderer.setPixelRatio(ratio);  // resize() applies it
    if (wanted !== null && view.clientWidth > 0) { load(wanted); wanted = null; }
    if (root.isConnected && resize()) {  // nothing to draw while the tab is hidden
      renderer.render(scene, camera);
      frames += 1;
      drawMap();
    }
    if (now - fpsSince >= 1000) {
      fps = Math.round(frames * 1000 / (now - fpsSince));
      if (frames > 0 && now - lastActive < SETTLE_MS) {
        resolution = fps < TARGET_FPS ? Math.max(MIN_RESOLUTION, resolution * 0.8)
          : fps > 45 ? Math.min(1, resolution * 1.15) : resolution;
      }
      frames = 0;
      fpsSince = now;
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);

  const round = (v, n = 3) => Math.round(v * 10 ** n) / 10 ** n;
  setInterval(() => {
    root.dataset.state = JSON.stringify({
      position: [round(me.x), EYE_HEIGHT, round(me.z)], yaw: round(me.yaw, 1), pitch: round(me.pitch, 1),
      scene: sceneId, fps, colliders: blocks.length,
    });
    showProvenance();
  }, STATE_EVERY_MS);

  // ---- Provenance: the object clicked, else the nearest one within APPROACH_M ------------------------------
  let shown = null;
  function gap(o, x, z) { // distance from (x, z) to the plinth's footprint, metres
    return Math.hypot(Math.max(Math.abs(x - o.x) - o.w / 2, 0), Math.max(Math.abs(z - o.z) - o.d / 2, 0));
  }
  function showProvenance() {
    if (picked && Math.hypot(me.x - picked.x, me.z - picked.z) > 1 && !route) picked = null;
    let object = picked ? picked.object : null;
    if (!object) {
      let best = APPROACH_M;
      for (const o of objects) {
        const d = gap(o, me.x, me.z);
        if (d <= best) { best = d; object = o; }
      }
    }
    if (object === shown) return;
    shown = object;
    info.replaceChildren();
    info.hidden = !object;
    if (!object) { delete info.dataset.object; return; }
    info.dataset.object = object.node;
    const { title, placeholder, made } = describe(object);
    const head = document.createElement('b');
    head.textContent = title;
    info.append(head);
    if (placeholder) {
      const note = document.createElement('div');
      note.className = 'walk-placeholder';
      note.textContent = placeholder;
      info.append(note);
    }
    const line = document.createElement('div');
    line.className = 'walk-provenance';
    line.textContent = made;
    info.append(line);
  }

  // ---- The mini-map: plinths, walls and the walker; click an object to walk to it -------------------------
  const mapKey = { x: NaN, z: NaN, yaw: NaN, url: '', route: false }; // what the map last showed
  function mapFrame() {
    const [minx, minz, maxx, maxz] = walk.floor;
    const scale = Math.min((map.width - 8) / (maxx - minx), (map.height - 8) / (maxz - minz));
    return { minx, minz, maxx, maxz, scale };
  }
  function drawMap() {
    // Nothing moved (checked without allocating, as this runs every frame): keep the last drawing.
    if (Math.abs(me.x - mapKey.x) < 0.01 && Math.abs(me.z - mapKey.z) < 0.01 && Math.abs(me.yaw - mapKey.yaw) < 0.5
        && mapKey.url === sceneUrl && mapKey.route === Boolean(route)) return;
    Object.assign(mapKey, { x: me.x, z: me.z, yaw: me.yaw, url: sceneUrl, route: Boolean(route) });
    const ctx = map.getContext('2d');
    const { minx, minz, maxx, maxz, scale } = mapFrame();
    const px = (x) => 4 + (x - minx) * scale;
    const pz = (z) => 4 + (z - minz) * scale;
    ctx.clearRect(0, 0, map.width, map.height);
    ctx.fillStyle = 'rgba(255,255,255,0.75)';
    ctx.fillRect(px(minx), pz(minz), (maxx - minx) * scale, (maxz - minz) * scale);
    ctx.fillStyle = 'rgba(60,60,70,0.8)';
    for (const b of blocks) ctx.fillRect(px(b[0]), pz(b[1]), (b[2] - b[0]) * scale, (b[3] - b[1]) * scale);
    if (route && route.points.length) {
      ctx.strokeStyle = 'rgba(43,108,210,0.9)';
      ctx.beginPath();
      ctx.moveTo(px(me.x), pz(me.z));
      for (const [x, z] of route.points) ctx.lineTo(px(x), pz(z));
      ctx.stroke();
    }
    const yaw = me.yaw * DEG;
    ctx.fillStyle = '#d2452b';
    ctx.beginPath();
    ctx.arc(px(me.x), pz(me.z), 4, 0, 2 * Math.PI);
    ctx.fill();
    ctx.strokeStyle = '#d2452b';
    ctx.beginPath();
    ctx.moveTo(px(me.x), pz(me.z));
    ctx.lineTo(px(me.x - Math.sin(yaw) * 1.2), pz(me.z - Math.cos(yaw) * 1.2));
    ctx.stroke();
  }
  map.addEventListener('pointerdown', (e) => {
    e.preventDefault();
    root.focus({ preventScroll: true });
    const box = map.getBoundingClientRect();
    const { minx, minz, maxx, maxz, scale } = mapFrame();
    const x = minx + ((e.clientX - box.left) * map.width / box.width - 4) / scale;
    const z = minz + ((e.clientY - box.top) * map.height / box.height - 4) / scale;
    if (x < minx || x > maxx || z < minz || z > maxz) return;
    let hit = null;
    let best = 1.0; // metres of slack around a plinth (a small map is hard to hit exactly)
    for (const o of objects) {
      const d = gap(o, x, z);
      if (d <= best) { best = d; hit = o; }
    }
    goTo(x, z, hit);
  });

  // Keyboard: the view takes focus when clicked; keys act only while it has focus (or the pointer is locked).
  root.addEventListener('keydown', (e) => {
    if (e.key === 'Shift') held.add('run');
    const k = KEYS[e.code];
    if (k) { held.add(k); e.preventDefault(); }
  });
  root.addEventListener('keyup', (e) => {
    if (e.key === 'Shift') held.delete('run');
    const k = KEYS[e.code];
    if (k) { held.delete(k); e.preventDefault(); }
  });
  root.addEventListener('blur', () => held.clear());

  // Looking: drag with the mouse or a finger. A click without a drag on an object shows what made it; elsewhere
  // it locks the pointer (Esc leaves).
  const canvas = renderer.domElement;
  const raycaster = new THREE.Raycaster();
  const pointer = new THREE.Vector2();
  let drag = null;
  canvas.addEventListener('pointerdown', (e) => {
    root.focus({ preventScroll: true });
    drag = { id: e.pointerId, x: e.clientX, y: e.clientY, moved: 0 };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (document.pointerLockElement === canvas) { look(e.movementX, e.movementY); return; }
    if (!drag || drag.id !== e.pointerId) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    drag.x = e.clientX;
    drag.y = e.clientY;
    drag.moved += Math.abs(dx) + Math.abs(dy);
    look(dx, dy);
  });
  canvas.addEventListener('pointerup', (e) => {
    if (drag && drag.moved < 4 && document.pointerLockElement !== canvas) {
      const object = objectAt(e.clientX, e.clientY);
      if (object) {
        picked = { object, x: me.x, z: me.z };
      } else if (e.pointerType === 'mouse' && canvas.requestPointerLock) {
        try { const p = canvas.requestPointerLock(); if (p && p.catch) p.catch(() => {}); } catch (err) { /* not allowed here */ }
      }
    }
    drag = null;
  });
  function objectAt(clientX, clientY) {
    if (!gallery || !objects.length) return null;
    const box = canvas.getBoundingClientRect();
    pointer.set(((clientX - box.left) / box.width) * 2 - 1, -((clientY - box.top) / box.height) * 2 + 1);
    raycaster.setFromCamera(pointer, camera);
    const hit = raycaster.intersectObject(gallery, true)[0];
    if (!hit) return null;
    let found = null;
    let best = 0.3;
    for (const o of objects) {
      const d = gap(o, hit.point.x, hit.point.z);
      if (d <= best) { best = d; found = o; }
    }
    return found;
  }
  function look(dx, dy) {
    lastActive = performance.now();
    route = null;
    me.yaw -= dx * LOOK_PER_PX;
    me.pitch = Math.max(-80, Math.min(80, me.pitch - dy * LOOK_PER_PX));
  }

  // Touch: a thumb joystick (bottom left) moves; dragging anywhere else on the view looks.
  const knob = stick.querySelector('.walk-knob');
  let thumb = null;
  stick.addEventListener('pointerdown', (e) => {
    thumb = e.pointerId;
    stick.setPointerCapture(e.pointerId);
    steer(e);
    e.preventDefault();
  });
  stick.addEventListener('pointermove', (e) => { if (e.pointerId === thumb) steer(e); });
  const release = (e) => {
    if (e.pointerId !== thumb) return;
    thumb = null;
    joystick.x = 0;
    joystick.y = 0;
    knob.style.transform = '';
  };
  stick.addEventListener('pointerup', release);
  stick.addEventListener('pointercancel', release);
  function steer(e) {
    const r = stick.getBoundingClientRect();
    const half = r.width / 2;
    let x = (e.clientX - r.left - half) / half;
    let y = (e.clientY - r.top - half) / half;
    const len = Math.hypot(x, y);
    if (len > 1) { x /= len; y /= len; }
    joystick.x = x;
    joystick.y = y;
    knob.style.transform = `translate(${x * half * 0.6}px, ${y * half * 0.6}px)`;
  }

  request(props.value);
  if (watch) watch('value', () => request(props.value));
}
