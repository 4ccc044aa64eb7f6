import { MachineLearningComputeCluster } from "@cdktf/provider-azurerm/lib/machine-learning-compute-cluster";
import { Testing } from "cdktf";
import { ComputeCluster, type ComputeClusterProps } from "../../lib/constructs/compute-cluster";
import { newStack, resourceAt } from "../helpers/stacks";

const base: ComputeClusterProps = {
  workspaceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/mlw",
  resourceGroupName: "rg",
  location: "westeurope",
  name: "cpu-cluster",
  vmSize: "STANDARD_D2_V2",
  maxNodes: 4,
};

function synth(props: Partial<ComputeClusterProps> = {}): string {
  const stack = newStack();
  new ComputeCluster(stack, "compute", { ...base, ...props });
  return Testing.synth(stack);
}

describe("ComputeCluster", () => {
  test("defaults: dedicated, scales 0 to max, PT2M idle, its own identity, no local auth, no SSH", () => {
    expect(synth()).toHaveResourceWithProperties(MachineLearningComputeCluster, {
      name: "cpu-cluster",
      vm_size: "STANDARD_D2_V2",
      vm_priority: "Dedicated",
      machine_learning_workspace_id: base.workspaceId,
      scale_settings: { min_node_count: 0, max_node_count: 4, scale_down_nodes_after_idle_duration: "PT2M" },
      local_auth_enabled: false,
      ssh_public_access_enabled: false,
    });
  });

  test("runs as a user-assigned identity of its own, so roles can be granted before it runs a job", () => {
    const json = JSON.parse(synth());
    const identity = resourceAt(json, "azurerm_user_assigned_identity", "compute/identity");
    expect(identity).toMatchObject({ name: "id-cpu-cluster", resource_group_name: "rg", location: "westeurope" });
    expect(resourceAt(json, "azurerm_machine_learning_compute_cluster", "compute/cluster").identity).toEqual({
      type: "UserAssigned",
      identity_ids: [expect.stringMatching(/^\$\{azurerm_user_assigned_identity\.compute_identity_\w+\.id\}$/)],
    });
  });

  test("low priority, node bounds and idle time map to the scale settings", () => {
    expect(
      synth({ vmPriority: "low_priority", minNodes: 1, maxNodes: 8, idleTimeBeforeScaleDown: "PT10M", tags: { a: "b" } }),
    ).toHaveResourceWithProperties(MachineLearningComputeCluster, {
      vm_priority: "LowPriority",
      scale_settings: { min_node_count: 1, max_node_count: 8, scale_down_nodes_after_idle_duration: "PT10M" },
      tags: { a: "b" },
    });
  });

  test("minNodes above maxNodes is refused", () => {
    expect(() => synth({ minNodes: 5, maxNodes: 4 })).toThrow("ComputeCluster: minNodes: must be <= maxNodes (4) (got 5)");
  });

  test("maxNodes below 1 is refused", () => {
    expect(() => synth({ maxNodes: 0 })).toThrow("ComputeCluster: maxNodes: must be a whole number from 1 to 1000 (got 0)");
  });
});
