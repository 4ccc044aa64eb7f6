/**
 * One temp folder per jest run, removed when the run ends: jest's globalSetup and globalTeardown (jest.config.js and
 * jest.stryker.config.js).
 *
 * Tests make throw-away folders through os.tmpdir() (config folders, uploads, synth output), and so does cdktf's
 * `Testing` (a `cdktf.outdir.*` per synth, which it never removes). Pointing TMPDIR at a folder of this run, before
 * jest starts its workers, sends all of them there, including those of the child processes the app tests spawn;
 * removing that folder at the end removes them all, whether a test failed or was interrupted halfway.
 *
 * globalSetup and globalTeardown run in jest's own process, so they share this module's state. Stryker runs jest
 * once per mutant in the same process: each run gets its own root and puts the previous TMPDIR back at the end, so
 * runs never nest their roots in a removed folder.
 */
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const KEY = Symbol.for("azureml-serving.jest-temp-root");

function setup() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "serving-tests-"));
  globalThis[KEY] = { root, previous: process.env.TMPDIR };
  // os.tmpdir() reads TMPDIR on every call, and jest's workers and the tests' child processes inherit it.
  process.env.TMPDIR = root;
}

function teardown() {
  const state = globalThis[KEY];
  if (state === undefined) return;
  delete globalThis[KEY];
  if (state.previous === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = state.previous;
  fs.rmSync(state.root, { recursive: true, force: true });
}

module.exports = { setup, teardown };
