import { ApplicationInsights } from "@cdktf/provider-azurerm/lib/application-insights";
import { ContainerRegistry } from "@cdktf/provider-azurerm/lib/container-registry";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { LogAnalyticsWorkspace } from "@cdktf/provider-azurerm/lib/log-analytics-workspace";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { Testing } from "cdktf";
import { Construct } from "constructs";
import { MlWorkspace } from "../../lib/constructs/ml-workspace";
import { validateSynthesizedAzapiBodies } from "../helpers/azapi-schema";
import { perFile } from "../helpers/shared";
import { newStack, newWorkspace, resourceAt, synthJson, workspaceProps } from "../helpers/stacks";

const props = workspaceProps;

describe("MlWorkspace defaults", () => {
  test("the workspace has a system identity, public access and its four dependencies", () => {
    const stack = newStack();
    newWorkspace(stack);
    const json = synthJson(stack);
    const ws = resourceAt(json, "azapi_resource", "ml/workspace");
    expect(ws).toMatchObject({
      type: "Microsoft.MachineLearningServices/workspaces@2025-12-01",
      name: "mlw-test",
      parent_id: workspaceProps.resourceGroupId,
      location: "westeurope",
      identity: [{ type: "SystemAssigned" }],
      body: {
        kind: "Default",
        properties: expect.objectContaining({
          publicNetworkAccess: "Enabled",
          v1LegacyMode: false,
          applicationInsights: expect.stringMatching(/^\$\{azurerm_application_insights\.ml_app-insights_\w+\.id\}$/),
          keyVault: expect.stringMatching(/^\$\{azurerm_key_vault\.ml_key-vault_\w+\.id\}$/),
          storageAccount: expect.stringMatching(/^\$\{azurerm_storage_account\.ml_storage_\w+\.id\}$/),
          containerRegistry: expect.stringMatching(/^\$\{azurerm_container_registry\.ml_registry_\w+\.id\}$/),
        }),
      },
    });
    expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  });

  test("Application Insights is workspace-based, on the Log Analytics workspace", () => {
    const stack = newStack();
    newWorkspace(stack);
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ApplicationInsights, {
      application_type: "web",
      workspace_id: expect.stringMatching(/^\$\{azurerm_log_analytics_workspace\.ml_log-analytics_\w+\.id\}$/),
    });
    expect(Testing.synth(newStackWithWorkspace())).toHaveResourceWithProperties(LogAnalyticsWorkspace, {
      sku: "PerGB2018",
      retention_in_days: 30,
    });
  });

  test("the key vault uses RBAC and purge protection", () => {
    expect(Testing.synth(newStackWithWorkspace())).toHaveResourceWithProperties(KeyVault, {
      rbac_authorization_enabled: true,
      purge_protection_enabled: true,
      soft_delete_retention_days: 90,
      tenant_id: "00000000-0000-0000-0000-000000000001",
    });
  });

  test("the storage account allows TLS 1.2 only, no public blobs and no shared keys", () => {
    expect(Testing.synth(newStackWithWorkspace())).toHaveResourceWithProperties(StorageAccount, {
      min_tls_version: "TLS1_2",
      allow_nested_items_to_be_public: false,
      shared_access_key_enabled: false,
      https_traffic_only_enabled: true,
      account_replication_type: "ZRS",
      blob_properties: expect.objectContaining({ versioning_enabled: true }),
    });
  });

  test("the container registry has its admin user disabled", () => {
    expect(Testing.synth(newStackWithWorkspace())).toHaveResourceWithProperties(ContainerRegistry, {
      admin_enabled: false,
      anonymous_pull_enabled: false,
      sku: "Standard",
    });
  });

  test.each([
    ["azapi_resource", "ml/workspace"],
    ["azurerm_key_vault", "ml/key-vault"],
    ["azurerm_storage_account", "ml/storage"],
    ["azurerm_container_registry", "ml/registry"],
    ["azurerm_log_analytics_workspace", "ml/log-analytics"],
  ])("%s is protected with prevent_destroy", (type, path) => {
    const json = synthJson(newStackWithWorkspace());
    expect(resourceAt(json, type, path).lifecycle).toEqual({ prevent_destroy: true });
  });
});

describe("MlWorkspace security and Azure contract settings, one assertion each", () => {
  const defaults = perFile(() => synthJson(newStackWithWorkspace()));
  let json: any;
  beforeEach(() => {
    json = defaults();
  });

  test.each<[string, string, string, unknown]>([
    ["azurerm_storage_account", "ml/storage", "shared_access_key_enabled", false],
    ["azurerm_storage_account", "ml/storage", "default_to_oauth_authentication", true],
    ["azurerm_storage_account", "ml/storage", "infrastructure_encryption_enabled", true],
    ["azurerm_storage_account", "ml/storage", "min_tls_version", "TLS1_2"],
    ["azurerm_storage_account", "ml/storage", "https_traffic_only_enabled", true],
    ["azurerm_storage_account", "ml/storage", "allow_nested_items_to_be_public", false],
    ["azurerm_storage_account", "ml/storage", "account_tier", "Standard"],
    ["azurerm_storage_account", "ml/storage", "account_kind", "StorageV2"],
    ["azurerm_storage_account", "ml/storage", "account_replication_type", "ZRS"],
    ["azurerm_key_vault", "ml/key-vault", "rbac_authorization_enabled", true],
    ["azurerm_key_vault", "ml/key-vault", "purge_protection_enabled", true],
    ["azurerm_key_vault", "ml/key-vault", "soft_delete_retention_days", 90],
    ["azurerm_key_vault", "ml/key-vault", "sku_name", "standard"],
    ["azurerm_key_vault", "ml/key-vault", "public_network_access_enabled", true],
    ["azurerm_container_registry", "ml/registry", "admin_enabled", false],
    ["azurerm_container_registry", "ml/registry", "anonymous_pull_enabled", false],
    ["azurerm_container_registry", "ml/registry", "sku", "Standard"],
    ["azurerm_log_analytics_workspace", "ml/log-analytics", "sku", "PerGB2018"],
    ["azurerm_log_analytics_workspace", "ml/log-analytics", "retention_in_days", 30],
    ["azurerm_application_insights", "ml/app-insights", "application_type", "web"],
  ])("%s at %s: %s = %p", (type, path, attribute, expected) => {
    expect(resourceAt(json, type, path)[attribute]).toEqual(expected);
  });

  const workspace = () => resourceAt(json, "azapi_resource", "ml/workspace");

  test.each<[string, unknown]>([
    ["kind", "Default"],
    ["sku", { name: "Basic", tier: "Basic" }],
  ])("workspace body: %s = %p", (key, expected) => {
    expect(workspace().body[key]).toEqual(expected);
  });

  test.each<[string, unknown]>([
    ["v1LegacyMode", false],
    ["publicNetworkAccess", "Enabled"],
    // Born keyless, in the spelling az ml sends (and the service returns): no switch after creation.
    ["systemDatastoresAuthMode", "identity"],
  ])("workspace body: properties.%s = %p", (key, expected) => {
    expect(workspace().body.properties[key]).toEqual(expected);
  });

  test("a public workspace has no managed network and no image build compute", () => {
    expect(workspace().body.properties).not.toHaveProperty("managedNetwork");
    expect(workspace().body.properties).not.toHaveProperty("imageBuildCompute");
  });

  test("the workspace identity is system-assigned", () => {
    expect(workspace().identity).toEqual([{ type: "SystemAssigned" }]);
  });

  test("Azure's re-cased ids and enums do not read as changes", () => {
    expect(workspace().ignore_casing).toBe(true);
  });

  test("the workspace's GUID is exported: it names the default datastore's container", () => {
    expect(workspace().response_export_values).toEqual(["properties.workspaceId"]);
  });

  test("stacks that hold the azurerm workspace move it to azapi in place", () => {
    const address = Object.keys(json.resource.azapi_resource).find((k) => k.startsWith("ml_workspace_"));
    expect(json.moved).toEqual([{ from: `azurerm_machine_learning_workspace.${address}`, to: `azapi_resource.${address}` }]);
  });

  test("nothing patches the workspace after it is created", () => {
    expect(json.resource.azapi_update_resource).toBeUndefined();
  });

  test("blob lifecycle: versioning, and 7 days to restore deleted blobs and containers", () => {
    expect(resourceAt(json, "azurerm_storage_account", "ml/storage").blob_properties).toMatchObject({
      versioning_enabled: true,
      delete_retention_policy: { days: 7 },
      container_delete_retention_policy: { days: 7 },
    });
  });

  test("the CORS rule Azure ML writes on its storage is declared, so the next plan does not remove it", () => {
    expect(resourceAt(json, "azurerm_storage_account", "ml/storage").blob_properties.cors_rule).toEqual([
      {
        allowed_headers: ["*"],
        allowed_methods: ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "POST", "PATCH"],
        allowed_origins: ["https://mlworkspace.azure.ai", "https://ml.azure.com", "https://*.ml.azure.com", "https://ai.azure.com", "https://*.ai.azure.com"],
        exposed_headers: ["*"],
        max_age_in_seconds: 1800,
      },
    ]);
  });

  test("every resource is in the given resource group and region", () => {
    for (const [type, path] of [
      ["azurerm_storage_account", "ml/storage"],
      ["azurerm_key_vault", "ml/key-vault"],
      ["azurerm_container_registry", "ml/registry"],
      ["azurerm_log_analytics_workspace", "ml/log-analytics"],
      ["azurerm_application_insights", "ml/app-insights"],
    ]) {
      expect([type, resourceAt(json, type, path).resource_group_name, resourceAt(json, type, path).location]).toEqual([type, "rg-test", "westeurope"]);
    }
  });

  test("names come from props", () => {
    expect(
      ["azapi_resource", "azurerm_log_analytics_workspace", "azurerm_application_insights", "azurerm_key_vault", "azurerm_storage_account", "azurerm_container_registry"].map(
        (type) => (Object.values(json.resource[type])[0] as any).name,
      ),
    ).toEqual(["mlw-test", "log-test", "appi-test", "kvtest", "sttest", "crtest"]);
  });
});

describe("MlWorkspace datastore access", () => {
  test("keyless: dependents wait for the propagation of the roles Azure grants its identity", () => {
    const stack = newStack();
    const ws = new MlWorkspace(stack, "ml", props);
    const json = synthJson(stack);
    expect(ws.datastoreAccess).toBeDefined();
    expect(ws.dataPlaneReady).toEqual([ws.datastoreAccess!.wait]);
    const wait = resourceAt(json, "time_sleep", "ml/datastore-access/wait");
    expect(wait.depends_on).toEqual([expect.stringMatching(/^azapi_resource\.ml_workspace_\w+$/)]);
    // A replaced workspace is a new identity whose roles must propagate again.
    expect(wait.triggers).toEqual({ granted_by_0: expect.stringMatching(/^\$\{azapi_resource\.ml_workspace_\w+\.id\}$/) });
  });
});

describe("MlWorkspace with shared key access (no keyless preview)", () => {
  const json = () => {
    const stack = newStack();
    const ws = new MlWorkspace(stack, "ml", { ...props, storageSharedKeyAccess: true });
    return { json: synthJson(stack), ws };
  };

  test("the storage accepts account keys and the datastores stay on them: no identity mode, no wait", () => {
    const { json: synthesized, ws } = json();
    expect(resourceAt(synthesized, "azurerm_storage_account", "ml/storage").shared_access_key_enabled).toBe(true);
    expect(resourceAt(synthesized, "azapi_resource", "ml/workspace").body.properties).not.toHaveProperty("systemDatastoresAuthMode");
    expect(synthesized.resource.azapi_update_resource).toBeUndefined();
    expect(synthesized.resource.time_sleep).toBeUndefined();
    expect(ws.datastoreAccess).toBeUndefined();
    expect(ws.dataPlaneReady).toEqual([]);
  });

  test("by default the storage refuses keys", () => {
    const stack = newStack();
    new MlWorkspace(stack, "ml", props);
    expect(resourceAt(synthJson(stack), "azurerm_storage_account", "ml/storage").shared_access_key_enabled).toBe(false);
  });
});

describe("MlWorkspace props", () => {
  test("public network access off reaches the workspace and the key vault", () => {
    const stack = newStack();
    new MlWorkspace(stack, "ml", { ...props, publicNetworkAccess: false });
    const synth = Testing.synth(stack);
    expect(resourceAt(JSON.parse(synth), "azapi_resource", "ml/workspace").body.properties.publicNetworkAccess).toBe("Disabled");
    expect(synth).toHaveResourceWithProperties(KeyVault, { public_network_access_enabled: false });
  });

  test("retention, replication, registry tier, description and tags map through", () => {
    const stack = newStack();
    new MlWorkspace(stack, "ml", {
      ...props,
      logRetentionDays: 90,
      storageReplication: "GZRS",
      registrySku: "Premium",
      description: "churn serving",
      tags: { team: "ml" },
    });
    const synth = Testing.synth(stack);
    expect(synth).toHaveResourceWithProperties(LogAnalyticsWorkspace, { retention_in_days: 90, tags: { team: "ml" } });
    expect(synth).toHaveResourceWithProperties(StorageAccount, { account_replication_type: "GZRS" });
    expect(synth).toHaveResourceWithProperties(ContainerRegistry, { sku: "Premium" });
    expect(resourceAt(JSON.parse(synth), "azapi_resource", "ml/workspace")).toMatchObject({
      body: { properties: expect.objectContaining({ description: "churn serving" }) },
      tags: { team: "ml" },
    });
  });

  test("preventDestroy false removes the protection, to delete a resource on purpose", () => {
    const stack = newStack();
    new MlWorkspace(stack, "ml", { ...props, preventDestroy: false });
    const json = synthJson(stack);
    expect(resourceAt(json, "azurerm_key_vault", "ml/key-vault").lifecycle).toBeUndefined();
    expect(JSON.stringify(json)).not.toContain("prevent_destroy");
  });

  test("log retention outside 30..730 is refused", () => {
    expect(() => new MlWorkspace(newStack(), "ml", { ...props, logRetentionDays: 7 })).toThrow(
      "MlWorkspace: logRetentionDays: must be a whole number from 30 to 730 (got 7)",
    );
  });
});

describe("MlWorkspace grants", () => {
  test.each([
    ["grantRegistryPull", "registry-pull", "AcrPull", /azurerm_container_registry\.ml_registry_\w+\.id/],
    ["grantBlobRead", "blob-read", "Storage Blob Data Reader", /azurerm_storage_account\.ml_storage_\w+\.id/],
    ["grantBlobWrite", "blob-write", "Storage Blob Data Contributor", /azurerm_storage_account\.ml_storage_\w+\.id/],
    ["grantMetricsWrite", "metrics-write", "AzureML Metrics Writer (preview)", /azapi_resource\.ml_workspace_\w+\.id/],
    [
      "grantDefaultContainerWrite",
      "default-container-write",
      "Storage Blob Data Contributor",
      /^\$\{azurerm_storage_account\.ml_storage_\w+\.id\}\/blobServices\/default\/containers\/azureml-blobstore-\$\{azapi_resource\.ml_workspace_\w+\.output\.properties\.workspaceId\}$/,
    ],
  ] as const)("%s assigns %s's role on its scope, under the grantee", (method, id, role, scope) => {
    const stack = newStack();
    const ws = newWorkspace(stack);
    const grantee = new Construct(stack, "grantee");
    ws[method](grantee, { principalId: "11111111-1111-1111-1111-111111111111", principalType: "ServicePrincipal" });
    const assignment = resourceAt(synthJson(stack), "azurerm_role_assignment", `grantee/${id}`);
    expect(assignment).toMatchObject({
      role_definition_name: role,
      principal_id: "11111111-1111-1111-1111-111111111111",
      principal_type: "ServicePrincipal",
      scope: expect.stringMatching(scope),
    });
    expect(Testing.synth(stack)).toHaveResource(RoleAssignment);
  });
});

describe("MlWorkspace grants are idempotent and keep the principal type they are given", () => {
  test.each(["grantRegistryPull", "grantBlobRead", "grantBlobWrite", "grantQueueWrite", "grantTableWrite", "grantMetricsWrite", "grantDefaultContainerWrite"] as const)(
    "%s twice on one grantee is one assignment",
    (method) => {
      const stack = newStack();
      const ws = newWorkspace(stack);
      const grantee = new Construct(stack, "grantee");
      const first = ws[method](grantee, { principalId: "p" });
      expect(ws[method](grantee, { principalId: "p" })).toBe(first);
      expect(Object.keys(synthJson(stack).resource.azurerm_role_assignment)).toHaveLength(1);
    },
  );

  test.each([
    ["grantQueueWrite", "queue-write", "Storage Queue Data Contributor"],
    ["grantTableWrite", "table-write", "Storage Table Data Contributor"],
  ] as const)("%s assigns %s's role (%s) on the workspace storage", (method, id, role) => {
    const stack = newStack();
    newWorkspace(stack)[method](new Construct(stack, "grantee"), { principalId: "p", principalType: "ServicePrincipal" });
    expect(resourceAt(synthJson(stack), "azurerm_role_assignment", `grantee/${id}`)).toEqual({
      role_definition_name: role,
      principal_id: "p",
      principal_type: "ServicePrincipal",
      scope: expect.stringMatching(/^\$\{azurerm_storage_account\.ml_storage_\w+\.id\}$/),
    });
  });

  test("a principal of unknown type (the deployer) is sent without principal_type, for Azure to look up", () => {
    const stack = newStack();
    newWorkspace(stack).grantBlobWrite(new Construct(stack, "grantee"), { principalId: "p" });
    expect(resourceAt(synthJson(stack), "azurerm_role_assignment", "grantee/blob-write")).not.toHaveProperty("principal_type");
  });
});

function newStackWithWorkspace() {
  const stack = newStack();
  newWorkspace(stack);
  return stack;
}
