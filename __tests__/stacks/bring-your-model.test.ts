import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, Testing } from "cdktf";
import { loadEnvironments } from "../../lib/config/load";
import { ServingStack } from "../../lib/stacks/serving-stack";
import { validateAzapiBody, validateSynthesizedAzapiBodies } from "../helpers/azapi-schema";
import { DependencyGraph } from "../helpers/dependency-graph";
import { perFile } from "../helpers/shared";

/**
 * The acceptance config of "bring your model", synthesized in full: a local model folder with nested files and no
 * version, an environment built from a Docker context, a custom container with routes and a model mount path, data
 * collection, endpoint and deployment tags, a batch endpoint with two deployments and a default, and
 * azureml:<name>:<version> references. Asked of the bodies and of Terraform's dependency graph.
 */
const FIXTURE = join(__dirname, "..", "fixtures", "issue-13", "acceptance");

function synth(): any {
  const app: App = Testing.app({ enableFutureFlags: false });
  for (const environment of loadEnvironments({ configDir: FIXTURE })) new ServingStack(app, environment);
  app.synth();
  return JSON.parse(readFileSync(join(app.outdir, "stacks", "serving-byom", "cdk.tf.json"), "utf8"));
}

// Synthesized at load only to name the test.each rows; each test reads its own synth through perFile, so that
// Stryker credits the tests that read it (docs/testing.md, "One trap").
const atLoad = synth();
const current = perFile(synth, atLoad);
let json: any = atLoad;
let graph = new DependencyGraph(json);
beforeEach(() => {
  json = current();
  graph = new DependencyGraph(json);
});
const config = (address: string) => {
  const [type, name] = address.split(".");
  return json.resource[type][name];
};
const body = (path: string) => config(graph.at(path)).body.properties;
const ofAzapiType = (kind: string) =>
  graph.ofType("azapi_resource").filter((a) => config(a).type === `Microsoft.MachineLearningServices/workspaces/${kind}@2025-12-01`);

const WORKSPACE_ID = /^\$\{azapi_resource\.ml_workspace_\w+\.id\}$/;
const workspaceRef = `\${${graph.at("ml/workspace")}.id}`;
const blobBase = (container: string) =>
  `\${azurerm_storage_account.${Object.keys(json.resource.azurerm_storage_account)[0]}.primary_blob_endpoint}\${azurerm_storage_container.${container}.name}/`;
const uploadContainer = () => graph.at("assets/upload-container").split(".")[1];

test("every azapi body is valid against Azure's 2025-12-01 schema", () => {
  expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  expect(workspaceRef).toMatch(WORKSPACE_ID);
});

test("a fractional sampling rate, which azapi's schema types as an integer, turns azapi's check off for that deployment alone; the rest of its body is valid", () => {
  const skipped = graph.ofType("azapi_resource").filter((a) => config(a).schema_validation_enabled === false);
  expect(skipped).toEqual([graph.at("deployment-blue/deployment")]);
  const deployment = config(skipped[0]);
  const collections = deployment.body.properties.dataCollector.collections;
  expect(collections.model_inputs.samplingRate).toBe(0.25);
  expect(validateAzapiBody(deployment.type, { ...deployment.body, location: deployment.location })).toEqual([
    "properties.dataCollector.collections.model_inputs.samplingRate: expected integer, got number",
    "properties.dataCollector.collections.model_outputs.samplingRate: expected integer, got number",
  ]);
  const whole = JSON.parse(JSON.stringify(deployment.body));
  for (const c of Object.values(whole.properties.dataCollector.collections) as { samplingRate: number }[]) c.samplingRate = 1;
  expect(validateAzapiBody(deployment.type, { ...whole, location: deployment.location })).toEqual([]);
});

describe("a local model folder with nested files and no version", () => {
  const [model] = ofAzapiType("models/versions");
  const blobs = graph.ofType("azurerm_storage_blob").filter((b) => config(b).name.startsWith("models/"));

  test("is registered once, though online and batch deployments both use it", () => {
    expect(ofAzapiType("models/versions")).toHaveLength(1);
    expect(config(model).parent_id).toBe(`${workspaceRef}/models/churn`);
  });

  test("its version is the first 12 hex characters of the content hash that also names its upload path", () => {
    const version: string = config(model).name;
    expect(version).toMatch(/^[0-9a-f]{12}$/);
    const uri: string = config(model).body.properties.modelUri;
    const hash = new RegExp(`^${escape(blobBase(uploadContainer()))}models/churn/([0-9a-f]{64})/churn/$`).exec(uri);
    expect(hash).not.toBeNull();
    expect(hash![1].slice(0, 12)).toBe(version);
  });

  test("every file, nested ones included, is one blob under the folder's own name, so Azure mounts it at AZUREML_MODEL_DIR/churn", () => {
    const uri: string = config(model).body.properties.modelUri;
    const prefix = uri.slice(blobBase(uploadContainer()).length);
    expect(blobs.map((b) => config(b).name).sort()).toEqual([`${prefix}model.json`, `${prefix}preprocessing/features.json`]);
    for (const blob of blobs) {
      expect(config(blob)).toMatchObject({ type: "Block", storage_container_name: `\${azurerm_storage_container.${uploadContainer()}.name}` });
      expect(config(blob).content_md5).toBe(`\${filemd5("${config(blob).source}")}`);
    }
  });

  test("the model is a custom model (az ml's default type) and waits for its uploads", () => {
    expect(config(model).body.properties).toMatchObject({ modelType: "custom_model", isArchived: false });
    for (const blob of blobs) expect(graph.waitsFor(model, blob)).toBe(true);
  });
});

describe("uploads wait for the deployer's data role on their container, its propagation delay and the datastores", () => {
  const uploads = graph.ofType("azurerm_storage_blob");
  const datastoresReady = graph.at("ml/datastore-access/wait");
  /** The container an upload goes into, as its construct id: code-container or upload-container. */
  const containerOf = (blob: string) => {
    const ref = /^\$\{azurerm_storage_container\.(assets_(code|upload)-container_[0-9A-F]{8})\.name\}$/.exec(config(blob).storage_container_name);
    return `${ref![2]}-container`;
  };

  test("the fixture uploads a model, a build context and code, into both upload containers", () => {
    const prefixes = new Set(uploads.map((b) => String(config(b).name).split("/")[0]));
    expect([...prefixes].sort()).toEqual(["environments", "models", "src"]);
    expect(new Set(uploads.map(containerOf))).toEqual(new Set(["code-container", "upload-container"]));
  });

  test.each(["code-container", "upload-container"])(
    "%s: the deployer's Storage Blob Data Contributor on that container alone, and the delay follows it",
    (container) => {
      const role = graph.at(`assets/${container}-access/write-deployer`);
      expect(config(role)).toMatchObject({
        role_definition_name: "Storage Blob Data Contributor",
        principal_id: expect.stringMatching(/^\$\{data\.azurerm_client_config\.client\.object_id\}$/),
        scope: `\${${graph.ofType("azurerm_storage_account")[0]}.id}/blobServices/default/containers/\${${graph.at(`assets/${container}`)}.name}`,
      });
      expect(graph.direct(graph.at(`assets/${container}-access/propagation/wait`))).toContain(role);
    },
  );

  test("no data role of the deployer covers the whole storage account", () => {
    const account = `\${${graph.ofType("azurerm_storage_account")[0]}.id}`;
    const deployerRoles = graph.ofType("azurerm_role_assignment").map(config).filter((r) => r.principal_id.includes("client_config"));
    expect(deployerRoles.length).toBeGreaterThanOrEqual(2);
    expect(deployerRoles.filter((r) => r.scope === account)).toEqual([]);
  });

  test.each(uploads)("%s waits for its container's role, the delay after it, and the datastores", (blob) => {
    const container = containerOf(blob);
    expect(graph.waitsFor(blob, graph.at(`assets/${container}-access/propagation/wait`))).toBe(true);
    expect(graph.waitsFor(blob, graph.at(`assets/${container}-access/write-deployer`))).toBe(true);
    expect(graph.waitsFor(blob, datastoresReady)).toBe(true);
  });

  test("every asset version and deployment waits for the datastores to be usable", () => {
    for (const a of [...ofAzapiType("models/versions"), ...ofAzapiType("environments/versions"), ...ofAzapiType("onlineEndpoints/deployments"), ...ofAzapiType("batchEndpoints/deployments")]) {
      expect([a, graph.waitsFor(a, datastoresReady)]).toEqual([a, true]);
    }
  });
});

describe("an environment built from a Docker context", () => {
  const environment = ofAzapiType("environments/versions").find((a) => config(a).body.properties.build);

  test("is registered with its uploaded context's https URI (a folder: trailing /) and Dockerfile path, and no image", () => {
    const properties = config(environment!).body.properties;
    expect(properties.build).toEqual({
      contextUri: expect.stringMatching(new RegExp(`^${escape(blobBase(uploadContainer()))}environments/docker/[0-9a-f]{64}/docker/$`)),
      dockerfilePath: "Dockerfile",
    });
    expect(properties.image).toBeUndefined();
    expect(properties.condaFile).toBeUndefined();
    expect(config(environment!).name).toMatch(/^[0-9a-f]{12}$/);
  });

  test("its context is uploaded, Dockerfile and nested files, before it is registered", () => {
    const context = graph.ofType("azurerm_storage_blob").filter((b) => config(b).name.startsWith("environments/"));
    expect(context.map((b) => String(config(b).name).replace(/^.*\/docker\//, "")).sort()).toEqual(["Dockerfile", "requirements/serving.txt"]);
    for (const blob of context) expect(graph.waitsFor(environment!, blob)).toBe(true);
  });
});

describe("a custom container (TF Serving) with routes and a model mount path", () => {
  const environment = ofAzapiType("environments/versions").find((a) => config(a).body.properties.inferenceConfig);

  test("the environment carries the three routes", () => {
    expect(config(environment!).body.properties.inferenceConfig).toEqual({
      livenessRoute: { path: "/v1/models/half_plus_two", port: 8501 },
      readinessRoute: { path: "/v1/models/half_plus_two", port: 8501 },
      scoringRoute: { path: "/v1/models/half_plus_two:predict", port: 8501 },
    });
  });

  test("the deployment mounts the model at the given path and runs no scoring script", () => {
    const deployment = body("deployment-tfserving/deployment");
    expect(deployment.modelMountPath).toBe("/var/tfserving-model-mount");
    expect(deployment.codeConfiguration).toBeUndefined();
    expect(deployment.environmentId).toBe(`\${${environment}.id}`);
  });
});

describe("azureml:<name>:<version> references resolve to the asset's id under the workspace", () => {
  test("online model, batch model and batch environment", () => {
    expect(body("deployment-tfserving/deployment").model).toBe(`${workspaceRef}/models/half-plus-two/versions/1`);
    const v1 = body("batch-byom-batch-x7/deployment-churn-v1");
    expect(v1.model).toEqual({ referenceType: "Id", assetId: `${workspaceRef}/models/churn/versions/3` });
    expect(v1.environmentId).toBe(`${workspaceRef}/environments/churn-env/versions/1`);
  });

  test("nothing is registered for them", () => {
    const names = [...ofAzapiType("models/versions"), ...ofAzapiType("environments/versions")].map((a) => config(a).parent_id);
    expect(names).not.toContain(`${workspaceRef}/models/half-plus-two`);
    expect(names).not.toContain(`${workspaceRef}/environments/churn-env`);
  });
});

describe("data collection", () => {
  const deployment = graph.at("deployment-blue/deployment");
  const identity = graph.at("endpoint/identity");
  const sleep = graph.at("endpoint/data-collection-ready/wait");

  test("both collections, each registered as its data asset, the sampling rate in each, the rolling rate, written by the endpoint's identity", () => {
    const collection = (name: string) => ({
      dataCollectionMode: "Enabled",
      dataId: `\${${graph.at(`assets/data-byom-online-x7-blue-${name}-1`)}.id}`,
      samplingRate: 0.25,
      clientId: `\${${identity}.client_id}`,
    });
    expect(body("deployment-blue/deployment").dataCollector).toEqual({
      collections: { model_inputs: collection("model_inputs"), model_outputs: collection("model_outputs") },
      rollingRate: "Hour",
      requestLogging: { captureHeaders: ["x-request-id"] },
    });
  });

  test("the endpoint identity gets Storage Blob Data Contributor on the default datastore's container, and the deployment waits for it and a delay", () => {
    const roles = graph.direct(sleep).filter((a) => a.startsWith("azurerm_role_assignment."));
    expect(roles).toHaveLength(1);
    expect(config(roles[0])).toMatchObject({
      role_definition_name: "Storage Blob Data Contributor",
      principal_id: `\${${identity}.principal_id}`,
      principal_type: "ServicePrincipal",
      scope: expect.stringMatching(
        /^\$\{azurerm_storage_account\.ml_storage_\w+\.id\}\/blobServices\/default\/containers\/azureml-blobstore-\$\{azapi_resource\.ml_workspace_\w+\.output\.properties\.workspaceId\}$/,
      ),
    });
    expect(roles[0]).toBe(graph.at("endpoint/default-container-write"));
    expect(config(sleep).create_duration).toBe("120s");
    expect(graph.direct(deployment)).toContain(sleep);
  });

  test("a deployment without a data collector does not wait for that role", () => {
    expect(graph.waitsFor(graph.at("deployment-tfserving/deployment"), sleep)).toBe(false);
    expect(body("deployment-tfserving/deployment").dataCollector).toBeUndefined();
  });
});

describe("tags and descriptions", () => {
  const base = { project: "byom", environment: "byom", "managed-by": "cdktf", team: "ml-platform" };

  test("endpoint tags merge over the environment's; deployment tags over the endpoint's", () => {
    const endpointTags = { ...base, team: "serving", tier: "gold" };
    expect(config(graph.at("endpoint/endpoint")).tags).toEqual(endpointTags);
    expect(config(graph.at("endpoint/settings")).body.tags).toEqual(endpointTags);
    expect(config(graph.at("deployment-blue/deployment")).tags).toEqual({ ...endpointTags, "model-source": "local" });
    expect(config(graph.at("deployment-tfserving/deployment")).tags).toEqual({ ...endpointTags, "model-source": "registered" });
  });

  test("descriptions reach the endpoint and the deployment", () => {
    expect(config(graph.at("endpoint/settings")).body.properties.description).toBe("Models as users bring them");
    expect(body("deployment-blue/deployment").description).toBe("Churn model from a local folder");
  });

  test("batch endpoint and deployment tags merge the same way", () => {
    const endpointTags = { ...base, schedule: "nightly" };
    expect(config(graph.at("batch-byom-batch-x7/endpoint")).tags).toEqual(endpointTags);
    expect(config(graph.at("batch-byom-batch-x7/deployment-churn-v1")).tags).toEqual(endpointTags);
    expect(config(graph.at("batch-byom-batch-x7/deployment-churn-v2")).tags).toEqual({ ...endpointTags, rollout: "candidate" });
  });
});

describe("a batch endpoint with two deployments and a default", () => {
  const deployments = ofAzapiType("batchEndpoints/deployments");
  const defaults = graph.at("batch-byom-batch-x7/defaults");

  test("both deployments exist, each locking the endpoint so Terraform applies them one at a time", () => {
    expect(deployments.map((d) => config(d).name).sort()).toEqual(["churn-v1", "churn-v2"]);
    for (const d of deployments) expect(config(d).locks).toEqual([`\${${graph.at("batch-byom-batch-x7/endpoint")}.id}`]);
  });

  test("the default is the one named, set after both deployments exist", () => {
    expect(config(defaults).body.properties.defaults).toEqual({ deploymentName: "churn-v2" });
    for (const d of deployments) expect(graph.waitsFor(defaults, d)).toBe(true);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
