import * as fs from "node:fs";
import * as path from "node:path";
import {
  classifyActions,
  classifyPlan,
  countActions,
  parsePlanJson,
  ReviewInputError,
  stackNameFromPath,
  summaryLine,
} from "../../lib/review/plan";
import { perFile } from "../helpers/shared";
import { classify, loadPlanJson, PLANS, rawPlan } from "./helpers";

/** Terraform's own summary line from the text rendering of the same plan file. */
function terraformSummary(stack: string): string | undefined {
  const text = fs.readFileSync(path.join(PLANS, `${stack}.txt`), "utf8");
  return text.split("\n").find((line) => line.startsWith("Plan: "));
}

describe("classifyActions", () => {
  it.each([
    [["create"], "create", "create"],
    [["update"], "update", "update in place"],
    [["delete"], "delete", "destroy"],
    [["delete", "create"], "replace", "replace (destroy, then create)"],
    [["create", "delete"], "replace", "replace (create, then destroy)"],
    [["forget"], "forget", "forget (removed from state, not destroyed)"],
    [["create", "forget"], "forget", "create a replacement, then forget the old object"],
    [["no-op"], "no-op", "no change"],
    [["read"], "read", "read"],
  ])("%j is %s", (actions, kind, label) => {
    expect(classifyActions(actions)).toEqual({ kind, label });
  });

  it("treats an action list it does not know as unrecognised, not as a no-op", () => {
    expect(classifyActions(["delete", "delete"])).toEqual({ kind: "unrecognised", label: "unrecognised actions [delete, delete]" });
  });
});

describe("Terraform's counting", () => {
  it("matches the Plan: line terraform printed for the same plan file", () => {
    const prod = classifyPlan(rawPlan("serving-prod"), "serving-prod", "x");
    expect(summaryLine(prod.counts)).toBe(terraformSummary("serving-prod"));
    expect(summaryLine(prod.counts)).toBe("Plan: 4 to add, 0 to change, 0 to destroy.");
  });

  it("counts replacements as add and destroy, imports even when no-op, and adds the forget count", () => {
    const dev = classifyPlan(rawPlan("serving-dev"), "serving-dev", "x");
    expect(dev.counts).toEqual({ import: 2, add: 6, change: 5, destroy: 6, forget: 1 });
    // Terraform 1.11 leaves forgets out of the line; newer releases append them as we do.
    expect(terraformSummary("serving-dev")).toBe("Plan: 2 to import, 6 to add, 5 to change, 6 to destroy.");
    expect(summaryLine(dev.counts)).toBe("Plan: 2 to import, 6 to add, 5 to change, 6 to destroy, 1 to forget.");
  });

  it("leaves out data source reads and no-ops", () => {
    const counts = countActions([
      { mode: "data", actions: ["read"], importing: false },
      { mode: "managed", actions: ["no-op"], importing: false },
      { mode: "managed", actions: ["create", "delete"], importing: false },
    ]);
    expect(counts).toEqual({ import: 0, add: 1, change: 0, destroy: 1, forget: 0 });
  });

  it("has no Plan: line in Terraform's text when nothing changes", () => {
    expect(terraformSummary("state-sttfstatedev")).toBeUndefined();
    expect(classifyPlan(rawPlan("state-sttfstatedev"), "s", "x").counts).toEqual({ import: 0, add: 0, change: 0, destroy: 0, forget: 0 });
  });
});

describe("classifyPlan on the real serving-dev plan", () => {
  const planFixture = perFile(() => classifyPlan(rawPlan("serving-dev"), "serving-dev", "serving-dev.json"));
  let plan: ReturnType<typeof planFixture>;
  beforeEach(() => {
    plan = planFixture();
  });
  const entry = (address: string) => {
    const found = plan.resources.find((r) => r.address === address);
    if (!found) throw new Error(address);
    return found;
  };

  it("sorts resources by address", () => {
    const addresses = plan.resources.map((r) => r.address);
    expect(addresses).toEqual([...addresses].sort());
    expect(addresses[0]).toBe("data.terraform_remote_state.shared");
  });

  it("keeps action_reason and replace_paths of replacements", () => {
    expect(entry("terraform_data.workspace")).toMatchObject({
      kind: "replace",
      actions: ["delete", "create"],
      actionReason: "replace_because_cannot_update",
      replacePaths: [["triggers_replace"]],
    });
    expect(entry("terraform_data.endpoint")).toMatchObject({ kind: "replace", actions: ["create", "delete"] });
    expect(entry("terraform_data.tainted").actionReason).toBe("replace_because_tainted");
    expect(entry("terraform_data.triggered").actionReason).toBe("replace_by_triggers");
  });

  it("knows deletes, forgets, reads, moves and imports", () => {
    expect(entry('terraform_data.models["legacy"]')).toMatchObject({ kind: "delete", actionReason: "delete_because_each_key" });
    expect(entry("terraform_data.storage")).toMatchObject({ kind: "delete", actionReason: "delete_because_no_resource_config" });
    expect(entry("terraform_data.forgotten").kind).toBe("forget");
    expect(entry("data.terraform_remote_state.shared")).toMatchObject({ kind: "read", mode: "data", actionReason: "read_because_config_unknown" });
    expect(entry("terraform_data.identity")).toMatchObject({ kind: "no-op", previousAddress: "terraform_data.old_identity" });
    expect(entry("terraform_data.adopted")).toMatchObject({ kind: "update", importing: true, importId: "adopted-001" });
    expect(entry("terraform_data.adopted_as_is")).toMatchObject({ kind: "no-op", importing: true, importId: "adopted-002" });
  });

  it("diffs updated attributes down to the changed leaf", () => {
    expect(entry("terraform_data.cluster").attributes[0]).toEqual({ path: ["input", "max_node_count"], before: 6, after: 8 });
  });
});

describe("parsePlanJson errors", () => {
  const problem = (text: string): string => {
    try {
      parsePlanJson(text, "plan.json");
    } catch (error) {
      expect(error).toBeInstanceOf(ReviewInputError);
      expect((error as ReviewInputError).source).toBe("plan.json");
      return (error as Error).message;
    }
    throw new Error("no error");
  };

  it("recognises a text plan passed by mistake", () => {
    expect(problem(fs.readFileSync(path.join(PLANS, "serving-dev.txt"), "utf8"))).toBe(
      "this is a text plan, not JSON; use `terraform show -json <planfile>`",
    );
    expect(problem("\u001b[1m  # azurerm_storage_account.sa\u001b[0m will be created")).toMatch(/^this is a text plan/);
  });

  it("rejects format_version 2.0", () => {
    const plan = loadPlanJson("serving-prod");
    plan["format_version"] = "2.0";
    expect(problem(JSON.stringify(plan))).toBe('unsupported format_version "2.0"; plan-review reads format 1.x');
  });

  it("rejects text that is not JSON", () => {
    expect(problem("{ not json")).toMatch(/^not valid JSON \(/);
    expect(problem("")).toBe("file is empty; expected the output of `terraform show -json <planfile>`");
  });

  it("names the other usual mistakes", () => {
    expect(problem("PK\u0003\u0004binary")).toBe("this is a binary plan file; convert it with `terraform show -json <planfile> > plan.json`");
    expect(problem('{"@level":"info","@message":"Terraform 1.11.4","type":"version"}\n{"@level":"info"}')).toMatch(/terraform plan -json` event log/);
    expect(problem(JSON.stringify({ format_version: "1.0", values: { root_module: {} } }))).toBe(
      "this is Terraform state, not a plan; use `terraform show -json <planfile>`",
    );
    expect(problem(JSON.stringify({ resource_changes: [] }))).toMatch(/^not a Terraform plan: no format_version/);
    expect(problem("[]")).toBe("not a Terraform plan: the JSON is not an object");
  });

  it("points at the first malformed field", () => {
    const plan = loadPlanJson("serving-prod");
    plan["resource_changes"][1]["change"]["actions"] = "create";
    expect(problem(JSON.stringify(plan))).toMatch(/^not a valid plan: resource_changes\[1\]\.change\.actions: /);
  });
});

describe("stackNameFromPath", () => {
  it.each([
    ["plans/serving-dev.json", "serving-dev"],
    ["serving-prod.plan.json", "serving-prod"],
    ["state-sttfstatedev.tfplan.json", "state-sttfstatedev"],
    ["cdktf.out/stacks/serving-dev/plan.json", "serving-dev"],
    ["/tmp/x/serving-qa/tfplan.json", "serving-qa"],
  ])("%s -> %s", (file, stack) => {
    expect(stackNameFromPath(file)).toBe(stack);
  });
});

describe("a hand-written plan from the fixture", () => {
  it("gets an unrecognised action into the destructive kinds with its attributes", () => {
    const plan = loadPlanJson("serving-dev");
    const rc = plan["resource_changes"].find((r: { address: string }) => r.address === "terraform_data.cluster");
    rc.change.actions = ["update", "delete"];
    const entry = classify(plan).resources.find((r) => r.address === "terraform_data.cluster")!;
    expect(entry.kind).toBe("unrecognised");
    expect(entry.attributes.map((a) => a.path.join("."))).toContain("input.max_node_count");
  });

  it("reads every fixture without error", () => {
    for (const stack of ["serving-dev", "serving-prod", "state-sttfstatedev"]) expect(rawPlan(stack).format_version).toBe("1.2");
  });
});
