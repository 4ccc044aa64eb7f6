import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, Testing } from "cdktf";
import { loadEnvironments } from "../../lib/config/load";
import { ServingStack } from "../../lib/stacks/serving-stack";
import { DependencyGraph } from "../helpers/dependency-graph";
import { perFile } from "../helpers/shared";

/**
 * What a first `cdktf deploy` needs from Terraform's order, and what the second plan needs from the bodies, asked
 * of the dependency graph of full synths of fixture configs (never the user's config/).
 */
const FIXTURES = join(__dirname, "..", "fixtures", "apply-order");

function synthAll(): Record<string, any> {
  const app: App = Testing.app({ enableFutureFlags: false });
  for (const environment of loadEnvironments({ configDir: FIXTURES })) new ServingStack(app, environment);
  app.synth();
  const read = (name: string) => JSON.parse(readFileSync(join(app.outdir, "stacks", name, "cdk.tf.json"), "utf8"));
  return { full: read("serving-full"), keys: read("serving-keys") };
}

// Synthesized at load to name the test.each rows; under mutation testing each test synthesizes again (perFile).
const atLoad = synthAll();
const current = perFile(synthAll, atLoad);
/** Addresses, for naming tests and rows; assertions read {@link g}, the graph of the current synth. */
const names = new DependencyGraph(atLoad.full);
const g = () => new DependencyGraph(current().full);

/**
 * Whether a duration is Python isodate's `duration_isoformat` of a timedelta, which az ml sends: days, then hours
 * 1-23, minutes 1-59 and seconds under 60 (a fraction without trailing zeros), each left out when zero; no weeks;
 * zero is P0D. Written apart from lib/config/duration.ts, so that it checks that code rather than repeating it.
 */
function isCanonicalDuration(value: string): boolean {
  if (value === "P0D") return true;
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?)?$/.exec(value);
  if (!m || value === "P" || value.endsWith("T")) return false;
  const [, days, hours, minutes, seconds, fraction] = m;
  const positive = (v: string | undefined, max: number) => v === undefined || (!/^0/.test(v) && Number(v) <= max);
  const wholeSeconds = fraction === undefined ? positive(seconds, 59) : seconds !== undefined && /^(0|[1-5]?\d)$/.test(seconds) && Number(seconds) <= 59;
  return positive(days, Infinity) && positive(hours, 23) && positive(minutes, 59) && wholeSeconds && (fraction === undefined || !fraction.endsWith("0"));
}

test.each([
  ["PT1M30S", true], ["PT5M", true], ["PT1H", true], ["P1DT1H", true], ["PT0.5S", true], ["P0D", true],
  ["PT90S", false], ["PT60M", false], ["PT24H", false], ["PT0S", false], ["PT1.50S", false], ["PT0H5M", false], ["P1W", false],
])("the canonical-duration check itself: %s is %s", (value, canonical) => {
  expect(isCanonicalDuration(value)).toBe(canonical);
});

const AZAPI_TYPE = (kind: string) => `Microsoft.MachineLearningServices/workspaces/${kind}@2025-12-01`;
const azapiOf = (json: any, kind: string) =>
  Object.entries(json.resource.azapi_resource as Record<string, any>)
    .filter(([, r]) => r.type === AZAPI_TYPE(kind))
    .map(([name]) => `azapi_resource.${name}`);
const config = (address: string, json: any = current().full) => {
  const [type, name] = address.split(".");
  return json.resource[type][name];
};
/** The role assignments a time_sleep waits for, as role names. */
const rolesBefore = (sleep: string) =>
  g()
    .direct(sleep)
    .filter((a) => a.startsWith("azurerm_role_assignment."))
    .map((a) => config(a).role_definition_name)
    .sort();

const blobs = names.ofType("azurerm_storage_blob");
const modelVersions = azapiOf(atLoad.full, "models/versions");
const environmentVersions = azapiOf(atLoad.full, "environments/versions");
const codeVersions = azapiOf(atLoad.full, "codes/versions");
const onlineDeployments = azapiOf(atLoad.full, "onlineEndpoints/deployments");
const batchEndpoints = azapiOf(atLoad.full, "batchEndpoints");
const batchDeployments = azapiOf(atLoad.full, "batchEndpoints/deployments");
const datastoresReady = names.at("ml/datastore-access/wait");
const workspaceAddress = names.at("ml/workspace");

test("the fixture has every kind of data-plane write and deployment the rules below speak of", () => {
  expect(blobs.length).toBeGreaterThanOrEqual(2);
  expect(modelVersions).toHaveLength(2);
  expect(environmentVersions).toHaveLength(1);
  expect(codeVersions).toHaveLength(1);
  expect(onlineDeployments).toHaveLength(2);
  expect(batchEndpoints).toHaveLength(1);
  expect(batchDeployments).toHaveLength(1);
});

describe("code uploads wait for the deployer's data role on their container and then a delay", () => {
  const sleep = names.at("assets/code-container-access/propagation/wait");
  const role = names.at("assets/code-container-access/write-deployer");

  test("the deployer, whoever runs Terraform, gets Storage Blob Data Contributor on the code container only", () => {
    expect(config(role)).toMatchObject({
      role_definition_name: "Storage Blob Data Contributor",
      principal_id: expect.stringMatching(/^\$\{data\.azurerm_client_config\.client\.object_id\}$/),
      scope: expect.stringMatching(/^\$\{azurerm_storage_account\.ml_storage_\w+\.id\}\/blobServices\/default\/containers\/\$\{azurerm_storage_container\.assets_code-container_\w+\.name\}$/),
    });
    // A user or a service principal: the type is left for Azure to look up.
    expect(config(role).principal_type).toBeUndefined();
  });

  test("the delay is a time_sleep after that role, re-created when the role is", () => {
    expect(config(sleep)).toMatchObject({ create_duration: "120s" });
    expect(g().direct(sleep)).toContain(role);
    expect(Object.values(config(sleep).triggers)).toContain(`\${${role}.id}`);
  });

  test.each(blobs)("%s waits for the delay, and so for the role", (blob) => {
    expect(g().waitsFor(blob, sleep)).toBe(true);
    expect(g().waitsFor(blob, role)).toBe(true);
  });

  test("every code version waits for its uploads", () => {
    for (const code of codeVersions) for (const blob of blobs) expect(g().waitsFor(code, blob)).toBe(true);
  });
});

describe("the workspace is born keyless, and its identity's roles propagate before anything touches the datastores", () => {
  test("the workspace is created with identity-based system datastores, in az ml's spelling; nothing switches it later", () => {
    expect(config(workspaceAddress).body.properties.systemDatastoresAuthMode).toBe("identity");
    expect(config(workspaceAddress).ignore_casing).toBe(true);
    const workspaceUpdates = Object.values<any>(current().full.resource.azapi_update_resource ?? {}).filter(
      (r) => r.type === "Microsoft.MachineLearningServices/workspaces@2025-12-01",
    );
    expect(workspaceUpdates).toEqual([]);
  });

  test("the wait starts after the workspace and again whenever it is replaced", () => {
    expect(g().direct(datastoresReady)).toEqual([workspaceAddress]);
    expect(config(datastoresReady).triggers).toEqual({ granted_by_0: `\${${workspaceAddress}.id}` });
  });

  test.each([
    ...blobs,
    ...modelVersions,
    ...environmentVersions,
    ...codeVersions,
    ...onlineDeployments,
    ...batchEndpoints,
    ...batchDeployments,
  ])("%s waits for it", (address) => {
    expect(g().waitsFor(address, datastoresReady)).toBe(true);
  });

  test("with shared key access there is no identity mode and no wait, and the storage accepts keys", () => {
    const keys = new DependencyGraph(current().keys);
    expect(() => keys.at("ml/datastore-access/wait")).toThrow(/found none/);
    expect(config(keys.at("ml/workspace"), current().keys).body.properties).not.toHaveProperty("systemDatastoresAuthMode");
    expect(config(keys.at("ml/storage"), current().keys).shared_access_key_enabled).toBe(true);
    expect(config(g().at("ml/storage")).shared_access_key_enabled).toBe(false);
    // Uploads still use Entra ID (storage_use_azuread), so they still wait for the deployer's role.
    for (const blob of keys.ofType("azurerm_storage_blob")) {
      expect(keys.waitsFor(blob, keys.at("assets/code-container-access/propagation/wait"))).toBe(true);
    }
  });
});

describe("online deployments wait for the endpoint identity's roles and a delay", () => {
  const sleep = names.at("endpoint/roles-ready/wait");
  const identity = names.at("endpoint/identity");

  test("the delay follows AcrPull, Storage Blob Data Reader and AzureML Metrics Writer of the endpoint identity", () => {
    expect(rolesBefore(sleep)).toEqual(["AcrPull", "AzureML Metrics Writer (preview)", "Storage Blob Data Reader"]);
    for (const role of g().direct(sleep).filter((a) => a.startsWith("azurerm_role_assignment."))) {
      expect(config(role)).toMatchObject({ principal_id: `\${${identity}.principal_id}`, principal_type: "ServicePrincipal" });
    }
  });

  test.each(onlineDeployments)("%s waits for the delay", (deployment) => {
    expect(g().direct(deployment)).toContain(sleep);
  });

  test("the endpoint itself is created after the delay: Azure ML checks the identity's access then", () => {
    expect(g().direct(g().at("endpoint/endpoint"))).toContain(sleep);
  });

  test("the traffic split is set after every deployment exists", () => {
    const traffic = g().at("traffic/traffic");
    for (const deployment of onlineDeployments) expect(g().waitsFor(traffic, deployment)).toBe(true);
  });
});

describe("batch jobs run as the cluster's user-assigned identity, with Parallel Run's storage roles", () => {
  const sleep = names.at("compute/batch-access/propagation/wait");
  const identity = names.at("compute/identity");

  test("the cluster runs as that identity", () => {
    expect(config(g().at("compute/cluster")).identity).toEqual({ type: "UserAssigned", identity_ids: [`\${${identity}.id}`] });
  });

  test("it gets Storage Blob, Queue and Table Data Contributor on the workspace storage, and AcrPull", () => {
    expect(rolesBefore(sleep)).toEqual([
      "AcrPull",
      "Storage Blob Data Contributor",
      "Storage Queue Data Contributor",
      "Storage Table Data Contributor",
    ]);
    for (const role of g().direct(sleep).filter((a) => a.startsWith("azurerm_role_assignment."))) {
      expect(config(role)).toMatchObject({ principal_id: `\${${identity}.principal_id}`, principal_type: "ServicePrincipal" });
      if (config(role).role_definition_name !== "AcrPull") {
        expect(config(role).scope).toMatch(/^\$\{azurerm_storage_account\.ml_storage_\w+\.id\}$/);
      }
    }
  });

  test.each(batchDeployments)("%s waits for the delay after those roles", (deployment) => {
    expect(g().direct(deployment)).toContain(sleep);
  });
});

describe("the second plan is empty: bodies are in the form Azure returns", () => {
  /** Every string in every azapi body, with its path. */
  const strings = (json: any): [string, string][] => {
    const out: [string, string][] = [];
    const walk = (value: unknown, path: string) => {
      if (typeof value === "string") out.push([path, value]);
      else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
    };
    for (const type of ["azapi_resource", "azapi_update_resource"]) {
      for (const [name, r] of Object.entries((json.resource[type] ?? {}) as Record<string, any>)) walk(r.body, `${type}.${name}.body`);
    }
    return out;
  };

  test("every duration in every azapi body is in isodate's canonical form", () => {
    const durations = strings(current().full).filter(([, v]) => /^P(?=.)(\d+[WD])*(T.*)?$/.test(v));
    expect(durations.length).toBeGreaterThanOrEqual(6);
    for (const [path, value] of durations) expect([path, isCanonicalDuration(value)]).toEqual([path, true]);
  });

  test("durations as az ml sends them: 90 s → PT1M30S, 3.6 s → PT3.6S, 300 s → PT5M, 5 s → PT5S, 3600 s → PT1H", () => {
    const body = (address: string) => config(address).body.properties;
    const [blue, green] = onlineDeployments.map(body);
    expect(blue.requestSettings.requestTimeout).toBe("PT1M30S");
    expect(green.requestSettings.requestTimeout).toBe("PT3.6S");
    expect(blue.livenessProbe).toMatchObject({ initialDelay: "PT5M", period: "PT5S", timeout: "PT2S" });
    expect(body(batchDeployments[0]).retrySettings.timeout).toBe("PT1H");
    // The cluster's idle time, written PT120S in the fixture, goes out as Azure returns it.
    expect(config(g().at("compute/cluster")).scale_settings.scale_down_nodes_after_idle_duration).toBe("PT2M");
  });

  test("every azureml:// datastore URI is in the long form, built from the workspace's id", () => {
    const uris = strings(current().full).filter(([, v]) => v.startsWith("azureml://"));
    expect(uris.length).toBeGreaterThanOrEqual(2);
    const part = (i: number) => `\\$\\{element\\(split\\("/", azapi_resource\\.ml_workspace_\\w+\\.id\\), ${i}\\)\\}`;
    const long = new RegExp(`^azureml://subscriptions/${part(2)}/resourcegroups/${part(4)}/workspaces/${part(8)}/datastores/workspaceblobstore/paths/models/churn/[34]/$`);
    for (const [path, uri] of uris) expect([path, uri]).toEqual([path, expect.stringMatching(long)]);
  });

  test.each([
    ["the workspace", "ml/workspace"],
    ["the online endpoint", "endpoint/endpoint"],
    ["its settings update", "endpoint/settings"],
    ["the blue deployment", "deployment-blue/deployment"],
    ["the batch endpoint", "batch-order-batch-q7x2/endpoint"],
    ["the batch deployment", "batch-order-batch-q7x2/deployment-nightly"],
  ])("%s takes enums Azure hands back in another casing as unchanged (ignore_casing)", (_, path) => {
    expect(config(g().at(path)).ignore_casing).toBe(true);
  });

  test("the online endpoint and the batch endpoint ignore later body changes; merging updates apply them", () => {
    for (const endpoint of [g().at("endpoint/endpoint"), ...batchEndpoints]) {
      expect(config(endpoint).lifecycle).toEqual({ ignore_changes: ["body", "tags"] });
    }
  });
});

test("providers are bounded: azapi below 3.0, time below 1.0", () => {
  expect(current().full.terraform.required_providers).toMatchObject({
    azapi: { source: "Azure/azapi", version: "~> 2.9" },
    time: { source: "hashicorp/time", version: "~> 0.13" },
  });
});
