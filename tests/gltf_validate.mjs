// Prints the Khronos glTF validator's issue summary for one GLB file as JSON.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const validator = require("gltf-validator");
const path = process.argv[2];
const report = await validator.validateBytes(new Uint8Array(readFileSync(path)), { maxIssues: 50 });
const errors = report.issues.messages.filter((m) => m.severity === 0).map((m) => `${m.code} ${m.pointer ?? ""}`);
console.log(JSON.stringify({ numErrors: report.issues.numErrors, numWarnings: report.issues.numWarnings, errors }));
