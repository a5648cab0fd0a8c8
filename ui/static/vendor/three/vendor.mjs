// Copy three.js from node_modules into this folder for the Walk view (npm run vendor:three); see README.md.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const three = join(here, '..', '..', '..', '..', 'node_modules', 'three');
for (const f of ['build/three.module.js', 'build/three.core.js', 'LICENSE']) copyFileSync(join(three, f), join(here, f.split('/').pop()));
for (const f of ['examples/jsm/loaders/GLTFLoader.js', 'examples/jsm/utils/BufferGeometryUtils.js', 'examples/jsm/utils/SkeletonUtils.js']) {
  const text = readFileSync(join(three, f), 'utf8')
    .replaceAll("from 'three'", "from './three.module.js'")
    .replaceAll("from '../utils/", "from './");
  writeFileSync(join(here, f.split('/').pop()), text);
}
