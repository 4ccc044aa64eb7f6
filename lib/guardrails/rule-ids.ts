/**
 * Stable ids of the guardrail rules, the names that config `waivers` refer to.
 *
 * Kept apart from the rules themselves so that config validation can check waivers without loading the Aspects.
 * An id, once published, is never renamed: waivers in users' YAML files point at it.
 */
export const RULE_IDS = [
  "endpoint-key-auth",
  "endpoint-public",
  "endpoint-identity",
  "single-instance-live",
  "deployment-egress-public",
  "workspace-public",
  "workspace-identity",
  "storage-shared-key",
  "storage-public-blob",
  "storage-tls",
  "keyvault-purge-protection",
  "keyvault-rbac",
  "registry-admin-user",
  "compute-ssh",
  "compute-local-auth",
  "role-assignment-privileged",
  "diagnostics-missing",
  "storage-firewall-open",
  "registry-private-sku",
  "private-target-public",
  "compute-node-public-ip",
  "quota-exceeded",
] as const;

/** One guardrail rule id. */
export type RuleId = (typeof RULE_IDS)[number];

/**
 * Stable ids of the config warnings: what the config loader warns about at synth (with the file and line), and what
 * a waiver in the same `waivers` list may silence with a reason. Never renamed, like {@link RULE_IDS}.
 */
export const CONFIG_WARNING_IDS = [
  "model-path-not-yet-there",
  "conda-host-not-allowed",
  "collector-without-scoring-script",
  "gpu-image-without-cuda",
  "load-over-capacity",
  "load-over-endpoint-limit",
] as const;

/** One config warning id. */
export type ConfigWarningId = (typeof CONFIG_WARNING_IDS)[number];

/** Whether a waiver names a guardrail rule (checked on the synthesized stack), not a config warning. */
export function isGuardrailRule(id: RuleId | ConfigWarningId): id is RuleId {
  return (RULE_IDS as readonly string[]).includes(id);
}
