import { deploymentCores, familyKey, instanceType, LOW_PRIORITY_QUOTA } from "../config/instance-types";
import { ArmType, azapiOfType, lookup, numberAt, refersTo, stringAt, UNKNOWN, type ResourceView } from "./stack-view";

/**
 * The VM cores a stack holds, per quota family: at the fewest instances, at the starting count and at the most,
 * summed over online deployments and the compute cluster. Read from the synthesized resources (deployment bodies,
 * autoscale profiles, the cluster's scale settings), like every guardrail, so it describes what Terraform will apply.
 *
 * Managed online deployments hold Azure ML's upgrade reserve: N instances take ceil(1.2 × N) × vCPUs of quota,
 * except the sizes marked "Skip 20% Reservation" in the SKU list. The cluster takes nodes × vCPUs.
 * @see https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas#virtual-machine-quota-allocation-for-deployment
 */

/** Instance counts of one user of cores. */
export interface InstanceRange {
  readonly min: number;
  readonly start: number;
  readonly max: number;
}

/** One deployment or cluster and the cores it holds. */
export interface CapacityUse {
  readonly kind: "online-deployment" | "compute-cluster";
  /** Deployment or cluster name. */
  readonly name: string;
  readonly vmSize: string;
  /** Quota family; `lowPriorityCores` for low-priority cluster nodes; undefined for a size this project does not know. */
  readonly family?: string;
  readonly vCpus?: number;
  /** Whether the 20 % upgrade reserve applies (online deployments of most sizes). */
  readonly upgradeReserve: boolean;
  readonly instances: InstanceRange;
  /** Quota cores, reserve included; undefined when the size is unknown. */
  readonly cores?: InstanceRange;
}

/** The cores of one family, summed, and its quota when the config gives one. */
export interface CapacityFamily {
  readonly family: string;
  readonly cores: InstanceRange;
  readonly quota?: number;
  /** Names of the deployments and the cluster that draw on it. */
  readonly usedBy: readonly string[];
}

/** A stack's capacity table. */
export interface CapacityTable {
  readonly families: readonly CapacityFamily[];
  readonly uses: readonly CapacityUse[];
}

/** One use and the resource it was read from, for findings. */
export interface LocatedUse {
  readonly use: CapacityUse;
  readonly resource: ResourceView;
}

/** Every online deployment and compute cluster of a stack whose size and counts are known before apply. */
export function capacityUses(resources: readonly ResourceView[]): LocatedUse[] {
  const located: LocatedUse[] = [];
  const settings = resources.filter((r) => r.type === "azurerm_monitor_autoscale_setting");
  for (const d of azapiOfType(resources, ArmType.onlineDeployment)) {
    const name = d.attrs["name"];
    const size = stringAt(d.attrs, ["body", "properties", "instanceType"]);
    const capacity = numberAt(d.attrs, ["body", "sku", "capacity"]);
    if (typeof name !== "string" || typeof size !== "string" || capacity === UNKNOWN) continue;
    const start = capacity ?? 1;
    const profiles = settings
      .filter((s) => refersTo(s.attrs["target_resource_id"], d.address))
      .flatMap((s) => {
        const p = lookup(s.attrs, ["profile"]);
        return Array.isArray(p) ? p : p === undefined || p === UNKNOWN ? [] : [p];
      });
    const minimums = profiles.map((p) => numberAt(p, ["capacity", "minimum"])).filter((n): n is number => typeof n === "number");
    const maximums = profiles.map((p) => numberAt(p, ["capacity", "maximum"])).filter((n): n is number => typeof n === "number");
    const instances = {
      min: minimums.length > 0 ? Math.min(...minimums) : start,
      start,
      max: maximums.length > 0 ? Math.max(...maximums) : start,
    };
    const type = instanceType(size);
    located.push({
      resource: d,
      use: {
        kind: "online-deployment",
        name,
        vmSize: size,
        family: type?.family,
        vCpus: type?.vCpus,
        upgradeReserve: type?.upgradeReserve ?? true,
        instances,
        cores: type && { min: deploymentCores(type, instances.min), start: deploymentCores(type, instances.start), max: deploymentCores(type, instances.max) },
      },
    });
  }
  for (const c of resources.filter((r) => r.type === "azurerm_machine_learning_compute_cluster")) {
    const name = stringAt(c.attrs, ["name"]);
    const size = stringAt(c.attrs, ["vm_size"]);
    const min = numberAt(c.attrs, ["scale_settings", "min_node_count"]);
    const max = numberAt(c.attrs, ["scale_settings", "max_node_count"]);
    if (typeof name !== "string" || typeof size !== "string" || typeof max !== "number" || min === UNKNOWN) continue;
    const lowPriority = stringAt(c.attrs, ["vm_priority"]) === "LowPriority";
    const type = instanceType(size);
    // The cluster starts with its minimum and grows only while jobs run.
    const instances = { min: min ?? 0, start: min ?? 0, max };
    located.push({
      resource: c,
      use: {
        kind: "compute-cluster",
        name,
        vmSize: size,
        family: type && (lowPriority ? LOW_PRIORITY_QUOTA : type.family),
        vCpus: type?.vCpus,
        upgradeReserve: false,
        instances,
        cores: type && { min: instances.min * type.vCpus, start: instances.start * type.vCpus, max: instances.max * type.vCpus },
      },
    });
  }
  return located;
}

/** The capacity table of a stack, with each family's quota from `quota` (keys matched ignoring case and spaces). */
export function capacityTable(uses: readonly CapacityUse[], quota: Readonly<Record<string, number>> = {}): CapacityTable {
  const families = new Map<string, { cores: { min: number; start: number; max: number }; usedBy: string[] }>();
  for (const use of uses) {
    if (use.family === undefined || use.cores === undefined) continue;
    const entry = families.get(use.family) ?? { cores: { min: 0, start: 0, max: 0 }, usedBy: [] };
    entry.cores.min += use.cores.min;
    entry.cores.start += use.cores.start;
    entry.cores.max += use.cores.max;
    entry.usedBy.push(use.name);
    families.set(use.family, entry);
  }
  const quotaOf = (family: string) => Object.entries(quota).find(([key]) => familyKey(key) === familyKey(family))?.[1];
  return {
    families: [...families.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([family, entry]) => {
        const limit = quotaOf(family);
        return { family, cores: entry.cores, ...(limit !== undefined ? { quota: limit } : {}), usedBy: entry.usedBy };
      }),
    uses: [...uses],
  };
}

/** How one use's cores come about, e.g. "blue 3..10 × 4 vCPUs, ceil(1.2 × 10) = 12 → 48". */
export function describeUse(use: CapacityUse): string {
  const { min, start, max } = use.instances;
  const range = min === max ? `${max}` : `${min}..${max} (start ${start})`;
  if (use.vCpus === undefined || use.cores === undefined) return `${use.name}: ${range} × ${use.vmSize} (size not in lib/config/instance-types.ts)`;
  const reserve = use.upgradeReserve && use.kind === "online-deployment" ? `, ceil(1.2 × ${max}) = ${use.cores.max / use.vCpus} with the upgrade reserve` : "";
  return `${use.name}: ${range} × ${use.vmSize} (${use.vCpus} vCPUs)${reserve} → ${use.cores.max} cores at most`;
}

/**
 * The capacity table as terminal text: one line per family, then how each deployment and the cluster count.
 */
export function formatCapacityTable(stack: string, table: CapacityTable, configFile?: string): string {
  const header = ["VM family", "cores at min", "at start", "at max", "quota"];
  const rows = table.families.map((f) => [
    f.family,
    String(f.cores.min),
    String(f.cores.start),
    String(f.cores.max),
    f.quota === undefined ? "-" : `${f.quota}${f.cores.max > f.quota ? " EXCEEDED" : ""}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")}`.trimEnd();
  return [
    `capacity of ${stack}${configFile ? ` (${configFile})` : ""}: quota cores per VM family, online deployments with Azure ML's 20 % upgrade reserve`,
    line(header),
    ...rows.map(line),
    ...table.uses.map((u) => `  - ${describeUse(u)}`),
  ].join("\n");
}
