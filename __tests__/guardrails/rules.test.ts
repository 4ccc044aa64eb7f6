import { ContainerRegistry, type ContainerRegistryConfig } from "@cdktf/provider-azurerm/lib/container-registry";
import { KeyVault, type KeyVaultConfig } from "@cdktf/provider-azurerm/lib/key-vault";
import {
  MachineLearningComputeCluster,
  type MachineLearningComputeClusterConfig,
} from "@cdktf/provider-azurerm/lib/machine-learning-compute-cluster";
import {
  MachineLearningWorkspace,
  type MachineLearningWorkspaceConfig,
} from "@cdktf/provider-azurerm/lib/machine-learning-workspace";
import { MonitorDiagnosticSetting } from "@cdktf/provider-azurerm/lib/monitor-diagnostic-setting";
import { PrivateEndpoint } from "@cdktf/provider-azurerm/lib/private-endpoint";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { StorageAccount, type StorageAccountConfig } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageAccountNetworkRulesA } from "@cdktf/provider-azurerm/lib/storage-account-network-rules";
import { App, TerraformStack, Testing } from "cdktf";
import { applyGuardrails, checkGuardrails, GUARDRAIL_RULES, RULE_IDS, type RuleId } from "../../lib/guardrails";
import {
  BATCH_ENDPOINT_TYPE,
  compliantDeployment,
  compliantEndpoint,
  FakeAzapiResource,
  newStack,
  routeTraffic,
  WORKSPACE_ID,
  WORKSPACE_TYPE,
} from "./helpers";

const RG = "rg-test";
const LOCATION = "westeurope";
const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-test/providers";

function storage(stack: TerraformStack, overrides: Partial<StorageAccountConfig> = {}): StorageAccount {
  return new StorageAccount(stack, "storage", {
    name: "sttest",
    resourceGroupName: RG,
    location: LOCATION,
    accountTier: "Standard",
    accountReplicationType: "ZRS",
    minTlsVersion: "TLS1_2",
    allowNestedItemsToBePublic: false,
    sharedAccessKeyEnabled: false,
    ...overrides,
  });
}

function keyVault(stack: TerraformStack, overrides: Partial<KeyVaultConfig> = {}): KeyVault {
  return new KeyVault(stack, "key-vault", {
    name: "kv-test",
    resourceGroupName: RG,
    location: LOCATION,
    tenantId: "00000000-0000-0000-0000-000000000000",
    skuName: "standard",
    purgeProtectionEnabled: true,
    rbacAuthorizationEnabled: true,
    ...overrides,
  });
}

function registry(stack: TerraformStack, overrides: Partial<ContainerRegistryConfig> = {}): ContainerRegistry {
  return new ContainerRegistry(stack, "registry", {
    name: "crtest",
    resourceGroupName: RG,
    location: LOCATION,
    sku: "Standard",
    adminEnabled: false,
    ...overrides,
  });
}

function cluster(stack: TerraformStack, overrides: Partial<MachineLearningComputeClusterConfig> = {}): MachineLearningComputeCluster {
  return new MachineLearningComputeCluster(stack, "cluster", {
    name: "cpu-cluster",
    location: LOCATION,
    machineLearningWorkspaceId: WORKSPACE_ID,
    vmPriority: "Dedicated",
    vmSize: "STANDARD_D2_V2",
    scaleSettings: { minNodeCount: 0, maxNodeCount: 2, scaleDownNodesAfterIdleDuration: "PT2M" },
    localAuthEnabled: false,
    sshPublicAccessEnabled: false,
    ...overrides,
  });
}

function workspace(stack: TerraformStack, overrides: Partial<MachineLearningWorkspaceConfig> = {}): MachineLearningWorkspace {
  const ws = new MachineLearningWorkspace(stack, "workspace", {
    name: "mlw-test",
    resourceGroupName: RG,
    location: LOCATION,
    applicationInsightsId: `${SUB}/Microsoft.Insights/components/appi-test`,
    keyVaultId: `${SUB}/Microsoft.KeyVault/vaults/kv-test`,
    storageAccountId: `${SUB}/Microsoft.Storage/storageAccounts/sttest`,
    identity: { type: "SystemAssigned" },
    publicNetworkAccessEnabled: false,
    ...overrides,
  });
  new MonitorDiagnosticSetting(stack, "workspace-diagnostics", { name: "diag", targetResourceId: ws.id });
  return ws;
}

/** A private endpoint to `targetId`, which makes the target one that is meant to be reached privately. */
function privateEndpointTo(stack: TerraformStack, targetId: string, subresource: string): PrivateEndpoint {
  return new PrivateEndpoint(stack, `pe-${subresource}`, {
    name: `pe-${subresource}`,
    resourceGroupName: RG,
    location: LOCATION,
    subnetId: `${SUB}/Microsoft.Network/virtualNetworks/vnet/subnets/snet`,
    privateServiceConnection: { name: "pe", privateConnectionResourceId: targetId, subresourceNames: [subresource], isManualConnection: false },
  });
}

/** A cluster in a workspace with a managed virtual network. */
function managedCluster(stack: TerraformStack, overrides: Partial<MachineLearningComputeClusterConfig> = {}): void {
  const ws = workspace(stack, { managedNetwork: { isolationMode: "AllowOnlyApprovedOutbound" } });
  cluster(stack, { machineLearningWorkspaceId: ws.id, ...overrides });
}

function liveDeployment(stack: TerraformStack, capacity: number): void {
  const endpoint = compliantEndpoint(stack);
  compliantDeployment(stack, "deployment-blue", endpoint, { capacity });
  routeTraffic(stack, "traffic", endpoint, { blue: 100 });
}

/** For each rule: a stack that violates only that rule, one that complies, where the finding lands and what it says. */
interface RuleCase {
  readonly severity: "error" | "warning";
  readonly path: string;
  readonly detail: string;
  readonly violate: (stack: TerraformStack) => void;
  readonly comply: (stack: TerraformStack) => void;
}

const CASES: { readonly [id in RuleId]: RuleCase } = {
  "endpoint-key-auth": {
    severity: "error",
    path: "serving-dev/endpoint",
    detail: 'authMode is "Key"',
    violate: (s) => compliantEndpoint(s, "endpoint", { properties: { authMode: "Key" } }),
    comply: (s) => compliantEndpoint(s, "endpoint", { properties: { authMode: "AADToken" } }),
  },
  "endpoint-public": {
    severity: "warning",
    path: "serving-dev/endpoint",
    detail: 'publicNetworkAccess is "Enabled"',
    violate: (s) => compliantEndpoint(s, "endpoint", { properties: { publicNetworkAccess: "Enabled" } }),
    comply: (s) => compliantEndpoint(s, "endpoint", { properties: { publicNetworkAccess: "Disabled" } }),
  },
  "endpoint-identity": {
    severity: "error",
    path: "serving-dev/endpoint",
    detail: "no managed identity is set",
    violate: (s) => compliantEndpoint(s, "endpoint", { identity: null }),
    comply: (s) => compliantEndpoint(s, "endpoint", { identity: { type: "UserAssigned" } }),
  },
  "single-instance-live": {
    severity: "warning",
    path: "serving-dev/deployment-blue",
    detail: 'deployment "blue" takes 100% of live traffic on 1 instance',
    violate: (s) => liveDeployment(s, 1),
    comply: (s) => liveDeployment(s, 2),
  },
  "deployment-egress-public": {
    severity: "warning",
    path: "serving-dev/deployment-blue",
    detail: 'egressPublicNetworkAccess is "Enabled"',
    violate: (s) =>
      compliantDeployment(s, "deployment-blue", compliantEndpoint(s), { properties: { egressPublicNetworkAccess: "Enabled" } }),
    comply: (s) => compliantDeployment(s, "deployment-blue", compliantEndpoint(s)),
  },
  "workspace-public": {
    severity: "warning",
    path: "serving-dev/workspace",
    detail: "public_network_access_enabled is true",
    violate: (s) => workspace(s, { publicNetworkAccessEnabled: true }),
    comply: (s) => workspace(s, { publicNetworkAccessEnabled: false }),
  },
  "workspace-identity": {
    severity: "error",
    path: "serving-dev/workspace",
    detail: "no managed identity is set",
    violate: (s) =>
      new FakeAzapiResource(s, "workspace", { type: WORKSPACE_TYPE, name: "mlw", body: { properties: { publicNetworkAccess: "Disabled" } } }),
    comply: (s) => workspace(s),
  },
  "storage-shared-key": {
    severity: "warning",
    path: "serving-dev/storage",
    detail: "shared_access_key_enabled is true",
    violate: (s) => storage(s, { sharedAccessKeyEnabled: true }),
    comply: (s) => storage(s, { sharedAccessKeyEnabled: false }),
  },
  "storage-public-blob": {
    severity: "error",
    path: "serving-dev/storage",
    detail: "allow_nested_items_to_be_public is true",
    violate: (s) => storage(s, { allowNestedItemsToBePublic: true }),
    comply: (s) => storage(s, { allowNestedItemsToBePublic: false }),
  },
  "storage-tls": {
    severity: "error",
    path: "serving-dev/storage",
    detail: 'min_tls_version is "TLS1_0"',
    violate: (s) => storage(s, { minTlsVersion: "TLS1_0" }),
    comply: (s) => storage(s, { minTlsVersion: "TLS1_3" }),
  },
  "keyvault-purge-protection": {
    severity: "error",
    path: "serving-dev/key-vault",
    detail: "purge_protection_enabled is false",
    violate: (s) => keyVault(s, { purgeProtectionEnabled: false }),
    comply: (s) => keyVault(s, { purgeProtectionEnabled: true }),
  },
  "keyvault-rbac": {
    severity: "error",
    path: "serving-dev/key-vault",
    detail: "rbac_authorization_enabled is not true, so the vault uses access policies",
    violate: (s) => keyVault(s, { rbacAuthorizationEnabled: false }),
    comply: (s) => keyVault(s, { rbacAuthorizationEnabled: true }),
  },
  "registry-admin-user": {
    severity: "error",
    path: "serving-dev/registry",
    detail: "admin_enabled is true",
    violate: (s) => registry(s, { adminEnabled: true }),
    comply: (s) => registry(s, { adminEnabled: false }),
  },
  "compute-ssh": {
    severity: "error",
    path: "serving-dev/cluster",
    detail: "ssh_public_access_enabled is true",
    violate: (s) => cluster(s, { sshPublicAccessEnabled: true }),
    comply: (s) => cluster(s, { sshPublicAccessEnabled: false }),
  },
  "compute-local-auth": {
    severity: "warning",
    path: "serving-dev/cluster",
    detail: "local_auth_enabled is true",
    violate: (s) => cluster(s, { localAuthEnabled: true }),
    comply: (s) => cluster(s, { localAuthEnabled: false }),
  },
  "role-assignment-privileged": {
    severity: "error",
    path: "serving-dev/grant",
    detail: 'role_definition_name is "Owner"',
    violate: (s) => new RoleAssignment(s, "grant", { scope: WORKSPACE_ID, roleDefinitionName: "Owner", principalId: "p" }),
    comply: (s) => new RoleAssignment(s, "grant", { scope: WORKSPACE_ID, roleDefinitionName: "AzureML Data Scientist", principalId: "p" }),
  },
  "diagnostics-missing": {
    severity: "warning",
    path: "serving-dev/endpoint",
    detail: "no diagnostic setting targets this resource",
    violate: (s) => compliantEndpoint(s),
    comply: (s) => {
      const endpoint = compliantEndpoint(s);
      new MonitorDiagnosticSetting(s, "endpoint-diagnostics", { name: "diag", targetResourceId: endpoint.id });
    },
  },
  "storage-firewall-open": {
    severity: "error",
    path: "serving-dev/storage",
    detail: "a private endpoint targets it, but its firewall's default action is not set and defaults to Allow",
    violate: (s) => privateEndpointTo(s, storage(s).id, "blob"),
    comply: (s) => {
      const account = storage(s);
      privateEndpointTo(s, account.id, "blob");
      new StorageAccountNetworkRulesA(s, "storage-rules", { storageAccountId: account.id, defaultAction: "Deny" });
    },
  },
  "registry-private-sku": {
    severity: "error",
    path: "serving-dev/registry",
    detail: 'a private endpoint targets it, but its sku is "Standard"',
    violate: (s) => privateEndpointTo(s, registry(s, { publicNetworkAccessEnabled: false }).id, "registry"),
    comply: (s) => privateEndpointTo(s, registry(s, { sku: "Premium", publicNetworkAccessEnabled: false }).id, "registry"),
  },
  "private-target-public": {
    severity: "warning",
    path: "serving-dev/key-vault",
    detail: "public_network_access_enabled is not set and defaults to true",
    violate: (s) => privateEndpointTo(s, keyVault(s).id, "vault"),
    comply: (s) => privateEndpointTo(s, keyVault(s, { publicNetworkAccessEnabled: false }).id, "vault"),
  },
  "compute-node-public-ip": {
    severity: "warning",
    path: "serving-dev/cluster",
    detail: "node_public_ip_enabled is not set and defaults to true",
    violate: (s) => managedCluster(s),
    comply: (s) => managedCluster(s, { nodePublicIpEnabled: false }),
  },
  // QUOTA gives standardDSv2Family 10 cores; STANDARD_DS3_V2 has 4: 3 nodes need 12, 2 need 8.
  "quota-exceeded": {
    severity: "error",
    path: "serving-dev/cluster",
    detail:
      "standardDSv2Family needs 12 cores at the most instances, above its quota of 10 " +
      "(cpu-cluster: 0..3 (start 0) × STANDARD_DS3_V2 (4 vCPUs) → 12 cores at most)",
    violate: (s) => cluster(s, { vmSize: "STANDARD_DS3_V2", scaleSettings: { minNodeCount: 0, maxNodeCount: 3, scaleDownNodesAfterIdleDuration: "PT2M" } }),
    comply: (s) => cluster(s, { vmSize: "STANDARD_DS3_V2", scaleSettings: { minNodeCount: 0, maxNodeCount: 2, scaleDownNodesAfterIdleDuration: "PT2M" } }),
  },
};

/** The quota every case runs under: only the quota-exceeded cases draw on this family. */
const QUOTA = { standardDSv2Family: 10 };

function findings(stack: TerraformStack, rule: RuleId, waivers: { rule: RuleId; reason: string }[] = []) {
  return applyGuardrails(stack, waivers, { quota: QUOTA }).evaluate().findings.filter((f) => f.rule === rule);
}

/** Errors stop the synth; warnings are printed. Written out, not read from GUARDRAIL_RULES. */
const RULE_SEVERITIES = {
  "endpoint-key-auth": "error",
  "endpoint-public": "warning",
  "endpoint-identity": "error",
  "single-instance-live": "warning",
  "deployment-egress-public": "warning",
  "workspace-public": "warning",
  "workspace-identity": "error",
  "storage-shared-key": "warning",
  "storage-public-blob": "error",
  "storage-tls": "error",
  "keyvault-purge-protection": "error",
  "keyvault-rbac": "error",
  "registry-admin-user": "error",
  "compute-ssh": "error",
  "compute-local-auth": "warning",
  "compute-node-public-ip": "warning",
  "private-target-public": "warning",
  "registry-private-sku": "error",
  "storage-firewall-open": "error",
  "role-assignment-privileged": "error",
  "diagnostics-missing": "warning",
  "quota-exceeded": "error",
};

test("rule ids and severities: which findings stop a synth", () => {
  expect(Object.fromEntries(RULE_IDS.map((id) => [id, GUARDRAIL_RULES[id].severity]))).toEqual(RULE_SEVERITIES);
  for (const id of RULE_IDS) {
    expect(GUARDRAIL_RULES[id].id).toBe(id);
    expect(GUARDRAIL_RULES[id].why).toMatch(/^[A-Z].{40,}\.$/s);
    expect(GUARDRAIL_RULES[id].fix).toMatch(/^[A-Z].{20,}\.$/s);
  }
});

describe.each(RULE_IDS.map((id) => [id, CASES[id]] as const))("guardrail %s", (rule, c) => {
  it(`flags the offending resource as ${c.severity}`, () => {
    const stack = newStack();
    c.violate(stack);
    expect(findings(stack, rule)).toEqual([
      { rule, severity: c.severity, path: c.path, message: `${c.detail}. ${GUARDRAIL_RULES[rule].why}`, waived: false },
    ]);
  });

  it("passes a compliant resource", () => {
    const stack = newStack();
    c.comply(stack);
    expect(findings(stack, rule)).toEqual([]);
  });

  it("keeps a waived finding, marked waived with the reason, and does not stop the synth", () => {
    const app = Testing.app();
    const stack = newStack("serving-dev", app);
    c.violate(stack);
    const reason = `accepted in dev: ${rule} is covered elsewhere`;
    expect(findings(stack, rule, [{ rule, reason }])).toEqual([
      { rule, severity: c.severity, path: c.path, message: `${c.detail}. ${GUARDRAIL_RULES[rule].why}`, waived: true, reason },
    ]);
    expect(checkGuardrails(app).hasErrors).toBe(false);
  });
});

it("stops the synth for an unwaived error, and only for errors", () => {
  const blocking = (rule: RuleId) => {
    const app: App = Testing.app();
    CASES[rule].violate(newStack("serving-dev", app));
    return checkGuardrails(app).hasErrors;
  };
  expect(blocking("storage-public-blob")).toBe(true);
  expect(blocking("storage-shared-key")).toBe(false);
  expect(blocking("endpoint-public")).toBe(false);
});

describe("rule details", () => {
  const only = (stack: TerraformStack, rule: RuleId) => findings(stack, rule).map((f) => f.message.split(". ")[0]);

  it("flags key auth on batch endpoints too", () => {
    const stack = newStack();
    new FakeAzapiResource(stack, "batch", { type: BATCH_ENDPOINT_TYPE, name: "b", body: { properties: { authMode: "key" } } });
    expect(findings(stack, "endpoint-key-auth").map((f) => f.path)).toEqual(["serving-dev/batch"]);
  });

  it("reads an absent setting as the Azure default", () => {
    const endpointWithDefaults = newStackWith(
      (s) =>
        new FakeAzapiResource(s, "endpoint", {
          type: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2025-12-01",
          name: "e",
          identity: { type: "SystemAssigned" },
          body: { properties: { authMode: "AMLToken" } },
        }),
    );
    expect(only(endpointWithDefaults, "endpoint-public")).toEqual(["publicNetworkAccess is not set and defaults to Enabled"]);
    expect(only(newStackWith((s) => storage(s, { sharedAccessKeyEnabled: undefined })), "storage-shared-key")).toEqual([
      "shared_access_key_enabled is not set and defaults to true",
    ]);
    expect(only(newStackWith((s) => storage(s, { allowNestedItemsToBePublic: undefined })), "storage-public-blob")).toEqual([
      "allow_nested_items_to_be_public is not set and defaults to true",
    ]);
    // azurerm 4.x creates accounts with TLS1_2 when min_tls_version is absent.
    expect(only(newStackWith((s) => storage(s, { minTlsVersion: undefined })), "storage-tls")).toEqual([]);
    expect(only(newStackWith((s) => keyVault(s, { purgeProtectionEnabled: undefined })), "keyvault-purge-protection")).toEqual([
      "purge_protection_enabled is not set and defaults to false",
    ]);
    expect(only(newStackWith((s) => workspace(s, { publicNetworkAccessEnabled: undefined })), "workspace-public")).toEqual([
      "public_network_access_enabled is not set and defaults to true",
    ]);
    expect(only(newStackWith((s) => cluster(s, { localAuthEnabled: undefined })), "compute-local-auth")).toEqual([
      "local_auth_enabled is not set and defaults to true",
    ]);
  });

  it("treats identity type None as no identity", () => {
    const stack = newStack();
    compliantEndpoint(stack, "endpoint", { identity: { type: "None" } });
    expect(only(stack, "endpoint-identity")).toEqual(['its identity type is "None"']);
  });

  it("accepts the legacy enable_rbac_authorization flag", () => {
    const stack = newStack();
    keyVault(stack, { rbacAuthorizationEnabled: undefined, enableRbacAuthorization: true });
    expect(only(stack, "keyvault-rbac")).toEqual([]);
  });

  it.each([
    ["Owner", 'role_definition_name is "Owner"'],
    ["contributor", 'role_definition_name is "contributor"'],
    ["User Access Administrator", 'role_definition_name is "User Access Administrator"'],
    ["Role Based Access Control Administrator", 'role_definition_name is "Role Based Access Control Administrator"'],
  ])("flags role %s by name", (role, detail) => {
    const stack = newStack();
    new RoleAssignment(stack, "grant", { scope: WORKSPACE_ID, roleDefinitionName: role, principalId: "p" });
    expect(only(stack, "role-assignment-privileged")).toEqual([detail]);
  });

  it("flags a privileged built-in role given by definition id", () => {
    const stack = newStack();
    new RoleAssignment(stack, "grant", {
      scope: WORKSPACE_ID,
      roleDefinitionId: "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
      principalId: "p",
    });
    expect(only(stack, "role-assignment-privileged")).toEqual(["role_definition_id is the built-in Contributor role"]);
  });

  it("counts an azapi diagnostic setting whose parent is the endpoint", () => {
    const stack = newStack();
    const endpoint = compliantEndpoint(stack);
    new FakeAzapiResource(stack, "diag", {
      type: "Microsoft.Insights/diagnosticSettings@2021-05-01-preview",
      name: "diag",
      parentId: endpoint.id,
      body: { properties: {} },
    });
    expect(findings(stack, "diagnostics-missing")).toEqual([]);
  });

  it("flags only the resources that no diagnostic setting targets", () => {
    const stack = newStack();
    const covered = compliantEndpoint(stack, "endpoint-a", { name: "a" });
    compliantEndpoint(stack, "endpoint-b", { name: "b" });
    new MonitorDiagnosticSetting(stack, "diag-a", { name: "diag", targetResourceId: covered.id });
    expect(findings(stack, "diagnostics-missing").map((f) => f.path)).toEqual(["serving-dev/endpoint-b"]);
  });
});

function newStackWith(build: (stack: TerraformStack) => void): TerraformStack {
  const stack = newStack();
  build(stack);
  return stack;
}
