/** Shared fixtures and helpers for the plan-review tests. */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CliIO, main } from "../../lib/review/cli";
import { classifyPlan, parsePlanJson, RawPlan, StackPlan } from "../../lib/review/plan";

export const REPO = path.resolve(__dirname, "../..");
export const PLANS = path.join(REPO, "__tests__/fixtures/plans");
export const SYNTH = path.join(REPO, "__tests__/fixtures/synth");

/** Path of a real `terraform show -json` fixture (see scripts/plan-fixtures.sh). */
export function planPath(stack: string): string {
  return path.join(PLANS, `${stack}.json`);
}

/** A fresh, mutable copy of a fixture plan's JSON. */
export function loadPlanJson(stack: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(planPath(stack), "utf8"));
}

/** Parses and classifies plan JSON as the CLI does. */
export function classify(json: unknown, stack = "serving-dev"): StackPlan {
  return classifyPlan(parsePlanJson(JSON.stringify(json), `${stack}.json`), stack, `${stack}.json`);
}

/** The raw plan of a fixture, validated. */
export function rawPlan(stack: string): RawPlan {
  return parsePlanJson(fs.readFileSync(planPath(stack), "utf8"), planPath(stack));
}

/** The `resource_changes` entry of an address in a plan JSON copy. */
export function resourceChange(plan: Record<string, any>, address: string): Record<string, any> {
  const found = plan["resource_changes"].find((rc: { address: string }) => rc.address === address);
  if (!found) throw new Error(`no ${address} in fixture`);
  return found;
}

/** Runs the CLI in-process and captures its output. */
export function runCli(argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = "";
  let stderr = "";
  const io: CliIO = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) };
  const code = main(argv, io);
  return { code, stdout, stderr };
}

/** A temp folder removed by the caller's afterEach/afterAll. */
export function tempDir(prefix = "plan-review-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes `cdk.tf.json` files under `<dir>/stacks/<name>/`. */
export function writeSynthDir(dir: string, stacks: Record<string, unknown>): string {
  for (const [name, json] of Object.entries(stacks)) {
    fs.mkdirSync(path.join(dir, "stacks", name), { recursive: true });
    fs.writeFileSync(path.join(dir, "stacks", name, "cdk.tf.json"), JSON.stringify(json));
  }
  return dir;
}

/** Freezes a JSON tree so any mutation throws in strict mode. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value as object)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Lines of the GitHub alert block that starts with `> [!KIND]`, without the "> " prefix. */
export function alertBlock(markdown: string, kind: string, from = 0): string[] {
  const lines = markdown.slice(from).split("\n");
  const start = lines.indexOf(`> [!${kind}]`);
  if (start < 0) return [];
  const block: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith(">")) break;
    block.push(line.replace(/^> ?/, ""));
  }
  return block;
}

/** The text of one stack's section (from its ### heading to the next one). */
export function stackSection(markdown: string, stack: string): string {
  const start = markdown.indexOf(`### \`${stack}\``);
  if (start < 0) throw new Error(`no section for ${stack}`);
  const next = markdown.indexOf("\n### ", start + 1);
  return markdown.slice(start, next < 0 ? undefined : next);
}

/** A hand-built stack plan with nothing in it, for renderer tests; `extra` fills in what a test needs. */
export function stackPlan(stack: string, extra: Partial<StackPlan> = {}): StackPlan {
  return {
    stack,
    source: `${stack}.json`,
    formatVersion: "1.2",
    errored: false,
    resources: [],
    drift: [],
    outputs: [],
    counts: { import: 0, add: 0, change: 0, destroy: 0, forget: 0 },
    ...extra,
  };
}
