import { CHECKS } from "../../lib/guardrails/checks";
import type { ResourceView } from "../../lib/guardrails/stack-view";
import { DEPLOYMENT_TYPE, ENDPOINT_TYPE, WORKSPACE_ID, WORKSPACE_TYPE } from "./helpers";

// Each check on hand-built resource lists (attributes as synthesized, references as `${type.name.attr}`), so that
// every branch of lib/guardrails/checks.ts is pinned without a stack synth. Inputs are built inside each test.

/** A resource at address `<type>.<name>` with the given synthesized attributes. */
function res(type: string, name: string, attrs: Record<string, unknown>): ResourceView {
  return { construct: undefined as never, path: `stack/${name}`, type, address: `${type}.${name}`, attrs };
}

function azapi(name: string, attrs: Record<string, unknown>): ResourceView {
  return res("azapi_resource", name, attrs);
}

/** What a check flags: the address and detail of each observation, in order. */
function flagged(id: keyof typeof CHECKS, resources: readonly ResourceView[]): [string, string][] {
  return CHECKS[id](resources).map((o) => [o.resource.address, o.detail]);
}

/** An azurerm_private_endpoint whose connection targets `address`. */
function privateEndpoint(name: string, address: string): ResourceView {
  return res("azurerm_private_endpoint", name, {
    private_service_connection: [{ name: "pe", private_connection_resource_id: `\${${address}.id}` }],
  });
}

const WS2 = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws2";

describe("workspace-public", () => {
  it("flags an azapi workspace whose body.properties.publicNetworkAccess is Enabled, not one where it is Disabled", () => {
    const resources = [
      azapi("open", { type: WORKSPACE_TYPE, body: { properties: { publicNetworkAccess: "Enabled" } } }),
      azapi("closed", { type: WORKSPACE_TYPE, body: { properties: { publicNetworkAccess: "disabled" } } }),
    ];
    expect(flagged("workspace-public", resources)).toEqual([["azapi_resource.open", 'publicNetworkAccess is "Enabled"']]);
  });

  it("flags an azurerm workspace with public_network_access_enabled absent, as defaulting to true", () => {
    const resources = [
      res("azurerm_machine_learning_workspace", "absent", {}),
      res("azurerm_machine_learning_workspace", "off", { public_network_access_enabled: false }),
    ];
    expect(flagged("workspace-public", resources)).toEqual([
      ["azurerm_machine_learning_workspace.absent", "public_network_access_enabled is not set and defaults to true"],
    ]);
  });
});

describe("workspace-identity", () => {
  it("flags an azurerm workspace without identity", () => {
    const resources = [
      res("azurerm_machine_learning_workspace", "bare", { name: "mlw" }),
      res("azurerm_machine_learning_workspace", "managed", { identity: [{ type: "SystemAssigned" }] }),
    ];
    expect(flagged("workspace-identity", resources)).toEqual([["azurerm_machine_learning_workspace.bare", "no managed identity is set"]]);
  });

  it("reads an azapi body.identity when there is no top-level identity", () => {
    const resources = [
      azapi("none", { type: WORKSPACE_TYPE, body: { identity: { type: "None" } } }),
      azapi("system", { type: WORKSPACE_TYPE, body: { identity: { type: "SystemAssigned" } } }),
    ];
    expect(flagged("workspace-identity", resources)).toEqual([["azapi_resource.none", 'its identity type is "None"']]);
  });

  it("does not flag an identity only known at apply time", () => {
    const resources = [azapi("later", { type: WORKSPACE_TYPE, identity: "${var.identity}" })];
    expect(flagged("workspace-identity", resources)).toEqual([]);
  });
});

describe("keyvault-rbac", () => {
  it("does not flag a vault whose RBAC setting, current or legacy, is only known at apply time", () => {
    const resources = [
      res("azurerm_key_vault", "current", { rbac_authorization_enabled: "${var.rbac}" }),
      res("azurerm_key_vault", "legacy", { enable_rbac_authorization: "${var.rbac}" }),
      res("azurerm_key_vault", "neither", {}),
    ];
    expect(flagged("keyvault-rbac", resources)).toEqual([
      ["azurerm_key_vault.neither", "rbac_authorization_enabled is not true, so the vault uses access policies"],
    ]);
  });
});

describe("keyvault-purge-protection", () => {
  it("flags purge protection absent or false, not true or only known at apply time", () => {
    const resources = [
      res("azurerm_key_vault", "absent", {}),
      res("azurerm_key_vault", "off", { purge_protection_enabled: false }),
      res("azurerm_key_vault", "on", { purge_protection_enabled: true }),
      res("azurerm_key_vault", "later", { purge_protection_enabled: "${var.purge}" }),
    ];
    expect(flagged("keyvault-purge-protection", resources)).toEqual([
      ["azurerm_key_vault.absent", "purge_protection_enabled is not set and defaults to false"],
      ["azurerm_key_vault.off", "purge_protection_enabled is false"],
    ]);
  });
});

describe("compute-local-auth", () => {
  it("flags a compute instance as well as a cluster", () => {
    const resources = [
      res("azurerm_machine_learning_compute_instance", "ci", {}),
      res("azurerm_machine_learning_compute_cluster", "cc", { local_auth_enabled: true }),
    ];
    expect(flagged("compute-local-auth", resources)).toEqual([
      ["azurerm_machine_learning_compute_cluster.cc", "local_auth_enabled is true"],
      ["azurerm_machine_learning_compute_instance.ci", "local_auth_enabled is not set and defaults to true"],
    ]);
  });
});

describe("role-assignment-privileged", () => {
  it("matches a role name or id with surrounding whitespace", () => {
    const resources = [
      res("azurerm_role_assignment", "by_name", { role_definition_name: " Owner " }),
      res("azurerm_role_assignment", "by_id", {
        role_definition_id: "/providers/Microsoft.Authorization/roleDefinitions/B24988AC-6180-42A0-AB88-20F7382DD24C ",
      }),
      res("azurerm_role_assignment", "reader", { role_definition_name: "Reader" }),
    ];
    expect(flagged("role-assignment-privileged", resources)).toEqual([
      ["azurerm_role_assignment.by_name", 'role_definition_name is " Owner "'],
      ["azurerm_role_assignment.by_id", "role_definition_id is the built-in Contributor role"],
    ]);
  });
});

describe("storage-firewall-open", () => {
  it("does not flag a storage account with public access off or only known at apply time", () => {
    const resources = [
      res("azurerm_storage_account", "off", { public_network_access_enabled: false }),
      res("azurerm_storage_account", "later", { public_network_access_enabled: "${var.public}" }),
      privateEndpoint("pe_off", "azurerm_storage_account.off"),
      privateEndpoint("pe_later", "azurerm_storage_account.later"),
    ];
    expect(flagged("storage-firewall-open", resources)).toEqual([]);
  });

  it("flags a storage account without a default action, as defaulting to Allow, and ignores a private endpoint without a connection", () => {
    const resources = [
      res("azurerm_storage_account", "sa", {}),
      res("azurerm_private_endpoint", "pe_none", {}),
      privateEndpoint("pe", "azurerm_storage_account.sa"),
    ];
    expect(flagged("storage-firewall-open", resources)).toEqual([
      ["azurerm_storage_account.sa", "a private endpoint targets it, but its firewall's default action is not set and defaults to Allow"],
    ]);
  });

  it("reads the inline network_rules default action", () => {
    const resources = [
      res("azurerm_storage_account", "allow", { network_rules: [{ default_action: "Allow" }] }),
      res("azurerm_storage_account", "deny", { network_rules: [{ default_action: "deny" }] }),
      res("azurerm_storage_account", "later", { network_rules: [{ default_action: "${var.action}" }] }),
      privateEndpoint("pe_allow", "azurerm_storage_account.allow"),
      privateEndpoint("pe_deny", "azurerm_storage_account.deny"),
      privateEndpoint("pe_later", "azurerm_storage_account.later"),
    ];
    expect(flagged("storage-firewall-open", resources)).toEqual([
      ["azurerm_storage_account.allow", 'a private endpoint targets it, but its firewall\'s default action is "Allow"'],
    ]);
  });

  it("reads the default action of the network rules resource that refers to the account, and only that one", () => {
    const resources = [
      res("azurerm_storage_account", "sa", {}),
      res("azurerm_storage_account", "other", {}),
      res("azurerm_storage_account_network_rules", "rules_sa", { storage_account_id: "${azurerm_storage_account.sa.id}", default_action: "Allow" }),
      res("azurerm_storage_account_network_rules", "rules_other", { storage_account_id: "${azurerm_storage_account.other.id}", default_action: "Deny" }),
      privateEndpoint("pe_sa", "azurerm_storage_account.sa"),
      privateEndpoint("pe_other", "azurerm_storage_account.other"),
    ];
    expect(flagged("storage-firewall-open", resources)).toEqual([
      ["azurerm_storage_account.sa", 'a private endpoint targets it, but its firewall\'s default action is "Allow"'],
    ]);
  });

  it("states the first default action that is set", () => {
    const resources = [
      res("azurerm_storage_account", "sa", { network_rules: [{ default_action: "Allow" }] }),
      res("azurerm_storage_account_network_rules", "rules", { storage_account_id: "${azurerm_storage_account.sa.id}" }),
      privateEndpoint("pe", "azurerm_storage_account.sa"),
    ];
    expect(flagged("storage-firewall-open", resources)).toEqual([
      ["azurerm_storage_account.sa", 'a private endpoint targets it, but its firewall\'s default action is "Allow"'],
    ]);
  });
});

describe("registry-private-sku", () => {
  it("flags a registry behind a private endpoint whose sku is absent or not Premium, not one only known at apply time", () => {
    const resources = [
      res("azurerm_container_registry", "absent", {}),
      res("azurerm_container_registry", "standard", { sku: "Standard" }),
      res("azurerm_container_registry", "premium", { sku: "premium" }),
      res("azurerm_container_registry", "later", { sku: "${var.sku}" }),
      privateEndpoint("pe1", "azurerm_container_registry.absent"),
      privateEndpoint("pe2", "azurerm_container_registry.standard"),
      privateEndpoint("pe3", "azurerm_container_registry.premium"),
      privateEndpoint("pe4", "azurerm_container_registry.later"),
    ];
    expect(flagged("registry-private-sku", resources)).toEqual([
      ["azurerm_container_registry.absent", "a private endpoint targets it, but its sku is not set"],
      ["azurerm_container_registry.standard", 'a private endpoint targets it, but its sku is "Standard"'],
    ]);
  });
});

describe("private-target-public", () => {
  it("flags a container registry behind a private endpoint with public access not off", () => {
    const resources = [res("azurerm_container_registry", "acr", {}), privateEndpoint("pe", "azurerm_container_registry.acr")];
    expect(flagged("private-target-public", resources)).toEqual([
      ["azurerm_container_registry.acr", "public_network_access_enabled is not set and defaults to true"],
    ]);
  });
});

describe("compute-node-public-ip", () => {
  it("flags only clusters of workspaces with a managed network whose isolation mode is stated and not Disabled", () => {
    const resources = [
      res("azurerm_machine_learning_workspace", "managed", { managed_network: [{ isolation_mode: "AllowOnlyApprovedOutbound" }] }),
      res("azurerm_machine_learning_workspace", "managed2", { managed_network: [{ isolation_mode: "AllowInternetOutbound" }] }),
      res("azurerm_machine_learning_workspace", "disabled", { managed_network: [{ isolation_mode: "disabled" }] }),
      res("azurerm_machine_learning_workspace", "later", { managed_network: [{ isolation_mode: "${var.mode}" }] }),
      res("azurerm_machine_learning_workspace", "absent", {}),
      res("azurerm_machine_learning_compute_cluster", "in_managed", {
        machine_learning_workspace_id: "${azurerm_machine_learning_workspace.managed.id}",
      }),
      res("azurerm_machine_learning_compute_cluster", "in_disabled", {
        machine_learning_workspace_id: "${azurerm_machine_learning_workspace.disabled.id}",
      }),
      res("azurerm_machine_learning_compute_cluster", "in_later", {
        machine_learning_workspace_id: "${azurerm_machine_learning_workspace.later.id}",
      }),
      res("azurerm_machine_learning_compute_cluster", "in_absent", {
        machine_learning_workspace_id: "${azurerm_machine_learning_workspace.absent.id}",
      }),
    ];
    expect(flagged("compute-node-public-ip", resources)).toEqual([
      ["azurerm_machine_learning_compute_cluster.in_managed", "node_public_ip_enabled is not set and defaults to true"],
    ]);
  });
});

describe("diagnostics-missing", () => {
  it("flags an azurerm workspace that no diagnostic setting targets", () => {
    const resources = [
      res("azurerm_machine_learning_workspace", "ws", {}),
      res("azurerm_machine_learning_workspace", "watched", {}),
      res("azurerm_monitor_diagnostic_setting", "diag", { target_resource_id: "${azurerm_machine_learning_workspace.watched.id}" }),
    ];
    expect(flagged("diagnostics-missing", resources)).toEqual([["azurerm_machine_learning_workspace.ws", "no diagnostic setting targets this resource"]]);
  });
});

describe("single-instance-live", () => {
  /** An online endpoint azapi_resource. */
  function endpoint(name: string, attrs: Record<string, unknown> = {}): ResourceView {
    return azapi(name, { type: ENDPOINT_TYPE, name: "churn", parent_id: WORKSPACE_ID, ...attrs });
  }

  /** A deployment `blue` under the endpoint at `endpointAddress` with `capacity` instances. */
  function deployment(name: string, parentId: string, attrs: Record<string, unknown> = {}): ResourceView {
    return azapi(name, { type: DEPLOYMENT_TYPE, name: "blue", parent_id: parentId, body: { sku: { capacity: 1 } }, ...attrs });
  }

  function patch(name: string, attrs: Record<string, unknown>): ResourceView {
    return res("azapi_update_resource", name, { type: ENDPOINT_TYPE, ...attrs });
  }

  const traffic = (t: unknown): Record<string, unknown> => ({ body: { properties: { traffic: t } } });

  it("applies a patch matched to its endpoint by name and parent_id", () => {
    const resources = [
      endpoint("a", { name: "churn" }),
      deployment("d", "${azapi_resource.a.id}"),
      patch("p", { name: "churn", parent_id: WORKSPACE_ID, ...traffic({ blue: 100 }) }),
    ];
    expect(flagged("single-instance-live", resources)).toEqual([["azapi_resource.d", 'deployment "blue" takes 100% of live traffic on 1 instance']]);
  });

  it("does not apply a patch matched by name to an endpoint of the same name in another workspace", () => {
    const resources = [
      endpoint("a", { name: "churn", parent_id: WORKSPACE_ID }),
      endpoint("b", { name: "churn", parent_id: WS2 }),
      deployment("d", "${azapi_resource.a.id}"),
      patch("p", { name: "churn", parent_id: WS2, ...traffic({ blue: 100 }) }),
    ];
    expect(flagged("single-instance-live", resources)).toEqual([]);
  });

  it("does not apply a patch matched by name to another endpoint in the same workspace", () => {
    const resources = [
      endpoint("a", { name: "churn" }),
      endpoint("b", { name: "fraud" }),
      deployment("d", "${azapi_resource.a.id}"),
      patch("p", { name: "fraud", parent_id: WORKSPACE_ID, ...traffic({ blue: 100 }) }),
    ];
    expect(flagged("single-instance-live", resources)).toEqual([]);
  });

  it("applies a patch that matches no endpoint to every deployment; a nameless patch matches no nameless endpoint", () => {
    const resources = [
      azapi("nameless", { type: ENDPOINT_TYPE }),
      endpoint("b"),
      deployment("d", "${azapi_resource.b.id}"),
      patch("p", traffic({ blue: 100 })),
    ];
    expect(flagged("single-instance-live", resources)).toEqual([["azapi_resource.d", 'deployment "blue" takes 100% of live traffic on 1 instance']]);
  });

  it("applies every patch to a deployment whose endpoint is not in the stack", () => {
    const resources = [
      endpoint("a"),
      deployment("d", `${WORKSPACE_ID}/onlineEndpoints/churn`),
      patch("p", { resource_id: "${azapi_resource.a.id}", ...traffic({ blue: 100 }) }),
    ];
    expect(flagged("single-instance-live", resources)).toEqual([["azapi_resource.d", 'deployment "blue" takes 100% of live traffic on 1 instance']]);
  });

  it("lets a traffic patch win over the endpoint's own traffic", () => {
    const resources = [
      endpoint("a", traffic({ blue: 100 })),
      deployment("d", "${azapi_resource.a.id}"),
      patch("p", { resource_id: "${azapi_resource.a.id}", ...traffic({ blue: 0 }) }),
    ];
    expect(flagged("single-instance-live", resources)).toEqual([]);
  });

  it("ignores update resources of other types, without a type, or without traffic", () => {
    const resources = [
      endpoint("a", traffic({ blue: 100 })),
      deployment("d", "${azapi_resource.a.id}"),
      patch("other_type", { type: DEPLOYMENT_TYPE, ...traffic({ blue: 0 }) }),
      patch("no_type", { type: undefined, ...traffic({ blue: 0 }) }),
      patch("no_traffic", { resource_id: "${azapi_resource.a.id}", body: { properties: { publicNetworkAccess: "Disabled" } } }),
    ];
    expect(flagged("single-instance-live", resources)).toEqual([["azapi_resource.d", 'deployment "blue" takes 100% of live traffic on 1 instance']]);
  });

  it("reads only the deployment's own endpoint's traffic", () => {
    const resources = [
      endpoint("a", traffic({ blue: 100 })),
      endpoint("b", { name: "fraud", ...traffic({ blue: 0 }) }),
      deployment("d", "${azapi_resource.b.id}"),
    ];
    expect(flagged("single-instance-live", resources)).toEqual([]);
  });

  it("skips deployments whose name is absent or an expression, and traffic not known before apply", () => {
    const resources = [
      endpoint("a", traffic({ undefined: 100, "${var.name}": 100, green: "${var.green}" })),
      deployment("nameless", "${azapi_resource.a.id}", { name: undefined }),
      deployment("expr", "${azapi_resource.a.id}", { name: "${var.name}" }),
      deployment("green", "${azapi_resource.a.id}", { name: "green" }),
    ];
    expect(flagged("single-instance-live", resources)).toEqual([]);
  });

  it("says instances in the plural for zero", () => {
    const resources = [endpoint("a", traffic({ blue: 50 })), deployment("d", "${azapi_resource.a.id}", { body: { sku: { capacity: 0 } } })];
    expect(flagged("single-instance-live", resources)).toEqual([["azapi_resource.d", 'deployment "blue" takes 50% of live traffic on 0 instances']]);
  });

  it("takes the lowest minimum of the autoscale settings that target the deployment", () => {
    const resources = [
      endpoint("a", traffic({ blue: 100, green: 100 })),
      deployment("d", "${azapi_resource.a.id}", { body: { sku: { capacity: 3 } } }),
      deployment("g", "${azapi_resource.a.id}", { name: "green", body: { sku: { capacity: 1 } } }),
      res("azurerm_monitor_autoscale_setting", "scale_d", {
        target_resource_id: "${azapi_resource.d.id}",
        profile: [{ capacity: [{ minimum: 3 }] }, { capacity: [{ minimum: 1 }] }],
      }),
    ];
    expect(flagged("single-instance-live", resources)).toEqual([
      ["azapi_resource.d", 'deployment "blue" takes 100% of live traffic on 1 instance'],
      ["azapi_resource.g", 'deployment "green" takes 100% of live traffic on 1 instance'],
    ]);
  });

  it("ignores autoscale settings that target another resource", () => {
    const resources = [
      endpoint("a", traffic({ blue: 100 })),
      deployment("d", "${azapi_resource.a.id}"),
      res("azurerm_monitor_autoscale_setting", "scale_other", {
        target_resource_id: "${azapi_resource.other.id}",
        profile: [{ capacity: [{ minimum: 3 }] }],
      }),
    ];
    expect(flagged("single-instance-live", resources)).toEqual([["azapi_resource.d", 'deployment "blue" takes 100% of live traffic on 1 instance']]);
  });

  it("does not flag when an autoscale minimum is absent or only known at apply time", () => {
    const resources = [
      endpoint("a", traffic({ blue: 100, green: 100 })),
      deployment("d", "${azapi_resource.a.id}"),
      deployment("g", "${azapi_resource.a.id}", { name: "green" }),
      res("azurerm_monitor_autoscale_setting", "scale_d", { target_resource_id: "${azapi_resource.d.id}", profile: [{ name: "p" }] }),
      res("azurerm_monitor_autoscale_setting", "scale_g", {
        target_resource_id: "${azapi_resource.g.id}",
        profile: [{ capacity: [{ minimum: "${var.min}" }] }],
      }),
    ];
    expect(flagged("single-instance-live", resources)).toEqual([]);
  });

  it("falls back to the capacity when an autoscale setting has no profiles", () => {
    const resources = [
      endpoint("a", traffic({ blue: 100 })),
      deployment("d", "${azapi_resource.a.id}"),
      res("azurerm_monitor_autoscale_setting", "scale_d", { target_resource_id: "${azapi_resource.d.id}", profile: [] }),
    ];
    expect(flagged("single-instance-live", resources)).toEqual([["azapi_resource.d", 'deployment "blue" takes 100% of live traffic on 1 instance']]);
  });

  it("reads a TargetUtilization minInstances, defaulting to 1, in place of the capacity", () => {
    const utilization = (extra: Record<string, unknown>) => ({ scaleSettings: { scaleType: "TargetUtilization", ...extra } });
    const resources = [
      endpoint("a", traffic({ blue: 100, green: 100 })),
      deployment("d", "${azapi_resource.a.id}", { body: { sku: { capacity: 1 }, properties: utilization({ minInstances: 3 }) } }),
      deployment("g", "${azapi_resource.a.id}", { name: "green", body: { sku: { capacity: 3 }, properties: utilization({}) } }),
    ];
    expect(flagged("single-instance-live", resources)).toEqual([["azapi_resource.g", 'deployment "green" takes 100% of live traffic on 1 instance']]);
  });
});

describe("a workspace created through azapi with a managed network", () => {
  const managedWorkspace = (name: string, isolationMode: string) =>
    azapi(name, { type: WORKSPACE_TYPE, body: { properties: { managedNetwork: { isolationMode } } } });

  it("compute-node-public-ip: flags clusters of an azapi workspace whose managed network is on", () => {
    const resources = [
      managedWorkspace("managed", "AllowOnlyApprovedOutbound"),
      res("azurerm_machine_learning_compute_cluster", "in_managed", { machine_learning_workspace_id: "${azapi_resource.managed.id}" }),
      res("azurerm_machine_learning_compute_cluster", "closed", { machine_learning_workspace_id: "${azapi_resource.managed.id}", node_public_ip_enabled: false }),
    ];
    expect(flagged("compute-node-public-ip", resources)).toEqual([
      ["azurerm_machine_learning_compute_cluster.in_managed", "node_public_ip_enabled is not set and defaults to true"],
    ]);
  });

  it("compute-node-public-ip: an azapi workspace whose isolation mode is Disabled has no managed network", () => {
    const resources = [
      managedWorkspace("off", "Disabled"),
      res("azurerm_machine_learning_compute_cluster", "c", { machine_learning_workspace_id: "${azapi_resource.off.id}" }),
    ];
    expect(flagged("compute-node-public-ip", resources)).toEqual([]);
  });

  it("deployment-egress-public: a deployment that sends no egress flag is not open there; one that sends Enabled still is", () => {
    const resources = [
      managedWorkspace("ws", "AllowInternetOutbound"),
      azapi("silent", { type: DEPLOYMENT_TYPE, body: { properties: {} } }),
      azapi("open", { type: DEPLOYMENT_TYPE, body: { properties: { egressPublicNetworkAccess: "Enabled" } } }),
    ];
    expect(flagged("deployment-egress-public", resources)).toEqual([["azapi_resource.open", 'egressPublicNetworkAccess is "Enabled"']]);
  });

  it("deployment-egress-public: without a managed network a missing flag defaults to Enabled and is flagged", () => {
    const resources = [
      azapi("ws", { type: WORKSPACE_TYPE, body: { properties: {} } }),
      azapi("silent", { type: DEPLOYMENT_TYPE, body: { properties: {} } }),
    ];
    expect(flagged("deployment-egress-public", resources)).toEqual([["azapi_resource.silent", "egressPublicNetworkAccess is not set and defaults to Enabled"]]);
  });
});
