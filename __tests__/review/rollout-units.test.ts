/**
 * rolloutWarnings on small hand-written base/head stacks (parsed with parseSynthStack, no folders):
 * live deployments removed, immutable asset versions changed, forced replacements, and what is not warned.
 */

import { rolloutWarnings, RolloutWarning } from "../../lib/review/rollout";
import { parseSynthStack, SynthStack } from "../../lib/review/synth";

const ENDPOINT_TYPE = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2025-12-01";
const DEPLOYMENT_TYPE = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments@2025-12-01";
const MODEL_TYPE = "Microsoft.MachineLearningServices/workspaces/models/versions@2025-12-01";
const ENVIRONMENT_TYPE = "Microsoft.MachineLearningServices/workspaces/environments/versions@2025-12-01";
const CODE_TYPE = "Microsoft.MachineLearningServices/workspaces/codes/versions@2025-12-01";
const EP_REF = "${azapi_resource.ep.id}";
const EP_ARM_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/onlineEndpoints/churn";

/** A stack parsed from hand-written cdk.tf.json content. */
function stack(name: string, json: Record<string, unknown>): SynthStack {
  return parseSynthStack(name, json, `${name}/cdk.tf.json`);
}

/** Base and head maps of one stack named "s". */
function warn(base: Record<string, unknown>, head: Record<string, unknown>): RolloutWarning[] {
  return rolloutWarnings(new Map([["s", stack("s", base)]]), new Map([["s", stack("s", head)]]));
}

function endpoint(): Record<string, unknown> {
  return { type: ENDPOINT_TYPE, name: "churn", parent_id: "${azurerm_machine_learning_workspace.ws.id}", body: {} };
}

/** A deployment; `null` leaves parent_id out. */
function deployment(name: unknown, parentId: string | null = EP_REF, path?: string): Record<string, unknown> {
  return {
    ...(path !== undefined ? { "//": { metadata: { path } } } : {}),
    type: DEPLOYMENT_TYPE,
    ...(name !== undefined ? { name } : {}),
    ...(parentId !== null ? { parent_id: parentId } : {}),
    body: { properties: { instanceType: "Standard_DS3_v2" } },
  };
}

function trafficUpdate(resourceId: unknown, properties: Record<string, unknown>): Record<string, unknown> {
  return { type: ENDPOINT_TYPE, ...(resourceId !== undefined ? { resource_id: resourceId } : {}), body: { properties } };
}

describe("live deployment removed", () => {
  it("names each removed deployment with its live and mirror shares, and its construct path only when it has one", () => {
    const base = {
      resource: {
        azapi_resource: {
          ep: endpoint(),
          blue: deployment("blue", EP_REF, "s/deployment-blue"),
          canary: deployment("canary"),
          green: deployment("green"),
        },
        azapi_update_resource: { traffic: trafficUpdate(EP_REF, { traffic: { blue: 90, canary: 0, green: 10 }, mirrorTraffic: { canary: 10 } }) },
      },
    };
    const head = {
      resource: {
        azapi_resource: { ep: endpoint(), green: deployment("green") },
        azapi_update_resource: { traffic: trafficUpdate(EP_REF, { traffic: { green: 100 } }) },
      },
    };
    expect(warn(base, head)).toStrictEqual([
      {
        kind: "live-deployment-removed",
        stack: "s",
        environment: "s",
        field: "endpoint.deployments[name=blue]",
        address: "azapi_resource.blue",
        constructPath: "s/deployment-blue",
        deployment: "blue",
        trafficPercent: 90,
        mirrorTrafficPercent: 0,
      },
      { kind: "live-deployment-removed", stack: "s", environment: "s", field: "endpoint.deployments[name=canary]", address: "azapi_resource.canary", deployment: "canary", trafficPercent: 0, mirrorTrafficPercent: 10 },
    ]);
  });

  it("an endpoint referenced as ${azapi_resource.<name>.id} stays when head still has that resource, even with nothing pointing at it", () => {
    const base = {
      resource: {
        azapi_resource: { ep: endpoint(), blue: deployment("blue") },
        azapi_update_resource: { traffic: trafficUpdate(EP_REF, { traffic: { blue: 100 } }) },
      },
    };
    // Head keeps only the endpoint: no deployment or traffic update names its id any more.
    const head = { resource: { azapi_resource: { ep: endpoint() } } };
    expect(warn(base, head).map((w) => [w.kind, w.address])).toEqual([["live-deployment-removed", "azapi_resource.blue"]]);
  });

  it("a parent_id with text around the ${...id} reference is not read as a reference to a kept endpoint", () => {
    for (const parent of ["/x/${azapi_resource.ep.id}", "${azapi_resource.ep.id}/x"]) {
      const base = {
        resource: {
          azapi_resource: { ep: endpoint(), blue: deployment("blue", parent) },
          azapi_update_resource: { traffic: trafficUpdate(parent, { traffic: { blue: 100 } }) },
        },
      };
      const head = { resource: { azapi_resource: { ep: endpoint() } } };
      expect(warn(base, head)).toEqual([]);
    }
  });

  it("an endpoint given by ARM id stays when a head deployment still has it as parent_id", () => {
    const base = {
      resource: {
        azapi_resource: { blue: deployment("blue", EP_ARM_ID), green: deployment("green", EP_ARM_ID) },
        azapi_update_resource: { traffic: trafficUpdate(EP_ARM_ID, { traffic: { blue: 60, green: 40 } }) },
      },
    };
    const head = {
      resource: {
        azapi_resource: { green: deployment("green", EP_ARM_ID) },
        azurerm_resource_group: { rg: { name: "rg", location: "westeurope" } },
      },
    };
    expect(warn(base, head).map((w) => (w.kind === "live-deployment-removed" ? [w.deployment, w.trafficPercent] : w.kind))).toEqual([["blue", 60]]);
  });

  it("an endpoint given by ARM id stays when a head traffic update still has it as resource_id", () => {
    const base = {
      resource: {
        azapi_resource: { blue: deployment("blue", EP_ARM_ID) },
        azapi_update_resource: { traffic: trafficUpdate(EP_ARM_ID, { traffic: { blue: 100 } }) },
      },
    };
    const head = {
      resource: {
        azapi_update_resource: { traffic: trafficUpdate(EP_ARM_ID, { traffic: {} }) },
        azurerm_resource_group: { rg: { name: "rg", location: "westeurope" } },
      },
    };
    expect(warn(base, head).map((w) => (w.kind === "live-deployment-removed" ? [w.deployment, w.trafficPercent] : w.kind))).toEqual([["blue", 100]]);
  });

  it("an endpoint given by ARM id that nothing in head names any more is gone: no warning", () => {
    const base = {
      resource: {
        azapi_resource: { blue: deployment("blue", EP_ARM_ID) },
        azapi_update_resource: { traffic: trafficUpdate(EP_ARM_ID, { traffic: { blue: 100 } }) },
      },
    };
    const head = { resource: { azurerm_resource_group: { rg: { name: "rg", location: "westeurope" } } } };
    expect(warn(base, head)).toEqual([]);
  });

  it("shares come only from the azapi_update_resource of the endpoint type whose resource_id is that endpoint", () => {
    const base = {
      resource: {
        azapi_resource: { ep: endpoint(), blue: deployment("blue") },
        // Sorted by address, each decoy comes before the real traffic update.
        azapi_resource_action: { a_action: trafficUpdate(EP_REF, { traffic: { blue: 70 } }) },
        azapi_update_resource: {
          a_other_endpoint: trafficUpdate("${azapi_resource.other.id}", { traffic: { blue: 60 } }),
          b_wrong_type: { ...trafficUpdate(EP_REF, { traffic: { blue: 50 } }), type: DEPLOYMENT_TYPE },
          c_traffic: trafficUpdate(EP_REF, { traffic: { blue: 30 } }),
        },
      },
    };
    const head = { resource: { azapi_resource: { ep: endpoint() } } };
    expect(warn(base, head).map((w) => (w.kind === "live-deployment-removed" ? [w.deployment, w.trafficPercent, w.mirrorTrafficPercent] : w.kind))).toEqual([
      ["blue", 30, 0],
    ]);
  });

  it("traffic updates without a body, without properties, or with a non-object traffic map are skipped for the next one", () => {
    const base = {
      resource: {
        azapi_resource: { ep: endpoint(), blue: deployment("blue") },
        azapi_update_resource: {
          a_string: trafficUpdate(EP_REF, { traffic: "blue" }),
          b_list: trafficUpdate(EP_REF, { traffic: [{ blue: 80 }] }),
          c_no_properties: { type: ENDPOINT_TYPE, resource_id: EP_REF, body: {} },
          d_no_body: { type: ENDPOINT_TYPE, resource_id: EP_REF },
          e_traffic: trafficUpdate(EP_REF, { traffic: { blue: 40 } }),
        },
      },
    };
    const head = { resource: { azapi_resource: { ep: endpoint() } } };
    expect(warn(base, head).map((w) => (w.kind === "live-deployment-removed" ? [w.deployment, w.trafficPercent] : w.kind))).toEqual([["blue", 40]]);
  });

  it("a share that is not a number counts as 0: no warning", () => {
    const base = {
      resource: {
        azapi_resource: { ep: endpoint(), blue: deployment("blue") },
        azapi_update_resource: { traffic: trafficUpdate(EP_REF, { traffic: { blue: "90" }, mirrorTraffic: { blue: true } }) },
      },
    };
    expect(warn(base, { resource: { azapi_resource: { ep: endpoint() } } })).toEqual([]);
  });

  it("a deployment without a parent_id is not placed on any endpoint: no warning", () => {
    const base = {
      resource: {
        azapi_resource: { ep: endpoint(), blue: deployment("blue", null) },
        // A traffic update without resource_id would match an undefined endpoint id.
        azapi_update_resource: { traffic: trafficUpdate(undefined, { traffic: { blue: 50 } }) },
      },
    };
    expect(warn(base, { resource: { azapi_resource: { ep: endpoint() } } })).toEqual([]);
  });

  it("a deployment without a string name is not looked up as the share named 'undefined' or by its number", () => {
    const base = {
      resource: {
        azapi_resource: { ep: endpoint(), nameless: deployment(undefined), numbered: deployment(5) },
        azapi_update_resource: { traffic: trafficUpdate(EP_REF, { traffic: { undefined: 50, "5": 50 } }) },
      },
    };
    expect(warn(base, { resource: { azapi_resource: { ep: endpoint() } } })).toEqual([]);
  });

  it("an azapi_resource without a type is neither a deployment nor an asset version, and does not break the review", () => {
    const untyped = { name: "blue", parent_id: EP_REF, body: { properties: { traffic: { blue: 100 } } } };
    const base = { resource: { azapi_resource: { ep: endpoint(), untyped } } };
    const head = { resource: { azapi_resource: { ep: endpoint(), untyped: { ...untyped, name: "green" } } } };
    expect(warn(base, head)).toEqual([]);
  });
});

describe("immutable asset version changed", () => {
  function version(type: string, name: string | undefined, parentId: string | undefined, properties: Record<string, unknown>, path?: string) {
    return {
      ...(path !== undefined ? { "//": { metadata: { path } } } : {}),
      type,
      ...(name !== undefined ? { name } : {}),
      ...(parentId !== undefined ? { parent_id: parentId } : {}),
      body: { properties },
    };
  }

  it("names model, environment and code versions whose definition changed under the same name and parent, with body paths", () => {
    const base = {
      resource: {
        azapi_resource: {
          code: version(CODE_TYPE, "abc123", "${azurerm_machine_learning_workspace.ws.id}/codes/src", { codeUri: "https://st/src/abc123/" }),
          env: version(ENVIRONMENT_TYPE, "1", "${azurerm_machine_learning_workspace.ws.id}/environments/churn-env", { image: "img:1" }),
          model: version(MODEL_TYPE, "4", "${azurerm_machine_learning_workspace.ws.id}/models/churn", { modelUri: "azureml://m/4/" }, "s/assets/model-4"),
        },
      },
    };
    const head = {
      resource: {
        azapi_resource: {
          code: version(CODE_TYPE, "abc123", "${azurerm_machine_learning_workspace.ws.id}/codes/src", { codeUri: "https://st/src/abc124/" }),
          env: version(ENVIRONMENT_TYPE, "1", "${azurerm_machine_learning_workspace.ws.id}/environments/churn-env", { image: "img:2" }),
          model: version(MODEL_TYPE, "4", "${azurerm_machine_learning_workspace.ws.id}/models/churn", { modelUri: "azureml://m/4b/" }, "s/assets/model-4"),
        },
      },
    };
    expect(warn(base, head)).toStrictEqual([
      {
        kind: "immutable-version-changed",
        stack: "s",
        environment: "s",
        // No deployment of this stack uses it, so the field is the version itself.
        field: "model.version",
        address: "azapi_resource.model",
        constructPath: "s/assets/model-4",
        asset: "model",
        name: "churn",
        version: "4",
        changes: [{ path: ["body", "properties", "modelUri"], before: "azureml://m/4/", after: "azureml://m/4b/" }],
      },
      {
        kind: "immutable-version-changed",
        stack: "s",
        environment: "s",
        // No deployment of this stack uses it, so the field is the version itself.
        field: "environment.version",
        address: "azapi_resource.env",
        asset: "environment",
        name: "churn-env",
        version: "1",
        changes: [{ path: ["body", "properties", "image"], before: "img:1", after: "img:2" }],
      },
      {
        kind: "immutable-version-changed",
        stack: "s",
        environment: "s",
        // No deployment of this stack uses it, so the field is the version itself.
        field: "code.path",
        address: "azapi_resource.code",
        asset: "code",
        name: "src",
        version: "abc123",
        changes: [{ path: ["body", "properties", "codeUri"], before: "https://st/src/abc123/", after: "https://st/src/abc124/" }],
      },
    ]);
  });

  it("isArchived, description and tags may change on an existing version: no warning", () => {
    const parent = "${azurerm_machine_learning_workspace.ws.id}/models/churn";
    const base = { resource: { azapi_resource: { m: version(MODEL_TYPE, "4", parent, { modelUri: "u", isArchived: false, description: "a", tags: { t: "1" } }) } } };
    const head = { resource: { azapi_resource: { m: version(MODEL_TYPE, "4", parent, { modelUri: "u", isArchived: true, description: "b", tags: { t: "2" } }) } } };
    expect(warn(base, head)).toEqual([]);
  });

  it("a version without parent_id, or without name, has no Azure identity and is never matched", () => {
    const parent = "${azurerm_machine_learning_workspace.ws.id}/models/churn";
    const noParent = (uri: string) => ({ resource: { azapi_resource: { m: version(MODEL_TYPE, "4", undefined, { modelUri: uri }) } } });
    const noName = (uri: string) => ({ resource: { azapi_resource: { m: version(MODEL_TYPE, undefined, parent, { modelUri: uri }) } } });
    expect(warn(noParent("a"), noParent("b"))).toEqual([]);
    expect(warn(noName("a"), noName("b"))).toEqual([]);
  });

  it("an azapi_update_resource of a model version is not a version definition: no warning", () => {
    const update = (uri: string) => ({
      resource: { azapi_update_resource: { m: { type: MODEL_TYPE, name: "4", parent_id: "${azurerm_machine_learning_workspace.ws.id}/models/churn", body: { properties: { modelUri: uri } } } } },
    });
    expect(warn(update("a"), update("b"))).toEqual([]);
  });
});

describe("forced replacement", () => {
  it("an azurerm ForceNew attribute of a listed type, with the entry's label and loss, sorted by attribute", () => {
    const cluster = (vmSize: string, location: string) => ({
      resource: {
        azurerm_machine_learning_compute_cluster: {
          cluster: { "//": { metadata: { path: "s/compute/cluster" } }, name: "cpu", location, vm_size: vmSize, scale_settings: { max_node_count: 2 } },
        },
      },
    });
    expect(warn(cluster("STANDARD_D4S_V3", "westeurope"), cluster("STANDARD_E4S_V3", "northeurope"))).toStrictEqual([
      {
        kind: "forced-replacement",
        stack: "s",
        environment: "s",
        address: "azurerm_machine_learning_compute_cluster.cluster",
        constructPath: "s/compute/cluster",
        label: "compute cluster",
        loses: "capacity: every node is released and running jobs fail",
        rule: "azurerm ForceNew",
        changes: [
          { path: ["location"], before: "westeurope", after: "northeurope" },
          { path: ["vm_size"], before: "STANDARD_D4S_V3", after: "STANDARD_E4S_V3" },
        ],
      },
    ]);
  });

  it("azapi: name, parent_id or location of a resource holding something forces replacement; other attributes do not", () => {
    const endpointWith = (name: string, parentId: string, location: string, auth: string) => ({
      resource: { azapi_resource: { ep: { type: ENDPOINT_TYPE, name, parent_id: parentId, location, body: { properties: { authMode: auth } } } } },
    });
    const base = endpointWith("churn", "${azurerm_machine_learning_workspace.a.id}", "westeurope", "Key");
    const head = endpointWith("churn2", "${azurerm_machine_learning_workspace.b.id}", "northeurope", "AMLToken");
    expect(warn(base, head)).toStrictEqual([
      {
        kind: "forced-replacement",
        stack: "s",
        environment: "s",
        address: "azapi_resource.ep",
        label: "online endpoint",
        loses: "identity: scoring URI and keys change for every client",
        rule: "azapi",
        changes: [
          { path: ["location"], before: "westeurope", after: "northeurope" },
          { path: ["name"], before: "churn", after: "churn2" },
          { path: ["parent_id"], before: "${azurerm_machine_learning_workspace.a.id}", after: "${azurerm_machine_learning_workspace.b.id}" },
        ],
      },
    ]);
    expect(warn(base, endpointWith("churn", "${azurerm_machine_learning_workspace.a.id}", "westeurope", "AMLToken"))).toEqual([]);
  });

  it("follows a moved block to compare the resource with its old address", () => {
    const base = { resource: { azurerm_key_vault: { old: { name: "kv1", location: "westeurope", resource_group_name: "rg" } } } };
    const head = {
      resource: { azurerm_key_vault: { renamed: { name: "kv2", location: "westeurope", resource_group_name: "rg" } } },
      moved: [{ from: "azurerm_key_vault.old", to: "azurerm_key_vault.renamed" }],
    };
    expect(warn(base, head).map((w) => (w.kind === "forced-replacement" ? [w.address, w.label, w.changes] : w.kind))).toEqual([
      ["azurerm_key_vault.renamed", "key vault", [{ path: ["name"], before: "kv1", after: "kv2" }]],
    ]);
  });

  it("a moved block across resource types is not compared: no warning", () => {
    const base = { resource: { azurerm_storage_account: { data: { name: "acct", location: "westeurope", resource_group_name: "rg" } } } };
    const head = {
      resource: { azurerm_storage_container: { data: { name: "ctr", storage_account_id: "${azurerm_storage_account.x.id}" } } },
      moved: [{ from: "azurerm_storage_account.data", to: "azurerm_storage_container.data" }],
    };
    expect(warn(base, head)).toEqual([]);
  });

  it("types outside the ForceNew table (a stateful key vault secret, an action group, a virtual network via azapi) are not warned", () => {
    const base = {
      resource: {
        azapi_resource: { vnet: { type: "Microsoft.Network/virtualNetworks@2024-05-01", name: "vnet1", parent_id: "${azurerm_resource_group.rg.id}", location: "westeurope" } },
        azurerm_key_vault_secret: { secret: { name: "s1", key_vault_id: "${azurerm_key_vault.kv.id}", value: "x" } },
        azurerm_monitor_action_group: { ops: { name: "ops", resource_group_name: "rg1", short_name: "ops" } },
      },
    };
    const head = {
      resource: {
        azapi_resource: { vnet: { type: "Microsoft.Network/virtualNetworks@2024-05-01", name: "vnet2", parent_id: "${azurerm_resource_group.rg.id}", location: "northeurope" } },
        azurerm_key_vault_secret: { secret: { name: "s2", key_vault_id: "${azurerm_key_vault.kv.id}", value: "x" } },
        azurerm_monitor_action_group: { ops: { name: "ops2", resource_group_name: "rg2", short_name: "ops" } },
      },
    };
    expect(warn(base, head)).toEqual([]);
  });

  it("attributes a ForceNew rule lets change in place (storage replication LRS to GRS) are not warned", () => {
    const account = (replication: string) => ({
      resource: { azurerm_storage_account: { st: { name: "st", location: "westeurope", resource_group_name: "rg", account_tier: "Standard", account_replication_type: replication } } },
    });
    expect(warn(account("LRS"), account("GRS"))).toEqual([]);
  });
});

describe("rolloutWarnings across stacks", () => {
  it("compares only stacks in both, sorted by name, whatever the order of the head map", () => {
    const vault = (name: string) => ({ resource: { azurerm_key_vault: { kv: { name, location: "westeurope", resource_group_name: "rg" } } } });
    const base = new Map([
      ["a", stack("a", vault("a1"))],
      ["b", stack("b", vault("b1"))],
    ]);
    const head = new Map([
      ["c", stack("c", vault("c2"))],
      ["b", stack("b", vault("b2"))],
      ["a", stack("a", vault("a2"))],
    ]);
    expect(rolloutWarnings(base, head).map((w) => [w.stack, w.kind])).toEqual([
      ["a", "forced-replacement"],
      ["b", "forced-replacement"],
    ]);
  });
});
