import { MachineLearningComputeCluster } from "@cdktf/provider-azurerm/lib/machine-learning-compute-cluster";
import { TerraformVariable, Testing } from "cdktf";
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

  test.each<[string, unknown]>([
    ["local_auth_enabled", false],
    ["ssh_public_access_enabled", false],
    ["vm_priority", "Dedicated"],
    ["location", "westeurope"],
  ])("security and Azure contract setting %s = %p", (attribute, expected) => {
    const cluster: any = Object.values(JSON.parse(synth()).resource.azurerm_machine_learning_compute_cluster)[0];
    expect(cluster[attribute]).toEqual(expected);
  });

  // Azure returns the size upper-cased, and azurerm compares it case-sensitively as ForceNew (azurerm #17562): any
  // other casing would plan a replacement of the cluster on every run.
  test.each([
    ["Standard_D4s_v3", "STANDARD_D4S_V3"],
    ["standard_nc6s_v3", "STANDARD_NC6S_V3"],
  ])("vm_size %s is sent upper-cased, as %s", (vmSize, sent) => {
    const cluster = resourceAt(JSON.parse(synth({ vmSize })), "azurerm_machine_learning_compute_cluster", "compute/cluster");
    expect(cluster.vm_size).toBe(sent);
  });

  test("a vm_size known only at apply time is upper-cased by Terraform", () => {
    const stack = newStack();
    const size = new TerraformVariable(stack, "size", { type: "string" });
    new ComputeCluster(stack, "compute", { ...base, vmSize: size.stringValue });
    const cluster = resourceAt(JSON.parse(Testing.synth(stack)), "azurerm_machine_learning_compute_cluster", "compute/cluster");
    expect(cluster.vm_size).toBe("${upper(var.size)}");
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

  test("minNodes equal to maxNodes is a fixed-size cluster; one more is refused", () => {
    expect(synth({ minNodes: 4, maxNodes: 4 })).toHaveResourceWithProperties(MachineLearningComputeCluster, {
      scale_settings: expect.objectContaining({ min_node_count: 4, max_node_count: 4 }),
    });
    expect(() => synth({ minNodes: 5, maxNodes: 4 })).toThrow("ComputeCluster: minNodes: must be <= maxNodes (4) (got 5)");
  });

  test.each([
    [{ maxNodes: 0 }, "ComputeCluster: maxNodes: must be a whole number from 1 to 1000 (got 0)"],
    [{ maxNodes: 1001 }, "ComputeCluster: maxNodes: must be a whole number from 1 to 1000 (got 1001)"],
    [{ minNodes: -1 }, "ComputeCluster: minNodes: must be a whole number from 0 to 1000 (got -1)"],
    [{ idleTimeBeforeScaleDown: "PT0S" }, 'ComputeCluster: idleTimeBeforeScaleDown: must be an ISO-8601 duration longer than zero, such as PT2M (got "PT0S")'],
  ])("refuses %p", (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  test("the bounds 1 and 1000 nodes are accepted", () => {
    expect(() => synth({ maxNodes: 1 })).not.toThrow();
    expect(() => synth({ minNodes: 1000, maxNodes: 1000 })).not.toThrow();
  });

  test("every invalid prop is reported in one error", () => {
    expect(() => synth({ minNodes: 7, maxNodes: 0, idleTimeBeforeScaleDown: "PT-5M" })).toThrow(
      [
        "ComputeCluster: maxNodes: must be a whole number from 1 to 1000 (got 0)",
        "ComputeCluster: minNodes: must be <= maxNodes (0) (got 7)",
        'ComputeCluster: idleTimeBeforeScaleDown: must be an ISO-8601 duration longer than zero, such as PT2M (got "PT-5M")',
      ].join("\n"),
    );
  });
});
