import { familyKey } from "../config/instance-types";
import { capacityTable, capacityUses, describeUse } from "./capacity";
import type { RuleId } from "./rule-ids";
import {
  ArmType,
  azapiOfType,
  booleanAt,
  isExpression,
  isRecord,
  lookup,
  numberAt,
  refersTo,
  sameText,
  stringAt,
  UNKNOWN,
  type ResourceView,
  type Unknown,
} from "./stack-view";

/** What a check saw on one resource, before severity and waivers are applied. */
export interface Observation {
  readonly resource: ResourceView;
  /** What is wrong, in the resource's own terms, e.g. `authMode is "Key"`. */
  readonly detail: string;
}

/** What a few rules need besides the resources: facts of the environment that no resource carries. */
export interface CheckContext {
  /**
   * Quota cores per VM family (config `quota`); a family summed over deployments and the cluster above it is an error.
   * @default {} (no quota check)
   */
  readonly quota?: Readonly<Record<string, number>>;
  /**
   * Where each key of `quota` is written ("config/prod.yaml:42"), for the message.
   * @default no place named
   */
  readonly quotaSources?: Readonly<Record<string, string>>;
  /**
   * Whether the environment is production-like: live deployments then need 3 instances, not 2.
   * @default false
   */
  readonly productionLike?: boolean;
}

/** A rule's logic: the resources of one stack in, the offending ones out. Never flags on an UNKNOWN value. */
export type Check = (resources: readonly ResourceView[], context?: CheckContext) => Observation[];

const PRIVILEGED_ROLES = new Map<string, string>([
  ["owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"],
  ["contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c"],
  ["user access administrator", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"],
  ["role based access control administrator", "f58310d9-a9f6-439a-9e8d-f62e7b41a168"],
]);

/** Instance count below which a live deployment is flagged; Microsoft recommends 3 or more for production. */
const MIN_LIVE_INSTANCES = 2;
const MIN_LIVE_INSTANCES_PRODUCTION = 3;

/** The check of every rule. */
export const CHECKS: { readonly [id in RuleId]: Check } = {
  "endpoint-key-auth": (resources) =>
    [...azapiOfType(resources, ArmType.onlineEndpoint), ...azapiOfType(resources, ArmType.batchEndpoint)]
      .filter((r) => sameText(stringAt(r.attrs, ["body", "properties", "authMode"]), "Key"))
      .map((r) => ({ resource: r, detail: 'authMode is "Key"' })),

  "endpoint-public": (resources) =>
    azapiOfType(resources, ArmType.onlineEndpoint).flatMap((r) =>
      notDisabled(r, ["body", "properties", "publicNetworkAccess"], "publicNetworkAccess"),
    ),

  "endpoint-identity": (resources) => withoutIdentity(azapiOfType(resources, ArmType.onlineEndpoint)),

  "single-instance-live": (resources, context) => singleInstanceLive(resources, context?.productionLike ? MIN_LIVE_INSTANCES_PRODUCTION : MIN_LIVE_INSTANCES),

  "deployment-egress-public": (resources) => {
    // In a workspace with a managed virtual network the flag no longer applies (its outbound mode governs egress),
    // so a deployment there that does not send it is not open; one that sends Enabled still says it means to be.
    const managed = managedNetworkWorkspaces(resources).length > 0;
    return azapiOfType(resources, ArmType.onlineDeployment)
      .filter((r) => !(managed && lookup(r.attrs, ["body", "properties", "egressPublicNetworkAccess"]) === undefined))
      .flatMap((r) => notDisabled(r, ["body", "properties", "egressPublicNetworkAccess"], "egressPublicNetworkAccess"));
  },

  "workspace-public": (resources) => [
    ...ofType(resources, "azurerm_machine_learning_workspace").flatMap((r) => notFalse(r, "public_network_access_enabled", true)),
    ...azapiOfType(resources, ArmType.workspace).flatMap((r) =>
      notDisabled(r, ["body", "properties", "publicNetworkAccess"], "publicNetworkAccess"),
    ),
  ],

  "workspace-identity": (resources) =>
    withoutIdentity([...ofType(resources, "azurerm_machine_learning_workspace"), ...azapiOfType(resources, ArmType.workspace)]),

  "storage-shared-key": (resources) =>
    ofType(resources, "azurerm_storage_account").flatMap((r) => notFalse(r, "shared_access_key_enabled", true)),

  "storage-public-blob": (resources) =>
    ofType(resources, "azurerm_storage_account").flatMap((r) => notFalse(r, "allow_nested_items_to_be_public", true)),

  "storage-tls": (resources) =>
    ofType(resources, "azurerm_storage_account").flatMap((r) => {
      const version = stringAt(r.attrs, ["min_tls_version"]);
      // Absent means the azurerm 4.x default, TLS1_2.
      if (version === UNKNOWN || version === undefined || ["TLS1_2", "TLS1_3"].includes(version)) return [];
      return [{ resource: r, detail: `min_tls_version is "${version}"` }];
    }),

  "keyvault-purge-protection": (resources) =>
    ofType(resources, "azurerm_key_vault").flatMap((r) => notTrue(r, "purge_protection_enabled", false)),

  "keyvault-rbac": (resources) =>
    ofType(resources, "azurerm_key_vault").flatMap((r) => {
      const current = booleanAt(r.attrs, ["rbac_authorization_enabled"]);
      const legacy = booleanAt(r.attrs, ["enable_rbac_authorization"]);
      if (current === true || legacy === true || current === UNKNOWN || legacy === UNKNOWN) return [];
      return [{ resource: r, detail: "rbac_authorization_enabled is not true, so the vault uses access policies" }];
    }),

  "registry-admin-user": (resources) =>
    ofType(resources, "azurerm_container_registry")
      .filter((r) => booleanAt(r.attrs, ["admin_enabled"]) === true)
      .map((r) => ({ resource: r, detail: "admin_enabled is true" })),

  "compute-ssh": (resources) =>
    ofType(resources, "azurerm_machine_learning_compute_cluster")
      .filter((r) => booleanAt(r.attrs, ["ssh_public_access_enabled"]) === true)
      .map((r) => ({ resource: r, detail: "ssh_public_access_enabled is true" })),

  "compute-local-auth": (resources) =>
    [
      ...ofType(resources, "azurerm_machine_learning_compute_cluster"),
      ...ofType(resources, "azurerm_machine_learning_compute_instance"),
    ].flatMap((r) => notFalse(r, "local_auth_enabled", true)),

  "role-assignment-privileged": (resources) =>
    ofType(resources, "azurerm_role_assignment").flatMap((r) => {
      const name = stringAt(r.attrs, ["role_definition_name"]);
      if (typeof name === "string" && PRIVILEGED_ROLES.has(name.trim().toLowerCase())) {
        return [{ resource: r, detail: `role_definition_name is "${name}"` }];
      }
      const id = stringAt(r.attrs, ["role_definition_id"]);
      if (typeof id === "string") {
        const guid = id.trim().toLowerCase().split("/").pop() ?? "";
        for (const [role, roleGuid] of PRIVILEGED_ROLES) {
          if (guid === roleGuid) return [{ resource: r, detail: `role_definition_id is the built-in ${titleCase(role)} role` }];
        }
      }
      return [];
    }),

  "diagnostics-missing": diagnosticsMissing,

  "storage-firewall-open": (resources) =>
    behindPrivateEndpoint(resources, "azurerm_storage_account").flatMap((r) => {
      const publicAccess = booleanAt(r.attrs, ["public_network_access_enabled"]);
      if (publicAccess === false || publicAccess === UNKNOWN) return [];
      const separate = ofType(resources, "azurerm_storage_account_network_rules").filter((n) => refersTo(n.attrs["storage_account_id"], r.address));
      const actions: (string | undefined | Unknown)[] = [...separate.map((n) => stringAt(n.attrs, ["default_action"])), stringAt(r.attrs, ["network_rules", "default_action"])];
      if (actions.some((a) => a === UNKNOWN || sameText(a, "Deny"))) return [];
      const stated = actions.find((a): a is string => typeof a === "string");
      return [{ resource: r, detail: `a private endpoint targets it, but its firewall's default action is ${stated ? `"${stated}"` : "not set and defaults to Allow"}` }];
    }),

  "registry-private-sku": (resources) =>
    behindPrivateEndpoint(resources, "azurerm_container_registry").flatMap((r) => {
      const sku = stringAt(r.attrs, ["sku"]);
      if (sku === UNKNOWN || sameText(sku, "Premium")) return [];
      return [{ resource: r, detail: `a private endpoint targets it, but its sku is ${sku === undefined ? "not set" : `"${sku}"`}` }];
    }),

  "private-target-public": (resources) =>
    [...behindPrivateEndpoint(resources, "azurerm_key_vault"), ...behindPrivateEndpoint(resources, "azurerm_container_registry")].flatMap(
      (r) => notFalse(r, "public_network_access_enabled", true),
    ),

  "compute-node-public-ip": (resources) => {
    const managed = managedNetworkWorkspaces(resources);
    return ofType(resources, "azurerm_machine_learning_compute_cluster")
      .filter((c) => managed.some((w) => refersTo(c.attrs["machine_learning_workspace_id"], w.address)))
      .flatMap((c) => notFalse(c, "node_public_ip_enabled", true));
  },

  "quota-exceeded": quotaExceeded,
};

/**
 * VM families whose cores at the most instances (the upgrade reserve included) exceed the quota the config gives
 * for them. One finding per family, on the first deployment or cluster that draws on it.
 */
function quotaExceeded(resources: readonly ResourceView[], context: CheckContext = {}): Observation[] {
  const quota = context.quota ?? {};
  if (Object.keys(quota).length === 0) return [];
  const located = capacityUses(resources);
  const table = capacityTable(located.map((l) => l.use), quota);
  return table.families
    .filter((f) => f.quota !== undefined && f.cores.max > f.quota)
    .map((f) => {
      const users = located.filter((l) => l.use.family === f.family);
      const key = Object.keys(quota).find((k) => familyKey(k) === familyKey(f.family));
      const source = key !== undefined ? context.quotaSources?.[key] : undefined;
      return {
        resource: users[0]!.resource,
        detail:
          `${f.family} needs ${f.cores.max} cores at the most instances, above its quota of ${f.quota}` +
          `${source !== undefined ? ` (quota.${key} at ${source})` : ""} ` +
          `(${users.map((l) => describeUse(l.use)).join("; ")})`,
      };
    });
}

/** Workspaces (azurerm or azapi) with a managed virtual network: an isolation mode other than Disabled. */
function managedNetworkWorkspaces(resources: readonly ResourceView[]): ResourceView[] {
  const managed = (mode: string | Unknown | undefined) => typeof mode === "string" && !sameText(mode, "Disabled");
  return [
    ...ofType(resources, "azurerm_machine_learning_workspace").filter((w) => managed(stringAt(w.attrs, ["managed_network", "isolation_mode"]))),
    ...azapiOfType(resources, ArmType.workspace).filter((w) => managed(stringAt(w.attrs, ["body", "properties", "managedNetwork", "isolationMode"]))),
  ];
}

/**
 * Resources of `type` that some azurerm_private_endpoint connects to (its private_service_connection's
 * private_connection_resource_id refers to them): the ones meant to be reached privately.
 */
function behindPrivateEndpoint(resources: readonly ResourceView[], type: string): ResourceView[] {
  const targets = ofType(resources, "azurerm_private_endpoint").flatMap((pe) => {
    const connection = pe.attrs["private_service_connection"];
    const blocks = Array.isArray(connection) ? connection : [connection];
    return blocks.filter(isRecord).map((block) => block["private_connection_resource_id"]);
  });
  return ofType(resources, type).filter((r) => targets.some((t) => refersTo(t, r.address)));
}

function ofType(resources: readonly ResourceView[], type: string): ResourceView[] {
  return resources.filter((r) => r.type === type);
}

/** Flags a boolean attribute that is not explicitly false; `defaultValue` is the provider default when absent. */
function notFalse(r: ResourceView, attr: string, defaultValue: boolean): Observation[] {
  const value = booleanAt(r.attrs, [attr]);
  if (value === false || value === UNKNOWN) return [];
  if (value === undefined && !defaultValue) return [];
  return [{ resource: r, detail: value === undefined ? `${attr} is not set and defaults to true` : `${attr} is true` }];
}

/** Flags a boolean attribute that is not explicitly true; `defaultValue` is the provider default when absent. */
function notTrue(r: ResourceView, attr: string, defaultValue: boolean): Observation[] {
  const value = booleanAt(r.attrs, [attr]);
  if (value === true || value === UNKNOWN) return [];
  if (value === undefined && defaultValue) return [];
  return [{ resource: r, detail: value === undefined ? `${attr} is not set and defaults to false` : `${attr} is false` }];
}

/** Flags an ARM Enabled/Disabled property that is not "Disabled"; ARM's default for these is Enabled. */
function notDisabled(r: ResourceView, path: readonly string[], name: string): Observation[] {
  const value = stringAt(r.attrs, path);
  if (value === UNKNOWN || sameText(value, "Disabled")) return [];
  return [{ resource: r, detail: value === undefined ? `${name} is not set and defaults to Enabled` : `${name} is "${value}"` }];
}

/** Flags resources whose identity (azapi/azurerm `identity` block, or `body.identity`) is missing or None. */
function withoutIdentity(resources: readonly ResourceView[]): Observation[] {
  return resources.flatMap((r) => {
    const type = identityType(r);
    if (type === UNKNOWN) return [];
    if (type === undefined) return [{ resource: r, detail: "no managed identity is set" }];
    if (sameText(type, "None")) return [{ resource: r, detail: 'its identity type is "None"' }];
    return [];
  });
}

function identityType(r: ResourceView): string | undefined | Unknown {
  for (const path of [["identity"], ["body", "identity"]]) {
    const block = lookup(r.attrs, path);
    if (block === UNKNOWN) return UNKNOWN;
    if (block === undefined) continue;
    return stringAt(block, ["type"]);
  }
  return undefined;
}

/**
 * Live deployments below two instances.
 *
 * Traffic comes from `azapi_update_resource` patches of an endpoint (they win, being applied last) or else from the
 * endpoint's own body. The instance floor is the minimum of any autoscale setting that targets the deployment,
 * else a TargetUtilization `minInstances`, else `sku.capacity` (ARM default 1).
 */
function singleInstanceLive(resources: readonly ResourceView[], fewest: number): Observation[] {
  const endpoints = azapiOfType(resources, ArmType.onlineEndpoint);
  const endpointOf = (r: ResourceView): ResourceView | undefined => {
    const byId = endpoints.find((e) => refersTo(r.attrs["resource_id"], e.address));
    if (byId) return byId;
    return endpoints.find(
      (e) => r.attrs["name"] !== undefined && e.attrs["name"] === r.attrs["name"] && e.attrs["parent_id"] === r.attrs["parent_id"],
    );
  };
  const patches = resources
    .filter((r) => r.type === "azapi_update_resource" && isEndpointType(r.attrs["type"]))
    .map((r) => ({ endpoint: endpointOf(r), traffic: lookup(r.attrs, ["body", "properties", "traffic"]) }))
    .filter((p) => p.traffic !== undefined);
  const created = endpoints.map((e) => ({ endpoint: e as ResourceView | undefined, traffic: lookup(e.attrs, ["body", "properties", "traffic"]) }));

  return azapiOfType(resources, ArmType.onlineDeployment).flatMap((d) => {
    const name = d.attrs["name"];
    if (typeof name !== "string" || isExpression(name)) return [];
    const endpoint = endpoints.find((e) => refersTo(d.attrs["parent_id"], e.address));
    const applies = (source: { endpoint?: ResourceView }) => !source.endpoint || !endpoint || source.endpoint === endpoint;
    const ownPatches = patches.filter(applies);
    const sources = ownPatches.length > 0 ? ownPatches : created.filter(applies);
    const percent = Math.max(0, ...sources.map((s) => trafficFor(s.traffic, name)));
    if (percent <= 0) return [];
    const instances = instanceFloor(d, resources);
    if (instances === UNKNOWN || instances >= fewest) return [];
    const production = fewest > MIN_LIVE_INSTANCES ? `, fewer than the ${fewest} a production-like environment needs` : "";
    return [{ resource: d, detail: `deployment "${name}" takes ${percent}% of live traffic on ${instances} instance${instances === 1 ? "" : "s"}${production}` }];
  });
}

function isEndpointType(type: unknown): boolean {
  return typeof type === "string" && type.split("@")[0].toLowerCase() === ArmType.onlineEndpoint;
}

/** The traffic percentage a map gives `name`; 0 when absent or not known before apply. */
function trafficFor(traffic: unknown, name: string): number {
  if (!isRecord(traffic)) return 0;
  const value = traffic[name];
  return typeof value === "number" ? value : 0;
}

function instanceFloor(deployment: ResourceView, resources: readonly ResourceView[]): number | Unknown {
  const autoscale = ofType(resources, "azurerm_monitor_autoscale_setting").filter((a) =>
    refersTo(a.attrs["target_resource_id"], deployment.address),
  );
  if (autoscale.length > 0) {
    const minimums: number[] = [];
    for (const setting of autoscale) {
      const profiles = lookup(setting.attrs, ["profile"]);
      if (profiles === UNKNOWN) return UNKNOWN;
      for (const profile of Array.isArray(profiles) ? profiles : [profiles]) {
        const minimum = numberAt(profile, ["capacity", "minimum"]);
        if (minimum === UNKNOWN || minimum === undefined) return UNKNOWN;
        minimums.push(minimum);
      }
    }
    if (minimums.length > 0) return Math.min(...minimums);
  }
  const scaleType = stringAt(deployment.attrs, ["body", "properties", "scaleSettings", "scaleType"]);
  if (sameText(scaleType, "TargetUtilization")) {
    const minInstances = numberAt(deployment.attrs, ["body", "properties", "scaleSettings", "minInstances"]);
    return minInstances === undefined ? 1 : minInstances;
  }
  const capacity = numberAt(deployment.attrs, ["body", "sku", "capacity"]);
  return capacity === undefined ? 1 : capacity;
}

/**
 * Endpoints and workspaces that no diagnostic setting targets.
 *
 * Targets are azurerm_monitor_diagnostic_setting `target_resource_id` and azapi Microsoft.Insights/diagnosticSettings
 * `parent_id`. A target expression that refers to none of the stack's resources (a variable, a data source) might
 * be any of them, so nothing is flagged then.
 */
function diagnosticsMissing(resources: readonly ResourceView[]): Observation[] {
  const watched = [
    ...azapiOfType(resources, ArmType.onlineEndpoint),
    ...ofType(resources, "azurerm_machine_learning_workspace"),
    ...azapiOfType(resources, ArmType.workspace),
  ];
  const targets = [
    ...ofType(resources, "azurerm_monitor_diagnostic_setting").map((d) => d.attrs["target_resource_id"]),
    ...azapiOfType(resources, ArmType.diagnosticSetting).map((d) => d.attrs["parent_id"]),
  ];
  const opaque = targets.some((t) => isExpression(t) && !resources.some((r) => refersTo(t, r.address)));
  if (opaque) return [];
  return watched
    .filter((r) => !targets.some((t) => refersTo(t, r.address)))
    .map((r) => ({ resource: r, detail: "no diagnostic setting targets this resource" }));
}

function titleCase(text: string): string {
  return text.replace(/\b\w/g, (c) => c.toUpperCase());
}
