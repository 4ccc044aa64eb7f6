#!/usr/bin/env node
"use strict";
/**
 * `npm run bench`: synth and test times and peak memory of this app, side by side with the cdktf TypeScript
 * template's defaults (bench/template: ts-node app, barrel provider import, ts-jest), measured in the same run.
 *
 * Prints a Markdown table on stdout and one PASS/FAIL line per target; progress goes to stderr. Exits 1 when a
 * target fails or a measured command fails, 0 otherwise. Everything it writes (configs, synth output, caches) is
 * in one temp folder that is removed at the end; only bench/template/node_modules is installed on first use.
 *
 * Options: --runs=N (default 3) runs per product figure, median reported; --template-runs=N (default 1).
 * Not part of `npm test`: it measures, it does not assert behaviour. docs/performance.md explains the figures.
 */
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { writeConfigs, writeManyFileModelConfig } = require("./generate");
const { measure } = require("./measure");

const ROOT = path.resolve(__dirname, "..");
const TEMPLATE = path.join(__dirname, "template");

const TARGETS = { synthTime: 0.1, synthMemory: 0.15, tests: 1.5, scaling: 3 };
const SIZES = [
  { environments: 1, deployments: 3 },
  { environments: 5, deployments: 3 },
  { environments: 20, deployments: 3 },
  { environments: 1, deployments: 1 },
  { environments: 1, deployments: 5 },
  { environments: 1, deployments: 20 },
];
const FULL = SIZES[0];
/** Files in the many-file model case: a folder of this many files becomes as many blob resources, plus two. */
const MODEL_FILES = 2000;

function option(name, fallback) {
  const arg = process.argv.slice(2).find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.split("=")[1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number >= 1`);
  return value;
}
const RUNS = option("runs", 3);
const TEMPLATE_RUNS = option("template-runs", 1);

const log = (line) => process.stderr.write(`${line}\n`);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const sizeLabel = ({ environments, deployments }) =>
  `${environments} env${environments === 1 ? "" : "s"} × ${deployments} deployment${deployments === 1 ? "" : "s"}`;
/** A path as one shell word. */
const q = (p) => JSON.stringify(p);
const appOf = (dir) => JSON.parse(fs.readFileSync(path.join(dir, "cdktf.json"), "utf8")).app;

/** The baseline's own tool chain (TypeScript 5, ts-node, ts-jest): TypeScript 7 has no compiler API for them. */
function ensureTemplateToolchain() {
  const installed = path.join(TEMPLATE, "node_modules", ".package-lock.json");
  const lock = path.join(TEMPLATE, "package-lock.json");
  if (fs.existsSync(installed) && fs.statSync(installed).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  log("Installing the template baseline's tool chain into bench/template/node_modules (once) ...");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: TEMPLATE, stdio: ["ignore", 2, 2] });
}

/**
 * Runs each spec's command `runs` times, taking turns between specs (A, B, A, B, ...) so that a burst of load from
 * elsewhere on the machine falls on both sides of a comparison. Per spec: the median wall time and median peak
 * memory, or the failure.
 */
async function sample(specs) {
  const state = specs.map(() => ({ seconds: [], peaks: [], failed: false }));
  const rounds = Math.max(...specs.map((s) => s.runs));
  for (let round = 0; round < rounds; round++) {
    for (const [i, spec] of specs.entries()) {
      const st = state[i];
      if (round >= spec.runs || st.failed) continue;
      spec.before?.();
      const result = await measure(spec.command, { cwd: spec.cwd, env: { ...process.env, CHECKPOINT_DISABLE: "1", ...spec.env } });
      const problem = result.code !== 0 ? `exit code ${result.code}` : spec.check?.();
      if (problem) {
        log(`FAILED ${spec.label}: ${problem}\n$ ${spec.command}\n${result.output.split("\n").slice(-30).join("\n")}`);
        st.failed = true;
        continue;
      }
      spec.after?.();
      st.seconds.push(result.seconds);
      if (result.peakMB !== null) st.peaks.push(result.peakMB);
      log(`  ${spec.label} ${result.seconds.toFixed(2)} s ${result.peakMB === null ? "" : `${result.peakMB.toFixed(0)} MB`}`);
    }
  }
  return state.map((st) =>
    st.failed ? { failed: true } : { seconds: median(st.seconds), peakMB: st.peaks.length > 0 ? median(st.peaks) : null },
  );
}

/** The synthesized stack folders under `out`, and the resources of the first serving stack. */
function synthesized(out) {
  const stacksDir = path.join(out, "stacks");
  const stacks = fs.existsSync(stacksDir) ? fs.readdirSync(stacksDir).filter((s) => s.startsWith("serving-")) : [];
  const first = stacks.sort()[0];
  const file = first && path.join(stacksDir, first, "cdk.tf.json");
  const resources = file && fs.existsSync(file)
    ? Object.values(JSON.parse(fs.readFileSync(file, "utf8")).resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0)
    : 0;
  return { stacks: stacks.length, resources };
}

const cell = (r) => (!r ? "–" : r.failed ? "FAILED" : `${r.seconds.toFixed(2)} s · ${r.peakMB === null ? "n/a" : `${r.peakMB.toFixed(0)} MB`}`);
const ratio = (a, b, field) => (a && b && !a.failed && !b.failed && a[field] !== null && b[field] !== null ? a[field] / b[field] : undefined);

async function main() {
  ensureTemplateToolchain();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "serving-bench-"));
  const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
  process.on("SIGINT", () => {
    cleanup();
    process.exit(130);
  });
  try {
    return await measureAll(tmp);
  } finally {
    cleanup();
  }
}

async function measureAll(tmp) {
  const productApp = appOf(ROOT);
  const templateApp = appOf(TEMPLATE);
  // The product's compile cache lives in the temp folder too; the first run below fills it.
  const tsRunCache = path.join(tmp, "ts-run-cache");
  const out = path.join(tmp, "out");
  const fresh = () => fs.rmSync(out, { recursive: true, force: true });
  const expect = (want) => () => {
    const got = synthesized(out);
    if (got.stacks !== want.environments) return `expected ${want.environments} serving stacks, found ${got.stacks}`;
    return undefined;
  };
  const rows = [];
  const resources = {};
  let cold;
  log(`Product app: ${productApp}\nTemplate app: ${templateApp} (in bench/template)\n`);

  for (const size of SIZES) {
    const label = sizeLabel(size);
    const configDir = writeConfigs(path.join(tmp, `config-${size.environments}x${size.deployments}`), size);
    const productEnv = { SERVING_CONFIG_DIR: configDir, TS_RUN_CACHE: tsRunCache };
    const templateEnv = { BENCH_ENVIRONMENTS: String(size.environments), BENCH_DEPLOYMENTS: String(size.deployments) };
    log(`${label}:`);
    if (!cold) {
      [cold] = await sample([{
        label: "product app alone, empty compile cache", command: productApp,
        cwd: ROOT, env: { ...productEnv, CDKTF_OUTDIR: out }, runs: 1, check: expect(size), before: fresh,
      }]);
    }
    const row = { label };
    // The ratio targets compare the full-featured row, so there the template runs as often as the product.
    const templateRuns = size === FULL ? Math.max(RUNS, TEMPLATE_RUNS) : TEMPLATE_RUNS;
    [row.productCli, row.templateCli, row.productApp, row.templateApp] = await sample([
      {
        label: "product npm run synth", command: `npm run synth --silent -- --output ${q(out)}`,
        cwd: ROOT, env: productEnv, runs: RUNS, check: expect(size), before: fresh,
        after: () => size === FULL && (resources.product = synthesized(out).resources),
      },
      {
        label: "template npm run synth", command: `npm run synth --silent -- --output ${q(out)}`,
        cwd: TEMPLATE, env: templateEnv, runs: templateRuns, check: expect(size), before: fresh,
        after: () => size === FULL && (resources.template = synthesized(out).resources),
      },
      {
        label: "product app alone", command: productApp,
        cwd: ROOT, env: { ...productEnv, CDKTF_OUTDIR: out }, runs: RUNS, check: expect(size), before: fresh,
      },
      {
        label: "template app alone", command: templateApp,
        cwd: TEMPLATE, env: { ...templateEnv, CDKTF_OUTDIR: out }, runs: TEMPLATE_RUNS, check: expect(size), before: fresh,
      },
    ]);
    rows.push(row);
  }
  fresh();

  log(`A local model folder of ${MODEL_FILES} files (1 env × 1 deployment), product \`npm run synth\`:`);
  const manyConfig = writeManyFileModelConfig(path.join(tmp, "config-many-files"), MODEL_FILES);
  let manyFileResources = 0;
  const [manyFiles] = await sample([{
    label: `product npm run synth, ${MODEL_FILES}-file model`, command: `npm run synth --silent -- --output ${q(out)}`,
    cwd: ROOT, env: { SERVING_CONFIG_DIR: manyConfig, TS_RUN_CACHE: tsRunCache }, runs: RUNS, check: expect({ environments: 1 }), before: fresh,
    after: () => (manyFileResources = synthesized(out).resources),
  }]);
  const manyFileRow = { files: MODEL_FILES, resources: manyFileResources, result: manyFiles };
  fresh();
  const fullConfig = path.join(tmp, `config-${FULL.environments}x${FULL.deployments}`);

  log("The product through the cdktf CLI (as `cdktf diff` and `cdktf deploy` synthesize), 1 env × 3 deployments:");
  const viaCli = path.join(tmp, "out-cdktf-synth");
  const [productViaCdktf] = await sample([{
    label: "product cdktf synth", command: `npx cdktf synth --output ${q(viaCli)}`,
    cwd: ROOT, env: { SERVING_CONFIG_DIR: fullConfig, TS_RUN_CACHE: tsRunCache }, runs: RUNS,
    before: () => fs.rmSync(viaCli, { recursive: true, force: true }),
    check: () => (synthesized(viaCli).stacks === FULL.environments ? undefined : "no serving stack written"),
  }]);
  execFileSync("npm", ["run", "synth", "--silent", "--", "--output", out], {
    cwd: ROOT, env: { ...process.env, SERVING_CONFIG_DIR: fullConfig, TS_RUN_CACHE: tsRunCache }, stdio: "ignore",
  });
  const sameOutput = compareTrees(viaCli, out);
  fresh();

  log("App command candidates (1 env × 3 deployments, app alone):");
  const candidateEnv = { SERVING_CONFIG_DIR: fullConfig, CDKTF_OUTDIR: out };
  const dist = path.join(tmp, "dist");
  const candidateSpecs = [
    {
      command: "tsc -p tsconfig.build.json && node dist/main.js",
      note: "type-checking emit, then the compiled app",
      // As npm and the cdktf CLI run it: tsc from node_modules/.bin. The compiled app is in the temp folder, so its
      // packages resolve through NODE_PATH.
      run: `tsc -p tsconfig.build.json --outDir ${q(dist)} && node ${q(path.join(dist, "main.js"))}`,
      env: { NODE_PATH: path.join(ROOT, "node_modules"), PATH: `${path.join(ROOT, "node_modules", ".bin")}${path.delimiter}${process.env.PATH}` },
    },
    {
      command: "node scripts/ts-run.js main.ts",
      note: "swc on require, compile cache off (TS_RUN_CACHE=0)",
      run: "node scripts/ts-run.js main.ts",
      env: { TS_RUN_CACHE: "0" },
    },
    {
      command: "node scripts/ts-run.js main.ts",
      note: "swc on require, compile cache warm",
      run: "node scripts/ts-run.js main.ts",
      env: { TS_RUN_CACHE: tsRunCache },
    },
  ];
  const candidateResults = await sample(candidateSpecs.map((c) => ({
    label: c.note, command: c.run, cwd: ROOT, env: { ...candidateEnv, ...c.env }, runs: RUNS, check: expect(FULL), before: fresh,
  })));
  const candidates = candidateSpecs.map((c, i) => ({ ...c, result: candidateResults[i] }));
  fresh();

  log("Tests (each with an empty jest cache, as on CI):");
  const [productTest, templateTest] = await sample([
    {
      label: "product npm test", command: `npm test --silent -- --cacheDirectory ${q(path.join(tmp, "jest-product"))}`,
      cwd: ROOT, runs: 1, before: () => fs.rmSync(path.join(tmp, "jest-product"), { recursive: true, force: true }),
    },
    {
      label: "template snapshot test", command: `npm test --silent -- --ci --cacheDirectory ${q(path.join(tmp, "jest-template"))}`,
      cwd: TEMPLATE, runs: 1, before: () => fs.rmSync(path.join(tmp, "jest-template"), { recursive: true, force: true }),
    },
  ]);

  return report({ rows, resources, cold, candidates, productTest, templateTest, productApp, templateApp, productViaCdktf, sameOutput, manyFileRow });
}

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir) {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)))
    .sort();
}

/** Whether two synth outputs hold the same files with the same bytes: the files, and those that differ. */
function compareTrees(a, b) {
  const [left, right] = [filesUnder(a), filesUnder(b)];
  const all = [...new Set([...left, ...right])].sort();
  const differ = all.filter((f) => !left.includes(f) || !right.includes(f) || !fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f))));
  return { files: all.length, differ };
}

function report({ rows, resources, cold, candidates, productTest, templateTest, productApp, templateApp, productViaCdktf, sameOutput, manyFileRow }) {
  const lines = [];
  const print = (line = "") => lines.push(line);
  print(`Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? "unknown"}), ` +
    `${(os.totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}, ${os.platform()}. ` +
    `Product figures: median of ${RUNS} run${RUNS === 1 ? "" : "s"}; template figures: ${TEMPLATE_RUNS === 1 ? "one run" : `median of ${TEMPLATE_RUNS} runs`}, ` +
    `except \`npm run synth\` of one full environment: median of ${Math.max(RUNS, TEMPLATE_RUNS)}, taking turns with the product's. ` +
    "Peak memory: the largest sum of RSS over the whole process tree (npm, cdktf CLI, app).");
  print();
  print(`Product app: \`${productApp}\`. Template app: \`${templateApp}\` (barrel import, ts-node type-checks on every run).`);
  print(`Resources in one full-featured environment: product ${resources.product ?? "?"}, template ${resources.template ?? "?"}.`);
  print();
  print("| synth | product `npm run synth` | product app alone | template `npm run synth` | template app alone |");
  print("| --- | --- | --- | --- | --- |");
  for (const row of rows) {
    print(`| ${row.label} | ${cell(row.productCli)} | ${cell(row.productApp)} | ${cell(row.templateCli)} | ${cell(row.templateApp)} |`);
  }
  print();
  print("| many-file model (1 env × 1 deployment, local model folder) | resources in the stack | product `npm run synth` |");
  print("| --- | --- | --- |");
  print(`| ${manyFileRow.files} files | ${manyFileRow.resources} | ${cell(manyFileRow.result)} |`);
  print();
  print("| tests | product `npm test` (tsc --noEmit + all jest suites) | template: one ts-jest snapshot test |");
  print("| --- | --- | --- |");
  print(`| cold jest cache | ${cell(productTest)} | ${cell(templateTest)} |`);
  print();
  print("| the product's 1 env × 3 deployments through the cdktf CLI (what `cdktf diff` and `cdktf deploy` run first) | wall · peak |");
  print("| --- | --- |");
  print(`| \`npx cdktf synth\` (CHECKPOINT_DISABLE=1) | ${cell(productViaCdktf)} |`);
  print();
  print("| app command candidates (1 env × 3 deployments, app alone) | how | wall · peak |");
  print("| --- | --- | --- |");
  for (const c of candidates) print(`| \`${c.command}\` | ${c.note} | ${cell(c.result)} |`);
  print(`| \`${productApp}\` | the first run of this bench, empty compile cache | ${cell(cold)} |`);
  print();

  const full = rows[0];
  const twenty = rows.find((r) => r.label === sizeLabel({ environments: 20, deployments: 3 }));
  const checks = [
    ["synth time, 1 full env, `npm run synth` vs template", ratio(full.productCli, full.templateCli, "seconds"), TARGETS.synthTime],
    ["synth peak memory, same runs", ratio(full.productCli, full.templateCli, "peakMB"), TARGETS.synthMemory],
    ["`npm test` vs the template's single snapshot test", ratio(productTest, templateTest, "seconds"), TARGETS.tests],
    ["scaling, `npm run synth` of 20 envs vs 1 env", ratio(twenty.productCli, full.productCli, "seconds"), TARGETS.scaling],
  ];
  let failed = [rows.flatMap((r) => [r.productCli, r.productApp, r.templateCli, r.templateApp]), productTest, templateTest, cold, productViaCdktf, manyFileRow.result]
    .flat()
    .some((r) => r?.failed) || candidates.some((c) => c.result.failed);
  for (const [name, value, limit] of checks) {
    const ok = value !== undefined && value <= limit;
    failed ||= !ok;
    print(`${ok ? "PASS" : "FAIL"} ${name}: ${value === undefined ? "not measured" : `${value.toFixed(2)}×`} (target ≤ ${limit}×)`);
  }
  const same = sameOutput.differ.length === 0;
  failed ||= !same;
  print(`${same ? "PASS" : "FAIL"} \`npm run synth\` and \`cdktf synth\` write the same cdktf.out: ` +
    (same ? `${sameOutput.files} files, byte for byte` : `differ in ${sameOutput.differ.join(", ")}`));
  // Growth per environment from the 5- and 20-environment rows; what is left at one environment is the fixed start.
  const five = rows.find((r) => r.label === sizeLabel({ environments: 5, deployments: 3 }));
  for (const [name, field] of [["`npm run synth`", "productCli"], ["app alone", "productApp"]]) {
    const [a, b, one] = [five[field], twenty[field], full[field]];
    if ([a, b, one].some((r) => !r || r.failed)) continue;
    const perEnv = (b.seconds - a.seconds) / 15;
    print(`info ${name}: ${perEnv < 0 ? "−" : "+"}${Math.abs(perEnv * 1000).toFixed(0)} ms per environment over ${(one.seconds - perEnv).toFixed(2)} s fixed; ` +
      `20 envs vs 1 env ${(b.seconds / one.seconds).toFixed(2)}×`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    log(error.stack ?? String(error));
    process.exit(1);
  },
);
