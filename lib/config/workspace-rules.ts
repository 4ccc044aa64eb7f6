/**
 * The workspace an environment serves from (one it creates, or an existing one), its compute, and its endpoints in
 * one form or the other.
 *
 * Run by the schema as a refinement of the whole file that also runs when other fields are wrong, like
 * `checkNetwork`: any field may still be missing or of the wrong type (the schema reports those), so every read is
 * checked, and a field counts as written when it is present in the file.
 */
import type { NetworkReport } from "./network-rules";

/** Settings of a workspace this stack creates, which mean nothing for an existing one: field path and what to say. */
const CREATED_WORKSPACE_ONLY: readonly [readonly string[], string][] = [
  [["workspace", "public_network_access"], "the existing workspace's network access is its own"],
  [["workspace", "description"], "the existing workspace keeps its own description"],
  [["workspace", "storage_shared_key_access"], "the existing workspace's storage keeps its own key setting"],
  [["monitoring", "log_retention_days"], "no Log Analytics workspace is created: diagnostics go to the one behind the workspace's Application Insights"],
];

export function checkWorkspaceShape(file: unknown, report: NetworkReport): void {
  const config = record(file);
  const workspace = record(config.workspace);
  const existing = typeof workspace.existing_id === "string";

  if (config.endpoint !== undefined && config.endpoints !== undefined) {
    report(
      ["endpoints"],
      "must not be given together with endpoint: list every endpoint under endpoints (the one from endpoint with moved_from_endpoint: true, which keeps its Terraform addresses), or keep endpoint alone",
    );
  }
  if (Array.isArray(config.endpoints)) {
    const moved = config.endpoints.map((e, i) => [i, record(e).moved_from_endpoint] as const).filter(([, m]) => m === true);
    for (const [i] of moved.slice(1)) {
      report(["endpoints", i, "moved_from_endpoint"], `must be true on one endpoint at most: endpoints[${moved[0][0]}] already keeps the addresses of endpoint`, true);
    }
  }

  const compute = config.compute;
  const computeRecord = record(compute);
  if (existing) {
    for (const [path, why] of CREATED_WORKSPACE_ONLY) {
      const value = record(config[path[0]])[path[1]];
      if (value !== undefined) report(path, `must be left out with workspace.existing_id: ${why}`, value);
    }
    const network = record(config.network);
    if (network.isolation === "private") {
      report(["network", "isolation"], "must be left out with workspace.existing_id: the existing workspace's network isolation is its own, and not checked here", network.isolation);
    }
    for (const field of ["outbound", "allowed_fqdns", "client_subnet", "deployer_ip_ranges"]) {
      if (network[field] !== undefined) {
        report(["network", field], "must be left out with workspace.existing_id: the existing workspace's network isolation is its own, and not checked here", network[field]);
      }
    }
  } else if (computeRecord.existing === true) {
    report(["compute", "existing"], "must be left out unless workspace.existing_id is set: a cluster can exist already only in an existing workspace", true);
  }

  if (compute === undefined) {
    if (!existing) {
      report(["compute"], "is required: the environment's AmlCompute cluster (name, vm_size, max_nodes); only an environment in an existing workspace may go without", undefined);
    } else if (Array.isArray(config.batch) && config.batch.length > 0) {
      report(["compute"], "is required with batch endpoints: their jobs run on it (set compute.existing: true to use a cluster the workspace has)", undefined);
    }
  } else if (computeRecord.existing === true) {
    for (const field of ["vm_size", "max_nodes", "min_nodes", "vm_priority", "idle_time_before_scale_down"]) {
      if (computeRecord[field] !== undefined) {
        report(["compute", field], "must be left out with compute.existing: the cluster exists with its own settings", computeRecord[field]);
      }
    }
  } else if (isRecord(compute)) {
    for (const field of ["vm_size", "max_nodes"]) {
      if (computeRecord[field] === undefined) report(["compute", field], "is required", undefined);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}
