/**
 * A code folder that holds links: a linked file is uploaded like any file, and a link to nothing is a config error
 * with its file and line, never a crash.
 */
import { readdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { loadEnvironments } from "../../lib/config/load";
import { ServingStack } from "../../lib/stacks/serving-stack";
import { baseConfig, configDir, deployment, problemsOfDir } from "../helpers/config-dir";

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

const files = { "dev.yaml": baseConfig({ endpoint: { name: "churn-dev", deployments: [deployment({ instance_count: 3 })] } }), "shared/util.py": "HELPER = 1\n" };

test("a symlinked file in the code folder is uploaded with the folder's other files", () => {
  const dir = configDir(files);
  symlinkSync(join(dir, "shared", "util.py"), join(dir, "src", "util.py"));
  const [environment] = loadEnvironments({ configDir: dir });
  expect(environment.codeBundles.get(join(dir, "src"))!.files).toContain("util.py");
  const outdir = Testing.fullSynth(new ServingStack(Testing.app(), environment));
  const assets = join(outdir, "stacks", "serving-dev", "assets");
  const copied = filesUnder(assets).filter((f) => f.endsWith("/util.py"));
  expect(copied).toHaveLength(1);
  expect(readFileSync(join(assets, copied[0]!), "utf8")).toBe("HELPER = 1\n");
});

test("a link to nothing in the code folder is a config problem at code.path", () => {
  const dir = configDir(files);
  symlinkSync(join(dir, "shared", "gone.py"), join(dir, "src", "gone.py"));
  const problems = problemsOfDir(dir);
  expect(problems).toEqual([
    expect.stringMatching(
      /^dev\.yaml:\d+: endpoint\.deployments\[0\]\.code\.path: must not hold links that point at nothing \(gone\.py\): they cannot be uploaded; remove them or point them at a file \(got "src"\)$/,
    ),
  ]);
});

test("a code folder shared by an online and a batch deployment is told about its link to nothing once", () => {
  const nightly = { name: "nightly", model: "azureml:churn:3", environment: "azureml:env:1", code: { path: "src", scoring_script: "batch_score.py" } };
  const dir = configDir({ ...files, "dev.yaml": baseConfig({ ...(files["dev.yaml"] as object), batch: [{ name: "churn-batch", deployments: [nightly] }] }) });
  symlinkSync(join(dir, "shared", "gone.py"), join(dir, "src", "gone.py"));
  const problems = problemsOfDir(dir);
  expect(problems.filter((p) => p.includes("links that point at nothing"))).toEqual([expect.stringMatching(/^dev\.yaml:\d+: endpoint\.deployments\[0\]\.code\.path: /)]);
});
