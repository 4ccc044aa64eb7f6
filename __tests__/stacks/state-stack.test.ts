import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { Testing } from "cdktf";
import { configSchema, type ServingConfig } from "../../lib/config/schema";
import { checkGuardrails } from "../../lib/guardrails";
import { StateStack, stateStackName, stateStacksFrom, type StateStackProps } from "../../lib/stacks/state-stack";

const PRINCIPAL_A = "aaaaaaaa-0000-0000-0000-000000000001";
const PRINCIPAL_B = "bbbbbbbb-0000-0000-0000-000000000002";
const SUBSCRIPTION = "00000000-0000-0000-0000-00000000abcd";

const PROPS: StateStackProps = {
  storageAccount: "sttfstate",
  resourceGroup: "rg-tfstate",
  container: "tfstate",
  location: "westeurope",
  subscriptionId: SUBSCRIPTION,
  deployerPrincipalIds: [PRINCIPAL_A, PRINCIPAL_B],
  tags: { project: "churn", "managed-by": "cdktf" },
};

function synthJson(props: StateStackProps = PROPS) {
  return JSON.parse(Testing.synth(new StateStack(Testing.app(), props), true));
}

describe("StateStack", () => {
  it("is named state-<storage_account>", () => {
    expect(stateStackName("sttfstate")).toBe("state-sttfstate");
    expect(new StateStack(Testing.app(), PROPS).node.id).toBe("state-sttfstate");
  });

  it("keeps its own state in a local file at the project root, next to cdktf.json", () => {
    expect(synthJson().terraform.backend).toEqual({ local: { path: "../../../terraform.state-sttfstate.tfstate" } });
  });

  it("can keep its own state in the account it created, under its own key", () => {
    expect(synthJson({ ...PROPS, ownState: "account" }).terraform.backend).toEqual({
      azurerm: {
        resource_group_name: "rg-tfstate",
        storage_account_name: "sttfstate",
        container_name: "tfstate",
        key: "state-sttfstate.tfstate",
        use_azuread_auth: true,
        subscription_id: SUBSCRIPTION,
      },
    });
  });

  it("configures azurerm to reach storage with Entra ID in the given subscription", () => {
    expect(synthJson().provider.azurerm).toEqual([{ features: [{}], storage_use_azuread: true, subscription_id: SUBSCRIPTION }]);
  });

  it("creates the state resource group with the tags", () => {
    expect(Testing.synth(new StateStack(Testing.app(), PROPS))).toHaveResourceWithProperties(ResourceGroup, {
      name: "rg-tfstate",
      location: "westeurope",
      tags: { project: "churn", "managed-by": "cdktf" },
    });
  });

  it("creates the protected, Entra-only account in that group, and the container", () => {
    const json = synthJson();
    expect(JSON.stringify(json)).toHaveResourceWithProperties(StorageAccount, {
      name: "sttfstate",
      resource_group_name: "${azurerm_resource_group.resource-group.name}",
      account_replication_type: "GZRS",
      shared_access_key_enabled: false,
      min_tls_version: "TLS1_2",
      allow_nested_items_to_be_public: false,
      lifecycle: { prevent_destroy: true },
      blob_properties: expect.objectContaining({ versioning_enabled: true }),
    });
    expect(JSON.stringify(json)).toHaveResourceWithProperties(StorageContainer, { name: "tfstate" });
  });

  it("keeps its Terraform addresses: a renamed construct id would replace the state account", () => {
    const resources = synthJson({ ...PROPS, deployerPrincipalIds: [PRINCIPAL_A] }).resource as Record<string, Record<string, unknown>>;
    const addresses = Object.entries(resources).flatMap(([type, byId]) => Object.keys(byId).map((id) => `${type}.${id}`));
    expect(addresses.sort()).toEqual([
      "azurerm_management_lock.state_lock_AA27A15E",
      "azurerm_resource_group.resource-group",
      `azurerm_role_assignment.state_state-access-${PRINCIPAL_A}_678BEFC7`,
      "azurerm_role_assignment.state_state-access-deploying-identity_CF53D39D",
      "azurerm_storage_account.state_account_58633B45",
      "azurerm_storage_container.state_container_1883D0F8",
      "time_sleep.state_access-propagation_wait_0927E6D1",
    ]);
  });

  it("grants every deployer Storage Blob Data Contributor on the container", () => {
    const grants = Object.values(synthJson().resource.azurerm_role_assignment as Record<string, Record<string, string>>);
    expect(grants.map((g) => [g.principal_id, g.role_definition_name, g.scope])).toEqual([
      [PRINCIPAL_A, "Storage Blob Data Contributor", "${azurerm_storage_container.state_container_1883D0F8.id}"],
      [PRINCIPAL_B, "Storage Blob Data Contributor", "${azurerm_storage_container.state_container_1883D0F8.id}"],
      // Whoever bootstraps the backend can use it at once, listed or not.
      ["${data.azurerm_client_config.state_client_5AFD90EA.object_id}", "Storage Blob Data Contributor", "${azurerm_storage_container.state_container_1883D0F8.id}"],
    ]);
  });

  it("outputs the backend settings to paste into CI", () => {
    const output = synthJson().output;
    // Each waits for the state access roles, by bare address: Terraform refuses "${...}" in an output's depends_on.
    const ready = { depends_on: ["time_sleep.state_access-propagation_wait_0927E6D1"] };
    expect(output.backend_resource_group_name).toEqual({ value: "${azurerm_resource_group.resource-group.name}", ...ready });
    expect(output.backend_storage_account_name).toEqual({ value: "${azurerm_storage_account.state_account_58633B45.name}", ...ready });
    expect(output.backend_container_name).toEqual({ value: "${azurerm_storage_container.state_container_1883D0F8.name}", ...ready });
    expect(output.backend_use_azuread_auth).toEqual({ value: true, ...ready });
    expect(output.backend_config.depends_on).toEqual(ready.depends_on);
    expect(output.backend_config.value).toBe(
      [
        'resource_group_name  = "rg-tfstate"',
        'storage_account_name = "sttfstate"',
        'container_name       = "tfstate"',
        "use_azuread_auth     = true",
        `subscription_id      = "${SUBSCRIPTION}"`,
        "",
      ].join("\n"),
    );
  });

  it("leaves subscription_id out of the provider and backend settings when none is given", () => {
    const json = synthJson({ ...PROPS, subscriptionId: undefined });
    expect(json.provider.azurerm).toEqual([{ features: [{}], storage_use_azuread: true }]);
    expect(json.output.backend_config.value).not.toContain("subscription_id");
  });

  it("passes every guardrail", () => {
    const app = Testing.app();
    new StateStack(app, PROPS);
    expect(checkGuardrails(app)).toEqual({
      stacks: [{ stack: "state-sttfstate", findings: [], waivers: [] }],
      hasErrors: false,
    });
  });

  it("synthesizes with validations and a local backend", () => {
    const stack = new StateStack(Testing.app(), PROPS);
    const outdir = Testing.fullSynth(stack);
    const json = JSON.parse(readFileSync(join(outdir, "stacks", "state-sttfstate", "cdk.tf.json"), "utf8"));
    expect(json["//"].metadata.backend).toBe("local");
  });
});

function environment(name: string, overrides: Record<string, unknown> = {}, state: Record<string, unknown> = {}) {
  const config: ServingConfig = configSchema.parse({
    project: "churn",
    location: "westeurope",
    tags: { team: name },
    state: { resource_group: "rg-tfstate", storage_account: "sttfstate", ...state },
    compute: { name: "cpu-cluster", vm_size: "STANDARD_D2_V2", max_nodes: 2 },
    ...overrides,
  });
  return { name, config };
}

describe("stateStacksFrom", () => {
  it("makes one stack per storage account, in account order, from the alphabetically first environment", () => {
    const props = stateStacksFrom([
      environment("test", { location: "northeurope" }, { deployer_principal_ids: [PRINCIPAL_B.toUpperCase(), PRINCIPAL_A] }),
      environment("prod", { location: "swedencentral", subscription_id: SUBSCRIPTION }, { storage_account: "stprodstate", resource_group: "rg-prod-state", container: "state" }),
      environment("dev", {}, { deployer_principal_ids: [PRINCIPAL_B] }),
    ]);
    expect(props).toEqual([
      {
        storageAccount: "stprodstate",
        resourceGroup: "rg-prod-state",
        container: "state",
        location: "swedencentral",
        subscriptionId: SUBSCRIPTION,
        deployerPrincipalIds: [],
        tags: { project: "churn", "managed-by": "cdktf", team: "prod" },
      },
      {
        storageAccount: "sttfstate",
        resourceGroup: "rg-tfstate",
        container: "tfstate",
        location: "westeurope",
        deployerPrincipalIds: [PRINCIPAL_A, PRINCIPAL_B],
        tags: { project: "churn", "managed-by": "cdktf", team: "dev" },
      },
    ]);
  });

  it("refuses environments that share an account but not its container", () => {
    expect(() => stateStacksFrom([environment("dev"), environment("test", {}, { container: "other" })])).toThrow(
      "Environments dev and test share state.storage_account sttfstate but differ in state.container (tfstate vs other)",
    );
  });

  it("takes the subscription from whichever environment names one, and refuses two different ones", () => {
    const [props] = stateStacksFrom([environment("dev"), environment("prod", { subscription_id: SUBSCRIPTION })]);
    expect(props.subscriptionId).toBe(SUBSCRIPTION);
    const other = "00000000-0000-0000-0000-00000000ffff";
    expect(() =>
      stateStacksFrom([environment("dev", { subscription_id: other }), environment("prod", { subscription_id: SUBSCRIPTION })]),
    ).toThrow(`Environments sharing state.storage_account sttfstate name different subscription_id values (${other}, ${SUBSCRIPTION})`);
  });

  it("returns nothing for no environments", () => {
    expect(stateStacksFrom([])).toEqual([]);
  });
});
