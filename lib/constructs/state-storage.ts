import { DataAzurermClientConfig } from "@cdktf/provider-azurerm/lib/data-azurerm-client-config";
import { ManagementLock } from "@cdktf/provider-azurerm/lib/management-lock";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { PropsChecker, PropsError } from "./invariants";
import { grantRole } from "./principal";
import { RolePropagation } from "./role-propagation";

/** Redundancy options for the state account; locally redundant storage is left out on purpose. */
export type StateReplication = "ZRS" | "GZRS" | "GRS" | "RAGZRS" | "RAGRS";

/**
 * A management lock on the state account, in the shape Azure Verified Modules use (`lock = { kind, name }`).
 *
 * `CanNotDelete` still lets Terraform update the account. `ReadOnly` also blocks updates and container changes
 * through Azure Resource Manager, so a later apply of this stack fails until the lock is lifted. `None` removes it.
 */
export interface StateStorageLock {
  readonly kind: "CanNotDelete" | "ReadOnly" | "None";
  /**
   * Name of the lock.
   * @default "lock-<kind>"
   */
  readonly name?: string;
}

/** Properties of {@link StateStorage}. */
export interface StateStorageProps {
  /** Resource group the account goes into; it must exist or be created in the same stack. */
  readonly resourceGroupName: string;
  readonly location: string;
  /** Globally unique: 3-24 lowercase letters or digits. */
  readonly storageAccountName: string;
  /** The blob container that holds the state files. */
  readonly containerName: string;
  /**
   * Principals (users, groups, service principals) that run Terraform against this backend; each gets
   * {@link StateStorage.grantStateAccess}.
   * @default []
   */
  readonly deployerPrincipalIds?: readonly string[];
  /**
   * Redundancy of the account. GZRS keeps three copies across availability zones and three more in the paired
   * region, so a zone or a region outage loses no state; state files are tiny, so the extra cost is negligible.
   * Use ZRS where geo-replication is not wanted, or GRS in regions without availability zones.
   * @default "GZRS"
   */
  readonly replication?: StateReplication;
  /**
   * Days that deleted blobs and deleted containers can be restored, 7 to 365.
   * @default 30
   */
  readonly softDeleteDays?: number;
  /**
   * Management lock on the account.
   * @default { kind: "CanNotDelete" }
   */
  readonly lock?: StateStorageLock;
  /**
   * Refuse `terraform destroy` and replacements of the account and the container. Set to false only to delete
   * them on purpose (docs/state-backend.md).
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * Also grant the identity that applies this stack (`object_id` of `azurerm_client_config`) Storage Blob Data
   * Contributor on the container, unless it is one of `deployerPrincipalIds` already. Whoever bootstraps the
   * backend then can use it right away, even if they forgot to list themselves: Owner carries no blob data access.
   * @default true
   */
  readonly grantDeployingIdentity?: boolean;
  /**
   * Seconds to wait after the grants before the stack counts as applied, so the first backend write succeeds.
   * @default 120
   */
  readonly rolePropagationDelaySeconds?: number;
  /**
   * Tags on the account.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The storage account and container that hold Terraform state for the azurerm backend.
 *
 * Entra ID only (shared keys off, so backends must set `use_azuread_auth`), TLS 1.2, no public blobs, blob
 * versioning plus blob and container soft delete, zone- or geo-redundant, a delete lock and `prevent_destroy`.
 * The backend locks state with blob leases, which need no extra resources.
 * @see https://learn.microsoft.com/azure/developer/terraform/store-state-in-azure-storage
 */
export class StateStorage extends Construct {
  readonly account: StorageAccount;
  readonly container: StorageContainer;
  readonly lock?: ManagementLock;
  /**
   * The wait after the grants made from the props: RBAC takes minutes before the backend may read and write. The
   * state stack's outputs depend on it, so `cdktf deploy state-<account>` ends only once the backend is usable.
   */
  readonly accessReady: RolePropagation;

  constructor(scope: Construct, id: string, props: StateStorageProps) {
    super(scope, id);
    const softDeleteDays = props.softDeleteDays ?? 30;
    const name = props.storageAccountName;
    new PropsChecker("StateStorage")
      .wholeNumber("softDeleteDays", softDeleteDays, 7, 365)
      .that(Token.isUnresolved(name) || /^[a-z0-9]{3,24}$/.test(name), "storageAccountName", "must be 3-24 lowercase letters or digits", name)
      .throwIfInvalid();
    const lifecycle = { preventDestroy: props.preventDestroy ?? true };

    this.account = new StorageAccount(this, "account", {
      name: props.storageAccountName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      accountTier: "Standard",
      accountKind: "StorageV2",
      accountReplicationType: props.replication ?? "GZRS",
      minTlsVersion: "TLS1_2",
      httpsTrafficOnlyEnabled: true,
      allowNestedItemsToBePublic: false,
      // The azurerm backend and provider use Entra ID (use_azuread_auth / storage_use_azuread), so keys are not needed.
      sharedAccessKeyEnabled: false,
      defaultToOauthAuthentication: true,
      crossTenantReplicationEnabled: false,
      blobProperties: {
        versioningEnabled: true,
        deleteRetentionPolicy: { days: softDeleteDays },
        containerDeleteRetentionPolicy: { days: softDeleteDays },
      },
      tags: { ...props.tags },
      lifecycle,
    });

    // storage_account_id (not storage_account_name) creates the container through Resource Manager, so its `id` is
    // the ARM id that role assignments take as scope; `resource_manager_id` is deprecated in azurerm 4.x.
    this.container = new StorageContainer(this, "container", {
      name: props.containerName,
      storageAccountId: this.account.id,
      containerAccessType: "private",
      lifecycle,
    });

    const lock = props.lock ?? { kind: "CanNotDelete" };
    if (lock.kind !== "None") {
      this.lock = new ManagementLock(this, "lock", {
        name: lock.name ?? `lock-${lock.kind}`,
        scope: this.account.id,
        lockLevel: lock.kind,
        notes: "Holds the Terraform state of every environment that uses this backend; see docs/state-backend.md before removing.",
      });
    }

    const grants = (props.deployerPrincipalIds ?? []).map((principalId) => this.grantStateAccess(principalId));
    if (props.grantDeployingIdentity ?? true) {
      const client = new DataAzurermClientConfig(this, "client");
      const listed = (props.deployerPrincipalIds ?? []).map((id) => id.toLowerCase());
      grants.push(
        new RoleAssignment(this, "state-access-deploying-identity", {
          scope: this.container.id,
          roleDefinitionName: "Storage Blob Data Contributor",
          principalId: client.objectId,
          // Left out when that identity is listed already: Azure refuses a second identical assignment
          // (RoleAssignmentExists), and which identity applies the stack is only known at plan time.
          count: Token.asNumber(Fn.conditional(Fn.contains(listed, Fn.lower(client.objectId)), 0, 1)),
        }),
      );
    }
    this.accessReady = new RolePropagation(this, "access-propagation", {
      roleAssignments: grants,
      delaySeconds: props.rolePropagationDelaySeconds,
    });
  }

  /**
   * Lets a principal read, write and lease state blobs: role Storage Blob Data Contributor, scope the state container.
   *
   * The assignment is created under this construct with id `state-access-<principalId>`, so adding or removing one
   * principal leaves the others untouched. Granting the same principal twice returns the first assignment.
   * @throws PropsError when `principalId` is a token: the construct id needs the literal value
   */
  grantStateAccess(principalId: string): RoleAssignment {
    if (Token.isUnresolved(principalId)) {
      throw new PropsError("StateStorage", "principalId", "must be a literal object id, not a token", principalId);
    }
    // Deployers may be users, groups or service principals: the type is left for Azure to look up.
    return grantRole(this, `state-access-${principalId.toLowerCase()}`, "Storage Blob Data Contributor", this.container.id, { principalId });
  }
}
