import { TerraformOutput, TerraformStack, Testing } from "cdktf";
import { AzapiResourceAction, MlResourceType, MlWorkspaceAction, type ManagedNetworkProvisionOptions } from "../../lib/azapi";
import { validateAzapiActionBody, validateSynthesizedAzapiBodies } from "../helpers/azapi-schema";

const WORKSPACE_ID =
  "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw-prod";

function newStack(): TerraformStack {
  return new TerraformStack(Testing.app(), "test");
}

describe("AzapiResourceAction", () => {
  test("synthesizes azapi_resource_action with the azapi attribute names", () => {
    const stack = newStack();
    const body: ManagedNetworkProvisionOptions = { includeSpark: false };
    const action = new AzapiResourceAction(stack, "provision", {
      type: MlResourceType.workspace,
      resourceId: WORKSPACE_ID,
      action: MlWorkspaceAction.provisionManagedNetwork,
      method: "POST",
      body,
      when: "apply",
      locks: [WORKSPACE_ID],
      retry: { errorMessageRegex: ["Conflict"], intervalSeconds: 20 },
      timeouts: { create: "60m" },
    });
    new TerraformOutput(stack, "action_id", { value: action.id });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.resource.azapi_resource_action.provision).toEqual({
      type: "Microsoft.MachineLearningServices/workspaces@2025-12-01",
      resource_id: WORKSPACE_ID,
      action: "provisionManagedNetwork",
      method: "POST",
      body: { includeSpark: false },
      when: "apply",
      locks: [WORKSPACE_ID],
      retry: { error_message_regex: ["Conflict"], interval_seconds: 20 },
      timeouts: { create: "60m" },
    });
    expect(json.output.action_id.value).toBe("${azapi_resource_action.provision.id}");
  });

  test("omits what is not set: a bare action has type and resource_id only", () => {
    const stack = newStack();
    new AzapiResourceAction(stack, "bare", { type: MlResourceType.workspace, resourceId: WORKSPACE_ID });
    expect(JSON.parse(Testing.synth(stack)).resource.azapi_resource_action.bare).toEqual({
      type: "Microsoft.MachineLearningServices/workspaces@2025-12-01",
      resource_id: WORKSPACE_ID,
    });
  });

  test("renders as HCL", () => {
    const stack = newStack();
    new AzapiResourceAction(stack, "provision", {
      type: MlResourceType.workspace,
      resourceId: WORKSPACE_ID,
      action: MlWorkspaceAction.provisionManagedNetwork,
      body: { includeSpark: false },
      timeouts: { create: "60m" },
    });
    const hcl = Testing.synthHcl(stack);
    expect(hcl).toContain('resource "azapi_resource_action" "provision" {');
    expect(hcl).toContain('action = "provisionManagedNetwork"');
    expect(hcl).toMatch(/body = \{\s*includeSpark = false\s*\}/);
    expect(hcl).toMatch(/timeouts \{\s*create = "60m"\s*\}/);
  });
});

describe("action bodies against the vendored schema", () => {
  test("provisionManagedNetwork takes ManagedNetworkProvisionOptions", () => {
    expect(validateAzapiActionBody(MlResourceType.workspace, "provisionManagedNetwork", { includeSpark: false })).toEqual([]);
    expect(validateAzapiActionBody(MlResourceType.workspace, "provisionManagedNetwork", {})).toEqual([]);
    expect(validateAzapiActionBody(MlResourceType.workspace, "provisionManagedNetwork", { includeSpark: "no" })).toEqual([
      'includeSpark: expected boolean, got string',
    ]);
    expect(validateAzapiActionBody(MlResourceType.workspace, "provisionManagedNetwork", { spark: true })).toEqual([
      "spark: unknown property; ManagedNetworkProvisionOptions allows includeSpark",
    ]);
  });

  test("an action the vendored schema does not hold is reported, not passed", () => {
    expect(validateAzapiActionBody(MlResourceType.workspace, "resyncKeys", {})).toEqual([
      'action: unknown action "resyncKeys" of "Microsoft.MachineLearningServices/workspaces@2025-12-01" (add it to RESOURCE_FUNCTIONS in scripts/vendor-schema.js)',
    ]);
  });

  test("synthesized actions are validated with the other azapi resources", () => {
    const stack = newStack();
    new AzapiResourceAction(stack, "good", { type: MlResourceType.workspace, resourceId: WORKSPACE_ID, action: "provisionManagedNetwork", body: { includeSpark: true } });
    new AzapiResourceAction(stack, "bad", { type: MlResourceType.workspace, resourceId: WORKSPACE_ID, action: "provisionManagedNetwork", body: { includeSpark: 1 } });
    expect(validateSynthesizedAzapiBodies(Testing.synth(stack))).toEqual(["azapi_resource_action.bad: includeSpark: expected boolean, got integer"]);
  });
});
