import { readFileSync } from "node:fs";
import { join } from "node:path";
import { validateSynthesizedAzapiBodies } from "../helpers/azapi-schema";
import { baseConfig, configDir, deployment } from "../helpers/config-dir";
import { DependencyGraph } from "../helpers/dependency-graph";
import { perFile } from "../helpers/shared";
import { synthConfigFolder } from "../helpers/synth-folder";

/**
 * Many online endpoints per environment, and an existing workspace (issue 22), in full synths of fixture configs:
 * fixtures/many-endpoints (multi: two endpoints and a batch endpoint; existing: endpoints in an existing workspace),
 * and the single-endpoint fixtures of earlier issues against the addresses they had before.
 */
const FIXTURES = join(__dirname, "..", "fixtures");
const ML = "Microsoft.MachineLearningServices/workspaces";
const EXISTING = "/subscriptions/00000000-0000-0000-0000-0000000000ab/resourceGroups/rg-ml-platform/providers/Microsoft.MachineLearningServices/workspaces/mlw-platform";

const synthDir = synthConfigFolder;

const addresses = (json: any): string[] => Object.entries<any>(json.resource).flatMap(([t, rs]) => Object.keys(rs).map((n) => `${t}.${n}`));
const config = (json: any, address: string) => {
  const [type, name] = address.split(".");
  return json.resource[type][name];
};
const ofAzapi = (json: any, kind: string) =>
  Object.entries<any>(json.resource.azapi_resource ?? {})
    .filter(([, r]) => r.type === `${ML}/${kind}@2025-12-01`)
    .map(([n]) => `azapi_resource.${n}`);

describe("single-endpoint configs keep every resource address they had", () => {
  const before: { stacks: Record<string, string[]> } = JSON.parse(readFileSync(join(FIXTURES, "many-endpoints", "addresses-before.json"), "utf8"));

  test.each(Object.keys(before.stacks))("%s", (file) => {
    const env = file.replace(/\.yaml$/, "").split("/").pop()!;
    const dir = join(FIXTURES, file.slice(0, file.lastIndexOf("/")));
    const now = new Set(addresses(synthDir(dir)[env]));
    expect(before.stacks[file].filter((a) => !now.has(a))).toEqual([]);
  });
});

describe("two endpoints and a batch endpoint (multi.yaml)", () => {
  const atLoad = synthDir(join(FIXTURES, "many-endpoints", "multi")).multi;
  const current = perFile(() => synthDir(join(FIXTURES, "many-endpoints", "multi")).multi, atLoad);
  const names = new DependencyGraph(atLoad);
  const ENDPOINTS = ["multi-churn-q7x2", "multi-fraud-q7x2"];

  test("every azapi body is valid against the 2025-12-01 schema", () => {
    expect(validateSynthesizedAzapiBodies(current())).toEqual([]);
  });

  test("each endpoint is its own azapi resource, under its own construct, in the workspace", () => {
    const json = current();
    const endpoints = ofAzapi(json, "onlineEndpoints").map((a) => config(json, a));
    expect(endpoints.map((e) => e.name).sort()).toEqual(ENDPOINTS);
    for (const name of ENDPOINTS) expect(config(json, names.at(`endpoint-${name}/endpoint/endpoint`)).name).toBe(name);
    expect(config(json, names.at("endpoint-multi-churn-q7x2/endpoint/endpoint")).body.properties.authMode).toBe("AADToken");
    expect(config(json, names.at("endpoint-multi-fraud-q7x2/endpoint/endpoint")).body.properties.authMode).toBe("AMLToken");
  });

  test.each([
    ["multi-churn-q7x2", ["blue", "green"]],
    ["multi-fraud-q7x2", ["blue"]],
  ])("%s has its own deployments, under itself", (endpoint, deployments) => {
    const json = current();
    const endpointAddress = names.at(`endpoint-${endpoint}/endpoint/endpoint`);
    for (const d of deployments) {
      const deploymentConfig = config(json, names.at(`endpoint-${endpoint}/deployment-${d}/deployment`));
      expect([deploymentConfig.name, deploymentConfig.parent_id]).toEqual([d, `\${${endpointAddress}.id}`]);
    }
    const under = ofAzapi(json, "onlineEndpoints/deployments").filter((a) => config(json, a).parent_id === `\${${endpointAddress}.id}`);
    expect(under).toHaveLength(deployments.length);
  });

  test.each([
    ["multi-churn-q7x2", { blue: 70, green: 30 }],
    ["multi-fraud-q7x2", { blue: 100 }],
  ])("%s has its own traffic update with its own split, after its own deployments", (endpoint, split) => {
    const json = current();
    const g = new DependencyGraph(json);
    const traffic = names.at(`endpoint-${endpoint}/traffic/traffic`);
    expect(config(json, traffic).resource_id).toBe(`\${${names.at(`endpoint-${endpoint}/endpoint/endpoint`)}.id}`);
    expect(config(json, traffic).body.properties.traffic).toEqual(split);
    for (const d of Object.keys(split)) expect(g.waitsFor(traffic, names.at(`endpoint-${endpoint}/deployment-${d}/deployment`))).toBe(true);
  });

  test.each(["multi-churn-q7x2", "multi-fraud-q7x2"])("%s has its own identity, roles and wait, which its deployments wait for", (endpoint) => {
    const json = current();
    const g = new DependencyGraph(json);
    const identity = names.at(`endpoint-${endpoint}/endpoint/identity`);
    expect(config(json, identity).name).toBe(`id-${endpoint}`);
    const wait = names.at(`endpoint-${endpoint}/endpoint/roles-ready/wait`);
    const roles = g.direct(wait).filter((a) => a.startsWith("azurerm_role_assignment."));
    expect(roles.map((r) => config(json, r).role_definition_name).sort()).toEqual(["AcrPull", "AzureML Metrics Writer (preview)", "Storage Blob Data Reader"]);
    for (const r of roles) expect(config(json, r).principal_id).toBe(`\${${identity}.principal_id}`);
    for (const d of ofAzapi(json, "onlineEndpoints/deployments").filter((a) => a.includes(`endpoint-${endpoint}_`))) {
      expect(g.direct(d)).toContain(wait);
    }
  });

  test("autoscale and alerts are per deployment, named after their endpoint", () => {
    const json = current();
    const autoscale = config(json, names.at("endpoint-multi-churn-q7x2/autoscale-blue/setting"));
    expect(autoscale.name).toBe("autoscale-multi-churn-q7x2-blue");
    expect(autoscale.profile[0].capacity).toEqual({ default: 3, minimum: 3, maximum: 7 });
    expect(autoscale.profile[0].rule[0].scale_action.cooldown).toBe("PT9M");
    expect(autoscale.profile[0].rule[0].metric_trigger.threshold).toBe(65);
    const alertNames = Object.values<any>(json.resource.azurerm_monitor_metric_alert).map((a) => a.name).sort();
    expect(alertNames).toEqual([
      "multi-churn-q7x2-blue-at-max-instances",
      "multi-churn-q7x2-blue-cpu",
      "multi-churn-q7x2-blue-latency-p95",
      "multi-churn-q7x2-green-cpu",
      "multi-churn-q7x2-green-latency-p95",
      "multi-fraud-q7x2-blue-cpu",
      "multi-fraud-q7x2-blue-latency-p95",
    ]);
    // One action group for the environment, which every alert notifies.
    const [group] = Object.keys(json.resource.azurerm_monitor_action_group);
    for (const alert of Object.values<any>(json.resource.azurerm_monitor_metric_alert)) {
      expect(alert.action).toEqual([{ action_group_id: `\${azurerm_monitor_action_group.${group}.id}` }]);
    }
  });

  test("each endpoint's logs go to Log Analytics through its own diagnostic setting", () => {
    const json = current();
    for (const endpoint of ENDPOINTS) {
      const diag = config(json, names.at(`endpoint-${endpoint}/monitoring/endpoint-diagnostics`));
      expect(diag.target_resource_id).toBe(`\${${names.at(`endpoint-${endpoint}/endpoint/endpoint`)}.id}`);
    }
  });

  test("outputs: scoring and swagger URIs keyed by endpoint name; no single-endpoint outputs", () => {
    const json = current();
    expect(Object.keys(json.output.scoring_uris.value).sort()).toEqual(ENDPOINTS);
    expect(json.output.scoring_uris.value["multi-fraud-q7x2"]).toBe(`\${${names.at("endpoint-multi-fraud-q7x2/endpoint/endpoint")}.output.properties.scoringUri}`);
    expect(Object.keys(json.output.swagger_uris.value).sort()).toEqual(ENDPOINTS);
    expect(json.output.scoring_uri).toBeUndefined();
    expect(json.output.endpoint_name).toBeUndefined();
  });

  test("assets shared by both endpoints and the batch endpoint are registered once", () => {
    const json = current();
    expect(ofAzapi(json, "models/versions").map((a) => config(json, a).name).sort()).toEqual(["3", "4"]);
    expect(ofAzapi(json, "environments/versions")).toHaveLength(1);
    expect(ofAzapi(json, "codes/versions")).toHaveLength(1);
  });

  test("the batch endpoint is there too, on the cluster", () => {
    const json = current();
    const [batchDeployment] = ofAzapi(json, "batchEndpoints/deployments");
    expect(config(json, batchDeployment).body.properties.compute).toBe(`\${${names.ofType("azurerm_machine_learning_compute_cluster")[0]}.id}`);
  });
});

describe("listing a second endpoint replaces nothing of the first (moved_from_endpoint)", () => {
  const files = (endpoints: Record<string, unknown>) => ({ "dev.yaml": baseConfig({ ...endpoints, waivers: [{ rule: "endpoint-public", reason: "t" }, { rule: "workspace-public", reason: "t" }] }) });
  const first = { name: "churn-a1", deployments: [deployment({ instance_count: 3 })] };

  test("the first endpoint's addresses are those it had under endpoint:, and the second adds its own", () => {
    const single = new Set(addresses(synthDir(configDir(files({ endpoint: first }))).dev));
    const listed = addresses(synthDir(configDir(files({ endpoints: [{ ...first, moved_from_endpoint: true }, { name: "fraud-b2", deployments: [deployment({ instance_count: 3 })] }] }))).dev);
    expect([...single].filter((a) => !listed.includes(a))).toEqual([]);
    const added = listed.filter((a) => !single.has(a));
    expect(added.length).toBeGreaterThan(5);
    for (const a of added) expect(a).toMatch(/\.endpoint-fraud-b2_/);
  });

  test("without it, the listed endpoint lives under its own construct", () => {
    const listed = addresses(synthDir(configDir(files({ endpoints: [first] }))).dev);
    expect(listed.filter((a) => a.startsWith("azapi_resource.endpoint-churn-a1_endpoint_"))).toHaveLength(1);
  });
});

describe("an existing workspace (shared.yaml)", () => {
  const atLoad = synthDir(join(FIXTURES, "many-endpoints", "existing")).shared;
  const current = perFile(() => synthDir(join(FIXTURES, "many-endpoints", "existing")).shared, atLoad);
  const names = new DependencyGraph(atLoad);

  test("creates no resource group, workspace, storage, key vault, registry, Log Analytics or managed network", () => {
    const json = current();
    for (const type of [
      "azurerm_resource_group",
      "azurerm_storage_account",
      "azurerm_key_vault",
      "azurerm_container_registry",
      "azurerm_log_analytics_workspace",
      "azurerm_application_insights",
      "azurerm_machine_learning_compute_cluster",
      "azapi_resource_action",
      "azurerm_private_endpoint",
    ]) {
      expect([type, json.resource[type]]).toEqual([type, undefined]);
    }
    expect(ofAzapi(json, "").length).toBe(0);
    expect(Object.values<any>(json.resource.azapi_resource).filter((r) => r.type === `${ML}@2025-12-01`)).toEqual([]);
    expect(json.moved).toBeUndefined();
  });

  test("reads the workspace, its storage and its Application Insights at plan time", () => {
    const json = current();
    const [ws] = Object.values<any>(json.data.azapi_resource);
    expect(ws).toMatchObject({ type: `${ML}@2025-12-01`, resource_id: EXISTING });
    expect(ws.response_export_values).toEqual(
      expect.arrayContaining(["properties.storageAccount", "properties.containerRegistry", "properties.applicationInsights", "properties.systemDatastoresAuthMode", "properties.workspaceId"]),
    );
    const wsAddress = `data.azapi_resource.${Object.keys(json.data.azapi_resource)[0]}`;
    const [storage] = Object.values<any>(json.data.azurerm_storage_account);
    expect(storage.name).toBe(`\${element(split("/", ${wsAddress}.output.properties.storageAccount), 8)}`);
    expect(storage.resource_group_name).toBe(`\${element(split("/", ${wsAddress}.output.properties.storageAccount), 4)}`);
    const [insights] = Object.values<any>(json.data.azurerm_application_insights);
    expect(insights.name).toBe(`\${element(split("/", ${wsAddress}.output.properties.applicationInsights), 8)}`);
  });

  test("the plan stops before any change when the workspace is elsewhere or its datastores would need keys the storage refuses", () => {
    const json = current();
    const [ws] = Object.values<any>(json.data.azapi_resource);
    expect(ws.lifecycle.postcondition[0].condition).toBe('${(lower(replace(self.location, " ", "")) == "westeurope")}');
    const [storage] = Object.values<any>(json.data.azurerm_storage_account);
    expect(storage.lifecycle.postcondition[0].condition).toMatch(/^\$\{\(self\.shared_access_key_enabled \|\| \(lower\(try\(data\.azapi_resource\.ml_workspace_\w+\.output\.properties\.systemDatastoresAuthMode, "accessKey"\)\) == "identity"\)\)\}$/);
  });

  test("endpoints, assets and batch endpoints go under the existing workspace's id", () => {
    const json = current();
    for (const a of [...ofAzapi(json, "onlineEndpoints"), ...ofAzapi(json, "batchEndpoints")]) expect(config(json, a).parent_id).toBe(EXISTING);
    expect(config(json, ofAzapi(json, "codes/versions")[0]).parent_id).toBe(`${EXISTING}/codes/src`);
    // azureml:<name>:<version> references resolve under it too.
    const main = config(json, names.at("endpoint-shared-fraud-q7x2/deployment-main/deployment"));
    expect(main.body.properties.model).toBe(`${EXISTING}/models/fraud/versions/2`);
  });

  test("identities, autoscale settings and alerts go into the workspace's resource group", () => {
    const json = current();
    for (const identity of Object.values<any>(json.resource.azurerm_user_assigned_identity)) expect(identity.resource_group_name).toBe("rg-ml-platform");
    for (const alert of Object.values<any>(json.resource.azurerm_monitor_metric_alert)) expect(alert.resource_group_name).toBe("rg-ml-platform");
    expect(json.output.resource_group_name.value).toBe("rg-ml-platform");
    expect(json.output.workspace_name.value).toBe("mlw-platform");
  });

  test("its own identities get their roles on the resources read from the workspace", () => {
    const json = current();
    const wsAddress = `data.azapi_resource.${Object.keys(json.data.azapi_resource)[0]}`;
    const storageAddress = `data.azurerm_storage_account.${Object.keys(json.data.azurerm_storage_account)[0]}`;
    const byRole = (role: string) => Object.values<any>(json.resource.azurerm_role_assignment).filter((r) => r.role_definition_name === role).map((r) => r.scope);
    expect(byRole("AcrPull")).toEqual([`\${${wsAddress}.output.properties.containerRegistry}`, `\${${wsAddress}.output.properties.containerRegistry}`]);
    expect(byRole("Storage Blob Data Reader")).toEqual([`\${${storageAddress}.id}`, `\${${storageAddress}.id}`]);
    expect(byRole("AzureML Metrics Writer (preview)")).toEqual([EXISTING, EXISTING]);
    expect(byRole("Storage Blob Data Contributor")).toEqual([`\${${storageAddress}.id}/blobServices/default/containers/\${${names.at("assets/code-container")}.name}`]);
  });

  test("the batch deployment runs on the existing cluster, granted nothing by this stack", () => {
    const json = current();
    const [batchDeployment] = ofAzapi(json, "batchEndpoints/deployments");
    expect(config(json, batchDeployment).body.properties.compute).toBe(`${EXISTING}/computes/gpu-pool`);
    expect(json.output.compute_cluster_id.value).toBe(`${EXISTING}/computes/gpu-pool`);
    expect(Object.keys(json.resource.azurerm_role_assignment).filter((k) => k.includes("batch-access"))).toEqual([]);
  });

  test("endpoint diagnostics go to the Log Analytics workspace behind its Application Insights; its own settings are left alone", () => {
    const json = current();
    const insights = `data.azurerm_application_insights.${Object.keys(json.data.azurerm_application_insights)[0]}`;
    const diags = Object.values<any>(json.resource.azurerm_monitor_diagnostic_setting);
    expect(diags).toHaveLength(2);
    for (const d of diags) expect(d.log_analytics_workspace_id).toBe(`\${${insights}.workspace_id}`);
    expect(diags.map((d) => d.target_resource_id)).not.toContain(EXISTING);
  });

  test("the guardrails say once what they could not check", () => {
    const json = current();
    expect(json["//"].metadata.guardrails.notChecked).toEqual([`the existing workspace ${EXISTING} (its network isolation, public access, storage, key vault and registry settings)`]);
  });

  test("every azapi body is valid against the 2025-12-01 schema", () => {
    expect(validateSynthesizedAzapiBodies(current())).toEqual([]);
  });
});
