#!/usr/bin/env node
/**
 * `npm run mutate`: maps test names to test files with one jest run, then runs Stryker (arguments pass through).
 * See scripts/mutation/covering-files-sequencer.js for why, and docs/testing.md for the results.
 */
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const os = require("node:os");

const root = path.resolve(__dirname, "..", "..");
// One private TMPDIR for the whole run, removed at its end: Stryker's runners do not always reach jest's global
// teardown (a mutant cut off by its timeout, a runner recycled), and each of those runs left its temp root and
// cdktf's `cdktf.outdir.*` folders in the system temp folder (thousands after a long run).
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "serving-mutate-"));
const env = { ...process.env, TMPDIR: tmp };
const cleanUp = () => fs.rmSync(tmp, { recursive: true, force: true });
process.on("exit", cleanUp);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));
const reports = path.join(root, "reports");
fs.mkdirSync(reports, { recursive: true });
const results = path.join(reports, "jest-results.json");
const map = path.join(reports, "test-names.json");
// MUTATE_REUSE_TEST_NAMES=1 skips the mapping run when a map exists (several runs in a row over one commit).
const reuse = process.env.MUTATE_REUSE_TEST_NAMES === "1" && fs.existsSync(map);
const jest = reuse ? { status: 0 } : spawnSync(
  process.execPath,
  [path.join(root, "node_modules", "jest", "bin", "jest.js"), "--ci", "--silent", "-c", "jest.stryker.config.js", "--json", `--outputFile=${results}`],
  { cwd: root, stdio: ["ignore", "ignore", "inherit"], env: { ...env, STRYKER_TEST_NAMES: "" } },
);
if (jest.status !== 0) {
  process.stderr.write("mutate: the test suite must pass before mutation testing\n");
  process.exit(jest.status ?? 1);
}
if (!reuse) {
  const namesByFile = {};
  for (const file of JSON.parse(fs.readFileSync(results, "utf8")).testResults) {
    namesByFile[path.relative(root, file.name)] = file.assertionResults.map((t) => t.fullName);
  }
  fs.writeFileSync(map, JSON.stringify(namesByFile, null, 1));
}

const stryker = spawnSync(process.execPath, [path.join(root, "node_modules", "@stryker-mutator", "core", "bin", "stryker.js"), "run", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { ...env, STRYKER_TEST_NAMES: map },
});
process.exit(stryker.status ?? 1);
