import { ApplicationInsights } from "@cdktf/provider-azurerm/lib/application-insights";
import { ContainerRegistry } from "@cdktf/provider-azurerm/lib/container-registry";
import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { LogAnalyticsWorkspace } from "@cdktf/provider-azurerm/lib/log-analytics-workspace";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageAccountNetworkRulesA } from "@cdktf/provider-azurerm/lib/storage-account-network-rules";
import { TerraformElement, TerraformStack, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { AzapiResource, MlResourceType, type WorkspaceBody } from "../azapi";
import type { PrivateDnsZoneIds } from "./client-network";
import { PropsChecker } from "./invariants";
import { ManagedNetwork, outboundRuleName, outboundRules, type ManagedNetworkIsolationMode, type PrivateEndpointRule } from "./managed-network";
import { PrivateEndpoint } from "./private-endpoint";
import { RolePropagation } from "./role-propagation";
import { ServingWorkspace } from "./serving-workspace";

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
  /**
   * Whether batch endpoints score on the workspace's compute. Their Parallel Run jobs coordinate through the
   * storage's queues and tables, which Azure ML gives the managed network no private endpoint for, so user-defined
   * private endpoint rules to `queue` and `table` are added.
   * @default false
   * @see https://learn.microsoft.com/azure/machine-learning/how-to-managed-network#scenario-use-batch-endpoints
   */
  readonly batchScoring?: boolean;
}

/** Properties of {@link MlWorkspace}. */
export interface MlWorkspaceProps {
  readonly resourceGroupName: string;
  /** ARM id of the same resource group: the workspace's parent (azapi). */
  readonly resourceGroupId: string;
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
   * By default the storage refuses shared keys and the workspace is created with identity-based system datastores
   * (`systemDatastoresAuthMode: identity`). Azure ML supports that keyless mode as a preview; set this to true
   * where previews are not allowed. The `storage-shared-key` guardrail then warns. Changing it on an existing
   * workspace is not supported: the datastore mode is set when the workspace is created.
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
 * The workspace is born keyless: it is created (through azapi, as the Azure Verified Module does; the azurerm
 * bindings used here cannot set it) with identity-based system datastores, so that Azure grants its system-assigned
 * identity access to the storage account, which has shared keys disabled. Nothing ever PUTs the workspace back
 * whole. `storageSharedKeyAccess` keeps account keys instead. Whatever touches the datastores (asset versions,
 * uploads, deployments, batch endpoints) must depend on {@link MlWorkspace.dataPlaneReady}.
 *
 * With `network` it is private: a managed virtual network ({@link ManagedNetwork}) for its computes, whose
 * user-defined outbound rules are part of the workspace body, private endpoints for the workspace, storage (blob,
 * file), key vault and registry, a storage firewall that denies by default, and the key vault and registry
 * (Premium) closed to public networks. Then `dataPlaneReady` also holds the storage firewall rules and the blob
 * endpoint (the ways uploads get in), and compute in the workspace must depend on {@link MlWorkspace.networkReady}.
 * @see https://learn.microsoft.com/azure/machine-learning/concept-workspace
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-disable-local-auth-storage#create-a-new-workspace
 */
export class MlWorkspace extends ServingWorkspace {
  /**
   * The workspace (azapi: azurerm cannot create it with identity-based system datastores). Its `id` and `name`
   * are what other resources reference.
   */
  readonly workspace: AzapiResource;
  readonly logAnalytics: LogAnalyticsWorkspace;
  readonly appInsights: ApplicationInsights;
  readonly keyVault: KeyVault;
  readonly storageAccount: StorageAccount;
  readonly containerRegistry: ContainerRegistry;
  /**
   * The wait after the workspace is created in identity mode, in which Azure grants the workspace identity its
   * storage roles. Absent when `storageSharedKeyAccess` is true.
   */
  readonly datastoreAccess?: RolePropagation;
  /**
   * What must be applied before anything uses the workspace's datastores or storage: the propagation of the
   * workspace identity's storage roles (keyless), and in a private workspace the ways uploads get in.
   */
  readonly dataPlaneReady: readonly ITerraformDependable[];
  /** The managed network's provisioning; absent without `network`. */
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
  /** The name of the compute cluster that builds environment images, when the registry is private. */
  readonly imageBuildComputeName?: string;

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
    // Off means no lifecycle block at all rather than `prevent_destroy = false`: the stack then reads as any other
    // resource's, and a reviewer searching it for prevent_destroy finds nothing left to lift.
    const lifecycle = (props.preventDestroy ?? true) ? { preventDestroy: true } : undefined;
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
        // Azure ML writes these rules on its default storage when it creates the workspace, so that studio can read
        // and upload blobs from the browser. Declared here, or the next plan would remove them (Azure Verified
        // Modules declare the same set "for idempotency").
        corsRule: [
          {
            allowedHeaders: ["*"],
            allowedMethods: ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "POST", "PATCH"],
            allowedOrigins: [...AZURE_ML_STUDIO_ORIGINS],
            exposedHeaders: ["*"],
            maxAgeInSeconds: 1800,
          },
        ],
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

    const rules = network && outboundRules({
      isolationMode: network.isolationMode,
      allowedFqdns: network.allowedFqdns,
      privateEndpoints: storagePrivateEndpointRules(network, this.storageAccount.id),
    });
    const body: WorkspaceBody = {
      kind: "Default",
      sku: { name: "Basic", tier: "Basic" },
      properties: {
        description: props.description,
        applicationInsights: this.appInsights.id,
        keyVault: this.keyVault.id,
        storageAccount: this.storageAccount.id,
        containerRegistry: this.containerRegistry.id,
        publicNetworkAccess: publicAccess ? "Enabled" : "Disabled",
        v1LegacyMode: false,
        // Born keyless: only a workspace created in identity mode gets its identity's storage roles from Azure, and
        // switching it later means PUTting the whole workspace back (with a managed network, the service answers
        // that PUT with 400: it carries the service-owned outbound rules).
        ...(!sharedKeyAccess && { systemDatastoresAuthMode: "identity" as const }),
        // Provisioning is left to ManagedNetwork, after the workspace exists with all its user-defined rules.
        ...(network && {
          managedNetwork: { isolationMode: network.isolationMode, ...(rules && Object.keys(rules).length > 0 && { outboundRules: rules }) },
          imageBuildCompute: network.imageBuildComputeName,
        }),
      },
    };
    this.workspace = new AzapiResource(this, "workspace", {
      type: MlResourceType.workspace,
      name: props.names.workspace,
      parentId: props.resourceGroupId,
      location: props.location,
      identity: { type: "SystemAssigned" },
      body,
      tags: { ...props.tags },
      // The workspace's immutable GUID names its default blob container (see defaultContainerName).
      responseExportValues: ["properties.workspaceId"],
      // Azure returns some ids and enum values in its own casing (Microsoft.insights, "Identity").
      ignoreCasing: true,
      lifecycle,
    });
    // Stacks created before the workspace moved to azapi hold it as azurerm_machine_learning_workspace: the same
    // workspace, adopted in place (azapi accepts a state move from azurerm), not destroyed and re-created. Written as
    // a stack-level `moved` block rather than through `moveFromId()`: with a resource move, cdktf runs
    // `terraform version` for every stack at synth, which fails the synth on a machine without Terraform and
    // costs a process per environment. The JSON is the same.
    TerraformStack.of(this).addOverride("moved", [
      {
        from: `azurerm_machine_learning_workspace.${this.workspace.friendlyUniqueId}`,
        to: `${AzapiResource.tfResourceType}.${this.workspace.friendlyUniqueId}`,
      },
    ]);
    this.imageBuildComputeName = network?.imageBuildComputeName;

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
      this.managedNetwork = new ManagedNetwork(this, "managed-network", { workspaceId: this.workspace.id });
      forgetSeparateFqdnRules(this.managedNetwork, network.allowedFqdns ?? []);
    }
    this.privateEndpoints = endpoints;
    this.networkReady = this.managedNetwork ? [this.managedNetwork.provisioned] : [];

    if (sharedKeyAccess) {
      // Anything that uses the datastores refers to the workspace already; nothing else to wait for.
      this.dataPlaneReady = networkReadyForData;
    } else {
      // Azure grants the workspace identity its storage roles while it creates the workspace; like any grant, they
      // take a while to be honoured, and registering an asset makes Azure ML reach the datastore as that identity.
      this.datastoreAccess = new RolePropagation(this, "datastore-access", { roleAssignments: [], grantedBy: [this.workspace] });
      this.dataPlaneReady = [this.datastoreAccess.wait, ...networkReadyForData];
    }
  }

  /** ARM id of the workspace. */
  get workspaceId(): string {
    return this.workspace.id;
  }

  get containerRegistryId(): string {
    return this.containerRegistry.id;
  }

  protected get workspaceGuid(): string {
    return this.workspace.outputValue(["properties", "workspaceId"]);
  }

  get hasManagedNetwork(): boolean {
    return this.managedNetwork !== undefined;
  }
}

/** The origins of Azure ML studio, which Azure ML lets read the default storage from the browser (CORS). */
export const AZURE_ML_STUDIO_ORIGINS = [
  "https://mlworkspace.azure.ai",
  "https://ml.azure.com",
  "https://*.ml.azure.com",
  "https://ai.azure.com",
  "https://*.ai.azure.com",
] as const;

/**
 * The user-defined private endpoints from the managed network to the workspace storage.
 *
 * - `queue` and `table` with batch scoring: Parallel Run jobs coordinate through them, and Azure ML creates managed
 *   private endpoints only for blob and file (how-to-managed-network.md, "Scenario: Use batch endpoints").
 * - `blob` and `file` with AllowInternetOutbound: the storage keeps public network access (behind a Deny firewall),
 *   and in that mode Azure creates no managed private endpoint to a storage account that is publicly reachable, so
 *   the computes would be refused by the firewall.
 */
function storagePrivateEndpointRules(network: MlWorkspaceNetworkProps, storageId: string): PrivateEndpointRule[] {
  const subresources = [
    ...(network.isolationMode === "AllowInternetOutbound" ? ["blob", "file"] : []),
    ...(network.batchScoring ? ["queue", "table"] : []),
  ];
  return subresources.map((subresource) => ({ name: `storage-${subresource}`, targetId: storageId, subresource }));
}

/**
 * `removed` blocks (destroy = false) for the azurerm FQDN outbound rules that earlier versions created beside the
 * workspace: the rules now travel in the workspace body, so Terraform must forget those resources rather than
 * delete the rules from Azure. A block whose resource is not in the state does nothing.
 */
function forgetSeparateFqdnRules(scope: Construct, fqdns: readonly string[]): void {
  if (fqdns.length === 0) return;
  const stack = TerraformStack.of(scope);
  // The logical id an earlier rule resource had at <managed network>/<rule name>; the element itself renders nothing.
  const removed = fqdns.map((fqdn) => {
    const former = new TerraformElement(scope, outboundRuleName(fqdn));
    return { from: `azurerm_machine_learning_workspace_network_outbound_rule_fqdn.${stack.getLogicalId(former)}`, lifecycle: { destroy: false } };
  });
  stack.addOverride("removed", removed);
}
