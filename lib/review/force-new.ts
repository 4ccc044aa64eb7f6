/**
 * Attributes whose change makes azurerm destroy and re-create a resource (ForceNew), for the resource types this
 * project uses that hold data, identity or capacity.
 *
 * Source: the resource schemas of hashicorp/terraform-provider-azurerm (main at 69697b7f, August 2026; the project
 * pins azurerm 4.x), read, not copied: `ForceNew: true` fields, `commonschema.Location()` and
 * `commonschema.ResourceGroupName()` (both ForceNew), and the conditional ForceNew of a `CustomizeDiff`:
 * - internal/services/machinelearning/machine_learning_compute_cluster_resource.go
 * - internal/services/machinelearning/machine_learning_workspace_resource.go
 * - internal/services/storage/storage_account_resource.go (ForceNewIfChange on account_replication_type;
 *   d.ForceNew on account_kind and large_file_share_enabled)
 * - internal/services/storage/storage_container_resource.go
 * - internal/services/keyvault/key_vault_resource.go
 * - internal/services/containers/container_registry_resource.go
 * - internal/services/loganalytics/log_analytics_workspace_resource.go
 * - internal/services/applicationinsights/application_insights_resource.go
 * - internal/services/managedidentity/user_assigned_identity_resource.go
 * - internal/services/resource/resource_group_resource.go
 *
 * Left out on purpose: role assignments (every argument is ForceNew, and re-creating the same grant loses nothing),
 * blobs (code blobs are content-addressed and replaced by design), and resources that hold nothing (alerts,
 * autoscale settings, diagnostic settings, action groups, locks). Update this table when the provider is upgraded.
 */

/** Whether changing one attribute from `before` to `after` forces replacement. */
export type ForceNewRule = true | ((before: unknown, after: unknown) => boolean);

/** A resource type's ForceNew attributes, and what its replacement costs. */
export interface ForceNewEntry {
  /** What it is, e.g. "compute cluster". */
  readonly label: string;
  /** What is lost when it is destroyed and created again. */
  readonly loses: string;
  /** Top-level attribute name → when its change forces replacement. */
  readonly attributes: Readonly<Record<string, ForceNewRule>>;
}

const ALWAYS = true;
const PLACED = { name: ALWAYS, location: ALWAYS, resource_group_name: ALWAYS } as const;

const upper = (value: unknown): string => (typeof value === "string" ? value.toUpperCase() : "");
const LOCALLY_REDUNDANT = new Set(["LRS", "GRS", "RAGRS"]);
const ZONE_REDUNDANT = new Set(["ZRS", "GZRS", "RAGZRS"]);

/** azurerm converts between LRS/GRS/RA-GRS, and between ZRS/GZRS/RA-GZRS, in place; across the two groups it replaces. */
function replicationAcrossZones(before: unknown, after: unknown): boolean {
  const [from, to] = [upper(before), upper(after)];
  return (LOCALLY_REDUNDANT.has(from) && ZONE_REDUNDANT.has(to)) || (ZONE_REDUNDANT.has(from) && LOCALLY_REDUNDANT.has(to));
}

/** Only Storage (general-purpose v1) upgrades to StorageV2 in place; an absent account_kind is StorageV2. */
function kindChange(before: unknown, after: unknown): boolean {
  const [from, to] = [before ?? "StorageV2", after ?? "StorageV2"];
  return from !== to && !(from === "Storage" && to === "StorageV2");
}

/** Large file shares can be turned on in place, never off. */
function largeFileSharesOff(before: unknown, after: unknown): boolean {
  return before === true && after !== true;
}

/** By Terraform resource type. */
export const AZURERM_FORCE_NEW: Readonly<Record<string, ForceNewEntry>> = {
  azurerm_machine_learning_compute_cluster: {
    label: "compute cluster",
    loses: "capacity: every node is released and running jobs fail",
    attributes: {
      name: ALWAYS,
      location: ALWAYS,
      machine_learning_workspace_id: ALWAYS,
      vm_size: ALWAYS,
      vm_priority: ALWAYS,
      local_auth_enabled: ALWAYS,
      node_public_ip_enabled: ALWAYS,
      ssh: ALWAYS,
      ssh_public_access_enabled: ALWAYS,
      subnet_resource_id: ALWAYS,
      description: ALWAYS,
    },
  },
  azurerm_machine_learning_workspace: {
    label: "Machine Learning workspace",
    loses: "data: registered models, environments, endpoints and job history",
    attributes: {
      ...PLACED,
      storage_account_id: ALWAYS,
      key_vault_id: ALWAYS,
      application_insights_id: ALWAYS,
      container_registry_id: ALWAYS,
      encryption: ALWAYS,
      high_business_impact: ALWAYS,
      service_side_encryption_enabled: ALWAYS,
    },
  },
  azurerm_storage_account: {
    label: "storage account",
    loses: "data: every blob, queue, table and file share in it",
    attributes: {
      ...PLACED,
      account_tier: ALWAYS,
      account_replication_type: replicationAcrossZones,
      account_kind: kindChange,
      large_file_share_enabled: largeFileSharesOff,
      edge_zone: ALWAYS,
      is_hns_enabled: ALWAYS,
      dns_endpoint_type: ALWAYS,
      infrastructure_encryption_enabled: ALWAYS,
      queue_encryption_key_type: ALWAYS,
      table_encryption_key_type: ALWAYS,
      immutability_policy: ALWAYS,
      provisioned_billing_model_version: ALWAYS,
    },
  },
  azurerm_storage_container: {
    label: "storage container",
    loses: "data: every blob in it",
    attributes: { name: ALWAYS, storage_account_id: ALWAYS, default_encryption_scope: ALWAYS, encryption_scope_override_enabled: ALWAYS },
  },
  azurerm_key_vault: { label: "key vault", loses: "data: its secrets, keys and certificates", attributes: PLACED },
  azurerm_container_registry: {
    label: "container registry",
    loses: "data: every image, including the environment images deployments run",
    attributes: { ...PLACED, zone_redundancy_enabled: ALWAYS },
  },
  azurerm_log_analytics_workspace: { label: "Log Analytics workspace", loses: "data: collected logs", attributes: PLACED },
  azurerm_application_insights: {
    label: "Application Insights",
    loses: "data: collected telemetry; the connection string changes",
    attributes: { ...PLACED, application_type: ALWAYS },
  },
  azurerm_user_assigned_identity: {
    label: "user-assigned identity",
    loses: "identity: a new principal, so every role assignment of the old one stops applying",
    attributes: PLACED,
  },
  azurerm_resource_group: {
    label: "resource group",
    loses: "everything in it",
    attributes: { name: ALWAYS, location: ALWAYS },
  },
};

/** Whether changing `attribute` of a resource of `type` from `before` to `after` makes azurerm replace it. */
export function forcesReplacement(type: string, attribute: string, before: unknown, after: unknown): boolean {
  const rule = AZURERM_FORCE_NEW[type]?.attributes[attribute];
  return rule === true || (typeof rule === "function" && rule(before, after));
}

/**
 * Changes Azure refuses (immutable fields and unsupported transitions), which the review blocks: each kind of rollout
 * finding that Azure would fail at apply, the waiver id that lets it through as a warning, and the Microsoft article
 * (or source) that says so. The ids are the `rollout-*` entries of ROLLOUT_RULE_IDS in lib/guardrails/rule-ids.ts
 * (a test keeps the two equal; the review imports nothing from the app).
 */
export interface RefusedChange {
  /** The waiver id, as written in `waivers[].rule`. */
  readonly rule: string;
  /** Short title, e.g. "Live deployment removed". */
  readonly title: string;
  /** Why Azure refuses it, and what to do instead. */
  readonly why: string;
  /** Where Microsoft (or Terraform) says so. */
  readonly source: string;
}

/** The kinds of rollout finding that are blocked unless waived. */
export type RefusedKind =
  | "immutable-version-changed"
  | "live-deployment-removed"
  | "batch-default-removed"
  | "network-isolation-changed"
  | "network-outbound-changed"
  | "egress-changed";

export const AZURE_REFUSES: Readonly<Record<RefusedKind, RefusedChange>> = {
  "immutable-version-changed": {
    rule: "rollout-version-redefined",
    title: "Changed under the same version",
    why: "model, environment and code versions are immutable: Azure refuses a new definition under an existing version. Give it a new version.",
    source: "https://learn.microsoft.com/azure/machine-learning/concept-azure-machine-learning-v2",
  },
  "live-deployment-removed": {
    rule: "rollout-live-deployment-removed",
    title: "Live deployment removed",
    why:
      "Terraform 1.11 deletes the deployment before it updates the traffic (internal/terraform/transform_destroy_edge.go: an update that " +
      "depended on a destroyed resource waits for the destroy), and Azure refuses to delete a deployment that still takes traffic or mirror " +
      "traffic. Set its traffic and mirror traffic to 0 and apply, then remove it in a second change.",
    source: "https://learn.microsoft.com/azure/machine-learning/how-to-safely-rollout-online-endpoints",
  },
  "batch-default-removed": {
    rule: "rollout-batch-default-removed",
    title: "Batch default deployment removed",
    why:
      "Azure refuses to delete a batch endpoint's default deployment, and Terraform 1.11 deletes it before it updates the endpoint's default. " +
      "Make another deployment the default and apply, then remove this one in a second change.",
    source: "https://learn.microsoft.com/azure/machine-learning/how-to-use-batch-model-deployments",
  },
  "network-isolation-changed": {
    rule: "rollout-network-isolation-changed",
    title: "Network isolation changed",
    why:
      "there is no in-place migration of an existing workspace's computes and online endpoints into or out of a managed network: they must be " +
      "deleted and created again (and Azure never removes a managed network once set). Create a new environment, move callers, then delete the old one.",
    source: "https://learn.microsoft.com/azure/machine-learning/how-to-managed-network",
  },
  "network-outbound-changed": {
    rule: "rollout-network-outbound-changed",
    title: "Managed network outbound mode changed",
    why:
      "Azure refuses to change a provisioned managed network between AllowInternetOutbound and AllowOnlyApprovedOutbound, in either direction. " +
      "Create a new environment with the new mode.",
    source: "https://learn.microsoft.com/azure/machine-learning/how-to-managed-network",
  },
  "egress-changed": {
    rule: "rollout-egress-changed",
    title: "Deployment egress changed",
    why:
      "an online deployment's egressPublicNetworkAccess is fixed when it is created: Azure refuses the update. Add a deployment under a new name " +
      "with the new setting, shift traffic to it, then remove the old one.",
    source: "https://learn.microsoft.com/azure/machine-learning/how-to-secure-online-endpoint",
  },
};
