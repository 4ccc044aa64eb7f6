import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { Construct } from "constructs";
import { RolePropagation } from "../../lib/constructs/role-propagation";
import { newStack, resourceAt, synthJson } from "../helpers/stacks";

function grants(scope: Construct, count: number): RoleAssignment[] {
  return Array.from({ length: count }, (_, i) => new RoleAssignment(scope, `grant-${i}`, { scope: "/s", roleDefinitionName: "Reader", principalId: `p${i}` }));
}

describe("RolePropagation", () => {
  test("is a time_sleep after every assignment, 120 s unless told otherwise, re-created when one is replaced", () => {
    const stack = newStack();
    new RolePropagation(stack, "ready", { roleAssignments: grants(stack, 2) });
    const sleep = resourceAt(synthJson(stack), "time_sleep", "ready/wait");
    expect(sleep).toEqual({
      create_duration: "120s",
      depends_on: ["azurerm_role_assignment.grant-0", "azurerm_role_assignment.grant-1"],
      triggers: {
        role_assignment_0: "${azurerm_role_assignment.grant-0.id}",
        role_assignment_1: "${azurerm_role_assignment.grant-1.id}",
      },
    });
  });

  test("an assignment with count has no single id to trigger on: it is waited for but not a trigger", () => {
    const stack = newStack();
    const [plain, counted] = grants(stack, 2);
    counted.count = 1;
    new RolePropagation(stack, "ready", { roleAssignments: [plain, counted], delaySeconds: 30 });
    const sleep = resourceAt(synthJson(stack), "time_sleep", "ready/wait");
    expect(sleep.create_duration).toBe("30s");
    expect(sleep.depends_on).toHaveLength(2);
    expect(Object.keys(sleep.triggers)).toEqual(["role_assignment_0"]);
  });

  test("adds the time provider once per stack, bounded below 1.0", () => {
    const stack = newStack();
    new RolePropagation(stack, "a", { roleAssignments: grants(stack, 1) });
    new RolePropagation(stack, "b", { roleAssignments: [] });
    const json = synthJson(stack);
    expect(json.terraform.required_providers.time).toEqual({ source: "hashicorp/time", version: "~> 0.13" });
    expect(json.provider.time).toHaveLength(1);
  });

  test.each([0, 3601, 1.5])("refuses a delay of %p seconds", (delaySeconds) => {
    const stack = newStack();
    expect(() => new RolePropagation(stack, "ready", { roleAssignments: [], delaySeconds })).toThrow(
      `RolePropagation: delaySeconds: must be a whole number from 1 to 3600 (got ${delaySeconds})`,
    );
  });
});
