// The sun's shadows for the Walk view, baked once per scene into a floor-plan texture.
//
// Why baked: with three.js's live shadow maps every fragment of every material pays for a 5-tap PCF lookup, which
// halved the frame rate on software WebGL (SwiftShader) in bench/walk_fps.py. The gallery never moves, so the
// sun's shadow is drawn once, seen from straight above, into a texture over the floor plan (soft: a 2048 px
// PCF-filtered shadow map, then linear filtering); the floor, walls and plinths then read it with one texture
// lookup at their world (x, z). Modes (the view's data-shadows switch): "baked" (default), "live" (three.js's
// shadow maps, for comparison) and "off".

import * as THREE from './vendor/three/three.module.js';

const BAKE_PX = 1024;       // longer side of the baked texture
const BAKE_SHADOW_PX = 2048; // the sun's shadow map while baking (drawn once)
const STRENGTH = 0.7;       // share of the sun's (direct) light a shadow takes away
const PAD_M = 0.5;          // the baked area reaches this far beyond the floor (under the walls)

/**
 * Shadows for one renderer; `setup` for each loaded scene.
 *
 * @param {THREE.WebGLRenderer} renderer the view's renderer.
 * @param {THREE.Scene} scene the view's scene (the gallery and the sun in it).
 */
export function createShadows(renderer, scene) {
  const uniforms = {
    bakedShadow: { value: null },
    bakedBox: { value: new THREE.Vector4(0, 0, 1, 1) }, // x0, z1, 1 / width, 1 / depth
    bakedStrength: { value: STRENGTH },
  };
  let target = null;
  let parts = null; // {sun, ground, casters, placards}
  let mode = 'baked';
  renderer.shadowMap.type = THREE.PCFShadowMap;
  renderer.shadowMap.autoUpdate = false; // the gallery does not move: one shadow map per scene or switch

  // The ground's materials read the baked texture: its direct light is dimmed where the texture says shadow.
  function useBaked(material) {
    if (material.userData.baked) return;
    material.userData.baked = true;
    material.onBeforeCompile = (shader) => {
      Object.assign(shader.uniforms, uniforms);
      shader.vertexShader = shader.vertexShader
        .replace('#include <common>', '#include <common>\nvarying vec2 vBakedXZ;')
        .replace('#include <project_vertex>', '#include <project_vertex>\nvBakedXZ = (modelMatrix * vec4(transformed, 1.0)).xz;');
      shader.fragmentShader = shader.fragmentShader
        .replace('#include <common>', '#include <common>\nuniform sampler2D bakedShadow;\nuniform vec4 bakedBox;\n'
          + 'uniform float bakedStrength;\nvarying vec2 vBakedXZ;')
        .replace('#include <lights_fragment_end>', '#include <lights_fragment_end>\n'
          + 'reflectedLight.directDiffuse *= 1.0 - bakedStrength * texture2D(bakedShadow, '
          + 'vec2((vBakedXZ.x - bakedBox.x) * bakedBox.z, (bakedBox.y - vBakedXZ.y) * bakedBox.w)).a;');
    };
    material.customProgramCacheKey = () => 'diorama-baked-shadow';
    material.needsUpdate = true;
  }

  function bake(floor) {
    const { sun, ground, casters, placards } = parts;
    const x0 = floor[0] - PAD_M;
    const z0 = floor[1] - PAD_M;
    const w = floor[2] - floor[0] + 2 * PAD_M;
    const d = floor[3] - floor[1] + 2 * PAD_M;
    const long = Math.min(BAKE_PX, renderer.capabilities.maxTextureSize);
    const size = w >= d ? [long, Math.max(1, Math.round(long * d / w))] : [Math.max(1, Math.round(long * w / d)), long];
    if (target) target.dispose();
    target = new THREE.WebGLRenderTarget(size[0], size[1]);
    // Straight down, the image's top toward -z: u follows +x, v follows -z.
    const camera = new THREE.OrthographicCamera(-w / 2, w / 2, d / 2, -d / 2, 0.1, 500);
    camera.position.set(x0 + w / 2, 200, z0 + d / 2);
    camera.up.set(0, 0, -1);
    camera.lookAt(x0 + w / 2, 0, z0 + d / 2);
    camera.updateMatrixWorld();

    const shade = new THREE.ShadowMaterial({ color: 0x000000, opacity: 1 });
    shade.transparent = false;
    shade.blending = THREE.NoBlending; // the topmost surface's shadow, not a blend of the ones under it
    const hide = new THREE.MeshBasicMaterial({ colorWrite: false, depthWrite: false, side: THREE.DoubleSide });
    const saved = new Map();
    for (const m of ground) {
      saved.set(m, m.material);
      m.material = shade;
      m.receiveShadow = true;
      m.castShadow = m.userData.kind !== 'floor';
    }
    for (const m of casters) { saved.set(m, m.material); m.material = hide; m.castShadow = true; }
    const shown = placards.map((p) => p.visible);
    for (const p of placards) p.visible = false;
    const background = scene.background;
    scene.background = null;
    const clear = renderer.getClearColor(new THREE.Color());
    const alpha = renderer.getClearAlpha();
    sun.shadow.mapSize.set(BAKE_SHADOW_PX, BAKE_SHADOW_PX);
    if (sun.shadow.map) { sun.shadow.map.dispose(); sun.shadow.map = null; }
    sun.castShadow = true;
    renderer.shadowMap.enabled = true;
    renderer.shadowMap.needsUpdate = true;
    renderer.setRenderTarget(target);
    renderer.setClearColor(0x000000, 0);
    renderer.clear();
    renderer.render(scene, camera);
    renderer.setRenderTarget(null);
    renderer.setClearColor(clear, alpha);
    scene.background = background;
    placards.forEach((p, i) => { p.visible = shown[i]; });
    for (const [m, material] of saved) m.material = material;
    shade.dispose();
    hide.dispose();
    uniforms.bakedShadow.value = target.texture;
    uniforms.bakedBox.value.set(x0, z0 + d, 1 / w, 1 / d);
    for (const m of ground) for (const material of [].concat(m.material)) useBaked(material);
  }

  function apply() {
    if (!parts) return;
    const { sun, ground, casters } = parts;
    const live = mode === 'live';
    renderer.shadowMap.enabled = live;
    sun.castShadow = live;
    for (const m of ground) { m.receiveShadow = live; m.castShadow = live && m.userData.kind !== 'floor'; }
    for (const m of casters) m.castShadow = live;
    if (live) {
      sun.shadow.mapSize.set(1024, 1024);
      if (sun.shadow.map) { sun.shadow.map.dispose(); sun.shadow.map = null; }
      renderer.shadowMap.needsUpdate = true;
    }
    uniforms.bakedStrength.value = mode === 'baked' ? STRENGTH : 0;
  }

  return {
    /**
     * Aim the scene's sun over the floor and bake its shadows.
     *
     * @param {THREE.DirectionalLight | null} sun the GLB's sun (none: no shadows).
     * @param {{ground: THREE.Mesh[], casters: THREE.Mesh[], placards: THREE.Mesh[]}} meshes floor, walls and
     *   plinths (receive); the objects (cast); the placards (neither).
     * @param {number[]} floor [minx, minz, maxx, maxz], metres.
     */
    setup(sun, meshes, floor) {
      parts = null;
      if (!sun) return;
      placeSun(sun, floor);
      parts = { sun, ...meshes };
      bake(floor);
      apply();
    },
    /** @param {string} value "baked", "live" or "off" (anything else: "baked"). */
    setMode(value) {
      mode = value === 'live' || value === 'off' ? value : 'baked';
      apply();
    },
  };

  // The GLB's sun sits at a fixed point; it is moved back along its own direction so that its shadow camera
  // covers the whole floor.
  function placeSun(sun, floor) {
    const from = new THREE.Vector3();
    const to = new THREE.Vector3();
    sun.getWorldPosition(from);
    sun.target.getWorldPosition(to);
    const dir = to.sub(from).normalize();
    const [minx, minz, maxx, maxz] = floor;
    const span = Math.max(maxx - minx, maxz - minz, 1);
    const centre = new THREE.Vector3((minx + maxx) / 2, 0, (minz + maxz) / 2);
    scene.attach(sun);
    sun.matrixAutoUpdate = true;
    sun.position.copy(centre).addScaledVector(dir, -span);
    sun.target = new THREE.Object3D();
    sun.target.position.copy(centre);
    scene.add(sun.target);
    const cam = sun.shadow.camera;
    const half = span * 0.75;
    Object.assign(cam, { left: -half, right: half, top: half, bottom: -half, near: 0.5, far: span * 2.5 });
    cam.updateProjectionMatrix();
    sun.shadow.bias = -0.0005;
    sun.shadow.normalBias = 0.02;
    sun.shadow.radius = 3;
  }
}
