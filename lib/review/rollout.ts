/**
 * Rollout warnings: changes between two synths that Azure refuses, or that replace something holding data, identity
 * or capacity. They are read from the synthesized JSON only (azapi `type`, `name`, `parent_id` and bodies; azurerm
 * attributes), so they work without credentials and whatever construct ids the resources have.
 */

import { AttributeChange, deepEqual, diffValues } from "./diff";
import { AZURE_REFUSES, AZURERM_FORCE_NEW, forcesReplacement, RefusedKind } from "./force-new";
import { compareText } from "./plan";
import { armTypeOf, LIKELY_REPLACING_ATTRIBUTES, statefulKind } from "./stateful";
import { SynthResource, SynthStack } from "./synth";

const ML = "microsoft.machinelearningservices/workspaces";
const DEPLOYMENT = `${ML}/onlineendpoints/deployments`;
const ENDPOINT = `${ML}/onlineendpoints`;
const BATCH_ENDPOINT = `${ML}/batchendpoints`;
const BATCH_DEPLOYMENT = `${ML}/batchendpoints/deployments`;
const COMPUTE = `${ML}/computes`;
const VERSIONS: Readonly<Record<string, string>> = {
  [`${ML}/models/versions`]: "model",
  [`${ML}/environments/versions`]: "environment",
  [`${ML}/codes/versions`]: "code",
};
/** Properties of an asset version that Azure lets change after creation; everything else is its definition. */
const MUTABLE_VERSION_KEYS: ReadonlySet<string> = new Set(["isArchived", "description", "tags"]);

/** Where a finding is: the stack and its environment, the resource, and the config field behind it. */
interface Located {
  readonly stack: string;
  /** The environment: the stack name without `serving-` (the config file's name). */
  readonly environment: string;
  readonly address: string;
  readonly constructPath?: string;
  /** The YAML field of the environment's config that the change comes from, e.g. `network.outbound`. */
  readonly field?: string;
}

/** A deployment that head removes while base still routes live or mirrored requests to it. */
export interface LiveDeploymentRemoved extends Located {
  readonly kind: "live-deployment-removed";
  readonly deployment: string;
  readonly trafficPercent: number;
  readonly mirrorTrafficPercent: number;
}

/**
 * An online endpoint that head removes, deployments and all, while base still routes traffic to it: a normal
 * endpoint delete, which Azure accepts (the endpoint goes with its deployments), but its scoring URI stops answering.
 */
export interface EndpointRemoved extends Located {
  readonly kind: "endpoint-removed";
  readonly endpoint: string;
  /** Its deployments and their live traffic in the base, in name order. */
  readonly traffic: readonly { readonly deployment: string; readonly percent: number }[];
}

/** A model, environment or code version whose definition changes while its version stays: Azure refuses it. */
export interface ImmutableVersionChanged extends Located {
  readonly kind: "immutable-version-changed";
  readonly asset: "model" | "environment" | "code";
  readonly name: string;
  readonly version: string;
  readonly changes: readonly AttributeChange[];
}

/** A change to an attribute that forces replacement of a resource holding data, identity or capacity. */
export interface ForcedReplacement extends Located {
  readonly kind: "forced-replacement";
  readonly label: string;
  readonly loses: string;
  /** Whose rule forces it: the azurerm schema's ForceNew (force-new.ts), or azapi's name, parent and location. */
  readonly rule: "azurerm ForceNew" | "azapi";
  readonly changes: readonly AttributeChange[];
}

/** A batch endpoint's default deployment (in base) removed while the endpoint stays: Azure refuses the delete. */
export interface BatchDefaultRemoved extends Located {
  readonly kind: "batch-default-removed";
  readonly batchEndpoint: string;
  readonly deployment: string;
}

/** The workspace's managed network added or removed (`network.isolation`) while it has computes or endpoints. */
export interface NetworkIsolationChanged extends Located {
  readonly kind: "network-isolation-changed";
  readonly before: "public" | "private";
  readonly after: "public" | "private";
}

/** The managed network's isolation mode changed (`network.outbound`). */
export interface NetworkOutboundChanged extends Located {
  readonly kind: "network-outbound-changed";
  readonly before: string;
  readonly after: string;
}

/** An existing online deployment's `egressPublicNetworkAccess` changed: immutable in Azure. */
export interface EgressChanged extends Located {
  readonly kind: "egress-changed";
  readonly deployment: string;
  readonly before: string;
  readonly after: string;
}

/** An existing online deployment's instance type changed in place: allowed, but not the safe way to roll out. */
export interface InstanceTypeChanged extends Located {
  readonly kind: "instance-type-changed";
  readonly deployment: string;
  readonly before: string;
  readonly after: string;
}

export type RolloutWarning =
  | LiveDeploymentRemoved
  | EndpointRemoved
  | ImmutableVersionChanged
  | BatchDefaultRemoved
  | NetworkIsolationChanged
  | NetworkOutboundChanged
  | EgressChanged
  | ForcedReplacement
  | InstanceTypeChanged;

/** A finding with, when it is one Azure refuses and the head config waives it, that waiver. */
export type RolloutFinding = RolloutWarning & { readonly waiver?: { readonly rule: string; readonly reason: string } };

/** What the review says about a rollout: changes Azure refuses (blocked), and warnings (including waived blocks). */
export interface RolloutReview {
  readonly blocked: readonly RolloutFinding[];
  readonly warnings: readonly RolloutFinding[];
}

const armType = (r: SynthResource): string | undefined =>
  typeof r.config["type"] === "string" ? armTypeOf(r.config["type"]).toLowerCase() : undefined;
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
/** The environment of a serving stack (`serving-dev` → `dev`); other stacks are their own name. */
export function environmentOf(stack: string): string {
  return stack.startsWith("serving-") ? stack.slice("serving-".length) : stack;
}
const where = (stack: string, r: SynthResource) => ({
  stack,
  environment: environmentOf(stack),
  address: r.address,
  ...(r.constructPath !== undefined ? { constructPath: r.constructPath } : {}),
});
/** The resource a `${type.name.id}` reference points at, if it is one in `stack`. */
function referenced(stack: SynthStack, value: unknown): SynthResource | undefined {
  const reference = typeof value === "string" ? /^\$\{([^.}]+\.[^.}]+)\.id\}$/.exec(value) : null;
  return reference ? stack.resources.get(reference[1]!) : undefined;
}
const bodyProperties = (r: SynthResource): Record<string, unknown> => {
  const properties = (r.config["body"] as { properties?: unknown } | undefined)?.properties;
  return properties && typeof properties === "object" && !Array.isArray(properties) ? (properties as Record<string, unknown>) : {};
};

/**
 * The YAML field of a deployment: `endpoint.deployments[name=blue]` for an online one of the one-endpoint form,
 * `endpoints[name=<endpoint>].deployments[name=blue]` for one of a listed endpoint (under `endpoint-<name>` in its
 * construct path), and `batch[name=<endpoint>].deployments[name=nightly]` for a batch one (its endpoint found
 * through its parent).
 */
function deploymentField(stack: SynthStack, d: SynthResource): string {
  const name = str(d.config["name"]) ?? "?";
  const endpoint = str(referenced(stack, d.config["parent_id"])?.config["name"]) ?? "?";
  if (armType(d) === BATCH_DEPLOYMENT) return `batch[name=${endpoint}].deployments[name=${name}]`;
  const listed = d.constructPath !== undefined && /\/endpoint-[^/]+\/deployment-[^/]+\//.test(d.constructPath);
  return listed ? `endpoints[name=${endpoint}].deployments[name=${name}]` : `endpoint.deployments[name=${name}]`;
}

/** Azure's identity of an azapi child resource: its parent and name (construct ids and addresses may change). */
function azureIdentity(r: SynthResource): string | undefined {
  const parent = str(r.config["parent_id"]);
  const name = str(r.config["name"]);
  return parent !== undefined && name !== undefined ? `${parent}\n${name}` : undefined;
}

function azapiResources(stack: SynthStack, type: string): SynthResource[] {
  return [...stack.resources.values()].filter((r) => r.type === "azapi_resource" && armType(r) === type);
}

/** Whether the endpoint that `parentId` points at is still in `head`: a `${azapi_resource.x.id}` reference or an ARM id. */
function endpointStays(parentId: string, head: SynthStack): boolean {
  const reference = /^\$\{([^.}]+\.[^.}]+)\.id\}$/.exec(parentId);
  if (reference) return head.resources.has(reference[1]!);
  return [...head.resources.values()].some((r) => str(r.config["parent_id"]) === parentId || str(r.config["resource_id"]) === parentId);
}

/** Traffic shares that `base` routes to deployments of the endpoint `endpointId`, from its traffic update. */
function sharesOf(base: SynthStack, endpointId: string, map: "traffic" | "mirrorTraffic"): Record<string, unknown> {
  for (const r of base.resources.values()) {
    if (r.type !== "azapi_update_resource" || armType(r) !== ENDPOINT || str(r.config["resource_id"]) !== endpointId) continue;
    const properties = (r.config["body"] as { properties?: Record<string, unknown> } | undefined)?.properties;
    const shares = properties?.[map];
    if (shares && typeof shares === "object" && !Array.isArray(shares)) return shares as Record<string, unknown>;
  }
  return {};
}

function liveDeploymentsRemoved(name: string, base: SynthStack, head: SynthStack): LiveDeploymentRemoved[] {
  const kept = new Set(azapiResources(head, DEPLOYMENT).map(azureIdentity));
  const out: LiveDeploymentRemoved[] = [];
  for (const d of azapiResources(base, DEPLOYMENT)) {
    const parent = str(d.config["parent_id"]);
    const deployment = str(d.config["name"]);
    if (parent === undefined || deployment === undefined || kept.has(azureIdentity(d)) || !endpointStays(parent, head)) continue;
    const share = (map: "traffic" | "mirrorTraffic") => {
      const value = sharesOf(base, parent, map)[deployment];
      return typeof value === "number" ? value : 0;
    };
    const [trafficPercent, mirrorTrafficPercent] = [share("traffic"), share("mirrorTraffic")];
    if (trafficPercent > 0 || mirrorTrafficPercent > 0) {
      out.push({
        kind: "live-deployment-removed",
        ...where(name, d),
        field: deploymentField(base, d),
        deployment,
        trafficPercent,
        mirrorTrafficPercent,
      });
    }
  }
  return out;
}

function endpointsRemoved(name: string, base: SynthStack, head: SynthStack): EndpointRemoved[] {
  const kept = new Set(azapiResources(head, ENDPOINT).map(azureIdentity));
  const out: EndpointRemoved[] = [];
  for (const e of azapiResources(base, ENDPOINT)) {
    if (kept.has(azureIdentity(e))) continue;
    const traffic = Object.entries(sharesOf(base, `\${${e.address}.id}`, "traffic"))
      .filter((entry): entry is [string, number] => typeof entry[1] === "number" && entry[1] > 0)
      .sort(([a], [b]) => compareText(a, b))
      .map(([deployment, percent]) => ({ deployment, percent }));
    if (traffic.length === 0) continue;
    const endpoint = str(e.config["name"]) ?? "?";
    const listed = e.constructPath !== undefined && /\/endpoint-[^/]+\/endpoint\//.test(e.constructPath);
    out.push({ kind: "endpoint-removed", ...where(name, e), field: listed ? `endpoints[name=${endpoint}]` : "endpoint", endpoint, traffic });
  }
  return out;
}

function immutableVersionsChanged(name: string, base: SynthStack, head: SynthStack): ImmutableVersionChanged[] {
  const out: ImmutableVersionChanged[] = [];
  for (const [type, asset] of Object.entries(VERSIONS)) {
    const before = new Map(azapiResources(base, type).map((r) => [azureIdentity(r), r]));
    for (const h of azapiResources(head, type)) {
      const identity = azureIdentity(h);
      const b = identity !== undefined ? before.get(identity) : undefined;
      if (!b) continue;
      const changes = diffValues(b.config["body"], h.config["body"], {}, { ignoreKeys: MUTABLE_VERSION_KEYS });
      if (changes.length === 0) continue;
      const parent = str(h.config["parent_id"]) ?? "";
      // The deployments that use this version: the config fields that define it.
      const key = { model: "model", environment: "environment", code: "code" }[asset]!;
      const users = [...head.resources.values()]
        .filter((r) => r.type === "azapi_resource" && (armType(r) === DEPLOYMENT || armType(r) === BATCH_DEPLOYMENT))
        .filter((r) => JSON.stringify(r.config["body"] ?? {}).includes(`\${${h.address}.id}`))
        .map((r) => `${deploymentField(head, r)}.${key}`)
        .sort(compareText);
      out.push({
        kind: "immutable-version-changed",
        ...where(name, h),
        field: users.length > 0 ? users.join(", ") : key === "code" ? "code.path" : `${key}.version`,
        asset: asset as ImmutableVersionChanged["asset"],
        name: parent.slice(parent.lastIndexOf("/") + 1),
        version: str(h.config["name"]) ?? "",
        changes: changes.map((c) => ({ ...c, path: ["body", ...c.path] })),
      });
    }
  }
  return out;
}

function forcedReplacements(name: string, base: SynthStack, head: SynthStack): ForcedReplacement[] {
  const movedFrom = new Map(head.moved.map((m) => [m.to, m.from]));
  const out: ForcedReplacement[] = [];
  for (const h of head.resources.values()) {
    const b = base.resources.get(movedFrom.get(h.address) ?? h.address) ?? base.resources.get(h.address);
    if (!b || b.type !== h.type) continue;
    const entry = AZURERM_FORCE_NEW[h.type];
    // azapi replaces any resource whose name, parent or location changes; only those holding something matter here.
    const azapiKind = h.type === "azapi_resource" ? statefulKind(h.type, str(h.config["type"])) : undefined;
    if (!entry && !azapiKind) continue;
    const forcing = (attribute: string): boolean =>
      entry ? forcesReplacement(h.type, attribute, b.config[attribute], h.config[attribute]) : LIKELY_REPLACING_ATTRIBUTES.has(attribute);
    const attributes = [...new Set([...Object.keys(b.config), ...Object.keys(h.config)])]
      .filter((a) => a !== "//" && !deepEqual(b.config[a], h.config[a]) && forcing(a))
      .sort(compareText);
    if (attributes.length === 0) continue;
    out.push({
      kind: "forced-replacement",
      ...where(name, h),
      label: entry?.label ?? azapiKind!.label,
      loses: entry?.loses ?? azapiKind!.risk,
      rule: entry ? "azurerm ForceNew" : "azapi",
      changes: attributes.map((a) => ({ path: [a], before: b.config[a], after: h.config[a] })),
    });
  }
  return out;
}

/** The default deployment each batch endpoint of `stack` names, by the endpoint's reference (`${azapi_resource.x.id}`). */
function batchDefaults(stack: SynthStack): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of stack.resources.values()) {
    if (r.type !== "azapi_update_resource" || armType(r) !== BATCH_ENDPOINT) continue;
    const defaults = bodyProperties(r)["defaults"] as { deploymentName?: unknown } | undefined;
    const endpointId = str(r.config["resource_id"]);
    if (endpointId !== undefined && typeof defaults?.deploymentName === "string") out.set(endpointId, defaults.deploymentName);
  }
  return out;
}

function batchDefaultsRemoved(name: string, base: SynthStack, head: SynthStack): BatchDefaultRemoved[] {
  const kept = new Set(azapiResources(head, BATCH_DEPLOYMENT).map(azureIdentity));
  const out: BatchDefaultRemoved[] = [];
  for (const [endpointId, deployment] of batchDefaults(base)) {
    if (!endpointStays(endpointId, head)) continue;
    const removed = azapiResources(base, BATCH_DEPLOYMENT).find((d) => str(d.config["parent_id"]) === endpointId && str(d.config["name"]) === deployment);
    if (!removed || kept.has(azureIdentity(removed))) continue;
    const batchEndpoint = str(referenced(base, endpointId)?.config["name"]) ?? endpointId;
    out.push({ kind: "batch-default-removed", ...where(name, removed), field: deploymentField(base, removed), batchEndpoint, deployment });
  }
  return out;
}

/** The stack's one workspace (azapi), if it has one. */
function workspaceOf(stack: SynthStack): SynthResource | undefined {
  return azapiResources(stack, ML)[0];
}

/** Whether the stack has something a managed network change cannot carry over: a compute or an online endpoint. */
function hasComputeOrEndpoint(stack: SynthStack): boolean {
  return [...stack.resources.values()].some(
    (r) => r.type === "azurerm_machine_learning_compute_cluster" || (r.type === "azapi_resource" && [COMPUTE, ENDPOINT, BATCH_ENDPOINT].includes(armType(r) ?? "")),
  );
}

function networkChanges(name: string, base: SynthStack, head: SynthStack): (NetworkIsolationChanged | NetworkOutboundChanged)[] {
  const [b, h] = [workspaceOf(base), workspaceOf(head)];
  // A workspace created anew (another name or parent) starts fresh: nothing is migrated.
  if (!b || !h || azureIdentity(b) !== azureIdentity(h)) return [];
  const network = (r: SynthResource) => bodyProperties(r)["managedNetwork"] as { isolationMode?: unknown } | undefined;
  const [before, after] = [network(b), network(h)];
  if ((before === undefined) !== (after === undefined)) {
    if (!hasComputeOrEndpoint(base) && !hasComputeOrEndpoint(head)) return [];
    return [
      { kind: "network-isolation-changed", ...where(name, h), field: "network.isolation", before: before ? "private" : "public", after: after ? "private" : "public" },
    ];
  }
  const [from, to] = [str(before?.isolationMode), str(after?.isolationMode)];
  if (from !== undefined && to !== undefined && from !== to) {
    return [{ kind: "network-outbound-changed", ...where(name, h), field: "network.outbound", before: from, after: to }];
  }
  return [];
}

/** Changes to an online deployment that stays (same endpoint and name): egress (refused) and instance type (warned). */
function deploymentChanges(name: string, base: SynthStack, head: SynthStack): (EgressChanged | InstanceTypeChanged)[] {
  const before = new Map(azapiResources(base, DEPLOYMENT).map((r) => [azureIdentity(r), r]));
  const out: (EgressChanged | InstanceTypeChanged)[] = [];
  for (const h of azapiResources(head, DEPLOYMENT)) {
    const b = before.get(azureIdentity(h));
    if (!b) continue;
    const deployment = str(h.config["name"]) ?? "";
    const field = deploymentField(head, h);
    // Only sent in public environments: when one side lacks it, the network itself changed (reported on its own).
    const [egressBefore, egressAfter] = [str(bodyProperties(b)["egressPublicNetworkAccess"]), str(bodyProperties(h)["egressPublicNetworkAccess"])];
    if (egressBefore !== undefined && egressAfter !== undefined && egressBefore.toLowerCase() !== egressAfter.toLowerCase()) {
      out.push({ kind: "egress-changed", ...where(name, h), field: `${field}.egress_public_network_access`, deployment, before: egressBefore, after: egressAfter });
    }
    const [typeBefore, typeAfter] = [str(bodyProperties(b)["instanceType"]), str(bodyProperties(h)["instanceType"])];
    if (typeBefore !== undefined && typeAfter !== undefined && typeBefore.toLowerCase() !== typeAfter.toLowerCase()) {
      out.push({ kind: "instance-type-changed", ...where(name, h), field: `${field}.instance_type`, deployment, before: typeBefore, after: typeAfter });
    }
  }
  return out;
}

/**
 * Every rollout warning between two synths, stack by stack (stacks present in both; a removed stack is reported by
 * the synth diff itself), in the order: live deployments removed, immutable versions changed, batch defaults removed,
 * network changes, deployment changes (egress, instance type), forced replacements.
 */
export function rolloutWarnings(base: ReadonlyMap<string, SynthStack>, head: ReadonlyMap<string, SynthStack>): RolloutWarning[] {
  const names = [...head.keys()].filter((n) => base.has(n)).sort(compareText);
  const pairs = names.map((n) => [n, base.get(n)!, head.get(n)!] as const);
  return [
    ...pairs.flatMap(([n, b, h]) => liveDeploymentsRemoved(n, b, h)),
    ...pairs.flatMap(([n, b, h]) => endpointsRemoved(n, b, h)),
    ...pairs.flatMap(([n, b, h]) => immutableVersionsChanged(n, b, h)),
    ...pairs.flatMap(([n, b, h]) => batchDefaultsRemoved(n, b, h)),
    ...pairs.flatMap(([n, b, h]) => networkChanges(n, b, h)),
    ...pairs.flatMap(([n, b, h]) => deploymentChanges(n, b, h)),
    ...pairs.flatMap(([n, b, h]) => forcedReplacements(n, b, h)),
  ];
}

/** The table entry of a finding Azure refuses, or undefined for a warning. */
export function refusal(w: RolloutWarning): (typeof AZURE_REFUSES)[RefusedKind] | undefined {
  return Object.prototype.hasOwnProperty.call(AZURE_REFUSES, w.kind) ? AZURE_REFUSES[w.kind as RefusedKind] : undefined;
}

/**
 * Splits the rollout findings between two synths into blocked changes (Azure refuses them) and warnings. A blocked
 * change whose rule the head stack waives (its config's `waivers`, recorded in the stack's metadata) becomes a
 * warning that carries the waiver.
 */
export function reviewRollout(base: ReadonlyMap<string, SynthStack>, head: ReadonlyMap<string, SynthStack>): RolloutReview {
  const blocked: RolloutFinding[] = [];
  const warnings: RolloutFinding[] = [];
  for (const w of rolloutWarnings(base, head)) {
    const refused = refusal(w);
    if (!refused) {
      warnings.push(w);
      continue;
    }
    const waiver = head.get(w.stack)?.rolloutWaivers.find((x) => x.rule === refused.rule);
    if (waiver) warnings.push({ ...w, waiver: { rule: waiver.rule, reason: waiver.reason } });
    else blocked.push(w);
  }
  return { blocked, warnings };
}
