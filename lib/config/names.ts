import { createHash } from "node:crypto";

/** Names of one environment's resources, derived from project and environment with CAF abbreviations. */
export interface ResourceNames {
  readonly resourceGroup: string;
  readonly logAnalytics: string;
  readonly appInsights: string;
  readonly keyVault: string;
  readonly storageAccount: string;
  readonly containerRegistry: string;
  readonly workspace: string;
  readonly actionGroup: string;
  /** The client virtual network of a private environment. */
  readonly virtualNetwork: string;
}

/**
 * A short stable hash: the same inputs always give the same suffix, so names never churn between synths.
 *
 * @param length hex characters to keep
 */
export function stableHash(input: string, length = 6): string {
  return createHash("sha256").update(input).digest("hex").slice(0, length);
}

/**
 * Derives every resource name of one environment.
 *
 * Globally unique names (storage, key vault, registry) get a 6-character suffix hashed from the state account,
 * project and environment. The state account is itself globally unique, so two organisations that both call
 * their project "churn" still get different names.
 * @see https://learn.microsoft.com/azure/cloud-adoption-framework/ready/azure-best-practices/resource-abbreviations
 */
export function resourceNames(project: string, env: string, stateAccount: string): ResourceNames {
  const suffix = stableHash(`${stateAccount}/${project}/${env}`);
  // Storage and key vault names stop at 24 characters: 2 for the prefix, 6 for the suffix, 16 for the rest.
  const compact = `${project}${env}`.slice(0, 16);
  return {
    resourceGroup: `rg-${project}-${env}`,
    logAnalytics: `log-${project}-${env}`,
    appInsights: `appi-${project}-${env}`,
    keyVault: `kv${compact}${suffix}`,
    storageAccount: `st${compact}${suffix}`,
    containerRegistry: `cr${project}${env}${suffix}`,
    workspace: `mlw-${project}-${env}`,
    actionGroup: `ag-${project}-${env}`,
    virtualNetwork: `vnet-${project}-${env}`,
  };
}
