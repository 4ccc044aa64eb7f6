import { Testing, TerraformStack } from "cdktf";
import { ComputeCluster } from "../../lib/constructs/compute-cluster";
import { MlWorkspace, type MlWorkspaceProps } from "../../lib/constructs/ml-workspace";

/** A fresh empty stack in its own test app. */
export function newStack(id = "test"): TerraformStack {
  return new TerraformStack(Testing.app(), id);
}

/** Props of an ML workspace with fixed names. */
export const workspaceProps: MlWorkspaceProps = {
  resourceGroupName: "rg-test",
  resourceGroupId: "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-test",
  location: "westeurope",
  tenantId: "00000000-0000-0000-0000-000000000001",
  names: {
    workspace: "mlw-test",
    logAnalytics: "log-test",
    appInsights: "appi-test",
    keyVault: "kvtest",
    storageAccount: "sttest",
    containerRegistry: "crtest",
  },
};

/** An ML workspace with fixed names, for constructs that need one. */
export function newWorkspace(stack: TerraformStack): MlWorkspace {
  return new MlWorkspace(stack, "ml", workspaceProps);
}

/** The synthesized stack as parsed JSON. */
export function synthJson(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack));
}

/**
 * The one resource of `type` whose construct path ends with `pathSuffix` (e.g. "ml/key-vault").
 *
 * `Testing.synth` leaves out the `//` metadata, so the path is matched on the logical id cdktf derives from it:
 * the path's parts joined by "_", plus an 8-character hash.
 */
export function resourceAt(json: any, type: string, pathSuffix: string): any {
  // cdktf drops a path part that repeats its parent ("endpoint/endpoint" → "endpoint").
  const wanted = pathSuffix
    .split("/")
    .filter((part, i, parts) => i === 0 || part !== parts[i - 1])
    .join("_");
  const pattern = new RegExp(`(^|_)${wanted.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(_[0-9A-F]{8})?$`);
  const matches = Object.entries(json.resource?.[type] ?? {}).filter(([key]) => pattern.test(key));
  if (matches.length !== 1) {
    throw new Error(`expected one ${type} at *${pathSuffix}, found ${matches.map(([k]) => k).join(", ") || "none"}`);
  }
  return matches[0][1];
}

/** An AmlCompute cluster of 0 to 4 STANDARD_D2_V2 nodes in the workspace, for batch endpoints. */
export function newComputeCluster(stack: TerraformStack, workspace: MlWorkspace): ComputeCluster {
  return new ComputeCluster(stack, "compute", {
    workspaceId: workspace.workspace.id,
    resourceGroupName: "rg-test",
    location: "westeurope",
    name: "cpu-cluster",
    vmSize: "STANDARD_D2_V2",
    maxNodes: 4,
  });
}

/**
 * The stack's azapi resources other than the workspace, which MlWorkspace creates through azapi too; undefined
 * when there are none, like a missing resource type.
 */
export function azapiBesidesWorkspace(json: any): any {
  const entries = Object.entries<any>(json.resource?.azapi_resource ?? {}).filter(([key]) => !/^ml_workspace_[0-9A-F]{8}$/.test(key));
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}
