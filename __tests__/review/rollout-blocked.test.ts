/**
 * Acceptance of issue 21, point 1: base/head config pairs (fixtures/rollout-blocked), synthesized by the real app
 * (scripts/synth.js) at test time, make the review exit 3 with a Blocked entry per refused change, naming the
 * environment, the resource and the YAML field; the same head with a waiver of each rule exits 0 and shows warnings.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROLLOUT_RULE_IDS } from "../../lib/guardrails/rule-ids";
import { AZURE_REFUSES } from "../../lib/review/force-new";
import { alertBlock, planPath, REPO, runCli, tempDir } from "./helpers";

const FIXTURES = path.join(REPO, "__tests__", "fixtures", "rollout-blocked");

/** Synthesizes one fixture folder as `npm run synth` does; returns the output folder and what the synth printed. */
function synth(side: "base" | "head" | "waived", root: string): { dir: string; output: string } {
  const dir = path.join(root, side);
  const result = spawnSync(process.execPath, ["scripts/synth.js", "--output", dir], {
    cwd: REPO,
    env: { ...process.env, SERVING_CONFIG_DIR: path.join(FIXTURES, side) },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`synth of ${side} failed:\n${result.stdout}${result.stderr}`);
  return { dir, output: result.stdout + result.stderr };
}

let root: string;
let base: string;
let head: string;
let waived: { dir: string; output: string };
// One synth per hook: each stays well inside jest's default hook budget.
beforeAll(() => {
  root = tempDir("rollout-blocked-");
  base = synth("base", root).dir;
});
beforeAll(() => {
  head = synth("head", root).dir;
});
beforeAll(() => {
  waived = synth("waived", root);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Each refused change the fixtures make: its rule, environment, and YAML field. */
const CASES = [
  ["rollout-live-deployment-removed", "serve", "endpoint.deployments[name=blue]"],
  ["rollout-version-redefined", "serve", "endpoint.deployments[name=green].model"],
  ["rollout-batch-default-removed", "serve", "batch[name=churn-serve-batch].deployments[name=nightly]"],
  ["rollout-network-isolation-changed", "netiso", "network.isolation"],
  ["rollout-network-outbound-changed", "netout", "network.outbound"],
  ["rollout-egress-changed", "serve", "endpoint.deployments[name=green].egress_public_network_access"],
] as const;

const items = (block: string[]) => block.filter((l) => l.startsWith("- "));

it("the table of refused changes has exactly the rollout waiver ids the config accepts", () => {
  expect(Object.values(AZURE_REFUSES).map((r) => r.rule).sort()).toEqual([...ROLLOUT_RULE_IDS].sort());
});

describe("--synth-diff of the base and head fixtures", () => {
  let result: ReturnType<typeof runCli>;
  let blocked: string[];
  beforeAll(() => {
    result = runCli(["--synth-diff", base, head]);
    blocked = items(alertBlock(result.stdout, "CAUTION"));
  });

  it("exits 3", () => {
    expect(result.code).toBe(3);
    expect(result.stderr).toBe("");
  });

  it("starts with the Blocked section, one entry per refused change", () => {
    expect(result.stdout.split("\n").slice(1, 5)).toEqual(["## Synthesized configuration diff", "", "### Blocked", ""]);
    expect(blocked).toHaveLength(CASES.length);
  });

  it.each(CASES)("%s: blocked, naming environment %s and field %s", (rule, environment, field) => {
    const entry = blocked.filter((l) => l.includes(`Rule \`${rule}\`.`));
    expect(entry).toHaveLength(1);
    expect(entry[0]).toContain(`environment \`${environment}\` · field \`${field}\` · \`serving-${environment}\` · \``);
  });

  it("an instance type changed in place is a warning, not blocked", () => {
    expect(blocked.join("\n")).not.toContain("Instance type changed");
    const warnings = items(alertBlock(result.stdout, "CAUTION", result.stdout.indexOf("rollout warnings**") - 20));
    expect(warnings.filter((l) => l.includes("**Instance type changed in place**"))).toEqual([
      expect.stringContaining("field `endpoint.deployments[name=green].instance_type`"),
    ]);
  });
});

describe("the plan review with --synth-base", () => {
  it("exits 3 with the same Blocked section above the stacks", () => {
    const { code, stdout } = runCli(["--synth-dir", head, "--synth-base", base, planPath("serving-dev")]);
    expect(code).toBe(3);
    expect(stdout.split("\n").slice(1, 4)).toEqual(["## Terraform plan review", "", "### Blocked"]);
    expect(items(alertBlock(stdout, "CAUTION"))).toHaveLength(CASES.length);
  });

  it("exits 0 when nothing is refused", () => {
    const { code, stdout } = runCli(["--synth-dir", head, "--synth-base", head, planPath("serving-dev")]);
    expect(code).toBe(0);
    expect(stdout).not.toContain("### Blocked");
  });
});

describe("--synth-diff of the base and the waived head", () => {
  let result: ReturnType<typeof runCli>;
  beforeAll(() => {
    result = runCli(["--synth-diff", base, waived.dir]);
  });

  it("exits 0 with no Blocked section", () => {
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("### Blocked");
  });

  it.each(CASES)("%s: a warning that shows the waiver's reason", (rule, environment, field) => {
    const warnings = items(alertBlock(result.stdout, "CAUTION")).filter((l) => l.includes(`**Waived** (\`${rule}\`): `));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`environment \`${environment}\` · field \`${field}\``);
    const yaml = fs.readFileSync(path.join(FIXTURES, "waived", `${environment}.yaml`), "utf8");
    const reason = new RegExp(`rule: ${rule}\\n\\s+reason: (.*)\\n`).exec(yaml)![1]!;
    expect(warnings[0]).toContain(`: ${reason}.`);
  });

  it("the waivers reach the stack's metadata, and only the stacks that have them", () => {
    const meta = (dir: string, env: string) => JSON.parse(fs.readFileSync(path.join(dir, "stacks", `serving-${env}`, "cdk.tf.json"), "utf8"))["//"].metadata;
    expect(meta(waived.dir, "netout").rollout).toEqual({
      waivers: [{ rule: "rollout-network-outbound-changed", reason: "the managed network was never provisioned" }],
    });
    expect(meta(waived.dir, "serve").rollout.waivers.map((w: { rule: string }) => w.rule)).toEqual([
      "rollout-live-deployment-removed",
      "rollout-version-redefined",
      "rollout-egress-changed",
      "rollout-batch-default-removed",
    ]);
    expect(meta(head, "serve").rollout).toBeUndefined();
    // Not guardrail waivers: the guardrail record never lists them.
    expect(meta(waived.dir, "serve").guardrails.waivers.map((w: { rule: string }) => w.rule)).not.toContain("rollout-egress-changed");
  });

  it("the synth does not call the rollout waivers unused", () => {
    expect(waived.output).toContain("Generated Terraform code");
    expect(waived.output).not.toMatch(/waiver of rollout-/);
  });
});
