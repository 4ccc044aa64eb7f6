import type { RuleId } from "./rule-ids";

/** How a finding affects the synth: an unwaived error stops it, a warning is reported and recorded. */
export type GuardrailSeverity = "error" | "warning";

/** What a rule stands for, as shown in messages and in docs/guardrails.md. */
export interface GuardrailRule {
  readonly id: RuleId;
  readonly severity: GuardrailSeverity;
  /** One line: what the rule checks. */
  readonly description: string;
  /** Why the rule exists: the risk that a finding carries. */
  readonly why: string;
  /** How to comply, in config terms where the app sets the value. */
  readonly fix: string;
}

/**
 * Every guardrail rule, in the order of `RULE_IDS`.
 *
 * Texts are written for the reader of a failed synth: `why` names the risk, `fix` names the setting.
 */
export const GUARDRAIL_RULES: { readonly [id in RuleId]: GuardrailRule } = {
  "endpoint-key-auth": {
    id: "endpoint-key-auth",
    severity: "error",
    description: "Online and batch endpoints must not use key authentication (authMode Key).",
    why:
      "Endpoint keys are long-lived shared secrets: whoever holds one can call the endpoint until the key is regenerated, " +
      "and the calls cannot be traced to an identity. AMLToken and AADToken hand out short-lived tokens to Entra identities.",
    fix: "Set endpoint.auth_mode to aml_token or aad_token (authMode AMLToken or AADToken).",
  },
  "endpoint-public": {
    id: "endpoint-public",
    severity: "warning",
    description: "Online endpoints should not accept scoring requests from public networks.",
    why:
      "A public scoring URI is reachable from the whole internet, so the auth token is the only barrier. " +
      "With publicNetworkAccess Disabled, clients reach the endpoint through the workspace's private endpoint.",
    fix: "Set endpoint.public_network_access: false (publicNetworkAccess Disabled) and call it through a private endpoint.",
  },
  "endpoint-identity": {
    id: "endpoint-identity",
    severity: "error",
    description: "Online endpoints must have a managed identity (system- or user-assigned).",
    why:
      "The endpoint identity is what its deployments use to pull the image and read the model through Entra ID role " +
      "assignments. Declaring it, and granting it just AcrPull and Storage Blob Data Reader, keeps that access explicit and " +
      "reviewable instead of resting on keys, secrets or defaults.",
    fix: "Give the endpoint an identity block of type SystemAssigned or UserAssigned and grant it AcrPull and Storage Blob Data Reader.",
  },
  "single-instance-live": {
    id: "single-instance-live",
    severity: "warning",
    description:
      "Online deployments that take live traffic should run at least 2 instances, and at least 3 in a production-like " +
      "environment (named prod, prd, production or live, optionally followed by more letters or digits).",
    why:
      "One instance is a single point of failure: a node fault, an OS upgrade or a restart takes that deployment's share " +
      "of traffic down, and a new instance takes 12 to 18 minutes to serve. Microsoft recommends at least 3 instances for production.",
    fix:
      "Set instance_count (or autoscale.min_instances, and every schedule's min_instances) to 3 or more for each deployment " +
      "whose traffic is above 0.",
  },
  "deployment-egress-public": {
    id: "deployment-egress-public",
    severity: "warning",
    description: "Online deployments should not have public outbound network access.",
    why:
      "With public egress, scoring code and every package it loads can send request data anywhere on the internet. " +
      "Disabling it confines outbound traffic to the workspace's private endpoints.",
    fix:
      "Set egress_public_network_access: false on the deployment (egressPublicNetworkAccess Disabled); " +
      "the workspace's storage, registry and key vault must then be reachable privately.",
  },
  "workspace-public": {
    id: "workspace-public",
    severity: "warning",
    description: "The Azure ML workspace should not be reachable from public networks.",
    why:
      "A public workspace exposes its APIs, studio and data access to the whole internet, leaving identity as the only barrier.",
    fix: "Set workspace.public_network_access: false (public_network_access_enabled = false) and use a private endpoint.",
  },
  "workspace-identity": {
    id: "workspace-identity",
    severity: "error",
    description: "The Azure ML workspace must have a managed identity.",
    why:
      "The workspace identity is how the workspace reaches its storage account, key vault and registry with Entra ID " +
      "role assignments instead of stored keys.",
    fix: 'Set identity { type = "SystemAssigned" } (or a user-assigned identity) on the workspace.',
  },
  "storage-shared-key": {
    id: "storage-shared-key",
    // A warning, not an error: keyless workspace storage is an Azure ML preview, and teams that cannot run previews
    // opt back into account keys on purpose (workspace.storage_shared_key_access).
    severity: "warning",
    description: "Storage accounts should not allow shared key authorization.",
    why:
      "Account keys give full access to all data, do not expire and are not tied to an identity. With shared keys off, " +
      "every request is authorized by Entra ID and Azure RBAC and logged with its caller.",
    fix:
      "Leave workspace.storage_shared_key_access at false (shared_access_key_enabled = false, with storage_use_azuread = true " +
      "on the azurerm provider), once your organisation accepts Azure ML's keyless-storage preview.",
  },
  "storage-public-blob": {
    id: "storage-public-blob",
    severity: "error",
    description: "Storage accounts must not allow anonymous public access to blobs.",
    why: "While nested items may be public, a single container access-level change exposes its blobs to anonymous readers.",
    fix: "Set allow_nested_items_to_be_public = false.",
  },
  "storage-tls": {
    id: "storage-tls",
    severity: "error",
    description: "Storage accounts must require TLS 1.2 or later.",
    why: "TLS 1.0 and 1.1 have known weaknesses and are being retired by Azure Storage.",
    fix: 'Set min_tls_version = "TLS1_2" (or "TLS1_3").',
  },
  "keyvault-purge-protection": {
    id: "keyvault-purge-protection",
    severity: "error",
    description: "Key vaults must have purge protection enabled.",
    why:
      "Without purge protection a deleted vault or secret can be purged at once, by mistake or by an attacker, " +
      "and the workspace's secrets and keys are gone for good.",
    fix: "Set purge_protection_enabled = true (it cannot be turned off again).",
  },
  "keyvault-rbac": {
    id: "keyvault-rbac",
    severity: "error",
    description: "Key vaults must use Azure RBAC for data access, not access policies.",
    why:
      "Access policies are a permission model outside Azure RBAC: they cannot be granted just in time through PIM or " +
      "reviewed with your other role assignments, and anyone who may change the vault (Contributor) can grant themselves its secrets.",
    fix: "Set rbac_authorization_enabled = true (enable_rbac_authorization on older azurerm) and grant Key Vault data roles.",
  },
  "registry-admin-user": {
    id: "registry-admin-user",
    severity: "error",
    description: "Container registries must not enable the admin user.",
    why:
      "The admin user is one shared username and password with push and pull rights on every repository; it cannot " +
      "be scoped or traced to a person or workload.",
    fix: "Set admin_enabled = false and grant AcrPull or AcrPush to identities.",
  },
  "compute-ssh": {
    id: "compute-ssh",
    severity: "error",
    description: "Compute clusters must not open SSH to public networks.",
    why: "A public SSH port on every node invites brute-force attempts and bypasses Azure ML's identity-based access.",
    fix: "Set ssh_public_access_enabled = false.",
  },
  "compute-local-auth": {
    id: "compute-local-auth",
    severity: "warning",
    description: "Compute should not allow local (key-based) authentication.",
    why: "Local authentication accepts keys instead of Entra ID, so access cannot be scoped or audited per identity.",
    fix: "Set local_auth_enabled = false.",
  },
  "role-assignment-privileged": {
    id: "role-assignment-privileged",
    severity: "error",
    description:
      "Role assignments must not grant Owner, Contributor, User Access Administrator or Role Based Access Control Administrator.",
    why:
      "These roles control all resources or all access in their scope. Serving needs narrow data roles (AcrPull, " +
      "Storage Blob Data Reader, ...); a broad grant made by infrastructure code is easy to miss in review and easy to abuse.",
    fix: "Assign the least-privileged built-in role that covers the need, at the narrowest scope.",
  },
  "diagnostics-missing": {
    id: "diagnostics-missing",
    severity: "warning",
    description: "Online endpoints and ML workspaces should have a diagnostic setting.",
    why:
      "Without a diagnostic setting their audit and traffic logs are not kept, so incidents and misuse cannot be " +
      "investigated afterwards.",
    fix: "Add an azurerm_monitor_diagnostic_setting whose target_resource_id is the resource's id, sending to Log Analytics.",
  },
  "storage-firewall-open": {
    id: "storage-firewall-open",
    severity: "error",
    description: "Storage accounts behind a private endpoint must deny public networks by default.",
    why:
      "A private endpoint adds a private path; it does not close the public one. While the storage firewall's default " +
      "action is Allow, models, code and batch data stay reachable from the whole internet, and the private setup only looks private.",
    fix:
      "Use network.isolation: private, which adds the storage firewall (azurerm_storage_account_network_rules with " +
      'default_action = "Deny"); let CI in with network.deployer_ip_ranges.',
  },
  "registry-private-sku": {
    id: "registry-private-sku",
    severity: "error",
    description: "Container registries behind a private endpoint must use the Premium SKU.",
    why:
      "Only Premium registries accept private endpoints and network rules. A Basic or Standard registry fails at apply " +
      "time, or stays public, and then images are pulled over the internet in an environment meant to be private.",
    fix: 'Set sku = "Premium" on the registry (network.isolation: private does).',
  },
  "private-target-public": {
    id: "private-target-public",
    severity: "warning",
    description: "Key vaults and container registries behind a private endpoint should not accept public traffic.",
    why:
      "With public network access on, the private endpoint is a second door, not the only one: secrets and images stay " +
      "reachable from public networks, guarded by identity alone.",
    fix: "Set public_network_access_enabled = false on the key vault and the registry (network.isolation: private does).",
  },
  "compute-node-public-ip": {
    id: "compute-node-public-ip",
    severity: "warning",
    description: "Compute clusters in a workspace with a managed virtual network should not give nodes public IP addresses.",
    why:
      "Nodes with public IPs take inbound traffic from the internet beside the managed network, which defeats the " +
      "network isolation the workspace was given.",
    fix: "Set node_public_ip_enabled = false on the cluster (network.isolation: private does); it replaces the cluster.",
  },
  "quota-exceeded": {
    id: "quota-exceeded",
    severity: "error",
    description:
      "The cores an environment can reach per VM family (online deployments at their most instances with Azure ML's 20 % " +
      "upgrade reserve, plus the compute cluster at max_nodes) must fit the quota the config gives for that family.",
    why:
      "Azure refuses a deployment or a scale-out that would pass the family's quota (OutOfQuota), and autoscale then stops " +
      "at a ceiling below max_instances without saying so, at the peak it was meant for. GPU families start at 0 cores.",
    fix:
      "Lower autoscale.max_instances (or a schedule's) or compute.max_nodes, pick a size of a family with quota, or request " +
      "more quota (az vm list-usage shows it) and raise quota.<family> to match.",
  },
};
