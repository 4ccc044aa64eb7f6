import { join } from "node:path";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { TerraformOutput, Testing, type TerraformStack } from "cdktf";
import { readCodeBundle } from "../../lib/config/code-bundle";
import { ModelAssets } from "../../lib/constructs/model-assets";
import { validateSynthesizedAzapiBodies } from "../helpers/azapi-schema";
import { tempFolder } from "../helpers/config-dir";
import { newStack, newWorkspace, resourceAt, synthJson, azapiBesidesWorkspace } from "../helpers/stacks";

/** The workspace id as Terraform references it in the synthesized JSON. */
const WS = "${azapi_resource.ml_workspace_46391A20.id}";
const DATASTORE_ACCESS = expect.stringMatching(/^time_sleep\.ml_datastore-access_wait_[0-9A-F]{8}$/);
const DEPLOYER = "22222222-2222-2222-2222-222222222222";

function assetsIn(stack: TerraformStack): ModelAssets {
  return new ModelAssets(stack, "assets", { workspace: newWorkspace(stack), uploaders: [{ principalId: DEPLOYER }] });
}

function codeFolder(files: Record<string, string>): string {
  return tempFolder(files, "code-");
}

function codeSpec(dir: string) {
  const bundle = readCodeBundle(dir, join(dir, ".."));
  return { name: "src", path: bundle.path, files: bundle.files, contentHash: bundle.contentHash };
}

const model = { name: "churn", version: "3", path: "azureml://datastores/workspaceblobstore/paths/models/churn/3/", type: "custom_model" } as const;

describe("ModelAssets", () => {
  test("registers a model version from its URI and type, once however often it is used", () => {
    const stack = newStack();
    const assets = assetsIn(stack);
    assets.model(model);
    assets.model({ ...model });
    const json = synthJson(stack);
    expect(Object.keys(azapiBesidesWorkspace(json))).toHaveLength(1);
    const part = (i: number) => `\${element(split("/", azapi_resource.ml_workspace_46391A20.id), ${i})}`;
    expect(resourceAt(json, "azapi_resource", "assets/model-churn-3")).toMatchObject({
      type: "Microsoft.MachineLearningServices/workspaces/models/versions@2025-12-01",
      name: "3",
      parent_id: `${WS}/models/churn`,
      body: {
        properties: {
          // The long form az ml sends and Azure returns, from the workspace id's subscription, group and name.
          modelUri: `azureml://subscriptions/${part(2)}/resourcegroups/${part(4)}/workspaces/${part(8)}/datastores/workspaceblobstore/paths/models/churn/3/`,
          modelType: "custom_model",
          isArchived: false,
        },
      },
      lifecycle: { create_before_destroy: true },
    });
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  test("passes existing asset ids through without creating anything", () => {
    const stack = newStack();
    const assets = assetsIn(stack);
    expect(assets.model({ id: "azureml://registries/r/models/m/versions/1" })).toBe("azureml://registries/r/models/m/versions/1");
    expect(assets.environment({ id: "azureml:env:1" })).toBe("azureml:env:1");
    expect(azapiBesidesWorkspace(synthJson(stack))).toBeUndefined();
  });

  test("the same name and version defined two ways is refused: versions are immutable", () => {
    const assets = assetsIn(newStack());
    assets.model(model);
    expect(() => assets.model({ ...model, path: "azureml://elsewhere/" })).toThrow(
      /^ModelAssets: model-churn-3: must be defined the same way wherever it is used: asset versions are immutable/,
    );
  });

  test("an environment's conda file travels as an asset and is read by Terraform's file()", () => {
    const dir = codeFolder({ "churn.yml": "name: churn\n" });
    const stack = newStack();
    assetsIn(stack).environment({ name: "churn-env", version: "1", image: "mcr.microsoft.com/azureml/base:latest", condaFile: join(dir, "churn.yml") });
    const json = synthJson(stack);
    const env = resourceAt(json, "azapi_resource", "assets/environment-churn-env-1");
    expect(env).toMatchObject({
      type: "Microsoft.MachineLearningServices/workspaces/environments/versions@2025-12-01",
      name: "1",
      parent_id: `${WS}/environments/churn-env`,
    });
    expect(env.body.properties).toEqual({
      image: "mcr.microsoft.com/azureml/base:latest",
      condaFile: expect.stringMatching(/^\$\{file\("assets\/assets_environment-churn-env-1-conda_\w+\/[0-9A-F]+\/churn\.yml"\)\}$/),
      osType: "Linux",
      isArchived: false,
    });
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  test("uploads every file of a code folder, nested ones too, under a prefix named by the content hash", () => {
    const dir = codeFolder({ "score.py": "def run(x): return x\n", "lib/util.py": "X = 1\n", "__pycache__/score.pyc": "junk" });
    const spec = codeSpec(dir);
    const stack = newStack();
    const codeId = assetsIn(stack).code(spec);
    const json = synthJson(stack);
    const version = spec.contentHash.slice(0, 12);
    const blobs = Object.values(json.resource.azurerm_storage_blob) as any[];
    expect(blobs.map((b) => b.name).sort()).toEqual([`src/${version}/lib/util.py`, `src/${version}/score.py`]);
    for (const blob of blobs) {
      expect(blob).toMatchObject({
        type: "Block",
        storage_account_name: expect.stringMatching(/^\$\{azurerm_storage_account\.ml_storage_\w+\.name\}$/),
        source: expect.stringMatching(new RegExp(`^assets/assets_code-src-files_\\w+/${spec.contentHash}/(lib/util|score)\\.py$`)),
        content_md5: expect.stringMatching(/^\$\{filemd5\("assets\//),
      });
    }
    const code = resourceAt(json, "azapi_resource", "assets/code-src");
    expect(code).toMatchObject({
      type: "Microsoft.MachineLearningServices/workspaces/codes/versions@2025-12-01",
      name: version,
      parent_id: `${WS}/codes/src`,
      body: {
        properties: {
          codeUri: expect.stringMatching(
            new RegExp(`^\\$\\{azurerm_storage_account\\.ml_storage_\\w+\\.primary_blob_endpoint\\}\\$\\{azurerm_storage_container\\.\\S+\\.name\\}/src/${version}/$`),
          ),
        },
      },
    });
    // The datastore switch, then both blobs.
    expect(code.depends_on).toHaveLength(3);
    expect(Testing.synth(stack)).toHaveResourceWithProperties(StorageContainer, { name: "code-snapshots", container_access_type: "private" });
    expect(codeId).toMatch(/^\$\{TfToken\[/);
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  test("an environment without a conda file is the image as it is, and no asset", () => {
    const stack = newStack();
    assetsIn(stack).environment({ name: "plain", version: "2", image: "mcr.microsoft.com/azureml/base:latest" });
    const json = synthJson(stack);
    expect(resourceAt(json, "azapi_resource", "assets/environment-plain-2").body.properties).toEqual({
      image: "mcr.microsoft.com/azureml/base:latest",
      osType: "Linux",
      isArchived: false,
    });
  });

  test("model and environment versions wait for identity datastore mode; a code version also for its blobs", () => {
    const stack = newStack();
    const assets = assetsIn(stack);
    assets.model(model);
    assets.environment({ name: "plain", version: "2", image: "mcr.microsoft.com/azureml/base:latest" });
    assets.code(codeSpec(codeFolder({ "score.py": "v1" })));
    const json = synthJson(stack);
    // The workspace exists and the roles Azure granted its identity on creation have had time to propagate.
    const datastoresReady = [DATASTORE_ACCESS];
    expect(resourceAt(json, "azapi_resource", "assets/model-churn-3").depends_on).toEqual(datastoresReady);
    expect(resourceAt(json, "azapi_resource", "assets/environment-plain-2").depends_on).toEqual(datastoresReady);
    expect(resourceAt(json, "azapi_resource", "assets/code-src").depends_on).toEqual([
      ...datastoresReady,
      expect.stringMatching(/^azurerm_storage_blob\.assets_code-src-file-scorepy_\w+$/),
    ]);
    expect(resourceAt(json, "azapi_resource", "assets/code-src").body.properties.isArchived).toBe(false);
  });

  test("one blob per file, with an id made from its path", () => {
    const stack = newStack();
    const assets = assetsIn(stack);
    assets.code(codeSpec(codeFolder({ "a.py": "1", "pkg/b.py": "2" })));
    expect(assets.node.children.map((c) => c.node.id).filter((id) => id.startsWith("code-src-file-"))).toEqual([
      "code-src-file-a.py",
      "code-src-file-pkg--b.py",
    ]);
  });

  test("the same code name from a different folder or content is refused", () => {
    const assets = assetsIn(newStack());
    assets.code(codeSpec(codeFolder({ "score.py": "v1" })));
    expect(() => assets.code(codeSpec(codeFolder({ "score.py": "v2" })))).toThrow(
      /^ModelAssets: code-src: must be defined the same way wherever it is used: asset versions are immutable/,
    );
  });

  test("changed content yields a new code version; unchanged content the same one", () => {
    const a = codeSpec(codeFolder({ "score.py": "v1" }));
    const same = codeSpec(codeFolder({ "score.py": "v1" }));
    const changed = codeSpec(codeFolder({ "score.py": "v2" }));
    const renamed = codeSpec(codeFolder({ "main.py": "v1" }));
    expect(same.contentHash).toBe(a.contentHash);
    expect(changed.contentHash).not.toBe(a.contentHash);
    expect(renamed.contentHash).not.toBe(a.contentHash);
    const versionOf = (spec: ReturnType<typeof codeSpec>) => {
      const stack = newStack();
      assetsIn(stack).code(spec);
      return resourceAt(synthJson(stack), "azapi_resource", "assets/code-src").name;
    };
    expect(versionOf(changed)).toBe(changed.contentHash.slice(0, 12));
    expect(versionOf(changed)).not.toBe(versionOf(a));
  });
});

describe("ModelAssets data versions (a data collection's folder)", () => {
  const part = (i: number) => `\${element(split("/", azapi_resource.ml_workspace_46391A20.id), ${i})}`;
  const collected = { name: "churn-prod-green-request", version: "7", path: "azureml://datastores/workspaceblobstore/paths/modelDataCollector/churn-prod/green/request" };

  test("a uri_folder version under data/<name>, its short datastore URI sent in the long form Azure returns", () => {
    const stack = newStack();
    assetsIn(stack).data(collected);
    const json = synthJson(stack);
    const data = resourceAt(json, "azapi_resource", "assets/data-churn-prod-green-request-7");
    expect(data).toMatchObject({
      type: "Microsoft.MachineLearningServices/workspaces/data/versions@2025-12-01",
      name: "7",
      parent_id: `${WS}/data/churn-prod-green-request`,
      lifecycle: { create_before_destroy: true },
    });
    expect(data.body).toEqual({
      properties: {
        dataType: "uri_folder",
        dataUri: `azureml://subscriptions/${part(2)}/resourcegroups/${part(4)}/workspaces/${part(8)}/datastores/workspaceblobstore/paths/modelDataCollector/churn-prod/green/request`,
        isArchived: false,
      },
    });
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  test("returns the version's ARM id, the dataId az ml sends: <workspace id>/data/<name>/versions/<version>", () => {
    const stack = newStack();
    new TerraformOutput(stack, "data", { value: assetsIn(stack).data(collected) });
    const address = Object.keys(synthJson(stack).resource.azapi_resource)[0];
    expect(synthJson(stack).output.data.value).toBe(`\${azapi_resource.${address}.id}`);
  });

  test("waits for identity datastore mode, like every version; nothing is uploaded and no deployer role is made", () => {
    const stack = newStack();
    assetsIn(stack).data(collected);
    const json = synthJson(stack);
    expect(resourceAt(json, "azapi_resource", "assets/data-churn-prod-green-request-7").depends_on).toEqual([
      DATASTORE_ACCESS,
    ]);
    expect(json.resource.azurerm_storage_blob).toBeUndefined();
    expect(Object.values(json.resource.azurerm_role_assignment ?? {}).map((r: any) => r.principal_id)).not.toContain(DEPLOYER);
  });

  test("registered once however many collections name it; the same name and version elsewhere is refused", () => {
    const stack = newStack();
    const assets = assetsIn(stack);
    assets.data(collected);
    assets.data({ ...collected });
    expect(() => assets.data({ ...collected, path: "azureml://datastores/workspaceblobstore/paths/other" })).toThrow(
      /^ModelAssets: data-churn-prod-green-request-7: must be defined the same way wherever it is used: asset versions are immutable/,
    );
    expect(Object.keys(azapiBesidesWorkspace(synthJson(stack)))).toHaveLength(1);
  });

  test("a description goes with the version; a long azureml:// URI is sent as it is", () => {
    const stack = newStack();
    const long = "azureml://subscriptions/s/resourcegroups/rg/workspaces/ws/datastores/workspaceblobstore/paths/mdc/x";
    assetsIn(stack).data({ ...collected, path: long, description: "collected requests" });
    const body = resourceAt(synthJson(stack), "azapi_resource", "assets/data-churn-prod-green-request-7").body;
    expect(body.properties).toMatchObject({ dataUri: long, description: "collected requests" });
  });
});
