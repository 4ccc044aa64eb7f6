/**
 * lib/app/synth-output.ts in process, one function at a time. synth.test.ts runs the same code end to end through
 * scripts/synth.js in a child process, where mutation testing cannot switch mutants; these tests are what
 * `npm run mutate` measures it by.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { AnnotationMetadataEntryType, TerraformAsset, TerraformStack, Testing, type StackAnnotation } from "cdktf";
import {
  errorAnnotations,
  referencedAssetFolders,
  removeOrphanedStacks,
  removeSynthesizedStacks,
  removeUnreferencedAssets,
  synthOutdir,
} from "../../lib/app/synth-output";

let outdir: string;
beforeEach(() => {
  outdir = mkdtempSync(join(tmpdir(), "synth-output-"));
});
afterEach(() => rmSync(outdir, { recursive: true, force: true }));

/** Creates each file (relative to the output folder), with its folders. */
function files(...paths: string[]): void {
  for (const p of paths) {
    mkdirSync(dirname(join(outdir, p)), { recursive: true });
    writeFileSync(join(outdir, p), "x");
  }
}

/** Every file and empty folder left under the output folder, relative to it, sorted. */
function left(): string[] {
  return (readdirSync(outdir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((e) => e.isFile() || readdirSync(join(e.parentPath, e.name)).length === 0)
    .map((e) => relative(outdir, join(e.parentPath, e.name)))
    .sort();
}

describe("synthOutdir", () => {
  test("is CDKTF_OUTDIR when set, as cdktf's App reads it", () => {
    expect(synthOutdir({ CDKTF_OUTDIR: "/tmp/out" })).toBe("/tmp/out");
  });

  test("is cdktf.out otherwise", () => {
    expect(synthOutdir({})).toBe("cdktf.out");
  });
});

describe("removeSynthesizedStacks", () => {
  test("removes the manifest and each stack's JSON, HCL and metadata, and keeps Terraform's own files", () => {
    files(
      "manifest.json",
      "stacks/serving-dev/cdk.tf.json",
      "stacks/serving-dev/.terraform.lock.hcl",
      "stacks/serving-dev/.terraform/providers/p",
      "stacks/serving-dev/plan.tfplan",
      "stacks/serving-prod/cdk.tf",
      "stacks/serving-prod/metadata.json",
      "stacks/serving-prod/assets/model/hash/model.pkl",
      "stacks/notes.txt",
      "other.txt",
    );
    removeSynthesizedStacks(outdir);
    expect(left()).toEqual([
      "other.txt",
      "stacks/notes.txt",
      "stacks/serving-dev/.terraform.lock.hcl",
      "stacks/serving-dev/.terraform/providers/p",
      "stacks/serving-dev/plan.tfplan",
      "stacks/serving-prod/assets/model/hash/model.pkl",
    ]);
  });

  test("an output folder that does not exist yet is fine", () => {
    rmSync(outdir, { recursive: true });
    expect(() => removeSynthesizedStacks(outdir)).not.toThrow();
    expect(existsSync(outdir)).toBe(false);
  });
});

describe("removeOrphanedStacks", () => {
  test("removes the folder of every stack not synthesized this time, Terraform's files with it", () => {
    files("stacks/serving-dev/cdk.tf.json", "stacks/serving-qa/.terraform/x", "stacks/serving-prod/cdk.tf.json", "stacks/readme.md");
    removeOrphanedStacks(outdir, ["serving-dev", "serving-prod"]);
    expect(left()).toEqual(["stacks/readme.md", "stacks/serving-dev/cdk.tf.json", "stacks/serving-prod/cdk.tf.json"]);
  });

  test("an output folder without stacks is fine", () => {
    expect(() => removeOrphanedStacks(outdir, [])).not.toThrow();
    expect(left()).toEqual([]);
  });
});

describe("referencedAssetFolders", () => {
  test("names each asset's folder under its own stack", () => {
    files("src/model.pkl", "src/score.py");
    const app = Testing.app();
    const dev = new TerraformStack(app, "serving-dev");
    const prod = new TerraformStack(app, "serving-prod");
    new TerraformStack(app, "serving-empty");
    const model = new TerraformAsset(dev, "model", { path: join(outdir, "src/model.pkl") });
    const code = new TerraformAsset(dev, "code", { path: join(outdir, "src/score.py") });
    const prodModel = new TerraformAsset(prod, "model", { path: join(outdir, "src/model.pkl") });
    const folders = referencedAssetFolders(app);
    expect([...folders.keys()].sort()).toEqual(["serving-dev", "serving-prod"]);
    expect([...folders.get("serving-dev")!].sort()).toEqual(["code", "model"]);
    expect([...folders.get("serving-prod")!]).toEqual(["model"]);
    // ...which are the folders cdktf copies them to: `assets/<folder>/<hash>/<file>`.
    expect([code, model, prodModel].map((asset) => asset.path.split("/").slice(0, 2).join("/"))).toEqual([
      "assets/code",
      "assets/model",
      "assets/model",
    ]);
    rmSync(app.outdir, { recursive: true, force: true });
  });
});

describe("removeUnreferencedAssets", () => {
  test("keeps the referenced asset folders, removes the others, and the whole assets folder of a stack with none", () => {
    files(
      "stacks/serving-dev/assets/model-new/h2/model.pkl",
      "stacks/serving-dev/assets/model-old/h1/model.pkl",
      "stacks/serving-dev/cdk.tf.json",
      "stacks/serving-qa/assets/code/h3/score.py",
      "stacks/serving-qa/cdk.tf.json",
      "stacks/serving-prod/cdk.tf.json",
    );
    removeUnreferencedAssets(outdir, new Map([["serving-dev", new Set(["model-new"])]]));
    expect(left()).toEqual([
      "stacks/serving-dev/assets/model-new/h2/model.pkl",
      "stacks/serving-dev/cdk.tf.json",
      "stacks/serving-prod/cdk.tf.json",
      "stacks/serving-qa/cdk.tf.json",
    ]);
  });

  test("a stack whose every asset is referenced keeps them all", () => {
    files("stacks/serving-dev/assets/a/h/f", "stacks/serving-dev/assets/b/h/f");
    removeUnreferencedAssets(outdir, new Map([["serving-dev", new Set(["a", "b"])]]));
    expect(left()).toEqual(["stacks/serving-dev/assets/a/h/f", "stacks/serving-dev/assets/b/h/f"]);
  });
});

describe("errorAnnotations", () => {
  test("lists the errors of every stack as [construct path] message, and nothing else", () => {
    const annotation = (level: StackAnnotation["level"], constructPath: string, message: string): StackAnnotation => ({
      level,
      constructPath,
      message,
    });
    expect(
      errorAnnotations({
        "serving-dev": {
          annotations: [
            annotation(AnnotationMetadataEntryType.ERROR, "serving-dev/Endpoint", "bad traffic"),
            annotation(AnnotationMetadataEntryType.WARN, "serving-dev/Endpoint", "a warning"),
            annotation(AnnotationMetadataEntryType.INFO, "serving-dev/Ml", "an info"),
          ],
        },
        "serving-prod": { annotations: [annotation(AnnotationMetadataEntryType.ERROR, "serving-prod/Ml", "no identity")] },
      }),
    ).toEqual(["[serving-dev/Endpoint] bad traffic", "[serving-prod/Ml] no identity"]);
  });

  test("stacks without errors give none", () => {
    expect(errorAnnotations({ "serving-dev": { annotations: [] } })).toEqual([]);
  });
});
