import { rmSync } from "node:fs";
import { join } from "node:path";
import { TerraformOutput, TerraformStack, Testing } from "cdktf";
import { readLocalContent } from "../../lib/config/code-bundle";
import { ModelAssets } from "../../lib/constructs/model-assets";
import { newWorkspace, resourceAt, synthJson } from "../helpers/stacks";

/** Local files to register from: the asset-reference fixture's folders (no temporary files). */
const FILES = join(__dirname, "..", "fixtures", "asset-references");
const local = (rel: string) => readLocalContent(join(FILES, rel), FILES);
const WS = "${azapi_resource.ml_workspace_46391A20.id}";

/** The output folders of this file's test apps (empty: nothing is written to them), removed at the end. */
const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function newStack(): TerraformStack {
  const app = Testing.app();
  outdirs.push(app.outdir);
  return new TerraformStack(app, "test");
}

function assetsIn(stack: TerraformStack): ModelAssets {
  return new ModelAssets(stack, "assets", { workspace: newWorkspace(stack), uploaders: [{ principalId: "33333333-3333-3333-3333-333333333333" }] });
}

/** Every way ModelAssets registers a version; each returns the construct path of the version it creates. */
const KINDS: [string, (assets: ModelAssets) => string][] = [
  ["a model from a storage URI", (a) => (a.model({ name: "fraud", version: "6", type: "mlflow_model", path: "https://stfraud.blob.core.windows.net/models/fraud/6/" }), "assets/model-fraud-6")],
  ["a model from local files", (a) => (a.model({ name: "fraud", version: "7", type: "custom_model", files: local("model/fraud") }), "assets/model-fraud-7")],
  ["an environment from an image and a conda file", (a) => (a.environment({ name: "fraud-env", version: "2", image: "mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference:latest", condaFile: join(FILES, "envs", "fraud.yml") }), "assets/environment-fraud-env-2")],
  ["an environment from a Docker build context", (a) => (a.environment({ name: "fraud-built", version: "9", build: { files: local("docker") } }), "assets/environment-fraud-built-9")],
  ["a code version", (a) => (a.code({ ...local("src"), name: "src" }), "assets/code-src")],
];

describe("asset versions are compared case-insensitively with what Azure returns", () => {
  // Their bodies carry enums and URIs that Azure ML may echo in another casing; without ignore_casing every plan
  // after the first would show a change.
  test.each(KINDS)("%s: ignore_casing", (_, register) => {
    const stack = newStack();
    const path = register(assetsIn(stack));
    expect(resourceAt(synthJson(stack), "azapi_resource", path).ignore_casing).toBe(true);
  });
});

describe("registered(): a version this construct registers is referenced through its registration", () => {
  const model = { name: "fraud", version: "7", type: "custom_model", files: local("model/fraud") } as const;
  const env = { name: "fraud-env", version: "2", image: "mcr.microsoft.com/azureml/minimal-ubuntu22.04-py39-cpu-inference:latest" } as const;

  function outputs(order: "reference first" | "registration first"): Record<string, string> {
    const stack = newStack();
    const assets = assetsIn(stack);
    const refer = () => {
      new TerraformOutput(stack, "model", { value: assets.registered("models", "FRAUD", "7") });
      new TerraformOutput(stack, "environment", { value: assets.registered("environments", "fraud-env", "2") });
      new TerraformOutput(stack, "other", { value: assets.registered("models", "fraud", "8") });
    };
    if (order === "reference first") refer();
    assets.model(model);
    assets.environment(env);
    if (order === "registration first") refer();
    const json = synthJson(stack);
    return Object.fromEntries(Object.entries(json.output).map(([k, v]: [string, any]) => [k, v.value]));
  }

  test.each(["reference first", "registration first"] as const)("%s: the registration's id, whatever the name's casing", (order) => {
    const stack = outputs(order);
    expect(stack.model).toMatch(/^\$\{azapi_resource\.assets_model-fraud-7_[0-9A-F]{8}\.id\}$/);
    expect(stack.environment).toMatch(/^\$\{azapi_resource\.assets_environment-fraud-env-2_[0-9A-F]{8}\.id\}$/);
  });

  test("another version is the id under the workspace: it must already be there", () => {
    expect(outputs("reference first").other).toBe(`${WS}/models/fraud/versions/8`);
  });
});
