import { ApplicationInsights } from "@cdktf/provider-azurerm/lib/application-insights";
import { ContainerRegistry } from "@cdktf/provider-azurerm/lib/container-registry";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { LogAnalyticsWorkspace } from "@cdktf/provider-azurerm/lib/log-analytics-workspace";
import { MachineLearningWorkspace } from "@cdktf/provider-azurerm/lib/machine-learning-workspace";
import type { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageAccountNetworkRulesA } from "@cdktf/provider-azurerm/lib/storage-account-network-rules";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { AzapiUpdateResource, MlResourceType } from "../azapi";
import type { PrivateDnsZoneIds } from "./client-network";
import { PropsChecker } from "./invariants";
import { ManagedNetwork, type ManagedNetworkIsolationMode } from "./managed-network";
import { grantRole, type Principal } from "./principal";
import { PrivateEndpoint } from "./private-endpoint";

/** Names of the workspace and of each resource it depends on. */
export interface MlWorkspaceNames {
  readonly workspace: string;
  readonly logAnalytics: string;
  readonly appInsights: string;
  readonly keyVault: string;
  readonly storageAccount: string;
  readonly containerRegistry: string;
}

/**
 * Private serving: a managed virtual network for the workspace's computes, private endpoints for callers, and the
 * storage, key vault and registry closed to public networks.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-managed-network
 */
export interface MlWorkspaceNetworkProps {
  /** What the managed network's computes may reach: only approved targets, or the internet as well. */
  readonly isolationMode: ManagedNetworkIsolationMode;
  /**
   * Hosts the computes may reach in AllowOnlyApprovedOutbound mode (FQDN outbound rules), e.g. a package mirror.
   * @default []
   */
  readonly allowedFqdns?: readonly string[];
  /**
   * Public IPv4 addresses or CIDR ranges let through the storage firewall, so that Terraform can upload code from
   * outside the virtual network.
   * @default [] (uploads must come through the blob private endpoint)
   */
  readonly deployerIpRanges?: readonly string[];
  /** The subnet the private endpoints go into, and the private DNS zones they register in. */
  readonly privateEndpoints: { readonly subnetId: string; readonly dnsZoneIds: PrivateDnsZoneIds };
  /**
   * Compute cluster that builds environment images: the registry is private, so Azure ML cannot build on it directly.
   * @default none (image builds fail once the registry is private)
   * @see https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#configure-image-builds
   */
  readonly imageBuildComputeName?: string;
}

/** Properties of {@link MlWorkspace}. */
export interface MlWorkspaceProps {
  readonly resourceGroupName: string;
  readonly location: string;
  /** Entra tenant of the key vault. */
  readonly tenantId: string;
  readonly names: MlWorkspaceNames;
  /**
   * Whether the workspace, key vault and registry accept traffic from public networks.
   * @default true, or false with `network`
   */
  readonly publicNetworkAccess?: boolean;
  /**
   * Network isolation: managed virtual network, private endpoints, firewalls. Without it, everything is reached
   * over public endpoints (subject to `publicNetworkAccess`).
   * @default none (public networking)
   */
  readonly network?: MlWorkspaceNetworkProps;
  /**
   * Retention of the Log Analytics workspace that backs Application Insights and diagnostics.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Redundancy of the workspace's storage account.
   * @default "ZRS"
   */
  readonly storageReplication?: "LRS" | "ZRS" | "GRS" | "GZRS" | "RAGRS" | "RAGZRS";
  /**
   * Container registry tier; Premium is needed for private endpoints and zone redundancy.
   * @default "Standard", or "Premium" with `network`
   */
  readonly registrySku?: "Basic" | "Standard" | "Premium";
  /**
   * Refuse `terraform destroy` and replacements of the stateful resources (workspace, key vault, storage account,
   * registry, Log Analytics). Set to false only to remove one on purpose.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * Let the workspace storage accept account keys, and keep the workspace's system datastores on them.
   *
   * By default the storage refuses shared keys and the workspace reaches it with its managed identity
   * (`systemDatastoresAuthMode: Identity`). Azure ML supports that keyless mode as a preview; set this to true
   * where previews are not allowed. The `storage-shared-key` guardrail then warns.
   * @default false
   * @see https://learn.microsoft.com/azure/machine-learning/how-to-disable-local-auth-storage
   */
  readonly storageSharedKeyAccess?: boolean;
  /**
   * Free-text description shown in Azure ML studio.
   * @default no description
   */
  readonly description?: string;
  /**
   * Tags on every resource this construct creates.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * An Azure Machine Learning workspace with the dependencies it needs: Log Analytics, workspace-based Application
 * Insights, a key vault (RBAC, purge protection), a storage account (TLS 1.2, no shared keys, no public blobs) and
 * a container registry (admin user off).
 *
 * The workspace has a system-assigned identity, and its system datastores use it (not account keys) to reach the
 * storage account, which has shared keys disabled. That keyless mode is an Azure ML preview; `storageSharedKeyAccess`
 * turns it off. Whatever touches the datastores (asset versions, uploads, deployments, batch endpoints) must
 * depend on {@link MlWorkspace.dataPlaneReady}.
 *
 * With `network` it is private: a managed virtual network ({@link ManagedNetwork}) for its computes, private
 * endpoints for the workspace, storage (blob, file), key vault and registry, a storage firewall that denies by
 * default, and the key vault and registry (Premium) closed to public networks. Then `dataPlaneReady` also holds the
 * storage firewall rules and the blob endpoint (the ways uploads get in), and compute in the workspace must depend
 * on {@link MlWorkspace.networkReady}.
 * @see https://learn.microsoft.com/azure/machine-learning/concept-workspace
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-disable-local-auth-storage
 */
export class MlWorkspace extends Construct {
  readonly workspace: MachineLearningWorkspace;
  readonly logAnalytics: LogAnalyticsWorkspace;
  readonly appInsights: ApplicationInsights;
  readonly keyVault: KeyVault;
  readonly storageAccount: StorageAccount;
  readonly containerRegistry: ContainerRegistry;
  /**
   * Switches the workspace's system datastores to identity-based access (azapi; azurerm has no such argument).
   * Absent when `storageSharedKeyAccess` is true.
   */
  readonly datastoreAuth?: AzapiUpdateResource;
  /**
   * What must be applied before anything uses the workspace's datastores or storage: the datastore switch, or
   * nothing when the storage accepts keys.
   */
  readonly dataPlaneReady: readonly ITerraformDependable[];
  /** The managed network's outbound rules and provisioning; absent without `network`. */
  readonly managedNetwork?: ManagedNetwork;
  /** The storage firewall; absent without `network`. */
  readonly storageNetworkRules?: StorageAccountNetworkRulesA;
  /** Private endpoints by sub-resource; empty without `network`. */
  readonly privateEndpoints: { readonly [subresource: string]: PrivateEndpoint };
  /**
   * What must be applied before compute runs in the workspace (the cluster, online deployments): the managed
   * network's provisioning, or nothing without `network`.
   */
  readonly networkReady: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: MlWorkspaceProps) {
    super(scope, id);
    const retention = props.logRetentionDays ?? 30;
    const network = props.network;
    new PropsChecker("MlWorkspace")
      .wholeNumber("logRetentionDays", retention, 30, 730)
      .that(
        !(network && props.publicNetworkAccess === true),
        "publicNetworkAccess",
        "must not be true with network: a private workspace takes no public traffic",
        true,
      )
      .that(
        !(network && props.registrySku !== undefined && props.registrySku !== "Premium"),
        "registrySku",
        "must be Premium with network: only Premium registries take private endpoints",
        props.registrySku,
      )
      .throwIfInvalid();
    const publicAccess = props.publicNetworkAccess ?? !network;
    const sharedKeyAccess = props.storageSharedKeyAccess ?? false;
    const lifecycle = { preventDestroy: props.preventDestroy ?? true };
    const common = { resourceGroupName: props.resourceGroupName, location: props.location, tags: { ...props.tags } };

    this.logAnalytics = new LogAnalyticsWorkspace(this, "log-analytics", {
      ...common,
      name: props.names.logAnalytics,
      sku: "PerGB2018",
      retentionInDays: retention,
      lifecycle,
    });

    this.appInsights = new ApplicationInsights(this, "app-insights", {
      ...common,
      name: props.names.appInsights,
      applicationType: "web",
      workspaceId: this.logAnalytics.id,
    });

    this.keyVault = new KeyVault(this, "key-vault", {
      ...common,
      name: props.names.keyVault,
      tenantId: props.tenantId,
      skuName: "standard",
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: 90,
      publicNetworkAccessEnabled: publicAccess,
      // Private: nothing but the private endpoint and trusted Azure services (the workspace) reach the vault.
      ...(network && { networkAcls: { defaultAction: "Deny", bypass: "AzureServices" } }),
      lifecycle,
    });

    this.storageAccount = new StorageAccount(this, "storage", {
      ...common,
      name: props.names.storageAccount,
      accountTier: "Standard",
      accountKind: "StorageV2",
      accountReplicationType: props.storageReplication ?? "ZRS",
      minTlsVersion: "TLS1_2",
      httpsTrafficOnlyEnabled: true,
      allowNestedItemsToBePublic: false,
      sharedAccessKeyEnabled: sharedKeyAccess,
      defaultToOauthAuthentication: true,
      infrastructureEncryptionEnabled: true,
      blobProperties: {
        versioningEnabled: true,
        deleteRetentionPolicy: { days: 7 },
        containerDeleteRetentionPolicy: { days: 7 },
      },
      lifecycle,
    });

    this.containerRegistry = new ContainerRegistry(this, "registry", {
      ...common,
      name: props.names.containerRegistry,
      sku: props.registrySku ?? (network ? "Premium" : "Standard"),
      adminEnabled: false,
      anonymousPullEnabled: false,
      // Private: images are pushed and pulled through private endpoints (the client subnet's and the managed network's).
      ...(network && { publicNetworkAccessEnabled: false, networkRuleBypassOption: "AzureServices" }),
      lifecycle,
    });

    this.workspace = new MachineLearningWorkspace(this, "workspace", {
      ...common,
      name: props.names.workspace,
      description: props.description,
      applicationInsightsId: this.appInsights.id,
      keyVaultId: this.keyVault.id,
      storageAccountId: this.storageAccount.id,
      containerRegistryId: this.containerRegistry.id,
      identity: { type: "SystemAssigned" },
      publicNetworkAccessEnabled: publicAccess,
      skuName: "Basic",
      v1LegacyModeEnabled: false,
      // Provisioning is left to ManagedNetwork: provision_on_creation_enabled forces a new workspace when changed.
      ...(network && {
        managedNetwork: { isolationMode: network.isolationMode },
        imageBuildComputeName: network.imageBuildComputeName,
      }),
      lifecycle,
    });

    const networkReadyForData: ITerraformDependable[] = [];
    const endpoints: { [subresource: string]: PrivateEndpoint } = {};
    if (network) {
      // The storage firewall: deny by default; let through the deployer's addresses (uploads), Azure's trusted
      // services, and this workspace by its resource id (a resource instance rule), which Azure ML uses to read and
      // write the workspace storage. Public network access stays on, because with it off the firewall's IP rules
      // and exceptions no longer apply; the default Deny is what closes the account to the internet.
      this.storageNetworkRules = new StorageAccountNetworkRulesA(this, "storage-network-rules", {
        storageAccountId: this.storageAccount.id,
        defaultAction: "Deny",
        bypass: ["AzureServices"],
        ipRules: [...(network.deployerIpRanges ?? [])],
        privateLinkAccess: [{ endpointResourceId: this.workspace.id, endpointTenantId: props.tenantId }],
      });
      const zones = network.privateEndpoints.dnsZoneIds;
      const targets = [
        ["amlworkspace", this.workspace.id, props.names.workspace, [zones.workspaceApi, zones.workspaceNotebooks]],
        ["blob", this.storageAccount.id, props.names.storageAccount, [zones.blob]],
        ["file", this.storageAccount.id, props.names.storageAccount, [zones.file]],
        ["vault", this.keyVault.id, props.names.keyVault, [zones.vault]],
        ["registry", this.containerRegistry.id, props.names.containerRegistry, [zones.registry]],
      ] as const;
      for (const [subresource, targetId, targetName, zoneIds] of targets) {
        endpoints[subresource] = new PrivateEndpoint(this, `pe-${subresource}`, {
          ...common,
          name: `pe-${targetName}-${subresource}`,
          subnetId: network.privateEndpoints.subnetId,
          targetId,
          subresource,
          privateDnsZoneIds: zoneIds,
        });
      }
      // Uploads come either through the firewall's IP rules or, from inside the network, through the blob endpoint.
      networkReadyForData.push(this.storageNetworkRules, endpoints.blob.endpoint);
      this.managedNetwork = new ManagedNetwork(this, "managed-network", {
        workspaceId: this.workspace.id,
        isolationMode: network.isolationMode,
        allowedFqdns: network.allowedFqdns,
      });
    }
    this.privateEndpoints = endpoints;
    this.networkReady = this.managedNetwork ? [this.managedNetwork.provisioned] : [];

    if (sharedKeyAccess) {
      this.dataPlaneReady = networkReadyForData;
    } else {
      // The storage account refuses shared keys, so the workspace's own datastores (workspaceblobstore and friends)
      // must reach it with Entra ID instead of the account key they are created with. azurerm cannot create the
      // workspace in that mode (hashicorp/terraform-provider-azurerm#22150), so an update switches it right after
      // creation, before anything else touches the datastores: everything that does depends on dataPlaneReady.
      this.datastoreAuth = new AzapiUpdateResource(this, "datastore-auth", {
        type: MlResourceType.workspace,
        resourceId: this.workspace.id,
        // The SDK and the REST enum spell it "Identity"; the service has returned it lower-case ("identity", as the
        // az ml CLI flag is spelled), which must not read as a change on every plan.
        body: { properties: { systemDatastoresAuthMode: "Identity" } },
        ignoreCasing: true,
      });
      this.dataPlaneReady = [this.datastoreAuth, ...networkReadyForData];
    }
  }

  /**
   * Lets a principal pull images from the workspace's registry: role AcrPull, scope the container registry.
   *
   * The assignment is created under `grantee` with id `registry-pull`; a second call returns it. Online endpoints
   * and the compute cluster pull environment images with it.
   */
  grantRegistryPull(grantee: Construct, principal: Principal): RoleAssignment {
    return grantRole(grantee, "registry-pull", "AcrPull", this.containerRegistry.id, principal);
  }

  /**
   * Lets a principal read blobs (models, code): role Storage Blob Data Reader, scope the workspace storage account.
   *
   * The assignment is created under `grantee` with id `blob-read`; a second call returns it.
   */
  grantBlobRead(grantee: Construct, principal: Principal): RoleAssignment {
    return grantRole(grantee, "blob-read", "Storage Blob Data Reader", this.storageAccount.id, principal);
  }

  /**
   * Lets a principal read and write blobs (uploads, batch outputs): role Storage Blob Data Contributor, scope the
   * workspace storage account.
   *
   * The assignment is created under `grantee` with id `blob-write`; a second call returns it.
   */
  grantBlobWrite(grantee: Construct, principal: Principal): RoleAssignment {
    return grantRole(grantee, "blob-write", "Storage Blob Data Contributor", this.storageAccount.id, principal);
  }

  /**
   * Lets a principal send and receive queue messages (Parallel Run's task queue): role Storage Queue Data
   * Contributor, scope the workspace storage account.
   *
   * The assignment is created under `grantee` with id `queue-write`; a second call returns it.
   */
  grantQueueWrite(grantee: Construct, principal: Principal): RoleAssignment {
    return grantRole(grantee, "queue-write", "Storage Queue Data Contributor", this.storageAccount.id, principal);
  }

  /**
   * Name of the blob container behind the workspace's default datastore (`workspaceblobstore`), which Azure ML
   * creates with the workspace: `azureml-blobstore-<the workspace's immutable GUID>`. Known after apply.
   */
  get defaultContainerName(): string {
    return `azureml-blobstore-${this.workspace.workspaceId}`;
  }

  /** ARM id of {@link defaultContainerName}, the narrowest scope a role for the default datastore's blobs can have. */
  get defaultContainerId(): string {
    return `${this.storageAccount.id}/blobServices/default/containers/${this.defaultContainerName}`;
  }

  /**
   * Lets a principal read and write the default datastore's blobs only: role Storage Blob Data Contributor, scope
   * the default datastore's container ({@link defaultContainerId}), not the account.
   *
   * Data collection lands there (`modelDataCollector/...`), as do uploads made the az ml way (`LocalUpload/...`).
   * The assignment is created under `grantee` with id `default-container-write`; a second call returns it.
   */
  grantDefaultContainerWrite(grantee: Construct, principal: Principal): RoleAssignment {
    return grantRole(grantee, "default-container-write", "Storage Blob Data Contributor", this.defaultContainerId, principal);
  }

  /**
   * Lets a principal read and write table entities (Parallel Run's progress tables): role Storage Table Data
   * Contributor, scope the workspace storage account.
   *
   * The assignment is created under `grantee` with id `table-write`; a second call returns it.
   */
  grantTableWrite(grantee: Construct, principal: Principal): RoleAssignment {
    return grantRole(grantee, "table-write", "Storage Table Data Contributor", this.storageAccount.id, principal);
  }

  /**
   * Lets a principal send deployment metrics to the workspace: role AzureML Metrics Writer (preview), scope the
   * workspace.
   *
   * The assignment is created under `grantee` with id `metrics-write`; a second call returns it.
   */
  grantMetricsWrite(grantee: Construct, principal: Principal): RoleAssignment {
    return grantRole(grantee, "metrics-write", "AzureML Metrics Writer (preview)", this.workspace.id, principal);
  }
}
