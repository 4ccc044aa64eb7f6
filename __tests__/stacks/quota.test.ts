import { Testing } from "cdktf";
import { loadEnvironments } from "../../lib/config/load";
import { checkGuardrails, formatGuardrailReport } from "../../lib/guardrails";
import { ServingStack } from "../../lib/stacks/serving-stack";
import { configDir } from "../helpers/config-dir";

/**
 * Quota and instance floors, judged on the synthesized stack: a VM family over its configured quota is a guardrail
 * error naming the quota's file:line (waivable with a reason); production-like environments need 3 live instances;
 * and configs written before rules existed keep their CPU rules.
 */

function stacksOf(files: Record<string, string>) {
  const dir = configDir(files);
  const app = Testing.app();
  const stacks = loadEnvironments({ configDir: dir, projectRoot: dir }).map((e) => new ServingStack(app, e));
  return { app, stacks, report: checkGuardrails(app) };
}

const yaml = (...lines: string[]) => lines.join("\n");

/** An environment with one deployment of Standard_DS4_v2 (8 vCPUs) and a cluster of STANDARD_DS2_V2 (2 vCPUs). */
function environment(autoscale: string, tail: string[] = []): string {
  return yaml(
    "project: fraud", // 1
    "location: northeurope", // 2
    "state: { resource_group: rg-fraud-tfstate, storage_account: stfraudstate23 }", // 3
    "compute: { name: cpu-cluster, vm_size: STANDARD_DS2_V2, min_nodes: 1, max_nodes: 5 }", // 4
    "endpoint:", // 5
    "  name: fraud-online-q3", // 6
    "  deployments:", // 7
    "    - name: blue", // 8
    "      model: azureml:fraud:9", // 9
    "      environment: azureml:fraud-env:4", // 10
    "      code: { path: src, scoring_script: score.py }", // 11
    "      instance_type: Standard_DS4_v2", // 12
    "      instance_count: 3", // 13
    "      traffic: 100", // 14
    `      autoscale: ${autoscale}`, // 15
    ...tail, // 16...
  );
}

describe("quota-exceeded", () => {
  // blue at 7 instances: ceil(8.4) = 9 × 8 = 72 cores; the cluster's 5 nodes: 10. Together 82.
  const AUTOSCALE = "{ min_instances: 3, max_instances: 7 }";

  test("a family over its quota stops the synth, naming the quota's file and line and how each user counts", () => {
    const { report } = stacksOf({ "qa.yaml": environment(AUTOSCALE, ["quota:", "  standardDSv2Family: 80"]) });
    const findings = report.stacks.flatMap((s) => s.findings).filter((f) => f.rule === "quota-exceeded");
    expect(findings).toEqual([
      expect.objectContaining({
        severity: "error",
        waived: false,
        path: "serving-qa/deployment-blue/deployment",
        message: expect.stringContaining(
          "standardDSv2Family needs 82 cores at the most instances, above its quota of 80 (quota.standardDSv2Family at qa.yaml:17) " +
            "(blue: 3..7 (start 3) × Standard_DS4_v2 (8 vCPUs), ceil(1.2 × 7) = 9 with the upgrade reserve → 72 cores at most; " +
            "cpu-cluster: 1..5 (start 1) × STANDARD_DS2_V2 (2 vCPUs) → 10 cores at most)",
        ),
      }),
    ]);
    expect(report.hasErrors).toBe(true);
    expect(formatGuardrailReport(report)).toContain("To waive, add to qa.yaml: waivers: [{ rule: quota-exceeded,");
  });

  test("exactly at quota passes; quota names match ignoring case and spaces", () => {
    const { report } = stacksOf({ "qa.yaml": environment(AUTOSCALE, ["quota:", "  standarddsv2family: 82"]) });
    expect(report.stacks.flatMap((s) => s.findings).filter((f) => f.rule === "quota-exceeded")).toEqual([]);
    expect(report.stacks[0].capacity?.families).toEqual([
      { family: "standardDSv2Family", cores: { min: 34, start: 34, max: 82 }, quota: 82, usedBy: ["blue", "cpu-cluster"] },
    ]);
  });

  test("a waiver with a reason lets the synth go on, and the finding is recorded as waived", () => {
    const { report } = stacksOf({
      "qa.yaml": environment(AUTOSCALE, [
        "quota:",
        "  standardDSv2Family: 40",
        "waivers:",
        "  - { rule: quota-exceeded, reason: quota request 4711 raises standardDSv2Family to 100 before the launch }",
      ]),
    });
    const [finding] = report.stacks.flatMap((s) => s.findings).filter((f) => f.rule === "quota-exceeded");
    expect(finding).toMatchObject({ waived: true, reason: "quota request 4711 raises standardDSv2Family to 100 before the launch" });
    expect(report.hasErrors).toBe(false);
  });

  test("without quota, the capacity table is information only", () => {
    const { report } = stacksOf({ "qa.yaml": environment(AUTOSCALE) });
    expect(report.hasErrors).toBe(false);
    expect(report.stacks[0].capacity?.families[0]).toEqual({ family: "standardDSv2Family", cores: { min: 34, start: 34, max: 82 }, usedBy: ["blue", "cpu-cluster"] });
  });
});

describe("single-instance-live in production-like environments", () => {
  const floors = (env: string, autoscale: string) =>
    stacksOf({ [`${env}.yaml`]: environment(autoscale) })
      .report.stacks.flatMap((s) => s.findings)
      .filter((f) => f.rule === "single-instance-live")
      .map((f) => f.message.split(". ")[0]);

  test("prod with a floor of 2 is warned; Microsoft recommends 3 for production", () => {
    expect(floors("prod", "{ min_instances: 2, max_instances: 6 }")).toEqual([
      'deployment "blue" takes 100% of live traffic on 2 instances, fewer than the 3 a production-like environment needs',
    ]);
    expect(floors("prodweu", "{ min_instances: 2, max_instances: 6 }")).toHaveLength(1);
  });

  test("a schedule's floor counts too", () => {
    const scheduled = "{ min_instances: 3, max_instances: 6, schedules: [{ name: night, days: [everyday], start: '01:00', end: '05:00', timezone: UTC, min_instances: 2, max_instances: 3 }] }";
    expect(floors("live", scheduled)).toHaveLength(1);
  });

  test("other environments keep the floor of 2 (a name that merely begins with prod counts: one warning too many beats one too few)", () => {
    expect(floors("qa", "{ min_instances: 2, max_instances: 6 }")).toEqual([]);
    expect(floors("product", "{ min_instances: 2, max_instances: 6 }")).toHaveLength(1);
    expect(floors("prod", "{ min_instances: 3, max_instances: 6 }")).toEqual([]);
  });
});

describe("existing autoscale configs keep their rules", () => {
  const settingOf = (autoscale: string): any => {
    const { stacks } = stacksOf({ "qa.yaml": environment(autoscale) });
    return Object.values<any>(JSON.parse(Testing.synth(stacks[0])).resource.azurerm_monitor_autoscale_setting)[0];
  };
  const cpu = (operator: string, threshold: number) => ({
    metric_name: "CpuUtilizationPercentage",
    metric_namespace: "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
    metric_resource_id: expect.stringMatching(/^\$\{azapi_resource\.deployment-blue_deployment_[0-9A-F]{8}\.id\}$/),
    time_grain: "PT1M",
    statistic: "Average",
    time_window: "PT5M",
    time_aggregation: "Average",
    operator,
    threshold,
  });

  test("scale_out_cpu_percent and scale_in_cpu_percent are one CPU rule pair in a profile still named cpu; cooldown_minutes still sets both", () => {
    const setting = settingOf("{ min_instances: 3, max_instances: 7, scale_out_cpu_percent: 75, scale_in_cpu_percent: 40, cooldown_minutes: 12 }");
    expect(setting.profile).toEqual([
      {
        name: "cpu",
        capacity: { default: 3, minimum: 3, maximum: 7 },
        rule: [
          { metric_trigger: cpu("GreaterThan", 75), scale_action: { direction: "Increase", type: "ChangeCount", value: 1, cooldown: "PT12M" } },
          { metric_trigger: cpu("LessThan", 40), scale_action: { direction: "Decrease", type: "ChangeCount", value: 1, cooldown: "PT12M" } },
        ],
      },
    ]);
  });

  test("without thresholds, 70/30 as before; the default cooldowns are now 20 minutes out and 30 in", () => {
    const [profile] = settingOf("{ min_instances: 3, max_instances: 7 }").profile;
    expect(profile.rule.map((r: any) => [r.metric_trigger.threshold, r.scale_action.cooldown])).toEqual([
      [70, "PT20M"],
      [30, "PT30M"],
    ]);
  });

  test("the CPU fields next to rules add their CPU rule before the listed ones", () => {
    const [profile] = settingOf("{ min_instances: 3, max_instances: 7, scale_out_cpu_percent: 65, rules: [{ metric: latency_p50_ms, scale_out_above: 250 }] }").profile;
    expect(profile.name).toBe("default");
    expect(profile.rule.map((r: any) => [r.metric_trigger.metric_name, r.metric_trigger.operator, r.metric_trigger.threshold])).toEqual([
      ["CpuUtilizationPercentage", "GreaterThan", 65],
      ["RequestLatency_P50", "GreaterThan", 250],
      ["CpuUtilizationPercentage", "LessThan", 30],
    ]);
  });
});
