import { TerraformStack, Testing } from "cdktf";
import { GuardrailRecord } from "../../lib/guardrails/guardrail-record";
import { applyGuardrails, checkGuardrails } from "../../lib/guardrails/guardrails";
import { numberAt, resourcesOf, UNKNOWN } from "../../lib/guardrails/stack-view";
import { compliantEndpoint, newStack } from "./helpers";

// Guardrail outcomes as recorded and reported: which findings carry a reason, and the order of stacks, findings and
// resources that reviewers and the plan-review tool read.

describe("GuardrailRecord", () => {
  test("records a reason only on waived findings, and no reason key when a waived finding has none", () => {
    const stack = newStack();
    const record = new GuardrailRecord(stack, "record", {
      outcome: () => ({
        stack: "serving-dev",
        findings: [
          { rule: "endpoint-key-auth", severity: "error", path: "serving-dev/a", message: "m1", waived: true, reason: "legacy client" },
          { rule: "endpoint-public", severity: "error", path: "serving-dev/b", message: "m2", waived: false, reason: "stray" },
          { rule: "storage-tls", severity: "warning", path: "serving-dev/c", message: "m3", waived: true },
        ],
        waivers: [{ rule: "endpoint-key-auth", reason: "legacy client" }],
      }),
    });
    expect(record.toMetadata()).toStrictEqual({
      guardrails: {
        findings: [
          { rule: "endpoint-key-auth", severity: "error", path: "serving-dev/a", message: "m1", waived: true, reason: "legacy client" },
          { rule: "endpoint-public", severity: "error", path: "serving-dev/b", message: "m2", waived: false },
          { rule: "storage-tls", severity: "warning", path: "serving-dev/c", message: "m3", waived: true },
        ],
        waivers: [{ rule: "endpoint-key-auth", reason: "legacy client" }],
      },
    });
  });
});

describe("finding order", () => {
  test("findings are sorted by resource path, and on one resource by rule order", () => {
    const stack = newStack("serving-dev");
    // Built in the opposite order of their paths: "zeta" first.
    compliantEndpoint(stack, "zeta", { properties: { authMode: "Key" } });
    compliantEndpoint(stack, "alpha", { name: "churn-alpha", properties: { publicNetworkAccess: "Enabled" }, identity: null });
    const aspect = applyGuardrails(stack);
    expect(aspect.evaluate().findings.map((f) => `${f.path} ${f.rule}`)).toEqual([
      "serving-dev/alpha endpoint-public",
      "serving-dev/alpha endpoint-identity",
      "serving-dev/alpha diagnostics-missing",
      "serving-dev/zeta endpoint-key-auth",
      "serving-dev/zeta diagnostics-missing",
    ]);
  });

  test("stacks are reported in name order, not in the order they were built", () => {
    const app = Testing.app();
    newStack("serving-prod", app);
    newStack("serving-dev", app);
    newStack("serving-qa", app);
    expect(checkGuardrails(app).stacks.map((s) => s.stack)).toEqual(["serving-dev", "serving-prod", "serving-qa"]);
  });
});

describe("stack view", () => {
  test("resources of a stack nested in the stack are not the outer stack's", () => {
    const outer = newStack("serving-dev");
    compliantEndpoint(outer, "outer-endpoint");
    const inner = new TerraformStack(outer, "inner");
    compliantEndpoint(inner, "inner-endpoint");
    expect(resourcesOf(outer).map((v) => v.path)).toEqual(["serving-dev/outer-endpoint"]);
  });

  test("a list is not a number, even when its one item reads like one", () => {
    expect(numberAt({ sku: { capacity: [7] } }, ["sku", "capacity"])).toBe(UNKNOWN);
    expect(numberAt({ sku: { capacity: "7" } }, ["sku", "capacity"])).toBe(7);
  });
});
