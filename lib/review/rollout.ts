/**
 * Rollout warnings: changes between two synths that Azure refuses, or that replace something holding data, identity
 * or capacity. They are read from the synthesized JSON only (azapi `type`, `name`, `parent_id` and bodies; azurerm
 * attributes), so they work without credentials and whatever construct ids the resources have.
 */

import { AttributeChange, deepEqual, diffValues } from "./diff";
import { AZURERM_FORCE_NEW, forcesReplacement } from "./force-new";
import { compareText } from "./plan";
import { armTypeOf, LIKELY_REPLACING_ATTRIBUTES, statefulKind } from "./stateful";
import { SynthResource, SynthStack } from "./synth";

const ML = "microsoft.machinelearningservices/workspaces";
const DEPLOYMENT = `${ML}/onlineendpoints/deployments`;
const ENDPOINT = `${ML}/onlineendpoints`;
const VERSIONS: Readonly<Record<string, string>> = {
  [`${ML}/models/versions`]: "model",
  [`${ML}/environments/versions`]: "environment",
  [`${ML}/codes/versions`]: "code",
};
/** Properties of an asset version that Azure lets change after creation; everything else is its definition. */
const MUTABLE_VERSION_KEYS: ReadonlySet<string> = new Set(["isArchived", "description", "tags"]);

/** A deployment that head removes while base still routes live or mirrored requests to it. */
export interface LiveDeploymentRemoved {
  readonly kind: "live-deployment-removed";
  readonly stack: string;
  readonly address: string;
  readonly constructPath?: string;
  readonly deployment: string;
  readonly trafficPercent: number;
  readonly mirrorTrafficPercent: number;
}

/** A model, environment or code version whose definition changes while its version stays: Azure refuses it. */
export interface ImmutableVersionChanged {
  readonly kind: "immutable-version-changed";
  readonly stack: string;
  readonly address: string;
  readonly constructPath?: string;
  readonly asset: "model" | "environment" | "code";
  readonly name: string;
  readonly version: string;
  readonly changes: readonly AttributeChange[];
}

/** A change to an attribute that forces replacement of a resource holding data, identity or capacity. */
export interface ForcedReplacement {
  readonly kind: "forced-replacement";
  readonly stack: string;
  readonly address: string;
  readonly constructPath?: string;
  readonly label: string;
  readonly loses: string;
  /** Whose rule forces it: the azurerm schema's ForceNew (force-new.ts), or azapi's name, parent and location. */
  readonly rule: "azurerm ForceNew" | "azapi";
  readonly changes: readonly AttributeChange[];
}

export type RolloutWarning = LiveDeploymentRemoved | ImmutableVersionChanged | ForcedReplacement;

const armType = (r: SynthResource): string | undefined =>
  typeof r.config["type"] === "string" ? armTypeOf(r.config["type"]).toLowerCase() : undefined;
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const where = (r: SynthResource) => ({ address: r.address, ...(r.constructPath !== undefined ? { constructPath: r.constructPath } : {}) });

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
      out.push({ kind: "live-deployment-removed", stack: name, ...where(d), deployment, trafficPercent, mirrorTrafficPercent });
    }
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
      out.push({
        kind: "immutable-version-changed",
        stack: name,
        ...where(h),
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
      stack: name,
      ...where(h),
      label: entry?.label ?? azapiKind!.label,
      loses: entry?.loses ?? azapiKind!.risk,
      rule: entry ? "azurerm ForceNew" : "azapi",
      changes: attributes.map((a) => ({ path: [a], before: b.config[a], after: h.config[a] })),
    });
  }
  return out;
}

/**
 * Every rollout warning between two synths, stack by stack (stacks present in both; a removed stack is reported by
 * the synth diff itself), in the order: live deployments removed, immutable versions changed, forced replacements.
 */
export function rolloutWarnings(base: ReadonlyMap<string, SynthStack>, head: ReadonlyMap<string, SynthStack>): RolloutWarning[] {
  const names = [...head.keys()].filter((n) => base.has(n)).sort(compareText);
  const pairs = names.map((n) => [n, base.get(n)!, head.get(n)!] as const);
  return [
    ...pairs.flatMap(([n, b, h]) => liveDeploymentsRemoved(n, b, h)),
    ...pairs.flatMap(([n, b, h]) => immutableVersionsChanged(n, b, h)),
    ...pairs.flatMap(([n, b, h]) => forcedReplacements(n, b, h)),
  ];
}
