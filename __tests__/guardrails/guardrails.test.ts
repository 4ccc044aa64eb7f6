import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ContainerRegistry } from "@cdktf/provider-azurerm/lib/container-registry";
import { MonitorAutoscaleSetting } from "@cdktf/provider-azurerm/lib/monitor-autoscale-setting";
import { MonitorDiagnosticSetting } from "@cdktf/provider-azurerm/lib/monitor-diagnostic-setting";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { AnnotationMetadataEntryType, TerraformStack, TerraformVariable, Testing } from "cdktf";
import {
  applyGuardrails,
  checkGuardrails,
  formatGuardrailReport,
  GUARDRAIL_RULES,
  RULE_IDS,
  type GuardrailWaiver,
} from "../../lib/guardrails";
import { compliantDeployment, compliantEndpoint, FakeAzapiResource, newStack, routeTraffic } from "./helpers";

// The rule texts, written out: expected messages built from GUARDRAIL_RULES would pass whatever the rules say.
const KEY_AUTH_WHY =
  "Endpoint keys are long-lived shared secrets: whoever holds one can call the endpoint until the key is regenerated, " +
  "and the calls cannot be traced to an identity. AMLToken and AADToken hand out short-lived tokens to Entra identities.";
const KEY_AUTH_FIX = "Set endpoint.auth_mode to aml_token or aad_token (authMode AMLToken or AADToken).";
const PUBLIC_WHY =
  "A public scoring URI is reachable from the whole internet, so the auth token is the only barrier. " +
  "With publicNetworkAccess Disabled, clients reach the endpoint through the workspace's private endpoint.";
const PUBLIC_FIX = "Set endpoint.public_network_access: false (publicNetworkAccess Disabled) and call it through a private endpoint.";
const DIAGNOSTICS_WHY =
  "Without a diagnostic setting their audit and traffic logs are not kept, so incidents and misuse cannot be investigated afterwards.";
const KEY_AUTH_MESSAGE = `authMode is "Key". ${KEY_AUTH_WHY}`;
const WAIVE_KEY_AUTH =
  'add to config/dev.yaml: waivers: [{ rule: endpoint-key-auth, reason: "<why this risk is accepted here>" }]';

/** A stack that passes every rule except that its endpoint uses key auth. */
function keyAuthStack(waivers: GuardrailWaiver[] = [], name = "serving-dev") {
  const app = Testing.app();
  const stack = newStack(name, app);
  const endpoint = compliantEndpoint(stack, "endpoint", { properties: { authMode: "Key" } });
  new MonitorDiagnosticSetting(stack, "endpoint-diagnostics", { name: "diag", targetResourceId: endpoint.id });
  applyGuardrails(stack, waivers, { configFile: "config/dev.yaml" });
  return { app, stack };
}

function synthesizedJson(stack: TerraformStack): { "//": { metadata: Record<string, unknown> } } {
  const outdir = Testing.fullSynth(stack);
  return JSON.parse(readFileSync(join(outdir, "stacks", stack.node.id, "cdk.tf.json"), "utf8"));
}

describe("an endpoint with key auth", () => {
  it("is refused without a waiver: the report names the rule, the construct path and how to waive", () => {
    const { app } = keyAuthStack();
    const report = checkGuardrails(app);
    expect(report.hasErrors).toBe(true);
    expect(formatGuardrailReport(report).split("\n")).toEqual([
      "guardrail error endpoint-key-auth in serving-dev, 1 place:",
      '  serving-dev/endpoint: authMode is "Key"',
      `  To waive, ${WAIVE_KEY_AUTH}`,
      "Why these rules, and the fix:",
      `  endpoint-key-auth: ${KEY_AUTH_WHY} Fix: ${KEY_AUTH_FIX}`,
      "1 guardrail error: no stack was written. Fix each one, or waive it with a reason in the config file.",
    ]);
  });

  it("fails Testing.fullSynth with the rule id, construct path and waiver hint", () => {
    const { stack } = keyAuthStack();
    expect(() => Testing.fullSynth(stack)).toThrow(
      `[serving-dev/endpoint] guardrail endpoint-key-auth: ${KEY_AUTH_MESSAGE} Fix: ${KEY_AUTH_FIX} To waive, ${WAIVE_KEY_AUTH}`,
    );
  });

  it("is accepted with a reasoned waiver, recorded as waived with the reason in the synthesized metadata", () => {
    const reason = "legacy client cannot fetch Entra tokens until Q3";
    const { app, stack } = keyAuthStack([{ rule: "endpoint-key-auth", reason }]);
    const report = checkGuardrails(app);
    expect(report.hasErrors).toBe(false);
    expect(formatGuardrailReport(report)).toBe(`guardrail waived endpoint-key-auth at serving-dev/endpoint: ${reason}`);
    expect(synthesizedJson(stack)["//"].metadata["guardrails"]).toEqual({
      findings: [
        { rule: "endpoint-key-auth", severity: "error", path: "serving-dev/endpoint", message: KEY_AUTH_MESSAGE, waived: true, reason },
      ],
      waivers: [{ rule: "endpoint-key-auth", reason }],
    });
  });
});

describe("the guardrail record", () => {
  it("is present and empty for a compliant stack", () => {
    const stack = newStack();
    applyGuardrails(stack);
    expect(synthesizedJson(stack)["//"].metadata["guardrails"]).toEqual({ findings: [], waivers: [] });
  });

  it("lists unwaived warnings without a reason, and waivers that matched nothing", () => {
    const stack = newStack();
    compliantEndpoint(stack, "endpoint", { properties: { publicNetworkAccess: "Enabled" } });
    applyGuardrails(stack, [{ rule: "storage-tls", reason: "kept for the legacy account" }]);
    expect(synthesizedJson(stack)["//"].metadata["guardrails"]).toEqual({
      findings: [
        {
          rule: "endpoint-public",
          severity: "warning",
          path: "serving-dev/endpoint",
          message: `publicNetworkAccess is "Enabled". ${PUBLIC_WHY}`,
          waived: false,
        },
        {
          rule: "diagnostics-missing",
          severity: "warning",
          path: "serving-dev/endpoint",
          message: `no diagnostic setting targets this resource. ${DIAGNOSTICS_WHY}`,
          waived: false,
        },
      ],
      waivers: [{ rule: "storage-tls", reason: "kept for the legacy account" }],
    });
  });
});

describe("checkGuardrails", () => {
  it("checks every stack of the app, stacks without applyGuardrails included, in name order", () => {
    const app = Testing.app();
    new ContainerRegistry(newStack("serving-prod", app), "registry", {
      name: "cr",
      resourceGroupName: "rg",
      location: "westeurope",
      sku: "Standard",
      adminEnabled: true,
    });
    applyGuardrails(newStack("serving-dev", app));
    const report = checkGuardrails(app);
    expect(report.stacks.map((s) => [s.stack, s.findings.map((f) => `${f.rule}@${f.path}`)])).toEqual([
      ["serving-dev", []],
      ["serving-prod", ["registry-admin-user@serving-prod/registry"]],
    ]);
    expect(report.hasErrors).toBe(true);
    expect(formatGuardrailReport(report)).toContain(
      'To waive, add to the environment\'s config file: waivers: [{ rule: registry-admin-user, reason: "<why this risk is accepted here>" }]',
    );
  });

  it("evaluates once: checking, then synthesizing, adds one error annotation per finding", () => {
    const { app, stack } = keyAuthStack();
    checkGuardrails(app);
    checkGuardrails(app);
    expect(() => Testing.fullSynth(stack)).toThrow();
    const endpoint = stack.node.findChild("endpoint");
    const errors = endpoint.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.ERROR);
    expect(errors).toHaveLength(1);
    expect(checkGuardrails(app).stacks[0].findings).toHaveLength(1);
  });

  it("leaves App.synth to refuse a stack with an unwaived error when it is not called first", () => {
    const { app } = keyAuthStack();
    expect(() => app.synth()).toThrow(/guardrail endpoint-key-auth/);
  });
});

it("orders findings by construct path, then by rule in the order of RULE_IDS", () => {
  const stack = newStack();
  const risky = { properties: { authMode: "Key", publicNetworkAccess: "Enabled" } };
  compliantEndpoint(stack, "b-endpoint", { ...risky, name: "b" });
  compliantEndpoint(stack, "a-endpoint", { ...risky, name: "a" });
  const findings = applyGuardrails(stack).evaluate().findings;
  expect(findings.map((f) => `${f.path} ${f.rule}`)).toEqual([
    "serving-dev/a-endpoint endpoint-key-auth",
    "serving-dev/a-endpoint endpoint-public",
    "serving-dev/a-endpoint diagnostics-missing",
    "serving-dev/b-endpoint endpoint-key-auth",
    "serving-dev/b-endpoint endpoint-public",
    "serving-dev/b-endpoint diagnostics-missing",
  ]);
});

it("the aspect evaluates when it visits the stack itself, not when it visits a resource", () => {
  const stack = newStack();
  const endpoint = compliantEndpoint(stack, "endpoint", { properties: { authMode: "Key" } });
  const aspect = applyGuardrails(stack, [], { configFile: "config/dev.yaml" });
  const evaluate = jest.spyOn(aspect, "evaluate");
  aspect.visit(endpoint);
  expect(evaluate).not.toHaveBeenCalled();
  aspect.visit(stack);
  expect(evaluate).toHaveBeenCalledTimes(1);
  expect(aspect.evaluate()).toEqual({
    stack: "serving-dev",
    configFile: "config/dev.yaml",
    findings: [
      expect.objectContaining({ rule: "endpoint-key-auth", severity: "error", path: "serving-dev/endpoint", waived: false }),
      expect.objectContaining({ rule: "diagnostics-missing", severity: "warning", path: "serving-dev/endpoint", waived: false }),
    ],
    waivers: [],
  });
  expect(aspect.evaluate().findings[0]).not.toHaveProperty("reason");
  expect(applyGuardrails(newStack("other")).evaluate()).not.toHaveProperty("configFile");
});

it("refuses to apply guardrails twice to one stack", () => {
  const stack = newStack();
  applyGuardrails(stack);
  expect(() => applyGuardrails(stack)).toThrow("Guardrails are already applied to stack serving-dev: call applyGuardrails once per stack");
});

describe("formatGuardrailReport", () => {
  it("prints a warning with its fix and how to waive it, and a note for a waiver that matched nothing", () => {
    const app = Testing.app();
    const stack = newStack("serving-dev", app);
    const endpoint = compliantEndpoint(stack, "endpoint", { properties: { publicNetworkAccess: "Enabled" } });
    new MonitorDiagnosticSetting(stack, "diag", { name: "diag", targetResourceId: endpoint.id });
    applyGuardrails(stack, [{ rule: "compute-ssh", reason: "no longer needed" }], { configFile: "config/dev.yaml" });
    expect(formatGuardrailReport(checkGuardrails(app)).split("\n")).toEqual([
      "guardrail warning endpoint-public in serving-dev, 1 place:",
      '  serving-dev/endpoint: publicNetworkAccess is "Enabled"',
      '  To waive, add to config/dev.yaml: waivers: [{ rule: endpoint-public, reason: "<why this risk is accepted here>" }]',
      "guardrail note: the waiver of compute-ssh in config/dev.yaml matches no finding in serving-dev; remove it if it is no longer needed",
      "Why these rules, and the fix:",
      `  endpoint-public: ${PUBLIC_WHY} Fix: ${PUBLIC_FIX}`,
    ]);
  });

  it("is empty when there is nothing to report", () => {
    const app = Testing.app();
    applyGuardrails(newStack("serving-dev", app));
    expect(formatGuardrailReport(checkGuardrails(app))).toBe("");
  });
});

describe("values known only at apply time", () => {
  it("are never flagged", () => {
    const stack = newStack();
    const flag = new TerraformVariable(stack, "flag", { type: "bool" });
    const mode = new TerraformVariable(stack, "mode", { type: "string" });
    new StorageAccount(stack, "storage", {
      name: "st",
      resourceGroupName: "rg",
      location: "westeurope",
      accountTier: "Standard",
      accountReplicationType: "ZRS",
      sharedAccessKeyEnabled: flag.booleanValue,
      allowNestedItemsToBePublic: flag.booleanValue,
      minTlsVersion: mode.stringValue,
    });
    compliantEndpoint(stack, "endpoint", { properties: { authMode: mode.stringValue, publicNetworkAccess: mode.stringValue } });
    const rules = applyGuardrails(stack)
      .evaluate()
      .findings.map((f) => f.rule);
    expect(rules).toEqual(["diagnostics-missing"]);
  });

  it("a diagnostic setting with an opaque target might cover anything, so diagnostics are not flagged", () => {
    const stack = newStack();
    compliantEndpoint(stack);
    const target = new TerraformVariable(stack, "target", { type: "string" });
    new MonitorDiagnosticSetting(stack, "diag", { name: "diag", targetResourceId: target.stringValue });
    expect(applyGuardrails(stack).evaluate().findings).toEqual([]);
  });
});

describe("single-instance-live", () => {
  const paths = (stack: TerraformStack) =>
    applyGuardrails(stack)
      .evaluate()
      .findings.filter((f) => f.rule === "single-instance-live")
      .map((f) => `${f.path}: ${f.message.split(". ")[0]}`);

  it("ignores a single-instance deployment without live traffic", () => {
    const stack = newStack();
    const endpoint = compliantEndpoint(stack);
    compliantDeployment(stack, "deployment-blue", endpoint, { name: "blue", capacity: 1 });
    compliantDeployment(stack, "deployment-green", endpoint, { name: "green", capacity: 3 });
    routeTraffic(stack, "traffic", endpoint, { blue: 0, green: 100 });
    expect(paths(stack)).toEqual([]);
  });

  it("takes the traffic from the endpoint body when no update resource routes it", () => {
    const stack = newStack();
    const endpoint = compliantEndpoint(stack, "endpoint", { properties: { traffic: { blue: 100 } } });
    compliantDeployment(stack, "deployment-blue", endpoint, { capacity: 1 });
    expect(paths(stack)).toEqual(['serving-dev/deployment-blue: deployment "blue" takes 100% of live traffic on 1 instance']);
  });

  it("lets the update resource override the endpoint body", () => {
    const stack = newStack();
    const endpoint = compliantEndpoint(stack, "endpoint", { properties: { traffic: { blue: 100 } } });
    compliantDeployment(stack, "deployment-blue", endpoint, { name: "blue", capacity: 1 });
    compliantDeployment(stack, "deployment-green", endpoint, { name: "green", capacity: 3 });
    routeTraffic(stack, "traffic", endpoint, { blue: 0, green: 100 });
    expect(paths(stack)).toEqual([]);
  });

  it("matches traffic to the deployment's own endpoint", () => {
    const stack = newStack();
    const a = compliantEndpoint(stack, "endpoint-a", { name: "a" });
    const b = compliantEndpoint(stack, "endpoint-b", { name: "b" });
    compliantDeployment(stack, "a-blue", a, { capacity: 1 });
    compliantDeployment(stack, "b-blue", b, { capacity: 1 });
    routeTraffic(stack, "traffic-a", a, { blue: 100 });
    routeTraffic(stack, "traffic-b", b, { blue: 0 });
    expect(paths(stack)).toEqual(['serving-dev/a-blue: deployment "blue" takes 100% of live traffic on 1 instance']);
  });

  it("uses the autoscale minimum when an autoscale setting targets the deployment", () => {
    const build = (capacity: number, minimum: number) => {
      const stack = newStack();
      const endpoint = compliantEndpoint(stack);
      const deployment = compliantDeployment(stack, "deployment-blue", endpoint, { capacity });
      routeTraffic(stack, "traffic", endpoint, { blue: 100 });
      new MonitorAutoscaleSetting(stack, "autoscale", {
        name: "autoscale",
        resourceGroupName: "rg",
        location: "westeurope",
        targetResourceId: deployment.id,
        profile: [{ name: "default", capacity: { default: capacity, minimum, maximum: 10 } }],
      });
      return stack;
    };
    expect(paths(build(1, 2))).toEqual([]);
    expect(paths(build(3, 1))).toEqual(['serving-dev/deployment-blue: deployment "blue" takes 100% of live traffic on 1 instance']);
  });

  it("reads a missing capacity as Azure's default of 1, and skips a capacity known only at apply time", () => {
    const missing = newStack();
    const endpoint = compliantEndpoint(missing);
    new FakeAzapiResource(missing, "deployment-blue", {
      type: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments@2025-12-01",
      name: "blue",
      parentId: endpoint.id,
      body: { properties: { endpointComputeType: "Managed", egressPublicNetworkAccess: "Disabled" } },
    });
    routeTraffic(missing, "traffic", endpoint, { blue: 100 });
    expect(paths(missing)).toEqual(['serving-dev/deployment-blue: deployment "blue" takes 100% of live traffic on 1 instance']);

    const unknown = newStack();
    const count = new TerraformVariable(unknown, "count", { type: "number" });
    const e = compliantEndpoint(unknown);
    compliantDeployment(unknown, "deployment-blue", e, { capacity: count.numberValue });
    routeTraffic(unknown, "traffic", e, { blue: 100 });
    expect(paths(unknown)).toEqual([]);
  });
});

it("docs/guardrails.md has a row for every rule that matches what the synth prints", () => {
  const docs = readFileSync(join(__dirname, "..", "..", "docs", "guardrails.md"), "utf8");
  for (const id of RULE_IDS) {
    const rule = GUARDRAIL_RULES[id];
    const cells = [`\`${id}\``, rule.severity, rule.description, rule.why, rule.fix, `\`{ rule: ${id}, reason: "..." }\``];
    expect(docs).toContain(`| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`);
  }
});

describe("formatGuardrailReport groups findings", () => {
  /** A stack whose deployments all have public egress (a warning), and whose endpoint uses key auth (an error). */
  function egressStack(app: ReturnType<typeof Testing.app>, name: string, deployments: string[], waivers: GuardrailWaiver[] = []) {
    const stack = newStack(name, app);
    const endpoint = compliantEndpoint(stack, "endpoint", { properties: { authMode: "Key" } });
    new MonitorDiagnosticSetting(stack, "diag", { name: "diag", targetResourceId: endpoint.id });
    for (const d of deployments) compliantDeployment(stack, `deployment-${d}`, endpoint, { name: d, properties: { egressPublicNetworkAccess: "Enabled" } });
    routeTraffic(stack, "traffic", endpoint, Object.fromEntries(deployments.map((d, i) => [d, i === 0 ? 100 : 0])));
    applyGuardrails(stack, waivers, { configFile: `config/${name.replace("serving-", "")}.yaml` });
  }

  it("prints one entry per rule and stack listing every place, and each rule's explanation once", () => {
    const app = Testing.app();
    egressStack(app, "serving-dev", ["blue", "green", "red"]);
    egressStack(app, "serving-prod", ["blue"]);
    const text = formatGuardrailReport(checkGuardrails(app));
    const lines = text.split("\n");
    expect(lines.filter((l) => l.startsWith("guardrail "))).toEqual([
      "guardrail error endpoint-key-auth in serving-dev, 1 place:",
      "guardrail error endpoint-key-auth in serving-prod, 1 place:",
      "guardrail warning deployment-egress-public in serving-dev, 3 places:",
      "guardrail warning deployment-egress-public in serving-prod, 1 place:",
    ]);
    const dev = lines.indexOf("guardrail warning deployment-egress-public in serving-dev, 3 places:");
    expect(lines.slice(dev + 1, dev + 5)).toEqual([
      '  serving-dev/deployment-blue: egressPublicNetworkAccess is "Enabled"',
      '  serving-dev/deployment-green: egressPublicNetworkAccess is "Enabled"',
      '  serving-dev/deployment-red: egressPublicNetworkAccess is "Enabled"',
      '  To waive, add to config/dev.yaml: waivers: [{ rule: deployment-egress-public, reason: "<why this risk is accepted here>" }]',
    ]);
    for (const id of ["endpoint-key-auth", "deployment-egress-public"] as const) {
      expect(text.split(GUARDRAIL_RULES[id].why)).toHaveLength(2);
      expect(text.split(GUARDRAIL_RULES[id].fix)).toHaveLength(2);
    }
    expect(lines.at(-1)).toBe("2 guardrail errors: no stack was written. Fix each one, or waive it with a reason in the config file.");
  });

  it("prints waived findings of one rule as one line with every place and the reason, without the explanation", () => {
    const app = Testing.app();
    const reason = "egress to the feature store is not private yet";
    egressStack(app, "serving-dev", ["blue", "green"], [
      { rule: "deployment-egress-public", reason },
      { rule: "endpoint-key-auth", reason: "legacy client" },
    ]);
    const text = formatGuardrailReport(checkGuardrails(app));
    expect(text.split("\n")).toEqual([
      "guardrail waived endpoint-key-auth at serving-dev/endpoint: legacy client",
      `guardrail waived deployment-egress-public at serving-dev/deployment-blue, serving-dev/deployment-green: ${reason}`,
    ]);
  });
});

describe("what the guardrails could not see", () => {
  test("is said once per stack, after everything else, and recorded in the stack's metadata", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "serving-shared");
    applyGuardrails(stack, [], { notChecked: ["the existing workspace /subscriptions/s/x (its network)"] });
    const report = checkGuardrails(app);
    expect(report.stacks[0].notChecked).toEqual(["the existing workspace /subscriptions/s/x (its network)"]);
    expect(formatGuardrailReport(report)).toBe("guardrail note: not checked in serving-shared: the existing workspace /subscriptions/s/x (its network)");
    expect(synthesizedJson(stack)["//"].metadata["guardrails"]).toEqual({
      findings: [],
      waivers: [],
      notChecked: ["the existing workspace /subscriptions/s/x (its network)"],
    });
  });

  test("is left out when there is nothing", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "serving-dev");
    applyGuardrails(stack, []);
    expect(checkGuardrails(app).stacks[0]).not.toHaveProperty("notChecked");
    expect(synthesizedJson(stack)["//"].metadata["guardrails"]).toEqual({ findings: [], waivers: [] });
  });
});
