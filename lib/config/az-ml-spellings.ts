/**
 * az ml's spellings of what this config holds, so that a config written from habit (or copied from an az ml YAML file)
 * hears what to write here instead of only "is not a known key". `npm run import` converts whole az ml files.
 */

const IMPORT = "npm run import -- --into <this file> <az ml files> converts az ml files";

/** What to write here instead of an az ml key, phrased to follow "is not a known key; ". */
const KEYS: Readonly<Record<string, string>> = {
  code_configuration: "az ml's code_configuration is written code: { path, scoring_script } here (code_configuration.code becomes code.path)",
  app_insights_enabled: "az ml's app_insights_enabled is written app_insights: true or false here",
  endpoint_name: "az ml's endpoint_name is not needed here: list the deployment under its endpoint's deployments",
  $schema: `az ml's $schema is not needed here: remove it (${IMPORT})`,
  scale_settings: "az ml's scale_settings is written autoscale: { min_instances, max_instances, rules } here (leave it out for a fixed instance_count)",
  resources: "az ml's resources.instance_count is written instance_count here",
  settings: "az ml's batch settings are written on the deployment itself here: mini_batch_size, max_concurrency_per_instance, retry, error_threshold, output_action, output_file_name, logging_level",
  retry_settings: "az ml's retry_settings is written retry: { max_retries, timeout_s } here",
  defaults: "az ml's defaults.deployment_name is written default_deployment here",
  identity: "az ml's identity is not needed here: each endpoint gets a system-assigned identity, granted what it needs",
  traffic: "az ml's endpoint traffic is written on each deployment here: traffic: <percent>",
  mirror_traffic: "az ml's endpoint mirror_traffic is written on each deployment here: mirror_traffic: <percent>",
  initial_delay: "az ml's initial_delay is written initial_delay_s here",
  period: "az ml's period is written period_s here",
  timeout: "az ml's timeout is written timeout_s here",
};

/** Keys whose az ml meaning depends on where they are. */
function contextualHint(key: string, path: readonly PropertyKey[]): string | undefined {
  // A deployment itself: [..., "deployments", <index>].
  const deployment = path.length >= 2 && path[path.length - 2] === "deployments" && typeof path[path.length - 1] === "number";
  if (!deployment) return undefined;
  if (key === "compute" && path[0] === "batch") {
    return "az ml's batch deployment compute is not needed here: batch deployments run on the environment's cluster, compute.name";
  }
  if (key === "type") {
    return "az ml's deployment type is not needed here: online deployments are managed, batch deployments deploy a model";
  }
  return undefined;
}

/** A hint for an az ml key at `path` (the mapping that holds it), or undefined when it is no az ml spelling. */
export function azMlKeyHint(key: string, path: readonly PropertyKey[]): string | undefined {
  return contextualHint(key, path) ?? (Object.hasOwn(KEYS, key) ? KEYS[key] : undefined);
}

/** Fields az ml spells `enabled` / `disabled`, which are booleans here. */
const FLAGS = new Set(["egress_public_network_access", "public_network_access"]);

/** az ml's auth_mode spellings (its REST names), by lower case. */
const AUTH_MODES: Readonly<Record<string, string>> = { amltoken: "aml_token", aadtoken: "aad_token", key: "key" };

/** The rule for an az ml value at `path`, or undefined when the value is no az ml spelling. */
export function azMlValueHint(path: readonly PropertyKey[], value: unknown): string | undefined {
  const field = String(path[path.length - 1]);
  if (typeof value !== "string") return undefined;
  const lower = value.toLowerCase();
  if (FLAGS.has(field) && (lower === "enabled" || lower === "disabled")) {
    return `must be true or false: write ${field}: ${lower === "enabled"} for az ml's ${value}`;
  }
  if (field === "auth_mode" && Object.hasOwn(AUTH_MODES, lower.replace(/_/g, "")) && value !== AUTH_MODES[lower.replace(/_/g, "")]) {
    return `must be one of "key", "aml_token", "aad_token": write auth_mode: ${AUTH_MODES[lower.replace(/_/g, "")]} for az ml's ${value}`;
  }
  return undefined;
}
