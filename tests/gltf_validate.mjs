// Prints the Khronos glTF validator's error summary for each GLB file given, as one JSON object: path -> summary.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const validator = require("gltf-validator");
const out = {};
for (const path of process.argv.slice(2)) {
  const report = await validator.validateBytes(new Uint8Array(readFileSync(path)), { maxIssues: 50 });
  const errors = report.issues.messages.filter((m) => m.severity === 0).map((m) => `${m.code} ${m.pointer ?? ""}`);
  out[path] = { numErrors: report.issues.numErrors, numWarnings: report.issues.numWarnings, errors };
}
console.log(JSON.stringify(out));
