import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TerraformOutput, Testing, type TerraformStack } from "cdktf";
import { readLocalContent } from "../../lib/config/code-bundle";
import { AzapiProvider } from "../../lib/azapi";
import { BatchEndpoint, type BatchDeploymentProps } from "../../lib/constructs/batch-endpoint";
import { ModelAssets, type LocalFiles } from "../../lib/constructs/model-assets";
import { OnlineDeployment, type OnlineDeploymentProps } from "../../lib/constructs/online-deployment";
import { OnlineEndpoint } from "../../lib/constructs/online-endpoint";
import { validateSynthesizedAzapiBodies } from "../helpers/azapi-schema";
import { newComputeCluster, newStack, newWorkspace, resourceAt, synthJson, azapiBesidesWorkspace } from "../helpers/stacks";

const WS = "${azapi_resource.ml_workspace_46391A20.id}";
const UPLOADS = "${azurerm_storage_account.ml_storage_3B97082E.primary_blob_endpoint}${azurerm_storage_container.assets_upload-container_BDF8BD75.name}/";

/** A throw-away folder of files, hashed the way the config loader hashes uploads. */
function local(files: Record<string, string>, path = ""): LocalFiles {
  const dir = mkdtempSync(join(tmpdir(), "upload-"));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(dir, rel, ".."), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return readLocalContent(join(dir, path), dir);
}

function assetsIn(stack: TerraformStack): ModelAssets {
  return new ModelAssets(stack, "assets", { workspace: newWorkspace(stack), uploaders: [{ principalId: "22222222-2222-2222-2222-222222222222" }] });
}

const blobsOf = (json: any) => Object.values(json.resource.azurerm_storage_blob ?? {}) as any[];

describe("ModelAssets uploads of local models", () => {
  test("a folder: one blob per file under <hash>/<folder name>/, a version from the hash, an https URI ending in /", () => {
    const stack = newStack();
    const files = local({ "churn/model.json": "{}", "churn/preprocessing/features.json": "[]" }, "churn");
    assetsIn(stack).model({ name: "churn", type: "custom_model", files });
    const json = synthJson(stack);
    const version = files.contentHash.slice(0, 12);
    const prefix = `models/churn/${files.contentHash}/churn/`;
    expect(resourceAt(json, "azapi_resource", `assets/model-churn-${version}`)).toMatchObject({
      name: version,
      parent_id: `${WS}/models/churn`,
      body: { properties: { modelUri: `${UPLOADS}${prefix}`, modelType: "custom_model", isArchived: false } },
    });
    expect(blobsOf(json).map((b) => b.name).sort()).toEqual([`${prefix}model.json`, `${prefix}preprocessing/features.json`]);
    expect(json.resource.azurerm_storage_container["assets_upload-container_BDF8BD75"]).toMatchObject({ name: "asset-uploads", container_access_type: "private" });
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  test("a single file: its blob is the model, and the URI names the file", () => {
    const stack = newStack();
    const files = local({ "model.pkl": "weights" }, "model.pkl");
    assetsIn(stack).model({ name: "churn", version: "7", type: "custom_model", files });
    const json = synthJson(stack);
    const [blob] = blobsOf(json);
    expect(blob.name).toBe(`models/churn/${files.contentHash}/model.pkl`);
    expect(blob.source).toMatch(/^assets\/[^/]+\/[0-9a-f]{64}\/model\.pkl$/);
    expect(resourceAt(json, "azapi_resource", "assets/model-churn-7").body.properties.modelUri).toBe(`${UPLOADS}models/churn/${files.contentHash}/model.pkl`);
  });

  test("two versions of the same content share one upload; other content is another", () => {
    const stack = newStack();
    const assets = assetsIn(stack);
    const files = local({ "m/a.bin": "a" }, "m");
    assets.model({ name: "churn", version: "1", type: "custom_model", files });
    assets.model({ name: "churn", version: "2", type: "custom_model", files });
    assets.model({ name: "churn", type: "custom_model", files: local({ "m/a.bin": "b" }, "m") });
    const json = synthJson(stack);
    expect(blobsOf(json)).toHaveLength(2);
    expect(Object.values(azapiBesidesWorkspace(json)).map((r: any) => r.body.properties.modelUri).filter((u: string) => u.includes(files.contentHash))).toHaveLength(2);
  });

  test("the same content from another folder of the same name is the same model; under another name it is refused", () => {
    const stack = newStack();
    const assets = assetsIn(stack);
    const a = local({ "churn/a.bin": "a" }, "churn");
    const b = local({ "churn/a.bin": "a" }, "churn");
    assets.model({ name: "churn", type: "custom_model", files: a });
    assets.model({ name: "churn", type: "custom_model", files: b });
    const renamed = local({ "other/a.bin": "a" }, "other");
    expect(() => assets.model({ name: "churn", type: "custom_model", files: renamed })).toThrow(/ModelAssets: model-churn-[0-9a-f]{12}: must be defined the same way wherever it is used/);
    const json = synthJson(stack);
    expect(Object.keys(azapiBesidesWorkspace(json))).toHaveLength(1);
    expect(blobsOf(json)).toHaveLength(1);
  });

  test("every upload waits for the uploader's role on its container to propagate, and for the datastores", () => {
    const stack = newStack();
    assetsIn(stack).model({ name: "churn", type: "custom_model", files: local({ "m/a.bin": "a" }, "m") });
    const [blob] = blobsOf(synthJson(stack));
    expect(blob.depends_on).toEqual([
      expect.stringMatching(/^time_sleep\.assets_upload-container-access_propagation_wait_\w+$/),
      expect.stringMatching(/^time_sleep\.ml_datastore-access_wait_\w+$/),
    ]);
  });
});

describe("ModelAssets environments", () => {
  test("a build context: uploaded, registered with its URI and Dockerfile path, versioned by content", () => {
    const stack = newStack();
    const files = local({ "docker/Dockerfile": "FROM x", "docker/conf/nginx.conf": "" }, "docker");
    assetsIn(stack).environment({ name: "serving", build: { files, dockerfilePath: "conf/../Dockerfile" } });
    const json = synthJson(stack);
    const version = files.contentHash.slice(0, 12);
    expect(resourceAt(json, "azapi_resource", `assets/environment-serving-${version}`).body.properties).toEqual({
      build: { contextUri: `${UPLOADS}environments/serving/${files.contentHash}/docker/`, dockerfilePath: "conf/../Dockerfile" },
      osType: "Linux",
      isArchived: false,
    });
    expect(blobsOf(json).map((b) => b.name.replace(/^.*\/docker\//, "")).sort()).toEqual(["Dockerfile", "conf/nginx.conf"]);
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  test("an image with inference routes: a custom container", () => {
    const stack = newStack();
    const route = (path: string) => ({ path, port: 8080 });
    assetsIn(stack).environment({
      name: "torchserve",
      version: "1",
      image: "pytorch/torchserve:0.12.0-cpu",
      inferenceConfig: { livenessRoute: route("/ping"), readinessRoute: route("/ping"), scoringRoute: route("/predictions/mnist") },
    });
    const json = synthJson(stack);
    expect(resourceAt(json, "azapi_resource", "assets/environment-torchserve-1").body.properties.inferenceConfig).toEqual({
      livenessRoute: { path: "/ping", port: 8080 },
      readinessRoute: { path: "/ping", port: 8080 },
      scoringRoute: { path: "/predictions/mnist", port: 8080 },
    });
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  test("registered(): the id of a version already in the workspace, nothing created", () => {
    const stack = newStack();
    const assets = assetsIn(stack);
    new TerraformOutput(stack, "model", { value: assets.registered("models", "churn", "3") });
    new TerraformOutput(stack, "environment", { value: assets.registered("environments", "sklearn", "12") });
    const json = synthJson(stack);
    expect(json.output.model.value).toBe(`${WS}/models/churn/versions/3`);
    expect(json.output.environment.value).toBe(`${WS}/environments/sklearn/versions/12`);
    expect(azapiBesidesWorkspace(json)).toBeUndefined();
  });
});

describe("OnlineDeployment for custom containers and data collection", () => {
  function synth(props: Partial<OnlineDeploymentProps>, second?: Partial<OnlineDeploymentProps>): any {
    const stack = newStack();
    new AzapiProvider(stack, "azapi");
    const endpoint = new OnlineEndpoint(stack, "endpoint", { name: "churn-dev", location: "westeurope", resourceGroupName: "rg", workspace: newWorkspace(stack) });
    const base = { endpoint, name: "blue", location: "westeurope", modelId: "azureml://registries/r/models/m/versions/1", instanceType: "Standard_DS3_v2" };
    new OnlineDeployment(stack, "deployment-blue", { ...base, ...props });
    if (second) new OnlineDeployment(stack, "deployment-green", { ...base, name: "green", ...second });
    return synthJson(stack);
  }
  const deploymentOf = (json: any, name = "blue") => resourceAt(json, "azapi_resource", `deployment-${name}/deployment`);

  test("a model mount path and no code", () => {
    const json = synth({ environmentId: "azureml://registries/r/environments/tfserving/versions/1", modelMountPath: "/models" });
    expect(deploymentOf(json).body.properties).toMatchObject({ modelMountPath: "/models" });
    expect(deploymentOf(json).body.properties.codeConfiguration).toBeUndefined();
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  const DATA = (name: string) => `${WS}/data/churn-dev-blue-${name}/versions/1`;

  test("data collection defaults: only the collections given, disabled unless asked, every request, hourly, each with its dataId", () => {
    const json = synth({ dataCollector: { collections: { model_inputs: { enabled: true, dataId: DATA("model_inputs") }, response: { dataId: DATA("response") } } } });
    const clientId = expect.stringMatching(/^\$\{azurerm_user_assigned_identity\.endpoint_identity_\w+\.client_id\}$/);
    expect(deploymentOf(json).body.properties.dataCollector).toEqual({
      collections: {
        model_inputs: { dataCollectionMode: "Enabled", dataId: DATA("model_inputs"), samplingRate: 1, clientId },
        response: { dataCollectionMode: "Disabled", dataId: DATA("response"), samplingRate: 1, clientId },
      },
      rollingRate: "Hour",
    });
    expect(deploymentOf(json).schema_validation_enabled).toBeUndefined();
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  test("a collection's own sampling rate overrides the collector's; a fractional one turns azapi's schema check off", () => {
    const json = synth({
      dataCollector: { samplingRate: 1, collections: { request: { enabled: true, dataId: DATA("request"), samplingRate: 0.1 }, response: { enabled: true, dataId: DATA("response") } } },
    });
    const collections = deploymentOf(json).body.properties.dataCollector.collections;
    expect([collections.request.samplingRate, collections.response.samplingRate]).toEqual([0.1, 1]);
    expect(deploymentOf(json).schema_validation_enabled).toBe(false);
  });

  test("a fractional collector rate that every collection overrides with a whole one is never sent, so azapi's check stays on", () => {
    const json = synth({ dataCollector: { samplingRate: 0.5, collections: { request: { dataId: DATA("request"), samplingRate: 1 } } } });
    expect(deploymentOf(json).body.properties.dataCollector.collections.request.samplingRate).toBe(1);
    expect(deploymentOf(json).schema_validation_enabled).toBeUndefined();
  });

  test.each([["minute", "Minute"], ["day", "Day"]] as const)("rolling rate %s goes out as %s", (rate, sent) => {
    const collections = { request: { dataId: DATA("request") } };
    expect(deploymentOf(synth({ dataCollector: { collections, rollingRate: rate } })).body.properties.dataCollector.rollingRate).toBe(sent);
  });

  test("the data role is granted once per endpoint, however many deployments collect, and each waits for it", () => {
    const json = synth(
      { dataCollector: { collections: { model_inputs: { enabled: true, dataId: DATA("model_inputs") } } } },
      { dataCollector: { collections: { model_outputs: { enabled: true, dataId: DATA("model_outputs") } } } },
    );
    const roles = Object.values(json.resource.azurerm_role_assignment).filter((r: any) => r.role_definition_name === "Storage Blob Data Contributor");
    expect(roles).toHaveLength(1);
    const sleeps = Object.keys(json.resource.time_sleep).filter((k) => k.startsWith("endpoint_data-collection-ready_wait_"));
    expect(sleeps).toHaveLength(1);
    for (const name of ["blue", "green"]) expect(deploymentOf(json, name).depends_on).toContain(`time_sleep.${sleeps[0]}`);
  });

  test("the data role is scoped to the default datastore's container, not the storage account", () => {
    const json = synth({ dataCollector: { collections: { request: { enabled: true, dataId: DATA("request") } } } });
    expect(resourceAt(json, "azurerm_role_assignment", "endpoint/default-container-write")).toMatchObject({
      role_definition_name: "Storage Blob Data Contributor",
      scope: "${azurerm_storage_account.ml_storage_3B97082E.id}/blobServices/default/containers/azureml-blobstore-${azapi_resource.ml_workspace_46391A20.output.properties.workspaceId}",
      principal_id: expect.stringMatching(/^\$\{azurerm_user_assigned_identity\.endpoint_identity_\w+\.principal_id\}$/),
    });
    const onAccount = Object.values(json.resource.azurerm_role_assignment).filter(
      (r: any) => r.role_definition_name === "Storage Blob Data Contributor" && r.scope === "${azurerm_storage_account.ml_storage_3B97082E.id}",
    );
    expect(onAccount).toEqual([]);
  });

  test("no data collector, no data role", () => {
    const json = synth({});
    expect(Object.values(json.resource.azurerm_role_assignment).map((r: any) => r.role_definition_name)).not.toContain("Storage Blob Data Contributor");
  });

  test.each([
    ["a relative mount path", { modelMountPath: "models" }, 'OnlineDeployment: modelMountPath: must be an absolute path (got "models")'],
    ["a sampling rate above 1", { dataCollector: { samplingRate: 1.5, collections: { request: { dataId: "d" } } } }, "OnlineDeployment: dataCollector.samplingRate: must be from 0 to 1 (got 1.5)"],
    [
      "a collection's sampling rate above 1",
      { dataCollector: { collections: { request: { dataId: "d", samplingRate: 2 } } } },
      "OnlineDeployment: dataCollector.collections.request.samplingRate: must be from 0 to 1 (got 2)",
    ],
    ["no collections", { dataCollector: { collections: {} } }, "OnlineDeployment: dataCollector.collections: must name at least one collection (got {})"],
    [
      "capturing the Authorization header, in any casing",
      { dataCollector: { collections: { request: { dataId: "d" } }, captureHeaders: ["x-request-id", "AuthoriZation"] } },
      'OnlineDeployment: dataCollector.captureHeaders: must not capture Authorization: it carries the endpoint\'s key or token (got "AuthoriZation")',
    ],
  ])("rejects %s", (_, props, message) => {
    expect(() => synth(props as Partial<OnlineDeploymentProps>)).toThrow(message);
  });
});

describe("BatchEndpoint with several deployments", () => {
  const deployment = (name: string): BatchDeploymentProps => ({ name, modelId: "azureml://registries/r/models/m/versions/1" });

  function build(deployments: BatchDeploymentProps[], defaultDeployment?: string, tags?: Record<string, string>): { stack: TerraformStack; batch: BatchEndpoint } {
    const stack = newStack();
    new AzapiProvider(stack, "azapi");
    const workspace = newWorkspace(stack);
    const compute = newComputeCluster(stack, workspace);
    const batch = new BatchEndpoint(stack, "batch", { name: "churn-batch", location: "westeurope", workspace, compute, deployments, defaultDeployment, tags });
    return { stack, batch };
  }

  test("one deployment per name, construct ids deployment-<name> as before; the default is the one named", () => {
    const { stack, batch } = build([deployment("nightly"), deployment("weekly")], "weekly");
    expect(batch.node.children.map((c) => c.node.id)).toEqual(["endpoint", "deployment-nightly", "deployment-weekly", "defaults"]);
    expect(batch.deploymentName).toBe("weekly");
    expect(batch.deployment).toBe(batch.deployments[1]);
    const json = synthJson(stack);
    expect(resourceAt(json, "azapi_update_resource", "batch/defaults").body.properties.defaults).toEqual({ deploymentName: "weekly" });
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  test("deployment tags merge over the endpoint's", () => {
    const { stack } = build([{ ...deployment("nightly"), tags: { b: "2" } }], undefined, { a: "1", b: "1" });
    expect(resourceAt(synthJson(stack), "azapi_resource", "batch/deployment-nightly").tags).toEqual({ a: "1", b: "2" });
  });

  test.each([
    ["no deployments", [], undefined, "BatchEndpoint: deployments: must list at least one deployment (got [])"],
    ["two deployments and no default", [deployment("a-1"), deployment("b-1")], undefined, "BatchEndpoint: defaultDeployment: is required when there are several deployments (a-1, b-1)"],
    ["a default not in the list", [deployment("a-1")], "c-1", 'BatchEndpoint: defaultDeployment: must name one of the deployments (a-1) (got "c-1")'],
    ["two deployments of one name", [deployment("a-1"), deployment("A-1")], "a-1", 'BatchEndpoint: deployments: must have unique names (got ["a-1","A-1"])'],
  ])("rejects %s", (_, deployments, defaultDeployment, message) => {
    expect(() => build(deployments as BatchDeploymentProps[], defaultDeployment)).toThrow(message);
  });
});

test("Testing.synth is deterministic for uploads", () => {
  const files = local({ "m/a.bin": "a" }, "m");
  const once = () => {
    const stack = newStack();
    assetsIn(stack).model({ name: "churn", type: "custom_model", files });
    return Testing.synth(stack);
  };
  expect(once()).toBe(once());
});
