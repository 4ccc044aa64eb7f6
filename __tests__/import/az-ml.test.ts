import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Testing } from "cdktf";
import { loadEnvironments } from "../../lib/config/load";
import { main } from "../../lib/import/cli";
import { ServingStack } from "../../lib/stacks/serving-stack";

/**
 * Issue 24: az ml files from Azure/azureml-examples (verbatim, see fixtures/az-ml/SOURCE.md) imported into an
 * environment file, which then loads and synthesizes; and what the import refuses, with nothing written.
 */
const SAMPLES = join(__dirname, "..", "fixtures", "az-ml");
const online = (p: string) => join(SAMPLES, "cli", "endpoints", "online", p);
const batchSample = (p: string) => join(SAMPLES, "cli", "endpoints", "batch", "deploy-models", "mnist-classifier", p);

const ENV = `# The dev environment: comments must survive an import
project: churn
location: westeurope   # the region
state:
  resource_group: rg-tfstate
  storage_account: sttfstate01
compute:
  name: batch-cluster
  vm_size: STANDARD_D2_V2
  max_nodes: 4
# alerts go to the team
monitoring:
  alert_emails: [ml-team@example.com]
`;

let work: string;
let envFile: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "az-ml-import-"));
  mkdirSync(join(work, "config"));
  envFile = join(work, "config", "dev.yaml");
  writeFileSync(envFile, ENV);
});

afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = "";
  let err = "";
  const code = main(["--into", envFile, ...argv], { stdout: (t) => (out += t), stderr: (t) => (err += t) }, work);
  return { code, out, err };
}

/** Synthesizes the config folder; returns the serving stack's JSON. */
function synth(): any {
  const app: App = Testing.app({ enableFutureFlags: false });
  try {
    for (const environment of loadEnvironments({ configDir: join(work, "config"), projectRoot: work })) new ServingStack(app, environment);
    app.synth();
    return JSON.parse(readFileSync(join(app.outdir, "stacks", "serving-dev", "cdk.tf.json"), "utf8"));
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

/** Bodies of the azapi resources of an ARM type (e.g. "models/versions"), with their names. */
function ofType(json: any, type: string): { name: string; properties: any }[] {
  return Object.values(json.resource.azapi_resource as Record<string, any>)
    .filter((r) => r.type === `Microsoft.MachineLearningServices/workspaces/${type}@2025-12-01`)
    .map((r) => ({ name: String(r.name), properties: r.body?.properties ?? {} }));
}

const BLUE_GREEN = [online("managed/sample/endpoint.yml"), online("managed/sample/blue-deployment.yml"), online("managed/sample/green-deployment.yml")];
const TFSERVING = [online("custom-container/tfserving/half-plus-two/tfserving-endpoint.yml"), online("custom-container/tfserving/half-plus-two/tfserving-deployment.yml")];
const MNIST = [batchSample("endpoint.yml"), batchSample("deployment-torch/deployment.yml")];
/** The sample's auth_mode: key, which the import writes as given, waived so that the stack synthesizes. */
const WAIVE_KEY_AUTH = "waivers:\n  - rule: endpoint-key-auth\n    reason: the az ml sample uses key auth\n";

describe("the managed blue/green sample (local model, code and conda)", () => {
  test("imports with a traffic split, exit 0", () => {
    expect(run(...BLUE_GREEN, "--traffic", "blue=90,green=10").code).toBe(0);
  });

  test("without --traffic, stops and asks for one (exit 2), writing nothing", () => {
    const result = run(...BLUE_GREEN);
    expect(result.code).toBe(2);
    expect(result.err).toContain("--traffic blue=100,green=0");
    expect(readFileSync(envFile, "utf8")).toBe(ENV);
  });

  test("reports the lines it added", () => {
    const { out } = run(...BLUE_GREEN, "--traffic", "blue=90,green=10");
    expect(out).toMatch(/^config\/dev\.yaml:\d+-\d+: added endpoint my-endpoint \(deployments blue 90%, green 10%\)$/m);
  });

  test("prints the names it chose for the anonymous model and environment", () => {
    const { out } = run(...BLUE_GREEN, "--traffic", "blue=90,green=10");
    expect(out).toContain("named my-endpoint-blue-model");
    expect(out).toContain("named my-endpoint-green-env");
  });

  test("says that auth_mode: key will be refused by the guardrail endpoint-key-auth, and how to change or waive it", () => {
    const { out } = run(...BLUE_GREEN, "--traffic", "blue=90,green=10");
    expect(out).toMatch(/endpoint\.yml:3: auth_mode: key is written as given.*endpoint-key-auth.*aml_token or aad_token.*waivers/);
  });

  test("keeps the environment file's comments", () => {
    run(...BLUE_GREEN, "--traffic", "blue=90,green=10");
    const text = readFileSync(envFile, "utf8");
    for (const comment of ["# The dev environment: comments must survive an import", "# the region", "# alerts go to the team"]) expect(text).toContain(comment);
  });

  test("keeps the key order, with the endpoint after compute", () => {
    run(...BLUE_GREEN, "--traffic", "blue=90,green=10");
    const keys = readFileSync(envFile, "utf8").split("\n").filter((l) => /^[a-z_]+:/.test(l)).map((l) => l.split(":")[0]);
    expect(keys).toEqual(["project", "location", "state", "compute", "endpoint", "monitoring"]);
  });

  test("rewrites paths relative to the environment file", () => {
    run(...BLUE_GREEN, "--traffic", "blue=90,green=10");
    expect(readFileSync(envFile, "utf8")).toContain("path: ../../../__tests__/fixtures/az-ml/cli/endpoints/online/model-1/model/".replace("../../../__tests__", relativeFixtures()));
  });

  test("synthesizes two model versions, two environments with their conda files, two code versions and a 90/10 split", () => {
    run(...BLUE_GREEN, "--traffic", "blue=90,green=10");
    writeFileSync(envFile, readFileSync(envFile, "utf8") + WAIVE_KEY_AUTH);
    const json = synth();
    expect(ofType(json, "models/versions")).toHaveLength(2);
    expect(ofType(json, "environments/versions").map((e) => typeof e.properties.condaFile)).toEqual(["string", "string"]);
    expect(ofType(json, "codes/versions")).toHaveLength(2);
    const updates = Object.values(json.resource.azapi_update_resource as Record<string, any>).map((r) => r.body?.properties?.traffic).filter(Boolean);
    expect(updates).toContainEqual({ blue: 90, green: 10 });
  });
});

/** The fixtures folder as the environment file (in a temp folder) reaches it. */
function relativeFixtures(): string {
  return require("node:path").relative(join(work, "config"), join(__dirname, "..")).split(require("node:path").sep).join("/");
}

describe("the TF Serving custom container", () => {
  test("refuses the {{MODEL_VERSION}} placeholder, naming file and line, and writes nothing", () => {
    const result = run(...TFSERVING);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/tfserving-deployment\.yml:6: version: must not hold a template placeholder: \{\{MODEL_VERSION\}\}.*--set MODEL_VERSION=<value>/);
    expect(readFileSync(envFile, "utf8")).toBe(ENV);
  });

  test("imports with --set MODEL_VERSION=1 and synthesizes its routes, image and model", () => {
    expect(run(...TFSERVING, "--set", "MODEL_VERSION=1").code).toBe(0);
    const json = synth();
    const [env] = ofType(json, "environments/versions");
    expect(env.properties.image).toBe("docker.io/tensorflow/serving:latest");
    expect(env.properties.inferenceConfig.scoringRoute).toEqual({ port: 8501, path: "/v1/models/half_plus_two:predict" });
    expect(JSON.stringify(json)).toContain("/var/azureml-app/azureml-models/tfserving-mounted/1");
  });
});

describe("the MNIST model batch deployment", () => {
  test("imports onto the environment's cluster and synthesizes its batch settings", () => {
    expect(run(...MNIST).code).toBe(0);
    const [d] = ofType(synth(), "batchEndpoints/deployments");
    expect(d.properties).toMatchObject({ miniBatchSize: 10, maxConcurrencyPerInstance: 2, errorThreshold: -1, outputFileName: "predictions.csv", loggingLevel: "Info" });
  });

  test("refuses another compute than the environment's cluster, and writes nothing", () => {
    writeFileSync(envFile, ENV.replace("name: batch-cluster", "name: cpu-cluster"));
    const before = readFileSync(envFile, "utf8");
    const result = run(...MNIST);
    expect(result.err).toMatch(/deployment\.yml:\d+: compute: must be the environment's cluster \(azureml:cpu-cluster\)/);
    expect(readFileSync(envFile, "utf8")).toBe(before);
  });
});

describe("payload data collection", () => {
  test("synthesizes the request and response collections", () => {
    expect(run(online("managed/sample/endpoint.yml"), join(SAMPLES, "adapted", "payload-deployment.yml")).code).toBe(0);
    writeFileSync(envFile, readFileSync(envFile, "utf8") + WAIVE_KEY_AUTH);
    const json = synth();
    const [d] = ofType(json, "onlineEndpoints/deployments");
    expect(Object.keys(d.properties.dataCollector.collections).sort()).toEqual(["request", "response"]);
  });
});

describe("refusals name the file, the line and the reason, and write nothing", () => {
  test("Kubernetes endpoint and deployment files", () => {
    const result = run(online("kubernetes/kubernetes-endpoint.yml"), online("kubernetes/kubernetes-blue-deployment.yml"));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/kubernetes-endpoint\.yml:1: \$schema: must not be a Kubernetes endpoint or deployment/);
    expect(result.err).toMatch(/kubernetes-blue-deployment\.yml:1: \$schema: must not be a Kubernetes endpoint or deployment/);
  });

  test("Kubernetes files leave the environment file's bytes unchanged", () => {
    run(online("kubernetes/kubernetes-endpoint.yml"), online("kubernetes/kubernetes-blue-deployment.yml"));
    expect(readFileSync(envFile, "utf8")).toBe(ENV);
  });

  test("an @latest model reference", () => {
    const result = run(online("managed/sample/endpoint.yml"), online("data-collector/workspace-blob-storage/workspace-blob-storage-payload2.YAML"));
    expect(result.err).toMatch(/workspace-blob-storage-payload2\.YAML:3: model: must pin a version: az ml resolves @latest.*azureml:iris_mlflow_model:<version>/);
  });

  test("an @latest reference leaves the environment file's bytes unchanged", () => {
    run(online("managed/sample/endpoint.yml"), online("data-collector/workspace-blob-storage/workspace-blob-storage-payload2.YAML"));
    expect(readFileSync(envFile, "utf8")).toBe(ENV);
  });

  test("an environment pinned to a label", () => {
    const result = run(online("managed/sample/endpoint.yml"), online("managed/sample/green-deployment-with-curated-env.yml"));
    expect(result.err).toMatch(/green-deployment-with-curated-env\.yml:9: environment: must pin a version/);
  });

  test("an endpoint name already in the file", () => {
    run(...TFSERVING, "--set", "MODEL_VERSION=1");
    const before = readFileSync(envFile, "utf8");
    const result = run(...TFSERVING, "--set", "MODEL_VERSION=1");
    expect(result.err).toMatch(/tfserving-endpoint\.yml:2: name: must not be an endpoint already in config\/dev\.yaml/);
    expect(readFileSync(envFile, "utf8")).toBe(before);
  });

  test("a field with no counterpart here", () => {
    const file = join(work, "identity-endpoint.yml");
    writeFileSync(file, "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json\nname: ident-endpoint\nidentity:\n  type: system_assigned\n");
    const result = run(file, online("managed/sample/blue-deployment.yml"));
    expect(result.err).toMatch(/identity-endpoint\.yml:3: identity: has no counterpart here/);
  });
});

describe("the write form", () => {
  test("a second endpoint turns endpoint: into endpoints:, the existing one first with moved_from_endpoint: true", () => {
    run(...TFSERVING, "--set", "MODEL_VERSION=1");
    run(...BLUE_GREEN, "--traffic", "blue=90,green=10");
    const config = loadEnvironments({ configDir: join(work, "config"), projectRoot: work })[0].config;
    expect(config.endpoints.map((e) => [e.name, e.moved_from_endpoint])).toEqual([["tfserving-endpoint", true], ["my-endpoint", false]]);
  });

  test("two endpoints into a file with none become endpoints:", () => {
    run(...TFSERVING, ...BLUE_GREEN, "--set", "MODEL_VERSION=1", "--traffic", "blue=90,green=10");
    expect(readFileSync(envFile, "utf8")).toMatch(/^endpoints:\n {2}- name: tfserving-endpoint/m);
  });
});
