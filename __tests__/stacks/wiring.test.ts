import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Testing, type App } from "cdktf";
import { loadEnvironments } from "../../lib/config/load";
import { ServingStack } from "../../lib/stacks/serving-stack";
import { capacityGuardrailOptions } from "../../lib/stacks/autoscale-props";
import { StateStack, stateStacksFrom } from "../../lib/stacks/state-stack";
import { validateSynthesizedAzapiBodies } from "../helpers/azapi-schema";
import { perFile } from "../helpers/shared";

/**
 * The config → props wiring of ServingStack, autoscaleProps and stateStacksFrom (issue 25), end to end from YAML.
 *
 * The fixtures (__tests__/fixtures/wiring) give every field a value that differs from its default and from its
 * siblings (three probes with different numbers, two cooldowns, min ≠ max, traffic ≠ mirror, ...), so that a field
 * dropped, swapped with a sibling, replaced by its default, or a condition inverted, changes an asserted value:
 * - wide.yaml: a created public workspace, two listed endpoints (the second keeps the one-endpoint addresses),
 *   every deployment, autoscale, probe, data collection and batch field;
 * - prodwx.yaml: production-like and private, in an existing client subnet, with a quota it exceeds (waived);
 * - held.yaml: batch only, in an existing workspace on an existing cluster, sharing wide's state account;
 * - bare.yaml: an existing workspace and nothing else.
 */
const FIXTURE = join(__dirname, "..", "fixtures", "wiring");

type Env = "wide" | "prodwx" | "held" | "bare";
const ENVS: readonly Env[] = ["bare", "held", "prodwx", "wide"];
const environments = perFile(() => loadEnvironments({ configDir: FIXTURE }));

/**
 * One environment's stack, synthesized alone (the whole folder is loaded, for its cross-file checks) with its
 * guardrail metadata, as `npm run synth` writes it; the output folder is removed. One per environment, so that a
 * test reads only the stack it needs (under Stryker's coverage analysis every test synthesizes afresh).
 */
function synthEnvironment(env: Env): any {
  const app: App = Testing.app({ enableFutureFlags: false });
  try {
    new ServingStack(app, loadEnvironments({ configDir: FIXTURE }).find((e) => e.name === env)!);
    app.synth();
    return JSON.parse(readFileSync(join(app.outdir, "stacks", `serving-${env}`, "cdk.tf.json"), "utf8"));
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}
const synths = Object.fromEntries(ENVS.map((env) => [env, perFile(() => synthEnvironment(env))])) as Record<Env, () => any>;
const stackOf = (env: Env): any => synths[env]();

/** The one resource of `type` at construct path `serving-<env>/<path>` (the one-endpoint form is under `Default`). */
function at(env: Env, type: string, path: string): any {
  const wanted = `serving-${env}/${path}`;
  const matches = Object.values<any>(stackOf(env).resource?.[type] ?? {}).filter((r) => r["//"]?.metadata?.path === wanted);
  if (matches.length !== 1) throw new Error(`expected one ${type} at ${wanted}, found ${matches.length}`);
  return matches[0];
}
const resourcesOf = (env: Env, type: string): any[] => Object.values<any>(stackOf(env).resource?.[type] ?? {});
const ref = (env: Env, type: string, path: string, attribute = "id"): string =>
  `\${${type}.${at(env, type, path)["//"].metadata.uniqueId}.${attribute}}`;
const findings = (env: Env): any[] => stackOf(env)["//"].metadata.guardrails.findings;

const WIDE_TAGS = { project: "wirex", environment: "wide", "managed-by": "cdktf", team: "wiring-team" };
const MAIN_ENDPOINT_TAGS = { ...WIDE_TAGS, team: "main-endpoint-team", owner: "main-team", tier: "gold" };
const HELD_WORKSPACE =
  "/subscriptions/5ab1e000-1234-4abc-8def-0123456789ab/resourceGroups/rg-wire-platform/providers/Microsoft.MachineLearningServices/workspaces/mlw-wire-platform";

test("the wiring fixtures synthesize four stacks whose azapi bodies are valid against the 2025-12-01 schema", () => {
  expect(environments().map((e) => e.name)).toEqual(["bare", "held", "prodwx", "wide"]);
  for (const env of ENVS) expect(validateSynthesizedAzapiBodies(stackOf(env))).toEqual([]);
});

describe("providers and backend", () => {
  test("azurerm and azapi work in the configured subscription, azurerm through Entra ID", () => {
    expect(stackOf("wide").provider.azurerm).toEqual([
      {
        features: [{ key_vault: [{ recover_soft_deleted_key_vaults: true, purge_soft_delete_on_destroy: false }] }],
        subscription_id: "5ab1e000-1234-4abc-8def-0123456789ab",
        storage_use_azuread: true,
      },
    ]);
    expect(stackOf("wide").provider.azapi).toEqual([{ subscription_id: "5ab1e000-1234-4abc-8def-0123456789ab" }]);
  });

  test("the backend is the configured state account, group and container, under the stack's own key", () => {
    expect(stackOf("wide").terraform.backend.azurerm).toEqual({
      resource_group_name: "rg-wirex-state",
      storage_account_name: "stwirexstate07",
      container_name: "wirexstate",
      key: "serving-wide.tfstate",
      use_azuread_auth: true,
      subscription_id: "5ab1e000-1234-4abc-8def-0123456789ab",
    });
  });
});

describe("workspace and its dependencies, created", () => {
  test("the resource group is named from project and environment, in the location, with the environment's tags", () => {
    expect(at("wide", "azurerm_resource_group", "resource-group")).toEqual(
      expect.objectContaining({ name: "rg-wirex-wide", location: "swedencentral", tags: WIDE_TAGS }),
    );
  });

  test("public access off, description, shared keys kept, no prevent_destroy, log retention", () => {
    const workspace = at("wide", "azapi_resource", "ml/workspace");
    expect(workspace.location).toBe("swedencentral");
    expect(workspace.parent_id).toBe(ref("wide", "azurerm_resource_group", "resource-group"));
    expect(at("wide", "azurerm_key_vault", "ml/key-vault").tenant_id).toBe("${data.azurerm_client_config.client.tenant_id}");
    expect(workspace.tags).toEqual(WIDE_TAGS);
    expect(workspace.body.properties).toEqual(expect.objectContaining({ publicNetworkAccess: "Disabled", description: "Wiring fixture workspace" }));
    // storage_shared_key_access: true keeps account keys, so the workspace is not born keyless.
    expect(workspace.body.properties.systemDatastoresAuthMode).toBeUndefined();
    expect(at("wide", "azurerm_storage_account", "ml/storage").shared_access_key_enabled).toBe(true);
    // prevent_destroy: false
    expect(workspace.lifecycle).toBeUndefined();
    expect(at("wide", "azurerm_log_analytics_workspace", "ml/log-analytics").retention_in_days).toBe(45);
  });

  test("a private workspace with prevent_destroy left at true keeps it, and is born keyless", () => {
    const workspace = at("prodwx", "azapi_resource", "ml/workspace");
    expect(workspace.lifecycle).toEqual({ prevent_destroy: true });
    expect(workspace.body.properties).toEqual(expect.objectContaining({ publicNetworkAccess: "Disabled", systemDatastoresAuthMode: "identity" }));
  });

  test("private network: approved-only outbound with the allowed FQDNs, batch rules, the cluster as image builder", () => {
    const properties = at("prodwx", "azapi_resource", "ml/workspace").body.properties;
    expect(properties.imageBuildCompute).toBe("wirep-builder");
    expect(properties.managedNetwork.isolationMode).toBe("AllowOnlyApprovedOutbound");
    expect(properties.managedNetwork.outboundRules).toEqual(
      expect.objectContaining({
        "fqdn-pypi-org": expect.objectContaining({ destination: "pypi.org", type: "FQDN" }),
        "fqdn-any-wire-example-com": expect.objectContaining({ destination: "*.wire.example.com", type: "FQDN" }),
        // batch scoring needs the queue and table private endpoints
        "storage-queue": expect.objectContaining({ type: "PrivateEndpoint" }),
        "storage-table": expect.objectContaining({ type: "PrivateEndpoint" }),
      }),
    );
  });

  test("private network: the deployer IP ranges open the storage firewall; private endpoints go into the given subnet", () => {
    const [rules] = resourcesOf("prodwx", "azurerm_storage_account_network_rules");
    expect(rules.ip_rules).toEqual(["203.0.113.0/24", "198.51.100.7"]);
    const subnet =
      "/subscriptions/5ab1e000-1234-4abc-8def-0123456789ab/resourceGroups/rg-wire-net/providers/Microsoft.Network/virtualNetworks/vnet-wire/subnets/snet-wire-clients";
    const endpoints = resourcesOf("prodwx", "azurerm_private_endpoint");
    expect(endpoints.length).toBeGreaterThan(0);
    for (const endpoint of endpoints) expect(endpoint).toEqual(expect.objectContaining({ subnet_id: subnet, location: "francecentral" }));
    expect(resourcesOf("prodwx", "azurerm_virtual_network")).toEqual([]);
    expect(resourcesOf("prodwx", "azurerm_private_dns_zone")[0].tags).toEqual({ project: "wirep", environment: "prodwx", "managed-by": "cdktf" });
  });

  test("a public environment has no client network and no image builder", () => {
    expect(resourcesOf("wide", "azurerm_private_endpoint")).toEqual([]);
    expect(at("wide", "azapi_resource", "ml/workspace").body.properties.imageBuildCompute).toBeUndefined();
    expect(Object.keys(stackOf("wide").resource.azurerm_role_assignment).filter((k) => k.startsWith("image-builder"))).toEqual([]);
  });
});

describe("compute cluster", () => {
  test("every compute field, sent as configured", () => {
    expect(at("wide", "azurerm_machine_learning_compute_cluster", "compute/cluster")).toEqual(
      expect.objectContaining({
        name: "wire-cpu",
        location: "swedencentral",
        vm_size: "STANDARD_E4S_V3",
        vm_priority: "LowPriority",
        scale_settings: { min_node_count: 1, max_node_count: 7, scale_down_nodes_after_idle_duration: "PT17M" },
        machine_learning_workspace_id: ref("wide", "azapi_resource", "ml/workspace"),
        tags: WIDE_TAGS,
      }),
    );
  });

  test("node public IPs: left to Azure when public, off when private", () => {
    expect(at("wide", "azurerm_machine_learning_compute_cluster", "compute/cluster")).not.toHaveProperty("node_public_ip_enabled");
    expect(at("prodwx", "azurerm_machine_learning_compute_cluster", "compute/cluster").node_public_ip_enabled).toBe(false);
  });

  test("private: the cluster builds images, reads uploaded build contexts, and every deployment waits for it", () => {
    const builder = at("prodwx", "azurerm_user_assigned_identity", "compute/identity");
    expect(builder.name).toBe("id-wirep-builder");
    const reader = at("prodwx", "azurerm_role_assignment", "assets/code-container-access/read-reader");
    expect(reader.principal_id).toBe(ref("prodwx", "azurerm_user_assigned_identity", "compute/identity", "principal_id"));
    const wait = `time_sleep.${at("prodwx", "time_sleep", "image-builder/propagation/wait")["//"].metadata.uniqueId}`;
    expect(at("prodwx", "azapi_resource", "Default/deployment-live/deployment").depends_on).toContain(wait);
    expect(at("prodwx", "azapi_resource", "batch-wirep-batch-k9/deployment-nightly").depends_on).toContain(wait);
  });
});

describe("existing workspace and cluster (held)", () => {
  test("nothing of the workspace is created; it is read by its id, and checked to be in the location", () => {
    expect(resourcesOf("held", "azurerm_resource_group")).toEqual([]);
    const workspace = Object.values<any>(stackOf("held").data.azapi_resource)[0];
    expect(workspace.resource_id).toBe(HELD_WORKSPACE);
    expect(workspace.lifecycle.postcondition[0].condition).toContain('"norwayeast"');
  });

  test("batch runs on the existing cluster, addressed under the workspace", () => {
    const deployment = at("held", "azapi_resource", "batch-wireh-batch-k9/deployment-nightly");
    expect(deployment.body.properties.compute).toBe(`${HELD_WORKSPACE}/computes/wire-pool`);
    expect(deployment.location).toBe("norwayeast");
    expect(resourcesOf("held", "azurerm_machine_learning_compute_cluster")).toEqual([]);
  });

  test("outputs: the workspace's group, id and name; the cluster id; no online endpoint outputs", () => {
    const output = stackOf("held").output;
    expect(output).toEqual({
      resource_group_name: { value: "rg-wire-platform" },
      workspace_id: { value: HELD_WORKSPACE },
      workspace_name: { value: "mlw-wire-platform" },
      compute_cluster_id: { value: `${HELD_WORKSPACE}/computes/wire-pool` },
    });
  });

  test("uploads are granted to whoever runs Terraform when the file names no deployers", () => {
    expect(at("held", "azurerm_role_assignment", "assets/code-container-access/write-deployer").principal_id).toBe(
      "${data.azurerm_client_config.client.object_id}",
    );
  });

  test("azureml: references the stack does not register are addressed under the existing workspace", () => {
    const properties = at("held", "azapi_resource", "batch-wireh-batch-k9/deployment-nightly").body.properties;
    expect(properties.model).toEqual({ assetId: `${HELD_WORKSPACE}/models/wire-model/versions/5`, referenceType: "Id" });
    expect(properties.environmentId).toBe(`${HELD_WORKSPACE}/environments/wire-env/versions/4`);
    expect(properties.codeConfiguration).toEqual({ codeId: ref("held", "azapi_resource", "assets/code-src"), scoringScript: "batch_score.py" });
  });

  test("no workspace diagnostics and no action group: neither is this stack's", () => {
    expect(resourcesOf("held", "azurerm_monitor_diagnostic_setting")).toEqual([]);
    expect(resourcesOf("held", "azurerm_monitor_action_group")).toEqual([]);
  });
});

describe("an existing workspace and nothing else (bare)", () => {
  test("creates nothing: no asset containers, uploads or cluster", () => {
    expect(stackOf("bare").resource ?? {}).toEqual({});
  });

  test("outputs only the workspace's group, id and name", () => {
    const workspace =
      "/subscriptions/5ab1e000-1234-4abc-8def-0123456789ab/resourceGroups/rg-wire-bare/providers/Microsoft.MachineLearningServices/workspaces/mlw-wire-bare";
    expect(stackOf("bare").output).toEqual({
      resource_group_name: { value: "rg-wire-bare" },
      workspace_id: { value: workspace },
      workspace_name: { value: "mlw-wire-bare" },
    });
  });
});

describe("monitoring", () => {
  test("the action group mails the configured addresses, in order", () => {
    expect(at("wide", "azurerm_monitor_action_group", "monitoring/action-group")).toEqual(
      expect.objectContaining({
        name: "ag-wirex-wide",
        email_receiver: [
          expect.objectContaining({ email_address: "wire-oncall@example.com" }),
          expect.objectContaining({ email_address: "wire-lead@example.com" }),
        ],
        tags: WIDE_TAGS,
      }),
    );
  });

  test("the created workspace's logs go to its Log Analytics workspace", () => {
    expect(at("wide", "azurerm_monitor_diagnostic_setting", "monitoring/workspace-diagnostics")).toEqual(
      expect.objectContaining({
        target_resource_id: ref("wide", "azapi_resource", "ml/workspace"),
        log_analytics_workspace_id: ref("wide", "azurerm_log_analytics_workspace", "ml/log-analytics"),
      }),
    );
  });

  test.each([
    ["latency-blue", "RequestLatency_P95", 777],
    ["cpu-blue", "CpuUtilizationPercentage", 66],
    ["throttled-blue", "RequestsPerMinute", 23],
    ["capacity-blue", "ObservedCapacity", 9],
  ])("main endpoint alert %s: %s above the configured %d, to the action group, with the environment's tags", (id, metric, threshold) => {
    const alert = at("wide", "azurerm_monitor_metric_alert", `Default/monitoring/${id}`);
    expect(alert.criteria).toEqual([expect.objectContaining({ metric_name: metric, threshold })]);
    expect(alert.action).toEqual([{ action_group_id: ref("wide", "azurerm_monitor_action_group", "monitoring/action-group") }]);
    expect(alert.tags).toEqual(WIDE_TAGS);
  });

  test("the endpoint's logs go to the Log Analytics workspace", () => {
    expect(at("wide", "azurerm_monitor_diagnostic_setting", "Default/monitoring/endpoint-diagnostics").log_analytics_workspace_id).toBe(
      ref("wide", "azurerm_log_analytics_workspace", "ml/log-analytics"),
    );
  });

  test("at-max alerts only where autoscale can scale: not on a fixed-size deployment, not on min = max", () => {
    const capacity = Object.values<any>(stackOf("wide").resource.azurerm_monitor_metric_alert)
      .filter((a) => a.criteria[0].metric_name === "ObservedCapacity")
      .map((a) => a.name)
      .sort();
    expect(capacity).toEqual(["wirex-main-k9-blue-at-max-instances", "wirex-side-k9-solo-at-max-instances"]);
    expect(at("wide", "azurerm_monitor_metric_alert", "endpoint-wirex-side-k9/monitoring/capacity-solo").criteria[0].threshold).toBe(8);
  });

  test("throttling alerts only for deployments that scale on requests (blue), not on CPU or disk alone", () => {
    const throttled = Object.values<any>(stackOf("wide").resource.azurerm_monitor_metric_alert)
      .filter((a) => a.name.endsWith("-throttled"))
      .map((a) => a.name);
    expect(throttled).toEqual(["wirex-main-k9-blue-throttled"]);
  });
});

describe("online endpoints", () => {
  test("the listed endpoint that moved from `endpoint:` keeps the one-endpoint addresses; the other is under endpoint-<name>", () => {
    expect(at("wide", "azapi_resource", "Default/endpoint/endpoint").name).toBe("wirex-main-k9");
    expect(at("wide", "azapi_resource", "endpoint-wirex-side-k9/endpoint/endpoint").name).toBe("wirex-side-k9");
  });

  test("main endpoint: key auth, public access off, description, endpoint tags over the environment's", () => {
    const endpoint = at("wide", "azapi_resource", "Default/endpoint/endpoint");
    expect(endpoint.location).toBe("swedencentral");
    expect(endpoint.parent_id).toBe(ref("wide", "azapi_resource", "ml/workspace"));
    expect(endpoint.body.properties).toEqual({ authMode: "Key", publicNetworkAccess: "Disabled", description: "Main wiring endpoint" });
    expect(endpoint.tags).toEqual(MAIN_ENDPOINT_TAGS);
  });

  test("side endpoint: AAD token auth, public by default, the environment's tags", () => {
    const endpoint = at("wide", "azapi_resource", "endpoint-wirex-side-k9/endpoint/endpoint");
    expect(endpoint.body.properties).toEqual({ authMode: "AADToken", publicNetworkAccess: "Enabled" });
    expect(endpoint.tags).toEqual(WIDE_TAGS);
  });

  test("traffic and mirror shares as configured: the shadow deployment mirrors 15 %", () => {
    expect(at("wide", "azapi_update_resource", "Default/traffic/traffic").body.properties).toEqual({
      traffic: { blue: 70, green: 30, shadow: 0 },
      mirrorTraffic: { blue: 0, green: 0, shadow: 15 },
    });
  });

  test("outputs: the one-endpoint names for the moved endpoint, and maps of both", () => {
    const output = stackOf("wide").output;
    const main = at("wide", "azapi_resource", "Default/endpoint/endpoint")["//"].metadata.uniqueId;
    const side = at("wide", "azapi_resource", "endpoint-wirex-side-k9/endpoint/endpoint")["//"].metadata.uniqueId;
    expect(output.endpoint_name).toEqual({ value: "wirex-main-k9" });
    expect(output.scoring_uri).toEqual({ value: `\${azapi_resource.${main}.output.properties.scoringUri}` });
    expect(output.swagger_uri).toEqual({ value: `\${azapi_resource.${main}.output.properties.swaggerUri}` });
    expect(output.scoring_uris.value).toEqual({
      "wirex-main-k9": `\${azapi_resource.${main}.output.properties.scoringUri}`,
      "wirex-side-k9": `\${azapi_resource.${side}.output.properties.scoringUri}`,
    });
    expect(output.swagger_uris.value).toEqual({
      "wirex-main-k9": `\${azapi_resource.${main}.output.properties.swaggerUri}`,
      "wirex-side-k9": `\${azapi_resource.${side}.output.properties.swaggerUri}`,
    });
    expect(output.resource_group_name).toEqual({ value: ref("wide", "azurerm_resource_group", "resource-group", "name") });
    expect(output.workspace_id).toEqual({ value: ref("wide", "azapi_resource", "ml/workspace") });
    expect(output.workspace_name).toEqual({ value: ref("wide", "azapi_resource", "ml/workspace", "name") });
    expect(output.compute_cluster_id).toEqual({ value: ref("wide", "azurerm_machine_learning_compute_cluster", "compute/cluster") });
  });
});

describe("online deployments", () => {
  test("blue: every deployment field as configured", () => {
    const blue = at("wide", "azapi_resource", "Default/deployment-blue/deployment");
    expect(blue.location).toBe("swedencentral");
    expect(blue.body.sku.capacity).toBe(4);
    expect(blue.body.properties).toEqual(
      expect.objectContaining({
        instanceType: "Standard_E4s_v3",
        model: ref("wide", "azapi_resource", "assets/model-wire-model-5"),
        environmentId: ref("wide", "azapi_resource", "assets/environment-wire-env-4"),
        codeConfiguration: { codeId: ref("wide", "azapi_resource", "assets/code-src"), scoringScript: "score.py" },
        requestSettings: { requestTimeout: "PT41S", maxConcurrentRequestsPerInstance: 6 },
        livenessProbe: { initialDelay: "PT31S", period: "PT17S", timeout: "PT4S", failureThreshold: 9, successThreshold: 2 },
        readinessProbe: { initialDelay: "PT37S", period: "PT19S", timeout: "PT5S", failureThreshold: 11, successThreshold: 3 },
        startupProbe: { initialDelay: "PT43S", period: "PT23S", timeout: "PT7S", failureThreshold: 13, successThreshold: 6 },
        environmentVariables: { WIRE_WORKERS: "5" },
        appInsightsEnabled: false,
        egressPublicNetworkAccess: "Disabled",
        description: "Blue wiring deployment",
      }),
    );
    // deployment tags over the endpoint's over the environment's
    expect(blue.tags).toEqual({ ...MAIN_ENDPOINT_TAGS, slot: "blue-slot", tier: "platinum" });
  });

  test("green: a local model and a built environment, a model mount path, defaults where nothing is set", () => {
    const green = at("wide", "azapi_resource", "Default/deployment-green/deployment");
    expect(green.body.sku.capacity).toBe(2);
    expect(green.body.properties).toEqual(
      expect.objectContaining({
        instanceType: "Standard_E2s_v3",
        modelMountPath: "/mnt/wire-models",
        model: ref("wide", "azapi_resource", "assets/model-model-wire-net-11"),
        environmentId: ref("wide", "azapi_resource", "assets/environment-docker-8"),
        appInsightsEnabled: true,
      }),
    );
    expect(green.body.properties).not.toHaveProperty("codeConfiguration");
    expect(green.body.properties).not.toHaveProperty("livenessProbe");
    expect(green.tags).toEqual(MAIN_ENDPOINT_TAGS);
  });

  test("solo: models and environments by id, and the data collector with each collection's own rate", () => {
    const solo = at("wide", "azapi_resource", "endpoint-wirex-side-k9/deployment-solo/deployment");
    expect(solo.body.properties.model).toBe("azureml://registries/azureml/models/wire/versions/12");
    expect(solo.body.properties.environmentId).toBe("azureml://registries/azureml/environments/wire-env/versions/3");
    const collector = solo.body.properties.dataCollector;
    expect(collector.rollingRate).toBe("Day");
    expect(collector.requestLogging).toEqual({ captureHeaders: ["x-wire-id"] });
    expect(collector.collections.request).toEqual(
      expect.objectContaining({ dataCollectionMode: "Enabled", samplingRate: 0.3, dataId: ref("wide", "azapi_resource", "assets/data-wirex-side-k9-solo-request-1") }),
    );
    expect(collector.collections.model_inputs).toEqual(
      expect.objectContaining({ dataCollectionMode: "Enabled", samplingRate: 0.7, dataId: ref("wide", "azapi_resource", "assets/data-wire-inputs-6") }),
    );
    expect(collector.collections.response).toEqual(expect.objectContaining({ dataCollectionMode: "Disabled", samplingRate: 0.7 }));
  });

  test("the shadow deployment reuses blue's registered model and environment through azureml: references", () => {
    const shadow = at("wide", "azapi_resource", "Default/deployment-shadow/deployment");
    expect(shadow.body.sku.capacity).toBe(2);
    expect(shadow.body.properties.instanceType).toBe("Standard_E8s_v3");
    expect(shadow.body.properties.model).toBe(ref("wide", "azapi_resource", "assets/model-wire-model-5"));
    expect(shadow.body.properties.environmentId).toBe(ref("wide", "azapi_resource", "assets/environment-wire-env-4"));
  });
});

describe("assets", () => {
  test("a model from a storage URI: its name, version, type and description", () => {
    const model = at("wide", "azapi_resource", "assets/model-wire-model-5");
    expect(model.name).toBe("5");
    expect(model.parent_id).toMatch(/\/models\/wire-model$/);
    expect(model.body.properties).toEqual(expect.objectContaining({ modelType: "mlflow_model", description: "Wire model five" }));
    expect(model.body.properties.modelUri).toMatch(/\/datastores\/workspaceblobstore\/paths\/models\/wire\/5\/$/);
  });

  test("scoring code: one version per folder, named after it and versioned by its content", () => {
    const code = at("wide", "azapi_resource", "assets/code-src");
    expect(code.parent_id).toBe(`${ref("wide", "azapi_resource", "ml/workspace")}/codes/src`);
    expect(code.name).toMatch(/^[0-9a-f]{12}$/);
    expect(code.body.properties.codeUri).toMatch(new RegExp(`/src/${code.name}/$`));
  });

  test("a model without a type is a custom model", () => {
    const model = at("prodwx", "azapi_resource", "assets/model-wirep-model-2");
    expect(model.body.properties.modelType).toBe("custom_model");
  });

  test("a local model: named after its folder, at the configured version, with its type", () => {
    const model = at("wide", "azapi_resource", "assets/model-model-wire-net-11");
    expect(model.name).toBe("11");
    expect(model.parent_id).toMatch(/\/models\/model-wire-net$/);
    expect(model.body.properties.modelType).toBe("triton_model");
  });

  test("an image environment: image, conda file and description", () => {
    const environment = at("wide", "azapi_resource", "assets/environment-wire-env-4");
    expect(environment.name).toBe("4");
    expect(environment.body.properties).toEqual(
      expect.objectContaining({ image: "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest", description: "Wire environment four" }),
    );
    expect(environment.body.properties.condaFile).toMatch(/wire\.yml"\)\}$/);
  });

  test("a built environment: named after its context, the configured version and Dockerfile, each inference route", () => {
    const environment = at("wide", "azapi_resource", "assets/environment-docker-8");
    expect(environment.name).toBe("8");
    expect(environment.parent_id).toMatch(/\/environments\/docker$/);
    expect(environment.body.properties.build.dockerfilePath).toBe("Serve.dockerfile");
    expect(environment.body.properties.inferenceConfig).toEqual({
      livenessRoute: { path: "/v2/health/live", port: 8101 },
      readinessRoute: { path: "/v2/health/ready", port: 8102 },
      scoringRoute: { path: "/v2/models/wire/infer", port: 8103 },
    });
  });

  test("uploads are granted to the configured deployers, not to whoever runs Terraform", () => {
    for (const container of ["code-container-access", "upload-container-access"]) {
      const writers = Object.values<any>(stackOf("wide").resource.azurerm_role_assignment).filter((r) =>
        r["//"].metadata.path.startsWith(`serving-wide/assets/${container}/write`),
      );
      expect(writers.map((r) => r.principal_id)).toEqual(["9e2f0000-aaaa-4bbb-8ccc-000000000092"]);
    }
  });
});

describe("autoscale", () => {
  const setting = (path: string) => at("wide", "azurerm_monitor_autoscale_setting", path);

  test("blue: bounds, rules on requests, latency and memory with their windows, one cooldown for both directions", () => {
    const blue = setting("Default/autoscale-blue/setting");
    expect(blue.name).toBe("autoscale-wirex-main-k9-blue");
    expect(blue.location).toBe("swedencentral");
    expect(blue.tags).toEqual(WIDE_TAGS);
    const [byDefault] = blue.profile;
    expect(byDefault.capacity).toEqual({ default: 4, minimum: 4, maximum: 9 });
    const rules = byDefault.rule.map((r: any) => [r.metric_trigger.metric_name, r.metric_trigger.operator, r.metric_trigger.threshold, r.metric_trigger.time_window, r.scale_action.cooldown]);
    expect(rules).toEqual(
      expect.arrayContaining([
        ["RequestsPerMinute", "GreaterThan", 610, "PT12M", "PT33M"],
        ["RequestsPerMinute", "LessThan", 190, "PT12M", "PT33M"],
        ["RequestLatency_P90", "GreaterThan", 820, "PT25M", "PT33M"],
        ["RequestLatency_P90", "LessThan", 310, "PT25M", "PT33M"],
        ["CpuMemoryUtilizationPercentage", "GreaterThan", 81, "PT18M", "PT33M"],
        ["CpuMemoryUtilizationPercentage", "LessThan", 44, "PT18M", "PT33M"],
      ]),
    );
    expect(rules).toHaveLength(6);
  });

  test("blue: the schedule's name, days, start, time zone and bounds, and the return to the default at its end", () => {
    const profiles = setting("Default/autoscale-blue/setting").profile;
    expect(profiles.map((p: any) => p.name)).toEqual(["default", "weekday-peak", "default-after-weekday-peak"]);
    expect(profiles[1].capacity).toEqual({ default: 5, minimum: 5, maximum: 11 });
    expect(profiles[1].recurrence).toEqual({ days: ["Tuesday", "Thursday"], hours: [6], minutes: [45], timezone: "Tokyo Standard Time" });
    expect(profiles[2].recurrence).toEqual({ days: ["Tuesday", "Thursday"], hours: [20], minutes: [15], timezone: "Tokyo Standard Time" });
    expect(profiles[2].capacity).toEqual({ default: 4, minimum: 4, maximum: 9 });
  });

  test("solo: CPU thresholds from scale_out/scale_in_cpu_percent, and separate scale-out and scale-in cooldowns", () => {
    const [profile] = setting("endpoint-wirex-side-k9/autoscale-solo/setting").profile;
    expect(profile.capacity).toEqual({ default: 3, minimum: 3, maximum: 8 });
    expect(profile.rule.map((r: any) => [r.metric_trigger.metric_name, r.metric_trigger.operator, r.metric_trigger.threshold, r.scale_action.cooldown])).toEqual([
      ["CpuUtilizationPercentage", "GreaterThan", 64, "PT14M"],
      ["CpuUtilizationPercentage", "LessThan", 22, "PT52M"],
    ]);
  });

  test("shadow: autoscaled at a fixed size on disk; green, without autoscale, has no setting", () => {
    const [profile] = setting("Default/autoscale-shadow/setting").profile;
    expect(profile.capacity).toEqual({ default: 2, minimum: 2, maximum: 2 });
    expect(profile.rule.map((r: any) => [r.metric_trigger.metric_name, r.metric_trigger.threshold])).toEqual([
      ["DiskUtilization", 88],
      ["DiskUtilization", 41],
    ]);
    expect(resourcesOf("wide", "azurerm_monitor_autoscale_setting")).toHaveLength(3);
    expect(at("wide", "azapi_resource", "Default/deployment-green/deployment").lifecycle).toBeUndefined();
  });
});

describe("batch endpoints", () => {
  test("the endpoint: name, description, batch tags over the environment's, and the default deployment", () => {
    const endpoint = at("wide", "azapi_resource", "batch-wirex-batch-k9/endpoint");
    expect(endpoint.name).toBe("wirex-batch-k9");
    expect(endpoint.location).toBe("swedencentral");
    expect(endpoint.body.properties.description).toBe("Wiring batch endpoint");
    expect(endpoint.tags).toEqual({ ...WIDE_TAGS, "batch-owner": "night-team" });
    expect(at("wide", "azapi_update_resource", "batch-wirex-batch-k9/defaults").body.properties.defaults).toEqual({ deploymentName: "weekly" });
  });

  test("nightly: every batch deployment field as configured", () => {
    const nightly = at("wide", "azapi_resource", "batch-wirex-batch-k9/deployment-nightly");
    expect(nightly.body.properties).toEqual(
      expect.objectContaining({
        compute: ref("wide", "azurerm_machine_learning_compute_cluster", "compute/cluster"),
        codeConfiguration: { codeId: ref("wide", "azapi_resource", "assets/code-src"), scoringScript: "batch_score.py" },
        model: { assetId: ref("wide", "azapi_resource", "assets/model-wire-model-5"), referenceType: "Id" },
        environmentId: ref("wide", "azapi_resource", "assets/environment-wire-env-4"),
        resources: { instanceCount: 4 },
        maxConcurrencyPerInstance: 3,
        miniBatchSize: 27,
        retrySettings: { maxRetries: 7, timeout: "PT10M50S" },
        errorThreshold: 9,
        outputAction: "SummaryOnly",
        loggingLevel: "Debug",
        environmentVariables: { WIRE_BATCH: "on" },
        description: "Nightly wiring batch",
      }),
    );
    expect(nightly.tags).toEqual({ ...WIDE_TAGS, "batch-owner": "night-team", cadence: "nightly" });
  });

  test("weekly: its own instance count, output file and logging level", () => {
    const weekly = at("wide", "azapi_resource", "batch-wirex-batch-k9/deployment-weekly");
    expect(weekly.body.properties).toEqual(
      expect.objectContaining({ resources: { instanceCount: 2 }, outputAction: "AppendRow", outputFileName: "wire-scores.csv", loggingLevel: "Warning" }),
    );
  });
});

describe("guardrails get the config's waivers, quota, places and production-likeness", () => {
  test("a waived guardrail rule: the finding is waived with the reason, at the file line of the field", () => {
    expect(findings("wide")).toContainEqual(
      expect.objectContaining({
        rule: "endpoint-key-auth",
        waived: true,
        reason: "the wiring fixture keeps key auth on its main endpoint",
        field: "endpoints[1].auth_mode",
        source: expect.stringMatching(/wiring\/wide\.yaml:55$/),
      }),
    );
    expect(stackOf("wide")["//"].metadata.guardrails.waivers).toEqual([
      { rule: "endpoint-key-auth", reason: "the wiring fixture keeps key auth on its main endpoint" },
    ]);
  });

  test("rollout waivers are recorded for the plan review, apart from the guardrail waivers", () => {
    expect(stackOf("wide")["//"].metadata.rollout).toEqual({
      waivers: [{ rule: "rollout-egress-changed", reason: "the wiring fixture records a rollout waiver" }],
    });
  });

  test("findings name the deployment, endpoint and workspace fields they come from", () => {
    const places = findings("wide").map((f) => [f.rule, f.field, f.source.replace(/^.*\//, "")]);
    expect(places).toEqual(
      expect.arrayContaining([
        ["deployment-egress-public", "endpoints[1].deployments[1].egress_public_network_access", "wide.yaml:92"],
        ["deployment-egress-public", "endpoints[0].deployments[0].egress_public_network_access", "wide.yaml:31"],
        ["endpoint-public", "endpoints[0].public_network_access", "wide.yaml:28"],
        ["storage-shared-key", "workspace.storage_shared_key_access", "wide.yaml:17"],
      ]),
    );
  });

  test("production-like: 2 live instances are too few in prodwx, and enough in wide (green)", () => {
    expect(findings("prodwx")).toContainEqual(
      expect.objectContaining({ rule: "single-instance-live", waived: true, field: "endpoint.deployments[0].instance_count", source: expect.stringMatching(/prodwx\.yaml:28$/) }),
    );
    expect(findings("wide").filter((f) => f.rule === "single-instance-live")).toEqual([]);
  });

  test("quota: the capacity table carries the configured quotas, and an exceeded one names where it is written", () => {
    const families = stackOf("wide")["//"].metadata.capacity.families;
    expect(families).toContainEqual(expect.objectContaining({ family: "standardESv3Family", quota: 350 }));
    expect(families).toContainEqual(expect.objectContaining({ family: "standardFSv2Family", quota: 260 }));
    const exceeded = findings("prodwx").find((f) => f.rule === "quota-exceeded" && f.field.startsWith("endpoint."));
    expect(exceeded.message).toMatch(/above its quota of 6 \(quota\.standardDSv2Family at [^)]*wiring\/prodwx\.yaml:38\)/);
  });

  test("a finding on the cluster names the compute section", () => {
    expect(findings("prodwx")).toContainEqual(
      expect.objectContaining({ rule: "quota-exceeded", path: "serving-prodwx/compute/cluster", source: expect.stringMatching(/prodwx\.yaml:16$/), waived: true }),
    );
  });

  test("an existing workspace's own settings are reported as not checked; a created one's are checked", () => {
    expect(stackOf("held")["//"].metadata.guardrails.notChecked).toEqual([
      `the existing workspace ${HELD_WORKSPACE} (its network isolation, public access, storage, key vault and registry settings)`,
    ]);
    expect(stackOf("wide")["//"].metadata.guardrails).not.toHaveProperty("notChecked");
  });
});

describe("state stacks from the wiring environments", () => {
  const props = perFile(() => stateStacksFrom([...environments()].reverse()));

  test("one per state account, in account order; a shared account takes the alphabetically first environment's settings", () => {
    // Strict: an account no environment names a subscription for has no subscriptionId key at all.
    expect(props()).toStrictEqual([
      {
        storageAccount: "stwirepstate03",
        resourceGroup: "rg-wirep-state",
        container: "tfstate",
        location: "uksouth",
        deployerPrincipalIds: [],
        tags: { project: "wireb", "managed-by": "cdktf" },
      },
      {
        storageAccount: "stwirexstate07",
        resourceGroup: "rg-wirex-state",
        container: "wirexstate",
        location: "norwayeast",
        subscriptionId: "5ab1e000-1234-4abc-8def-0123456789ab",
        deployerPrincipalIds: ["7d1e0000-aaaa-4bbb-8ccc-000000000013", "7d1e0000-aaaa-4bbb-8ccc-000000000071"],
        tags: { project: "wireh", "managed-by": "cdktf", team: "held-team" },
      },
    ]);
  });

  test("the shared account's stack, with its own state in the account: every prop in the synthesized JSON", () => {
    const json = JSON.parse(Testing.synth(new StateStack(Testing.app(), { ...props()[1], ownState: "account" })));
    expect(json.terraform.backend.azurerm).toEqual({
      resource_group_name: "rg-wirex-state",
      storage_account_name: "stwirexstate07",
      container_name: "wirexstate",
      key: "state-stwirexstate07.tfstate",
      use_azuread_auth: true,
      subscription_id: "5ab1e000-1234-4abc-8def-0123456789ab",
    });
    expect(json.provider.azurerm).toEqual([expect.objectContaining({ subscription_id: "5ab1e000-1234-4abc-8def-0123456789ab", storage_use_azuread: true })]);
    const tags = { project: "wireh", "managed-by": "cdktf", team: "held-team" };
    expect(Object.values<any>(json.resource.azurerm_resource_group)).toEqual([expect.objectContaining({ name: "rg-wirex-state", location: "norwayeast", tags })]);
    expect(Object.values<any>(json.resource.azurerm_storage_account)).toEqual([
      expect.objectContaining({ name: "stwirexstate07", location: "norwayeast", tags, resource_group_name: expect.stringContaining("azurerm_resource_group.") }),
    ]);
    expect(Object.values<any>(json.resource.azurerm_storage_container).map((c) => c.name)).toEqual(["wirexstate"]);
    expect(Object.values<any>(json.resource.azurerm_role_assignment).map((r) => r.principal_id).sort()).toEqual([
      expect.stringMatching(/^\$\{data\.azurerm_client_config\.[^.]+\.object_id\}$/),
      "7d1e0000-aaaa-4bbb-8ccc-000000000013",
      "7d1e0000-aaaa-4bbb-8ccc-000000000071",
    ]);
    expect(json.output.backend_config.description).toMatch(/add key = "<stack>\.tfstate" per stack$/);
    expect(json.output.backend_config.value).toBe(
      [
        'resource_group_name  = "rg-wirex-state"',
        'storage_account_name = "stwirexstate07"',
        'container_name       = "wirexstate"',
        "use_azuread_auth     = true",
        'subscription_id      = "5ab1e000-1234-4abc-8def-0123456789ab"',
        "",
      ].join("\n"),
    );
  });

  test("an account no environment names a subscription for: no subscription in the provider or the backend settings", () => {
    const json = JSON.parse(Testing.synth(new StateStack(Testing.app(), props()[0])));
    expect(json.provider.azurerm[0]).not.toHaveProperty("subscription_id");
    expect(json.terraform.backend).toEqual({ local: { path: "../../../terraform.state-stwirepstate03.tfstate" } });
    expect(json.output.backend_config.value).toBe(
      ['resource_group_name  = "rg-wirep-state"', 'storage_account_name = "stwirepstate03"', 'container_name       = "tfstate"', "use_azuread_auth     = true", ""].join("\n"),
    );
  });
});

describe("what the stack exposes and refuses", () => {
  const environment = (env: Env) => environments().find((e) => e.name === env)!;

  test("its online deployments across endpoints, and model assets only where something is uploaded or registered", () => {
    const wide = new ServingStack(Testing.app(), environment("wide"));
    expect(wide.deployments.map((d) => d.node.path)).toEqual([
      "serving-wide/endpoint-wirex-side-k9/deployment-solo",
      "serving-wide/Default/deployment-blue",
      "serving-wide/Default/deployment-green",
      "serving-wide/Default/deployment-shadow",
    ]);
    expect(wide.assets).toBeDefined();
    expect(new ServingStack(Testing.app(), environment("held")).assets).toBeDefined();
    const bare = new ServingStack(Testing.app(), environment("bare"));
    expect(bare.assets).toBeUndefined();
    expect(bare.deployments).toEqual([]);
  });

  test("a code folder or build context the loader did not read is an error, not an empty upload", () => {
    const held = environment("held");
    expect(() => new ServingStack(Testing.app(), { ...held, codeBundles: new Map() })).toThrow(
      `code folder ${held.config.batch[0].deployments[0].code!.path} was not read by the config loader`,
    );
    const wide = environment("wide");
    const withoutContext = new Map([...wide.uploads].filter(([path]) => !path.endsWith("/docker")));
    expect(withoutContext.size).toBe(wide.uploads.size - 1);
    expect(() => new ServingStack(Testing.app(), { ...wide, uploads: withoutContext })).toThrow(/^build context \S+docker was not read by the config loader$/);
  });

  test("quota sources name the file alone when no line is known", () => {
    const prodwx = environment("prodwx");
    expect(capacityGuardrailOptions({ ...prodwx, lineOf: undefined })).toEqual({
      quota: { standardDSv2Family: 6, standardDSv3Family: 8 },
      quotaSources: { standardDSv2Family: prodwx.file, standardDSv3Family: prodwx.file },
      productionLike: true,
    });
    expect(capacityGuardrailOptions(prodwx).quotaSources).toEqual({
      standardDSv2Family: `${prodwx.file}:38`,
      standardDSv3Family: `${prodwx.file}:39`,
    });
  });
});
