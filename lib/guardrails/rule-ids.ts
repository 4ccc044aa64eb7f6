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
  "model-many-files",
  "egress-legacy-isolation",
  "gpu-image-without-cuda",
  "load-over-capacity",
  "load-over-endpoint-limit",
] as const;

/** One config warning id. */
export type ConfigWarningId = (typeof CONFIG_WARNING_IDS)[number];

/**
 * Stable ids of the rollout rules: changes between the base branch and a pull request that Azure refuses, which the
 * plan review blocks (lib/review/rollout.ts). A waiver of one, with a reason, turns the blocked change into a warning.
 * The review reads synthesized stacks, not YAML, so these waivers are recorded in the stack's metadata
 * (`//.metadata.rollout.waivers`, see GuardrailRecord). Never renamed, like {@link RULE_IDS}.
 */
export const ROLLOUT_RULE_IDS = [
  "rollout-version-redefined",
  "rollout-live-deployment-removed",
  "rollout-batch-default-removed",
  "rollout-network-isolation-changed",
  "rollout-network-outbound-changed",
  "rollout-egress-changed",
] as const;

/** One rollout rule id. */
export type RolloutRuleId = (typeof ROLLOUT_RULE_IDS)[number];

/** Any id a config waiver may name. */
export type WaiverId = RuleId | ConfigWarningId | RolloutRuleId;

/** Whether a waiver names a guardrail rule (checked on the synthesized stack), not a config warning or rollout rule. */
export function isGuardrailRule(id: WaiverId): id is RuleId {
  return (RULE_IDS as readonly string[]).includes(id);
}

/** Whether a waiver names a rollout rule (checked by the plan review between two synths). */
export function isRolloutRule(id: WaiverId): id is RolloutRuleId {
  return (ROLLOUT_RULE_IDS as readonly string[]).includes(id);
}

/** Whether a config waiver is one of a rollout rule (a type guard for filtering the `waivers` list). */
export function isRolloutWaiver<W extends { readonly rule: WaiverId; readonly reason: string }>(w: W): w is W & { readonly rule: RolloutRuleId } {
  return isRolloutRule(w.rule);
}
