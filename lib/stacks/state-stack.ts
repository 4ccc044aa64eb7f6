import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { AzurermBackend, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import type { ServingConfig } from "../config/schema";
import { StateStorage } from "../constructs/state-storage";
import { resourceAddress } from "../constructs/terraform-address";

/** The stack name of a state account's bootstrap stack: `state-<storage_account>`. */
export function stateStackName(storageAccount: string): string {
  return `state-${storageAccount}`;
}

/**
 * Where the bootstrap stack keeps its own (local) state, relative to its working directory
 * `cdktf.out/stacks/<stack>`: the project root, so that deleting cdktf.out does not lose it.
 */
export function stateStackLocalStatePath(storageAccount: string): string {
  return `../../../terraform.${stateStackName(storageAccount)}.tfstate`;
}

/** Properties of {@link StateStack}: one state storage account and the environments' needs of it. */
export interface StateStackProps {
  /** `state.storage_account`. */
  readonly storageAccount: string;
  /** `state.resource_group`; the stack creates it. */
  readonly resourceGroup: string;
  /** `state.container`. */
  readonly container: string;
  /** Region of the resource group and the account. */
  readonly location: string;
  /**
   * Subscription to create the account in.
   * @default the azurerm provider's own resolution (ARM_SUBSCRIPTION_ID or the Azure CLI's current subscription)
   */
  readonly subscriptionId?: string;
  /** Principals that get Storage Blob Data Contributor on the container; sorted and without duplicates. */
  readonly deployerPrincipalIds: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  /**
   * Where this stack keeps its own state: a local file (needed for the first deploy, since the account does not
   * exist yet), or the account it created, under the key `state-<storage_account>.tfstate`. Switching to "account"
   * needs a one-time `terraform init -migrate-state` (docs/state-backend.md).
   * @default "local"
   */
  readonly ownState?: "local" | "account";
}

/**
 * Bootstraps the azurerm backend that the serving stacks keep their state in.
 *
 * It cannot use that backend before it exists, so its own state starts local, at {@link stateStackLocalStatePath},
 * and may later move into the account (`ownState: "account"`, docs/state-backend.md). Deploy it first:
 * `npx cdktf deploy state-<storage_account>`.
 */
export class StateStack extends TerraformStack {
  readonly resourceGroup: ResourceGroup;
  readonly storage: StateStorage;

  constructor(scope: Construct, props: StateStackProps) {
    super(scope, stateStackName(props.storageAccount));

    new AzurermProvider(this, "azurerm", {
      features: [{}],
      subscriptionId: props.subscriptionId,
      // Shared keys are off on the account, so data-plane calls must use Entra ID.
      storageUseAzuread: true,
    });

    if (props.ownState === "account") {
      new AzurermBackend(this, {
        resourceGroupName: props.resourceGroup,
        storageAccountName: props.storageAccount,
        containerName: props.container,
        key: `${stateStackName(props.storageAccount)}.tfstate`,
        useAzureadAuth: true,
        subscriptionId: props.subscriptionId,
      });
    } else {
      new LocalBackend(this, { path: stateStackLocalStatePath(props.storageAccount) });
    }

    this.resourceGroup = new ResourceGroup(this, "resource-group", {
      name: props.resourceGroup,
      location: props.location,
      tags: { ...props.tags },
    });

    this.storage = new StateStorage(this, "state", {
      resourceGroupName: this.resourceGroup.name,
      location: props.location,
      storageAccountName: props.storageAccount,
      containerName: props.container,
      deployerPrincipalIds: props.deployerPrincipalIds,
      tags: props.tags,
    });

    const outputs = [
      new TerraformOutput(this, "backend_resource_group_name", { value: this.resourceGroup.name }),
      new TerraformOutput(this, "backend_storage_account_name", { value: this.storage.account.name }),
      new TerraformOutput(this, "backend_container_name", { value: this.storage.container.name }),
      new TerraformOutput(this, "backend_use_azuread_auth", { value: true }),
      new TerraformOutput(this, "backend_config", {
        description: "azurerm backend settings for CI (terraform init -backend-config=...); add key = \"<stack>.tfstate\" per stack",
        value: backendConfig(props),
      }),
    ];
    // The outputs wait for the state access roles to take effect, so that the stack counts as applied only once a
    // serving stack's backend can write its state. Set as an override with the bare address: cdktf renders an
    // output's dependsOn as "${time_sleep.x}", which Terraform refuses there ("A single static variable reference
    // is required", checked with terraform 1.11 validate).
    for (const output of outputs) output.addOverride("depends_on", [resourceAddress(this.storage.accessReady.wait)]);
  }
}

/** The backend settings as HCL attribute lines, for a `*.tfbackend` file or a `backend "azurerm"` block. */
function backendConfig(props: StateStackProps): string {
  const lines: [string, string][] = [
    ["resource_group_name", `"${props.resourceGroup}"`],
    ["storage_account_name", `"${props.storageAccount}"`],
    ["container_name", `"${props.container}"`],
    ["use_azuread_auth", "true"],
    ...(props.subscriptionId !== undefined ? [["subscription_id", `"${props.subscriptionId}"`] as [string, string]] : []),
  ];
  const width = Math.max(...lines.map(([key]) => key.length));
  return lines.map(([key, value]) => `${key.padEnd(width)} = ${value}`).join("\n") + "\n";
}

/** One environment as {@link stateStacksFrom} needs it. */
export interface StateEnvironment {
  readonly name: string;
  readonly config: ServingConfig;
}

/**
 * One {@link StateStackProps} per distinct `state.storage_account`, in account name order.
 *
 * Location, container and tags come from the alphabetically first environment that uses the account, the
 * subscription from whichever of them names one; deployer principals are the union over all of them, lower-cased,
 * de-duplicated and sorted.
 * @throws Error when environments that share an account disagree on its resource group, container or
 * subscription: the config loader is expected to report that first, this is a backstop.
 */
export function stateStacksFrom(environments: readonly StateEnvironment[]): StateStackProps[] {
  const groups = new Map<string, StateEnvironment[]>();
  for (const environment of environments) {
    const account = environment.config.state.storage_account;
    groups.set(account, [...(groups.get(account) ?? []), environment]);
  }
  return [...groups.keys()].sort().map((account) => {
    const group = [...(groups.get(account) ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const first = group[0];
    for (const other of group.slice(1)) {
      const disagreement = (
        [
          ["state.container", first.config.state.container, other.config.state.container],
          ["state.resource_group", first.config.state.resource_group, other.config.state.resource_group],
        ] as const
      ).find(([, a, b]) => a !== b);
      if (disagreement) {
        const [field, a, b] = disagreement;
        throw new Error(`Environments ${first.name} and ${other.name} share state.storage_account ${account} but differ in ${field} (${a} vs ${b})`);
      }
    }
    const subscriptions = [...new Set(group.flatMap((e) => (e.config.subscription_id === undefined ? [] : [e.config.subscription_id.toLowerCase()])))];
    if (subscriptions.length > 1) {
      throw new Error(`Environments sharing state.storage_account ${account} name different subscription_id values (${subscriptions.join(", ")})`);
    }
    const principals = [...new Set(group.flatMap((e) => e.config.state.deployer_principal_ids.map((id) => id.toLowerCase())))].sort();
    return {
      storageAccount: account,
      resourceGroup: first.config.state.resource_group,
      container: first.config.state.container,
      location: first.config.location,
      ...(subscriptions.length === 1 ? { subscriptionId: subscriptions[0] } : {}),
      deployerPrincipalIds: principals,
      tags: { project: first.config.project, "managed-by": "cdktf", ...first.config.tags },
    };
  });
}
