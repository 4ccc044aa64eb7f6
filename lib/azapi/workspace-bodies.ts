/**
 * Request body of an Azure Machine Learning workspace (`Microsoft.MachineLearningServices/workspaces`), for azapi.
 *
 * Written from the 2025-12-01 schema (WorkspaceProperties, ManagedNetworkSettings, OutboundRule), keeping only the
 * writable properties this project sends, with the schema's names. Kept apart from ./bodies, which holds the online,
 * batch and asset bodies. As there, `location`, `tags` and `identity` are azapi arguments, not body fields.
 * @see https://learn.microsoft.com/azure/templates/microsoft.machinelearningservices/2025-12-01/workspaces
 */
import type { MlPublicNetworkAccess, MlSkuTier } from "./bodies";

/**
 * How the workspace's system datastores reach its storage account: with the account key, or with the workspace's
 * managed identity. az ml sends the value as the user writes it (`identity`), and the service returns it that way.
 */
export type SystemDatastoresAuthMode = "accessKey" | "identity";

/** What the managed virtual network's computes may reach. */
export type WorkspaceIsolationMode = "AllowOnlyApprovedOutbound" | "AllowInternetOutbound";

/** An outbound rule to a host name (only with AllowOnlyApprovedOutbound; Azure ML runs a managed firewall for it). */
export interface FqdnOutboundRuleBody {
  readonly type: "FQDN";
  /** Rules written by users; Azure adds its own Required and Recommended ones, which are never sent back. */
  readonly category: "UserDefined";
  readonly destination: string;
}

/** An outbound rule that creates a managed private endpoint to a resource's sub-resource (blob, queue, ...). */
export interface PrivateEndpointOutboundRuleBody {
  readonly type: "PrivateEndpoint";
  readonly category: "UserDefined";
  readonly destination: {
    readonly serviceResourceId: string;
    readonly subresourceTarget: string;
    /** Spark jobs are not run here, so the endpoint is not made available to them. */
    readonly sparkEnabled: false;
  };
}

/** One user-defined outbound rule of the managed virtual network. */
export type OutboundRuleBody = FqdnOutboundRuleBody | PrivateEndpointOutboundRuleBody;

/** The managed virtual network, with the user-defined outbound rules by name. */
export interface ManagedNetworkBody {
  readonly isolationMode: WorkspaceIsolationMode;
  /**
   * Every user-defined rule, by rule name. The workspace body carries all of them, so that any later PUT of the
   * workspace restates the whole set; the service-owned Required and Recommended rules are never part of it, as
   * az ml strips them before it updates a workspace.
   */
  readonly outboundRules?: { readonly [name: string]: OutboundRuleBody };
}

/** Properties of a workspace. */
export interface WorkspaceProperties {
  readonly description?: string;
  /** ARM ids of the dependent resources; none of them can change once the workspace exists. */
  readonly applicationInsights: string;
  readonly keyVault: string;
  readonly storageAccount: string;
  readonly containerRegistry: string;
  readonly publicNetworkAccess: MlPublicNetworkAccess;
  /** The v1 (legacy) APIs stay off. */
  readonly v1LegacyMode: false;
  /** @default the service's default, account keys */
  readonly systemDatastoresAuthMode?: SystemDatastoresAuthMode;
  /** @default no managed virtual network */
  readonly managedNetwork?: ManagedNetworkBody;
  /** Name of the compute cluster that builds environment images when the registry is private. */
  readonly imageBuildCompute?: string;
}

/** The body of a workspace. */
export interface WorkspaceBody {
  readonly kind: "Default";
  readonly sku: { readonly name: "Basic"; readonly tier: MlSkuTier };
  readonly properties: WorkspaceProperties;
}
