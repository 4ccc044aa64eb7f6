import { ManagementLock } from "@cdktf/provider-azurerm/lib/management-lock";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { StateStorage, type StateStorageProps } from "../../lib/constructs/state-storage";
import { perFile } from "../helpers/shared";

const PRINCIPAL_A = "11111111-1111-1111-1111-111111111111";
const PRINCIPAL_B = "22222222-2222-2222-2222-222222222222";

function build(overrides: Partial<StateStorageProps> = {}) {
  const stack = new TerraformStack(Testing.app(), "state-sttfstate");
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  const storage = new StateStorage(stack, "state", {
    resourceGroupName: "rg-tfstate",
    location: "westeurope",
    storageAccountName: "sttfstate",
    containerName: "tfstate",
    ...overrides,
  });
  return { stack, storage };
}

function synth(overrides: Partial<StateStorageProps> = {}): string {
  return Testing.synth(build(overrides).stack, true);
}

/** The synthesized blocks of one resource type, by logical id. */
function blocks(json: string, type: string): Record<string, Record<string, unknown>> {
  return (JSON.parse(json).resource?.[type] ?? {}) as Record<string, Record<string, unknown>>;
}

describe("StateStorage account", () => {
  it("accepts Entra ID only, over TLS 1.2, with no public blobs", () => {
    expect(synth()).toHaveResourceWithProperties(StorageAccount, {
      name: "sttfstate",
      resource_group_name: "rg-tfstate",
      location: "westeurope",
      min_tls_version: "TLS1_2",
      allow_nested_items_to_be_public: false,
      shared_access_key_enabled: false,
      default_to_oauth_authentication: true,
      https_traffic_only_enabled: true,
    });
  });

  it("keeps blob versions and soft-deletes blobs and containers for 30 days by default", () => {
    expect(synth()).toHaveResourceWithProperties(StorageAccount, {
      blob_properties: expect.objectContaining({
        versioning_enabled: true,
        delete_retention_policy: { days: 30 },
        container_delete_retention_policy: { days: 30 },
      }),
    });
  });

  it("takes softDeleteDays from 7 to 365", () => {
    expect(synth({ softDeleteDays: 7 })).toHaveResourceWithProperties(StorageAccount, {
      blob_properties: expect.objectContaining({
        delete_retention_policy: { days: 7 },
        container_delete_retention_policy: { days: 7 },
      }),
    });
    expect(() => build({ softDeleteDays: 6 })).toThrow("StateStorage: softDeleteDays: must be a whole number from 7 to 365 (got 6)");
    expect(() => build({ softDeleteDays: 366 })).toThrow("StateStorage: softDeleteDays: must be a whole number from 7 to 365 (got 366)");
  });

  it("is geo- and zone-redundant (GZRS) unless told otherwise", () => {
    expect(synth()).toHaveResourceWithProperties(StorageAccount, { account_replication_type: "GZRS" });
    expect(synth({ replication: "ZRS" })).toHaveResourceWithProperties(StorageAccount, { account_replication_type: "ZRS" });
  });

  it("refuses destroy by default, and allows it only when preventDestroy is false", () => {
    expect(synth()).toHaveResourceWithProperties(StorageAccount, { lifecycle: { prevent_destroy: true } });
    const account = Object.values(blocks(synth({ preventDestroy: false }), "azurerm_storage_account"))[0];
    expect(account["lifecycle"]).toEqual({ prevent_destroy: false });
  });

  it("refuses an account name with anything after 24 valid characters or a valid start", () => {
    expect(() => build({ storageAccountName: "sttfstate-x" })).toThrow('StateStorage: storageAccountName: must be 3-24 lowercase letters or digits (got "sttfstate-x")');
    expect(() => build({ storageAccountName: "x-sttfstate" })).toThrow('StateStorage: storageAccountName: must be 3-24 lowercase letters or digits (got "x-sttfstate")');
  });

  it("tags the account, and explains the lock in its notes", () => {
    const json = synth({ tags: { project: "churn" } });
    expect(Object.values(blocks(json, "azurerm_storage_account"))[0]["tags"]).toEqual({ project: "churn" });
    expect(Object.values(blocks(json, "azurerm_management_lock"))[0]["notes"]).toBe(
      "Holds the Terraform state of every environment that uses this backend; see docs/state-backend.md before removing.",
    );
  });

  it("refuses an invalid account name before Azure does", () => {
    expect(() => build({ storageAccountName: "St-TfState" })).toThrow(
      'StateStorage: storageAccountName: must be 3-24 lowercase letters or digits (got "St-TfState")',
    );
  });
});

describe("StateStorage security settings, one assertion each", () => {
  const defaults = perFile(() => Object.values(blocks(synth(), "azurerm_storage_account"))[0]);
  let account: Record<string, unknown>;
  beforeEach(() => {
    account = defaults();
  });

  it.each<[string, unknown]>([
    ["shared_access_key_enabled", false],
    ["default_to_oauth_authentication", true],
    ["min_tls_version", "TLS1_2"],
    ["https_traffic_only_enabled", true],
    ["allow_nested_items_to_be_public", false],
    ["cross_tenant_replication_enabled", false],
    ["account_tier", "Standard"],
    ["account_kind", "StorageV2"],
    ["account_replication_type", "GZRS"],
  ])("%s = %p", (attribute, expected) => {
    expect(account[attribute]).toEqual(expected);
  });

  it("blob lifecycle: versioning, and 30 days to restore deleted blobs and containers", () => {
    expect(account["blob_properties"]).toEqual({
      versioning_enabled: true,
      delete_retention_policy: { days: 30 },
      container_delete_retention_policy: { days: 30 },
    });
  });
});

describe("StateStorage container", () => {
  it("is private, created through Resource Manager in the account, and protected from destroy", () => {
    const json = synth();
    const [accountId] = Object.keys(blocks(json, "azurerm_storage_account"));
    expect(json).toHaveResourceWithProperties(StorageContainer, {
      name: "tfstate",
      storage_account_id: `\${azurerm_storage_account.${accountId}.id}`,
      container_access_type: "private",
      lifecycle: { prevent_destroy: true },
    });
  });
});

describe("StateStorage lock", () => {
  it("puts a CanNotDelete lock on the account by default", () => {
    const json = synth();
    const [accountId] = Object.keys(blocks(json, "azurerm_storage_account"));
    expect(json).toHaveResourceWithProperties(ManagementLock, {
      name: "lock-CanNotDelete",
      lock_level: "CanNotDelete",
      scope: `\${azurerm_storage_account.${accountId}.id}`,
    });
  });

  it("takes another kind and name, or none", () => {
    expect(synth({ lock: { kind: "ReadOnly", name: "state-readonly" } })).toHaveResourceWithProperties(ManagementLock, {
      name: "state-readonly",
      lock_level: "ReadOnly",
    });
    expect(synth({ lock: { kind: "None" } })).not.toHaveResource(ManagementLock);
  });
});

describe("StateStorage access", () => {
  it("grants each deployer Storage Blob Data Contributor on the container", () => {
    const json = synth({ deployerPrincipalIds: [PRINCIPAL_A, PRINCIPAL_B], grantDeployingIdentity: false });
    const [containerId] = Object.keys(blocks(json, "azurerm_storage_container"));
    const grants = Object.values(blocks(json, "azurerm_role_assignment")).map(({ "//": _, ...attrs }) => attrs);
    expect(grants).toEqual([
      { principal_id: PRINCIPAL_A, role_definition_name: "Storage Blob Data Contributor", scope: `\${azurerm_storage_container.${containerId}.id}` },
      { principal_id: PRINCIPAL_B, role_definition_name: "Storage Blob Data Contributor", scope: `\${azurerm_storage_container.${containerId}.id}` },
    ]);
  });

  it("names each grant after its principal, so removing one principal leaves the others in place", () => {
    const { storage } = build({ deployerPrincipalIds: [PRINCIPAL_A, PRINCIPAL_B] });
    expect(storage.node.children.filter((c) => c instanceof RoleAssignment).map((c) => c.node.id)).toEqual([
      `state-access-${PRINCIPAL_A}`,
      `state-access-${PRINCIPAL_B}`,
      "state-access-deploying-identity",
    ]);
  });

  it("creates no grant without deployers when the deploying identity is not granted either", () => {
    expect(synth({ grantDeployingIdentity: false })).not.toHaveResource(RoleAssignment);
  });

  it("grants the identity that applies the stack, unless it is listed already (a duplicate is RoleAssignmentExists)", () => {
    const json = synth({ deployerPrincipalIds: [PRINCIPAL_A.toUpperCase()] });
    const [containerId] = Object.keys(blocks(json, "azurerm_storage_container"));
    const [clientId] = Object.keys(JSON.parse(json).data.azurerm_client_config);
    const grant = Object.entries(blocks(json, "azurerm_role_assignment")).find(([key]) => key.includes("deploying-identity"))![1];
    expect(grant).toMatchObject({
      principal_id: `\${data.azurerm_client_config.${clientId}.object_id}`,
      role_definition_name: "Storage Blob Data Contributor",
      scope: `\${azurerm_storage_container.${containerId}.id}`,
      count: `\${contains(["${PRINCIPAL_A}"], lower(data.azurerm_client_config.${clientId}.object_id)) ? 0 : 1}`,
    });
  });

  it("compares principal ids without case, and lists none when there are no deployers", () => {
    const json = JSON.parse(synth({ deployerPrincipalIds: ["ABCDEF01-2345-6789-ABCD-EF0123456789"] }));
    const grant = Object.entries(json.resource.azurerm_role_assignment as Record<string, any>).find(([key]) => key.includes("deploying-identity"))![1];
    expect(grant.count).toMatch(/^\$\{contains\(\["abcdef01-2345-6789-abcd-ef0123456789"\], lower\(/);
    const none = JSON.parse(synth());
    expect(Object.values(none.resource.azurerm_role_assignment as Record<string, any>)[0].count).toMatch(/^\$\{contains\(\[\], lower\(/);
  });

  it("waits for every grant to take effect before anything that depends on accessReady", () => {
    const json = JSON.parse(synth({ deployerPrincipalIds: [PRINCIPAL_A] }));
    const grants = Object.keys(json.resource.azurerm_role_assignment).map((key) => `azurerm_role_assignment.${key}`);
    const [sleep] = Object.values(json.resource.time_sleep) as any[];
    expect(sleep.create_duration).toBe("120s");
    expect([...sleep.depends_on].sort()).toEqual(grants.sort());
    // The counted grant has no single id to trigger on; the listed one does.
    expect(Object.values(sleep.triggers)).toEqual([expect.stringMatching(/^\$\{azurerm_role_assignment\.state_state-access-1111/)]);
  });

  it("grants a principal once however often it is asked", () => {
    const { stack, storage } = build({ grantDeployingIdentity: false });
    const first = storage.grantStateAccess(PRINCIPAL_A);
    expect(storage.grantStateAccess(PRINCIPAL_A.toUpperCase())).toBe(first);
    expect(Object.keys(blocks(Testing.synth(stack), "azurerm_role_assignment"))).toHaveLength(1);
  });

  it("keys a grant by the lower-cased principal id, so the case it is given in does not matter", () => {
    const { storage } = build();
    const first = storage.grantStateAccess("ABCDEF01-0000-0000-0000-00000000000A");
    expect(first.node.id).toBe("state-access-abcdef01-0000-0000-0000-00000000000a");
    expect(storage.grantStateAccess("abcdef01-0000-0000-0000-00000000000a")).toBe(first);
  });

  it("refuses a principal id that is a token, since the grant's construct id needs it", () => {
    const { stack, storage } = build();
    const principal = new TerraformVariable(stack, "principal", { type: "string" });
    expect(() => storage.grantStateAccess(principal.stringValue)).toThrow("StateStorage: principalId: must be a literal object id, not a token");
  });
});
