import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { App, Testing } from "cdktf";
import { loadEnvironments } from "../../lib/config/load";
import { checkGuardrails, formatCapacityReport, type GuardrailReport } from "../../lib/guardrails";
import { ServingStack } from "../../lib/stacks/serving-stack";
import { validateSynthesizedAzapiBodies } from "../helpers/azapi-schema";
import { perFile } from "../helpers/shared";

/**
 * The acceptance config of "scale on what users feel", synthesized in full: requests-per-minute, p95-latency,
 * memory and GPU rules, a weekday schedule in an IANA zone, cooldowns of its own, a startup probe, a quota, and a
 * second deployment on a size exempt from the upgrade reserve. Every Azure contract value is asserted on its own.
 */
const FIXTURE = join(__dirname, "..", "fixtures", "issue-23", "acceptance");

/** The fixture's stack JSON and guardrail report; the output folder is removed before returning. */
function synthFixture(): { json: any; report: GuardrailReport } {
  const app: App = Testing.app({ enableFutureFlags: false });
  try {
    for (const environment of loadEnvironments({ configDir: FIXTURE })) new ServingStack(app, environment);
    const report = checkGuardrails(app);
    app.synth();
    return { json: JSON.parse(readFileSync(join(app.outdir, "stacks", "serving-fraud", "cdk.tf.json"), "utf8")), report };
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

// Read in beforeEach, never at load: see perFile.
const current = perFile(synthFixture);
let json: any;
let report: GuardrailReport;
let setting: any;
let defaultProfile: any;
let business: any;
let afterBusiness: any;

const only = (type: string, prefix: string): any => {
  const entries = Object.entries<any>(json.resource[type]).filter(([key]) => key.startsWith(prefix));
  expect(entries).toHaveLength(1);
  return entries[0][1];
};

beforeEach(() => {
  ({ json, report } = current());
  setting = only("azurerm_monitor_autoscale_setting", "autoscale-vision_setting_");
  [defaultProfile, business, afterBusiness] = setting.profile;
});

const ENDPOINT = /^\$\{azapi_resource\.endpoint_[0-9A-F]{8}\.id\}$/;
const DEPLOYMENT = /^\$\{azapi_resource\.deployment-vision_deployment_[0-9A-F]{8}\.id\}$/;
const ENDPOINT_NS = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints";
const DEPLOYMENT_NS = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments";
const trigger = (profile: any, metric: string, operator: string) =>
  profile.rule.find((r: any) => r.metric_trigger.metric_name === metric && r.metric_trigger.operator === operator);

test("every azapi body is valid against Azure's 2025-12-01 schema; the canary deployment keeps no autoscale", () => {
  expect(validateSynthesizedAzapiBodies(json)).toEqual([]);
  expect(Object.keys(json.resource.azurerm_monitor_autoscale_setting)).toHaveLength(1);
  expect(setting.target_resource_id).toMatch(DEPLOYMENT);
});

describe("profiles: the default, the weekday schedule, and the return to the default when it ends", () => {
  test("three profiles, the default first without a recurrence", () => {
    expect(setting.profile.map((p: any) => p.name)).toEqual(["default", "business-hours", "default-after-business-hours"]);
    expect(defaultProfile.recurrence).toBeUndefined();
    expect(defaultProfile.capacity).toEqual({ default: 3, minimum: 2, maximum: 8 });
  });

  test("the schedule starts at 07:30 on weekdays with its own bounds; the starting count is clamped into them", () => {
    expect(business.capacity).toEqual({ default: 4, minimum: 4, maximum: 12 });
    expect(business.recurrence.days).toEqual(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]);
    expect(business.recurrence.hours).toEqual([7]);
    expect(business.recurrence.minutes).toEqual([30]);
  });

  test("Europe/Berlin is sent as the Windows name Azure autoscale takes", () => {
    expect(business.recurrence.timezone).toBe("W. Europe Standard Time");
    expect(afterBusiness.recurrence.timezone).toBe("W. Europe Standard Time");
  });

  test("at 19:00 on the same days the default bounds come back, with the same rules", () => {
    expect(afterBusiness.capacity).toEqual(defaultProfile.capacity);
    expect(afterBusiness.recurrence.days).toEqual(business.recurrence.days);
    expect(afterBusiness.recurrence.hours).toEqual([19]);
    expect(afterBusiness.recurrence.minutes).toEqual([0]);
    expect(afterBusiness.rule).toEqual(defaultProfile.rule);
    expect(business.rule).toEqual(defaultProfile.rule);
  });
});

describe("rules: four scale-out rules and three scale-in rules (memory has no scale-in)", () => {
  test("order and count", () => {
    expect(defaultProfile.rule.map((r: any) => [r.metric_trigger.metric_name, r.metric_trigger.operator, r.metric_trigger.threshold])).toEqual([
      ["RequestsPerMinute", "GreaterThan", 600],
      ["RequestLatency_P95", "GreaterThan", 800],
      ["CpuMemoryUtilizationPercentage", "GreaterThan", 80],
      ["GpuUtilizationPercentage", "GreaterThan", 75],
      ["RequestsPerMinute", "LessThan", 200],
      ["RequestLatency_P95", "LessThan", 300],
      ["GpuUtilizationPercentage", "LessThan", 25],
    ]);
  });

  test("requests per minute: the endpoint's metric, this deployment's share, per instance, over 10 minutes", () => {
    const t = trigger(defaultProfile, "RequestsPerMinute", "GreaterThan").metric_trigger;
    expect(t.metric_namespace).toBe(ENDPOINT_NS);
    expect(t.metric_resource_id).toMatch(ENDPOINT);
    expect(t.dimensions).toEqual([{ name: "deployment", operator: "Equals", values: ["vision"] }]);
    expect(t.divide_by_instance_count).toBe(true);
    expect(t.time_window).toBe("PT10M");
    expect(t.time_grain).toBe("PT1M");
    expect(t.statistic).toBe("Average");
    expect(t.time_aggregation).toBe("Average");
  });

  test("p95 latency: the endpoint's RequestLatency_P95 filtered to the deployment, not divided by instances", () => {
    const t = trigger(defaultProfile, "RequestLatency_P95", "GreaterThan").metric_trigger;
    expect(t.metric_namespace).toBe(ENDPOINT_NS);
    expect(t.metric_resource_id).toMatch(ENDPOINT);
    expect(t.dimensions).toEqual([{ name: "deployment", operator: "Equals", values: ["vision"] }]);
    expect(t.divide_by_instance_count).toBeUndefined();
    expect(t.time_window).toBe("PT5M");
  });

  test("memory: the deployment's CpuMemoryUtilizationPercentage, no dimension, a 15-minute window given in minutes", () => {
    const t = trigger(defaultProfile, "CpuMemoryUtilizationPercentage", "GreaterThan").metric_trigger;
    expect(t.metric_namespace).toBe(DEPLOYMENT_NS);
    expect(t.metric_resource_id).toMatch(DEPLOYMENT);
    expect(t.dimensions).toBeUndefined();
    expect(t.time_window).toBe("PT15M");
    expect(trigger(defaultProfile, "CpuMemoryUtilizationPercentage", "LessThan")).toBeUndefined();
  });

  test("GPU: the deployment's GpuUtilizationPercentage, both ways", () => {
    const out = trigger(defaultProfile, "GpuUtilizationPercentage", "GreaterThan").metric_trigger;
    expect(out.metric_namespace).toBe(DEPLOYMENT_NS);
    expect(out.metric_resource_id).toMatch(DEPLOYMENT);
    expect(out.dimensions).toBeUndefined();
    expect(trigger(defaultProfile, "GpuUtilizationPercentage", "LessThan").metric_trigger.threshold).toBe(25);
  });

  test("cooldowns from the config: 25 minutes after scaling out, 45 after scaling in, one instance at a time", () => {
    for (const r of defaultProfile.rule) {
      const out = r.scale_action.direction === "Increase";
      expect(r.scale_action).toEqual({ direction: out ? "Increase" : "Decrease", type: "ChangeCount", value: 1, cooldown: out ? "PT25M" : "PT45M" });
    }
  });
});

test("the deployment sends its startup probe as az ml does", () => {
  const deployment = only("azapi_resource", "deployment-vision_deployment_");
  expect(deployment.body.properties.startupProbe).toEqual({ initialDelay: "PT1M", period: "PT15S", timeout: "PT5S", failureThreshold: 40, successThreshold: 2 });
  expect(deployment.body.properties.instanceType).toBe("Standard_NC8as_T4_v3");
});

test("request-based rules bring a throttling alert on the endpoint's 429 and 503 for this deployment; the canary gets none", () => {
  const alert = only("azurerm_monitor_metric_alert", "monitoring_throttled-vision_");
  expect(alert.name).toBe("fraud-gpu-x7q2-vision-throttled");
  expect(alert.scopes).toEqual([expect.stringMatching(ENDPOINT)]);
  expect(alert.window_size).toBe("PT15M");
  expect(alert.frequency).toBe("PT5M");
  const [criteria] = alert.criteria;
  expect(criteria.metric_namespace).toBe(ENDPOINT_NS);
  expect(criteria.metric_name).toBe("RequestsPerMinute");
  expect(criteria.aggregation).toBe("Average");
  expect(criteria.operator).toBe("GreaterThan");
  expect(criteria.threshold).toBe(25);
  expect(criteria.dimension).toEqual([
    { name: "statusCode", operator: "Include", values: ["429", "503"] },
    { name: "deployment", operator: "Include", values: ["vision"] },
  ]);
  expect(Object.keys(json.resource.azurerm_monitor_metric_alert).filter((k) => k.includes("throttled-canary"))).toEqual([]);
  // The time-at-maximum alert reads the default profile's ceiling.
  expect(only("azurerm_monitor_metric_alert", "monitoring_capacity-vision_").criteria[0].threshold).toBe(8);
});

describe("capacity: cores per VM family with the 20 % upgrade reserve, as ceil(1.2 × N) × vCPUs gives them", () => {
  test("recorded in the stack's metadata for the plan review", () => {
    const capacity = json["//"].metadata.capacity;
    expect(capacity.families).toEqual([
      // Standard_NC24ads_A100_v4 skips the reserve: 1 instance is 24 cores.
      { family: "standardNCADSA100v4Family", cores: { min: 24, start: 24, max: 24 }, quota: 48, usedBy: ["canary"] },
      // Standard_NC8as_T4_v3, 8 vCPUs: min 2 → ceil(2.4) = 3 → 24; start 3 → 4 → 32; max 12 (the schedule) → 15 → 120.
      { family: "standardNCASv3_T4Family", cores: { min: 24, start: 32, max: 120 }, quota: 200, usedBy: ["vision"] },
      // The cluster holds no reserve: 0 to 2 nodes of 6 vCPUs.
      { family: "standardNCSv3Family", cores: { min: 0, start: 0, max: 12 }, quota: 24, usedBy: ["gpu-cluster"] },
    ]);
  });

  test("printed by the synth, per environment", () => {
    const text = formatCapacityReport(report);
    expect(text).toContain("capacity of serving-fraud");
    expect(text).toMatch(/standardNCASv3_T4Family\s+24\s+32\s+120\s+200/);
    expect(text).toContain("vision: 2..12 (start 3) × Standard_NC8as_T4_v3 (8 vCPUs), ceil(1.2 × 12) = 15 with the upgrade reserve → 120 cores at most");
    expect(text).toContain("canary: 1 × Standard_NC24ads_A100_v4 (24 vCPUs) → 24 cores at most");
  });

  test("within quota: no quota finding", () => {
    expect(report.stacks.flatMap((s) => s.findings).filter((f) => f.rule === "quota-exceeded")).toEqual([]);
  });
});
