import type { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { grantRole, type Principal } from "./principal";

/**
 * An Azure ML workspace that endpoints, deployments, assets and batch endpoints are put into: one this stack creates
 * ({@link MlWorkspace}), or one that exists already ({@link ExistingWorkspace}, read with data sources).
 *
 * It says where things go (ids, the default storage) and what to wait for, and grants the roles those things need on
 * its resources. Each `grantXxx()` is idempotent: it creates the assignment under `grantee` with a fixed id, and a
 * second call returns it, because Azure refuses two identical assignments (RoleAssignmentExists).
 */
export abstract class ServingWorkspace extends Construct {
  /** ARM id of the workspace. */
  abstract readonly workspaceId: string;
  /** The workspace's default storage account, created here or read. */
  abstract readonly storageAccount: { readonly id: string; readonly name: string; readonly primaryBlobEndpoint: string };
  /** ARM id of the workspace's container registry. */
  abstract readonly containerRegistryId: string;
  /** The workspace's immutable GUID (`properties.workspaceId`), known after apply (or read). */
  protected abstract readonly workspaceGuid: string;
  /**
   * What must be applied before anything uses the workspace's datastores or storage (asset versions, uploads,
   * deployments, batch endpoints).
   */
  abstract readonly dataPlaneReady: readonly ITerraformDependable[];
  /** What must be applied before compute runs in the workspace (the cluster, online deployments). */
  abstract readonly networkReady: readonly ITerraformDependable[];
  /**
   * Whether the workspace has a managed virtual network: true or false for a workspace this stack creates, undefined
   * when it is not known at synth (an existing workspace).
   */
  abstract readonly hasManagedNetwork: boolean | undefined;
  /** The name of the compute cluster that builds environment images, when this stack makes the registry private. */
  abstract readonly imageBuildComputeName?: string;

  /** ARM id of the workspace's default storage account. */
  get storageAccountId(): string {
    return this.storageAccount.id;
  }

  /** Name of that storage account, as blob uploads address it. */
  get storageAccountName(): string {
    return this.storageAccount.name;
  }

  /** Its blob endpoint, `https://<account>.blob.core.windows.net/`. */
  get primaryBlobEndpoint(): string {
    return this.storageAccount.primaryBlobEndpoint;
  }

  /**
   * Name of the blob container behind the workspace's default datastore (`workspaceblobstore`), which Azure ML
   * creates with the workspace: `azureml-blobstore-<the workspace's immutable GUID>`.
   */
  get defaultContainerName(): string {
    return `azureml-blobstore-${this.workspaceGuid}`;
  }

  /** ARM id of {@link defaultContainerName}, the narrowest scope a role for the default datastore's blobs can have. */
  get defaultContainerId(): string {
    return `${this.storageAccountId}/blobServices/default/containers/${this.defaultContainerName}`;
  }

  /**
   * Lets a principal pull images from the workspace's registry: role AcrPull, scope the container registry.
   *
   * The assignment is created under `grantee` with id `registry-pull`. Online endpoints and the compute cluster pull
   * environment images with it.
   */
  grantRegistryPull(grantee: Construct, principal: Principal): RoleAssignment {
    return grantRole(grantee, "registry-pull", "AcrPull", this.containerRegistryId, principal);
  }

  /**
   * Lets a principal read blobs (models, code): role Storage Blob Data Reader, scope the workspace storage account.
   *
   * The account, because a deployment reads its model and code from wherever they were registered: the upload
   * containers, the default datastore, or another container of the account. The id is `blob-read`.
   */
  grantBlobRead(grantee: Construct, principal: Principal): RoleAssignment {
    return grantRole(grantee, "blob-read", "Storage Blob Data Reader", this.storageAccountId, principal);
  }

  /**
   * Lets a principal read and write blobs (batch inputs and outputs): role Storage Blob Data Contributor, scope the
   * workspace storage account. The id is `blob-write`.
   */
  grantBlobWrite(grantee: Construct, principal: Principal): RoleAssignment {
    return grantRole(grantee, "blob-write", "Storage Blob Data Contributor", this.storageAccountId, principal);
  }

  /**
   * Lets a principal read and write the default datastore's blobs only: role Storage Blob Data Contributor, scope
   * the default datastore's container ({@link defaultContainerId}), not the account.
   *
   * Data collection lands there (`modelDataCollector/...`). The id is `default-container-write`.
   */
  grantDefaultContainerWrite(grantee: Construct, principal: Principal): RoleAssignment {
    return grantRole(grantee, "default-container-write", "Storage Blob Data Contributor", this.defaultContainerId, principal);
  }

  /**
   * Lets a principal send and receive queue messages (Parallel Run's task queue): role Storage Queue Data
   * Contributor, scope the workspace storage account, where Parallel Run names its queues per job. The id is
   * `queue-write`.
   */
  grantQueueWrite(grantee: Construct, principal: Principal): RoleAssignment {
    return grantRole(grantee, "queue-write", "Storage Queue Data Contributor", this.storageAccountId, principal);
  }

  /**
   * Lets a principal read and write table entities (Parallel Run's progress tables): role Storage Table Data
   * Contributor, scope the workspace storage account, where Parallel Run names its tables per job. The id is
   * `table-write`.
   */
  grantTableWrite(grantee: Construct, principal: Principal): RoleAssignment {
    return grantRole(grantee, "table-write", "Storage Table Data Contributor", this.storageAccountId, principal);
  }

  /**
   * Lets a principal send deployment metrics to the workspace: role AzureML Metrics Writer (preview), scope the
   * workspace. The id is `metrics-write`.
   */
  grantMetricsWrite(grantee: Construct, principal: Principal): RoleAssignment {
    return grantRole(grantee, "metrics-write", "AzureML Metrics Writer (preview)", this.workspaceId, principal);
  }
}
