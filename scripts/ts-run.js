#!/usr/bin/env node
"use strict";
/**
 * Runs a TypeScript entry point: `node scripts/ts-run.js main.ts [args...]`. This is the cdktf.json `app`.
 *
 * Each `.ts` module is compiled with @swc/core when Node requires it (CommonJS, ES2022: the settings of
 * jest.config.js), in memory. Types are not checked here: `npm test` runs `tsc --noEmit` once.
 *
 * Compiled modules are cached by content in node_modules/.cache/ts-run (TS_RUN_CACHE=<dir> moves it,
 * TS_RUN_CACHE=0 turns it off), so an unchanged tree never loads the swc binary: that saves ~30 MB of memory
 * per synth. Stack traces point at .ts lines under `NODE_OPTIONS=--enable-source-maps` (off by default: cdktf
 * captures a stack trace for every token, and mapping each one costs a quarter of the synth time).
 * docs/performance.md has the measurements behind these choices.
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const sourceMaps = process.sourceMapsEnabled === true;
const SWC_OPTIONS = {
  swcrc: false,
  configFile: false,
  sourceMaps: sourceMaps ? "inline" : false,
  jsc: { parser: { syntax: "typescript" }, target: "es2022" },
  module: { type: "commonjs" },
};
const cacheSetting = process.env.TS_RUN_CACHE;
const cacheDir =
  cacheSetting === "0" ? undefined : path.resolve(cacheSetting || path.join(__dirname, "..", "node_modules", ".cache", "ts-run"));
// Anything that changes the output is part of the key: the compiler version, its options, the file and its text.
const keyPrefix = JSON.stringify([require("@swc/core/package.json").version, SWC_OPTIONS]);

let swc;
function transform(source, filename) {
  swc ??= require("@swc/core");
  return swc.transformSync(source, { ...SWC_OPTIONS, filename }).code;
}

function compile(source, filename) {
  if (!cacheDir) return transform(source, filename);
  const key = crypto.createHash("sha256").update(keyPrefix).update("\0").update(filename).update("\0").update(source).digest("hex");
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    // Not compiled yet.
  }
  const code = transform(source, filename);
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    // Write then rename, so a concurrent run never reads half a file.
    const partial = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(partial, code);
    fs.renameSync(partial, cached);
  } catch {
    // A read-only tree still runs, just without the cache.
  }
  return code;
}

Module._extensions[".ts"] = function compileTypeScript(module, filename) {
  module._compile(compile(fs.readFileSync(filename, "utf8"), filename), filename);
};

const [entry] = process.argv.splice(2, 1);
if (!entry) {
  process.stderr.write("usage: node scripts/ts-run.js <entry.ts> [args...]\n");
  process.exit(2);
}
// Run the entry as the main module, as `node entry.js` would: `require.main === module` holds inside it.
process.argv[1] = path.resolve(entry);
Module.runMain();
