#!/usr/bin/env node
"use strict";
/**
 * `npm run synth [-- --output DIR]`: what `cdktf synth` does for this project, without starting the cdktf CLI.
 *
 * The CLI spends about 2 s and 275 MB before it starts the app (its bundle, four `terraform version` calls), logs
 * every app error twice, and calls HashiCorp's checkpoint service. The app does the work, so this runs the `app`
 * command of cdktf.json with the environment the CLI gives it (cdktf-cli 0.21, @cdktf/cli-core synth-stack.ts):
 * CDKTF_OUTDIR, CDKTF_CONTEXT_JSON (cdktf.json's context plus `cdktfRelativeModules`),
 * CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS and SYNTH_HCL_OUTPUT. cdktf.out then holds the same manifest.json and
 * stacks/<stack>/cdk.tf.json, byte for byte. `cdktf diff` and `cdktf deploy` still synthesize through cdktf.json.
 *
 * An app command `node <script> [args]` runs in this process (one Node process fewer: ~40 MB and ~50 ms); any other
 * command runs in a shell. The app prints its own problems once and removes stale stack JSON on failure (main.ts);
 * this adds what the CLI adds on success: warning annotations and the list of stacks written.
 */
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const USAGE = `Usage: npm run synth [-- --output DIR]

Synthesizes every environment of config/ (or SERVING_CONFIG_DIR) into cdktf.out/ (or DIR),
as \`cdktf synth\` does, without starting the cdktf CLI.
`;

function fail(message) {
  process.stderr.write(`synth: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    if (flag === "-h" || flag === "--help") {
      process.stdout.write(USAGE);
      process.exit(0);
    } else if (flag === "-o" || flag === "--output") {
      const value = flag === arg ? argv[++i] : arg.slice(eq + 1);
      if (!value) fail(`${flag} needs a folder`);
      args.output = value;
    } else {
      fail(`unknown argument ${arg}`);
    }
  }
  return args;
}

/** The environment `cdktf synth` runs the app with. */
function cliEnvironment(config, outdir) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("TF_VAR_")));
  // The CLI replaces CDKTF_CONTEXT_JSON with cdktf.json's context when it has one (@cdktf/commons config.ts).
  const context = config.context ?? (process.env.CDKTF_CONTEXT_JSON ? JSON.parse(process.env.CDKTF_CONTEXT_JSON) : {});
  const relativeModules = (config.terraformModules ?? []).filter((m) => /^\.\.?\//.test(typeof m === "string" ? m : m.source));
  return {
    ...env,
    CDKTF_OUTDIR: outdir,
    CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true",
    CDKTF_CONTEXT_JSON: JSON.stringify({ ...context, cdktfRelativeModules: relativeModules }),
    SYNTH_HCL_OUTPUT: "false",
  };
}

/** After a successful app run: warning and info annotations (errors fail the app itself), then the stacks. */
function reportSynthesized(outdir) {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
  } catch {
    process.stderr.write(`synth: the app wrote no ${path.join(outdir, "manifest.json")}: did it call app.synth()?\n`);
    return 1;
  }
  const stacks = Object.values(manifest.stacks);
  const levels = { "@cdktf/warn": "WARN", "@cdktf/info": "INFO" };
  const notes = stacks.flatMap((s) => s.annotations.filter((a) => levels[a.level]).map((a) => `${levels[a.level]} [${a.constructPath}]: ${a.message}`));
  const names = stacks.map((s) => s.name);
  if (names.length === 0) {
    fs.writeSync(2, "synth: no stack was synthesized\n");
    return 1;
  }
  fs.writeSync(1, `${[...notes, `Generated Terraform code for the stacks: ${names.join(", ")}`].join("\n")}\n`);
  return 0;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const config = JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8"));
  // As npm runs scripts: from the project root, where cdktf.json's relative paths start.
  process.chdir(ROOT);
  const outdir = args.output ?? config.output ?? "cdktf.out";
  const env = cliEnvironment(config, outdir);
  const inProcess = /^node\s+(\S+)((?:\s+\S+)*)\s*$/.exec(config.app);

  if (!inProcess) {
    const result = spawnSync(config.app, { shell: true, stdio: "inherit", env });
    process.exit(result.status === 0 ? reportSynthesized(outdir) : (result.status ?? 1));
  }
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  Object.assign(process.env, env);
  // The app ends by exiting (failure) or by running out of work (success); either way this runs last.
  process.on("exit", (code) => {
    if (code === 0) process.exitCode = reportSynthesized(outdir);
  });
  const [, script, rest] = inProcess;
  process.argv = [process.argv[0], path.resolve(script), ...rest.trim().split(/\s+/).filter(Boolean)];
  require(path.resolve(script));
}

main();
