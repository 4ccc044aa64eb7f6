/**
 * Actions on Azure Machine Learning workspaces, for `azapi_resource_action`, and their request bodies.
 *
 * Written from the 2025-12-01 schema (its ResourceFunctionType entries; schemas/ vendors the ones used here),
 * with the schema's property names. Kept apart from ./bodies, which holds resource bodies.
 * @see https://learn.microsoft.com/rest/api/azureml/managed-network-provisions/provision-managed-network
 */

/** Names of the workspace actions we call, as the last segment of the request path. */
export const MlWorkspaceAction = {
  /** Creates the workspace's managed virtual network and its required private endpoints now, not on first compute. */
  provisionManagedNetwork: "provisionManagedNetwork",
} as const;

/**
 * Body of the `provisionManagedNetwork` action (ManagedNetworkProvisionOptions).
 *
 * @see https://learn.microsoft.com/rest/api/azureml/managed-network-provisions/provision-managed-network#managednetworkprovisionoptions
 */
export interface ManagedNetworkProvisionOptions {
  /**
   * Also provision what serverless Spark jobs need in the managed network.
   *
   * @default false (the service's default)
   */
  readonly includeSpark?: boolean;
}
