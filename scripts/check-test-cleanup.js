#!/usr/bin/env node
"use strict";
/**
 * `npm run test:clean`: runs `npm test` with an empty private TMPDIR and fails unless the tests pass, that folder is
 * empty afterwards, and jest printed no "worker process has failed to exit gracefully" warning.
 *
 * Not part of `npm test` (it runs the whole suite again): run it after changing a test helper, jest's config or
 * anything that makes temp folders. Arguments after `--` go to jest, e.g. `npm run test:clean -- __tests__/config`.
 */
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "test-clean-"));
try {
  const run = spawnSync("npm", ["test", "--silent", "--", ...process.argv.slice(2)], {
    cwd: ROOT,
    env: { ...process.env, TMPDIR: tmp },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const output = `${run.stdout}${run.stderr}`;
  const left = fs.readdirSync(tmp);
  const problems = [];
  if (run.status !== 0) problems.push(`npm test exited with ${run.status ?? run.signal}`);
  if (left.length > 0) problems.push(`${left.length} entries left in TMPDIR, e.g. ${left.slice(0, 5).join(", ")}`);
  if (/worker process has failed to exit gracefully/i.test(output)) problems.push("jest warned that a worker process failed to exit gracefully");
  if (problems.length > 0) {
    process.stderr.write(`${output.split("\n").slice(-40).join("\n")}\n`);
    process.stderr.write(`test:clean: FAIL\n${problems.map((p) => `  ${p}`).join("\n")}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write("test:clean: PASS: npm test passed, left TMPDIR empty and printed no worker warning\n");
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
