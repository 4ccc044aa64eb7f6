import { renderPlanReview } from "../../lib/review/markdown";
import { statefulKind } from "../../lib/review/stateful";
import { perFile } from "../helpers/shared";
import { alertBlock, classify, loadPlanJson, resourceChange } from "./helpers";

const ML = "Microsoft.MachineLearningServices/workspaces";

/**
 * The real serving-dev plan with product types swapped in: real plans can only
 * hold terraform_data, and the stateful logic keys on type (and azapi `type`).
 */
function retyped(types: Record<string, { type: string; azapiType?: string }>) {
  const json = loadPlanJson("serving-dev");
  for (const [address, { type, azapiType }] of Object.entries(types)) {
    const rc = resourceChange(json, address);
    rc["type"] = type;
    if (azapiType !== undefined) {
      for (const side of ["before", "after"]) if (rc["change"][side]) rc["change"][side]["type"] = azapiType;
    }
  }
  return json;
}

describe("statefulKind", () => {
  it.each([
    ["azurerm_machine_learning_workspace", undefined, "Machine Learning workspace"],
    ["azurerm_storage_account", undefined, "storage account"],
    ["azurerm_storage_container", undefined, "storage container"],
    ["azurerm_key_vault", undefined, "key vault"],
    ["azurerm_container_registry", undefined, "container registry"],
    ["azurerm_log_analytics_workspace", undefined, "Log Analytics workspace"],
    ["azurerm_role_assignment", undefined, "role assignment"],
    ["azurerm_user_assigned_identity", undefined, "user-assigned identity"],
    ["azapi_resource", `${ML}/onlineEndpoints@2025-12-01`, "online endpoint"],
    ["azapi_resource", `${ML}/onlineEndpoints/deployments@2025-12-01`, "online deployment"],
    ["azapi_resource", `${ML}/models/versions@2025-12-01`, "model version"],
    ["azapi_resource", `${ML}/environments/versions@2025-12-01`, "environment version"],
    ["azapi_resource", `${ML}/codes/versions@2025-12-01`, "code version"],
    ["azapi_resource", "microsoft.machinelearningservices/WORKSPACES@2024-04-01", "Machine Learning workspace"],
  ])("%s %s is a %s", (type, azapiType, label) => {
    expect(statefulKind(type, azapiType)?.label).toBe(label);
  });

  it.each([
    ["azurerm_machine_learning_compute_cluster", undefined],
    ["azurerm_monitor_autoscale_setting", undefined],
    ["azapi_update_resource", `${ML}/onlineEndpoints@2025-12-01`],
    ["azapi_resource", `${ML}/computes@2025-12-01`],
    ["azapi_resource", undefined],
    ["terraform_data", undefined],
  ])("%s %s holds nothing to lose", (type, azapiType) => {
    expect(statefulKind(type, azapiType)).toBeUndefined();
  });
});

describe("destructive changes to resources that hold data or identity", () => {
  const jsonFixture = perFile(() => retyped({
    "terraform_data.workspace": { type: "azurerm_machine_learning_workspace" },
    "terraform_data.storage": { type: "azurerm_storage_account" },
    "terraform_data.endpoint": { type: "azapi_resource", azapiType: `${ML}/onlineEndpoints@2025-12-01` },
    'terraform_data.models["legacy"]': { type: "azapi_resource", azapiType: `${ML}/models/versions@2025-12-01` },
    "terraform_data.triggered": { type: "azurerm_role_assignment" },
    "terraform_data.cluster": { type: "azurerm_key_vault" },
  }));
  let json: ReturnType<typeof jsonFixture>;
  let text: string;
  let block: string[];
  beforeEach(() => {
    json = jsonFixture();
    text = renderPlanReview([classify(json)]);
    block = alertBlock(text, "WARNING");
  });

  it("counts them in the warning's first line", () => {
    expect(block[0]).toBe("**6 destructive changes**, 5 to resources that hold data or identity. Check that each one is intended.");
  });

  it("calls each one out by type, before the others", () => {
    expect(block.filter((l) => l.startsWith("- **"))).toEqual([
      "- **replace (create, then destroy)** `terraform_data.endpoint` · **online endpoint** (identity: scoring URI and keys change for every client) · `Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2025-12-01`",
      '- **destroy** `terraform_data.models["legacy"]` · **model version** (registered model artifact) · `Microsoft.MachineLearningServices/workspaces/models/versions@2025-12-01`',
      "- **destroy** `terraform_data.storage` · **storage account** (holds data)",
      "- **replace (destroy, then create)** `terraform_data.triggered` · **role assignment** (grants access)",
      "- **replace (destroy, then create)** `terraform_data.workspace` · **Machine Learning workspace** (holds models, data assets and job history)",
      "- **replace (destroy, then create)** `terraform_data.tainted`",
    ]);
  });

  it("tags an update in place of a stateful resource without warning about it", () => {
    expect(text).toContain("#### Updated in place (5)");
    expect(text).toContain("- `terraform_data.cluster` · **key vault** (holds secrets, keys and certificates)\n  - `input.max_node_count`");
    expect(block.join("\n")).not.toContain("terraform_data.cluster");
  });

  it("shows the summary table's stateful count with several stacks", () => {
    const both = renderPlanReview([classify(json), classify(loadPlanJson("serving-prod"), "serving-prod")]);
    expect(both).toContain("| ⚠️ 6 (5 hold data or identity) |");
  });
});
