import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baseConfig, configDir, deployment } from "../helpers/config-dir";

const ROOT = join(__dirname, "..", "..");
/** The test-owned copy of the sample environments; the user's own config/ is never read by tests. */
const FIXTURE_CONFIG = join(__dirname, "..", "fixtures", "config");

/** Runs the real app (main.ts) as `cdktf synth` would, with its own config folder and output folder. */
function runApp(configFolder: string) {
  const outdir = join(mkdtempSync(join(tmpdir(), "app-out-")), "cdktf.out");
  const result = spawnSync(process.execPath, ["scripts/ts-run.js", "main.ts"], {
    cwd: ROOT,
    env: { ...process.env, SERVING_CONFIG_DIR: configFolder, CDKTF_OUTDIR: outdir },
    encoding: "utf8",
  });
  const written = existsSync(join(outdir, "stacks")) ? readdirSync(join(outdir, "stacks")).sort() : [];
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, outdir, written };
}

describe("the app", () => {
  test("synthesizes one serving stack per environment and one state stack per state account", () => {
    const run = runApp(FIXTURE_CONFIG);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.written).toEqual(["serving-dev", "serving-prod", "state-stchurntfstate01"]);
    const dev = JSON.parse(readFileSync(join(run.outdir, "stacks", "serving-dev", "cdk.tf.json"), "utf8"));
    expect(dev.terraform.backend.azurerm.key).toBe("serving-dev.tfstate");
    expect(run.stdout).toContain("guardrail waived workspace-public at serving-dev/ml/workspace: dev is reached from developer laptops without a VPN");
    // The fixtures keep the datastore model paths the samples had: config warnings go to stdout and the synth goes on.
    expect(run.stdout).toContain(
      "warning model-path-not-yet-there: __tests__/fixtures/config/dev.yaml:30: endpoint.deployments[0].model.path: points into a datastore of the workspace this stack creates",
    );
    expect(run.stdout).toContain("warning model-path-not-yet-there: __tests__/fixtures/config/dev.yaml:54: batch[0].deployments[0].model.path: ");
  });

  test("bad config: every problem on stderr, exit 1, no stack trace, nothing written", () => {
    const run = runApp(
      configDir({
        "dev.yaml": baseConfig({ compute: { name: "cpu", vm_size: "STANDARD_D2_V2", min_nodes: 3, max_nodes: 2 } }),
        "prod.yaml": "project: churn\nlocation: [\n",
      }),
    );
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines[0]).toMatch(/^Config is invalid \(\d+ problems\):$/);
    expect(lines).toContainEqual(expect.stringMatching(/dev\.yaml:9: compute\.min_nodes: must be <= compute\.max_nodes \(2\) \(got 3\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/prod\.yaml:\d+: is not valid YAML: /));
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(run.outdir)).toBe(false);
  });

  test("an unwaived guardrail error: exit 1 with the rule, the path and how to waive, and no stack written", () => {
    const run = runApp(
      configDir({
        "dev.yaml": baseConfig({ endpoint: { name: "churn-dev", auth_mode: "key", deployments: [deployment({ instance_count: 3 })] } }),
      }),
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^guardrail error endpoint-key-auth in serving-dev, 1 place:\n {2}\S*dev\.yaml:\d+: endpoint\.auth_mode: authMode is "Key" \(at serving-dev\/endpoint\/endpoint\)$/m);
    expect(run.stderr).toMatch(/To waive, add to .*dev\.yaml: waivers: \[\{ rule: endpoint-key-auth, reason: /);
    expect(run.stderr).toMatch(/1 guardrail error: no stack was written\./);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.written).toEqual([]);
  });
});
