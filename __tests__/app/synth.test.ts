import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { baseConfig, configDir, deployment } from "../helpers/config-dir";

const ROOT = join(__dirname, "..", "..");
const PRELOAD_PROPS_ERROR = join(__dirname, "fixtures", "props-error-preload.js");
const PRELOAD_ERROR_ANNOTATION = join(__dirname, "fixtures", "error-annotation-preload.js");

/** Runs `npm run synth`'s script (scripts/synth.js) with a config folder and an output folder, as npm would. */
function synth(configFolder: string, outdir: string, options: { nodeArgs?: string[]; args?: string[]; env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(process.execPath, [...(options.nodeArgs ?? []), "scripts/synth.js", "--output", outdir, ...(options.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, SERVING_CONFIG_DIR: configFolder, ...options.env },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: result.stdout + result.stderr };
}

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

const devOnly = () => configDir({ "dev.yaml": baseConfig() });

describe("npm run synth (scripts/synth.js)", () => {
  // One successful synth, over an earlier output that has what `terraform init` adds to a stack folder and the folder
  // of a stack that is gone; each failure below starts from a copy of its output, as a user's cdktf.out would be.
  let good: string;
  let first: ReturnType<typeof synth>;
  beforeAll(() => {
    good = join(mkdtempSync(join(tmpdir(), "synth-good-")), "cdktf.out");
    mkdirSync(join(good, "stacks", "serving-dev", ".terraform"), { recursive: true });
    writeFileSync(join(good, "stacks", "serving-dev", ".terraform.lock.hcl"), "# lock\n");
    mkdirSync(join(good, "stacks", "serving-old"));
    writeFileSync(join(good, "stacks", "serving-old", "cdk.tf.json"), "{}");
    first = synth(devOnly(), good);
  });

  function earlierOutput(): string {
    const outdir = join(mkdtempSync(join(tmpdir(), "synth-again-")), "cdktf.out");
    cpSync(good, outdir, { recursive: true });
    return outdir;
  }

  test("writes the manifest and one stack folder per stack, and says which stacks it wrote, once", () => {
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(filesUnder(good)).toEqual(
      expect.arrayContaining(["manifest.json", "stacks/serving-dev/cdk.tf.json", "stacks/state-sttfstate01/cdk.tf.json"]),
    );
    const manifest = JSON.parse(readFileSync(join(good, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks).sort()).toEqual(["serving-dev", "state-sttfstate01"]);
    expect(manifest.stacks["serving-dev"]).toEqual(
      expect.objectContaining({ synthesizedStackPath: "stacks/serving-dev/cdk.tf.json", workingDirectory: "stacks/serving-dev" }),
    );
    expect(first.stdout.trim().split("\n").at(-1)).toBe("Generated Terraform code for the stacks: serving-dev, state-sttfstate01");
  });

  test("needs no Terraform on the machine: the workspace's moved block does not make cdktf run `terraform version`", () => {
    // A PATH with node alone: cdktf checks the Terraform version at synth for resources moved with moveFromId(), and
    // without a binary that check fails the synth. A fresh machine runs `npm run synth` before installing Terraform.
    const bin = mkdtempSync(join(tmpdir(), "synth-no-terraform-bin-"));
    symlinkSync(process.execPath, join(bin, "node"));
    const outdir = join(mkdtempSync(join(tmpdir(), "synth-no-terraform-")), "cdktf.out");
    const result = synth(devOnly(), outdir, { env: { PATH: bin } });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const stack = JSON.parse(readFileSync(join(outdir, "stacks", "serving-dev", "cdk.tf.json"), "utf8"));
    expect(stack.moved).toEqual([
      { from: expect.stringMatching(/^azurerm_machine_learning_workspace\./), to: expect.stringMatching(/^azapi_resource\./) },
    ]);
    expect(stack.moved[0].from.split(".")[1]).toBe(stack.moved[0].to.split(".")[1]);
  });

  test("keeps Terraform's files in a stack folder and removes the folder of a stack that is gone, as cdktf synth does", () => {
    expect(existsSync(join(good, "stacks", "serving-old"))).toBe(false);
    expect(filesUnder(join(good, "stacks", "serving-dev"))).toEqual([".terraform.lock.hcl", "cdk.tf.json"]);
    expect(existsSync(join(good, "stacks", "serving-dev", ".terraform"))).toBe(true);
  });

  /** After a failed synth: exit 1, the problem printed exactly once, no stack JSON or manifest, Terraform's files kept. */
  function expectFailedWithoutStaleOutput(run: ReturnType<typeof synth>, outdir: string, problem: string) {
    expect(run.status).toBe(1);
    expect(occurrences(run.output, problem)).toBe(1);
    expect(run.output).not.toMatch(/^\s+at /m);
    expect(run.output).not.toContain("Generated Terraform code");
    const left = filesUnder(outdir);
    expect(left.filter((f) => f.endsWith("cdk.tf.json") || f === "manifest.json")).toEqual([]);
    expect(left).toContain("stacks/serving-dev/.terraform.lock.hcl");
  }

  test("bad config after an earlier successful synth: the problem once, exit 1, no stack JSON left", () => {
    const outdir = earlierOutput();
    const bad = configDir({ "dev.yaml": baseConfig({ compute: { name: "cpu-cluster", vm_size: "STANDARD_D2_V2", min_nodes: 3, max_nodes: 2 } }) });
    const run = synth(bad, outdir);
    expectFailedWithoutStaleOutput(run, outdir, "compute.min_nodes: must be <= compute.max_nodes (2) (got 3)");
  });

  test("an unwaived guardrail error after an earlier successful synth: reported once, exit 1, no stack JSON left", () => {
    const outdir = earlierOutput();
    const keyAuth = configDir({
      "dev.yaml": baseConfig({ endpoint: { name: "churn-dev", auth_mode: "key", deployments: [deployment({ instance_count: 3 })] } }),
    });
    const run = synth(keyAuth, outdir);
    expectFailedWithoutStaleOutput(run, outdir, "guardrail error endpoint-key-auth");
  });

  test("a construct invariant after an earlier successful synth: reported once, exit 1, no stack JSON left", () => {
    const outdir = earlierOutput();
    const run = synth(devOnly(), outdir, { nodeArgs: ["--require", PRELOAD_PROPS_ERROR] });
    expectFailedWithoutStaleOutput(run, outdir, "ComputeCluster: minNodes: must be <= maxNodes (2) (got 3)");
  });

  test("an error annotation, which cdktf writes stacks despite under synth: reported once, exit 1, no stack JSON left", () => {
    const outdir = earlierOutput();
    const run = synth(devOnly(), outdir, { nodeArgs: ["--require", PRELOAD_ERROR_ANNOTATION] });
    expectFailedWithoutStaleOutput(run, outdir, "test error annotation");
    expect(run.stderr).toContain("[state-sttfstate01] test error annotation\n1 error: no stack was written.");
  });

  test("an unknown argument is a usage error (exit 2) that writes nothing", () => {
    const outdir = join(mkdtempSync(join(tmpdir(), "synth-usage-")), "cdktf.out");
    const run = synth(devOnly(), outdir, { args: ["--bogus"] });
    expect(run.status).toBe(2);
    expect(run.stderr.split("\n")[0]).toBe("synth: unknown argument --bogus");
    expect(existsSync(outdir)).toBe(false);
  });
});

describe("copies of local models in cdktf.out", () => {
  // 3 MB: big enough to be a model, small enough for every test run.
  const modelBytes = (fill: number) => Buffer.alloc(3 * 1024 * 1024, fill);
  const withLocalModel = () =>
    baseConfig({
      endpoint: {
        name: "churn-dev-7q",
        deployments: [deployment({ model: { name: "churn-gbm", path: "models/churn.onnx", type: "custom_model" } })],
      },
    });

  test("two synths with a retrained model leave only the current copy, and the code's copy stays", () => {
    const config = configDir({ "dev.yaml": withLocalModel() });
    mkdirSync(join(config, "models"));
    writeFileSync(join(config, "models", "churn.onnx"), modelBytes(7));
    const outdir = join(mkdtempSync(join(tmpdir(), "synth-model-")), "cdktf.out");
    expect(synth(config, outdir).status).toBe(0);
    writeFileSync(join(config, "models", "churn.onnx"), modelBytes(9));
    const second = synth(config, outdir);
    expect(second.stderr).toBe("");
    expect(second.status).toBe(0);

    const assets = filesUnder(join(outdir, "stacks", "serving-dev", "assets"));
    const models = assets.filter((f) => f.endsWith("/churn.onnx"));
    expect(models).toHaveLength(1);
    expect(readFileSync(join(outdir, "stacks", "serving-dev", "assets", models[0])).equals(modelBytes(9))).toBe(true);
    // The copy the stack JSON uploads is the one left.
    const stack = readFileSync(join(outdir, "stacks", "serving-dev", "cdk.tf.json"), "utf8");
    expect(stack).toContain(`assets/${models[0]}`);
    expect(assets.filter((f) => f.endsWith("/score.py"))).toHaveLength(1);
  });

  test("a stack that no longer uploads anything loses its assets folder", () => {
    const config = configDir({ "dev.yaml": withLocalModel() });
    mkdirSync(join(config, "models"));
    writeFileSync(join(config, "models", "churn.onnx"), modelBytes(5));
    const outdir = join(mkdtempSync(join(tmpdir(), "synth-model-")), "cdktf.out");
    expect(synth(config, outdir).status).toBe(0);
    expect(existsSync(join(outdir, "stacks", "serving-dev", "assets"))).toBe(true);
    writeFileSync(join(config, "dev.yaml"), JSON.stringify(baseConfig()));
    expect(synth(config, outdir).status).toBe(0);
    expect(existsSync(join(outdir, "stacks", "serving-dev", "assets"))).toBe(false);
    expect(existsSync(join(outdir, "stacks", "serving-dev", "cdk.tf.json"))).toBe(true);
  });
});

describe("package.json", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

  test("npm run synth runs the app directly, not through the cdktf CLI", () => {
    expect(pkg.scripts.synth).toBe("node scripts/synth.js");
  });

  test("npm run help prints the cheat sheet in the top-level help file", () => {
    // The script's own command, as npm runs it (from the project root, in a shell), without npm's start-up.
    const run = spawnSync(pkg.scripts.help, { cwd: ROOT, shell: true, encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(readFileSync(join(ROOT, "help"), "utf8"));
  });
});
